'use strict';
/**
 * The example a JSON field shows in its hint, written from the spec's schema so that nobody has to read 3CX's
 * spec to fill one in: `{"Id": 0, "Routes": [{"DID": "string", "TrunkId": 0, "DisplayName": "string"}]}`.
 * Properties with their types as example values, objects nested two levels (deeper ones `{…}`),
 * arrays marked `[…]`, navigation and read-only properties left out, long objects cut with `…`.
 */

/** How many properties an object shows at each level before "…". */
const MAX_PROPERTIES = [8, 4];
const MAX_DEPTH = 2;

function example(d) {
	switch (d.kind) {
		case 'integer':
		case 'number':
			return '0';
		case 'boolean':
			return 'false';
		case 'datetime':
			return '"2025-01-31T08:00:00Z"';
		case 'guid':
			return '"GUID"';
		case 'enum': {
			const values = d.values.slice(0, 3).join('|');
			return JSON.stringify(d.values.length > 3 ? `${values}|…` : values);
		}
		default:
			return '"string"';
	}
}

/** The example of a described schema as JSON-like text. */
function jsonExample(spec, d, depth = 0, stack = []) {
	if (d.kind === 'array') return `[${d.items ? jsonExample(spec, d.items, depth, stack) : ''}]`;
	if (d.kind !== 'object') return example(d);
	if (depth >= MAX_DEPTH || (d.name && stack.includes(d.name))) return '{…}';
	const props = d.lazyProperties().filter((p) => !p.navigation && !p.readOnly);
	if (!props.length) return '{}';
	const max = MAX_PROPERTIES[depth];
	const next = d.name ? [...stack, d.name] : stack;
	const parts = props.slice(0, max).map((p) => `"${p.name}": ${jsonExample(spec, spec.describe(p.schema), depth + 1, next)}`);
	if (props.length > max) parts.push('…');
	return `{${parts.join(', ')}}`;
}

module.exports = { jsonExample };
