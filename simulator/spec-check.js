'use strict';
/**
 * The simulated 3CX's spec checks (switched on by the end-to-end run, `specCheck` option): each
 * API request is matched against 3CX's OpenAPI spec by method and path template and checked: key
 * and function-parameter literals (integers bare, strings single-quoted with '' doubling,
 * date-times bare ISO-8601, enums quoted), declared query options, body property names and types
 * (with $ref/allOf resolved).
 *
 * The spec is 3CX's file, found by the project's one spec locator (generator/spec-location.js:
 * XAPI_SPEC, else ../shared/xapi-spec/xapi-20.0.10.yaml next to the repository) and never copied
 * into the repository. Without it the checks are skipped, and loadSpec() says so in one line.
 */
const fs = require('node:fs');
const { SPEC_ENV, specLocation } = require('../generator/spec-location');

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

/** The spec file to use: `file`, else the one spec locator's (XAPI_SPEC, else the default beside the repository). */
function specPath(file) {
	return file || specLocation().file;
}

const specCache = new Map();

/**
 * Loads (once per file and process) the spec for the checks. Resolves with
 * { spec: Spec | null, available, status, file }; `status` is the one line to print, e.g.
 * "spec not found at …; spec checks SKIPPED (put 3CX's xapi-20.0.10.yaml there or set XAPI_SPEC)".
 */
async function loadSpec(file) {
	const f = specPath(file);
	if (specCache.has(f)) return specCache.get(f);
	let result;
	if (!fs.existsSync(f)) {
		result = { spec: null, available: false, file: f, status: `spec not found at ${f}; spec checks SKIPPED (put 3CX's xapi-20.0.10.yaml there or set ${SPEC_ENV}=<file>)` };
	} else {
		const t0 = Date.now();
		try {
			const spec = new Spec(await loadYaml(f), f);
			result = { spec, available: true, file: f, status: `loaded ${spec.ops.length} operations in ${Date.now() - t0} ms` };
		} catch (e) {
			result = { spec: null, available: false, file: f, status: `spec could not be parsed (${e.message}); spec checks SKIPPED` };
		}
	}
	specCache.set(f, result);
	return result;
}

/**
 * Checks one API request. `rawApiPath` is the path below /xapi/v1 as received (percent-encoded).
 * Returns { match, operationId, problems, badLiteral }.
 */
function checkRequest(spec, method, rawApiPath, query, body, contentType) {
	let decoded;
	try {
		decoded = decodeURIComponent((rawApiPath || '/').replace(/%2F/gi, SLASH));
	} catch {
		decoded = rawApiPath;
	}
	const problems = [];
	const r = spec.match(method, decoded);
	problems.push(...r.problems);
	const badLiteral = !!(r.match && r.match.problems.length > 0);
	if (r.match && r.match.methodOk) {
		problems.push(...spec.checkQuery(r.match, query));
		problems.push(...spec.checkBody(r.match, body, contentType));
	}
	return { match: r.match, operationId: r.match && r.match.methodOk ? r.match.op.operationId : null, problems, badLiteral };
}

/** The generic answer for a spec operation nothing else answered (as the old fake 3CX gave). */
function genericAnswer(match, method) {
	const op = match.op;
	if (method === 'GET') {
		const r200 = op.op.responses && op.op.responses['200'];
		const isCollection = JSON.stringify(r200 || {}).includes('CollectionResponse') || op.params.some((p) => p.name === '$top');
		return isCollection ? { collection: true, context: op.tag } : { status: 200, body: {} };
	}
	if (method === 'POST' && op.kind === 'operation') return { status: 201, echo: true };
	if (method === 'POST' && op.op.responses && op.op.responses['200']) return { status: 200, body: {} };
	return { status: 204 };
}

/** What is wrong with `value` against the spec's component schema `schemaName` (e.g. 'Pbx.User'): property names and types. */
function schemaProblems(spec, schemaName, value, where = schemaName) {
	const problems = [];
	spec.checkValue(value, { $ref: `#/components/schemas/${schemaName}` }, where, problems);
	return problems;
}

module.exports = { schemaProblems, Spec, loadYaml, loadSpec, specPath, checkRequest, genericAnswer, SLASH, LITERAL_RE };
