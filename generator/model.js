'use strict';
/**
 * From the parsed spec to a model of the node: resources, operations, the shared fields they use,
 * and the runtime table that tells the node's request builder how to put each value on the wire.
 *
 * Every operation of the spec becomes an operation of the node; nothing is skipped. Anything the
 * generator cannot place raises an error instead of being dropped.
 */
const { title, singularTitle, lowerFirst, article, byName, displayTitle, lowerPhrase, capitalise } = require('./naming');
const { findLocators } = require('./locators');
const { outputSchema } = require('./schemas');
const { EXTRA_OPERATIONS, answersFile } = require('./extras');
const { shapeOf } = require('./shapes');

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
					noteShape(field, spec, d, value);
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
		// A file download is one file: no Return All or Limit (its options keep $skip, as before).
		if (paged && meta.file !== 'download') meta.paged = true;

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
				paged: !!meta.paged,
				summary: op.summary,
				description: op.description,
				file: meta.file,
				response: meta.response,
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

/** The JSON shape a field takes for an operation (a shared field may take several). */
function noteShape(field, spec, d, operation) {
	if (d.kind !== 'object' && !(d.kind === 'array' && !(d.items && d.items.kind === 'enum'))) return;
	const shape = shapeOf(spec, d);
	if (!field.shapes) field.shapes = new Map();
	if (!field.shapes.has(shape)) field.shapes.set(shape, []);
	field.shapes.get(shape).push(operation);
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
		const shape = fieldShape(d, prop.name);
		return {
			name: prop.name,
			displayName: title(prop.name),
			shape,
			kind: d.kind,
			navigation: prop.navigation,
			jsonShape: shape.type === 'json' ? shapeOf(spec, d) : undefined,
		};
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

/** Plural acronyms that n8n's sentence case would lower-case ("SBCs" -> "sbcs"): said in words. */
const ACTION_WORDS = { IPs: 'IP addresses', SBCs: 'SBC servers', DNs: 'DN numbers', IDs: 'ID values' };

/**
 * The sentence case n8n's linter accepts for actions: the first letter upper case, all-uppercase
 * words (AI, SIP, M365) as they are, every other word lower case (Google, OAuth and Microsoft too).
 */
function actionCase(text) {
	const words = text.split(' ').map((w) => ACTION_WORDS[w] || w).join(' ').split(' ');
	return words
		.map((w, i) => {
			if (w.length > 1 && w === w.toUpperCase() && /[A-Z]/.test(w)) return w;
			const lower = w.toLowerCase();
			return i === 0 ? capitalise(lower) : lower;
		})
		.join(' ');
}

function finishResource(resource) {
	const singular = displayTitle(singularTitle(resource.tag));
	const plural = displayTitle(title(resource.tag));
	const names = new Set();
	const ops = resource.operations.map((o) => {
		const texts = operationTexts(o, singular, plural, resource.tag);
		return { ...o, ...texts, action: texts.action && o.shape.kind !== 'extra' ? actionCase(texts.action) : texts.action };
	});
	// Names and actions must be unique within a resource: fall back to the operationId's words.
	const counts = new Map();
	for (const o of ops) counts.set(o.name, (counts.get(o.name) || 0) + 1);
	for (const o of ops) {
		if (counts.get(o.name) > 1) {
			const own = callTexts({ ...o, shape: { kind: o.method === 'GET' ? 'function' : 'action', callName: o.operationId } }, singular, plural);
			Object.assign(o, own);
		}
		if (names.has(o.name)) throw new Error(`Duplicate operation name ${o.name} in ${resource.tag}`);
		names.add(o.name);
	}
	const actions = new Set();
	for (const o of ops) {
		if (actions.has(o.action.toLowerCase())) throw new Error(`Duplicate action "${o.action}" in ${resource.tag}`);
		actions.add(o.action.toLowerCase());
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

/** "a user", "an SBC", but "my user": the article a noun takes, if any. */
function withArticle(noun) {
	return /^my\b/i.test(noun) ? noun : `${article(noun)} ${noun}`;
}

/**
 * The forms of a resource's noun an action may use: "ring group", "ring groups", and for report
 * and settings tags the thing itself ("queue performance totals" for Report Queue Performance Totals,
 * "data connector" for Data Connector Settings).
 */
function nounForms(singular, plural) {
	const forms = new Set();
	for (const n of [singular, plural].map(lowerPhrase)) {
		forms.add(n);
		const bare = n.replace(/^report /i, '').replace(/ settings?$/i, '');
		if (bare && bare !== n) forms.add(bare);
	}
	return [...forms].map((f) => f.toLowerCase());
}

function mentions(text, forms) {
	const padded = ` ${text.toLowerCase().replace(/[^a-z0-9 ]/g, ' ')} `;
	return forms.some((f) => padded.includes(` ${f.replace(/[^a-z0-9 ]/g, ' ')} `));
}

/** Name, action and description of an operation in plain English. */
function operationTexts(o, singular, plural, tag) {
	const noun = lowerPhrase(singular);
	const nouns = lowerPhrase(plural);
	const a = withArticle(noun);
	const { shape } = o;
	// A root action such as POST /PurgeCalls looks like a create; it is an action of its own.
	const root = o.path.split('/')[1];
	if (shape.kind === 'create' && tag && root !== tag && !/[({]/.test(o.path)) {
		return callTexts({ ...o, shape: { kind: 'action', callName: root } }, singular, plural);
	}
	switch (shape.kind) {
		case 'list':
			return { name: 'Get Many', action: `Get many ${nouns}`, description: `List ${nouns}` };
		case 'get':
			if (shape.alternateKey) return byKeyTexts(a, shape.alternateKey);
			return { name: 'Get', action: capitalise(`get ${a}`), description: capitalise(`retrieve ${a} by its key`) };
		case 'singleton':
			return { name: 'Get', action: capitalise(`get ${nouns}`), description: capitalise(`retrieve the current ${nouns}`) };
		case 'singletonUpdate':
			return { name: 'Update', action: capitalise(`update ${nouns}`), description: capitalise(`change ${nouns}; only the fields you add are sent`) };
		case 'update':
			return { name: 'Update', action: capitalise(`update ${a}`), description: capitalise(`change ${a}; only the fields you add are sent`) };
		case 'create':
			return { name: 'Create', action: capitalise(`create ${a}`), description: capitalise(`create ${a} from the fields you add`) };
		case 'delete':
			return { name: 'Delete', action: capitalise(`delete ${a}`), description: capitalise(`delete ${a} by its key`) };
		case 'navigation': {
			const what = displayTitle(title(shape.navigation));
			return {
				name: `Get ${what}`,
				action: capitalise(`get ${lowerPhrase(what)} of ${a}`),
				description: capitalise(`list the ${lowerPhrase(what)} of ${a}`),
			};
		}
		case 'extra':
			return { name: shape.name, action: shape.action, description: shape.description };
		case 'function':
		case 'action':
			return callTexts(o, singular, plural);
		default:
			return { name: displayTitle(title(o.operationId)), action: capitalise(lowerPhrase(displayTitle(title(o.operationId)))), description: capitalise(lowerPhrase(displayTitle(title(o.operationId)))) };
	}
}

/** Get by Number / Get a user by number / Retrieve a user by its number. */
function byKeyTexts(a, key) {
	const k = displayTitle(title(key));
	return { name: `Get by ${k}`, action: capitalise(`get ${a} by ${lowerPhrase(k)}`), description: capitalise(`retrieve ${a} by its ${lowerPhrase(k)}`) };
}

/**
 * A bound function or action: its name in words (fixed), an action that names the resource, and
 * a sentence saying what comes back. 'DownloadGetGetCallDistribution' on Report Call Distribution:
 * Download Call Distribution / Download call distribution / Download the call distribution report as a file.
 */
function callTexts(o, singular, plural) {
	const noun = lowerPhrase(singular);
	const nouns = lowerPhrase(plural);
	const a = withArticle(noun);
	const { shape } = o;
	let name = displayTitle(title(shape.callName), true);
	// A function named by what it answers ("API Token", "System Telemetry") reads "Get …".
	if (shape.kind === 'function' && !FUNCTION_VERBS.test(name)) name = `Get ${name}`;
	// 3CX's old lookup functions, GET /Users/Pbx.GetByNumber(number='…'), read like the alternate key.
	const lookup = /^GetBy([A-Z][A-Za-z]*)$/.exec(shape.callName);
	if (lookup && shape.kind === 'function') return byKeyTexts(a, lookup[1]);
	const instance = /^\/[A-Za-z0-9]+\([^)]*\)\//.test(o.path);
	const forms = nounForms(singular, plural);
	const head = noun.split(' ').pop();
	const words = lowerPhrase(name).split(' ');
	let action;
	if (mentions(name, forms)) action = lowerPhrase(name);
	else if (instance && words.length > 1 && [head, pluralOf(head)].includes(words[words.length - 1])) {
		// "Drop call" on Active Calls: the object is the resource itself.
		action = [...words.slice(0, -1), a].join(' ');
	} else if (words.length === 1 || (words.length === 2 && /^(bulk|batch)$/.test(words[0]))) {
		// A verb alone ("Restore", "Batch delete") takes the resource as its object.
		action = `${words.join(' ')} ${instance ? a : nouns}`;
	} else action = `${words.join(' ')} ${instance ? `of ${a}` : `for ${nouns}`}`;
	action = capitalise(action);
	let description;
	if (o.file === 'download') description = `${action} as a file in the binary output field`;
	else if (shape.kind === 'function') description = `${action}${o.response === 'collection' ? ', one item per result' : ''}`;
	else description = action;
	// n8n wants a description that says more than the name.
	if (description.toLowerCase() === name.toLowerCase()) {
		description = `${description} with 3CX's ${shape.callName} ${shape.kind === 'function' ? 'function' : 'action'}`;
	}
	return { name, action: actionCase(action), description };
}

/** First words that make a function's name a verb phrase already. */
const FUNCTION_VERBS = /^(Get|Has|Is|Check|Download|Export|Generate|Test|Initialize|Retrieve|Validate|Issue|Search|List|Read)\b/;

function pluralOf(word) {
	return /(s|x|ch|sh)$/.test(word) ? `${word}es` : /[^aeiou]y$/.test(word) ? `${word.slice(0, -1)}ies` : `${word}s`;
}

function cmp(a, b) {
	return a < b ? -1 : a > b ? 1 : 0;
}

module.exports = { buildModel, PAGE_SIZE, ODATA_QUERY_OPTIONS };
