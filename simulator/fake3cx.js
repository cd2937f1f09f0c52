'use strict';
/**
 * The end-to-end face of the simulated 3CX (`createFake3cx`, re-exported by e2e/fake-3cx.js for
 * e2e/run.js and e2e/browser.js): the simulator with spec checks on, the e2e's data (250 users
 * `First1 Last1` … numbered from 100, an empty backup set) and the e2e's record format
 * (`state.requests`: method, raw and decoded path, query, body, status, operationId,
 * specProblems, auth, token info, redacted headers and secrets). HTTP controls under `/__fake/`
 * (requests, expire-token, expire-token-after?n=, reset, spec) besides the simulator's `/__sim/`.
 */
const { XapiServer, API_PREFIX } = require('./index');
const { DEFAULT_SPEC, SLASH } = require('./spec-check');

function makeUsers(count) {
	const users = [];
	for (let id = 1; id <= count; id++) {
		users.push({
			Id: id,
			Number: String(99 + id),
			FirstName: `First${id}`,
			LastName: `Last${id}`,
			EmailAddress: `user${id}@example.invalid`,
			Enabled: true,
		});
	}
	return users;
}

/** A simulator record in the e2e's format (what run.js's checkCase and browser.js read). */
function toFakeRecord(rec) {
	let decodedPath;
	try {
		decodedPath = decodeURIComponent(rec.rawPath.replace(/%2F/gi, SLASH));
	} catch {
		decodedPath = rec.rawPath;
	}
	const query = {};
	for (const [k, v] of Object.entries(rec.query)) query[k] = Array.isArray(v) ? v[v.length - 1] : v;
	const isToken = rec.kind === 'token';
	let body;
	if (rec.bodyText && !isToken) body = /json/i.test(rec.contentType || '') && rec.json !== undefined ? rec.json : rec.bodyText;
	const responseText = rec.response && rec.response.bodyText;
	const out = {
		seq: rec.seq,
		time: new Date(rec.time).toISOString(),
		method: rec.method,
		rawPath: rec.rawPath,
		path: decodedPath.split(SLASH).join('%2F'),
		decodedPath: decodedPath.split(SLASH).join('/'),
		rawQuery: rec.rawQuery,
		query,
		headers: {
			authorization: rec.headers.authorization ? String(rec.headers.authorization).replace(/^(Bearer|Basic) (.{6}).*$/i, '$1 $2…') : undefined,
			'content-type': rec.headers['content-type'],
			accept: rec.headers.accept,
			'user-agent': rec.headers['user-agent'],
		},
		rawBody: isToken ? rec.bodyText.replace(/client_secret=[^&]*/, 'client_secret=***').replace(/code_verifier=[^&]*/, 'code_verifier=***') : rec.bodyText,
		body,
		status: rec.response ? rec.response.status : null,
		operationId: rec.operationId || null,
		specProblems: rec.specProblems,
		kind: rec.kind,
	};
	if (rec.kind === 'api') out.auth = rec.auth;
	if (isToken) out.token = rec.tokenInfo || { grantType: rec.form && rec.form.grant_type };
	if (responseText && rec.response.headers['content-type'] && /json/.test(rec.response.headers['content-type'])) {
		out.responseBody = responseText.length > 2000 ? responseText.slice(0, 2000) + '…' : responseText;
	}
	return out;
}

function createFake3cx(options = {}) {
	const opts = {
		host: '127.0.0.1',
		port: 0,
		clientId: '900',
		clientSecret: 'fake-secret',
		userCount: 250,
		specPath: process.env.FAKE_3CX_SPEC || process.env.SIM_3CX_SPEC || DEFAULT_SPEC,
		log: false,
		...options,
	};
	const sim = new XapiServer({
		port: opts.port,
		clientId: opts.clientId,
		clientSecret: opts.clientSecret,
		tokenAuth: 'both',
		version: '20.0.10.000',
		specCheck: opts.specPath || false,
		log: opts.log,
		data: { sets: { Users: makeUsers(opts.userCount), Backups: [] } },
		...(opts.simulator || {}),
	});
	const state = {
		get requests() {
			return sim.requests.map(toFakeRecord);
		},
		set requests(v) {
			if (Array.isArray(v) && v.length === 0) sim.requests = [];
		},
		get users() {
			return sim.records('Users');
		},
		get spec() {
			return sim.spec;
		},
		get specStatus() {
			return sim.specInfo.status;
		},
	};

	const api = {
		sim,
		state,
		get url() {
			return `http://${opts.host}:${api.port}`;
		},
		port: null,
		options: opts,
		/** Revoke all current tokens now. */
		expireToken() {
			sim.expireToken();
		},
		/** Revoke the token after `n` more authorised API requests (n=1: the next one succeeds, the one after gets 401). */
		expireTokenAfter(n) {
			sim.expireTokenAfter(n);
		},
		/** Restore the fake data (users) and clear any pending expiry; keeps tokens and the request log. */
		resetData() {
			sim.resetData();
		},
		reset() {
			sim.requests = [];
			api.resetData();
		},
		/** Recorded requests since index `from`. */
		requestsSince(from = 0) {
			return sim.requests.slice(from).map(toFakeRecord);
		},
		mark() {
			return sim.requests.length;
		},
		specInfo() {
			return { available: sim.specInfo.available, status: sim.specInfo.status, file: opts.specPath };
		},
		async start() {
			await sim.start();
			api.port = sim.port;
			return api;
		},
		/**
		 * Checks the checker: sends known-good and known-bad requests to itself and verifies that the
		 * spec checks flag exactly the bad ones. Leaves no tokens, data changes or recorded requests behind.
		 */
		async selfTest() {
			if (!sim.spec) return { ok: true, skipped: true, failures: [] };
			const failures = [];
			const form = `client_id=${encodeURIComponent(opts.clientId)}&client_secret=${encodeURIComponent(opts.clientSecret)}&grant_type=client_credentials`;
			const tok = await (await fetch(`${api.url}/connect/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })).json();
			const headers = { authorization: `Bearer ${tok.access_token}`, 'content-type': 'application/json' };
			const probes = [
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
			for (const [method, p, body, bad] of probes) {
				const mark = sim.requests.length;
				await fetch(`${api.url}${API_PREFIX}${p}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
				const rec = sim.requests[mark];
				const flagged = !!(rec && rec.specProblems.length);
				if (flagged !== bad) failures.push(`${method} ${p} ${body ? JSON.stringify(body) : ''}: expected ${bad ? 'a spec problem' : 'no problem'}, got ${rec ? JSON.stringify(rec.specProblems) : 'no record'}`);
			}
			sim.revokeTokens();
			sim.requests = [];
			sim.resetData();
			return { ok: failures.length === 0, skipped: false, failures, probes: probes.length };
		},
		async stop() {
			await sim.stop();
		},
	};

	sim.compatControl = (req) => {
		const sub = req.rawPath.slice('/__fake'.length);
		const ok = { status: 200, headers: { 'content-type': 'application/json' }, body: { ok: true } };
		if (sub === '/requests') return { status: 200, headers: { 'content-type': 'application/json' }, body: api.requestsSince(0) };
		if (sub === '/expire-token') {
			api.expireToken();
			return ok;
		}
		if (sub === '/expire-token-after') {
			api.expireTokenAfter(Number(req.query.n || 1));
			return ok;
		}
		if (sub === '/reset') {
			api.reset();
			return ok;
		}
		if (sub === '/spec') return { status: 200, headers: { 'content-type': 'application/json' }, body: api.specInfo() };
		return { status: 404, headers: { 'content-type': 'application/json' }, body: { error: 'unknown control' } };
	};
	return api;
}

module.exports = { createFake3cx, makeUsers, toFakeRecord };
