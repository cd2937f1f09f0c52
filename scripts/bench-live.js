'use strict';
/**
 * Part of `npm run bench`: the 3CX Live Call Trigger (issue 18).
 *
 *   the node's own cost per event: JSON.parse of 3CX's message + the tracker's change + the filter
 *     + the item (what runs per event besides the GET of the participant), microseconds, next to
 *     JSON.parse alone of the same message (the floor any WebSocket trigger pays)
 *   through n8n-core (test/helpers/live-harness.ts) against the simulator: 10 active workflows on
 *     one credential -> sockets and tokens; simulator's WebSocket message -> emit, p50/p99 over 200
 *     calls (includes the GET of the participant each event needs)
 *   in a real n8n (BENCH_LIVE_N8N=0 skips it): e2e/live-calls.js (CALLS, default 200), which
 *     prints WS message -> execution start and -> the workflow's Drop request, p50/p99, beside the
 *     polling 3CX Trigger's delay on the same calls (n8n's shortest poll interval is one minute and
 *     it sees a call only once it has ended: ring time + up to 60 s, 30 s on average)
 */
const path = require('path');
const { spawnSync } = require('child_process');

const { percentile } = require('./bench-stats');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function ownCost({ row }) {
	const { CallTracker, wanted } = require('../nodes/ThreeCxLiveCallTrigger/calls.ts');
	const N = 20000;
	const messages = [];
	const participants = [];
	for (let i = 0; i < N; i++) {
		messages.push(JSON.stringify({ sequence: i + 1, event: { event_type: 0, entity: `/callcontrol/100/participants/${i}`, attached_data: null } }));
		participants.push(
			JSON.stringify({
				id: i, status: i % 2 ? 'Connected' : 'Ringing', dn: '100', party_caller_name: 'ACME Corp', party_dn: '+4930123456',
				party_caller_id: '+4930123456', party_did: '+4930555000', device_id: 'sip:100@192.0.2.10:5060', party_dn_type: 'Wexternalline',
				direct_control: false, originated_by_dn: '', originated_by_type: '', referred_by_dn: '', referred_by_type: '',
				on_behalf_of_dn: '', on_behalf_of_type: '', callid: 1000 + (i >> 1), legid: i,
			}),
		);
	}
	const filters = /** @type {import('../nodes/ThreeCxLiveCallTrigger/calls').Filters} */ ({ events: new Set(['callRinging', 'callAnswered', 'callEnded']), dns: new Set(['100']), direction: 'any' });
	const run = () => {
		const tracker = new CallTracker();
		let emitted = 0;
		const t = process.hrtime.bigint();
		for (let i = 0; i < N; i++) {
			const message = JSON.parse(messages[i]);
			const participant = JSON.parse(participants[i]); // the GET's answer, parsed
			const id = /participants\/(\d+)$/.exec(message.event.entity)[1];
			for (const change of tracker.upsert('100', participant, { sequence: message.sequence })) if (wanted(change, filters)) emitted++;
			if (i % 2) for (const change of tracker.remove('100', id)) if (wanted(change, filters)) emitted++;
		}
		return { us: Number(process.hrtime.bigint() - t) / 1e3 / N, emitted };
	};
	const parseOnly = () => {
		const t = process.hrtime.bigint();
		for (let i = 0; i < N; i++) {
			JSON.parse(messages[i]);
			JSON.parse(participants[i]);
		}
		return Number(process.hrtime.bigint() - t) / 1e3 / N;
	};
	run();
	const ours = [1, 2, 3, 4, 5].map(() => run().us).sort((a, b) => a - b)[2];
	const floor = [1, 2, 3, 4, 5].map(parseOnly).sort((a, b) => a - b)[2];
	row('live trigger: parse + track + filter + item, per event', `${ours.toFixed(2)} µs (JSON.parse alone ${floor.toFixed(2)} µs, ratio ${(ours / floor).toFixed(1)}x)`);
}

async function throughN8nCore({ row }) {
	const { createLiveHarness } = require('../test/helpers/live-harness.ts');
	const { CredentialStore, xapiCredentials } = require('../test/helpers/harness.ts');
	const { createXapiServer } = require('../simulator');
	// explicit .ts: plain node would find ThreeCxLiveCallTrigger.node.json (the codex) first
	const { ThreeCxLiveCallTrigger } = require('../nodes/ThreeCxLiveCallTrigger/ThreeCxLiveCallTrigger.node.ts');
	const server = createXapiServer();
	await server.start();
	server.callControl.options.stepMs = 50;
	const store = new CredentialStore(xapiCredentials(server));
	const latencies = [];
	const emittedAt = new Map();
	const harnesses = [];
	try {
		for (let i = 0; i < 10; i++) {
			const harness = createLiveHarness({
				parameters: { events: ['callRinging'], dns: i === 0 ? ['100'] : ['101'] },
				credentialStore: store,
				nodeType: new ThreeCxLiveCallTrigger(),
				workflowId: `bench-live-${i}`,
				onEmit: (items) => {
					for (const item of items) if (!emittedAt.has(item.participantId)) emittedAt.set(item.participantId, Date.now());
				},
			});
			harnesses.push(harness);
			await harness.activate();
		}
		const connected = Date.now() + 30000;
		while (server.callControl.clients.size < 10) {
			if (Date.now() > connected) throw new Error(`live trigger bench: ${server.callControl.clients.size} of 10 sockets after 30 s`);
			await sleep(20);
		}
		row('live trigger: 10 active workflows on one credential', `${server.callControl.clients.size} sockets, ${server.tokensIssued} token(s)`);
		const CALLS = 200;
		const placed = [];
		for (let i = 0; i < CALLS; i++) {
			placed.push(server.callControl.placeCall({ scenario: 'unanswered', to: '100', ringMs: 2000 }).participants[0]);
			await sleep(15);
		}
		const deadline = Date.now() + 30000;
		while (placed.some((id) => !emittedAt.has(id)) && Date.now() < deadline) await sleep(50);
		const sentAt = new Map();
		for (const m of server.callControl.sent) {
			const id = Number(/participants\/(\d+)$/.exec(m.event.entity)[1]);
			if (!sentAt.has(id)) sentAt.set(id, m.at);
		}
		for (const id of placed) if (emittedAt.has(id)) latencies.push(emittedAt.get(id) - sentAt.get(id));
		row(
			'live trigger via n8n-core: WS message -> emit (200 calls)',
			`p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms (${latencies.length}/${CALLS} emitted; includes the participant GET)`,
		);
	} finally {
		for (const harness of harnesses) await harness.close();
		await server.stop();
	}
}

function inRealN8n({ row }) {
	if (process.env.BENCH_LIVE_N8N === '0') {
		row('live trigger in a real n8n (WS message -> execution start)', 'skipped (BENCH_LIVE_N8N=0; about 4 min with CALLS=200)');
		return;
	}
	const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'e2e', 'live-calls.js'), '--json'], {
		env: { ...process.env, CALLS: process.env.CALLS || '200' },
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
		maxBuffer: 16 * 1024 * 1024,
	});
	const line = (r.stdout || '').trim().split('\n').pop();
	let result;
	try {
		result = JSON.parse(line);
	} catch {
		row('live trigger in a real n8n', `failed (exit ${r.status})`);
		return;
	}
	const f = result.figures;
	row(`live trigger in n8n 2.41.1: WS message -> execution start (${f.calls} calls)`, `p50 ${f.messageToExecutionStartMs.p50} ms, p99 ${f.messageToExecutionStartMs.p99} ms`);
	row('live trigger in n8n 2.41.1: WS message -> the workflow\'s Drop request', `p50 ${f.messageToDropRequestMs.p50} ms, p99 ${f.messageToDropRequestMs.p99} ms`);
	row('polling 3CX Trigger on the same calls (by design)', 'after the call ended + up to 60 s (every-minute poll): ~30 s p50, ~60 s p99 after the end');
}

async function benchLive({ row }) {
	ownCost({ row });
	await throughN8nCore({ row });
	inRealN8n({ row });
}

module.exports = { benchLive };
