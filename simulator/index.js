'use strict';
/**
 * The simulated 3CX: ONE server for the unit tests (`require('../simulator')`), the end-to-end
 * tests (with the e2e's data: e2e-preset.js) and `npm start` (scripts/start.js, or standalone:
 * `node simulator/cli.js`). Loopback only.
 *
 * - `POST /connect/token`: client_credentials (form fields; Basic with `tokenAuth`),
 *   authorization_code with PKCE (S256 code_verifier check) and refresh_token grants. Like a real
 *   3CX, a new token revokes the older ones of the same client or user (`invalidatePreviousTokens`).
 * - `GET|POST /connect/authorize`: authorization code + PKCE sign-in (code_challenge S256), auto-approved
 *   for the configured test user, or a small login form (`autoApprove: false`).
 * - `/xapi/v1/*`: needs the current bearer token (401 otherwise); answered by scripted routes
 *   (newest first), then the fallback handler, then the data store (demo data, `data`,
 *   `addRecords`), then, with the spec loaded, a generic answer per spec operation, else an empty
 *   OData collection.
 * - Spec checks (`specCheck`): each API request is matched to the spec's operation and checked;
 *   problems land in `req.specProblems`, a misformatted key literal gets a bare 404 as on a real 3CX.
 * - Every request is recorded (`requests`, live objects); `requestsSince(mark())` and
 *   `GET /__sim/requests` give the one JSON view of them (records.js). Every answer carries `Date`
 *   (the simulated PBX clock: real time + `clockSkewMs`) and `X-3CX-Version`.
 * - The one control API, under `/__sim/` (loopback only, not recorded): `POST|GET /__sim/records/<Set>`
 *   (JSON record or array), `GET /__sim/requests[?since=<mark>]`, `POST /__sim/expire-token`,
 *   `POST /__sim/expire-token-after?n=`, `POST /__sim/reset-data`, `POST /__sim/reset` (requests and
 *   data), `GET /__sim/clock`, `GET /__sim/spec`, `GET /__sim/info`, `POST /__sim/calls`
 *   ({ scenario, ...options }: places calls in the call log, simulator/call-log.js). New simulator
 *   modules add their routes under `/__sim/<name>` in `controlResponse`; `/__sim/callcontrol/*` drives
 *   the Call Control API (`/callcontrol` REST and `/callcontrol/ws`, call-control.js).
 *
 * Plain CommonJS (test `.ts` files may not use Node builtins: n8n's lint rules), type-checked with
 * `// @ts-check` (tsconfig.tools.json); its types are read from this file (JSDoc).
 */
const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const responses = require('./responses');
const { ODATA_JSON, helpers, json, created, noContent, empty, raw, html, binary, odataError, xapiWarning, odataCollection, collection, sequence, makeEntities } = responses;
const { Store } = require('./store');
const { recordView } = require('./records');

/** @typedef {import('./responses').XapiResponse} XapiResponse */
/** @typedef {import('./responses').Responder} Responder */
/** @typedef {import('./records').RecordView} RecordView */

/**
 * @typedef {object} XapiServerOptions
 * @property {string} [clientId] client ID the token endpoint accepts ('900')
 * @property {string} [clientSecret] its secret ("API key", 'test-api-key')
 * @property {boolean} [https] HTTPS with a self-signed certificate for 127.0.0.1 (openssl)
 * @property {number} [expiresIn] `expires_in` (seconds) of token answers and the server-side lifetime (3600)
 * @property {boolean} [invalidatePreviousTokens] like a real 3CX: a new token revokes the older ones (true)
 * @property {boolean} [enforceExpiry] refuse tokens older than `expiresIn` (true)
 * @property {boolean} [requireAuth] `/xapi/v1/*` needs a valid bearer token (true)
 * @property {'body' | 'header' | 'both'} [tokenAuth] where the token endpoint reads the client credentials ('body', as 3CX)
 * @property {string | false} [version] `X-3CX-Version` of every answer (falsy: none)
 * @property {string} [basePath] serve 3CX under this path, as a reverse proxy publishing it at https://host/pbx
 * @property {number} [maxHeaderSize] Node's maxHeaderSize for the server (0: Node's default)
 * @property {'jwt' | 'opaque'} [tokenFormat] JWTs with iat/exp claims, or random strings
 * @property {'seconds' | 'minutes'} [expiresInUnit] unit of `expires_in` (3CX 20.0.9 and later: seconds)
 * @property {number} [clockSkewMs] the PBX clock is this far ahead (negative: behind): JWT claims and `Date`
 * @property {number} [port] port on 127.0.0.1 (0: a free one)
 * @property {boolean | { seed?: number, now?: string | number, days?: number }} [demo] the demo data (demo-data.js)
 * @property {Record<string, object[]> | { sets: Record<string, object[]>, files?: Record<string, Buffer> }} [data] entity sets to serve (over the demo data)
 * @property {boolean | string} [specCheck] check every API request against 3CX's spec: true (the spec locator's file) or a file
 * @property {string} [pkceClientId] client_id allowed at /connect/authorize (default `clientId`)
 * @property {Array<{ username: string, password: string, sub?: string, email?: string, name?: string }>} [users] who can sign in at /connect/authorize
 * @property {boolean} [autoApprove] /connect/authorize approves the first user at once (true) or shows a login form
 * @property {boolean} [control] serve the control API under /__sim/ (true)
 * @property {boolean} [log] log each request to stderr
 */

/**
 * One request exactly as the server received it (the live record; records.js gives its JSON view).
 * @typedef {object} RecordedRequest
 * @property {number} seq
 * @property {number} time
 * @property {'token' | 'authorize' | 'api' | 'callcontrol' | 'callcontrol-ws' | 'control' | 'other'} kind
 * @property {string} method
 * @property {string} url the raw request target
 * @property {string} rawPath the path as received (percent-encoding kept), without the query
 * @property {string} path `rawPath` percent-decoded
 * @property {string} [apiPath] decoded path below /xapi/v1 (API requests)
 * @property {string} [rawApiPath] raw path below /xapi/v1 (API requests)
 * @property {string} rawQuery
 * @property {Record<string, string | string[]>} query parsed (URLSearchParams); repeated keys become arrays
 * @property {Record<string, string | string[] | undefined>} headers lower-cased names
 * @property {string[]} rawHeaders
 * @property {string} [contentType]
 * @property {Buffer} body
 * @property {string} bodyText
 * @property {unknown} [json] the body parsed as JSON, if it parses
 * @property {Record<string, string | string[]>} [form] the body of an x-www-form-urlencoded request
 * @property {string} [token] the bearer token
 * @property {boolean} authorized whether `token` was valid when the request arrived
 * @property {string} [auth] API requests: valid, revoked-or-unknown, not-bearer, missing, expired-now
 * @property {string} [odataContext]
 * @property {string} [issuedToken] the token a token request got
 * @property {{ clientId?: string, grantType?: string, via: string, issued?: string }} [tokenInfo]
 * @property {string | null} [operationId] the spec's operationId (spec checks on) or the simulator's routing
 * @property {string} [storeOperationId]
 * @property {string[]} specProblems what the spec checks found wrong (empty without the spec)
 * @property {boolean} [pkceVerified]
 * @property {{ clientId: string, codeChallenge: string, scope: string, user: string }} [authorizeInfo]
 * @property {{ status: number, headers: Record<string, string>, body?: Buffer, bodyText: string, destroyed?: boolean }} [response]
 * @property {XapiRoute} [route]
 * @property {string} [remoteAddress]
 */

/** @typedef {string | RegExp | ((req: RecordedRequest) => boolean)} PathMatcher */
/** @typedef {{ times?: number, auth?: boolean }} RouteOptions */
/** @typedef {{ method: string, matcher: PathMatcher, responder: Responder, times?: number, auth?: boolean, calls: number }} XapiRoute */
/** @typedef {(req: RecordedRequest) => XapiResponse | undefined | void | Promise<XapiResponse | undefined | void>} Handler */
/** @typedef {{ available: boolean, status: string, file?: string }} SpecInfo */
const { CallLog } = require('./call-log');
const { CallControl } = require('./call-control'); // 3CX's Call Control API (REST + WebSocket)

const TOKEN_PATH = '/connect/token';
const AUTHORIZE_PATH = '/connect/authorize';
const API_PREFIX = '/xapi/v1';
const CONTROL_PREFIX = '/__sim/';

const DEFAULT_OPTIONS = Object.freeze({
	clientId: '900',
	clientSecret: 'test-api-key',
	https: false,
	expiresIn: 3600,
	invalidatePreviousTokens: true,
	enforceExpiry: true,
	requireAuth: true,
	tokenAuth: 'body',
	version: '20.0.10.1000',
	basePath: '',
	maxHeaderSize: 0,
	tokenFormat: 'jwt',
	expiresInUnit: 'seconds',
	clockSkewMs: 0,
	port: 0,
	demo: false,
	data: undefined,
	specCheck: false,
	pkceClientId: undefined,
	users: [{ username: 'owner', password: 'owner-password', sub: 'user-100', email: 'owner@example.invalid', name: 'Demo Owner' }],
	autoApprove: true,
	control: true,
	log: false,
});

/* ------------------------------------------------------------------ */
/* self-signed certificate                                             */
/* ------------------------------------------------------------------ */

let cachedCertificate;

/**
 * Generate (once per module instance) a self-signed EC certificate for
 * 127.0.0.1/localhost with the `openssl` binary. No network.
 */
function selfSignedCertificate() {
	if (cachedCertificate) return cachedCertificate;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xapi-cert-'));
	const keyFile = path.join(dir, 'key.pem');
	const certFile = path.join(dir, 'cert.pem');
	try {
		execFileSync(
			'openssl',
			[
				'req', '-x509',
				'-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
				'-nodes',
				'-keyout', keyFile,
				'-out', certFile,
				'-subj', '/CN=localhost',
				'-days', '2',
				'-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
			],
			{ stdio: 'pipe' },
		);
		cachedCertificate = {
			key: fs.readFileSync(keyFile, 'utf8'),
			cert: fs.readFileSync(certFile, 'utf8'),
		};
	} catch (error) {
		throw new Error(`xapi-server: could not create a self-signed certificate with openssl: ${error.message}`);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
	return cachedCertificate;
}

/* ------------------------------------------------------------------ */
/* request parsing                                                     */
/* ------------------------------------------------------------------ */

function safeDecode(s) {
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

function parseQuery(rawQuery) {
	const query = {};
	if (!rawQuery) return query;
	for (const [k, v] of new URLSearchParams(rawQuery)) {
		if (Object.prototype.hasOwnProperty.call(query, k)) {
			query[k] = Array.isArray(query[k]) ? [...query[k], v] : [query[k], v];
		} else {
			query[k] = v;
		}
	}
	return query;
}

function bearerOf(headers) {
	const auth = headers.authorization;
	if (typeof auth !== 'string') return undefined;
	const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
	return m ? m[1].trim() : undefined;
}

function base64url(input) {
	return Buffer.from(input).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

function escapeHtml(s) {
	return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function isLoopback(address) {
	return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/* ------------------------------------------------------------------ */
/* the server                                                          */
/* ------------------------------------------------------------------ */

class XapiServer {
	/** @type {RecordedRequest[]} every request (token, api, other) in arrival order */
	requests;
	/** @type {XapiRoute[]} */
	routes;
	/** @type {Handler | undefined} */
	handler;
	/** @type {Handler | undefined} */
	tokenHandler;
	/** @type {string[]} tokens issued, in order */
	issuedTokens;
	/** @type {Map<string, number>} token -> expiry (ms since epoch) */
	validTokens;
	/** @type {Map<string, string>} token -> subject ('client:900', 'user:owner') */
	tokenSubjects;
	/** @type {Map<string, { clientId: string, user: any, scope: string }>} refresh token -> grant */
	refreshTokens;
	/** @type {Map<string, { clientId: string, redirectUri: string, challenge: string, method: string, scope: string, user: any, expires: number, used: boolean }>} pending authorization codes (PKCE) */
	authCodes;
	/** @type {number | null} revoke the tokens after this many more authorised API requests */
	expireAfter;

	/** @param {XapiServerOptions} [options] */
	constructor(options = {}) {
		/** @type {Required<XapiServerOptions> & Record<string, any>} */
		this.initialOptions = /** @type {any} */ ({ ...DEFAULT_OPTIONS, ...options });
		this.options = { ...this.initialOptions };
		/** @type {http.Server | https.Server | undefined} */
		this.server = undefined;
		/** @type {Set<import('node:net').Socket>} */
		this.sockets = new Set();
		/** @type {number} the port on 127.0.0.1, once started */
		this.port = /** @type {any} */ (undefined);
		/** @type {string} e.g. http://127.0.0.1:40123, once started */
		this.baseUrl = /** @type {any} */ (undefined);
		this.seq = 0;
		this.tokenSeq = 0;
		/** @type {Set<{ resolve: () => void, timer: any }>} */
		this.pendingDelays = new Set();
		/** @type {any} the loaded spec checker (specCheck), or null */
		this.spec = null;
		/** @type {SpecInfo} */
		this.specInfo = { available: false, status: 'spec checks off', file: undefined };
		this.store = new Store(...this.initialData());
		// the call log as live V20 servers send it (simulator/call-log.js); calls placed via POST /__sim/calls
		this.callLog = new CallLog(this);
		/** @type {import('./crm-engine').CrmEngine | undefined} the CRM engine, made on first use of /__sim/crm/ (crm-engine.js) */
		this.crmEngine = undefined;
		this.store.callLogSource = this.callLog;
		this.callControl = new CallControl(this);
		this.clearState();
	}

	/**
	 * [sets, files] for the store: demo data and/or `data`.
	 * @returns {[Record<string, any[]>, Record<string, Buffer>]}
	 */
	initialData() {
		/** @type {Record<string, any[]>} */
		let sets = {};
		/** @type {Record<string, Buffer>} */
		let files = {};
		if (this.initialOptions.demo) {
			const { demoData } = require('./demo-data');
			const demo = demoData(typeof this.initialOptions.demo === 'object' ? this.initialOptions.demo : {});
			sets = { ...demo.sets };
			files = { ...demo.files };
		}
		if (this.initialOptions.data) {
			const d = /** @type {any} */ (this.initialOptions.data);
			Object.assign(sets, d.sets || d);
			if (d.files) Object.assign(files, d.files);
		}
		return [sets, files];
	}

	/** Forget requests, routes, handlers and tokens (the state clearState() starts afresh). */
	clearState() {
		this.requests = [];
		this.routes = [];
		this.handler = undefined;
		this.tokenHandler = undefined;
		this.issuedTokens = [];
		this.validTokens = new Map();
		this.tokenSubjects = new Map();
		this.refreshTokens = new Map();
		this.authCodes = new Map();
		this.expireAfter = null;
	}

	/* ---------------- lifecycle ---------------- */

	async start() {
		if (this.server) return { baseUrl: this.baseUrl, port: this.port };
		if (this.options.specCheck) await this.loadSpec();
		const listener = (req, res) => this.onRequest(req, res);
		const serverOptions = this.options.maxHeaderSize ? { maxHeaderSize: this.options.maxHeaderSize } : {};
		this.server = this.options.https
			? https.createServer({ ...serverOptions, ...selfSignedCertificate() }, listener)
			: http.createServer(serverOptions, listener);
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		// TLS connections are tracked via 'secureConnection' sockets too
		this.server.on('secureConnection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(this.options.port || 0, '127.0.0.1', () => {
				this.server.off('error', reject);
				resolve();
			});
		});
		this.callControl.attach(this.server);
		this.port = /** @type {import('node:net').AddressInfo} */ (this.server.address()).port;
		this.baseUrl = `${this.options.https ? 'https' : 'http'}://127.0.0.1:${this.port}`;
		return { baseUrl: this.baseUrl, port: this.port };
	}

	async stop() {
		if (!this.server) return;
		const server = this.server;
		this.server = undefined;
		for (const pending of this.pendingDelays) {
			clearTimeout(pending.timer);
			pending.resolve();
		}
		this.pendingDelays.clear();
		this.callControl.close();
		const closed = new Promise((resolve) => server.close(() => resolve()));
		if (typeof server.closeAllConnections === 'function') server.closeAllConnections();
		for (const socket of this.sockets) socket.destroy();
		this.sockets.clear();
		await closed;
	}

	/** Loads the spec for the checks (`specCheck`: true or a file). Resolves with specInfo. */
	async loadSpec() {
		const { loadSpec } = require('./spec-check');
		const r = await loadSpec(typeof this.options.specCheck === 'string' ? this.options.specCheck : undefined);
		this.spec = r.spec;
		this.specInfo = { available: r.available, status: r.status, file: r.file };
		return this.specInfo;
	}

	/** Forget requests, routes, handlers and tokens; restore the constructor options and the data. */
	reset() {
		this.clearState();
		const { https: useHttps } = this.options;
		this.options = { ...this.initialOptions, https: useHttps };
		this.store.reset();
		this.callLog.reset();
		this.callControl.reset();
		return this;
	}

	/** Restore the data (demo data, `data`) as constructed; keeps tokens, routes and the request log. */
	resetData() {
		this.store.reset();
		this.callLog.reset();
		this.expireAfter = null;
		return this;
	}

	/**
	 * Change options at runtime (not `https`, which needs a restart).
	 * @param {Omit<XapiServerOptions, 'https'>} options
	 */
	configure(options) {
		Object.assign(this.options, options);
		return this;
	}

	/** `baseUrl + p`. */
	url(p = '') {
		return `${this.baseUrl}${p}`;
	}

	/** The simulated PBX clock (ms since epoch): real time + `clockSkewMs`. */
	now() {
		return Date.now() + (this.options.clockSkewMs || 0);
	}

	/* ---------------- data ---------------- */

	/**
	 * Add records to an entity set (e.g. 'CallHistoryView', 'EventLogs'); returns the stored rows.
	 * @param {string} set
	 * @param {object | object[]} records
	 * @returns {Array<Record<string, any>>}
	 */
	addRecords(set, records) {
		return this.store.addRecords(set, records);
	}

	/**
	 * Places a call in the call log (scenarios of simulator/call-log.js); returns its rows.
	 * @param {import('./call-log').Scenario} scenario
	 * @param {any} [options]
	 */
	placeCall(scenario, options = {}) {
		return this.callLog.place(scenario, options);
	}

	/**
	 * The rows of an entity set (live array); `ReportCallLogData` gives the computed call log.
	 * @template {object} [T=Record<string, any>]
	 * @param {string} set
	 * @returns {T[]}
	 */
	records(set) {
		return set === 'ReportCallLogData' ? this.store.callLog() : this.store.rows(set);
	}

	/* ---------------- tokens ---------------- */

	get tokenRequests() {
		return this.requests.filter((r) => r.kind === 'token');
	}

	get tokenRequestCount() {
		return this.tokenRequests.length;
	}

	/** Tokens successfully issued (in order). */
	get tokensIssued() {
		return this.issuedTokens.length;
	}

	/** The most recently issued token if it is still valid. */
	get currentToken() {
		const last = this.issuedTokens[this.issuedTokens.length - 1];
		return last && this.isTokenValid(last) ? last : undefined;
	}

	/** @param {string | undefined} token */
	isTokenValid(token) {
		if (!token || !this.validTokens.has(token)) return false;
		if (this.options.enforceExpiry && Date.now() >= this.validTokens.get(token)) return false;
		return true;
	}

	/** Invalidate every issued token (next API call gets 401). */
	revokeTokens() {
		this.validTokens.clear();
		if (this.callControl) this.callControl.tokensChanged();
		return this;
	}

	/** Alias of revokeTokens(): "the token expired". */
	expireToken() {
		return this.revokeTokens();
	}

	/** Revoke the tokens after `n` more authorised API requests (n=1: the next one succeeds, the one after gets 401). */
	/** @param {number} n */
	expireTokenAfter(n) {
		this.expireAfter = n;
		return this;
	}

	/** @param {string} token */
	revokeToken(token) {
		this.validTokens.delete(token);
		if (this.callControl) this.callControl.tokensChanged();
		return this;
	}

	/**
	 * Register a token as valid without a token request (e.g. to pre-seed a
	 * credential). Respects `invalidatePreviousTokens` (per client or user).
	 */
	issueToken(subject = `client:${this.options.clientId}`) {
		this.tokenSeq += 1;
		const now = Date.now();
		const expiresInMs = this.options.expiresIn * 1000;
		// the claims come from the server's clock, which may be off by `clockSkewMs`
		const serverNow = now + (this.options.clockSkewMs || 0);
		let token;
		if (this.options.tokenFormat === 'opaque') {
			token = `opaque-${this.tokenSeq}-${crypto.randomBytes(24).toString('hex')}`;
		} else {
			const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
			const payload = base64url(
				JSON.stringify({
					sub: subject.startsWith('client:') ? String(this.options.clientId) : subject.slice(5),
					jti: `${this.tokenSeq}-${crypto.randomBytes(6).toString('hex')}`,
					iat: Math.floor(serverNow / 1000),
					exp: Math.floor((serverNow + expiresInMs) / 1000),
					iss: this.baseUrl,
				}),
			);
			token = `${header}.${payload}.${base64url(crypto.randomBytes(24))}`;
		}
		if (this.options.invalidatePreviousTokens) {
			for (const [t, s] of this.tokenSubjects) if (s === subject) this.validTokens.delete(t);
		}
		this.validTokens.set(token, now + expiresInMs);
		this.tokenSubjects.set(token, subject);
		this.issuedTokens.push(token);
		if (this.callControl) this.callControl.tokensChanged();
		return token;
	}

	/** `expires_in` as the token endpoint writes it: seconds (20.0.9 and later) or minutes (before). */
	expiresInField() {
		const seconds = this.options.expiresIn;
		return this.options.expiresInUnit === 'minutes' ? Math.round(seconds / 60) : seconds;
	}

	/**
	 * Override the token endpoint: `(req) => response | undefined` (undefined = default behaviour).
	 * @param {Handler | undefined} fn
	 */
	setTokenHandler(fn) {
		this.tokenHandler = fn;
		return this;
	}

	/* ---------------- scripting ---------------- */

	/**
	 * Add a route. `method` is an HTTP method or '*'. `matcher` is
	 * - a string: equal to the decoded path or the raw path; a string without the
	 *   `/xapi/v1` prefix (e.g. '/Users(29)') is taken relative to `/xapi/v1`;
	 * - a RegExp, tested against the raw path and the decoded path;
	 * - a function `(req) => boolean`.
	 * `responder` is a response object or `(req) => response | Promise<response>`.
	 * Options: `times` (route is used that many times, then skipped), `auth`
	 * (false = no bearer token needed even under /xapi/v1).
	 * The NEWEST matching route wins, so a test can override a route set up in
	 * `beforeEach`; use `sequence(...)` for a series of answers.
	 * @param {string} method
	 * @param {PathMatcher} matcher
	 * @param {Responder} responder
	 * @param {RouteOptions} [options]
	 * @returns {XapiRoute}
	 */
	route(method, matcher, responder, options = {}) {
		/** @type {XapiRoute} */
		const r = {
			method: String(method).toUpperCase(),
			matcher,
			responder,
			times: options.times,
			auth: options.auth,
			calls: 0,
		};
		this.routes.push(r);
		return r;
	}

	/**
	 * @param {PathMatcher} matcher
	 * @param {Responder} responder
	 * @param {RouteOptions} [options]
	 */
	get(matcher, responder, options) {
		return this.route('GET', matcher, responder, options);
	}

	/**
	 * @param {PathMatcher} matcher
	 * @param {Responder} responder
	 * @param {RouteOptions} [options]
	 */
	post(matcher, responder, options) {
		return this.route('POST', matcher, responder, options);
	}

	/**
	 * @param {PathMatcher} matcher
	 * @param {Responder} responder
	 * @param {RouteOptions} [options]
	 */
	patch(matcher, responder, options) {
		return this.route('PATCH', matcher, responder, options);
	}

	/**
	 * @param {PathMatcher} matcher
	 * @param {Responder} responder
	 * @param {RouteOptions} [options]
	 */
	put(matcher, responder, options) {
		return this.route('PUT', matcher, responder, options);
	}

	/**
	 * @param {PathMatcher} matcher
	 * @param {Responder} responder
	 * @param {RouteOptions} [options]
	 */
	delete(matcher, responder, options) {
		return this.route('DELETE', matcher, responder, options);
	}

	/**
	 * Fallback handler for requests no route matched: `(req) => response | undefined`.
	 * @param {Handler | undefined} fn
	 */
	setHandler(fn) {
		this.handler = fn;
		return this;
	}

	/* ---------------- recorded requests ---------------- */

	get apiRequests() {
		return this.requests.filter((r) => r.kind === 'api');
	}

	get lastRequest() {
		return this.requests[this.requests.length - 1];
	}

	get lastApiRequest() {
		const api = this.apiRequests;
		return api[api.length - 1];
	}

	/** A mark in the request log, for requestsSince. */
	mark() {
		return this.requests.length;
	}

	/**
	 * The requests recorded since `mark` (0: all), in the one JSON view (records.js).
	 * @returns {RecordView[]}
	 */
	requestsSince(mark = 0) {
		return this.requests.slice(mark).map(recordView);
	}

	/**
	 * Checks the spec checks against known-good and known-bad requests (self-test.js).
	 * @returns {Promise<{ ok: boolean, skipped: boolean, failures: string[], probes?: number }>}
	 */
	selfTest() {
		return require('./self-test').specSelfTest(this);
	}

	/* ---------------- internals ---------------- */

	matches(route, req) {
		if (route.method !== '*' && route.method !== req.method) return false;
		if (route.times !== undefined && route.calls >= route.times) return false;
		const m = route.matcher;
		if (typeof m === 'function') return !!m(req);
		if (m instanceof RegExp) {
			m.lastIndex = 0;
			if (m.test(req.rawPath)) return true;
			m.lastIndex = 0;
			return m.test(req.path);
		}
		if (typeof m === 'string') {
			const candidates = [m];
			if (m.startsWith('/') && !m.startsWith(API_PREFIX + '/') && m !== API_PREFIX && !m.startsWith(TOKEN_PATH)) {
				candidates.push(API_PREFIX + m);
			}
			return candidates.some((c) => c === req.path || c === req.rawPath);
		}
		return false;
	}

	onRequest(nodeReq, res) {
		const chunks = [];
		nodeReq.on('data', (c) => chunks.push(c));
		nodeReq.on('error', () => {});
		nodeReq.on('end', () => {
			this.handle(nodeReq, res, Buffer.concat(chunks)).catch((error) => {
				try {
					if (!res.headersSent) {
						res.writeHead(500, { 'content-type': 'text/plain' });
					}
					res.end(`xapi-server handler error: ${error && error.stack ? error.stack : error}`);
				} catch {
					/* ignore */
				}
			});
		});
	}

	buildRecord(nodeReq, body) {
		const url = nodeReq.url || '/';
		const qIndex = url.indexOf('?');
		let rawPath = qIndex === -1 ? url : url.slice(0, qIndex);
		// behind a reverse proxy that publishes 3CX under a path: strip it; anything else is 'other'
		const basePath = this.options.basePath || '';
		let outsideBasePath = false;
		if (basePath) {
			if (rawPath === basePath || rawPath.startsWith(basePath + '/')) rawPath = rawPath.slice(basePath.length) || '/';
			else outsideBasePath = true;
		}
		const rawQuery = qIndex === -1 ? '' : url.slice(qIndex + 1);
		const headers = { ...nodeReq.headers };
		const bodyText = body.toString('utf8');
		let jsonBody;
		const contentType = String(headers['content-type'] || '');
		if (bodyText.length) {
			try {
				jsonBody = JSON.parse(bodyText);
			} catch {
				jsonBody = undefined;
			}
		}
		let form;
		if (contentType.includes('application/x-www-form-urlencoded')) form = parseQuery(bodyText);
		const decodedPath = safeDecode(rawPath);
		const kind = outsideBasePath
			? 'other'
			: rawPath === TOKEN_PATH
				? 'token'
				: rawPath === API_PREFIX || rawPath.startsWith(API_PREFIX + '/')
					? 'api'
					: rawPath === AUTHORIZE_PATH
						? 'authorize'
						: rawPath.startsWith(CONTROL_PREFIX)
							? 'control'
							: 'other';
		const token = bearerOf(headers);
		const entitySet = kind === 'api' ? decodedPath.slice(API_PREFIX.length + 1).split(/[(/?]/)[0] : '';
		this.seq += 1;
		return {
			seq: this.seq,
			time: Date.now(),
			kind,
			method: (nodeReq.method || 'GET').toUpperCase(),
			url,
			rawPath,
			path: decodedPath,
			apiPath: kind === 'api' ? decodedPath.slice(API_PREFIX.length) : undefined,
			rawApiPath: kind === 'api' ? rawPath.slice(API_PREFIX.length) : undefined,
			rawQuery,
			query: parseQuery(rawQuery),
			headers,
			rawHeaders: [...nodeReq.rawHeaders],
			contentType: contentType || undefined,
			body,
			bodyText,
			json: jsonBody,
			form,
			token,
			authorized: false,
			auth: undefined,
			odataContext: entitySet ? `${this.baseUrl}${API_PREFIX}/$metadata#${entitySet}` : undefined,
			operationId: undefined,
			specProblems: [],
			remoteAddress: nodeReq.socket && nodeReq.socket.remoteAddress,
			response: undefined,
		};
	}

	/**
	 * A delay that `stop()` cuts short, so a test never waits for a slow answer after it ended.
	 * @returns {Promise<void>}
	 */
	delay(ms) {
		return new Promise((resolve) => {
			/** @type {{ resolve: () => void, timer: any }} */
			const pending = { resolve: () => resolve(), timer: undefined };
			pending.timer = setTimeout(() => {
				this.pendingDelays.delete(pending);
				resolve();
			}, ms);
			this.pendingDelays.add(pending);
		});
	}

	async handle(nodeReq, res, body) {
		const req = /** @type {RecordedRequest} */ (this.buildRecord(nodeReq, body));
		if (req.kind === 'control' && this.options.control) {
			await this.send(req, res, await this.controlResponse(req));
			return;
		}
		this.requests.push(req);

		let response;
		if (req.kind === 'token' && req.method === 'POST') {
			if (this.tokenHandler) response = await this.tokenHandler(req);
			if (!response) response = this.tokenResponse(req);
		} else if (req.kind === 'authorize') {
			response = this.authorizeResponse(req);
		} else if (this.callControl.handles(req.rawPath)) {
			req.kind = 'callcontrol';
			response = this.callControl.response(req);
		} else {
			response = await this.apiResponse(req);
		}
		await this.send(req, res, response);
		if (this.options.log) {
			console.error(`[3cx-sim] ${req.method} ${req.rawPath}${req.rawQuery ? '?' + req.rawQuery : ''} -> ${req.response ? req.response.status : '-'}`);
		}
	}

	/* ---------------- OAuth2 ---------------- */

	/** client_id/client_secret of a token request, from the form or (with `tokenAuth`) a Basic header. */
	clientOf(req) {
		const form = req.form || {};
		let clientId = form.client_id;
		let clientSecret = form.client_secret;
		let via = clientSecret ? 'body' : 'none';
		const mode = this.options.tokenAuth;
		const basic = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization || ''));
		if (basic && (mode === 'header' || mode === 'both')) {
			const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
			clientId = safeDecode(id || '');
			clientSecret = safeDecode(secret || '');
			via = 'basic';
		} else if (mode === 'header') {
			clientId = undefined;
			clientSecret = undefined;
		}
		return { clientId, clientSecret, via };
	}

	pkceClientId() {
		return String(this.options.pkceClientId || this.options.clientId);
	}

	tokenResponse(req) {
		const form = req.form || {};
		const contentType = req.contentType || '';
		if (!contentType.includes('application/x-www-form-urlencoded')) {
			return json({ error: 'invalid_request', error_description: 'The mandatory client credentials are missing.' }, 400);
		}
		const { clientId, clientSecret, via } = this.clientOf(req);
		req.tokenInfo = { clientId, grantType: form.grant_type, via };
		const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };
		if (form.grant_type === 'authorization_code') return this.codeGrant(req, form, clientId, noStore);
		if (form.grant_type === 'refresh_token') return this.refreshGrant(req, form, clientId, noStore);
		if (form.grant_type !== 'client_credentials') {
			return json({ error: 'unsupported_grant_type', error_description: `The grant type '${form.grant_type}' is not supported.` }, 400);
		}
		if (clientId !== String(this.options.clientId) || clientSecret !== String(this.options.clientSecret)) {
			return json({ error: 'unauthorized', error_description: 'The client credentials are invalid.' }, 401);
		}
		const token = this.issueToken();
		req.issuedToken = token;
		req.tokenInfo.issued = token.slice(-8);
		return json({ token_type: 'Bearer', expires_in: this.expiresInField(), access_token: token, refresh_token: null }, 200, noStore);
	}

	userTokenAnswer(req, grant, noStore) {
		const token = this.issueToken(`user:${grant.user.username}`);
		const refresh = `rt-${crypto.randomBytes(24).toString('hex')}`;
		this.refreshTokens.set(refresh, { clientId: grant.clientId, user: grant.user, scope: grant.scope });
		req.issuedToken = token;
		req.tokenInfo.issued = token.slice(-8);
		const body = { token_type: 'Bearer', expires_in: this.expiresInField(), access_token: token, refresh_token: refresh, scope: grant.scope || '' };
		if (/\bopenid\b/.test(grant.scope || '')) {
			const now = Math.floor(this.now() / 1000);
			body.id_token = [
				base64url(JSON.stringify({ alg: 'none', typ: 'JWT' })),
				base64url(JSON.stringify({ iss: this.baseUrl, aud: grant.clientId, sub: grant.user.sub || grant.user.username, email: grant.user.email, name: grant.user.name, iat: now, exp: now + 3600 })),
				'',
			].join('.');
		}
		return json(body, 200, noStore);
	}

	codeGrant(req, form, clientId, noStore) {
		const bad = (error, description, status = 400) => json({ error, error_description: description }, status);
		const grant = this.authCodes.get(form.code || '');
		if (!grant) return bad('invalid_grant', 'The authorization code is invalid.');
		if (grant.used) {
			this.authCodes.delete(form.code);
			return bad('invalid_grant', 'The authorization code has already been redeemed.');
		}
		if (Date.now() > grant.expires) return bad('invalid_grant', 'The authorization code has expired.');
		if (clientId !== grant.clientId) return bad('invalid_client', 'The client_id does not match the authorization request.', 401);
		if (form.redirect_uri !== grant.redirectUri) return bad('invalid_grant', 'The redirect_uri does not match the authorization request.');
		const verifier = form.code_verifier;
		if (!verifier) return bad('invalid_request', 'The code_verifier is missing (PKCE is required).');
		const challenge = base64url(crypto.createHash('sha256').update(verifier).digest());
		if (challenge !== grant.challenge) return bad('invalid_grant', 'The code_verifier does not match the code_challenge.');
		grant.used = true;
		req.pkceVerified = true;
		return this.userTokenAnswer(req, grant, noStore);
	}

	refreshGrant(req, form, clientId, noStore) {
		const grant = this.refreshTokens.get(form.refresh_token || '');
		if (!grant) return json({ error: 'invalid_grant', error_description: 'The refresh token is invalid.' }, 400);
		if (clientId !== grant.clientId) return json({ error: 'invalid_client', error_description: 'The client_id does not match the refresh token.' }, 401);
		this.refreshTokens.delete(form.refresh_token); // rotated: one use each
		return this.userTokenAnswer(req, grant, noStore);
	}

	/** `/connect/authorize`: authorization code + PKCE (S256), auto-approved or with a login form. */
	authorizeResponse(req) {
		const params = req.method === 'POST' ? { ...req.query, ...(req.form || {}) } : req.query;
		const p = (k) => (Array.isArray(params[k]) ? params[k][0] : params[k]);
		const redirectUri = p('redirect_uri');
		const plainError = (text) => html(`<!doctype html><title>3CX sign-in</title><p>${escapeHtml(text)}</p>`, 400);
		let redirect;
		try {
			redirect = new URL(redirectUri || '');
			if (!/^https?:$/.test(redirect.protocol)) throw new Error('scheme');
		} catch {
			return plainError('The redirect_uri is missing or not an http(s) address.');
		}
		if (p('client_id') !== this.pkceClientId()) return plainError(`Unknown client_id '${p('client_id') || ''}'.`);
		const back = (fields) => {
			const target = new URL(redirect.toString());
			for (const [k, v] of Object.entries(fields)) if (v !== undefined) target.searchParams.set(k, v);
			if (p('state') !== undefined) target.searchParams.set('state', p('state'));
			return empty(302, { location: target.toString() });
		};
		if (p('response_type') !== 'code') return back({ error: 'unsupported_response_type', error_description: 'response_type must be code' });
		if (!p('code_challenge')) return back({ error: 'invalid_request', error_description: 'code_challenge is required (PKCE)' });
		if ((p('code_challenge_method') || 'plain') !== 'S256') return back({ error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
		const users = this.options.users || [];
		let user;
		if (req.method === 'POST') {
			user = users.find((u) => u.username === p('username') && u.password === p('password'));
			if (!user) return this.loginForm(params, 'Wrong user name or password.');
		} else if (this.options.autoApprove) {
			user = users[0];
		} else {
			return this.loginForm(params);
		}
		if (!user) return back({ error: 'access_denied', error_description: 'no test user configured' });
		const code = `code-${crypto.randomBytes(18).toString('hex')}`;
		this.authCodes.set(code, {
			clientId: p('client_id'),
			redirectUri,
			challenge: p('code_challenge'),
			method: 'S256',
			scope: p('scope') || '',
			user,
			expires: Date.now() + 5 * 60 * 1000,
			used: false,
		});
		req.authorizeInfo = { clientId: p('client_id'), codeChallenge: p('code_challenge'), scope: p('scope') || '', user: user.username };
		return back({ code });
	}

	loginForm(params, message) {
		const hidden = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method']
			.filter((k) => params[k] !== undefined)
			.map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(params[k])}">`)
			.join('');
		return html(
			`<!doctype html><title>3CX sign-in (simulated)</title><h1>Sign in to the simulated 3CX</h1>${message ? `<p class="error">${escapeHtml(message)}</p>` : ''}` +
				`<form method="post" action="${AUTHORIZE_PATH}">${hidden}<label>User <input name="username"></label> <label>Password <input name="password" type="password"></label> <button type="submit">Sign in</button></form>`,
			message ? 401 : 200,
		);
	}

	/* ---------------- API ---------------- */

	async apiResponse(req) {
		req.authorized = this.isTokenValid(req.token);
		req.auth = req.authorized ? 'valid' : req.token ? 'revoked-or-unknown' : req.headers.authorization ? 'not-bearer' : 'missing';
		if (req.kind === 'other') {
			const download = this.store.handleDownload(req, this);
			if (download) return download;
		}
		let route;
		for (let i = this.routes.length - 1; i >= 0; i--) {
			if (this.matches(this.routes[i], req)) {
				route = this.routes[i];
				break;
			}
		}
		const needsAuth = route && route.auth !== undefined ? route.auth : req.kind === 'api' && this.options.requireAuth;
		if (needsAuth && !req.authorized) {
			return empty(401, {
				'www-authenticate': req.token ? 'Bearer error="invalid_token"' : 'Bearer',
			});
		}
		if (needsAuth && this.expireAfter !== null) {
			if (this.expireAfter <= 0) {
				this.expireAfter = null;
				this.revokeTokens();
				req.authorized = false;
				req.auth = 'expired-now';
				return empty(401, { 'www-authenticate': 'Bearer error="invalid_token", error_description="The token expired"' });
			}
			this.expireAfter -= 1;
		}
		let check;
		if (req.kind === 'api' && this.spec) {
			const { checkRequest } = require('./spec-check');
			check = checkRequest(this.spec, req.method, req.rawApiPath, singleValued(req.query), specBody(req), req.contentType);
			req.specProblems.push(...check.problems);
			req.operationId = check.operationId;
		}
		let response;
		if (route) {
			route.calls += 1;
			req.route = route;
			response = typeof route.responder === 'function' ? await route.responder(req) : route.responder;
		}
		if (!response && this.handler) response = await this.handler(req);
		if (!response && req.kind === 'api') {
			response = this.store.handle(req, this);
			if (req.storeOperationId) {
				if (check && check.operationId && check.operationId !== req.storeOperationId && !req.specProblems.length) {
					req.specProblems.push(`simulator routing disagrees with the spec: ${req.storeOperationId} vs ${check.operationId}`);
				}
				if (!req.operationId) req.operationId = req.storeOperationId;
			}
			if (check && check.badLiteral && !req.storeOperationId) {
				// a real 3CX answers a misformatted key or function parameter with a bare 404 (or 500)
				response = empty(404);
			}
		}
		if (!response && check) {
			if (!check.operationId) {
				response = json({ error: { code: '', message: `No HTTP resource was found that matches the request URI '${req.rawPath}'.` } }, 404);
			} else {
				const { genericAnswer } = require('./spec-check');
				const g = genericAnswer(check.match, req.method);
				if (g.collection) response = json(odataCollection([], `${this.baseUrl}${API_PREFIX}/$metadata#${g.context}`));
				else if (g.echo) response = json({ ...(req.json && typeof req.json === 'object' ? req.json : {}), Id: 1 }, g.status);
				else if (g.status === 204) response = empty(204);
				else response = json(g.body, g.status);
			}
		}
		if (!response) {
			if (req.kind === 'api') {
				response = json(odataCollection([], req.odataContext));
			} else {
				response = raw('Not Found', 'text/plain', 404);
			}
		}
		return response;
	}

	/* ---------------- control API ---------------- */

	async controlResponse(req) {
		if (!isLoopback(req.remoteAddress)) return json({ error: 'the control API answers loopback clients only' }, 403);
		const sub = req.rawPath.slice(CONTROL_PREFIX.length);
		if (sub.startsWith('crm/')) {
			const crm = await require('./crm-engine').control(this, req, sub.slice(4));
			return json(crm.body, crm.status);
		}
		if (sub.startsWith('callcontrol/')) return this.callControl.control(sub.slice('callcontrol/'.length), req);
		const m = /^records\/([A-Za-z]\w*)$/.exec(sub);
		if (m) {
			if (req.method === 'GET') return json({ set: m[1], value: this.records(m[1]) });
			if (req.method === 'POST') {
				if (req.json === undefined) return json({ error: 'send a JSON record or an array of records' }, 400);
				try {
					const added = this.addRecords(m[1], req.json);
					return json({ set: m[1], added: added.length, value: added }, 201);
				} catch (e) {
					return json({ error: e.message }, 400);
				}
			}
			return json({ error: 'GET or POST' }, 405);
		}
		if (sub === 'calls') {
			// place calls in the call log: { scenario, ...options } (simulator/call-log.js), or an array of them
			if (req.method !== 'POST' || req.json === undefined) return json({ error: 'POST a JSON { scenario, ...options } or an array of them' }, 400);
			try {
				const calls = (Array.isArray(req.json) ? req.json : [req.json]).flatMap((c) => this.placeCall(c.scenario, c).calls);
				return json({ placed: calls.length, calls }, 201);
			} catch (e) {
				return json({ error: e.message }, 400);
			}
		}
		if (sub === 'requests') return json(this.requestsSince(Number(req.query.since || 0)));
		if (sub === 'expire-token') {
			this.expireToken();
			return json({ ok: true });
		}
		if (sub === 'expire-token-after') {
			this.expireTokenAfter(Number(req.query.n || 1));
			return json({ ok: true });
		}
		if (sub === 'reset-data') {
			this.resetData();
			return json({ ok: true });
		}
		if (sub === 'reset') {
			this.requests = [];
			this.resetData();
			return json({ ok: true });
		}
		if (sub === 'spec') return json(this.specInfo);
		if (sub === 'clock') return json({ now: new Date(this.now()).toISOString(), clockSkewMs: this.options.clockSkewMs || 0 });
		if (sub === 'info') {
			return json({
				baseUrl: this.baseUrl,
				version: this.options.version,
				clientId: String(this.options.clientId),
				pkceClientId: this.pkceClientId(),
				sets: [...this.store.sets.keys()].map((s) => ({ set: s, rows: this.store.sets.get(s).length })),
				spec: this.specInfo,
			});
		}
		return json({ error: `unknown control ${sub}` }, 404);
	}

	async send(req, res, response) {
		const r = response || empty(200);
		if (r.delayMs) await this.delay(r.delayMs);
		if (!this.server) {
			req.response = { status: 0, headers: {}, bodyText: '', destroyed: true };
			res.socket && res.socket.destroy();
			return;
		}
		if (r.destroy) {
			req.response = { status: 0, headers: {}, bodyText: '', destroyed: true };
			res.socket && res.socket.destroy();
			return;
		}
		let bodyBuf;
		const headers = {};
		for (const [k, v] of Object.entries(r.headers || {})) headers[k.toLowerCase()] = v;
		if (r.body === undefined || r.body === null) {
			bodyBuf = Buffer.alloc(0);
		} else if (Buffer.isBuffer(r.body)) {
			bodyBuf = r.body;
		} else if (r.body instanceof Uint8Array) {
			bodyBuf = Buffer.from(r.body);
		} else if (typeof r.body === 'string') {
			bodyBuf = Buffer.from(r.body);
			if (!headers['content-type']) headers['content-type'] = 'text/plain; charset=utf-8';
		} else {
			bodyBuf = Buffer.from(JSON.stringify(r.body));
			if (!headers['content-type']) headers['content-type'] = ODATA_JSON;
		}
		if (this.options.version && !headers['x-3cx-version']) headers['x-3cx-version'] = this.options.version;
		if (!headers.date) headers.date = new Date(this.now()).toUTCString();
		const status = r.status || 200;
		if (status !== 204 && status !== 304) headers['content-length'] = String(bodyBuf.length);
		req.response = { status, headers, body: bodyBuf, bodyText: bodyBuf.toString('utf8') };
		res.writeHead(status, headers);
		res.end(status === 204 || status === 304 ? undefined : bodyBuf);
	}
}

/** Query as the spec checker reads it: the last value of a repeated key. */
function singleValued(query) {
	const out = {};
	for (const [k, v] of Object.entries(query)) out[k] = Array.isArray(v) ? v[v.length - 1] : v;
	return out;
}

/** The body as the spec checker reads it: JSON when it parses and says JSON, else the text. */
function specBody(req) {
	if (!req.bodyText) return undefined;
	if (/json/i.test(req.contentType || '') && req.json !== undefined) return req.json;
	return req.bodyText;
}

/** A PKCE pair: a random code_verifier and its S256 code_challenge (base64url of SHA-256). */
/** @returns {{ verifier: string, challenge: string, method: 'S256' }} */
function pkcePair(verifier = base64url(crypto.randomBytes(32))) {
	return { verifier, challenge: base64url(crypto.createHash('sha256').update(verifier).digest()), method: 'S256' };
}

/** @param {XapiServerOptions} [options] */
function createXapiServer(options) {
	return new XapiServer(options);
}

/**
 * The simulator with demo data (and, unless told otherwise, spec checks when the spec is there).
 * @param {XapiServerOptions} [options]
 */
function createSimulator(options = {}) {
	return new XapiServer({ demo: true, ...options });
}

/** The same class under the name scripts/start.js uses. */
const Simulator = XapiServer;

module.exports = {
	XapiServer,
	Simulator,
	createXapiServer,
	createSimulator,
	pkcePair,
	selfSignedCertificate,
	helpers,
	json,
	created,
	noContent,
	empty,
	raw,
	html,
	binary,
	odataError,
	xapiWarning,
	odataCollection,
	collection,
	sequence,
	makeEntities,
	TOKEN_PATH,
	AUTHORIZE_PATH,
	API_PREFIX,
	CONTROL_PREFIX,
	ODATA_JSON,
	DEFAULT_OPTIONS,
};
