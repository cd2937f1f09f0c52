'use strict';
/**
 * The node's fields: the editor control each spec value gets (type, default, options), the
 * shared top-level fields (FieldRegistry) and the body collections of entity writes.
 *
 * Words used here, one meaning each:
 * - `control`: the n8n editor control of a field: `{ type, default, options, placeholder, typeOptions }`;
 * - `example`: the JSON text a JSON field shows in its hint (examples.js);
 * - `kind`: the kind of the spec's schema (spec.js `describe`: integer, string, enum, object ...).
 */
const { title, lowerFirst, byName } = require('./naming');
const { jsonExample } = require('./examples');
const { BINARY_INPUT_FIELD, BINARY_OUTPUT_FIELD } = require('./constants');

/** Names n8n treats as secrets: their fields hide what is typed. */
const SENSITIVE = /secret|password|token|apikey/i;

/** The n8n editor control for a value of the described schema: type, default and options. */
function fieldControl(d, name = '') {
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
			return { type: 'options', default: d.values[0], options: enumOptions(d.values), enumName: d.name };
		case 'object':
			return { type: 'json', default: '{}' };
		case 'array':
			if (d.items && d.items.kind === 'enum') {
				return { type: 'multiOptions', default: [], options: enumOptions(d.items.values), enumName: d.items.name };
			}
			return { type: 'json', default: '[]' };
		default:
			if (SENSITIVE.test(name)) return { type: 'string', default: '', typeOptions: { password: true } };
			if (/e-?mail/i.test(name)) return { type: 'string', default: '', placeholder: 'name@email.com' };
			return { type: 'string', default: '' };
	}
}

function enumOptions(values) {
	return values.map((v) => ({ name: title(v) || v, value: v })).sort((a, b) => byName(a.name, b.name));
}

/** Whether a described value is entered as JSON text (with an example in its hint). */
function isJson(d) {
	return d.kind === 'object' || (d.kind === 'array' && !(d.items && d.items.kind === 'enum'));
}

/** Names of the node's own parameters (paging, resource, operation, the file fields, options). */
const RESERVED = new Set(['resource', 'operation', 'requestOptions', 'returnAll', 'limit', 'options', BINARY_INPUT_FIELD, BINARY_OUTPUT_FIELD]);

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

	/** The fields of one operation: property name -> field. */
	ownFields(operation) {
		const own = this.byOperation.get(operation) || new Map();
		this.byOperation.set(operation, own);
		return own;
	}

	use({ name, d, required, description, usage = 'query' }, resources, operation) {
		const control = fieldControl(d, name);
		const identity = [name, control.type, control.default, control.enumName || null, d.kind];
		const own = this.ownFields(operation);
		let propertyName = this.reserved.has(name) ? `${name}${suffix(d.kind)}` : name;
		const sameIdentity = (f) => f.key === JSON.stringify([propertyName, ...identity]);
		if (own.has(propertyName) && !sameIdentity(own.get(propertyName))) propertyName = `${name}${suffix(d.kind)}`;
		if (own.has(propertyName) && !sameIdentity(own.get(propertyName))) {
			throw new Error(`${operation}: two parameters named ${name} of the same type`);
		}
		const key = JSON.stringify([propertyName, ...identity]);
		let field = this.byKey.get(key);
		if (!field) {
			field = { key, name: propertyName, specName: name, kind: d.kind, control, required, description, usage: new Set(), resources: new Set(), operations: new Set() };
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
				control: { type: 'resourceLocator', default: { mode: 'list', value: '' } },
				required: true,
				resources: new Set(),
				operations: new Set(),
			};
			this.byKey.set(key, field);
		}
		this.ownFields(operation).set(field.name, field);
		for (const r of resources) field.resources.add(r);
		field.operations.add(operation);
		return field;
	}

	/** A JSON field's example for an operation (a shared field may show several). */
	noteExample(field, spec, d, operation) {
		if (!isJson(d)) return;
		const example = jsonExample(spec, d);
		if (!field.examples) field.examples = new Map();
		if (!field.examples.has(example)) field.examples.set(example, []);
		field.examples.get(example).push(operation);
	}

	/** Every field, sorted by property name (then by identity, for same-named fields). */
	list() {
		return [...this.byKey.values()].sort((a, b) => cmp(a.name, b.name) || cmp(a.key, b.key));
	}
}

/**
 * The body collection of an entity write ("User Fields"): one option per property of the entity
 * schema, shared by every operation that writes that schema.
 */
function bodyCollection(spec, collections, schemaName) {
	if (collections.has(schemaName)) return collections.get(schemaName);
	const entity = schemaName.replace(/^Pbx\./, '');
	const options = spec.properties({ $ref: `#/components/schemas/${schemaName}` }).map((prop) => {
		const d = spec.describe(prop.schema);
		const control = fieldControl(d, prop.name);
		return {
			name: prop.name,
			displayName: title(prop.name),
			control,
			kind: d.kind,
			navigation: prop.navigation,
			jsonExample: control.type === 'json' ? jsonExample(spec, d) : undefined,
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

function cmp(a, b) {
	return a < b ? -1 : a > b ? 1 : 0;
}

module.exports = { FieldRegistry, bodyCollection, fieldControl, cmp };
