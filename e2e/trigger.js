'use strict';
/**
 * The 3CX Trigger end to end, as one step of e2e/run.js: a workflow "3CX Trigger (New Recording)
 * -> 3CX (Recording: Download Recording, recId = {{ $json.Id }})" is imported, ACTIVATED in the
 * running `n8n start` through n8n's REST API (as the editor's Publish/Activate does), and then:
 *
 *   1. the activation poll reads the simulator's existing recordings and emits nothing
 *      (no Download Recording request);
 *   2. recordings are added to the simulator (`addRecords('Recordings', [...])`, stamped with its clock);
 *   3. the next scheduled poll (n8n's shortest interval: one minute) starts one execution, whose
 *      3CX node downloads each new recording exactly once;
 *   4. the poll after that finds nothing new (one request, no download);
 *   5. the workflow is deactivated again, so it does not poll during later steps.
 *
 * Kept in its own file so run.js only imports the workflow and calls `checkTrigger` once n8n runs.
 */

const WORKFLOW_ID = 'e2e3cxTrigger001';
const NEW_RECORDINGS = 3;

/** The workflow to import (inactive; checkTrigger activates it). */
function triggerWorkflow(nodeCfg) {
	const cred = nodeCfg.credentials.good;
	const credentials = { [nodeCfg.credentialType]: { id: cred.id, name: cred.name } };
	return {
		id: WORKFLOW_ID,
		name: 'e2e trigger: New Recording -> Download Recording',
		active: false,
		nodes: [
			{
				id: '00000000-0000-4000-8000-00000000t001',
				name: '3CX Trigger',
				type: nodeCfg.nodeType.replace(/\.threeCx$/, '.threeCxTrigger'),
				typeVersion: 1,
				position: [0, 0],
				parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, event: 'newRecording' },
				credentials,
			},
			{
				id: '00000000-0000-4000-8000-00000000t002',
				name: nodeCfg.nodeName,
				type: nodeCfg.nodeType,
				typeVersion: nodeCfg.typeVersion,
				position: [240, 0],
				parameters: { resource: 'recordings', operation: 'downloadRecording', recId: '={{ $json.Id }}' },
				credentials,
			},
		],
		connections: { '3CX Trigger': { main: [[{ node: nodeCfg.nodeName, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(cond, timeoutMs) {
	const end = Date.now() + timeoutMs;
	while (Date.now() < end) {
		const value = await cond();
		if (value) return value;
		await sleep(500);
	}
	return undefined;
}

/**
 * n8n's REST API as the signed-in owner (`cookie`): `rest(method, path, body)` answers the `data`
 * of n8n's answer (or the whole JSON), and throws with the status and the start of the text otherwise.
 * @param {string} url
 * @param {string} cookie
 */
function restClient(url, cookie) {
	return async (/** @type {string} */ method, /** @type {string} */ p, /** @type {unknown} */ body) => {
		const r = await fetch(`${url}/rest${p}`, {
			method,
			headers: { cookie, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await r.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		if (!r.ok) throw new Error(`${method} /rest${p} answered ${r.status}: ${text.slice(0, 300)}`);
		return json && json.data !== undefined ? json.data : json;
	};
}

/**
 * Runs the step against the running n8n (`url`, an owner `cookie`) and the simulator `fake`.
 * Returns { ok, failures, summary, ms } in the shape of run.js's case results.
 */
async function checkTrigger({ url, cookie, fake, log }) {
	const t0 = Date.now();
	const failures = [];
	const rest = restClient(url, cookie);
	const polls = (reqs) => reqs.filter((r) => r.method === 'GET' && /^\/xapi\/v1\/Recordings$/.test(r.path));
	const downloads = (reqs) => reqs.filter((r) => /^\/xapi\/v1\/Recordings\/Pbx\.DownloadRecording\(recId=\d+\)$/.test(r.path));
	const executions = async () => {
		const list = await rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW_ID }))}&limit=50`);
		return (list && (list.results || list)) || [];
	};
	const sim = fake;
	if (typeof sim.addRecords !== 'function') {
		return { file: 'trigger', name: '3CX Trigger activated in n8n start', ok: false, failures: ['the simulator has no addRecords(set, records)'], summary: '', ms: 0 };
	}
	let activated = false;
	try {
		const wf = await rest('GET', `/workflows/${WORKFLOW_ID}`);
		const mark = fake.mark();
		await rest('POST', `/workflows/${WORKFLOW_ID}/activate`, { versionId: wf.versionId });
		activated = true;
		// n8n runs the activation poll (the trigger's first poll: "now" and the overlap window, two
		// requests) after answering; records added before it would count as old
		await waitFor(() => polls(fake.requestsSince(mark)).length >= 2, 60_000);
		await sleep(2000);
		const afterActivation = fake.requestsSince(mark);
		log(`trigger: activated; the activation poll sent ${polls(afterActivation).length} request(s) to Recordings, ${downloads(afterActivation).length} download(s)`);
		if (!polls(afterActivation).length) failures.push('the activation poll sent no request to /Recordings');
		if (downloads(afterActivation).length) failures.push('activation emitted old recordings (Download Recording was called)');

		// new recordings, stamped with the simulator's clock (its Date header), arrive after activation
		const mark2 = fake.mark();
		const now = typeof sim.now === 'function' ? sim.now() : Date.now();
		const added = sim.addRecords(
			'Recordings',
			Array.from({ length: NEW_RECORDINGS }, (_, i) => ({
				StartTime: new Date(now - 60_000 + i * 1000).toISOString(),
				EndTime: new Date(now + i * 1000).toISOString(),
				FromDn: '100',
				FromDisplayName: 'E2E Caller',
				ToDn: '101',
				ToDisplayName: 'E2E Callee',
				Transcription: `e2e recording ${i + 1}`,
			})),
		);
		const ids = (Array.isArray(added) ? added : []).map((r) => r.Id);
		if (ids.length !== NEW_RECORDINGS || ids.some((id) => !Number.isInteger(id))) failures.push(`addRecords returned ${JSON.stringify(added)}, expected ${NEW_RECORDINGS} records with Ids`);
		log(`trigger: added recordings ${ids.join(', ')}; waiting for the next scheduled poll (up to 90 s)`);
		const got = await waitFor(() => {
			const d = downloads(fake.requestsSince(mark2));
			return d.length >= ids.length ? d : undefined;
		}, 90_000);
		if (!got) failures.push(`no execution downloaded the ${ids.length} new recordings within 90 s (downloads seen: ${downloads(fake.requestsSince(mark2)).length})`);
		// the poll after that: nothing new, no download
		const pollsSoFar = polls(fake.requestsSince(mark2)).length;
		const next = await waitFor(() => polls(fake.requestsSince(mark2)).length > pollsSoFar, 75_000);
		await sleep(3000);
		const reqs = fake.requestsSince(mark2);
		const downloaded = downloads(reqs).map((r) => Number(/recId=(\d+)/.exec(r.path)[1]));
		const counts = {};
		for (const id of downloaded) counts[id] = (counts[id] || 0) + 1;
		for (const id of ids) if (counts[id] !== 1) failures.push(`recording ${id} was downloaded ${counts[id] || 0} times, expected once`);
		const extra = downloaded.filter((id) => !ids.includes(id));
		if (extra.length) failures.push(`old recordings were emitted: ${[...new Set(extra)].join(', ')}`);
		if (!next) failures.push('no second scheduled poll within 75 s');
		// spec checks of the trigger's own requests (GetCallLogData/Recordings literals and options)
		for (const r of reqs.filter((x) => x.specProblems && x.specProblems.length)) failures.push(`${r.method} ${r.path}: ${r.specProblems.join('; ')}`);
		const runs = (await executions()).filter((e) => e.mode === 'trigger');
		if (!runs.length) failures.push('n8n lists no trigger execution of the workflow');
		if (runs.some((e) => e.status && e.status !== 'success')) failures.push(`an execution did not succeed: ${runs.map((e) => e.status).join(', ')}`);
		const pollRequests = polls(reqs);
		const summary =
			`${ids.length} recordings added after activation -> ${runs.length} execution(s), downloads ${JSON.stringify(counts)}; ` +
			`${pollRequests.length} poll request(s) after adding (${pollRequests.map((r) => r.status).join(',')}); ${((Date.now() - t0) / 1000).toFixed(1)} s`;
		return { file: 'trigger', name: '3CX Trigger activated in n8n start', ok: failures.length === 0, failures, summary, ms: Date.now() - t0 };
	} catch (e) {
		failures.push(String(e && e.message ? e.message : e));
		return { file: 'trigger', name: '3CX Trigger activated in n8n start', ok: false, failures, summary: '', ms: Date.now() - t0 };
	} finally {
		if (activated) await rest('POST', `/workflows/${WORKFLOW_ID}/deactivate`, {}).catch((e) => failures.push(`deactivate failed: ${e.message}`));
	}
}

module.exports = { triggerWorkflow, checkTrigger, restClient, TRIGGER_WORKFLOW_ID: WORKFLOW_ID };
