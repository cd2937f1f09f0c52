'use strict';
/**
 * Call Ended and Missed Call end to end, as one step of e2e/run.js: two workflows
 * "3CX Trigger (Call Ended | Missed Call) -> 3CX (Custom API Call: GET /Defs?e2e=<event>:<MainCallHistoryId>)"
 * are imported, ACTIVATED in the running `n8n start`, and calls are placed in the simulator's
 * call log (one row per leg, as live V20 servers log them: simulator/call-log.js) AFTER the
 * activation polls:
 *
 *   - answered through a queue (queue leg "Waiting", Answered, "... was replaced by ..."; agent leg);
 *   - abandoned in the queue (one queue leg that says Answered: true, "Ended by" the caller);
 *   - rang an extension, nobody answered; sent to voicemail (missed: nobody answered);
 *   - a burst of BURST calls between two polls (more than one page of 100 rows);
 *   - a call still running across a poll (logged when it ends, under the time it started).
 *
 * Each item of an execution makes one /Defs request that names its call, so the fake's request log
 * counts the items n8n emitted. The step waits until both counts are complete (or a deadline), then
 * watches one more WHOLE poll interval: every call exactly once in Call Ended, exactly the missed
 * ones in Missed Call, nothing more.
 */

const { restClient } = require('./trigger');
const ENDED_ID = 'e2e3cxCallEnded1';
const MISSED_ID = 'e2e3cxCallMissd1';
const BURST = 120;
const POLL_MS = 60_000;

function workflow(nodeCfg, id, event) {
	const cred = nodeCfg.credentials.good;
	const credentials = { [nodeCfg.credentialType]: { id: cred.id, name: cred.name } };
	return {
		id,
		name: `e2e trigger: ${event} -> one request per call`,
		active: false,
		nodes: [
			{
				id: `00000000-0000-4000-8000-0000000${id === ENDED_ID ? 'c' : 'm'}e001`,
				name: '3CX Trigger',
				type: nodeCfg.nodeType.replace(/\.threeCx$/, '.threeCxTrigger'),
				typeVersion: 1,
				position: [0, 0],
				parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, event },
				credentials,
			},
			{
				id: `00000000-0000-4000-8000-0000000${id === ENDED_ID ? 'c' : 'm'}e002`,
				name: nodeCfg.nodeName,
				type: nodeCfg.nodeType,
				typeVersion: nodeCfg.typeVersion,
				position: [240, 0],
				parameters: {
					resource: 'customApiCall',
					operation: 'customApiCall',
					customMethod: 'GET',
					customPath: '/Defs',
					customQuery: { parameter: [{ name: 'e2e', value: `={{ '${event}:' + $json.MainCallHistoryId }}` }] },
				},
				credentials,
			},
		],
		connections: { '3CX Trigger': { main: [[{ node: nodeCfg.nodeName, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** The two workflows to import (inactive; checkTriggerCalls activates them). */
function callWorkflows(nodeCfg) {
	return [workflow(nodeCfg, ENDED_ID, 'callEnded'), workflow(nodeCfg, MISSED_ID, 'missedCall')];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the step against the running n8n (`url`, an owner `cookie`) and the simulator `fake`. */
async function checkTriggerCalls({ url, cookie, fake, log }) {
	const t0 = Date.now();
	const failures = [];
	const name = 'Call Ended and Missed Call activated in n8n start';
	const rest = restClient(url, cookie);
	const sim = fake;
	if (typeof sim.placeCall !== 'function') return { file: 'trigger-calls', name, ok: false, failures: ['the simulator has no placeCall(scenario, options)'], summary: '', ms: 0 };
	const callLogPolls = (reqs) => reqs.filter((r) => r.method === 'GET' && /^\/xapi\/v1\/ReportCallLogData\/Pbx\.GetCallLogData\(/.test(r.path));
	/** event -> MainCallHistoryId -> how many items named it */
	const emitted = (reqs) => {
		const out = { callEnded: {}, missedCall: {} };
		for (const r of reqs) {
			if (!/^\/xapi\/v1\/Defs$/.test(r.path) || typeof r.query.e2e !== 'string') continue;
			const [event, id] = r.query.e2e.split(':');
			if (out[event]) out[event][id] = (out[event][id] || 0) + 1;
		}
		return out;
	};
	const activated = [];
	try {
		const mark = fake.mark();
		for (const id of [ENDED_ID, MISSED_ID]) {
			const wf = await rest('GET', `/workflows/${id}`);
			await rest('POST', `/workflows/${id}/activate`, { versionId: wf.versionId });
			activated.push(id);
		}
		// the activation polls (each: the newest row, then the window) before any call is placed
		const end = Date.now() + 60_000;
		while (Date.now() < end && callLogPolls(fake.requestsSince(mark)).length < 4) await sleep(500);
		await sleep(1500);
		log(`trigger calls: both workflows activated; ${callLogPolls(fake.requestsSince(mark)).length} call log request(s) so far`);

		// calls placed after activation; the burst ended a few minutes ago (logged now, under its start)
		const mark2 = fake.mark();
		const ids = (scenario, options = {}) => sim.placeCall(scenario, options).calls.map((c) => c.MainCallHistoryId);
		const answered = ids('queueAnswered');
		const abandoned = ids('queueAbandoned');
		const unanswered = ids('unanswered');
		const voicemail = ids('voicemail');
		const burst = ids('burst', { count: BURST, at: sim.now() - 4 * 60_000 });
		const running = ids('queueAnswered', { endsInMs: 75_000, talkSeconds: 300 });
		const all = [...answered, ...abandoned, ...unanswered, ...voicemail, ...burst, ...running];
		// the burst: every third call abandoned in the queue, every third unanswered (simulator/call-log.js)
		const burstMissed = burst.filter((_, i) => i % 3 !== 1);
		const missed = [...abandoned, ...unanswered, ...voicemail, ...burstMissed];
		log(`trigger calls: placed ${all.length} calls (${missed.length} missed) after activation; counting executions`);

		const complete = () => {
			const got = emitted(fake.requestsSince(mark2));
			return all.every((id) => got.callEnded[id]) && missed.every((id) => got.missedCall[id]);
		};
		// a call waits a minute after its newest leg (settle) and n8n polls once a minute: up to 4 polls
		const deadline = Date.now() + 5 * POLL_MS;
		while (Date.now() < deadline && !complete()) await sleep(1000);
		const completeAfter = Date.now() - t0;
		// then one more whole poll interval: nothing more may come
		const before = callLogPolls(fake.requestsSince(mark2)).length;
		const quietEnd = Date.now() + POLL_MS + 10_000;
		while (Date.now() < quietEnd) await sleep(1000);
		const reqs = fake.requestsSince(mark2);
		const pollsInQuiet = callLogPolls(reqs).length - before;
		if (pollsInQuiet < 2) failures.push(`only ${pollsInQuiet} call log poll(s) in the last whole interval (two workflows poll once a minute each)`);
		const got = emitted(reqs);
		const check = (event, expected) => {
			const counts = got[event];
			const wrong = expected.filter((id) => counts[id] !== 1).map((id) => `${id.slice(0, 8)}x${counts[id] || 0}`);
			const extra = Object.keys(counts).filter((id) => !expected.includes(id));
			if (wrong.length) failures.push(`${event}: ${wrong.length} call(s) not emitted exactly once: ${wrong.slice(0, 6).join(', ')}`);
			if (extra.length) failures.push(`${event}: ${extra.length} call(s) emitted that should not be: ${extra.slice(0, 6).map((x) => x.slice(0, 8)).join(', ')}`);
			return Object.values(counts).reduce((a, b) => a + b, 0);
		};
		const endedItems = check('callEnded', all);
		const missedItems = check('missedCall', missed);
		for (const r of callLogPolls(reqs)) {
			if (r.query.$orderby !== undefined) failures.push(`a call log poll sent $orderby (${r.query.$orderby})`);
			if (r.status !== 200) failures.push(`a call log poll answered ${r.status}`);
		}
		const runs = {};
		for (const id of [ENDED_ID, MISSED_ID]) {
			const list = await rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: id }))}&limit=100`);
			runs[id] = ((list && (list.results || list)) || []).filter((e) => e.mode === 'trigger');
			if (runs[id].some((e) => e.status && e.status !== 'success')) failures.push(`${id}: an execution did not succeed (${runs[id].map((e) => e.status).join(', ')})`);
		}
		const summary =
			`${all.length} calls placed after activation (${missed.length} missed, a burst of ${BURST}, one running across a poll) -> ` +
			`Call Ended ${endedItems} item(s) in ${runs[ENDED_ID].length} execution(s), Missed Call ${missedItems} item(s) in ${runs[MISSED_ID].length} execution(s); ` +
			`complete after ${(completeAfter / 1000).toFixed(0)} s, then ${pollsInQuiet} poll(s) in a whole quiet interval; ${callLogPolls(reqs).length} call log request(s) in all`;
		return { file: 'trigger-calls', name, ok: failures.length === 0, failures, summary, ms: Date.now() - t0 };
	} catch (e) {
		failures.push(String(e && e.message ? e.message : e));
		return { file: 'trigger-calls', name, ok: false, failures, summary: '', ms: Date.now() - t0 };
	} finally {
		for (const id of activated) await rest('POST', `/workflows/${id}/deactivate`, {}).catch((e) => failures.push(`deactivate ${id} failed: ${e.message}`));
	}
}

module.exports = { callWorkflows, checkTriggerCalls, CALL_WORKFLOW_IDS: [ENDED_ID, MISSED_ID] };
