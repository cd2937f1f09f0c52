'use strict';
/**
 * The live-call case of the queue-mode test (e2e/queue.js, issue 18): in n8n's queue mode the
 * main instance holds the 3CX Live Call Trigger's one socket and the workers run the executions.
 *
 *   workflow (published with the others): 3CX Live Call Trigger (Call Ringing, DN 100) ->
 *     3CX (Call Control: Drop {{ $json.participantId }})
 *   the simulator behind the fake 3CX places CALLS calls ringing at 100
 *
 * Checked: one socket for the one active live workflow; each call dropped exactly once; every
 * execution of the workflow succeeded and was run by a worker (not by main).
 */
const WORKFLOW_ID = 'queue3cxLive0001';
const CALLS = 20;

/**
 * The live-call workflow of the e2e tests (here and e2e/live-calls.js): 3CX Live Call Trigger (Call
 * Ringing at DN 100) -> 3CX (Call Control: Drop the participant that rang).
 * @param {string} credentialType
 * @param {{ id: string, name: string }} credential
 * @param {{ id?: string, name?: string }} [options] the workflow's id and name
 */
function liveWorkflow(credentialType, credential, { id = WORKFLOW_ID, name = 'queue: live call -> drop' } = {}) {
	const credentials = { [credentialType]: { id: credential.id, name: credential.name } };
	return {
		id,
		name,
		active: false,
		nodes: [
			{
				id: '00000000-0000-4000-8000-0000000q1ve1',
				name: '3CX Live Call Trigger',
				type: 'n8n-nodes-3cx.threeCxLiveCallTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: { events: ['callRinging'], dns: ['100'], direction: 'any' },
				credentials,
			},
			{
				id: '00000000-0000-4000-8000-0000000q1ve2',
				name: '3CX',
				type: 'n8n-nodes-3cx.threeCx',
				typeVersion: 1,
				position: [260, 0],
				parameters: {
					resource: 'callControl',
					operation: 'drop',
					callControlDn: { __rl: true, mode: 'id', value: '={{ $json.dn }}' },
					callControlParticipant: { __rl: true, mode: 'id', value: '={{ $json.participantId }}' },
				},
				credentials,
			},
		],
		connections: { '3CX Live Call Trigger': { main: [[{ node: '3CX', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(cond, timeoutMs) {
	const end = Date.now() + timeoutMs;
	while (Date.now() < end) {
		const v = await cond();
		if (v) return v;
		await sleep(250);
	}
	return undefined;
}

/** Runs the case against the running main + workers; returns { ok, problems, summary }. */
async function runLiveCalls({ fake, db, workers, main, log }) {
	const sim = fake;
	const problems = [];
	const cc = sim.callControl;
	const opened = await until(() => cc.clients.size >= 1, 60_000);
	if (!opened) return { ok: false, problems: ['live calls: the published live workflow opened no Call Control socket within 60 s'], summary: '' };
	const sockets = cc.clients.size;
	const before = cc.actions.length;
	const placed = [];
	for (let i = 0; i < CALLS; i++) {
		placed.push(cc.placeCall({ scenario: 'unanswered', to: '100', from: `+4940200${String(i).padStart(3, '0')}`, ringMs: 30_000 }).participants[0]);
		await sleep(200);
	}
	const drops = () => cc.actions.slice(before).filter((a) => /\/participants\/\d+\/drop$/.test(a.path));
	await until(() => drops().length >= CALLS, 120_000);
	await sleep(2000);
	const counts = new Map();
	for (const a of drops()) {
		const id = Number(/participants\/(\d+)\/drop$/.exec(a.path)[1]);
		counts.set(id, (counts.get(id) || 0) + 1);
	}
	for (const id of placed) if (counts.get(id) !== 1) problems.push(`live calls: participant ${id} dropped ${counts.get(id) || 0} times, expected once`);
	const rows = await until(async () => {
		const r = await db.query('SELECT id, status FROM execution_entity WHERE "workflowId" = $1', [WORKFLOW_ID]);
		return r.rows.length >= CALLS && r.rows.every((x) => x.status !== 'running' && x.status !== 'new') ? r.rows : undefined;
	}, 60_000);
	const executions = rows || [];
	if (executions.length !== CALLS) problems.push(`live calls: ${executions.length} executions for ${CALLS} calls`);
	const failed = executions.filter((x) => x.status !== 'success');
	if (failed.length) problems.push(`live calls: ${failed.length} execution(s) did not succeed (${failed.map((x) => x.status).join(', ')})`);
	const byWorker = workers.map((w) => executions.filter((x) => w.executions.includes(Number(x.id))).length);
	const onWorkers = byWorker.reduce((a, b) => a + b, 0);
	if (onWorkers !== executions.length) problems.push(`live calls: ${executions.length - onWorkers} execution(s) not run by a worker (main: ${main.name})`);
	if (sockets !== 1 || cc.clients.size !== 1) problems.push(`live calls: ${Math.max(sockets, cc.clients.size)} sockets for one active workflow (expected one, held by main)`);
	const summary = `${CALLS} live calls -> ${executions.length} executions (per worker ${byWorker.join('/')}), ${drops().length} Drop requests, ${cc.clients.size} socket`;
	log(`live calls: ${summary}${problems.length ? '  <-- FAIL' : ''}`);
	return { ok: problems.length === 0, problems, summary };
}

module.exports = { liveWorkflow, runLiveCalls, LIVE_WORKFLOW_ID: WORKFLOW_ID };
