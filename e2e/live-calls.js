#!/usr/bin/env node
'use strict';
/**
 * `npm run test:live`: the 3CX Live Call Trigger and the Call Control resource in a real
 * `n8n start` (n8n 2.41.1 on Node 24, from e2e/install-n8n.sh's cache), with the packed package
 * installed the way n8n installs community packages, against the one simulator (simulator/).
 *
 *   workflow (ACTIVATED through n8n's REST API, as the editor's Activate does):
 *     3CX Live Call Trigger (Call Ringing, DN 100) -> 3CX (Call Control: Drop, DN 100,
 *     participant {{ $json.participantId }})
 *   the simulator places CALLS calls that ring at 100 (for up to 30 s each, a few ms apart)
 *
 * Checked: exactly one socket (for the one active workflow) and one token; each call runs the
 * workflow once (n8n's executions, all successful) and the simulator sees exactly one Drop per call;
 * deactivating closes the socket. Printed: time from the simulator's WebSocket message to the
 * execution's start (n8n's startedAt) and to the Drop request, p50/p99 (what `npm run bench` shows).
 *
 *   CALLS=200 node e2e/live-calls.js    more calls (default 20)
 *   --json                              the figures as one JSON line on stdout (for scripts/bench.js)
 */
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');

const inst = require('./n8n-instance');
const { createXapiServer } = require('../simulator');

const CALLS = Number(process.env.CALLS || 20);
const WORKFLOW_ID = 'e2eLiveCalls0001';
const { liveWorkflow } = require('./live-queue');
const CREDENTIAL = { id: 'e2eCredLive00001', name: '3CX (simulator, live calls)' };
const asJson = process.argv.includes('--json');
const log = (line) => (asJson ? process.stderr : process.stdout).write(`[live] ${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(cond, timeoutMs, stepMs = 250) {
	const end = Date.now() + timeoutMs;
	while (Date.now() < end) {
		const value = await cond();
		if (value) return value;
		await sleep(stepMs);
	}
	return undefined;
}

function percentile(values, p) {
	if (!values.length) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function workflow() {
	return liveWorkflow('threeCxOAuth2Api', CREDENTIAL, { id: WORKFLOW_ID, name: 'e2e live calls: Call Ringing -> Drop' });
}

async function main() {
	const t0 = Date.now();
	const failures = [];
	const sim = createXapiServer();
	await sim.start();
	sim.callControl.options.stepMs = 200;
	let server;
	let instance;
	const userFolder = inst.makeUserFolder('n8n-3cx-live-');
	try {
		const env = inst.ensureN8n({ onLine: (line) => log(line) });
		const build = inst.buildPackage();
		if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr.slice(-2000)}`);
		const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-3cx-live-pack-'));
		const pack = inst.packPackage(inst.REPO, packDir);
		inst.installPackage(pack.tarball, userFolder);
		instance = inst.createN8n({ env, userFolder, brokerPort: await inst.freePort() });
		await instance.importCredentials([
			{
				...CREDENTIAL,
				type: 'threeCxOAuth2Api',
				data: { baseUrl: sim.baseUrl, clientId: sim.options.clientId, clientSecret: sim.options.clientSecret, ignoreSSLIssues: false },
			},
		]);
		await instance.importWorkflows([workflow()]);
		const logFile = path.join(userFolder, 'n8n.log');
		server = await instance.start({ log: fs.createWriteStream(logFile) });
		if (!server.ok) throw new Error(`n8n did not start: ${server.reason}`);
		log(`n8n ${env.E2E_N8N_VERSION} started in ${(server.ms / 1000).toFixed(1)} s at ${server.url}`);
		const cookie = await inst.ownerSession(server.url);
		const rest = async (method, p, body) => {
			const r = await fetch(`${server.url}/rest${p}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
			const text = await r.text();
			if (!r.ok) throw new Error(`${method} /rest${p} answered ${r.status}: ${text.slice(0, 300)}`);
			const json = text ? JSON.parse(text) : {};
			return json.data !== undefined ? json.data : json;
		};
		const wf = await rest('GET', `/workflows/${WORKFLOW_ID}`);
		await rest('POST', `/workflows/${WORKFLOW_ID}/activate`, { versionId: wf.versionId });
		const socket = await waitFor(() => sim.callControl.clients.size >= 1, 60_000);
		if (!socket) throw new Error('the activated workflow opened no Call Control socket within 60 s');
		log(`activated: ${sim.callControl.clients.size} socket(s), ${sim.tokensIssued} token(s)`);

		// the calls: each rings at 100 until the workflow drops it (or 30 s pass)
		const placed = [];
		for (let i = 0; i < CALLS; i++) {
			// rings until the workflow drops it (10 minutes at most): a busy n8n is slow, not wrong
			const call = sim.callControl.placeCall({ scenario: 'unanswered', to: '100', from: `+49301000${String(i).padStart(3, '0')}`, ringMs: 600_000 });
			placed.push({ ...call, participant: call.participants[0], at: Date.now() });
			await sleep(CALLS > 50 ? 500 : 300);
		}
		const drops = () => sim.callControl.actions.filter((a) => /\/participants\/\d+\/drop$/.test(a.path));
		await waitFor(() => drops().length >= CALLS, 300_000);
		await sleep(1500);
		const dropCounts = new Map();
		for (const a of drops()) {
			const id = Number(/participants\/(\d+)\/drop$/.exec(a.path)[1]);
			dropCounts.set(id, (dropCounts.get(id) || 0) + 1);
		}
		for (const call of placed) {
			const n = dropCounts.get(call.participant) || 0;
			if (n !== 1) failures.push(`call ${call.callid} (participant ${call.participant}) was dropped ${n} times, expected once`);
		}
		if (drops().some((a) => a.status !== 200)) failures.push(`a Drop failed: ${drops().filter((a) => a.status !== 200).map((a) => a.status).join(',')}`);
		// n8n lists at most 100 executions per request: page with its cursor (nextCursor -> cursor)
		const allExecutions = async () => {
			const all = [];
			let cursor;
			for (let page = 0; page < 50; page++) {
				const list = await rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW_ID }))}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
				all.push(...((list && (list.results || list)) || []));
				cursor = list && list.nextCursor;
				if (!cursor) break;
			}
			return all;
		};
		const executions = await waitFor(async () => {
			const results = await allExecutions();
			return results.length >= CALLS && results.every((e) => e.status !== 'running' && e.status !== 'new') ? results : undefined;
		}, 120_000);
		const runs = executions || [];
		if (runs.length !== CALLS) failures.push(`${runs.length} executions for ${CALLS} calls`);
		const bad = runs.filter((e) => e.status !== 'success');
		if (bad.length) failures.push(`${bad.length} execution(s) did not succeed: ${bad.map((e) => e.status).join(', ')}`);
		if (sim.callControl.clients.size !== 1) failures.push(`${sim.callControl.clients.size} sockets for one active workflow`);
		if (sim.tokensIssued !== 1) failures.push(`${sim.tokensIssued} tokens issued, expected 1 (trigger and action node share the credential's token)`);

		// latency: the Ringing message (first upsert of the participant) -> execution start / Drop request
		const ringingAt = new Map();
		for (const m of sim.callControl.sent) {
			const id = Number(/participants\/(\d+)$/.exec(m.event.entity)?.[1]);
			if (m.event.event_type === 0 && !ringingAt.has(id)) ringingAt.set(id, m.at);
		}
		const toDrop = drops().map((a) => a.at - ringingAt.get(Number(/participants\/(\d+)\/drop$/.exec(a.path)[1]))).filter(Number.isFinite);
		const starts = runs.map((e) => Date.parse(e.startedAt)).filter(Number.isFinite).sort((a, b) => a - b);
		const rings = placed.map((c) => ringingAt.get(c.participant)).filter(Number.isFinite).sort((a, b) => a - b);
		const toStart = starts.length === rings.length ? starts.map((s, i) => s - rings[i]) : [];

		await rest('POST', `/workflows/${WORKFLOW_ID}/deactivate`, {});
		const closed = await waitFor(() => sim.callControl.clients.size === 0, 20_000);
		if (!closed) failures.push('the socket stayed open after the workflow was deactivated');

		const figures = {
			calls: CALLS,
			executions: runs.length,
			sockets: 1,
			tokens: sim.tokensIssued,
			messageToExecutionStartMs: { p50: percentile(toStart, 50), p99: percentile(toStart, 99) },
			messageToDropRequestMs: { p50: percentile(toDrop, 50), p99: percentile(toDrop, 99) },
			seconds: Math.round((Date.now() - t0) / 100) / 10,
		};
		log(
			`${CALLS} calls -> ${runs.length} executions, ${drops().length} Drop requests; WS message -> execution start p50 ${figures.messageToExecutionStartMs.p50} ms, ` +
				`p99 ${figures.messageToExecutionStartMs.p99} ms; -> Drop request p50 ${figures.messageToDropRequestMs.p50} ms, p99 ${figures.messageToDropRequestMs.p99} ms`,
		);
		if (asJson) process.stdout.write(`${JSON.stringify({ ok: failures.length === 0, failures, figures })}\n`);
	} catch (error) {
		failures.push(String(error && error.stack ? error.stack : error));
	} finally {
		if (server) await server.stop();
		if (instance) await instance.stopAll();
		await sim.stop();
		if (!process.env.E2E_KEEP) fs.rmSync(userFolder, { recursive: true, force: true });
	}
	for (const f of failures) log(`FAIL ${f}`);
	log(failures.length ? `FAILED (${failures.length})` : `ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
	process.exitCode = failures.length ? 1 : 0;
}

main();
