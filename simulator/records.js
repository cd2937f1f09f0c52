'use strict';
/**
 * The one request-record format outside the process: what `GET /__sim/requests` answers and what
 * `sim.requestsSince(mark)` returns (the e2e tests read it, and write it to their artifacts).
 * In the process, tests may also read the live records (`sim.requests`), of which this is the
 * JSON view: method, raw and decoded path, query, redacted headers and secrets, body, status,
 * operationId, spec problems, auth, token info.
 */
const { SLASH } = require('./spec-check');

/**
 * @typedef {object} RecordView
 * @property {number} seq
 * @property {string} time ISO-8601
 * @property {string} kind 'token' | 'api' | 'authorize' | 'callcontrol' | 'callcontrol-ws' | 'other'
 * @property {string} method
 * @property {string} rawPath the path as received, percent-encoded
 * @property {string} path decoded, but an encoded slash inside a literal stays %2F
 * @property {string} decodedPath fully decoded
 * @property {string} rawQuery
 * @property {Record<string, string>} query the last value of each key
 * @property {Record<string, string | undefined>} headers authorization cut to its first characters
 * @property {string} rawBody client_secret and code_verifier masked
 * @property {any} body parsed JSON when it says JSON, else the text
 * @property {number | null} status
 * @property {string | null} operationId the spec's (with spec checks) or the simulator's
 * @property {string[]} specProblems
 * @property {string} [auth] API requests: valid, revoked-or-unknown, not-bearer, missing, expired-now
 * @property {{ clientId?: string, grantType?: string, via?: string, issued?: string }} [token] token requests
 * @property {string} [responseBody] JSON answers, cut at 2,000 characters
 */

/**
 * The JSON view of a live record (simulator/index.js buildRecord).
 * @param {any} rec
 * @returns {RecordView}
 */
function recordView(rec) {
	let decodedPath;
	try {
		decodedPath = decodeURIComponent(rec.rawPath.replace(/%2F/gi, SLASH));
	} catch {
		decodedPath = rec.rawPath;
	}
	/** @type {Record<string, string>} */
	const query = {};
	for (const [k, v] of Object.entries(rec.query)) query[k] = Array.isArray(v) ? v[v.length - 1] : v;
	const isToken = rec.kind === 'token';
	let body;
	if (rec.bodyText && !isToken) body = /json/i.test(rec.contentType || '') && rec.json !== undefined ? rec.json : rec.bodyText;
	const responseText = rec.response && rec.response.bodyText;
	/** @type {RecordView} */
	const out = {
		seq: rec.seq,
		time: new Date(rec.time).toISOString(),
		kind: rec.kind,
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
	};
	if (rec.kind === 'api') out.auth = rec.auth;
	if (isToken) out.token = rec.tokenInfo || { grantType: rec.form && rec.form.grant_type };
	if (responseText && rec.response.headers['content-type'] && /json/.test(rec.response.headers['content-type'])) {
		out.responseBody = responseText.length > 2000 ? responseText.slice(0, 2000) + '…' : responseText;
	}
	return out;
}

module.exports = { recordView };
