#!/usr/bin/env node
'use strict';
/**
 * End to end (issue 19): the 3CX CRM Trigger in a real `n8n start` (n8n 2.41.1, Node 24, the
 * packed package installed as n8n installs community packages), with the simulator's CRM engine
 * playing 3CX.
 *
 * One ACTIVATED workflow (3CX uploads one template, so lookups and the journal share it):
 *   3CX CRM Trigger (Contact Lookup + Call Journal)
 *     -> If event is callJournal -> HTTP Request: POST the journal item to this script's collector
 *     -> else Code "Find Contact": {contacts: [...]} from a small table (the last node: n8n answers it)
 * Steps:
 *   1. the template is fetched from the trigger's own URL with the secret (GET), 401 without;
 *   2. the simulator (POST /__sim/crm/template) loads it and places calls (POST /__sim/crm/calls):
 *      inbound answered, missed, outbound, not answered, a number with two contacts, an unknown one,
 *      one that makes the workflow fail; the contact it would display is the one the workflow
 *      returned, none for the unknown and the failing numbers;
 *   3. one journal execution per call, with the right fields;
 *   4. requests without the secret: 401 and no execution.
 * With --bench: 200 lookups through n8n, p50/p99, next to n8n's own Webhook node answering the
 * same Code node (same process), printed (scripts/bench-crm.js).
 *
 *   node e2e/crm.js [--no-build] [--bench] [--lookups 200]
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const inst = require('./n8n-instance');

const argv = process.argv.slice(2);
const flag = (n) => argv.includes(n);
const opt = (n, d) => {
	const i = argv.indexOf(n);
	return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : d;
};

const SECRET = crypto.randomBytes(24).toString('base64url');
const CREDENTIAL_ID = 'e2eCrmCred00001';
const WORKFLOW_ID = 'e2eCrmWorkflow01';
const BASELINE_ID = 'e2eCrmBaseline01';
const WEBHOOK_ID = 'e2e-3cx-crm';
const BASELINE_PATH = 'e2e-crm-baseline';
const BASELINE_AUTH_ID = 'e2eCrmBaseAuth01';
const BASELINE_AUTH_PATH = 'e2e-crm-baseline-basic-auth';
const BASIC_CREDENTIAL_ID = 'e2eCrmBasicCr01';

/** The CRM the workflow searches (the Code node). */
const CONTACTS = [
	{ id: 'c-1', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines', email: 'ada@example.com', phoneBusiness: '+4930111', url: 'https://crm.example/c-1' },
	{ id: 'c-2', firstName: 'Grace', lastName: 'Hopper', company: 'Navy', phoneMobile: '+4930222', url: 'https://crm.example/c-2' },
	{ id: 'c-3', firstName: 'Alan', lastName: 'Turing', company: 'Bletchley', phoneBusiness: '+4930333', url: 'https://crm.example/c-3' },
	{ id: 'c-4', firstName: 'Joan', lastName: 'Clarke', company: 'Bletchley', phoneBusiness: '+4930333', url: 'https://crm.example/c-4' },
];
const FAILING_NUMBER = '+4930666';

const FIND_CONTACT_CODE = `const table = ${JSON.stringify(CONTACTS)};
const number = $input.first().json.number || $input.first().json.body?.number;
if (number === ${JSON.stringify(FAILING_NUMBER)}) throw new Error('the CRM is down');
return [{ json: { contacts: table.filter((c) => c.phoneBusiness === number || c.phoneMobile === number) } }];`;

function ifNode(position, leftValue) {
	return {
		id: crypto.randomUUID(),
		name: 'Is Journal',
		type: 'n8n-nodes-base.if',
		typeVersion: 2.2,
		position,
		parameters: {
			conditions: {
				options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
				conditions: [{ id: crypto.randomUUID(), leftValue, rightValue: 'callJournal', operator: { type: 'string', operation: 'equals' } }],
				combinator: 'and',
			},
			options: {},
		},
	};
}

function codeNode(name, position) {
	return { id: crypto.randomUUID(), name, type: 'n8n-nodes-base.code', typeVersion: 2, position, parameters: { jsCode: FIND_CONTACT_CODE } };
}

/** The lookup + journal workflow; without a collector URL the journal branch ends in a No Op (npm start). */
function crmWorkflow(collectorUrl, credential = { id: CREDENTIAL_ID, name: '3CX CRM (e2e)' }) {
	return {
		id: WORKFLOW_ID,
		name: 'e2e: 3CX CRM (lookup + journal)',
		active: false,
		nodes: [
			{
				id: crypto.randomUUID(),
				name: '3CX CRM Trigger',
				type: 'n8n-nodes-3cx.threeCxCrmTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: WEBHOOK_ID,
				parameters: { events: ['lookup', 'callJournal'], respond: 'lastNode', options: { templateName: 'n8n e2e' } },
				credentials: { threeCxCrmApi: credential },
			},
			ifNode([220, 0], '={{ $json.event }}'),
			collectorUrl
				? {
						id: crypto.randomUUID(),
						name: 'Log Call',
						type: 'n8n-nodes-base.httpRequest',
						typeVersion: 4.2,
						position: [440, -100],
						parameters: { method: 'POST', url: collectorUrl, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify($json) }}', options: {} },
					}
				: { id: crypto.randomUUID(), name: 'Log Call', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [440, -100], parameters: {} },
			codeNode('Find Contact', [440, 100]),
		],
		connections: {
			'3CX CRM Trigger': { main: [[{ node: 'Is Journal', type: 'main', index: 0 }]] },
			'Is Journal': { main: [[{ node: 'Log Call', type: 'main', index: 0 }], [{ node: 'Find Contact', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** n8n's own Webhook node in the same shape (If -> Code answers): the baseline for the bench. */
function baselineWorkflow(basicAuth = false) {
	return {
		id: basicAuth ? BASELINE_AUTH_ID : BASELINE_ID,
		name: basicAuth ? 'e2e: Webhook (Basic Auth) -> If -> Code (baseline)' : 'e2e: Webhook -> If -> Code (baseline)',
		active: false,
		nodes: [
			basicAuth
				? inst.webhookNode(BASELINE_AUTH_PATH, {
						extra: { authentication: 'basicAuth' },
						credentials: { httpBasicAuth: { id: BASIC_CREDENTIAL_ID, name: 'Basic (e2e)' } },
					})
				: inst.webhookNode(BASELINE_PATH),
			ifNode([220, 0], '={{ $json.body.event }}'),
			{ id: crypto.randomUUID(), name: 'Log Call', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [440, -100], parameters: {} },
			codeNode('Find Contact', [440, 100]),
		],
		connections: {
			Webhook: { main: [[{ node: 'Is Journal', type: 'main', index: 0 }]] },
			'Is Journal': { main: [[{ node: 'Log Call', type: 'main', index: 0 }], [{ node: 'Find Contact', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

async function startCollector() {
	const received = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			try {
				received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
			} catch {
				received.push({ unreadable: true });
			}
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{}');
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
	const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
	return { url: `http://127.0.0.1:${port}/journal`, received, close: () => new Promise((r) => server.close(r)) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const basic = (user, pass) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function waitFor(what, check, timeoutMs = 60000) {
	const t = Date.now();
	for (;;) {
		if (await check().catch(() => false)) return;
		if (Date.now() - t > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await sleep(250);
	}
}

/**
 * Runs the end-to-end test (and the bench when asked). Returns { ok, failures, figures }.
 * @param {{ build?: boolean, bench?: boolean, lookups?: number, log?: (line: string) => void }} options
 */
async function runCrm(options = {}) {
	const log = options.log || ((l) => console.log(`[crm] ${l}`));
	const failures = [];
	const check = (ok, message) => {
		if (!ok) failures.push(message);
	};
	const env = inst.ensureN8n({ onLine: () => {} });
	if (options.build !== false) inst.buildPackage();
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-3cx-crm-'));
	const tarball = inst.packPackage(inst.REPO, tmp).tarball;
	const userFolder = inst.makeUserFolder('n8n-3cx-crm-');
	inst.installPackage(tarball, userFolder);
	const collector = await startCollector();
	const { createXapiServer } = require('../simulator');
	const sim = createXapiServer({});
	await sim.start();
	const n8n = inst.createN8n({ env, userFolder, brokerPort: await inst.freePort() });
	let server;
	const figures = {};
	try {
		await n8n.importCredentials([
			{ id: CREDENTIAL_ID, name: '3CX CRM (e2e)', type: 'threeCxCrmApi', data: { secret: SECRET } },
			{ id: BASIC_CREDENTIAL_ID, name: 'Basic (e2e)', type: 'httpBasicAuth', data: { user: 'n8n', password: SECRET } },
		]);
		await n8n.importWorkflows([crmWorkflow(collector.url), baselineWorkflow(), baselineWorkflow(true)]);
		for (const id of [WORKFLOW_ID, BASELINE_ID, BASELINE_AUTH_ID]) {
			const r = await n8n.cli(['publish:workflow', `--id=${id}`]);
			if (r.status !== 0) throw new Error(`n8n publish:workflow --id=${id} failed: ${(r.stdout || '').slice(-800)}${(r.stderr || '').slice(-800)}`);
		}
		server = await n8n.start({});
		if (!server.ok) throw new Error(`n8n did not start: ${server.reason}`);
		const url = `${server.url}/webhook/${WEBHOOK_ID}/crm`;
		await waitFor('the production webhook of the activated workflow', async () => (await fetch(url)).status === 401);
		const cookie = await inst.ownerSession(server.url);
		const executions = async () => {
			const r = await fetch(`${server.url}/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW_ID }))}&limit=100`, { headers: { cookie } });
			const body = await r.json();
			const list = body.data && Array.isArray(body.data.results) ? body.data.results : Array.isArray(body.data) ? body.data : undefined;
			if (!list) throw new Error(`GET /rest/executions: ${r.status} ${JSON.stringify(body).slice(0, 300)}`);
			return list;
		};
		log(`n8n ${env.E2E_N8N_VERSION} on ${server.url}, workflow activated; webhook ${url}`);

		// 1. the template from the trigger's own URL
		const noSecret = await fetch(url);
		check(noSecret.status === 401 && noSecret.headers.get('www-authenticate') === 'Basic realm="3CX CRM"', `GET without the secret: ${noSecret.status}`);
		const tRes = await fetch(url, { headers: { authorization: basic('n8n', SECRET) } });
		const xml = await tRes.text();
		check(tRes.status === 200 && xml.includes(`Url="${url}"`), `GET with the secret: ${tRes.status}, the template ${xml.includes(url) ? 'has' : 'lacks'} the webhook URL`);

		// 2. the simulator's engine loads it and places calls
		const control = async (sub, body) => {
			const r = await fetch(`${sim.baseUrl}/__sim/crm/${sub}`, { method: 'POST', headers: { 'content-type': typeof body === 'string' ? 'application/xml' : 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
			const j = await r.json();
			if (!r.ok) throw new Error(`/__sim/crm/${sub}: ${r.status} ${JSON.stringify(j)}`);
			return j;
		};
		const loaded = await control('template', xml);
		check(JSON.stringify(loaded.scenarios) === JSON.stringify(['', 'ReportCall']), `scenarios ${JSON.stringify(loaded.scenarios)}`);
		const times = { start: '2026-12-07T08:00:00Z', established: '2026-12-07T08:00:15Z', end: '2026-12-07T08:05:15Z' };
		const calls = [
			{ call: { number: '+4930111', direction: 'Inbound', answered: true, agent: '101', agentFirstName: 'Kim', agentLastName: 'Lee', agentEmail: 'kim@example.com', queueExtension: '800', recordingUrl: 'https://pbx.example/rec/1.wav', ...times }, shows: ['c-1'], callType: 'inbound' },
			{ call: { number: '+4930222', direction: 'Inbound', answered: false, agent: '102', ...times }, shows: ['c-2'], callType: 'missed' },
			{ call: { number: '+4930111', direction: 'Outbound', answered: true, agent: '101', ...times }, shows: ['c-1'], callType: 'outbound' },
			{ call: { number: '+4930999', direction: 'Outbound', answered: false, agent: '103', ...times }, shows: [], callType: 'notAnswered' },
			{ call: { number: '+4930333', direction: 'Inbound', answered: true, agent: '101', ...times }, shows: ['c-3', 'c-4'], callType: 'inbound' },
			{ call: { number: FAILING_NUMBER, direction: 'Inbound', answered: true, agent: '101', ...times }, shows: [], callType: 'inbound' },
		];
		for (const c of calls) {
			const started = Date.now();
			const rec = await control('calls', c.call);
			const shown = (rec.contacts || []).map((x) => x.ContactID);
			check(JSON.stringify(shown) === JSON.stringify(c.shows), `${c.call.number}: 3CX would show ${JSON.stringify(shown)}, the workflow has ${JSON.stringify(c.shows)}`);
			if (c.shows.length) {
				const want = CONTACTS.find((x) => x.id === c.shows[0]);
				check(rec.displayed && rec.displayed.FirstName === want.firstName && rec.displayed.LastName === want.lastName && rec.displayed.ContactUrl === want.url, `${c.call.number}: displayed ${JSON.stringify(rec.displayed)}`);
			}
			if (c.call.number === FAILING_NUMBER) check(rec.lookup[0].response.status === 500 && Date.now() - started < 5000, `failing workflow: status ${rec.lookup[0].response.status}`);
			check(rec.journal.length === 1 && rec.journal[0].response && rec.journal[0].response.status === 200, `${c.call.number}: journal answered ${rec.journal[0] && rec.journal[0].response && rec.journal[0].response.status}`);
		}

		// 3. one journal execution per call, with the right fields
		await waitFor('the journal items at the collector', async () => collector.received.length >= calls.length, 30000).catch(() => {});
		check(collector.received.length === calls.length, `${collector.received.length} journal items for ${calls.length} calls`);
		const byOrder = collector.received;
		calls.forEach((c, i) => {
			const j = byOrder[i] || {};
			const contactId = c.shows[0] || null;
			const ok =
				j.event === 'callJournal' &&
				j.callType === c.callType &&
				j.number === c.call.number &&
				j.contactId === contactId &&
				j.agentNumber === c.call.agent &&
				j.startedAt === '2026-12-07T08:00:00.000Z' &&
				j.endedAt === '2026-12-07T08:05:15.000Z' &&
				j.answeredAt === (c.call.answered ? '2026-12-07T08:00:15.000Z' : null) &&
				j.durationSeconds === (c.call.answered ? 300 : 0);
			check(ok, `journal item ${i + 1}: ${JSON.stringify(j)}`);
		});
		check(byOrder[0] && byOrder[0].agentName === 'Kim Lee' && byOrder[0].agentEmail === 'kim@example.com' && byOrder[0].queue === '800' && byOrder[0].recordingUrl === 'https://pbx.example/rec/1.wav', `journal item 1 agent/queue/recording: ${JSON.stringify(byOrder[0])}`);
		check(byOrder[1] && byOrder[1].recordingUrl === null && byOrder[1].agentEmail === null, `journal item 2: unfilled values must be null: ${JSON.stringify(byOrder[1])}`);

		// 4. no secret, no execution
		await sleep(500);
		const before = (await executions()).length;
		check(before === calls.length * 2, `${before} executions for ${calls.length} calls (a lookup and a journal each): ${JSON.stringify((await executions()).slice(0, 2)).slice(0, 300)}`);
		for (const auth of [undefined, basic('n8n', 'wrong-secret-000000000'), basic('admin', SECRET)]) {
			const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: JSON.stringify({ event: 'lookup', number: '+4930111' }) });
			check(r.status === 401, `POST with ${auth ? 'a wrong' : 'no'} secret: ${r.status}`);
		}
		await sleep(500);
		const after = (await executions()).length;
		check(after === before, `requests without the secret started ${after - before} execution(s)`);
		log(`template, ${calls.length} calls (lookup + journal), 401s: ${failures.length ? `${failures.length} failure(s)` : 'all as expected'}`);

		if (options.bench) {
			const n = options.lookups || 200;
			const engineTimes = [];
			for (let i = 0; i < n; i++) {
				const started = process.hrtime.bigint();
				const r = await control('lookup', { number: '+4930111' });
				engineTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
				if (!r.contacts.length) check(false, `bench lookup ${i}: no contact`);
			}
			// the trigger and n8n's Webhook node alternate, so load on the machine hits both alike
			const once = async (target, body, headers) => {
				const started = process.hrtime.bigint();
				const r = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
				await r.text();
				return Number(process.hrtime.bigint() - started) / 1e6;
			};
			const trig = [];
			const base = [];
			const baseAuth = [];
			for (let i = 0; i < n; i++) {
				trig.push(await once(url, { event: 'lookup', number: '+4930111' }, { authorization: basic('n8n', SECRET) }));
				base.push(await once(`${server.url}/webhook/${BASELINE_PATH}`, { event: 'lookup', number: '+4930111' }, {}));
				baseAuth.push(await once(`${server.url}/webhook/${BASELINE_AUTH_PATH}`, { event: 'lookup', number: '+4930111' }, { authorization: basic('n8n', SECRET) }));
			}
			const stats = (l) => {
				const s = [...l].sort((a, b) => a - b);
				return { p50: pct(s, 50), p99: pct(s, 99) };
			};
			figures.lookups = n;
			figures.trigger = stats(trig);
			figures.baseline = stats(base);
			figures.baselineAuth = stats(baseAuth);
			figures.engine = stats(engineTimes);
		}
	} catch (e) {
		failures.push(e.message);
	} finally {
		if (server) await server.stop();
		await n8n.stopAll();
		await sim.stop();
		await collector.close();
		fs.rmSync(tmp, { recursive: true, force: true });
		fs.rmSync(userFolder, { recursive: true, force: true });
	}
	return { ok: failures.length === 0, failures, figures };
}

module.exports = { runCrm, crmWorkflow, WEBHOOK_ID, CONTACTS };

if (require.main === module) {
	const t = Date.now();
	runCrm({ build: !flag('--no-build'), bench: flag('--bench'), lookups: Number(opt('--lookups', 200)) }).then((r) => {
		for (const f of r.failures) console.log(`[crm] FAIL ${f}`);
		if (r.figures.trigger) {
			const f = r.figures;
			console.log(`[crm] ${f.lookups} lookups through n8n (alternating): 3CX CRM Trigger -> If -> Code -> answer p50 ${f.trigger.p50.toFixed(1)} ms, p99 ${f.trigger.p99.toFixed(1)} ms; n8n's Webhook -> If -> Code p50 ${f.baseline.p50.toFixed(1)} ms, p99 ${f.baseline.p99.toFixed(1)} ms; the same with Basic Auth p50 ${f.baselineAuth.p50.toFixed(1)} ms, p99 ${f.baselineAuth.p99.toFixed(1)} ms; through the simulated 3CX engine p50 ${f.engine.p50.toFixed(1)} ms, p99 ${f.engine.p99.toFixed(1)} ms`);
		}
		console.log(`[crm] ${r.ok ? 'PASS' : 'FAIL'} in ${((Date.now() - t) / 1000).toFixed(0)} s`);
		process.exit(r.ok ? 0 : 1);
	});
}
