'use strict';
/**
 * A small fake 3CX server for the end-to-end tests (loopback only).
 *
 * - POST /connect/token  (client_credentials, form fields or Basic auth) issues a JWT-shaped token.
 *   As on a real 3CX, only the newest token of a client is valid: issuing one revokes the older.
 * - /xapi/v1/...         refuses requests without the current bearer token (401), otherwise routes
 *   the request to a handful of in-memory handlers (Users, Backups, ReportQueueCallbacks, Defs),
 *   and answers other spec operations generically.
 * - Every request is recorded (method, raw and decoded path, query, body, status, operation).
 * - The token can be expired on demand, or after N more API requests (mid-run expiry).
 * - When the OpenAPI spec is available (../shared/xapi-spec/xapi-20.0.10.yaml relative to the
 *   repository, or FAKE_3CX_SPEC), each API request is matched against the spec's path templates
 *   and checked: method, OData key/function literal formats (integers bare, strings single-quoted
 *   with '' doubling, date-times bare ISO-8601), query options, body property names and types.
 *   Without the spec these checks are skipped (and reported as skipped).
 *
 * Use from code:   const { createFake3cx } = require('./fake-3cx'); const fake = await createFake3cx({...}).start();
 * Or standalone:   node e2e/fake-3cx.js [--port 0]   (prints the URL; control under /__fake/)
 */
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const DEFAULT_SPEC = path.resolve(__dirname, '..', '..', 'shared', 'xapi-spec', 'xapi-20.0.10.yaml');
const API_PREFIX = '/xapi/v1';
const MAX_TOP = 100;

// ------------------------------------------------------------------ spec loading and matching

async function loadYaml(file) {
	const text = fs.readFileSync(file, 'utf8');
	const tries = [
		() => require('js-yaml').load(text),
		() => require('yaml').parse(text, { maxAliasCount: -1 }),
	];
	for (const t of tries) {
		try {
			return t();
		} catch (e) {
			if (e && e.code !== 'MODULE_NOT_FOUND') throw e;
		}
	}
	// @apidevtools/swagger-parser is a devDependency of the package (used by the generator)
	const SwaggerParser = require('@apidevtools/swagger-parser');
	return SwaggerParser.parse(file);
}

function escapeRe(s) {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const SLASH = '\u0000'; // stands for an encoded "/" (%2F) inside a path literal

/** One OData literal: a quoted string (with '' escapes), or a bare token without , ( ) ' /. */
const LITERAL_RE = "((?:[A-Za-z][\\w.]*)?'(?:[^']|'')*'|[^,()'/]*)";

class Spec {
	constructor(doc, file) {
		this.doc = doc;
		this.file = file;
		this.ops = [];
		for (const [template, item] of Object.entries(doc.paths || {})) {
			const names = [];
			const re = new RegExp(
				'^' +
					template
						.split(/(\{[^}]+\})/)
						.map((part) => {
							const m = /^\{([^}]+)\}$/.exec(part);
							if (m) {
								names.push(m[1]);
								return LITERAL_RE;
							}
							return escapeRe(part);
						})
						.join('') +
					'$',
			);
			for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
				const op = item[method];
				if (!op) continue;
				const params = [...(item.parameters || []), ...(op.parameters || [])].map((p) => this.deref(p));
				this.ops.push({
					template,
					method: method.toUpperCase(),
					operationId: op.operationId,
					tag: (op.tags || [])[0],
					kind: op['x-ms-docs-operation-type'] || 'operation',
					re,
					names,
					params,
					op,
				});
			}
		}
	}

	deref(obj) {
		let o = obj;
		const seen = new Set();
		while (o && o.$ref && !seen.has(o.$ref)) {
			seen.add(o.$ref);
			o = o.$ref
				.replace(/^#\//, '')
				.split('/')
				.reduce((a, k) => (a ? a[k.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), this.doc);
		}
		return o;
	}

	/** Flattened view of a schema: { type, format, nullable, pattern, enum, properties, items, additional } */
	flat(schema, depth = 0) {
		const s = this.deref(schema) || {};
		if (depth > 20) return { type: undefined };
		const out = {
			type: s.type,
			format: s.format,
			nullable: !!s.nullable,
			pattern: s.pattern,
			enum: s.enum,
			items: s.items,
			properties: { ...(s.properties || {}) },
			additional: s.additionalProperties,
		};
		for (const part of s.allOf || []) {
			const f = this.flat(part, depth + 1);
			out.type = out.type || f.type;
			out.format = out.format || f.format;
			out.enum = out.enum || f.enum;
			out.items = out.items || f.items;
			out.pattern = out.pattern || f.pattern;
			Object.assign(out.properties, f.properties);
		}
		for (const key of ['anyOf', 'oneOf']) {
			for (const part of s[key] || []) {
				const f = this.flat(part, depth + 1);
				if (f.type === undefined && !f.enum && !Object.keys(f.properties).length) out.nullable = true;
				out.type = out.type || f.type;
				out.enum = out.enum || f.enum;
				Object.assign(out.properties, f.properties);
			}
		}
		if (!out.type && Object.keys(out.properties).length) out.type = 'object';
		if (!out.type && out.enum) out.type = 'string';
		return out;
	}

	/**
	 * Finds the operation for a request. `decodedPath` is the path after /xapi/v1, decoded, with
	 * encoded slashes replaced by SLASH. Returns { match, problems } where match may be null.
	 */
	match(method, decodedPath) {
		const candidates = [];
		for (const op of this.ops) {
			const m = op.re.exec(decodedPath);
			if (!m) continue;
			const values = {};
			const problems = [];
			op.names.forEach((name, i) => {
				const literal = m[i + 1].split(SLASH).join('/');
				values[name] = literal;
				const param = op.params.find((p) => p.name === name && p.in === 'path');
				const err = this.checkLiteral(literal, param ? param.schema : undefined);
				if (err) problems.push(`path parameter ${name}=${literal}: ${err}`);
			});
			candidates.push({ op, values, problems, methodOk: op.method === method });
		}
		if (!candidates.length) return { match: null, problems: [`no path template of the spec matches ${decodedPath}`] };
		const score = (c) => (c.methodOk ? 0 : 2) + (c.problems.length ? 1 : 0);
		candidates.sort((a, b) => score(a) - score(b));
		const best = candidates[0];
		if (!best.methodOk) {
			return {
				match: best,
				problems: [
					`method ${method} not defined for ${best.op.template} (spec has ${candidates
						.filter((c) => c.op.template === best.op.template)
						.map((c) => c.op.method)
						.join(', ')})`,
					...best.problems,
				],
			};
		}
		return { match: best, problems: best.problems };
	}

	checkLiteral(literal, schema) {
		const s = this.flat(schema || {});
		if (s.nullable && literal === 'null') return null;
		const quoted = /^'(?:[^']|'')*'$/.test(literal);
		switch (s.type) {
			case 'integer':
				return /^-?\d+$/.test(literal) ? null : 'an integer must be bare (no quotes)';
			case 'number':
				return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(literal) ? null : 'a number must be bare';
			case 'boolean':
				return /^(true|false)$/.test(literal) ? null : 'a boolean must be true or false';
			case 'string': {
				if (s.format === 'date-time') {
					if (quoted) return 'a date-time must be bare ISO-8601, not quoted';
					const re = s.pattern ? new RegExp(s.pattern) : /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;
					return re.test(literal) ? null : 'not an ISO-8601 date-time (e.g. 2025-01-01T00:00:00Z)';
				}
				if (s.format === 'date') return /^\d{4}-\d\d-\d\d$/.test(literal) ? null : 'a date must be bare YYYY-MM-DD';
				if (s.format === 'uuid') return /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(literal) ? null : 'a GUID must be bare';
				if (s.enum) return /^([A-Za-z][\w.]*)?'[^']*'$/.test(literal) ? null : "an enum member must be quoted ('Value')";
				if (!quoted) return "a string must be single-quoted, with ' doubled ('')";
				return null;
			}
			default:
				return null;
		}
	}

	checkQuery(match, query) {
		const problems = [];
		for (const key of Object.keys(query)) {
			const p = match.op.params.find((x) => x.name === key && x.in === 'query');
			if (!p) {
				problems.push(`query option ${key} is not declared for ${match.op.operationId}`);
				continue;
			}
			const s = this.flat(p.schema || {});
			const v = query[key];
			if (s.type === 'integer' && !/^\d+$/.test(v)) problems.push(`query ${key}=${v} is not an integer`);
			if (s.type === 'boolean' && !/^(true|false)$/.test(v)) problems.push(`query ${key}=${v} is not a boolean`);
		}
		return problems;
	}

	checkValue(value, schema, where, problems, depth = 0) {
		if (depth > 6) return;
		const s = this.flat(schema || {});
		if (value === null) {
			if (!s.nullable && s.type) problems.push(`${where}: null but not nullable`);
			return;
		}
		const t = Array.isArray(value) ? 'array' : typeof value;
		switch (s.type) {
			case 'integer':
				if (!(t === 'number' && Number.isInteger(value))) problems.push(`${where}: expected integer, got ${JSON.stringify(value)}`);
				break;
			case 'number':
				if (t !== 'number') problems.push(`${where}: expected number, got ${JSON.stringify(value)}`);
				break;
			case 'boolean':
				if (t !== 'boolean') problems.push(`${where}: expected boolean, got ${JSON.stringify(value)}`);
				break;
			case 'string':
				if (t !== 'string') problems.push(`${where}: expected string, got ${JSON.stringify(value)}`);
				else if (s.enum && !s.enum.includes(value)) problems.push(`${where}: ${JSON.stringify(value)} is not one of the enum values`);
				else if (s.format === 'date-time' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value))
					problems.push(`${where}: ${JSON.stringify(value)} is not an ISO-8601 date-time`);
				break;
			case 'array':
				if (t !== 'array') problems.push(`${where}: expected array, got ${JSON.stringify(value)}`);
				else value.forEach((v, i) => this.checkValue(v, s.items, `${where}[${i}]`, problems, depth + 1));
				break;
			case 'object':
				if (t !== 'object') {
					problems.push(`${where}: expected object, got ${JSON.stringify(value)}`);
					break;
				}
				for (const [k, v] of Object.entries(value)) {
					if (k.startsWith('@odata.')) continue;
					if (!(k in s.properties)) {
						if (!s.additional) problems.push(`${where}.${k}: property not in the spec schema`);
						continue;
					}
					this.checkValue(v, s.properties[k], `${where}.${k}`, problems, depth + 1);
				}
				break;
			default:
				break;
		}
	}

	checkBody(match, body, contentType) {
		const problems = [];
		const rb = this.deref(match.op.op.requestBody);
		if (!rb) {
			if (body !== undefined && body !== '' && !(body && typeof body === 'object' && !Object.keys(body).length))
				problems.push(`${match.op.operationId} takes no request body, got ${JSON.stringify(body).slice(0, 200)}`);
			return problems;
		}
		if (body === undefined || body === '') {
			if (rb.required) problems.push(`${match.op.operationId} requires a JSON body`);
			return problems;
		}
		if (!/application\/json/i.test(contentType || '')) problems.push(`content-type ${contentType} is not application/json`);
		const media = rb.content && (rb.content['application/json'] || Object.values(rb.content)[0]);
		if (media && media.schema) this.checkValue(body, media.schema, 'body', problems);
		return problems;
	}
}

// ------------------------------------------------------------------ fake data

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

function odataError(message, details) {
	return { error: { code: '', message, ...(details ? { details } : {}) } };
}

/** The $filter subset list searches use: contains(F,'x'), startswith(F,'x'), F eq 'x' / F eq 1, joined by or / and. */
function compileFilter(filter) {
	const STR = "'((?:[^']|'')*)'";
	const parts = filter.split(/\s+(or|and)\s+/i);
	const tests = [];
	const ops = [];
	for (let i = 0; i < parts.length; i++) {
		if (i % 2) {
			ops.push(parts[i].toLowerCase());
			continue;
		}
		const t = parts[i].trim().replace(/^\((.*)\)$/, '$1');
		let m;
		if ((m = new RegExp(`^(contains|startswith|endswith)\\((\\w+),\\s*${STR}\\)$`, 'i').exec(t))) {
			const [, fn, field, raw] = m;
			const v = raw.replace(/''/g, "'").toLowerCase();
			tests.push((e) => {
				const x = String(e[field] ?? '').toLowerCase();
				return fn.toLowerCase() === 'contains' ? x.includes(v) : fn.toLowerCase() === 'startswith' ? x.startsWith(v) : x.endsWith(v);
			});
		} else if ((m = new RegExp(`^(\\w+)\\s+eq\\s+(?:${STR}|(-?\\d+)|(true|false))$`, 'i').exec(t))) {
			const [, field, s, n, b] = m;
			const v = s !== undefined ? s.replace(/''/g, "'") : n !== undefined ? Number(n) : b === 'true';
			tests.push((e) => e[field] === v);
		} else return null;
	}
	return (e) => {
		let r = tests[0](e);
		for (let i = 0; i < ops.length; i++) r = ops[i] === 'or' ? r || tests[i + 1](e) : r && tests[i + 1](e);
		return r;
	};
}

function unquote(literal) {
	const m = /^'((?:[^']|'')*)'$/.exec(literal || '');
	return m ? m[1].replace(/''/g, "'") : literal;
}

// ------------------------------------------------------------------ the server

function createFake3cx(options = {}) {
	const opts = {
		host: '127.0.0.1',
		port: 0,
		clientId: '900',
		clientSecret: 'fake-secret',
		userCount: 250,
		specPath: process.env.FAKE_3CX_SPEC || DEFAULT_SPEC,
		log: false,
		...options,
	};
	const state = {
		requests: [],
		seq: 0,
		tokens: new Map(), // clientId -> current token
		tokenCounter: 0,
		expireAfter: null, // number of API requests after which the token is revoked
		users: makeUsers(opts.userCount),
		spec: null,
		specStatus: 'not loaded',
	};

	function issueToken(clientId) {
		state.tokenCounter += 1;
		const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
		const now = Math.floor(Date.now() / 1000);
		const token = [
			b64({ alg: 'HS256', typ: 'JWT' }),
			b64({ sub: clientId, n: state.tokenCounter, iat: now, exp: now + 3600 }),
			crypto.randomBytes(16).toString('base64url'),
		].join('.');
		state.tokens.set(clientId, token);
		return token;
	}

	function currentClientOf(token) {
		for (const [client, t] of state.tokens) if (t === token) return client;
		return null;
	}

	const api = {
		state,
		get url() {
			return `http://${opts.host}:${api.port}`;
		},
		port: null,
		options: opts,
		/** Revoke all current tokens now. */
		expireToken() {
			state.tokens.clear();
		},
		/** Revoke the token after `n` more authorised API requests (n=1: the next one succeeds, the one after gets 401). */
		expireTokenAfter(n) {
			state.expireAfter = n;
		},
		/** Restore the fake data (users) and clear any pending expiry; keeps tokens and the request log. */
		resetData() {
			state.expireAfter = null;
			state.users = makeUsers(opts.userCount);
		},
		reset() {
			state.requests = [];
			api.resetData();
		},
		/** Recorded requests since index `from`. */
		requestsSince(from = 0) {
			return state.requests.slice(from);
		},
		mark() {
			return state.requests.length;
		},
		specInfo() {
			return { available: !!state.spec, status: state.specStatus, file: opts.specPath };
		},
		async start() {
			if (opts.specPath && fs.existsSync(opts.specPath)) {
				const t0 = Date.now();
				try {
					state.spec = new Spec(await loadYaml(opts.specPath), opts.specPath);
					state.specStatus = `loaded ${state.spec.ops.length} operations in ${Date.now() - t0} ms`;
				} catch (e) {
					state.specStatus = `spec could not be parsed (${e.message}); spec checks SKIPPED`;
				}
			} else {
				state.specStatus = `spec not found at ${opts.specPath}; spec checks SKIPPED`;
			}
			await new Promise((resolve, reject) => {
				server.once('error', reject);
				server.listen(opts.port, opts.host, resolve);
			});
			api.port = server.address().port;
			return api;
		},
		/**
		 * Checks the checker: sends known-good and known-bad requests to itself and verifies that the
		 * spec checks flag exactly the bad ones. Leaves no tokens or recorded requests behind.
		 */
		async selfTest() {
			if (!state.spec) return { ok: true, skipped: true, failures: [] };
			const failures = [];
			const form = `client_id=${encodeURIComponent(opts.clientId)}&client_secret=${encodeURIComponent(opts.clientSecret)}&grant_type=client_credentials`;
			const tok = await (await fetch(`${api.url}/connect/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })).json();
			const headers = { authorization: `Bearer ${tok.access_token}`, 'content-type': 'application/json' };
			const probes = [
				['GET', "/Users(29)", undefined, false],
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
				const mark = state.requests.length;
				await fetch(`${api.url}${API_PREFIX}${p}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
				const rec = state.requests[mark];
				const flagged = !!(rec && rec.specProblems.length);
				if (flagged !== bad) failures.push(`${method} ${p} ${body ? JSON.stringify(body) : ''}: expected ${bad ? 'a spec problem' : 'no problem'}, got ${rec ? JSON.stringify(rec.specProblems) : 'no record'}`);
			}
			state.tokens.clear();
			state.requests = [];
			return { ok: failures.length === 0, skipped: false, failures, probes: probes.length };
		},
		async stop() {
			await new Promise((resolve) => server.close(() => resolve()));
			server.closeAllConnections && server.closeAllConnections();
		},
	};

	// -------------------------------------------------------------- handlers by operationId

	const paginate = (all, query, res, rec, contextName) => {
		const top = query.$top !== undefined ? Number(query.$top) : undefined;
		const skip = query.$skip !== undefined ? Number(query.$skip) : 0;
		if (top !== undefined && top > MAX_TOP) {
			return send(res, rec, 400, odataError(`The limit of '${MAX_TOP}' for Top query has been exceeded. The value from the incoming request is '${top}'.`));
		}
		let list = all;
		if (query.$filter) {
			const test = compileFilter(query.$filter);
			if (!test) return send(res, rec, 400, odataError(`The fake 3CX does not understand $filter=${query.$filter}`));
			list = list.filter(test);
		}
		if (query.$orderby) {
			const [field, dir] = query.$orderby.split(',')[0].trim().split(/\s+/);
			const sign = /^desc$/i.test(dir || '') ? -1 : 1;
			list = [...list].sort((a, b) => (a[field] > b[field] ? sign : a[field] < b[field] ? -sign : 0));
		}
		let items = list.slice(skip, top !== undefined ? skip + top : undefined);
		if (query.$select) {
			const keep = query.$select.split(',');
			items = items.map((u) => Object.fromEntries(Object.entries(u).filter(([k]) => keep.includes(k))));
		}
		const body = { '@odata.context': `${api.url}${API_PREFIX}/$metadata#${contextName}`, value: items };
		if (query.$count === 'true') body['@odata.count'] = list.length;
		return send(res, rec, 200, body);
	};

	const findUser = (id) => state.users.find((u) => u.Id === id);
	const notFound = (res, rec) => send(res, rec, 404, odataError('Not found', [{ code: '', message: 'WARNINGS.XAPI.NOT_FOUND', target: 'Id' }]));

	const handlers = {
		GetUser: ({ values }, req, res, rec) => {
			const u = findUser(Number(values.Id));
			return u ? send(res, rec, 200, { '@odata.context': `${api.url}${API_PREFIX}/$metadata#Users/$entity`, ...u }) : notFound(res, rec);
		},
		GetUserByNumber: ({ values }, req, res, rec) => {
			const n = unquote(values.Number);
			const u = state.users.find((x) => x.Number === n);
			return u ? send(res, rec, 200, { '@odata.context': `${api.url}${API_PREFIX}/$metadata#Users/$entity`, ...u }) : notFound(res, rec);
		},
		ListUser: (m, req, res, rec) => paginate(state.users, rec.query, res, rec, 'Users'),
		CreateUser: (m, req, res, rec) => {
			const body = rec.body || {};
			if (body.Number && state.users.some((u) => u.Number === body.Number)) {
				return send(
					res,
					rec,
					400,
					odataError('Number:\nWARNINGS.XAPI.ALREADY_IN_USE', [{ code: '', message: 'WARNINGS.XAPI.ALREADY_IN_USE', target: 'Number' }]),
				);
			}
			const user = { Id: Math.max(0, ...state.users.map((u) => u.Id)) + 1, ...body };
			state.users.push(user);
			return send(res, rec, 201, { '@odata.context': `${api.url}${API_PREFIX}/$metadata#Users/$entity`, ...user });
		},
		UpdateUser: ({ values }, req, res, rec) => {
			const u = findUser(Number(values.Id));
			if (!u) return notFound(res, rec);
			Object.assign(u, rec.body || {});
			return send(res, rec, 204);
		},
		DeleteUser: ({ values }, req, res, rec) => {
			const id = Number(values.Id);
			if (!findUser(id)) return notFound(res, rec);
			state.users = state.users.filter((u) => u.Id !== id);
			return send(res, rec, 204);
		},
		GetFirstAvailableExtensionNumber: (m, req, res, rec) => {
			const used = new Set(state.users.map((u) => u.Number));
			let n = 100;
			while (used.has(String(n))) n++;
			return send(res, rec, 200, { '@odata.context': `${api.url}${API_PREFIX}/$metadata#Pbx.FirstAvailableNumber`, Number: String(n) });
		},
		GetBackupExtras: ({ values }, req, res, rec) =>
			send(res, rec, 200, {
				'@odata.context': `${api.url}${API_PREFIX}/$metadata#Pbx.BackupExtras`,
				Footprint: 7,
				IsEncrypted: false,
				Version: `20.0.10 (${unquote(values.FileName)})`,
			}),
		GetQueueCallbacksData: ({ values }, req, res, rec) => {
			const rows = [1, 2, 3].map((i) => ({
				QueueDn: unquote(values.queueDnStr),
				CallbacksCount: i,
				StartDt: values.startDt,
				EndDt: values.endDt,
			}));
			return paginate(rows, rec.query, res, rec, 'Collection(Pbx.QueueCallbacks)');
		},
		RebootPhone: (m, req, res, rec) => send(res, rec, 204),
		GetDefs: (m, req, res, rec) => send(res, rec, 200, { '@odata.context': `${api.url}${API_PREFIX}/$metadata#Defs(Id)`, Id: 1 }),
	};

	// Built-in routes for the handlers, used when the spec is absent (and to cross-check when present)
	const Q = "('(?:[^']|'')*')";
	const builtinRoutes = [
		['GET', /^\/Users\((-?\d+)\)$/, 'GetUser', ['Id']],
		['PATCH', /^\/Users\((-?\d+)\)$/, 'UpdateUser', ['Id']],
		['DELETE', /^\/Users\((-?\d+)\)$/, 'DeleteUser', ['Id']],
		['GET', new RegExp(`^/Users\\(Number=${Q}\\)$`), 'GetUserByNumber', ['Number']],
		['GET', /^\/Users$/, 'ListUser', []],
		['POST', /^\/Users$/, 'CreateUser', []],
		['GET', /^\/Users\/Pbx\.GetFirstAvailableExtensionNumber\(\)$/, 'GetFirstAvailableExtensionNumber', []],
		['GET', new RegExp(`^/Backups\\(${Q}\\)/Pbx\\.GetBackupExtras\\(\\)$`), 'GetBackupExtras', ['FileName']],
		[
			'GET',
			new RegExp(`^/ReportQueueCallbacks/Pbx\\.GetQueueCallbacksData\\(queueDnStr=${Q},startDt=([^,()']+),endDt=([^,()']+)\\)$`),
			'GetQueueCallbacksData',
			['queueDnStr', 'startDt', 'endDt'],
		],
		['POST', /^\/Users\/Pbx\.RebootPhone$/, 'RebootPhone', []],
		['GET', /^\/Defs$/, 'GetDefs', []],
	];

	function builtinMatch(method, decodedPath) {
		for (const [m, re, operationId, names] of builtinRoutes) {
			if (m !== method) continue;
			const x = re.exec(decodedPath);
			if (!x) continue;
			const values = {};
			names.forEach((n, i) => (values[n] = x[i + 1].split(SLASH).join('/')));
			return { operationId, values };
		}
		return null;
	}

	function send(res, rec, status, body, headers = {}) {
		rec.status = status;
		const h = { 'OData-Version': '4.0', 'X-3CX-Version': '20.0.10.000', ...headers };
		if (body === undefined) {
			res.writeHead(status, h);
			res.end();
			return;
		}
		const text = JSON.stringify(body);
		rec.responseBody = text.length > 2000 ? text.slice(0, 2000) + '…' : text;
		res.writeHead(status, { ...h, 'Content-Type': 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8' });
		res.end(text);
	}

	function handleToken(req, res, rec, unredactedBody) {
		const form = new URLSearchParams(unredactedBody || '');
		let clientId = form.get('client_id');
		let secret = form.get('client_secret');
		const auth = req.headers.authorization || '';
		if ((!clientId || !secret) && /^Basic /i.test(auth)) {
			const [id, ...rest] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
			clientId = clientId || decodeURIComponent(id);
			secret = secret || decodeURIComponent(rest.join(':'));
		}
		rec.token = { clientId, grantType: form.get('grant_type'), via: form.get('client_secret') ? 'body' : /^Basic /i.test(auth) ? 'basic' : 'none' };
		if (req.method !== 'POST') return send(res, rec, 405, { error: 'invalid_request', error_description: 'POST expected' });
		if (!/application\/x-www-form-urlencoded/i.test(req.headers['content-type'] || ''))
			return send(res, rec, 400, { error: 'invalid_request', error_description: 'The content type must be application/x-www-form-urlencoded' });
		if (form.get('grant_type') !== 'client_credentials')
			return send(res, rec, 400, { error: 'unsupported_grant_type', error_description: `grant_type ${form.get('grant_type')} not supported` });
		if (clientId !== opts.clientId || secret !== opts.clientSecret) {
			return send(res, rec, 401, { error: 'unauthorized', error_description: 'Invalid client_id or client_secret' });
		}
		const token = issueToken(clientId);
		rec.token.issued = token.slice(-8);
		return send(res, rec, 200, { token_type: 'Bearer', expires_in: 3600, access_token: token, refresh_token: null });
	}

	function handleApi(req, res, rec) {
		const auth = req.headers.authorization || '';
		const m = /^Bearer (.+)$/i.exec(auth);
		const client = m ? currentClientOf(m[1]) : null;
		rec.auth = m ? (client ? 'valid' : 'revoked-or-unknown') : auth ? 'not-bearer' : 'missing';
		if (!client) {
			return send(res, rec, 401, undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
		}
		if (state.expireAfter !== null) {
			if (state.expireAfter <= 0) {
				state.expireAfter = null;
				state.tokens.delete(client);
				rec.auth = 'expired-now';
				return send(res, rec, 401, undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The token expired"' });
			}
			state.expireAfter -= 1;
		}
		const sub = rec.decodedPath.slice(API_PREFIX.length) || '/';
		let match = null;
		let badLiteral = false;
		if (state.spec) {
			const r = state.spec.match(req.method, sub);
			rec.specProblems.push(...r.problems);
			badLiteral = r.match && r.match.problems.length > 0;
			if (r.match) {
				match = { operationId: r.match.op.operationId, values: r.match.values, spec: r.match };
				if (r.match.methodOk) {
					rec.specProblems.push(...state.spec.checkQuery(r.match, rec.query));
					rec.specProblems.push(...state.spec.checkBody(r.match, rec.body, req.headers['content-type']));
				}
			}
		}
		const builtin = builtinMatch(req.method, sub);
		if (builtin && match && builtin.operationId !== match.operationId && !rec.specProblems.length) {
			rec.specProblems.push(`fake routing disagrees with the spec: ${builtin.operationId} vs ${match.operationId}`);
		}
		if (builtin && (!match || !match.spec.methodOk || match.operationId === builtin.operationId)) match = { ...builtin, spec: match && match.spec };
		rec.operationId = match && (!match.spec || match.spec.methodOk || builtin) ? match.operationId : null;
		if (badLiteral && !builtin) {
			// a real 3CX answers a misformatted key or function parameter with a bare 404 (or 500)
			return send(res, rec, 404);
		}
		if (!rec.operationId) {
			return send(res, rec, 404, odataError(`No HTTP resource was found that matches the request URI '${rec.rawPath}'.`));
		}
		const handler = handlers[match.operationId];
		if (handler) return handler(match, req, res, rec);
		// generic answers for other spec operations
		const op = match.spec.op;
		if (req.method === 'GET') {
			const r200 = op.op.responses && op.op.responses['200'];
			const isCollection = JSON.stringify(r200 || {}).includes('CollectionResponse') || op.params.some((p) => p.name === '$top');
			return isCollection ? paginate([], rec.query, res, rec, op.tag) : send(res, rec, 200, {});
		}
		if (req.method === 'POST' && op.kind === 'operation') return send(res, rec, 201, { ...(rec.body || {}), Id: 1 });
		if (req.method === 'POST' && op.op.responses && op.op.responses['200']) return send(res, rec, 200, {});
		return send(res, rec, 204);
	}

	function handleControl(req, res, rec) {
		const sub = rec.decodedPath.slice('/__fake'.length);
		rec.control = true;
		if (sub === '/requests') return send(res, rec, 200, state.requests.filter((r) => !r.control));
		if (sub === '/expire-token') {
			api.expireToken();
			return send(res, rec, 200, { ok: true });
		}
		if (sub === '/expire-token-after') {
			api.expireTokenAfter(Number(rec.query.n || 1));
			return send(res, rec, 200, { ok: true });
		}
		if (sub === '/reset') {
			api.reset();
			return send(res, rec, 200, { ok: true });
		}
		if (sub === '/spec') return send(res, rec, 200, api.specInfo());
		return send(res, rec, 404, { error: 'unknown control' });
	}

	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const url = req.url || '/';
			const qIndex = url.indexOf('?');
			const rawPath = qIndex >= 0 ? url.slice(0, qIndex) : url;
			const rawQuery = qIndex >= 0 ? url.slice(qIndex + 1) : '';
			let decodedPath;
			try {
				decodedPath = decodeURIComponent(rawPath.replace(/%2F/gi, SLASH));
			} catch {
				decodedPath = rawPath;
			}
			const query = {};
			for (const [k, v] of new URLSearchParams(rawQuery)) query[k] = v;
			const rawBody = Buffer.concat(chunks).toString('utf8');
			let body;
			if (rawBody) {
				if (/json/i.test(req.headers['content-type'] || '')) {
					try {
						body = JSON.parse(rawBody);
					} catch {
						body = rawBody;
					}
				} else body = rawBody;
			}
			const rec = {
				seq: ++state.seq,
				time: new Date().toISOString(),
				method: req.method,
				rawPath,
				path: decodedPath.split(SLASH).join('%2F'),
				decodedPath,
				rawQuery,
				query,
				headers: {
					authorization: req.headers.authorization ? req.headers.authorization.replace(/^(Bearer|Basic) (.{6}).*$/i, '$1 $2…') : undefined,
					'content-type': req.headers['content-type'],
					accept: req.headers.accept,
					'user-agent': req.headers['user-agent'],
				},
				rawBody: rawPath === '/connect/token' ? rawBody.replace(/client_secret=[^&]*/, 'client_secret=***') : rawBody,
				body: rawPath === '/connect/token' ? undefined : body,
				status: null,
				operationId: null,
				specProblems: [],
			};
			if (!rec.rawPath.startsWith('/__fake/')) state.requests.push(rec);
			try {
				if (rawPath === '/connect/token') {
					rec.kind = 'token';
					return handleToken(req, res, rec, rawBody);
				}
				if (rawPath === API_PREFIX || rawPath.startsWith(API_PREFIX + '/')) {
					rec.kind = 'api';
					return handleApi(req, res, rec);
				}
				if (rawPath.startsWith('/__fake/')) return handleControl(req, res, rec);
				rec.kind = 'other';
				return send(res, rec, 404, { error: 'not found' });
			} catch (e) {
				rec.specProblems.push(`fake server error: ${e.stack}`);
				return send(res, rec, 500, odataError(String(e.message)));
			} finally {
				if (opts.log) console.error(`[fake-3cx] ${rec.method} ${rec.rawPath}${rawQuery ? '?' + rawQuery : ''} -> ${rec.status}`);
			}
		});
	});
	return api;
}

module.exports = { createFake3cx, Spec, loadYaml, DEFAULT_SPEC };

if (require.main === module) {
	const args = process.argv.slice(2);
	const get = (name, def) => {
		const i = args.indexOf(name);
		return i >= 0 ? args[i + 1] : def;
	};
	createFake3cx({
		port: Number(get('--port', process.env.FAKE_3CX_PORT || 0)),
		clientId: get('--client-id', '900'),
		clientSecret: get('--client-secret', 'fake-secret'),
		log: true,
	})
		.start()
		.then((fake) => {
			console.log(`fake 3CX listening on ${fake.url} (client id ${fake.options.clientId}, secret ${fake.options.clientSecret})`);
			console.log(`spec: ${fake.specInfo().status}`);
		});
}
