'use strict';
/**
 * A fake 3CX server for tests: OAuth2 client-credentials token endpoint plus a
 * scriptable, recording `/xapi/v1/*` API, over HTTP or HTTPS (self-signed), on
 * 127.0.0.1 with a random free port.
 *
 * Plain CommonJS on purpose: test `.ts` files are linted with n8n's community
 * rules (no Node builtins, no `process`, no timers), so everything that needs
 * them lives here. Types are in `xapi-server.d.ts`.
 *
 * Behaviour modelled on real 3CX v20 (see /work/shared/notes/xapi-on-the-wire.md):
 * - `POST /connect/token`, form-encoded `client_id`, `client_secret`,
 *   `grant_type=client_credentials`; bad id/secret -> 401
 *   `{"error":"unauthorized","error_description":"..."}`;
 * - only one access token per client is valid at a time (configurable);
 * - `/xapi/v1/*` without a valid bearer token -> 401;
 * - collections `{"@odata.context": ..., "value": [...]}`, paging with `$top`/`$skip`
 *   only (no nextLink), `$top` above 100 -> 400 on the collection helper;
 * - errors `{"error":{"code":"","message":"...","details":[{"message":"WARNINGS.XAPI.X","target":"Name"}]}}`.
 */

const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const TOKEN_PATH = '/connect/token';
const API_PREFIX = '/xapi/v1';
const ODATA_JSON = 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';

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
/* response helpers                                                    */
/* ------------------------------------------------------------------ */

/** JSON response (OData content type). */
function json(body, status = 200, headers = {}) {
	return { status, headers: { 'content-type': ODATA_JSON, ...headers }, body: Buffer.from(JSON.stringify(body)) };
}

/** 201 with the entity, as XAPI answers a create. */
function created(entity, headers = {}) {
	return json(entity, 201, headers);
}

/** 204, empty body (PATCH, DELETE, most actions). */
function noContent(headers = {}) {
	return { status: 204, headers: { ...headers } };
}

/** Any status with an empty body. */
function empty(status, headers = {}) {
	return { status, headers: { ...headers } };
}

/** A raw body (string or Buffer) with an explicit content type. */
function raw(body, contentType, status = 200, headers = {}) {
	const out = { status, headers: { ...headers }, body: Buffer.isBuffer(body) ? body : Buffer.from(String(body)) };
	if (contentType) out.headers['content-type'] = contentType;
	return out;
}

/** An HTML page (e.g. a reverse proxy's error page). */
function html(text, status = 200, headers = {}) {
	return raw(text, 'text/html; charset=utf-8', status, headers);
}

/** A file download: bytes with a content type and optional attachment file name. */
function binary(buffer, contentType = 'application/octet-stream', options = {}) {
	const headers = { ...(options.headers || {}) };
	if (options.filename) headers['content-disposition'] = `attachment; filename="${options.filename}"`;
	return raw(Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer), contentType, options.status || 200, headers);
}

/**
 * A 3CX/OData error body:
 * `{"error":{"code":"","message":"...","details":[{"message":"WARNINGS.XAPI.DUPLICATE","target":"Name"}]}}`.
 * `details` entries may be strings (taken as the detail message).
 */
function odataError(status, message, details = [], options = {}) {
	const error = { code: options.code === undefined ? '' : options.code, message };
	if (details !== null) {
		error.details = details.map((d) => (typeof d === 'string' ? { message: d } : { ...d }));
	}
	return json({ error }, status, options.headers || {});
}

/**
 * Shorthand for a 3CX validation warning, e.g. `xapiWarning('WARNINGS.XAPI.DUPLICATE', { target: 'Name' })`.
 * Default status 400; default message `<target>:\n<code>` (override with `message`).
 */
function xapiWarning(code, options = {}) {
	const status = options.status || 400;
	const target = options.target;
	const message = options.message !== undefined ? options.message : target ? `${target}:\n${code}` : code;
	const detail = { message: code };
	if (target !== undefined) detail.target = target;
	return odataError(status, message, [detail]);
}

/** `{"@odata.context": ..., "value": [...]}` as an object (not a response). */
function odataCollection(value, context, extra = {}) {
	const out = {};
	if (context) out['@odata.context'] = context;
	Object.assign(out, extra);
	out.value = value;
	return out;
}

function selectFields(entity, select) {
	if (!select || entity === null || typeof entity !== 'object') return entity;
	const fields = select.split(',').map((s) => s.trim()).filter(Boolean);
	const out = {};
	for (const f of fields) if (Object.prototype.hasOwnProperty.call(entity, f)) out[f] = entity[f];
	return out;
}

/**
 * A responder that serves `entities` as an OData collection honouring `$skip`,
 * `$top`, `$count=true` and `$select`. `$top` above `maxTop` (default 100, like
 * some XAPI sets; `null` disables) answers 400 with the ASP.NET OData message.
 * Without `$top` it returns everything from `$skip` on (XAPI has no server
 * paging), unless `pageSize` is given.
 */
function collection(entities, options = {}) {
	const maxTop = options.maxTop === undefined ? 100 : options.maxTop;
	const responder = (req) => {
		const list = typeof entities === 'function' ? entities(req) : entities;
		const q = req.query;
		const skip = q.$skip !== undefined ? Number(q.$skip) : 0;
		let top = q.$top !== undefined ? Number(q.$top) : undefined;
		if ((q.$skip !== undefined && !Number.isInteger(skip)) || skip < 0) {
			return odataError(400, `Invalid value '${q.$skip}' for $skip query option found.`, null);
		}
		if (top !== undefined && (!Number.isInteger(top) || top < 0)) {
			return odataError(400, `Invalid value '${q.$top}' for $top query option found.`, null);
		}
		if (top !== undefined && maxTop !== null && top > maxTop) {
			return odataError(
				400,
				`The query specified in the URI is not valid. The limit of '${maxTop}' for Top query has been exceeded. The value from the incoming request is '${top}'.`,
				null,
			);
		}
		if (top === undefined && options.pageSize) top = options.pageSize;
		const page = list.slice(skip, top === undefined ? undefined : skip + top).map((e) => selectFields(e, q.$select));
		const extra = {};
		if (String(q.$count).toLowerCase() === 'true') extra['@odata.count'] = list.length;
		const context = options.context !== undefined ? options.context : req.odataContext;
		return json(odataCollection(page, context, extra));
	};
	responder.entities = entities;
	return responder;
}

/**
 * A responder that answers with each response in turn; the last one repeats
 * (e.g. `sequence(odataError(500, 'x'), json({ Id: 1 }))`).
 */
function sequence(...responders) {
	if (!responders.length) throw new Error('sequence() needs at least one responder');
	let i = 0;
	const responder = async (req) => {
		const r = responders[Math.min(i, responders.length - 1)];
		i += 1;
		return typeof r === 'function' ? r(req) : r;
	};
	Object.defineProperty(responder, 'calls', { get: () => i });
	return responder;
}

/** `n` entities built by `make(i)` (i from 0), default `{ Id: i + 1, Name: 'Item i+1' }`. */
function makeEntities(n, make) {
	const out = [];
	for (let i = 0; i < n; i++) out.push(make ? make(i) : { Id: i + 1, Name: `Item ${i + 1}` });
	return out;
}

const helpers = { json, created, noContent, empty, raw, html, binary, odataError, xapiWarning, odataCollection, collection, sequence, makeEntities };

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

/* ------------------------------------------------------------------ */
/* the server                                                          */
/* ------------------------------------------------------------------ */

class XapiServer {
	constructor(options = {}) {
		this.initialOptions = { ...DEFAULT_OPTIONS, ...options };
		this.options = { ...this.initialOptions };
		this.server = undefined;
		this.sockets = new Set();
		this.port = undefined;
		this.baseUrl = undefined;
		this.seq = 0;
		this.tokenSeq = 0;
		this.pendingDelays = new Set();
		this.clearState();
	}

	clearState() {
		/** @type {any[]} */
		this.requests = [];
		this.routes = [];
		this.handler = undefined;
		this.tokenHandler = undefined;
		this.issuedTokens = [];
		this.validTokens = new Map(); // token -> expiry (ms since epoch)
	}

	/* ---------------- lifecycle ---------------- */

	async start() {
		if (this.server) return { baseUrl: this.baseUrl, port: this.port };
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
			this.server.listen(0, '127.0.0.1', () => {
				this.server.off('error', reject);
				resolve();
			});
		});
		this.port = this.server.address().port;
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
		const closed = new Promise((resolve) => server.close(() => resolve()));
		if (typeof server.closeAllConnections === 'function') server.closeAllConnections();
		for (const socket of this.sockets) socket.destroy();
		this.sockets.clear();
		await closed;
	}

	/** Forget requests, routes, handlers and tokens; restore the constructor options. */
	reset() {
		this.clearState();
		const { https: useHttps } = this.options;
		this.options = { ...this.initialOptions, https: useHttps };
		return this;
	}

	/** Change options at runtime (not `https`, which needs a restart). */
	configure(options) {
		Object.assign(this.options, options);
		return this;
	}

	url(p = '') {
		return `${this.baseUrl}${p}`;
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

	isTokenValid(token) {
		if (!token || !this.validTokens.has(token)) return false;
		if (this.options.enforceExpiry && Date.now() >= this.validTokens.get(token)) return false;
		return true;
	}

	/** Invalidate every issued token (next API call gets 401). */
	revokeTokens() {
		this.validTokens.clear();
		return this;
	}

	/** Alias of revokeTokens(): "the token expired". */
	expireToken() {
		return this.revokeTokens();
	}

	revokeToken(token) {
		this.validTokens.delete(token);
		return this;
	}

	/**
	 * Register a token as valid without a token request (e.g. to pre-seed a
	 * credential). Respects `invalidatePreviousTokens`.
	 */
	issueToken() {
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
					sub: String(this.options.clientId),
					jti: `${this.tokenSeq}-${crypto.randomBytes(6).toString('hex')}`,
					iat: Math.floor(serverNow / 1000),
					exp: Math.floor((serverNow + expiresInMs) / 1000),
					iss: this.baseUrl,
				}),
			);
			token = `${header}.${payload}.${base64url(crypto.randomBytes(24))}`;
		}
		if (this.options.invalidatePreviousTokens) this.validTokens.clear();
		this.validTokens.set(token, now + expiresInMs);
		this.issuedTokens.push(token);
		return token;
	}

	/** `expires_in` as the token endpoint writes it: seconds (20.0.9 and later) or minutes (before). */
	expiresInField() {
		const seconds = this.options.expiresIn;
		return this.options.expiresInUnit === 'minutes' ? Math.round(seconds / 60) : seconds;
	}

	/** Override the token endpoint: `(req) => response | undefined` (undefined = default behaviour). */
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
	 */
	route(method, matcher, responder, options = {}) {
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

	get(matcher, responder, options) {
		return this.route('GET', matcher, responder, options);
	}

	post(matcher, responder, options) {
		return this.route('POST', matcher, responder, options);
	}

	patch(matcher, responder, options) {
		return this.route('PATCH', matcher, responder, options);
	}

	put(matcher, responder, options) {
		return this.route('PUT', matcher, responder, options);
	}

	delete(matcher, responder, options) {
		return this.route('DELETE', matcher, responder, options);
	}

	/** Fallback handler for requests no route matched: `(req) => response | undefined`. */
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
			odataContext: entitySet ? `${this.baseUrl}${API_PREFIX}/$metadata#${entitySet}` : undefined,
			response: undefined,
		};
	}

	/** A delay that `stop()` cuts short, so a test never waits for a slow answer after it ended. */
	delay(ms) {
		return new Promise((resolve) => {
			const pending = { resolve, timer: undefined };
			pending.timer = setTimeout(() => {
				this.pendingDelays.delete(pending);
				resolve();
			}, ms);
			this.pendingDelays.add(pending);
		});
	}

	async handle(nodeReq, res, body) {
		const req = this.buildRecord(nodeReq, body);
		this.requests.push(req);

		let response;
		if (req.kind === 'token' && req.method === 'POST') {
			if (this.tokenHandler) response = await this.tokenHandler(req);
			if (!response) response = this.tokenResponse(req);
		} else {
			response = await this.apiResponse(req);
		}
		await this.send(req, res, response);
	}

	tokenResponse(req) {
		const form = req.form || {};
		const contentType = req.contentType || '';
		if (!contentType.includes('application/x-www-form-urlencoded')) {
			return json({ error: 'invalid_request', error_description: 'The mandatory client credentials are missing.' }, 400);
		}
		let clientId = form.client_id;
		let clientSecret = form.client_secret;
		const mode = this.options.tokenAuth;
		const basic = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization || ''));
		if (basic && (mode === 'header' || mode === 'both')) {
			const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
			clientId = safeDecode(id || '');
			clientSecret = safeDecode(secret || '');
		} else if (mode === 'header') {
			clientId = undefined;
			clientSecret = undefined;
		}
		if (form.grant_type !== 'client_credentials') {
			return json({ error: 'unsupported_grant_type', error_description: `The grant type '${form.grant_type}' is not supported.` }, 400);
		}
		if (clientId !== String(this.options.clientId) || clientSecret !== String(this.options.clientSecret)) {
			return json({ error: 'unauthorized', error_description: 'The client credentials are invalid.' }, 401);
		}
		const token = this.issueToken();
		req.issuedToken = token;
		return json(
			{ token_type: 'Bearer', expires_in: this.expiresInField(), access_token: token, refresh_token: null },
			200,
			{ 'cache-control': 'no-store', pragma: 'no-cache' },
		);
	}

	async apiResponse(req) {
		req.authorized = this.isTokenValid(req.token);
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
		let response;
		if (route) {
			route.calls += 1;
			req.route = route;
			response = typeof route.responder === 'function' ? await route.responder(req) : route.responder;
		}
		if (!response && this.handler) response = await this.handler(req);
		if (!response) {
			if (req.kind === 'api') {
				response = json(odataCollection([], req.odataContext));
			} else {
				response = raw('Not Found', 'text/plain', 404);
			}
		}
		return response;
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
		if (req.kind === 'api' && this.options.version && !headers['x-3cx-version']) {
			headers['x-3cx-version'] = this.options.version;
		}
		const status = r.status || 200;
		if (status !== 204 && status !== 304) headers['content-length'] = String(bodyBuf.length);
		req.response = { status, headers, body: bodyBuf, bodyText: bodyBuf.toString('utf8') };
		res.writeHead(status, headers);
		res.end(status === 204 || status === 304 ? undefined : bodyBuf);
	}
}

function createXapiServer(options) {
	return new XapiServer(options);
}

module.exports = {
	XapiServer,
	createXapiServer,
	selfSignedCertificate,
	helpers,
	...helpers,
	TOKEN_PATH,
	API_PREFIX,
	ODATA_JSON,
	DEFAULT_OPTIONS,
};
