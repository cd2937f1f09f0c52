'use strict';
/**
 * From the parsed spec to a model of the node: resources, operations, the shared fields they use,
 * and the runtime table that tells the node's request builder how to put each value on the wire.
 *
 * Every operation of the spec becomes an operation of the node; nothing is skipped. Anything the
 * generator cannot place raises an error instead of being dropped. The English of names and
 * descriptions is in wording.js and texts.js; the fields in fields.js.
 *
 * Words used here, one meaning each:
 * - `role`: what an operation does, judged from its method and path (`classify`): list, get,
 *   create, function, action, navigation ...;
 * - `kind`: the kind of a schema (spec.js), `wire` the kind the request builder writes (WIRE);
 * - the runtime table's parameter tuples end in a flag named for what it says (runtime/types.ts):
 *   a path parameter's `nullable`, an action parameter's `required`, a query parameter's `optional`.
 */
const { lowerFirst, byName, title } = require('./naming');
const { findLocators } = require('./locators');
const { outputSchema } = require('./schemas');
const { EXTRA_OPERATIONS, answersFile } = require('./extras');
const { FieldRegistry, bodyCollection, cmp } = require('./fields');
const { nameResource } = require('./wording');
const { describeBodyParam } = require('./texts');
const { PAGE_SIZE, ODATA_QUERY_OPTIONS, LIST_OPTIONS } = require('./constants');

/** Wire kinds, shared with the node's runtime (nodes/client WireKind). */
const WIRE = {
	integer: 'int',
	number: 'num',
	boolean: 'bool',
	datetime: 'date',
	guid: 'guid',
	string: 'str',
	enum: 'enum',
	object: 'json',
	array: 'json',
	unknown: 'str',
};

/** The item a file answer becomes: metadata in json, the bytes in binary. */
const FILE_ITEM_SCHEMA = {
	type: 'object',
	properties: { fileName: { type: 'string' }, mimeType: { type: 'string' }, fileSize: { type: 'number' } },
};

/** A path or function parameter: [placeholder, field, wire kind, nullable]. */
const pathParam = (placeholder, field, d) => [placeholder, field, wireKind(d), d.nullable ? 1 : 0];
/** An action parameter in the JSON body: [key, field, wire kind, required]. */
const bodyParam = (key, field, d) => [key, field, wireKind(d), d.nullable ? 0 : 1];
/** A query parameter other than the OData options: [name, field, wire kind, optional]. */
const queryParam = (name, field, d, required) => [name, field, wireKind(d), required ? 0 : 1];

function buildModel(spec) {
	const builder = new ModelBuilder(spec);
	for (const entry of [...spec.operations(), ...extraEntries(spec)]) builder.addOperation(entry);
	return builder.finish();
}

/** The operations 3CX's server has but its spec does not describe (extras.js), where their tag exists. */
function extraEntries(spec) {
	const specTags = new Set(spec.operations().flatMap((e) => e.op.tags || []));
	return EXTRA_OPERATIONS.filter((x) => specTags.has(x.tag)).map((x) => ({
		path: x.path,
		method: x.method,
		op: { operationId: x.operationId, tags: [x.tag], summary: x.description, responses: {} },
		parameters: x.parameters,
		extra: x,
	}));
}

class ModelBuilder {
	constructor(spec) {
		this.spec = spec;
		this.bodyCollections = new Map();
		this.queryCollections = new Map();
		this.resources = new Map();
		/** operation value -> its row of the runtime table (generated/operations.ts). */
		this.runtime = {};
		this.seenValues = new Map();
		this.entities = new Map();
		this.locators = findLocators(spec);
		this.locatorBySet = new Map(this.locators.map((l) => [l.set, l]));
		this.fields = new FieldRegistry(this.locators.map((l) => l.field));
	}

	addOperation(entry) {
		const { op, path, method } = entry;
		if (!op.operationId) throw new Error(`${method} ${path} has no operationId`);
		const value = lowerFirst(op.operationId);
		if (this.seenValues.has(value)) {
			throw new Error(`Operations ${this.seenValues.get(value)} and ${op.operationId} both map to value "${value}"`);
		}
		this.seenValues.set(value, op.operationId);
		const tags = op.tags && op.tags.length ? op.tags : ['Other'];
		const resourceValues = tags.map((t) => lowerFirst(t.replace(/[^A-Za-z0-9]/g, '')));
		for (const [i, tag] of tags.entries()) {
			if (!this.resources.has(resourceValues[i])) this.resources.set(resourceValues[i], { value: resourceValues[i], tag, operations: [] });
		}
		const ctx = { entry, value, resourceValues };
		const meta = { resource: resourceValues[0], method, path, params: [], response: 'entity' };
		const role = entry.extra ? { kind: 'extra', ...entry.extra } : classify(this.spec, entry);
		if (entry.extra) {
			meta.extra = true;
			meta.file = entry.extra.file;
		} else if (role.isCall && answersFile(role.callName)) {
			meta.file = 'download';
		}
		meta.params = this.pathParams(ctx);
		// Headers the spec declares (If-Match on deletes) are optional: offered in the options.
		const headers = entry.parameters.filter((p) => p.in === 'header').map((p) => p.name);
		const body = this.body(ctx, role);
		if (body) meta.body = body;
		const queryNames = entry.parameters.filter((p) => p.in === 'query' && p.name.startsWith('$')).map((p) => p.name);
		const query = this.queryParams(ctx);
		if (query.length) meta.query = query;
		const paged = queryNames.includes('$top') && queryNames.includes('$skip');
		this.noteQueryCollection(value, resourceValues, queryNames, headers, paged);
		// A file download is one file: no Return All or Limit (its options keep $skip, as before).
		if (paged && meta.file !== 'download') meta.paged = true;
		const success = this.spec.successResponse(op);
		this.response(meta, success, queryNames);
		const schema = meta.file === 'download' || meta.file === 'backup' ? FILE_ITEM_SCHEMA : entry.extra ? undefined : outputSchema(this.spec, op, meta.response);
		for (const resourceValue of resourceValues) {
			this.resources.get(resourceValue).operations.push({
				value,
				schema,
				method,
				path,
				operationId: op.operationId,
				role,
				paged: !!meta.paged,
				summary: op.summary,
				description: op.description,
				file: meta.file,
				response: meta.response,
			});
		}
		this.runtime[value] = meta;
	}

	/** Path and function parameters, in the template's order; an entity set's key is a resource locator. */
	pathParams({ entry, value, resourceValues }) {
		const { op, path } = entry;
		const params = [];
		for (const [, placeholder] of path.matchAll(/\{([^}]+)\}/g)) {
			const param = entry.parameters.find((p) => p.in === 'path' && p.name === placeholder);
			if (!param) throw new Error(`${op.operationId}: no parameter declared for {${placeholder}}`);
			const d = this.spec.describe(param.schema || {});
			const keyOf = /^\/([A-Za-z0-9]+)\(\{([A-Za-z0-9_]+)\}\)/.exec(path);
			const locator = keyOf && keyOf[2] === placeholder ? this.locatorBySet.get(keyOf[1]) : undefined;
			const field = locator
				? this.fields.useLocator(locator, d, resourceValues, value)
				: this.fields.use({ name: placeholder, d, required: !d.nullable, description: param.description, usage: 'path' }, resourceValues, value);
			params.push(pathParam(placeholder, field, d));
		}
		return params;
	}

	/** The request body: an entity write's body collection, or an action's parameters. */
	body({ entry, value, resourceValues }, role) {
		const { op, method } = entry;
		const body = this.spec.requestBodySchema(op);
		if (!body) return undefined;
		const { schema, name } = this.spec.deref(body.schema);
		const isEntityBody = name && (method === 'PATCH' || role.kind === 'create' || (method === 'POST' && !role.isCall));
		if (isEntityBody) {
			const collection = bodyCollection(this.spec, this.bodyCollections, name);
			collection.resources.push(...resourceValues);
			collection.operations.push(value);
			return { collection: collection.name };
		}
		const properties = this.spec.properties(body.schema);
		if (!properties.length && schema && schema.type !== 'object') throw new Error(`${op.operationId}: request body is not an object`);
		const params = [];
		for (const prop of properties) {
			const d = this.spec.describe(prop.schema);
			const field = this.fields.use({ name: prop.name, d, required: !d.nullable, description: describeBodyParam(d), usage: 'body' }, resourceValues, value);
			this.fields.noteExample(field, this.spec, d, value);
			params.push(bodyParam(prop.name, field, d));
		}
		return { params };
	}

	/** Query parameters other than OData's `$` options (none in 20.0.10, kept for other specs). */
	queryParams({ entry, value, resourceValues }) {
		return entry.parameters
			.filter((p) => p.in === 'query' && !p.name.startsWith('$'))
			.map((p) => {
				const d = this.spec.describe(p.schema || {});
				const field = this.fields.use({ name: p.name, d, required: !!p.required, description: p.description }, resourceValues, value);
				return queryParam(p.name, field, d, p.required);
			});
	}

	/** The Options collection (OData options but $top when paged, and headers) the operation shows. */
	noteQueryCollection(value, resourceValues, queryNames, headers, paged) {
		const optionNames = ODATA_QUERY_OPTIONS.filter((n) => queryNames.includes(n) && !(paged && n === '$top'));
		if (!optionNames.length && !headers.length) return;
		const key = [...optionNames, ...headers.map((h) => `header:${h}`)].join(',');
		if (!this.queryCollections.has(key)) this.queryCollections.set(key, { key, optionNames, headers, operations: [], resources: [] });
		this.queryCollections.get(key).operations.push(value);
		this.queryCollections.get(key).resources.push(...resourceValues);
	}

	/** What the answer is (collection, entity, none) and the entity Fields ($select) and Expand ($expand) offer. */
	response(meta, success, queryNames) {
		if (!success || !success.schema) meta.response = 'none';
		else if (isCollection(this.spec, success.schema)) meta.response = 'collection';
		else meta.response = 'entity';
		if (success && success.schema && (queryNames.includes('$select') || queryNames.includes('$expand'))) {
			const entity = responseEntity(this.spec, success.schema, meta.response === 'collection');
			if (entity) {
				meta.entity = entity.name;
				if (!this.entities.has(entity.name)) this.entities.set(entity.name, entity.describe());
			}
		}
	}

	finish() {
		const { runtime } = this;
		const fileOperations = (files) =>
			Object.entries(runtime)
				.filter(([, m]) => files.includes(m.file))
				.map(([v]) => v);
		const binaryFields = { output: fileOperations(['download', 'backup']), input: fileOperations(['upload']) };
		const fieldList = this.fields.list();
		// Field names are final only now: replace the field references in the runtime table.
		for (const meta of Object.values(runtime)) {
			for (const list of [meta.params, meta.body && meta.body.params, meta.query]) {
				for (const param of list || []) param[1] = param[1].name;
			}
		}
		const queryList = nameQueryCollections([...this.queryCollections.values()]);
		for (const c of queryList) for (const op of c.operations) runtime[op].options = c.name;
		const resourceList = [...this.resources.values()]
			.map((r) => ({ value: r.value, tag: r.tag, ...nameResource(r.tag, r.operations) }))
			.sort((a, b) => byName(a.name, b.name));
		return {
			resources: resourceList,
			fields: fieldList,
			bodyCollections: [...this.bodyCollections.values()].sort((a, b) => cmp(a.name, b.name)),
			queryCollections: queryList,
			locators: this.locators,
			binaryFields,
			entities: new Map([...this.entities.entries()].sort((a, b) => cmp(a[0], b[0]))),
			runtime,
			pageSize: PAGE_SIZE,
		};
	}
}

/** What an operation does (its role), judged from its method and path. */
function classify(spec, { path, method, op }) {
	const segments = path.split('/').filter(Boolean);
	const last = segments[segments.length - 1];
	const call = /^(?:[A-Za-z0-9]+\.)?([A-Za-z0-9_]+)(\(.*\))?$/.exec(last);
	const isBoundCall = /^Pbx\./.test(last);
	// A function import sits at the root: /GetUpdateDetails(key={key},id={id}). An entity set's key or
	// alternate key looks alike, /Users({Id}) or /Users(Number={Number}), but its set has a path of its own.
	const rootName = last.replace(/\(.*$/, '');
	const isImportCall = segments.length === 1 && /\(.*=.*\)$|\(\)$/.test(last) && !spec.api.paths[`/${rootName}`];
	if (isBoundCall || isImportCall) {
		const name = last.replace(/^Pbx\./, '').replace(/\(.*$/, '');
		return { kind: method === 'GET' ? 'function' : 'action', isCall: true, callName: name };
	}
	if (!spec.api.paths[path]) throw new Error(`unknown path ${path}`);
	const keyed = /\([^)]*\)$/.test(last);
	const alternateKey = /\(([A-Za-z]+)=\{[^}]+\}\)$/.exec(last);
	const navigation = segments.length > 1 && !keyed ? call && call[1] : undefined;
	switch (method) {
		case 'GET':
			if (navigation) return { kind: 'navigation', navigation };
			if (keyed) return { kind: 'get', alternateKey: alternateKey && alternateKey[1] };
			return { kind: op.parameters && op.parameters.some((p) => p.$ref && /top$/.test(p.$ref)) ? 'list' : 'singleton' };
		case 'POST':
			return { kind: navigation ? 'navigationCreate' : 'create', navigation };
		case 'PATCH':
		case 'PUT':
			return { kind: keyed ? 'update' : 'singletonUpdate', navigation };
		case 'DELETE':
			return { kind: 'delete', navigation };
		default:
			throw new Error(`${op.operationId}: unsupported method ${method}`);
	}
}

/** The named entity schema an answer carries (the items of a collection), with its property names. */
function responseEntity(spec, schema, collection) {
	let d = spec.describe(schema);
	if (collection) {
		const value = spec.properties(schema).find((p) => p.name === 'value');
		d = value ? spec.describe(value.schema).items : undefined;
	}
	if (!d || d.kind !== 'object' || !d.name) return undefined;
	return {
		name: d.name,
		describe() {
			const props = d.lazyProperties();
			const names = (list) => list.map((p) => p.name).sort(byName);
			return { properties: names(props.filter((p) => !p.navigation)), navigation: names(props.filter((p) => p.navigation)) };
		},
	};
}

function isCollection(spec, schema) {
	const value = spec.properties(schema).find((p) => p.name === 'value');
	return !!value && spec.describe(value.schema).kind === 'array';
}

function wireKind(d) {
	const kind = WIRE[d.kind];
	if (!kind) throw new Error(`no wire kind for ${d.kind}`);
	return kind;
}

/**
 * Names an Options collection after what it holds, so that the name never depends on other
 * operations: `queryOptions` for a list read's options, else `query` and the options' names
 * (querySelectExpand, queryIfMatch). Sorted by name.
 */
function nameQueryCollections(list) {
	for (const c of list) {
		const parts = [...c.optionNames.map((n) => title(n.slice(1))), ...c.headers.map((h) => title(h))];
		const isListRead = !c.headers.length && c.optionNames.join(',') === LIST_OPTIONS.join(',');
		c.name = isListRead ? 'queryOptions' : `query${parts.join('').replace(/[^A-Za-z0-9]/g, '')}`;
	}
	return list.sort((a, b) => cmp(a.name, b.name));
}

module.exports = { buildModel, WIRE };
