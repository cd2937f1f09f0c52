#!/usr/bin/env node
'use strict';
/**
 * `npm start`: try the node in a real n8n without a PBX.
 *
 * 1. Node 24 + n8n into ~/.cache/n8n-nodes-3cx-e2e (e2e/install-n8n.sh; minutes the first time)
 * 2. npm run build, npm pack, install the tarball into a fresh n8n user folder the way n8n installs
 *    community packages (e2e/n8n-instance.js)
 * 3. the simulated 3CX with demo data (simulator/), unless THREECX_URL, THREECX_CLIENT_ID and
 *    THREECX_CLIENT_SECRET point at a real PBX
 * 4. `n8n start` on 127.0.0.1:${N8N_PORT:-5678} and an owner account
 * 5. a "3CX OAuth2 API" credential for it and sample workflows (list users; a missed-call trigger
 *    when the package has the 3CX Trigger node), created through n8n's REST API as the owner (one
 *    n8n boot instead of three; `n8n import:*` with the CLI if the REST calls fail); prints the
 *    editor URL and the login
 * Ctrl-C (SIGINT) or SIGTERM stops n8n and the simulator and removes the temporary user folder.
 *
 * Options: --no-build (use dist/ as it is), --keep (keep the user folder), --help.
 * The simulator gets a new inbound call every SIM_3CX_CALL_EVERY seconds (default 120, 0 = never),
 * about every other one missed, so an active missed-call workflow has something to fire on.
 * Environment: N8N_PORT, SIM_3CX_PORT (simulator port, default a free one), THREECX_URL,
 * THREECX_CLIENT_ID, THREECX_CLIENT_SECRET, N8N_E2E_CACHE.
 */
const fs = require('node:fs');
const path = require('node:path');
const inst = require('../e2e/n8n-instance');

const REPO = path.resolve(__dirname, '..');
const OWNER = { email: 'demo@example.com', firstName: 'Demo', lastName: 'Owner', password: 'Demo-3cx-n8n-1' };
const SIM_CLIENT = { id: '900', secret: 'demo-secret' };
const CREDENTIAL_ID = 'start3cxCredent1';
const HELP = `usage: npm start [-- --no-build] [-- --keep]
  Builds the package, installs it into a real n8n (Node 24 and n8n are installed into
  ~/.cache/n8n-nodes-3cx-e2e on first use), starts a simulated 3CX with demo data, creates a
  3CX credential and sample workflows, and prints the editor URL and the owner login.
  Environment: N8N_PORT (default 5678); THREECX_URL, THREECX_CLIENT_ID, THREECX_CLIENT_SECRET to
  use a real 3CX instead of the simulator; SIM_3CX_PORT for the simulator's port.`;

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
	console.log(HELP);
	process.exit(0);
}

const t0 = Date.now();
const secs = (t = t0) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
let stepNo = 0;
const STEPS = 6;
const step = (text) => console.log(`[start] ${++stepNo}/${STEPS} ${text}`);
const info = (text) => console.log(`[start]     ${text}`);

const state = { sim: null, n8n: null, server: null, userFolder: null, packDir: null, stopping: false, installChild: null, callTimer: null };

async function shutdown(code, why) {
	if (state.stopping) return;
	state.stopping = true;
	if (why) console.log(`[start] ${why}: stopping n8n${state.sim ? ' and the simulated 3CX' : ''} …`);
	if (state.installChild && state.installChild.exitCode === null) state.installChild.kill('SIGTERM');
	if (state.callTimer) clearInterval(state.callTimer);
	if (state.n8n) await state.n8n.stopAll();
	if (state.sim) await state.sim.stop();
	for (const dir of [state.packDir, argv.includes('--keep') ? null : state.userFolder]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
	if (state.userFolder && argv.includes('--keep')) console.log(`[start] kept the n8n user folder ${state.userFolder}`);
	console.log('[start] stopped; nothing left running');
	process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => shutdown(0, sig));
process.on('exit', () => {
	if (state.n8n) state.n8n.killAll();
});

/** The name of the credential's Base URL field (`baseUrl` today), read from the built credential and its parents. */
function credentialFields() {
	const file = path.join(REPO, 'dist', 'credentials', 'ThreeCxOAuth2Api.credentials.js');
	const mod = require(file);
	const Cred = Object.values(mod).find((v) => typeof v === 'function');
	const cred = new Cred();
	// with the fields of its parents in this package (the Base URL comes from ThreeCxServerApi)
	const dir = path.dirname(file);
	const parents = fs.readdirSync(dir).filter((f) => f.endsWith('.credentials.js')).flatMap((f) => Object.values(require(path.join(dir, f))).filter((v) => typeof v === 'function').map((C) => new C())).filter((c) => (cred.extends || []).includes(c.name));
	const props = [...parents.flatMap((c) => c.properties || []), ...(cred.properties || [])];
	const base = props.find((p) => /base url|server url/i.test(p.displayName || '')) || props.find((p) => p.name === 'serverUrl');
	return { type: cred.name, baseUrlField: base ? base.name : 'serverUrl', hasGrantType: props.some((p) => p.name === 'grantType') };
}

/** The 3CX Trigger node in the built package, if there is one: its type name and the "missed call" event parameter. */
function triggerNode(packageJson) {
	const rel = ((packageJson.n8n && packageJson.n8n.nodes) || []).find((n) => /Trigger\.node\.js$/.test(n));
	if (!rel || !fs.existsSync(path.join(REPO, rel))) return null;
	const mod = require(path.join(REPO, rel));
	const Node = Object.values(mod).find((v) => typeof v === 'function');
	const description = new Node().description;
	const eventProp = (description.properties || []).find((p) => p.type === 'options' && (p.options || []).some((o) => /missed/i.test(String(o.value))));
	if (!eventProp) return null;
	const missed = eventProp.options.find((o) => /missed/i.test(String(o.value)));
	const version = Array.isArray(description.version) ? Math.max(...description.version) : description.version || 1;
	return { type: `${packageJson.name}.${description.name}`, version, parameter: eventProp.name, value: missed.value };
}

function workflows(nodeVersion, credential, trigger, live) {
	const cred = { [credential.type]: { id: credential.id, name: credential.name } };
	/** @type {any[]} */
	const list = [
		{
			id: 'start3cxListUsr1',
			name: '3CX: list users',
			active: false,
			nodes: [
				{ id: '6f0c1a52-0000-4000-8000-000000000001', name: 'When clicking ‘Execute workflow’', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: '6f0c1a52-0000-4000-8000-000000000002',
					name: '3CX',
					type: 'n8n-nodes-3cx.threeCx',
					typeVersion: nodeVersion,
					position: [260, 0],
					parameters: { resource: 'users', operation: 'listUser', returnAll: true },
					credentials: cred,
				},
			],
			connections: { 'When clicking ‘Execute workflow’': { main: [[{ node: '3CX', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
			pinData: {},
		},
	];
	if (live) {
		// issue 18: the live-call trigger, reacting while the call rings (inactive until you activate it)
		list.push({
			id: 'start3cxRinging1',
			name: '3CX: ringing call (live)',
			active: false,
			nodes: [
				{ id: '6f0c1a52-0000-4000-8000-000000000021', name: '3CX Live Call Trigger', type: live.type, typeVersion: 1, position: [0, 0], parameters: { events: ['callRinging'], dns: [], direction: 'inbound' }, credentials: cred },
				{ id: '6f0c1a52-0000-4000-8000-000000000022', name: 'Look up the caller', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [260, 0], parameters: {} },
			],
			connections: { '3CX Live Call Trigger': { main: [[{ node: 'Look up the caller', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
			pinData: {},
		});
	}
	if (trigger) {
		list.push({
			id: 'start3cxMissed01',
			name: '3CX: missed calls',
			active: false,
			nodes: [
				{
					id: '6f0c1a52-0000-4000-8000-000000000011',
					name: '3CX Trigger',
					type: trigger.type,
					typeVersion: trigger.version,
					position: [0, 0],
					parameters: { [trigger.parameter]: trigger.value },
					credentials: cred,
				},
				{ id: '6f0c1a52-0000-4000-8000-000000000012', name: 'Handle missed call', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [260, 0], parameters: {} },
			],
			connections: { '3CX Trigger': { main: [[{ node: 'Handle missed call', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
			pinData: {},
		});
	}
	return list;
}

async function main() {
	const n8nPort = Number(process.env.N8N_PORT || 5678);
	if (!Number.isInteger(n8nPort) || n8nPort <= 0 || n8nPort > 65535) throw new Error(`N8N_PORT=${process.env.N8N_PORT} is not a port number`);
	if (await inst.portInUse(n8nPort)) throw new Error(`port ${n8nPort} is in use on 127.0.0.1: stop what listens there or set N8N_PORT`);
	const real = ['THREECX_URL', 'THREECX_CLIENT_ID', 'THREECX_CLIENT_SECRET'].filter((k) => process.env[k]);
	if (real.length && real.length < 3) throw new Error(`set all of THREECX_URL, THREECX_CLIENT_ID and THREECX_CLIENT_SECRET (missing: ${['THREECX_URL', 'THREECX_CLIENT_ID', 'THREECX_CLIENT_SECRET'].filter((k) => !process.env[k]).join(', ')})`);

	// ---------------------------------------------------------------- 1. Node 24 + n8n
	let t = Date.now();
	step(`Node 24 and n8n (cached in ${inst.CACHE}; the first time this takes several minutes)`);
	const env = await inst.ensureN8nAsync({ onLine: (l) => info(l), onChild: (c) => (state.installChild = c) });
	state.installChild = null;
	info(`n8n ${env.E2E_N8N_VERSION} on Node 24 ready (${secs(t)})`);

	// ---------------------------------------------------------------- 2. build, pack, install
	t = Date.now();
	if (!argv.includes('--no-build')) {
		step('npm run build');
		const r = inst.buildPackage({ repo: REPO });
		if (r.status !== 0) {
			console.error(`${r.stdout}\n${r.stderr}`.slice(-4000));
			throw new Error('npm run build failed');
		}
		info(`built (${secs(t)})`);
	} else step('build skipped (--no-build): using dist/ as it is');
	t = Date.now();
	step('npm pack, install into a new n8n user folder as n8n installs community packages');
	state.packDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'n8n-3cx-start-pack-'));
	const pack = inst.packPackage(REPO, state.packDir);
	state.userFolder = inst.makeUserFolder('n8n-3cx-start-');
	const installed = inst.installPackage(pack.tarball, state.userFolder);
	fs.rmSync(state.packDir, { recursive: true, force: true });
	state.packDir = null;
	info(`${pack.info.filename} installed into ${installed.pkgDir} (${secs(t)})`);

	// ---------------------------------------------------------------- 3. the 3CX
	t = Date.now();
	let pbx;
	if (real.length === 3) {
		step(`3CX: using the PBX at ${process.env.THREECX_URL} (THREECX_URL); no simulator`);
		pbx = { url: process.env.THREECX_URL, clientId: process.env.THREECX_CLIENT_ID, clientSecret: process.env.THREECX_CLIENT_SECRET, simulated: false };
	} else {
		step('the simulated 3CX with demo data');
		const { createSimulator } = require('../simulator');
		state.sim = createSimulator({ port: Number(process.env.SIM_3CX_PORT || 0), clientId: SIM_CLIENT.id, clientSecret: SIM_CLIENT.secret });
		await state.sim.start();
		pbx = { url: state.sim.baseUrl, clientId: SIM_CLIENT.id, clientSecret: SIM_CLIENT.secret, simulated: true };
		const sets = [...state.sim.store.sets.entries()].map(([k, v]) => `${v.length} ${k}`).join(', ');
		info(`listening on ${pbx.url} (${sets}) (${secs(t)})`);
	}

	// ---------------------------------------------------------------- 4. n8n start + owner
	t = Date.now();
	step(`n8n start on 127.0.0.1:${n8nPort}`);
	state.n8n = inst.createN8n({ env, userFolder: state.userFolder, brokerPort: await inst.freePort() });
	const logFile = path.join(state.userFolder, 'n8n.log');
	const log = fs.createWriteStream(logFile);
	state.server = await state.n8n.start({ port: n8nPort, log });
	if (!state.server.ok) {
		console.error(fs.readFileSync(logFile, 'utf8').slice(-3000));
		throw new Error(`n8n did not start: ${state.server.reason}`);
	}
	state.server.child.once('exit', (code, signal) => {
		if (!state.stopping) shutdown(1, `n8n exited on its own (${code ?? signal}), see ${logFile}`);
	});
	await inst.setupOwner(state.server.url, OWNER);
	info(`ready, owner ${OWNER.email} (${secs(t)}); n8n log: ${logFile}`);

	// ---------------------------------------------------------------- 5. credential + workflows
	t = Date.now();
	step('3CX credential and sample workflows');
	const fields = credentialFields();
	const credential = { id: CREDENTIAL_ID, type: fields.type, name: pbx.simulated ? '3CX (simulated PBX)' : '3CX' };
	const data = { [fields.baseUrlField]: pbx.url, clientId: pbx.clientId, clientSecret: pbx.clientSecret, ignoreSSLIssues: false };
	if (fields.hasGrantType) data.grantType = 'clientCredentials';
	const nodeVersion = (() => {
		const mod = require(path.join(REPO, 'dist', 'nodes', 'ThreeCx', 'ThreeCx.node.js'));
		const Node = Object.values(mod).find((v) => typeof v === 'function');
		const v = new Node().description.version;
		return Array.isArray(v) ? Math.max(...v) : v || 1;
	})();
	const trigger = triggerNode(installed.packageJson);
	// issue 18: the live-call trigger, when this build has it
	const live = ((installed.packageJson.n8n && installed.packageJson.n8n.nodes) || []).some((n) => /ThreeCxLiveCallTrigger/.test(n))
		? { type: `${installed.packageJson.name}.threeCxLiveCallTrigger` }
		: undefined;
	let flows;
	let how;
	try {
		const cookie = await inst.ownerSession(state.server.url, OWNER);
		const post = async (p, body) => {
			const r = await fetch(`${state.server.url}${p}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
			const text = await r.text();
			if (!r.ok) throw new Error(`POST ${p}: ${r.status} ${text.slice(0, 300)}`);
			return JSON.parse(text).data;
		};
		const created = await post('/rest/credentials', { name: credential.name, type: credential.type, data });
		credential.id = created.id;
		flows = workflows(nodeVersion, credential, trigger, live);
		for (const { active, ...w } of flows) await post('/rest/workflows', w);
		how = "n8n's REST API";
	} catch (e) {
		info(`REST API: ${e.message}; importing with n8n's CLI instead`);
		credential.id = CREDENTIAL_ID;
		await state.n8n.importCredentials([{ id: CREDENTIAL_ID, name: credential.name, type: credential.type, data }]);
		flows = workflows(nodeVersion, credential, trigger, live);
		await state.n8n.importWorkflows(flows);
		how = "n8n's CLI";
	}
	// issue 19: the 3CX CRM Trigger (lookup + journal) against the simulator's CRM engine
	const crm = await require('./start-crm')
		.setupCrm({ n8nUrl: state.server.url, cookie: await inst.ownerSession(state.server.url, OWNER), sim: state.sim, info })
		.catch((e) => info(`3CX CRM workflow not set up: ${e.message}`));
	if (crm) flows.push({ name: crm.name });
	info(`credential "${credential.name}", workflows: ${flows.map((w) => `"${w.name}"`).join(', ')}${trigger ? '' : ' (no 3CX Trigger node in this build: no missed-call workflow)'}, via ${how} (${secs(t)})`);

	const every = Number(process.env.SIM_3CX_CALL_EVERY ?? 120);
	if (state.sim && every > 0) {
		// calls as live V20 servers log them (simulator/call-log.js): answered through the queue,
		// abandoned in the queue, unanswered at an extension, sent to voicemail
		const scenarios = ['queueAbandoned', 'queueAnswered', 'unanswered', 'queueAnswered', 'voicemail', 'transfer'];
		let n = 0;
		state.callTimer = setInterval(() => {
			state.sim.placeCall(scenarios[n % scenarios.length]);
			n += 1;
			// issue 18: and the same call live on the Call Control API (ringing, answered or not, ended)
			if (state.sim.callControl) state.sim.callControl.placeCall({ scenario: n % 2 === 0 ? 'queue' : 'unanswered', ringMs: 6000, talkMs: 10000 });
		}, every * 1000);
		state.callTimer.unref();
	}

	console.log('');
	console.log(`  n8n editor:   ${state.server.url}`);
	console.log(`  owner login:  ${OWNER.email} / ${OWNER.password}`);
	console.log(`  3CX:          ${pbx.url}${pbx.simulated ? ` (simulated; API client ${pbx.clientId} / ${pbx.clientSecret})` : ''}`);
	if (pbx.simulated && every > 0) console.log(`  live calls:   a new inbound call every ${every} s, every other one missed (SIM_3CX_CALL_EVERY)`);
	if (pbx.simulated) console.log(`  add records:  curl -X POST ${pbx.url}/__sim/records/CallHistoryView -H 'content-type: application/json' -d '{…}'`);
	console.log(`  workflows:    ${flows.map((w) => w.name).join(', ')}`);
	if (crm && pbx.simulated) console.log(`  CRM calls:    curl -X POST ${pbx.url}/__sim/crm/calls -H 'content-type: application/json' -d '{"number":"+4930111","direction":"Inbound","answered":true}'`);
	console.log(`  ready in ${secs()}; Ctrl-C stops everything`);
	console.log(`[start] n8n pid ${state.server.child.pid}, user folder ${state.userFolder}`);
}

main().catch((e) => {
	console.error(`[start] FAILED: ${e && e.message ? e.message : e}`);
	shutdown(1);
});
