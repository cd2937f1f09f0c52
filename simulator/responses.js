'use strict';
/**
 * Response helpers of the simulated 3CX: what a route or handler returns
 * (`{ status, headers, body, delayMs, destroy }`), in XAPI's formats.
 */

const ODATA_JSON = 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';

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

module.exports = { ODATA_JSON, helpers, ...helpers, selectFields };
