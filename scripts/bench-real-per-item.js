'use strict';
/**
 * Per item in a real n8n (issue 16): the cost of one item in the 3CX node against a one-property
 * declarative node doing the same GET with the same credential, both inside a real `n8n start`
 * (n8n 2.41.1 on Node 24, the packed package installed as n8n installs community packages, SQLite),
 * which is where the floor pays what the in-process bench cannot show: n8n's credential read for
 * every item's request (a database read, a decryption, the credential's expressions), where the
 * 3CX node reads its credential once per run.
 *
 * Three activated workflows, each started by its webhook with `n` items:
 *   Webhook -> Code (n items)                            the fixed part
 *   Webhook -> Code (n items) -> 3CX (Get User)         users/getUser by ID, one GET per item
 *   Webhook -> Code (n items) -> Bench Minimal           the one-property node, the same GET
 * called in turn (15 rounds after 3 warm-up rounds); per item = (median round trip - the fixed
 * part's) / n. The one-property node is loaded as a custom extension (N8N_CUSTOM_EXTENSIONS).
 * Needs the e2e cache (bash e2e/install-n8n.sh) and a built package; prints only.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const inst = require('../e2e/n8n-instance');
const { minimalNode } = require('./bench-per-item');
const { median } = require('./bench-stats');

const CREDENTIAL = { id: 'benchPerItemCr01', name: '3CX (bench)' };
const ITEMS = 200;

/** The one-property node as n8n loads a custom extension: <dir>/BenchMinimal.node.js exporting BenchMinimal. */
function writeMinimalExtension(dir) {
	fs.mkdirSync(dir, { recursive: true });
	const { description } = minimalNode();
	const node = { ...description, displayName: 'Bench Minimal', name: 'benchMinimal' };
	fs.writeFileSync(
		path.join(dir, 'BenchMinimal.node.js'),
		`'use strict';\nclass BenchMinimal {\n\tconstructor() {\n\t\tthis.description = ${JSON.stringify(node)};\n\t}\n}\nmodule.exports = { BenchMinimal };\n`,
	);
}

/** Webhook -> Code (n items) [-> the node under test], answering when the last node ends, with no data. */
function workflow(id, webhookPath, tested) {
	const nodes = [
		inst.webhookNode(webhookPath, { extra: { responseData: 'noData' } }),
		{
			id: crypto.randomUUID(),
			name: 'Items',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [220, 0],
			parameters: { jsCode: 'return Array.from({ length: $json.body.n }, (_, i) => ({ json: { i } }));' },
		},
	];
	const connections = { Webhook: { main: [[{ node: 'Items', type: 'main', index: 0 }]] } };
	if (tested) {
		nodes.push({ id: crypto.randomUUID(), name: 'Tested', typeVersion: 1, position: [440, 0], credentials: { threeCxOAuth2Api: CREDENTIAL }, ...tested });
		connections.Items = { main: [[{ node: 'Tested', type: 'main', index: 0 }]] };
	}
	return { id, name: `bench per item: ${webhookPath}`, active: false, nodes, connections, settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none' }, pinData: {} };
}

const WORKFLOWS = [
	{ key: 'fixed', id: 'benchPerItemFix1', path: 'bench-fixed' },
	{
		key: 'ours',
		id: 'benchPerItem3cx1',
		path: 'bench-3cx',
		tested: {
			type: 'n8n-nodes-3cx.threeCx',
			parameters: { resource: 'users', operation: 'getUser', userKey: { __rl: true, mode: 'id', value: '={{ $json.i + 1 }}' } },
		},
	},
	{ key: 'floor', id: 'benchPerItemMin1', path: 'bench-minimal', tested: { type: 'CUSTOM.benchMinimal', parameters: { Id: '={{ $json.i + 1 }}' } } },
];

/**
 * @param {{ rounds?: number, items?: number, log?: (line: string) => void }} [options]
 * @returns {Promise<{ ours: number, floor: number, fixed: number, ratio: number, apiRequests: number } | { skipped: string }>}
 */
async function benchRealPerItem({ rounds = 15, items = ITEMS, log = () => {} } = {}) {
	if (!fs.existsSync(path.join(inst.CACHE, 'env.sh'))) return { skipped: `no n8n e2e cache at ${inst.CACHE}; run bash e2e/install-n8n.sh` };
	const env = inst.ensureN8n({ onLine: () => {} });
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-3cx-per-item-'));
	const tarball = inst.packPackage(inst.REPO, tmp).tarball;
	const userFolder = inst.makeUserFolder('n8n-3cx-per-item-');
	inst.installPackage(tarball, userFolder);
	const extensions = path.join(userFolder, 'extensions');
	writeMinimalExtension(extensions);
	const { createXapiServer, json } = require('../simulator');
	const sim = createXapiServer({});
	await sim.start();
	sim.get(/Users/, json({ Id: 29, Number: '100', FirstName: 'Ann' }));
	const n8n = inst.createN8n({ env, userFolder, brokerPort: await inst.freePort(), extraEnv: { N8N_CUSTOM_EXTENSIONS: extensions, N8N_LOG_LEVEL: 'warn' } });
	let server;
	try {
		await n8n.importCredentials([
			{ ...CREDENTIAL, type: 'threeCxOAuth2Api', data: { baseUrl: sim.baseUrl, clientId: sim.options.clientId, clientSecret: sim.options.clientSecret, ignoreSSLIssues: false } },
		]);
		await n8n.importWorkflows(WORKFLOWS.map((w) => workflow(w.id, w.path, w.tested)));
		for (const w of WORKFLOWS) {
			const r = await n8n.cli(['publish:workflow', `--id=${w.id}`]);
			if (r.status !== 0) throw new Error(`n8n publish:workflow --id=${w.id} failed: ${(r.stdout || '').slice(-800)}${(r.stderr || '').slice(-800)}`);
		}
		server = await n8n.start({});
		if (!server.ok) throw new Error(`n8n did not start: ${server.reason}`);
		const call = async (w) => {
			const started = process.hrtime.bigint();
			const r = await fetch(`${server.url}/webhook/${w.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: items }) });
			await r.arrayBuffer();
			if (r.status !== 200) throw new Error(`${w.path}: HTTP ${r.status}`);
			return Number(process.hrtime.bigint() - started) / 1e6;
		};
		// the webhooks register a moment after readiness
		for (let i = 0; i < 60; i++) {
			const r = await fetch(`${server.url}/webhook/${WORKFLOWS[0].path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' }).catch(() => undefined);
			if (r && r.status === 200) break;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		/** @type {Record<string, number[]>} */
		const times = { fixed: [], ours: [], floor: [] };
		const before = sim.apiRequests.length;
		for (let round = 0; round < rounds + 3; round++) {
			for (const w of WORKFLOWS) {
				const ms = await call(w);
				if (round >= 3) times[w.key].push(ms);
			}
		}
		const apiRequests = sim.apiRequests.length - before;
		const fixed = median(times.fixed);
		const ours = (median(times.ours) - fixed) / items;
		const floor = (median(times.floor) - fixed) / items;
		log(`n8n ${env.E2E_N8N_VERSION}: ${rounds} rounds of ${items} items`);
		return { ours, floor, fixed, ratio: ours / floor, apiRequests };
	} finally {
		if (server) await server.stop();
		await n8n.stopAll();
		await sim.stop();
		fs.rmSync(userFolder, { recursive: true, force: true });
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

module.exports = { benchRealPerItem };

if (require.main === module) {
	benchRealPerItem({ log: (l) => console.log(l) }).then(
		(r) => {
			console.log(JSON.stringify(r));
			process.exit(0);
		},
		(error) => {
			console.error(error);
			process.exit(1);
		},
	);
}
