'use strict';
/**
 * Response helpers of the simulated 3CX: what a route or handler returns
 * (`{ status, headers, body, delayMs, destroy }`), in XAPI's formats.
 */

/**
 * What a route or handler returns to script an answer.
 * @typedef {object} XapiResponse
 * @property {number} [status]
 * @property {Record<string, string>} [headers]
 * @property {unknown} [body] Buffer/Uint8Array = raw bytes; string = text; other values are JSON-encoded; undefined = empty body.
 * @property {number} [delayMs] wait this long before answering; `stop()` cuts the wait short and drops the answer
 * @property {boolean} [destroy] destroy the socket instead of answering (connection reset)
 */
/** @typedef {import('./index').RecordedRequest} RecordedRequest */
/** @typedef {XapiResponse | ((req: RecordedRequest) => XapiResponse | undefined | void | Promise<XapiResponse | undefined | void>)} Responder */
/** @typedef {Record<string, string>} Headers */

const ODATA_JSON = 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';

/**
 * JSON response (OData content type).
 * @param {unknown} body
 * @param {number} [status]
 * @param {Headers} [headers]
 * @returns {XapiResponse}
 */
function json(body, status = 200, headers = {}) {
	return { status, headers: { 'content-type': ODATA_JSON, ...headers }, body: Buffer.from(JSON.stringify(body)) };
}

/**
 * 201 with the entity, as XAPI answers a create.
 * @param {unknown} entity
 * @param {Headers} [headers]
 * @returns {XapiResponse}
 */
function created(entity, headers = {}) {
	return json(entity, 201, headers);
}

/**
 * 204, empty body (PATCH, DELETE, most actions).
 * @param {Headers} [headers]
 * @returns {XapiResponse}
 */
function noContent(headers = {}) {
	return { status: 204, headers: { ...headers } };
}

/**
 * Any status with an empty body.
 * @param {number} status
 * @param {Headers} [headers]
 * @returns {XapiResponse}
 */
function empty(status, headers = {}) {
	return { status, headers: { ...headers } };
}

/**
 * A raw body (string or Buffer) with an explicit content type.
 * @param {string | Buffer} body
 * @param {string} [contentType]
 * @param {number} [status]
 * @param {Headers} [headers]
 * @returns {XapiResponse & { headers: Headers }}
 */
function raw(body, contentType, status = 200, headers = {}) {
	/** @type {XapiResponse & { headers: Headers }} */
	const out = { status, headers: { ...headers }, body: Buffer.isBuffer(body) ? body : Buffer.from(String(body)) };
	if (contentType) out.headers['content-type'] = contentType;
	return out;
}

/**
 * An HTML page (e.g. a reverse proxy's error page).
 * @param {string} text
 * @param {number} [status]
 * @param {Headers} [headers]
 * @returns {XapiResponse}
 */
function html(text, status = 200, headers = {}) {
	return raw(text, 'text/html; charset=utf-8', status, headers);
}

/**
 * A file download: bytes with a content type and optional attachment file name.
 * @param {Buffer | Uint8Array | string} buffer
 * @param {string} [contentType]
 * @param {{ filename?: string, status?: number, headers?: Headers }} [options]
 * @returns {XapiResponse}
 */
function binary(buffer, contentType = 'application/octet-stream', options = {}) {
	/** @type {Headers} */
	const headers = { ...(options.headers || {}) };
	if (options.filename) headers['content-disposition'] = `attachment; filename="${options.filename}"`;
	return raw(Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer), contentType, options.status || 200, headers);
}

/**
 * A 3CX/OData error body:
 * `{"error":{"code":"","message":"...","details":[{"message":"WARNINGS.XAPI.DUPLICATE","target":"Name"}]}}`.
 * `details` entries may be strings (taken as the detail message); `null` omits the array.
 * @param {number} status
 * @param {string} message
 * @param {Array<{ message: string, target?: string, code?: string } | string> | null} [details]
 * @param {{ code?: string, headers?: Headers }} [options]
 * @returns {XapiResponse}
 */
function odataError(status, message, details = [], options = {}) {
	/** @type {{ code: string, message: string, details?: object[] }} */
	const error = { code: options.code === undefined ? '' : options.code, message };
	if (details !== null) {
		error.details = details.map((d) => (typeof d === 'string' ? { message: d } : { ...d }));
	}
	return json({ error }, status, options.headers || {});
}

/**
 * Shorthand for a 3CX validation warning, e.g. `xapiWarning('WARNINGS.XAPI.DUPLICATE', { target: 'Name' })`.
 * Default status 400; default message `<target>:\n<code>` (override with `message`).
 * @param {string} code
 * @param {{ target?: string, status?: number, message?: string }} [options]
 * @returns {XapiResponse}
 */
function xapiWarning(code, options = {}) {
	const status = options.status || 400;
	const target = options.target;
	const message = options.message !== undefined ? options.message : target ? `${target}:\n${code}` : code;
	/** @type {{ message: string, target?: string }} */
	const detail = { message: code };
	if (target !== undefined) detail.target = target;
	return odataError(status, message, [detail]);
}

/**
 * `{"@odata.context": ..., "value": [...]}` as an object (not a response).
 * @template T
 * @param {T[]} value
 * @param {string} [context]
 * @param {Record<string, unknown>} [extra]
 * @returns {{ '@odata.context'?: string, value: T[], [key: string]: unknown }}
 */
function odataCollection(value, context, extra = {}) {
	const out = /** @type {{ '@odata.context'?: string, value: T[], [key: string]: unknown }} */ ({});
	if (context) out['@odata.context'] = context;
	Object.assign(out, extra);
	out.value = value;
	return out;
}

/**
 * @param {any} entity
 * @param {string | undefined} select
 */
function selectFields(entity, select) {
	if (!select || entity === null || typeof entity !== 'object') return entity;
	const fields = select.split(',').map((s) => s.trim()).filter(Boolean);
	/** @type {Record<string, unknown>} */
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
 * @template {object} T
 * @param {T[] | ((req: RecordedRequest) => T[])} entities
 * @param {{ maxTop?: number | null, context?: string, pageSize?: number }} [options]
 * @returns {((req: RecordedRequest) => XapiResponse) & { entities: T[] | ((req: RecordedRequest) => T[]) }}
 */
function collection(entities, options = {}) {
	const maxTop = options.maxTop === undefined ? 100 : options.maxTop;
	/** @type {((req: RecordedRequest) => XapiResponse) & { entities: T[] | ((req: RecordedRequest) => T[]) }} */
	const responder = Object.assign((/** @type {RecordedRequest} */ req) => {
		const list = typeof entities === 'function' ? entities(req) : entities;
		const q = /** @type {Record<string, any>} */ (req.query);
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
		/** @type {Record<string, unknown>} */
		const extra = {};
		if (String(q.$count).toLowerCase() === 'true') extra['@odata.count'] = list.length;
		const context = options.context !== undefined ? options.context : req.odataContext;
		return json(odataCollection(page, context, extra));
	}, { entities });
	return responder;
}

/**
 * A responder that answers with each response in turn; the last one repeats
 * (e.g. `sequence(odataError(500, 'x'), json({ Id: 1 }))`). `calls` counts its uses.
 * @param {...Responder} responders
 * @returns {((req: RecordedRequest) => Promise<XapiResponse | undefined | void>) & { readonly calls: number }}
 */
function sequence(...responders) {
	if (!responders.length) throw new Error('sequence() needs at least one responder');
	let i = 0;
	const responder = async (/** @type {RecordedRequest} */ req) => {
		const r = responders[Math.min(i, responders.length - 1)];
		i += 1;
		return typeof r === 'function' ? r(req) : r;
	};
	Object.defineProperty(responder, 'calls', { get: () => i });
	return /** @type {typeof responder & { readonly calls: number }} */ (responder);
}

/**
 * `n` entities built by `make(i)` (i from 0), default `{ Id: i + 1, Name: 'Item i+1' }`.
 * @template [T={ Id: number, Name: string }]
 * @param {number} n
 * @param {(i: number) => T} [make]
 * @returns {T[]}
 */
function makeEntities(n, make) {
	/** @type {any[]} */
	const out = [];
	for (let i = 0; i < n; i++) out.push(make ? make(i) : { Id: i + 1, Name: `Item ${i + 1}` });
	return out;
}

const helpers = { json, created, noContent, empty, raw, html, binary, odataError, xapiWarning, odataCollection, collection, sequence, makeEntities };

module.exports = {
	ODATA_JSON,
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
	selectFields,
};
