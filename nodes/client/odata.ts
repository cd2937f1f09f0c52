/**
 * OData literals as XAPI accepts them, and the checks that turn a user's value into one.
 *
 * Every function here is pure: it either returns the exact text or JSON value to send, or throws
 * a FieldError that names the field and says what is wrong. Nothing is sent on an error.
 */
/**
 * How a value is written: `int`/`num` bare numbers, `bool` true/false, `date` bare ISO-8601 with
 * offset, `guid` bare GUID, `str`/`enum` single-quoted strings with `'` doubled, `json` parsed JSON.
 */
export type WireKind = 'int' | 'num' | 'bool' | 'date' | 'guid' | 'str' | 'enum' | 'json';

export class FieldError extends Error {
	constructor(
		readonly field: string,
		readonly problem: string,
	) {
		super(`${field}: ${problem}`);
		this.name = 'FieldError';
	}
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ISO_DATE_TIME =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,12})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function describe(value: unknown): string {
	if (typeof value === 'string') {
		const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
		return `"${shown}"`;
	}
	if (value === null) return 'null';
	if (value === undefined) return 'nothing';
	if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'an object';
	return String(value);
}

/** True for the values n8n gives for a field the user left empty. */
export function isEmpty(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

export function toInteger(value: unknown, field: string): number {
	let n: number;
	if (typeof value === 'number') n = value;
	else if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) n = Number(value);
	else throw new FieldError(field, `must be a whole number, got ${describe(value)}`);
	if (!Number.isInteger(n)) throw new FieldError(field, `must be a whole number, got ${describe(value)}`);
	if (n < INT32_MIN || n > INT32_MAX) {
		throw new FieldError(field, `must be between ${INT32_MIN} and ${INT32_MAX}, got ${n}`);
	}
	return n;
}

export function toNumber(value: unknown, field: string): number {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isFinite(n)) {
		throw new FieldError(field, `must be a number, got ${describe(value)}`);
	}
	return n;
}

export function toBoolean(value: unknown, field: string): boolean {
	if (typeof value === 'boolean') return value;
	if (value === 'true' || value === 'false') return value === 'true';
	throw new FieldError(field, `must be true or false, got ${describe(value)}`);
}

export function toGuid(value: unknown, field: string): string {
	const text = typeof value === 'string' ? value.trim() : value;
	if (typeof text !== 'string' || !GUID.test(text)) {
		throw new FieldError(field, `must be a GUID like 0f8fad5b-d9cb-469f-a165-70867728950e, got ${describe(value)}`);
	}
	return text;
}

/** Minutes east of UTC that `timeZone` has at the instant `utcMillis`. */
function offsetMinutes(utcMillis: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(utcMillis));
	const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
	const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
	return Math.round((asUtc - Math.floor(utcMillis / 1000) * 1000) / 60000);
}

function formatOffset(minutes: number): string {
	if (minutes === 0) return 'Z';
	const sign = minutes < 0 ? '-' : '+';
	const abs = Math.abs(minutes);
	return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * A date-time as XAPI wants it: ISO-8601 with seconds and an offset. A value without an offset
 * (n8n's date picker gives those) is read in the workflow's time zone; a date alone is midnight.
 */
export function toDateTime(value: unknown, field: string, timeZone = 'UTC'): string {
	let text: unknown = value;
	if (value instanceof Date) {
		if (Number.isNaN(value.getTime())) throw new FieldError(field, 'is an invalid date');
		return value.toISOString();
	}
	if (value && typeof value === 'object' && typeof (value as { toISO?: unknown }).toISO === 'function') {
		text = (value as { toISO: () => string | null }).toISO();
	}
	if (typeof text !== 'string') {
		throw new FieldError(field, `must be an ISO 8601 date and time like 2025-01-31T08:00:00Z, got ${describe(value)}`);
	}
	const match = ISO_DATE_TIME.exec(text.trim());
	if (!match) {
		throw new FieldError(field, `must be an ISO 8601 date and time like 2025-01-31T08:00:00Z, got ${describe(value)}`);
	}
	const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone] = match;
	const probe = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s));
	if (
		probe.getUTCFullYear() !== +y ||
		probe.getUTCMonth() !== +mo - 1 ||
		probe.getUTCDate() !== +d ||
		+h > 23 ||
		+mi > 59 ||
		+s > 59
	) {
		throw new FieldError(field, `is not a real date and time: ${describe(value)}`);
	}
	const local = `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}`;
	if (zone) {
		const normalised = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
		return `${local}${normalised}`;
	}
	let offset: number | undefined;
	try {
		const guess = probe.getTime();
		offset = offsetMinutes(guess - offsetMinutes(guess, timeZone) * 60000, timeZone);
	} catch {
		offset = undefined;
	}
	if (offset === undefined || Number.isNaN(offset)) {
		throw new FieldError(field, `cannot be read in the workflow's time zone "${timeZone}"`);
	}
	return `${local}${formatOffset(offset)}`;
}

/** A string literal: single-quoted, with every `'` doubled. */
export function quoteString(text: string): string {
	return `'${text.replace(/'/g, "''")}'`;
}

export function toText(value: unknown, field: string): string {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	throw new FieldError(field, `must be text, got ${describe(value)}`);
}

/**
 * The literal for a path or function parameter, before URL encoding: `29`, `true`,
 * `2025-01-01T00:00:00Z`, `'it''s'`. `nullable` strings may be empty (`''`); others may not.
 */
export function odataLiteral(
	value: unknown,
	kind: WireKind,
	field: string,
	options: { timeZone?: string; allowEmpty?: boolean } = {},
): string {
	if (kind !== 'str' && kind !== 'enum' && isEmpty(value)) throw new FieldError(field, 'is required');
	switch (kind) {
		case 'int':
			return String(toInteger(value, field));
		case 'num':
			return String(toNumber(value, field));
		case 'bool':
			return String(toBoolean(value, field));
		case 'date':
			return toDateTime(value, field, options.timeZone);
		case 'guid':
			return toGuid(value, field);
		case 'str':
		case 'enum': {
			if (value === undefined || value === null) {
				if (options.allowEmpty) return "''";
				throw new FieldError(field, 'is required');
			}
			const text = toText(value, field);
			if (text === '' && !options.allowEmpty) throw new FieldError(field, 'is required and cannot be empty');
			return quoteString(text);
		}
		default:
			throw new FieldError(field, `cannot be used in a URL (${kind})`);
	}
}

/** A literal made safe for its path segment: everything but unreserved characters is escaped. */
export function pathSegment(literal: string, field = 'value'): string {
	if (LONE_SURROGATE.test(literal)) throw new FieldError(field, 'contains an invalid character (a broken UTF-16 surrogate)');
	return encodeURIComponent(literal);
}

/** Parses the text of a JSON field; an object or array given by an expression is taken as it is. */
export function parseJson(value: unknown, field: string): unknown {
	if (typeof value !== 'string') return value;
	let reason: string;
	try {
		return JSON.parse(value);
	} catch (error) {
		reason = error instanceof Error ? error.message : String(error);
	}
	throw new FieldError(field, `is not valid JSON (${reason})`);
}

/** A value for a JSON body (action parameters and entity fields), typed as the spec says. */
export function bodyValue(value: unknown, kind: WireKind, field: string, timeZone?: string): unknown {
	switch (kind) {
		case 'int':
			return toInteger(value, field);
		case 'num':
			return toNumber(value, field);
		case 'bool':
			return toBoolean(value, field);
		case 'date':
			return toDateTime(value, field, timeZone);
		case 'guid':
			return toGuid(value, field);
		case 'json':
			return parseJson(value, field);
		default:
			return toText(value, field);
	}
}
