'use strict';
/**
 * n8n output schemas (`__schema__/v1.0.0/<resource>/<operation>.json`) from the spec's response
 * schemas, so that users can map fields before the first run. Each file describes ONE output
 * item: an entity for collections (the node emits one item per entity), the answer itself
 * otherwise, `{ success }` for operations that answer nothing.
 */

/** How deep nested objects are described; deeper ones are just "object". */
const MAX_DEPTH = 3;

/** The schema of a described value that is not an object or array. */
function primitiveSchema(d) {
	switch (d.kind) {
		case 'integer':
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

/** The schema of a described value; objects and arrays recurse up to MAX_DEPTH. */
function describedSchema(spec, d, depth, stack) {
	if (d.kind === 'object') return objectSchema(spec, d, depth, stack);
	if (d.kind === 'array') return { type: 'array', items: d.items ? describedSchema(spec, d.items, depth, stack) : {} };
	return primitiveSchema(d);
}

function jsonSchema(spec, node, depth = 0, stack = []) {
	return describedSchema(spec, spec.describe(node), depth, stack);
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
		return { type: 'object', properties: { value: describedSchema(spec, items, 0, []) } };
	}
	const d = spec.describe(success.schema);
	if (d.kind === 'object') return objectSchema(spec, d, 0, []);
	return { type: 'object', properties: { value: jsonSchema(spec, success.schema) } };
}

module.exports = { outputSchema };
