'use strict';
/**
 * Checks the checker: the simulator sends known-good and known-bad requests to itself and verifies
 * that its spec checks flag exactly the bad ones (the e2e run does this before it trusts them).
 * Leaves no tokens, data changes or recorded requests behind.
 */
/** [method, path below /xapi/v1, body, whether the spec checks must flag it] */
const PROBES = [
	['GET', '/Users(29)', undefined, false],
	['GET', "/Users('29')", undefined, true],
	['GET', "/Users(Number='100')", undefined, false],
	['GET', '/Users(Number=100)', undefined, true],
	['GET', "/Backups('o''brien%202025.zip')/Pbx.GetBackupExtras()", undefined, false],
	['GET', "/ReportQueueCallbacks/Pbx.GetQueueCallbacksData(queueDnStr='800',startDt=2025-01-01T00:00:00Z,endDt=2025-01-31T23:59:59Z)", undefined, false],
	['GET', "/ReportQueueCallbacks/Pbx.GetQueueCallbacksData(queueDnStr='800',startDt='2025-01-01T00:00:00Z',endDt=2025-01-31T23:59:59Z)", undefined, true],
	['GET', '/Users?$top=5&$bogus=1', undefined, true],
	['POST', '/Users', { Number: '900', FirstName: 'A' }, false],
	['POST', '/Users', { Number: 900 }, true],
	['POST', '/Users', { NoSuchProperty: 1 }, true],
	['PUT', '/Users(29)', { FirstName: 'A' }, true],
	['GET', '/NoSuchSet', undefined, true],
];

/**
 * @param {import('./index').XapiServer} sim a started simulator
 * @returns {Promise<{ ok: boolean, skipped: boolean, failures: string[], probes?: number }>}
 */
async function specSelfTest(sim) {
	if (!sim.spec) return { ok: true, skipped: true, failures: [] };
	const { API_PREFIX } = require('./index');
	const failures = [];
	const { clientId, clientSecret } = sim.options;
	const form = `client_id=${encodeURIComponent(clientId)}&client_secret=${encodeURIComponent(clientSecret)}&grant_type=client_credentials`;
	const tok = await (await fetch(sim.url('/connect/token'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })).json();
	const headers = { authorization: `Bearer ${tok.access_token}`, 'content-type': 'application/json' };
	for (const [method, p, body, bad] of PROBES) {
		const mark = sim.requests.length;
		await fetch(sim.url(`${API_PREFIX}${p}`), { method: String(method), headers, body: body ? JSON.stringify(body) : undefined });
		const rec = sim.requests[mark];
		const flagged = !!(rec && rec.specProblems.length);
		if (flagged !== bad) failures.push(`${method} ${p} ${body ? JSON.stringify(body) : ''}: expected ${bad ? 'a spec problem' : 'no problem'}, got ${rec ? JSON.stringify(rec.specProblems) : 'no record'}`);
	}
	sim.revokeTokens();
	sim.requests = [];
	sim.resetData();
	return { ok: failures.length === 0, skipped: false, failures, probes: PROBES.length };
}

module.exports = { specSelfTest };
