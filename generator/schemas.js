'use strict';
/**
 * n8n output schemas (`__schema__/v1.0.0/<resource>/<operation>.json`) from the spec's response
 * schemas, so that users can map fields before the first run. Each file describes ONE output
 * item: an entity for collections (the node emits one item per entity), the answer itself
 * otherwise, `{ success }` for operations that answer nothing.
 */

/** How deep nested objects are described; deeper ones are just "object". */
const MAX_DEPTH = 3;

function jsonSchema(spec, node, depth = 0, stack = []) {
	const d = spec.describe(node);
	switch (d.kind) {
		case 'integer':
		case 'number':
			return { type: 'number' };
		case 'boolean':
			return { type: 'boolean' };
		case 'datetime':
			return { type: 'string', format: 'date-time' };
		case 'guid':
		case 'string':
		case 'unknown':
			return { type: 'string' };
		case 'enum':
			return { type: 'string', enum: d.values };
		case 'array':
			return { type: 'array', items: d.items ? itemSchema(spec, d.items, depth, stack) : {} };
		case 'object':
			return objectSchema(spec, d, depth, stack);
		default:
			return {};
	}
}

function itemSchema(spec, d, depth, stack) {
	if (d.kind === 'object') return objectSchema(spec, d, depth, stack);
	if (d.kind === 'array') return { type: 'array' };
	return jsonSchema(spec, itemNode(d), depth, stack);
}

/** A described primitive back as a schema node (describe() already unwrapped it). */
function itemNode(d) {
	switch (d.kind) {
		case 'integer':
			return { type: 'integer' };
		case 'number':
			return { type: 'number' };
		case 'boolean':
			return { type: 'boolean' };
		case 'datetime':
			return { type: 'string', format: 'date-time' };
		case 'enum':
			return { type: 'string', enum: d.values };
		default:
			return { type: 'string' };
	}
}

function objectSchema(spec, d, depth, stack) {
	if (depth >= MAX_DEPTH || (d.name && stack.includes(d.name))) return { type: 'object' };
	const nextStack = d.name ? [...stack, d.name] : stack;
	const properties = {};
	for (const prop of d.lazyProperties()) {
		// Navigation properties only come back with $expand; leave them out of the default shape.
		if (prop.navigation) continue;
		properties[prop.name] = jsonSchema(spec, prop.schema, depth + 1, nextStack);
	}
	return { type: 'object', properties };
}

/** The schema of one output item of the operation, or undefined when the answer is not JSON-described. */
function outputSchema(spec, op, response) {
	const success = spec.successResponse(op);
	if (response === 'none' || !success || !success.schema) {
		return { type: 'object', properties: { success: { type: 'boolean' } } };
	}
	if (response === 'collection') {
		const value = spec.properties(success.schema).find((p) => p.name === 'value');
		const items = value && spec.describe(value.schema).items;
		if (!items) return undefined;
		if (items.kind === 'object') return objectSchema(spec, items, 0, []);
		return { type: 'object', properties: { value: jsonSchema(spec, itemNode(items)) } };
	}
	const d = spec.describe(success.schema);
	if (d.kind === 'object') return objectSchema(spec, d, 0, []);
	return { type: 'object', properties: { value: jsonSchema(spec, success.schema) } };
}

module.exports = { outputSchema };
