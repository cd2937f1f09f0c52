'use strict';
/**
 * From the parsed spec to a model of the node: resources, operations, the shared fields they use,
 * and the runtime table that tells the node's request builder how to put each value on the wire.
 *
 * Every operation of the spec becomes an operation of the node; nothing is skipped. Anything the
 * generator cannot place raises an error instead of being dropped.
 */
const { title, sentence, singularTitle, lowerFirst, article, byName } = require('./naming');
const { findLocators } = require('./locators');
const { outputSchema } = require('./schemas');
const { EXTRA_OPERATIONS, answersFile } = require('./extras');

/** Wire kinds, shared with the node's runtime (nodes/ThreeCx/runtime/types.ts). */
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

const ODATA_QUERY_OPTIONS = ['$filter', '$search', '$orderby', '$select', '$expand', '$count', '$skip', '$top'];

const PAGE_SIZE = 100;

/** The item a file answer becomes: metadata in json, the bytes in binary. */
const FILE_ITEM_SCHEMA = {
	type: 'object',
	properties: { fileName: { type: 'string' }, mimeType: { type: 'string' }, fileSize: { type: 'number' } },
};

function buildModel(spec) {
	const bodyCollections = new Map();
	const queryCollections = new Map();
	const resources = new Map();
	const runtime = {};
	const seenValues = new Map();
	const locators = findLocators(spec);
	const entities = new Map();
	const locatorBySet = new Map(locators.map((l) => [l.set, l]));
	const fields = new FieldRegistry(locators.map((l) => l.field));

	const specEntries = spec.operations();
	const specTags = new Set(specEntries.flatMap((e) => e.op.tags || []));
	const extraEntries = EXTRA_OPERATIONS.filter((x) => specTags.has(x.tag)).map((x) => ({
		path: x.path,
		method: x.method,
		op: { operationId: x.operationId, tags: [x.tag], summary: x.description, responses: {} },
		parameters: x.parameters,
		extra: x,
	}));
	for (const entry of [...specEntries, ...extraEntries]) {
		const { op, path, method } = entry;
		if (!op.operationId) throw new Error(`${method} ${path} has no operationId`);
		const value = lowerFirst(op.operationId);
		if (seenValues.has(value)) {
			throw new Error(`Operations ${seenValues.get(value)} and ${op.operationId} both map to value "${value}"`);
		}
		seenValues.set(value, op.operationId);
		const tags = op.tags && op.tags.length ? op.tags : ['Other'];
		const resourceValues = tags.map((t) => lowerFirst(t.replace(/[^A-Za-z0-9]/g, '')));
		for (const [i, tag] of tags.entries()) {
			if (!resources.has(resourceValues[i])) {
				resources.set(resourceValues[i], { value: resourceValues[i], tag, operations: [] });
			}
		}

		const meta = { resource: resourceValues[0], method, path, params: [], response: 'entity' };
		const shape = entry.extra ? { kind: 'extra', ...entry.extra } : classify(spec, entry);
		if (entry.extra) {
			meta.extra = true;
			meta.file = entry.extra.file;
		} else if (shape.isCall && answersFile(shape.callName)) {
			meta.file = 'download';
		}

		// Path and function parameters, in the template's order.
		const placeholders = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
		for (const placeholder of placeholders) {
			const param = entry.parameters.find((p) => p.in === 'path' && p.name === placeholder);
			if (!param) throw new Error(`${op.operationId}: no parameter declared for {${placeholder}}`);
			const d = spec.describe(param.schema || {});
			const keyOf = /^\/([A-Za-z0-9]+)\(\{([A-Za-z0-9_]+)\}\)/.exec(path);
			const locator = keyOf && keyOf[2] === placeholder ? locatorBySet.get(keyOf[1]) : undefined;
			const field = locator
				? fields.useLocator(locator, d, resourceValues, value)
				: fields.use({ name: placeholder, d, required: !d.nullable, description: param.description, usage: 'path' }, resourceValues, value);
			meta.params.push([placeholder, field, wireKind(d), d.nullable ? 1 : 0]);
		}

		// Headers the spec declares (If-Match on deletes) are optional: offered in the options.
		const headers = entry.parameters.filter((p) => p.in === 'header').map((p) => p.name);

		// Request body.
		const body = spec.requestBodySchema(op);
		if (body) {
			const { schema, name } = spec.deref(body.schema);
			const isEntityBody = name && (method === 'PATCH' || shape.kind === 'create' || (method === 'POST' && !shape.isCall));
			if (isEntityBody) {
				const collection = bodyCollection(spec, bodyCollections, name);
				collection.resources.push(...resourceValues);
				collection.operations.push(value);
				meta.body = { collection: collection.name };
			} else {
				const properties = spec.properties(body.schema);
				if (!properties.length && schema && schema.type !== 'object') {
					throw new Error(`${op.operationId}: request body is not an object`);
				}
				meta.body = { params: [] };
				for (const prop of properties) {
					const d = spec.describe(prop.schema);
					const field = fields.use(
						{ name: prop.name, d, required: !d.nullable, description: describeBodyParam(d), usage: 'body' },
						resourceValues,
						value,
					);
					meta.body.params.push([prop.name, field, wireKind(d), d.nullable ? 0 : 1]);
				}
			}
		}

		// Query options.
		const queryNames = entry.parameters
			.filter((p) => p.in === 'query' && p.name.startsWith('$'))
			.map((p) => p.name);
		const unknownQuery = entry.parameters.filter((p) => p.in === 'query' && !p.name.startsWith('$'));
		for (const p of unknownQuery) {
			const d = spec.describe(p.schema || {});
			const field = fields.use({ name: p.name, d, required: !!p.required, description: p.description }, resourceValues, value);
			meta.query = meta.query || [];
			meta.query.push([p.name, field, wireKind(d), p.required ? 0 : 1]);
		}
		const paged = queryNames.includes('$top') && queryNames.includes('$skip');
		const optionNames = ODATA_QUERY_OPTIONS.filter((n) => queryNames.includes(n) && !(paged && n === '$top'));
		if (optionNames.length || headers.length) {
			const key = [...optionNames, ...headers.map((h) => `header:${h}`)].join(',');
			if (!queryCollections.has(key)) queryCollections.set(key, { key, optionNames, headers, operations: [], resources: [] });
			queryCollections.get(key).operations.push(value);
			queryCollections.get(key).resources.push(...resourceValues);
		}
		if (paged) meta.paged = true;

		// Response.
		const success = spec.successResponse(op);
		if (!success || !success.schema) meta.response = 'none';
		else if (isCollection(spec, success.schema)) meta.response = 'collection';
		else meta.response = 'entity';
		// The entity whose properties Fields ($select) and Expand ($expand) offer.
		if (success && success.schema && (queryNames.includes('$select') || queryNames.includes('$expand'))) {
			const entity = responseEntity(spec, success.schema, meta.response === 'collection');
			if (entity) {
				meta.entity = entity.name;
				if (!entities.has(entity.name)) entities.set(entity.name, entity.describe());
			}
		}

		const schema = meta.file === 'download' || meta.file === 'backup' ? FILE_ITEM_SCHEMA : entry.extra ? undefined : outputSchema(spec, op, meta.response);
		for (const resourceValue of resourceValues) {
			resources.get(resourceValue).operations.push({
				value,
				schema,
				method,
				path,
				operationId: op.operationId,
				shape,
				paged,
				summary: op.summary,
				description: op.description,
			});
		}
		runtime[value] = meta;
	}

	const fileOperations = (kinds) =>
		Object.entries(runtime)
			.filter(([, m]) => kinds.includes(m.file))
			.map(([v]) => v);
	const binaryFields = { output: fileOperations(['download', 'backup']), input: fileOperations(['upload']) };
	const fieldList = fields.list();
	// Field names are final only now: replace the field references in the runtime table.
	for (const meta of Object.values(runtime)) {
		for (const list of [meta.params, meta.body && meta.body.params, meta.query]) {
			for (const entry of list || []) entry[1] = entry[1].name;
		}
	}
	const queryList = nameQueryCollections([...queryCollections.values()]);
	for (const c of queryList) for (const op of c.operations) runtime[op].options = c.name;
	const resourceList = [...resources.values()]
		.map((r) => finishResource(r))
		.sort((a, b) => byName(a.name, b.name));
	return {
		resources: resourceList,
		fields: fieldList,
		bodyCollections: [...bodyCollections.values()].sort((a, b) => cmp(a.name, b.name)),
		queryCollections: queryList,
		locators,
		binaryFields,
		entities: new Map([...entities.entries()].sort((a, b) => cmp(a[0], b[0]))),
		runtime,
		pageSize: PAGE_SIZE,
	};
}

/** What an operation does, judged from its method and path shape. */
function classify(spec, { path, method, op }) {
	const segments = path.split('/').filter(Boolean);
	const last = segments[segments.length - 1];
	const call = /^(?:[A-Za-z0-9]+\.)?([A-Za-z0-9_]+)(\(.*\))?$/.exec(last);
	const isBoundCall = /^Pbx\./.test(last);
	// A function import sits at the root: /GetUpdateDetails(key={key},id={id}). An entity set's key or
	// alternate key looks alike, /Users({Id}) or /Users(Number={Number}), but its set has a path of its own.
	const rootName = last.replace(/\(.*$/, '');
	const isImportCall =
		segments.length === 1 && /\(.*=.*\)$|\(\)$/.test(last) && !spec.api.paths[`/${rootName}`];
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
	const props = spec.properties(schema);
	const value = props.find((p) => p.name === 'value');
	return !!value && spec.describe(value.schema).kind === 'array';
}

function wireKind(d) {
	const kind = WIRE[d.kind];
	if (!kind) throw new Error(`no wire kind for ${d.kind}`);
	return kind;
}

function describeBodyParam(d) {
	if (d.kind === 'array') return 'JSON array';
	if (d.kind === 'object') return d.name ? `JSON object (${d.name.replace(/^Pbx\./, '')})` : 'JSON object';
	return undefined;
}

/** The n8n field for a value of the described schema: type, default and options. */
function fieldShape(d, name = '') {
	switch (d.kind) {
		case 'integer':
			return { type: 'number', default: 0 };
		case 'number':
			return { type: 'number', default: 0 };
		case 'boolean':
			return { type: 'boolean', default: false };
		case 'datetime':
			return { type: 'dateTime', default: '' };
		case 'enum':
			return {
				type: 'options',
				default: d.values[0],
				options: d.values.map((v) => ({ name: title(v) || v, value: v })).sort((a, b) => byName(a.name, b.name)),
				enumName: d.name,
			};
		case 'object':
			return { type: 'json', default: '{}' };
		case 'array':
			if (d.items && d.items.kind === 'enum') {
				return {
					type: 'multiOptions',
					default: [],
					options: d.items.values.map((v) => ({ name: title(v) || v, value: v })).sort((a, b) => byName(a.name, b.name)),
					enumName: d.items.name,
				};
			}
			return { type: 'json', default: '[]' };
		default:
			if (SENSITIVE.test(name)) return { type: 'string', default: '', typeOptions: { password: true } };
			if (/e-?mail/i.test(name)) return { type: 'string', default: '', placeholder: 'name@email.com' };
			return { type: 'string', default: '' };
	}
}

/** Names n8n treats as secrets: their fields hide what is typed. */
const SENSITIVE = /secret|password|token|apikey/i;

/**
 * Top-level fields are shared: one property serves every operation that needs the identical field
 * (same name, type, default and options).
 *
 * A field's property name is a function of the parameter alone (its name and its type), never of
 * the rest of the spec, so that a new 3CX build cannot rename the fields of an operation that did
 * not change (saved workflows keep their values):
 * - the spec's parameter name, as it is;
 * - with the type's suffix (IdText, limitNumber, optionsJson) only when that name is the node's
 *   own: n8n's and the node's fixed parameters (RESERVED), a resource locator's name (`userKey`:
 *   entity sets are named after themselves), or a different parameter of the same operation.
 * Two different fields may so share a name (Id: an integer on Drop Call, text on Delete Firmware);
 * they are never shown for the same operation, which is all n8n needs of same-named properties.
 */
class FieldRegistry {
	constructor(reservedNames = []) {
		this.byKey = new Map();
		this.reserved = new Set([...RESERVED, ...reservedNames]);
		/** operation -> property name -> field, to keep one operation's fields apart. */
		this.byOperation = new Map();
	}

	use({ name, d, required, description, usage = 'query' }, resources, operation) {
		const shape = fieldShape(d, name);
		const identity = [name, shape.type, shape.default, shape.enumName || null, d.kind];
		const own = this.byOperation.get(operation) || new Map();
		this.byOperation.set(operation, own);
		let propertyName = this.reserved.has(name) ? `${name}${suffix(d.kind)}` : name;
		const sameIdentity = (f) => f.key === JSON.stringify([propertyName, ...identity]);
		if (own.has(propertyName) && !sameIdentity(own.get(propertyName))) propertyName = `${name}${suffix(d.kind)}`;
		if (own.has(propertyName) && !sameIdentity(own.get(propertyName))) {
			throw new Error(`${operation}: two parameters named ${name} of the same type`);
		}
		const key = JSON.stringify([propertyName, ...identity]);
		let field = this.byKey.get(key);
		if (!field) {
			field = { key, name: propertyName, specName: name, kind: d.kind, shape, required, description, usage: new Set(), resources: new Set(), operations: new Set() };
			this.byKey.set(key, field);
		}
		own.set(propertyName, field);
		field.usage.add(usage);
		// Shown as required only where every operation needs it; the request builder still
		// refuses an empty value for each operation that requires one.
		field.required = field.required && required;
		for (const r of resources) field.resources.add(r);
		field.operations.add(operation);
		return field;
	}

	/** A resource locator for the key of an entity set: one property per set, named after it. */
	useLocator(locator, d, resources, operation) {
		const key = `locator:${locator.set}`;
		let field = this.byKey.get(key);
		if (!field) {
			field = {
				key,
				specName: locator.key,
				name: locator.field,
				displayName: locator.displayName,
				kind: d.kind,
				locator,
				shape: { type: 'resourceLocator', default: { mode: 'list', value: '' } },
				required: true,
				resources: new Set(),
				operations: new Set(),
			};
			this.byKey.set(key, field);
		}
		const own = this.byOperation.get(operation) || new Map();
		this.byOperation.set(operation, own);
		own.set(field.name, field);
		for (const r of resources) field.resources.add(r);
		field.operations.add(operation);
		return field;
	}

	/** Every field, sorted by property name (then by identity, for same-named fields). */
	list() {
		return [...this.byKey.values()].sort((a, b) => cmp(a.name, b.name) || cmp(a.key, b.key));
	}
}

/** Names of the node's own parameters (paging, resource, operation, the file fields, options). */
const RESERVED = new Set([
	'resource',
	'operation',
	'requestOptions',
	'returnAll',
	'limit',
	'options',
	'binaryPropertyName',
	'binaryPropertyOutput',
]);

/** The type suffix a reserved or clashing parameter name gets. */
function suffix(kind) {
	return {
		integer: 'Number',
		number: 'Decimal',
		string: 'Text',
		guid: 'Guid',
		datetime: 'Date',
		boolean: 'Flag',
		enum: 'Choice',
		object: 'Json',
		array: 'List',
		unknown: 'Value',
	}[kind];
}

function bodyCollection(spec, collections, schemaName) {
	if (collections.has(schemaName)) return collections.get(schemaName);
	const entity = schemaName.replace(/^Pbx\./, '');
	const options = spec.properties({ $ref: `#/components/schemas/${schemaName}` }).map((prop) => {
		const d = spec.describe(prop.schema);
		return { name: prop.name, displayName: title(prop.name), shape: fieldShape(d, prop.name), kind: d.kind, navigation: prop.navigation };
	});
	const seen = new Set();
	for (const o of options) {
		if (seen.has(o.displayName)) o.displayName = `${o.displayName} (${o.name})`;
		seen.add(o.displayName);
	}
	options.sort((a, b) => byName(a.displayName, b.displayName));
	const collection = {
		schemaName,
		name: `${lowerFirst(entity.replace(/[^A-Za-z0-9]/g, ''))}Fields`,
		displayName: `${title(entity)} Fields`,
		options,
		resources: [],
		operations: [],
	};
	collections.set(schemaName, collection);
	return collection;
}

/** The options of a list read (everything OData offers there but $top, which Limit sets). */
const LIST_OPTIONS = ['$filter', '$search', '$orderby', '$select', '$expand', '$count', '$skip'];

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

function finishResource(resource) {
	const singular = singularTitle(resource.tag);
	const plural = title(resource.tag);
	const names = new Set();
	const ops = resource.operations.map((o) => {
		const texts = operationTexts(o, singular, plural);
		return { ...o, ...texts };
	});
	// Names must be unique within a resource: fall back to the operationId's words.
	const counts = new Map();
	for (const o of ops) counts.set(o.name, (counts.get(o.name) || 0) + 1);
	for (const o of ops) {
		if (counts.get(o.name) > 1) {
			o.name = title(o.operationId);
			o.action = sentence(title(o.operationId));
		}
		if (names.has(o.name)) throw new Error(`Duplicate operation name ${o.name} in ${resource.tag}`);
		names.add(o.name);
	}
	ops.sort((a, b) => byName(a.name, b.name));
	return {
		value: resource.value,
		tag: resource.tag,
		name: singular,
		plural,
		operations: ops,
	};
}

/** Name, action and description of an operation in plain English. */
function operationTexts(o, singular, plural) {
	const thing = sentence(singular).toLowerCase() === singular.toLowerCase() ? singular : singular;
	const a = `${article(thing)} ${lowerPhrase(thing)}`;
	const { shape } = o;
	switch (shape.kind) {
		case 'list':
			return { name: 'Get Many', action: sentence(`Get many ${lowerPhrase(plural)}`), description: `List ${lowerPhrase(plural)}` };
		case 'get':
			return shape.alternateKey
				? { name: `Get by ${title(shape.alternateKey)}`, action: sentence(`Get ${a} by ${lowerPhrase(title(shape.alternateKey))}`), description: `Retrieve ${a} by its ${lowerPhrase(title(shape.alternateKey))}` }
				: { name: 'Get', action: sentence(`Get ${a}`), description: `Retrieve ${a} by its key` };
		case 'singleton':
			return { name: 'Get', action: sentence(`Get ${lowerPhrase(plural)}`), description: `Retrieve the ${lowerPhrase(plural)}` };
		case 'singletonUpdate':
			return { name: 'Update', action: sentence(`Update ${lowerPhrase(plural)}`), description: `Change the ${lowerPhrase(plural)}; only the fields you add are sent` };
		case 'update':
			return { name: 'Update', action: sentence(`Update ${a}`), description: `Change ${a}; only the fields you add are sent` };
		case 'create':
			return { name: 'Create', action: sentence(`Create ${a}`), description: `Create ${a}` };
		case 'delete':
			return { name: 'Delete', action: sentence(`Delete ${a}`), description: `Delete ${a}` };
		case 'navigation':
			return {
				name: `Get ${title(shape.navigation)}`,
				action: sentence(`Get ${lowerPhrase(title(shape.navigation))} of ${a}`),
				description: `List the ${lowerPhrase(title(shape.navigation))} of ${a}`,
			};
		case 'extra':
			return { name: shape.name, action: shape.action, description: shape.description };
		case 'function':
		case 'action': {
			const words = title(shape.callName);
			const what = lowerPhrase(words.replace(/^Get /, ''));
			return {
				name: words,
				action: sentence(words),
				description: shape.kind === 'function' ? `Read ${what} (${lowerPhrase(plural)})` : `${sentence(words)} (${lowerPhrase(plural)})`,
			};
		}
		default:
			return { name: title(o.operationId), action: sentence(title(o.operationId)), description: title(o.operationId) };
	}
}

function lowerPhrase(phrase) {
	return phrase
		.split(' ')
		.map((w) => (w.length > 1 && w === w.toUpperCase() ? w : w.toLowerCase()))
		.join(' ');
}

function cmp(a, b) {
	return a < b ? -1 : a > b ? 1 : 0;
}

module.exports = { buildModel, PAGE_SIZE, ODATA_QUERY_OPTIONS };
