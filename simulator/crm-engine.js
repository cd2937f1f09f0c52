// @ts-check
'use strict';
/**
 * 3CX's server-side CRM engine, simulated: load a CRM template (XML), run the contact lookup the
 * way 3CX does while a call rings, and at call end run the call journal scenarios.
 *
 * Built to 3CX's documented template format ("CRM template XML description",
 * www.3cx.com/docs/server-side-crm-template-xml-description/) and to what public templates that
 * ran on live PBXs rely on; test/fixtures/crm/ keeps two of them (tierklinik-dobersberg/3cx-support,
 * renuo/redmine_3cx) and docs/crm.md lists the source of each behaviour. Where neither says what
 * 3CX does, the choice is marked ASSUMED here and in docs/crm.md.
 *
 * Behaviour:
 * - `<Number Prefix MaxLength>` formats the caller number ([Number]);
 * - `<Parameters>`: each parameter is a variable, its `Default` unless the admin's choice
 *   (`VariableChoices`) overrides it;
 * - `<Authentication Type="No|Basic">` (Basic: `Authorization: Basic base64(<Value>)`, on every
 *   request); `Type="Scenario"` (token/OAuth scenarios) is not simulated: loading it fails clearly;
 * - `<Request SkipIf Url RequestType RequestEncoding RequestContentType ResponseType>`,
 *   `<Headers><Value Key>`, `<PostValues><Value Key Passes Type>`: Json -> a JSON object,
 *   UrlEncoded -> a form body (Post) ; the URL's variables are inserted as they are and the URL is
 *   then escaped like .NET's Uri (spaces and non-ASCII escaped, `+`, `&`, `=` kept), which is why
 *   renuo/redmine_3cx writes `[[Number].Replace("+","%2B")]` (ASSUMED from that template);
 * - `<Rules><Rule Type="Any">path</Rule>`: a match when the path has a non-empty value;
 *   `Type="Equal" Ethalon="x"`: when it equals x; several rules must all hold (ASSUMED);
 * - `<Variables><Variable Name Path>`: dot paths, `name[0]` indexes; a path through an array
 *   yields one value per element, and one contact per element (renuo/redmine_3cx answers
 *   `{contacts: [...]}` to `contacts.id`);
 * - `<Outputs AllowEmpty Next>` / `<Output Type Value>`: the contact 3CX displays; `Next` runs
 *   the named scenario after this one (the journal chains of tierklinik-dobersberg/3cx-support);
 * - expressions: `[Var]`, `[Contact::Output]`, string concatenation, method invocation
 *   (`[[X].ToString("fmt")]`, `get_TotalSeconds()`, `get_TotalMinutes()`, `Replace`, `Trim`,
 *   `ToLower`, `ToUpper`), `[IIf(cond,a,b)]`, conditions with `==`, `!=`, `<`, `>`, `||`, `&&`;
 * - a variable 3CX has no value for stays as its literal `[Name]` text (the unfilled-variable case
 *   public integrations warn about), and so does an expression that calls a method on it;
 * - a non-2xx answer, a body that is not JSON or no answer within the time-out: no match (ASSUMED).
 */

const { XMLParser } = require('fast-xml-parser');

/**
 * @typedef {{ name: string, type: string, title: string, default: string, parent: string }} CrmParameter
 * @typedef {{ key: string, passes: number, type: string, text: string }} CrmValue
 * @typedef {{ type: string, path: string, ethalon: string }} CrmRule
 * @typedef {{ name: string, path: string }} CrmVariable
 * @typedef {{ type: string, value: string, passes: number }} CrmOutput
 * @typedef {{
 *   skipIf: string, url: string, requestType: string, requestEncoding: string,
 *   requestContentType: string, responseType: string, headers: CrmValue[], postValues: CrmValue[]
 * }} CrmRequest
 * @typedef {{
 *   id: string, type: string, request: CrmRequest | undefined, rules: CrmRule[],
 *   variables: CrmVariable[], outputs: CrmOutput[], allowEmpty: boolean, next: string
 * }} CrmScenario
 * @typedef {{
 *   name: string, version: string, country: string,
 *   number: { prefix: string, maxLength: string },
 *   maxConcurrentRequests: number,
 *   parameters: CrmParameter[],
 *   authentication: { type: string, value: string },
 *   scenarios: CrmScenario[]
 * }} CrmTemplate
 * @typedef {string | number | boolean | Date | { timespanMs: number } | undefined} CrmScalar
 * @typedef {Record<string, CrmScalar>} CrmVariables
 * @typedef {{ method: string, url: string, headers: Record<string, string>, body: string | undefined }} CrmHttpRequest
 * @typedef {{ status: number, bodyText: string, error?: string, ms: number }} CrmHttpResponse
 * @typedef {{ scenario: string, skipped: boolean, request?: CrmHttpRequest, response?: CrmHttpResponse, contacts: Record<string, string>[] }} CrmScenarioRun
 * @typedef {{
 *   number: string, direction?: 'Inbound' | 'Outbound', answered?: boolean,
 *   agent?: string, agentFirstName?: string, agentLastName?: string, agentEmail?: string,
 *   queueExtension?: string, start?: string, established?: string, end?: string,
 *   recordingUrl?: string, name?: string
 * }} CrmCall
 */

/** Expression variables 3CX fills for a call (3CX's "Predefined variables" and "Call Journaling"). */
const CALL_TYPES = /** @type {const} */ (['Inbound', 'Missed', 'Outbound', 'Notanswered']);

/* ------------------------------------------------------------------ */
/* loading                                                             */
/* ------------------------------------------------------------------ */

/** @param {unknown} v @returns {any[]} */
function list(v) {
	if (v === undefined || v === null || v === '') return [];
	return Array.isArray(v) ? v : [v];
}

/** @param {any} node @param {string} name @returns {string} */
function attr(node, name) {
	if (!node || typeof node !== 'object') return '';
	const v = node[`@_${name}`];
	return v === undefined || v === null ? '' : String(v);
}

/** @param {any} node @returns {string} */
function text(node) {
	if (node === undefined || node === null) return '';
	if (typeof node !== 'object') return String(node);
	const t = node['#text'];
	return t === undefined || t === null ? '' : String(t);
}

/** @param {any} node @returns {CrmValue[]} */
function values(node) {
	return list(node && node.Value).map((v) => ({
		key: attr(v, 'Key'),
		passes: Number(attr(v, 'Passes') || 0),
		type: attr(v, 'Type') || 'String',
		text: text(v),
	}));
}

/**
 * Parse a CRM template. Throws an Error naming what is wrong.
 * @param {string} xml
 * @returns {CrmTemplate}
 */
function parseTemplate(xml) {
	if (typeof xml !== 'string' || !xml.trim()) throw new Error('template: send the XML text of a 3CX CRM template');
	const parser = new XMLParser({
		ignoreAttributes: false,
		attributeNamePrefix: '@_',
		parseAttributeValue: false,
		parseTagValue: false,
		trimValues: false,
		alwaysCreateTextNode: true,
		processEntities: true,
		htmlEntities: false,
	});
	let doc;
	try {
		doc = parser.parse(xml, true);
	} catch (e) {
		throw new Error(`template: not well-formed XML (${/** @type {Error} */ (e).message})`);
	}
	const crm = doc.Crm;
	if (!crm || typeof crm !== 'object') throw new Error('template: the root element must be <Crm>');
	const scenariosNode = crm.Scenarios;
	/** @type {CrmScenario[]} */
	const scenarios = list(scenariosNode && scenariosNode.Scenario).map((s) => {
		const r = s.Request;
		const outputs = s.Outputs;
		return {
			id: attr(s, 'Id'),
			type: attr(s, 'Type') || 'REST',
			request: r
				? {
						skipIf: attr(r, 'SkipIf'),
						url: attr(r, 'Url'),
						requestType: attr(r, 'RequestType') || 'Get',
						requestEncoding: attr(r, 'RequestEncoding') || 'UrlEncoded',
						requestContentType: attr(r, 'RequestContentType'),
						responseType: attr(r, 'ResponseType') || 'Json',
						headers: values(r.Headers),
						postValues: values(r.PostValues),
					}
				: undefined,
			rules: list(s.Rules && s.Rules.Rule).map((rule) => ({
				type: attr(rule, 'Type') || 'Any',
				path: text(rule).trim(),
				ethalon: attr(rule, 'Ethalon'),
			})),
			variables: list(s.Variables && s.Variables.Variable).map((v) => ({ name: attr(v, 'Name'), path: attr(v, 'Path') })),
			outputs: list(outputs && outputs.Output).map((o) => ({
				type: attr(o, 'Type'),
				value: attr(o, 'Value'),
				passes: Number(attr(o, 'Passes') || 0),
			})),
			allowEmpty: /^true$/i.test(attr(outputs, 'AllowEmpty')),
			next: attr(outputs, 'Next'),
		};
	});
	if (!scenarios.length) throw new Error('template: <Scenarios> has no <Scenario>');
	const auth = crm.Authentication;
	const authType = attr(auth, 'Type') || 'No';
	if (!['No', 'Basic', 'Scenario'].includes(authType)) throw new Error(`template: <Authentication Type="${authType}"> is not No, Basic or Scenario`);
	if (authType === 'Scenario') throw new Error('template: <Authentication Type="Scenario"> (token or OAuth scenarios) is not simulated');
	return {
		name: attr(crm, 'Name'),
		version: attr(crm, 'Version'),
		country: attr(crm, 'Country'),
		number: { prefix: attr(crm.Number, 'Prefix') || 'AsIs', maxLength: attr(crm.Number, 'MaxLength') },
		maxConcurrentRequests: Number(attr(crm.Connection, 'MaxConcurrentRequests') || 0),
		parameters: list(crm.Parameters && crm.Parameters.Parameter).map((p) => ({
			name: attr(p, 'Name'),
			type: attr(p, 'Type'),
			title: attr(p, 'Title'),
			default: attr(p, 'Default'),
			parent: attr(p, 'Parent'),
		})),
		authentication: { type: authType, value: text(auth && auth.Value) },
		scenarios,
	};
}

/* ------------------------------------------------------------------ */
/* expressions                                                         */
/* ------------------------------------------------------------------ */

/** @param {number} n @param {number} w */
const pad = (n, w = 2) => String(n).padStart(w, '0');

/**
 * .NET custom date format (the tokens templates use), in UTC.
 * @param {Date} d @param {string} fmt
 */
function formatDate(d, fmt) {
	const tokens = /** @type {Record<string, () => string>} */ ({
		yyyy: () => String(d.getUTCFullYear()),
		MM: () => pad(d.getUTCMonth() + 1),
		dd: () => pad(d.getUTCDate()),
		HH: () => pad(d.getUTCHours()),
		mm: () => pad(d.getUTCMinutes()),
		ss: () => pad(d.getUTCSeconds()),
		fff: () => pad(d.getUTCMilliseconds(), 3),
	});
	let out = '';
	for (let i = 0; i < fmt.length; ) {
		const t = ['yyyy', 'fff', 'MM', 'dd', 'HH', 'mm', 'ss'].find((k) => fmt.startsWith(k, i));
		if (t) {
			out += tokens[t]();
			i += t.length;
		} else {
			out += fmt[i];
			i += 1;
		}
	}
	return out;
}

/** @param {number} ms */
function timespanText(ms) {
	const s = Math.round(ms / 1000);
	return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** @param {CrmScalar} v @returns {string} */
function asText(v) {
	if (v === undefined) return '';
	if (v instanceof Date) return formatDate(v, 'MM/dd/yyyy HH:mm:ss');
	if (typeof v === 'object') return timespanText(v.timespanMs);
	if (typeof v === 'boolean') return v ? 'True' : 'False';
	return String(v);
}

/**
 * Split `s` at top-level occurrences of `sep` (outside [], () and "").
 * @param {string} s @param {string} sep
 */
function splitTop(s, sep) {
	const parts = [];
	let depth = 0;
	let quoted = false;
	let start = 0;
	for (let i = 0; i < s.length; i++) {
		const c = s[i];
		if (c === '"') quoted = !quoted;
		if (quoted) continue;
		if (c === '[' || c === '(') depth++;
		else if (c === ']' || c === ')') depth--;
		else if (depth === 0 && s.startsWith(sep, i)) {
			parts.push(s.slice(start, i));
			start = i + sep.length;
			i += sep.length - 1;
		}
	}
	parts.push(s.slice(start));
	return parts;
}

/**
 * Index of the bracket closing the one at `open` (`[` by default, `(` with `pair` '()'), outside
 * quoted text, or -1. @param {string} s @param {number} open @param {string} [pair]
 */
function closing(s, open, pair = '[]') {
	let depth = 0;
	let quoted = false;
	for (let i = open; i < s.length; i++) {
		const c = s[i];
		if (c === '"') quoted = !quoted;
		if (quoted) continue;
		if (c === pair[0]) depth++;
		else if (c === pair[1]) {
			depth--;
			if (depth === 0) return i;
		}
	}
	return -1;
}

/** A string literal argument `"x"` or expanded text. @param {string} arg @param {CrmVariables} vars */
function argument(arg, vars) {
	const a = arg.trim();
	if (a.length >= 2 && a.startsWith('"') && a.endsWith('"')) return a.slice(1, -1);
	return expand(a, vars);
}

/**
 * Call a .NET method the templates use on a value. Undefined when the method is not simulated.
 * @param {CrmScalar} target @param {string} method @param {string[]} args
 * @returns {CrmScalar | undefined | null}
 */
function invoke(target, method, args) {
	switch (method) {
		case 'ToString': {
			const fmt = args[0];
			if (target instanceof Date) return fmt === undefined ? asText(target) : formatDate(target, fmt);
			if (typeof target === 'number') {
				const m = fmt && /^[FN](\d+)$/i.exec(fmt);
				if (m) return target.toFixed(Number(m[1]));
				return String(target);
			}
			return asText(target);
		}
		case 'get_TotalSeconds':
			return target && typeof target === 'object' && !(target instanceof Date) ? target.timespanMs / 1000 : null;
		case 'get_TotalMinutes':
			return target && typeof target === 'object' && !(target instanceof Date) ? target.timespanMs / 60000 : null;
		case 'Replace':
			return asText(target).split(args[0] ?? '').join(args[1] ?? '');
		case 'Trim':
			return asText(target).trim();
		case 'ToLower':
			return asText(target).toLowerCase();
		case 'ToUpper':
			return asText(target).toUpperCase();
		default:
			return undefined;
	}
}

/**
 * Evaluate the inside of one `[...]`: a variable, `IIf(...)`, or `[inner].Method(args)...`.
 * Returns undefined when 3CX would leave the expression as text (no value).
 * @param {string} inner @param {CrmVariables} vars
 * @returns {CrmScalar}
 */
function evaluateGroup(inner, vars) {
	if (/^[A-Za-z_][\w]*(::[A-Za-z_][\w]*)?$/.test(inner)) {
		return Object.prototype.hasOwnProperty.call(vars, inner) ? vars[inner] : undefined;
	}
	const iif = /^IIf\(([\s\S]*)\)$/.exec(inner);
	if (iif) {
		const args = splitTop(iif[1], ',');
		if (args.length !== 3) return undefined;
		return condition(args[0], vars) ? argument(args[1], vars) : argument(args[2], vars);
	}
	if (inner.startsWith('[')) {
		const end = closing(inner, 0);
		if (end < 0) return undefined;
		let value = evaluateGroup(inner.slice(1, end), vars);
		let rest = inner.slice(end + 1);
		while (rest) {
			const m = /^\.([A-Za-z_]\w*)\(/.exec(rest);
			if (!m) return undefined;
			const close = closing(rest, m[0].length - 1, '()');
			if (close < 0) return undefined;
			const argText = rest.slice(m[0].length, close);
			const args = argText.trim() ? splitTop(argText, ',').map((a) => argument(a, vars)) : [];
			if (value === undefined) return undefined;
			const result = invoke(value, m[1], args);
			if (result === undefined || result === null) return undefined;
			value = result;
			rest = rest.slice(close + 1);
		}
		return value;
	}
	return undefined;
}

/**
 * Expand a 3CX expression text: literal text with `[...]` groups. A group without a value stays
 * as its literal text.
 * @param {string} s @param {CrmVariables} vars
 * @returns {string}
 */
function expand(s, vars) {
	let out = '';
	for (let i = 0; i < s.length; ) {
		if (s[i] === '[') {
			const end = closing(s, i);
			if (end < 0) {
				out += s.slice(i);
				break;
			}
			const group = s.slice(i, end + 1);
			const value = evaluateGroup(group.slice(1, -1), vars);
			out += value === undefined ? group : asText(value);
			i = end + 1;
		} else {
			out += s[i];
			i += 1;
		}
	}
	return out;
}

/**
 * Evaluate a condition (SkipIf, IIf): `a==b`, `a!=b`, `<`, `>`, `<=`, `>=`, joined by `||`/`&&`;
 * a bare value is true when it expands to "True".
 * @param {string} cond @param {CrmVariables} vars
 * @returns {boolean}
 */
function condition(cond, vars) {
	const c = cond.trim();
	if (!c) return false;
	const ors = splitTop(c, '||');
	if (ors.length > 1) return ors.some((part) => condition(part, vars));
	const ands = splitTop(c, '&&');
	if (ands.length > 1) return ands.every((part) => condition(part, vars));
	for (const op of ['==', '!=', '>=', '<=', '>', '<']) {
		const sides = splitTop(c, op);
		if (sides.length === 2) {
			const a = argument(sides[0], vars).trim();
			const b = argument(sides[1], vars).trim();
			const na = Number(a);
			const nb = Number(b);
			const numeric = a !== '' && b !== '' && !Number.isNaN(na) && !Number.isNaN(nb);
			switch (op) {
				case '==':
					return a.toLowerCase() === b.toLowerCase();
				case '!=':
					return a.toLowerCase() !== b.toLowerCase();
				case '>=':
					return numeric ? na >= nb : a >= b;
				case '<=':
					return numeric ? na <= nb : a <= b;
				case '>':
					return numeric ? na > nb : a > b;
				default:
					return numeric ? na < nb : a < b;
			}
		}
	}
	return /^true$/i.test(argument(c, vars).trim());
}

/**
 * Evaluate with `passes` extra evaluations of the result (a parameter whose value holds
 * expressions, e.g. Zammad_3CX's `[[CreateContactFirstName]]` with Passes="2"). ASSUMED: one
 * evaluation always happens (public templates use Passes="0" on `[Number]` and expect its value).
 * @param {string} s @param {CrmVariables} vars @param {number} passes
 */
function evaluate(s, vars, passes = 0) {
	let out = expand(s, vars);
	for (let i = 1; i < passes; i++) {
		const next = expand(out, vars);
		if (next === out) break;
		out = next;
	}
	return out;
}

/* ------------------------------------------------------------------ */
/* JSON paths and numbers                                              */
/* ------------------------------------------------------------------ */

/**
 * Values at a dot path (`a.b`, `a[0].b`): through an array, one value per element.
 * @param {unknown} data @param {string} path @returns {unknown[]}
 */
function pathValues(data, path) {
	/** @type {unknown[]} */
	let current = [data];
	const steps = path.split('.').filter(Boolean);
	for (const step of steps) {
		const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(step);
		if (!m) return [];
		/** @type {unknown[]} */
		const next = [];
		for (const c of current) {
			const items = Array.isArray(c) ? c : [c];
			for (const item of items) {
				if (!item || typeof item !== 'object') continue;
				let v = m[1] ? /** @type {Record<string, unknown>} */ (item)[m[1]] : item;
				for (const idx of m[2].match(/\d+/g) || []) v = Array.isArray(v) ? v[Number(idx)] : undefined;
				if (v !== undefined) next.push(v);
			}
		}
		current = next;
	}
	/** @type {unknown[]} */
	const flat = [];
	for (const v of current) {
		if (Array.isArray(v)) flat.push(...v);
		else flat.push(v);
	}
	return flat;
}

/** @param {unknown} v */
function scalarText(v) {
	if (v === undefined || v === null) return '';
	if (typeof v === 'object') return JSON.stringify(v);
	return String(v);
}

/**
 * The caller number as `<Number Prefix MaxLength>` asks.
 * @param {string} number @param {{ prefix: string, maxLength: string }} rule @param {CrmVariables} vars
 */
function formatNumber(number, rule, vars) {
	let n = String(number).trim();
	const international = n.startsWith('+') ? n.slice(1) : n.startsWith('00') ? n.slice(2) : undefined;
	if (international !== undefined) {
		if (rule.prefix === 'Off') n = international;
		else if (rule.prefix === 'Plus') n = `+${international}`;
		else if (rule.prefix === 'Zeros') n = `00${international}`;
	}
	const max = Number(evaluate(rule.maxLength || '', vars).trim());
	if (rule.maxLength && Number.isInteger(max) && max > 0) {
		const digits = n.replace(/\D/g, '');
		if (digits.length > max) n = digits.slice(-max);
	}
	return n;
}

/** The URL as .NET's Uri would send it: spaces and non-ASCII escaped, reserved characters kept. @param {string} url */
function uriEscape(url) {
	return url.replace(/[^\x21-\x7e]|["<>\\^`{|}]/g, (c) => encodeURIComponent(c));
}

/* ------------------------------------------------------------------ */
/* the engine                                                          */
/* ------------------------------------------------------------------ */

class CrmEngine {
	/**
	 * @param {{ timeoutMs?: number, fetch?: typeof fetch, utcOffsetMinutes?: number, dateTimeFormat?: string }} [options]
	 *  timeoutMs: how long a scenario request may take (default 5000, ASSUMED: 3CX's own figure is
	 *  not documented); dateTimeFormat: how [DateTime] reads (default "dd.MM.yyyy HH:mm", the form
	 *  tierklinik-dobersberg/3cx-support parses from its PBX).
	 */
	constructor(options = {}) {
		this.timeoutMs = options.timeoutMs ?? 5000;
		this.fetch = options.fetch ?? fetch;
		this.utcOffsetMinutes = options.utcOffsetMinutes ?? 0;
		this.dateTimeFormat = options.dateTimeFormat ?? 'dd.MM.yyyy HH:mm';
		/** @type {CrmTemplate | undefined} */
		this.template = undefined;
		/** @type {Record<string, string>} */
		this.choices = {};
		/** @type {Array<{ call: CrmCall, lookup: CrmScenarioRun[], displayed: Record<string, string> | undefined, journal: CrmScenarioRun[] }>} */
		this.calls = [];
	}

	/**
	 * Load a template, as the admin uploads it; `choices` are the values entered in the console
	 * (XAPI's `VariableChoices`), by parameter name.
	 * @param {string} xml @param {Record<string, string>} [choices]
	 */
	load(xml, choices = {}) {
		const template = parseTemplate(xml);
		for (const name of Object.keys(choices)) {
			if (!template.parameters.some((p) => p.name === name)) throw new Error(`choices: the template has no parameter "${name}"`);
		}
		this.template = template;
		this.choices = { ...choices };
		return template;
	}

	/** @returns {CrmTemplate} */
	loaded() {
		if (!this.template) throw new Error('no template loaded: POST /__sim/crm/template first');
		return this.template;
	}

	/** Parameter values. @returns {CrmVariables} */
	parameterVariables() {
		/** @type {CrmVariables} */
		const vars = {};
		for (const p of this.loaded().parameters) vars[p.name] = this.choices[p.name] ?? p.default;
		return vars;
	}

	/**
	 * Run one scenario (no chain). Returns the contacts its outputs give.
	 * @param {CrmScenario} scenario @param {CrmVariables} vars @returns {Promise<CrmScenarioRun>}
	 */
	async runScenario(scenario, vars) {
		const template = this.loaded();
		/** @type {CrmScenarioRun} */
		const run = { scenario: scenario.id, skipped: false, contacts: [] };
		const r = scenario.request;
		if (!r) return run;
		if (r.skipIf && condition(r.skipIf, vars)) {
			run.skipped = true;
			return run;
		}
		const method = r.requestType.toUpperCase();
		/** @type {Record<string, string>} */
		const headers = {};
		if (template.authentication.type === 'Basic') {
			headers.authorization = `Basic ${Buffer.from(evaluate(template.authentication.value, vars)).toString('base64')}`;
		}
		for (const h of r.headers) headers[h.key.toLowerCase()] = evaluate(h.text, vars, h.passes);
		/** @type {string | undefined} */
		let body;
		if (method !== 'GET' && method !== 'DELETE') {
			if (/^json$/i.test(r.requestEncoding)) {
				/** @type {Record<string, unknown>} */
				const obj = {};
				for (const v of r.postValues) {
					const t = evaluate(v.text, vars, v.passes);
					obj[v.key] = /^(int|integer|number)$/i.test(v.type) && t.trim() !== '' && !Number.isNaN(Number(t)) ? Number(t) : /^boolean$/i.test(v.type) ? /^true$/i.test(t) : t;
				}
				body = JSON.stringify(obj);
				if (!headers['content-type']) headers['content-type'] = r.requestContentType || 'application/json';
			} else {
				body = r.postValues.map((v) => `${encodeURIComponent(v.key)}=${encodeURIComponent(evaluate(v.text, vars, v.passes))}`).join('&');
				if (!headers['content-type']) headers['content-type'] = r.requestContentType || 'application/x-www-form-urlencoded';
			}
		}
		const url = uriEscape(evaluate(r.url, vars));
		run.request = { method, url, headers, body };
		const started = Date.now();
		const controller = new AbortController();
		const timer = setTimeout(() => controller.abort(), this.timeoutMs);
		try {
			const res = await this.fetch(url, { method, headers, body, signal: controller.signal });
			const bodyText = await res.text();
			run.response = { status: res.status, bodyText, ms: Date.now() - started };
		} catch (e) {
			run.response = { status: 0, bodyText: '', error: controller.signal.aborted ? `no answer within ${this.timeoutMs} ms` : /** @type {Error} */ (e).message, ms: Date.now() - started };
		} finally {
			clearTimeout(timer);
		}
		const resp = run.response;
		if (resp.status < 200 || resp.status >= 300) return run;
		/** @type {unknown} */
		let data;
		if (/^json$/i.test(r.responseType)) {
			try {
				data = resp.bodyText.trim() ? JSON.parse(resp.bodyText) : undefined;
			} catch {
				return run;
			}
		}
		const matched = scenario.rules.every((rule) => {
			const found = pathValues(data, rule.path).map(scalarText).filter((v) => v !== '');
			if (/^equal$/i.test(rule.type)) return found.includes(rule.ethalon);
			return found.length > 0;
		});
		if (!matched) return run;
		/** @type {Record<string, string[]>} */
		const columns = {};
		let count = scenario.variables.length ? 0 : 1;
		for (const v of scenario.variables) {
			columns[v.name] = pathValues(data, v.path).map(scalarText);
			count = Math.max(count, columns[v.name].length);
		}
		for (let i = 0; i < count; i++) {
			/** @type {CrmVariables} */
			const local = { ...vars };
			for (const v of scenario.variables) local[v.name] = columns[v.name][i] ?? '';
			/** @type {Record<string, string>} */
			const contact = {};
			for (const o of scenario.outputs) contact[o.type] = evaluate(o.value, local, o.passes);
			const hasValue = Object.values(contact).some((v) => v.trim() !== '');
			if (hasValue || scenario.allowEmpty) run.contacts.push(contact);
		}
		return run;
	}

	/**
	 * Run a scenario and its `Next` chain.
	 * @param {string | CrmScenario} first its Id, or the scenario @param {CrmVariables} vars @returns {Promise<CrmScenarioRun[]>}
	 */
	async runChain(first, vars) {
		const template = this.loaded();
		/** @type {CrmScenarioRun[]} */
		const runs = [];
		const seen = new Set();
		let next = '';
		let scenario = typeof first === 'string' ? template.scenarios.find((s) => s.id === first) : first;
		while (scenario && !seen.has(scenario)) {
			seen.add(scenario);
			const run = await this.runScenario(scenario, vars);
			runs.push(run);
			next = scenario.next;
			scenario = next ? template.scenarios.find((s) => s.id === next) : undefined;
		}
		return runs;
	}

	/**
	 * The contact lookup 3CX runs while a call rings (scenario Id=""): what it would display.
	 * @param {string} number @returns {Promise<{ runs: CrmScenarioRun[], contacts: Record<string, string>[] }>}
	 */
	async lookup(number) {
		const template = this.loaded();
		const vars = this.parameterVariables();
		vars.Number = formatNumber(number, template.number, vars);
		// Every scenario without an Id is a lookup, run in template order; [FoundRecordCount] counts
		// the contacts found so far (Zammad_3CX skips its second lookup with it).
		/** @type {CrmScenarioRun[]} */
		const runs = [];
		/** @type {Record<string, string>[]} */
		const contacts = [];
		for (const scenario of template.scenarios.filter((s) => s.id === '')) {
			vars.FoundRecordCount = contacts.length;
			const chain = await this.runChain(scenario, vars);
			runs.push(...chain);
			const last = chain[chain.length - 1];
			if (last) contacts.push(...last.contacts);
		}
		return { runs, contacts };
	}

	/**
	 * A contact search from the 3CX apps (scenario "SearchContacts") or a lookup by email
	 * ("LookupByEmail"), when the template has them.
	 * @param {'SearchContacts' | 'LookupByEmail'} id @param {string} query
	 */
	async search(id, query) {
		const template = this.loaded();
		if (!template.scenarios.some((s) => s.id === id)) throw new Error(`the template has no scenario "${id}"`);
		const vars = this.parameterVariables();
		vars.SearchText = query;
		vars.EscapedSearchText = encodeURIComponent(query);
		vars.Email = query;
		const runs = await this.runChain(id, vars);
		const last = runs[runs.length - 1];
		return { runs, contacts: last ? last.contacts : [] };
	}

	/**
	 * The journal variables of an ended call.
	 * @param {CrmCall} call @param {Record<string, string> | undefined} contact
	 * @returns {CrmVariables}
	 */
	callVariables(call, contact) {
		const template = this.loaded();
		const vars = this.parameterVariables();
		const direction = call.direction ?? 'Inbound';
		const answered = call.answered ?? true;
		/** @type {typeof CALL_TYPES[number]} */
		const callType = direction === 'Inbound' ? (answered ? 'Inbound' : 'Missed') : answered ? 'Outbound' : 'Notanswered';
		const end = call.end ? new Date(call.end) : new Date();
		const start = call.start ? new Date(call.start) : new Date(end.getTime() - 60000);
		const established = answered ? (call.established ? new Date(call.established) : start) : undefined;
		const talkMs = established ? Math.max(0, end.getTime() - established.getTime()) : 0;
		const local = (/** @type {Date} */ d) => new Date(d.getTime() + this.utcOffsetMinutes * 60000);
		vars.Number = formatNumber(call.number, template.number, vars);
		vars.CallType = callType;
		vars.CallDirection = direction;
		vars.Duration = timespanText(talkMs);
		vars.DurationTimespan = { timespanMs: talkMs };
		vars.DateTime = formatDate(local(start), this.dateTimeFormat);
		vars.CallStartTimeUTC = start;
		vars.CallStartTimeLocal = local(start);
		vars.CallEndTimeUTC = end;
		vars.CallEndTimeLocal = local(end);
		if (established) {
			vars.CallEstablishedTimeUTC = established;
			vars.CallEstablishedTimeLocal = local(established);
		}
		if (call.agent !== undefined) vars.Agent = call.agent;
		if (call.agentFirstName !== undefined) vars.AgentFirstName = call.agentFirstName;
		if (call.agentLastName !== undefined) vars.AgentLastName = call.agentLastName;
		if (call.agentEmail !== undefined) vars.AgentEmail = call.agentEmail;
		if (call.queueExtension !== undefined) vars.QueueExtension = call.queueExtension;
		if (call.recordingUrl !== undefined) vars.RecordingUrl = call.recordingUrl;
		if (contact) {
			for (const [k, v] of Object.entries(contact)) vars[`Contact::${k}`] = v;
			if (contact.EntityId !== undefined) vars.EntityId = contact.EntityId;
			if (contact.EntityType !== undefined) vars.EntityType = contact.EntityType;
			const name = [contact.FirstName, contact.LastName].filter(Boolean).join(' ');
			if (name) vars.Name = name;
		} else if (call.name !== undefined) vars.Name = call.name;
		return vars;
	}

	/**
	 * A whole call: the lookup while it rings, then the journal ("ReportCall" and its Next chain)
	 * when it ends.
	 * @param {CrmCall} call
	 */
	async placeCall(call) {
		if (!call || typeof call.number !== 'string' || !call.number.trim()) throw new Error('call.number: the caller number (text) is required');
		if (call.direction !== undefined && call.direction !== 'Inbound' && call.direction !== 'Outbound') {
			throw new Error('call.direction: "Inbound" or "Outbound"');
		}
		const template = this.loaded();
		const looked = await this.lookup(call.number);
		const displayed = looked.contacts[0];
		const journal = template.scenarios.some((s) => s.id === 'ReportCall') ? await this.runChain('ReportCall', this.callVariables(call, displayed)) : [];
		const record = { call, lookup: looked.runs, displayed, contacts: looked.contacts, journal };
		this.calls.push(record);
		return record;
	}
}

/**
 * The simulator's control endpoints under /__sim/crm/ (wired in simulator/index.js).
 * @param {{ crmEngine?: CrmEngine }} sim
 * @param {{ method: string, bodyText?: string, json?: any, query: Record<string, string> }} req
 * @param {string} sub the path after /__sim/crm/
 * @returns {Promise<{ status: number, body: unknown }>}
 */
async function control(sim, req, sub) {
	if (!sim.crmEngine) sim.crmEngine = new CrmEngine();
	const engine = sim.crmEngine;
	try {
		if (sub === 'template' && req.method === 'POST') {
			const xml = req.json && typeof req.json.xml === 'string' ? req.json.xml : req.bodyText || '';
			const choices = (req.json && req.json.choices) || {};
			if (req.query.timeoutMs) engine.timeoutMs = Number(req.query.timeoutMs);
			const t = engine.load(xml, choices);
			return { status: 201, body: { name: t.name, scenarios: t.scenarios.map((s) => s.id), parameters: t.parameters.map((p) => p.name), authentication: t.authentication.type } };
		}
		if (sub === 'calls' && req.method === 'POST') {
			if (!req.json) return { status: 400, body: { error: 'send the call as JSON: {"number": "+4930...", "direction": "Inbound", "answered": true, ...}' } };
			return { status: 200, body: await engine.placeCall(req.json) };
		}
		if (sub === 'calls' && req.method === 'GET') return { status: 200, body: engine.calls };
		if (sub === 'lookup' && req.method === 'POST') {
			if (!req.json || typeof req.json.number !== 'string') return { status: 400, body: { error: 'send {"number": "..."}' } };
			return { status: 200, body: await engine.lookup(req.json.number) };
		}
		if (sub === 'reset' && req.method === 'POST') {
			sim.crmEngine = new CrmEngine({ timeoutMs: engine.timeoutMs });
			return { status: 200, body: { ok: true } };
		}
		return { status: 404, body: { error: `unknown CRM control ${req.method} ${sub}` } };
	} catch (e) {
		return { status: 400, body: { error: /** @type {Error} */ (e).message } };
	}
}

/**
 * The Enterprise path through XAPI (spec 20.0.10): `PATCH /CrmIntegration` selects the uploaded
 * template by `Name` and sets `VariableChoices` ([{Key, Value}], the console's parameter values);
 * `GET /CrmIntegration` reads them; `POST /CrmIntegration/Pbx.Test` ({mode: PhoneExact | Search |
 * Email, query}) runs the lookup and answers a `Pbx.CrmTestResult` {IsError, Message, Log,
 * SearchResult: [Pbx.CrmContact]}. Uploading a template is not in XAPI: POST /__sim/crm/template.
 * @param {any} sim an XapiServer (simulator/index.js)
 */
function installXapiCrm(sim) {
	const engineOf = () => {
		if (!sim.crmEngine) sim.crmEngine = new CrmEngine();
		return /** @type {CrmEngine} */ (sim.crmEngine);
	};
	const odataError = (/** @type {string} */ message, status = 400) => ({ status, body: { error: { code: '', message } } });
	sim.get('/CrmIntegration', () => {
		const e = engineOf();
		return { status: 200, body: { Id: 1, Name: e.template ? e.template.name : '', Country: e.template ? e.template.country : '', VariableChoices: Object.entries(e.choices).map(([Key, Value]) => ({ Key, Value })) } };
	});
	sim.patch('/CrmIntegration', (/** @type {any} */ req) => {
		const e = engineOf();
		const body = req.json || {};
		if (body.Name !== undefined && (!e.template || body.Name !== e.template.name)) return odataError(`Name: no uploaded CRM template is called "${body.Name}"`);
		if (body.VariableChoices !== undefined) {
			if (!Array.isArray(body.VariableChoices)) return odataError('VariableChoices: an array of {Key, Value}');
			/** @type {Record<string, string>} */
			const choices = {};
			for (const c of body.VariableChoices) {
				if (!c || typeof c.Key !== 'string') return odataError('VariableChoices: each entry needs a Key');
				if (e.template && !e.template.parameters.some((p) => p.name === c.Key)) return odataError(`VariableChoices: the template has no parameter "${c.Key}"`);
				choices[c.Key] = c.Value === null || c.Value === undefined ? '' : String(c.Value);
			}
			e.choices = { ...e.choices, ...choices };
		}
		return { status: 204 };
	});
	sim.post('/CrmIntegration/Pbx.Test', async (/** @type {any} */ req) => {
		const e = engineOf();
		const { mode, query } = req.json || {};
		if (!['PhoneExact', 'Search', 'Email'].includes(mode)) return odataError('mode: PhoneExact, Search or Email');
		if (typeof query !== 'string') return odataError('query: text');
		if (!e.template) return { status: 200, body: { IsError: true, Message: 'No CRM template is selected', Log: '', SearchResult: [] } };
		try {
			const r = mode === 'PhoneExact' ? await e.lookup(query) : await e.search(mode === 'Search' ? 'SearchContacts' : 'LookupByEmail', query);
			const log = r.runs.map((run) => `${run.scenario || '(lookup)'}: ${run.skipped ? 'skipped' : `${run.request ? run.request.method : ''} ${run.request ? run.request.url : ''} -> ${run.response ? run.response.status : ''}`}`).join('\n');
			const fields = ['FirstName', 'LastName', 'CompanyName', 'Email', 'PhoneBusiness', 'PhoneMobile', 'PhoneHome', 'PhoneOther', 'FaxBusiness', 'ContactUrl'];
			const contacts = r.contacts.map((c) => Object.fromEntries(fields.map((f) => [f, c[f] ?? null])));
			return { status: 200, body: { IsError: false, Message: `${contacts.length} contact(s) found`, Log: log, SearchResult: contacts } };
		} catch (err) {
			return { status: 200, body: { IsError: true, Message: /** @type {Error} */ (err).message, Log: '', SearchResult: [] } };
		}
	});
}

module.exports = { installXapiCrm, CrmEngine, parseTemplate, expand, evaluate, condition, pathValues, formatNumber, formatDate, control, CALL_TYPES };
