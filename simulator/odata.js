'use strict';
/**
 * The OData the simulated 3CX understands: `$filter` (comparisons eq/ne/gt/ge/lt/le with bare
 * ISO-8601 date-times, numbers, booleans, null and quoted strings; contains/startswith/endswith;
 * and/or/not; parentheses), `$orderby` (several keys, asc/desc), `$top`/`$skip`, `$count`, `$select`,
 * `$search` (a plain substring over string fields), and the literals in keys and function
 * parameters (`Users(29)`, `Users(Number='100')`, `periodFrom=2026-01-01T00:00:00Z`).
 */

const DATE_TIME_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

class ODataError extends Error {
	constructor(message) {
		super(message);
		this.name = 'ODataError';
	}
}

/* ------------------------------------------------------------------ literals */

/**
 * One literal as written in a URL: `'a''b'` -> "a'b", `29` -> 29, `true` -> true, `null` -> null,
 * a bare date-time stays a string but is marked ({ value, type: 'datetime' }).
 * Returns { value, type } with type 'string' | 'number' | 'boolean' | 'null' | 'datetime' | 'guid' | 'enum'.
 */
function parseLiteral(text) {
	const t = String(text).trim();
	let m;
	if ((m = /^'((?:[^']|'')*)'$/.exec(t))) return { value: m[1].replace(/''/g, "'"), type: 'string' };
	if ((m = /^([A-Za-z][\w.]*)'((?:[^']|'')*)'$/.exec(t))) return { value: m[2].replace(/''/g, "'"), type: 'enum', enumType: m[1] };
	if (t === 'null') return { value: null, type: 'null' };
	if (t === 'true' || t === 'false') return { value: t === 'true', type: 'boolean' };
	if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t)) return { value: Number(t), type: 'number' };
	if (DATE_TIME_RE.test(t)) return { value: t, type: 'datetime' };
	if (/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(t)) return { value: t.toLowerCase(), type: 'guid' };
	throw new ODataError(`'${t}' is not an OData literal`);
}

/** Splits `a='x,y',b=2` at top-level commas (not inside quotes or parentheses). */
function splitTopLevel(text, sep = ',') {
	const parts = [];
	let depth = 0;
	let quoted = false;
	let cur = '';
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c === "'") {
			if (quoted && text[i + 1] === "'") {
				cur += "''";
				i++;
				continue;
			}
			quoted = !quoted;
		} else if (!quoted && c === '(') depth++;
		else if (!quoted && c === ')') depth--;
		if (!quoted && depth === 0 && c === sep) {
			parts.push(cur);
			cur = '';
			continue;
		}
		cur += c;
	}
	if (cur.length || parts.length) parts.push(cur);
	return parts;
}

/**
 * The inside of `(...)` of a key or a function call: `29` -> { '': literal }, `Number='100'` ->
 * { Number: literal }, `periodFrom=…,periodTo=…` -> { periodFrom, periodTo }. Values are parseLiteral() results.
 */
function parseArguments(inner) {
	const out = {};
	if (inner.trim() === '') return out;
	for (const part of splitTopLevel(inner)) {
		const eq = /^\s*([A-Za-z_]\w*)\s*=(.*)$/s.exec(part);
		if (eq && !/^'/.test(part.trim())) out[eq[1]] = parseLiteral(eq[2]);
		else out[''] = parseLiteral(part);
	}
	return out;
}

/* ------------------------------------------------------------------ $filter */

/** @returns {Array<{ t: string, v?: any }>} */
function tokenize(text) {
	const tokens = [];
	let i = 0;
	while (i < text.length) {
		const c = text[i];
		if (/\s/.test(c)) {
			i++;
			continue;
		}
		if (c === '(' || c === ')' || c === ',') {
			tokens.push({ t: c });
			i++;
			continue;
		}
		if (c === "'") {
			let j = i + 1;
			let v = '';
			for (;;) {
				if (j >= text.length) throw new ODataError('unterminated string literal in $filter');
				if (text[j] === "'") {
					if (text[j + 1] === "'") {
						v += "'";
						j += 2;
						continue;
					}
					break;
				}
				v += text[j++];
			}
			tokens.push({ t: 'lit', v: { value: v, type: 'string' } });
			i = j + 1;
			continue;
		}
		const m = /^[^\s(),']+/.exec(text.slice(i));
		const word = m[0];
		i += word.length;
		// an enum literal Pbx.Type'Value'
		if (text[i] === "'" && /^[A-Za-z][\w.]*$/.test(word)) {
			const rest = /^'((?:[^']|'')*)'/.exec(text.slice(i));
			if (rest) {
				tokens.push({ t: 'lit', v: { value: rest[1].replace(/''/g, "'"), type: 'enum' } });
				i += rest[0].length;
				continue;
			}
		}
		tokens.push({ t: 'word', v: word });
	}
	return tokens;
}

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set(['contains', 'startswith', 'endswith', 'tolower', 'toupper']);

/** Parses a $filter into a tree; throws ODataError on anything it does not understand. */
function parseFilter(text) {
	const tokens = tokenize(text);
	let pos = 0;
	const peek = () => tokens[pos];
	const next = () => tokens[pos++];
	const isWord = (tok, w) => tok && tok.t === 'word' && tok.v.toLowerCase() === w;
	const expect = (t) => {
		const tok = next();
		if (!tok || tok.t !== t) throw new ODataError(`expected '${t}' in $filter`);
		return tok;
	};

	function parseOr() {
		let left = parseAnd();
		while (isWord(peek(), 'or')) {
			next();
			left = { op: 'or', left, right: parseAnd() };
		}
		return left;
	}
	function parseAnd() {
		let left = parseNot();
		while (isWord(peek(), 'and')) {
			next();
			left = { op: 'and', left, right: parseNot() };
		}
		return left;
	}
	function parseNot() {
		if (isWord(peek(), 'not')) {
			next();
			return { op: 'not', arg: parseNot() };
		}
		return parseComparison();
	}
	function parseComparison() {
		const left = parseValue();
		const tok = peek();
		if (tok && tok.t === 'word' && COMPARISONS.has(tok.v.toLowerCase())) {
			next();
			return { op: tok.v.toLowerCase(), left, right: parseValue() };
		}
		return left;
	}
	function parseValue() {
		const tok = next();
		if (!tok) throw new ODataError('unexpected end of $filter');
		if (tok.t === '(') {
			const inner = parseOr();
			expect(')');
			return inner;
		}
		if (tok.t === 'lit') return { op: 'lit', value: tok.v };
		if (tok.t === 'word') {
			const lower = tok.v.toLowerCase();
			if (peek() && peek().t === '(' && FUNCTIONS.has(lower)) {
				next();
				const args = [parseOr()];
				while (peek() && peek().t === ',') {
					next();
					args.push(parseOr());
				}
				expect(')');
				return { op: 'call', name: lower, args };
			}
			if (/^[A-Za-z_][\w/]*$/.test(tok.v) && !['true', 'false', 'null'].includes(lower)) return { op: 'field', name: tok.v };
			return { op: 'lit', value: parseLiteral(tok.v) };
		}
		throw new ODataError(`unexpected '${tok.t}' in $filter`);
	}
	const tree = parseOr();
	if (pos !== tokens.length) throw new ODataError(`could not read $filter after token ${pos}`);
	return tree;
}

function fieldValue(entity, name) {
	return name.split('/').reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), entity);
}

function evaluate(node, entity) {
	switch (node.op) {
		case 'or':
			return !!evaluate(node.left, entity) || !!evaluate(node.right, entity);
		case 'and':
			return !!evaluate(node.left, entity) && !!evaluate(node.right, entity);
		case 'not':
			return !evaluate(node.arg, entity);
		case 'lit':
			return node.value;
		case 'field':
			return { value: fieldValue(entity, node.name), type: 'field' };
		case 'call': {
			const args = node.args.map((a) => unwrap(evaluate(a, entity)));
			const s = (v) => (v === null || v === undefined ? '' : String(v).toLowerCase());
			if (node.name === 'tolower') return { value: s(args[0]), type: 'string' };
			if (node.name === 'toupper') return { value: args[0] === null || args[0] === undefined ? '' : String(args[0]).toUpperCase(), type: 'string' };
			if (node.name === 'contains') return s(args[0]).includes(s(args[1]));
			if (node.name === 'startswith') return s(args[0]).startsWith(s(args[1]));
			return s(args[0]).endsWith(s(args[1]));
		}
		default:
			return compare(node.op, evaluate(node.left, entity), evaluate(node.right, entity));
	}
}

function unwrap(v) {
	return v && typeof v === 'object' && 'value' in v ? v.value : v;
}

/** Compares two operands; date-times (a bare literal against an ISO string field) compare as instants. */
function compare(op, a, b) {
	let x = unwrap(a);
	let y = unwrap(b);
	const isDate = (o) => o && o.type === 'datetime';
	if (isDate(a) || isDate(b)) {
		x = x === null || x === undefined ? NaN : Date.parse(x);
		y = y === null || y === undefined ? NaN : Date.parse(y);
		if (Number.isNaN(x) || Number.isNaN(y)) return op === 'ne';
	}
	if (x === undefined) x = null;
	if (y === undefined) y = null;
	switch (op) {
		case 'eq':
			return x === y;
		case 'ne':
			return x !== y;
		case 'gt':
			return x !== null && y !== null && x > y;
		case 'ge':
			return x !== null && y !== null && x >= y;
		case 'lt':
			return x !== null && y !== null && x < y;
		case 'le':
			return x !== null && y !== null && x <= y;
		default:
			throw new ODataError(`unknown operator ${op}`);
	}
}

/** A predicate for `$filter`; throws ODataError if it cannot be read. */
function compileFilter(text) {
	const tree = parseFilter(text);
	return (entity) => !!evaluate(tree, entity);
}

/* ------------------------------------------------------------------ $orderby, $select, paging */

function compileOrderBy(text) {
	const keys = String(text)
		.split(',')
		.map((k) => k.trim())
		.filter(Boolean)
		.map((k) => {
			const [field, dir = 'asc'] = k.split(/\s+/);
			if (!/^(asc|desc)$/i.test(dir)) throw new ODataError(`$orderby direction '${dir}' must be asc or desc`);
			return { field, sign: /^desc$/i.test(dir) ? -1 : 1 };
		});
	const norm = (v) => (typeof v === 'string' && DATE_TIME_RE.test(v) ? Date.parse(v) : v);
	return (a, b) => {
		for (const { field, sign } of keys) {
			const x = norm(fieldValue(a, field));
			const y = norm(fieldValue(b, field));
			if (x === y) continue;
			if (x === undefined || x === null) return -sign;
			if (y === undefined || y === null) return sign;
			return x > y ? sign : -sign;
		}
		return 0;
	};
}

function selectFields(entity, select) {
	if (!select || entity === null || typeof entity !== 'object') return entity;
	const fields = String(select)
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
	const out = {};
	for (const f of fields) if (Object.prototype.hasOwnProperty.call(entity, f)) out[f] = entity[f];
	return out;
}

/**
 * Applies the query options of an OData request to a list: $search, $filter, $orderby, then
 * $count (before paging), $skip, $top (refused above `maxTop`, null = no cap), $select.
 * Returns { value, count } or throws ODataError (the caller answers 400).
 */
function applyQuery(list, query = {}, options = {}) {
	const maxTop = options.maxTop === undefined ? 100 : options.maxTop;
	let rows = list;
	const first = (v) => (Array.isArray(v) ? v[0] : v);
	const search = first(query.$search);
	if (search) {
		const needle = String(search).replace(/^"(.*)"$/, '$1').toLowerCase();
		rows = rows.filter((e) => Object.values(e).some((v) => typeof v === 'string' && v.toLowerCase().includes(needle)));
	}
	const filter = first(query.$filter);
	if (filter) rows = rows.filter(compileFilter(filter));
	const orderby = first(query.$orderby);
	if (orderby) rows = [...rows].sort(compileOrderBy(orderby));
	const count = rows.length;
	const rawSkip = first(query.$skip);
	const rawTop = first(query.$top);
	const skip = rawSkip !== undefined ? Number(rawSkip) : 0;
	const top = rawTop !== undefined ? Number(rawTop) : undefined;
	if (!Number.isInteger(skip) || skip < 0) throw new ODataError(`Invalid value '${rawSkip}' for $skip query option found.`);
	if (top !== undefined && (!Number.isInteger(top) || top < 0)) throw new ODataError(`Invalid value '${rawTop}' for $top query option found.`);
	if (top !== undefined && maxTop !== null && top > maxTop) {
		throw new ODataError(
			`The query specified in the URI is not valid. The limit of '${maxTop}' for Top query has been exceeded. The value from the incoming request is '${top}'.`,
		);
	}
	const select = first(query.$select);
	const value = rows.slice(skip, top === undefined ? undefined : skip + top).map((e) => selectFields(e, select));
	return { value, count };
}

module.exports = {
	ODataError,
	DATE_TIME_RE,
	parseLiteral,
	parseArguments,
	splitTopLevel,
	parseFilter,
	compileFilter,
	compileOrderBy,
	selectFields,
	applyQuery,
};
