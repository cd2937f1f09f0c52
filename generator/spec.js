'use strict';
/**
 * Loading the XAPI OpenAPI document and answering questions about its schemas.
 *
 * Parsing (YAML included) and `$ref` resolution are done by @apidevtools/swagger-parser; this module
 * only adds what that library leaves to its user: following a reference while remembering the
 * schema's name, flattening `allOf` inheritance (3CX models User, Group, Queue... as
 * `allOf: [{$ref: base}, {own properties}]`) and guarding against the reference cycle the spec has.
 */
const SwaggerParser = require('@apidevtools/swagger-parser');

const SCHEMA_PREFIX = '#/components/schemas/';

/** OpenAPI and OData (Edm.Byte, Edm.SByte, Edm.Int16/32/64) integer formats. */
const INTEGER_FORMATS = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'byte']);

function isIntegerFormat(schema) {
	if (!INTEGER_FORMATS.has(schema.format)) return false;
	return !(schema.format === 'byte' && schema.type === 'string');
}

async function loadSpec(specPath) {
	const api = await SwaggerParser.parse(specPath);
	const $refs = await SwaggerParser.resolve(api);
	return new Spec(api, $refs);
}

class Spec {
	constructor(api, $refs) {
		this.api = api;
		this.$refs = $refs;
	}

	/** Follows `$ref` chains; returns `{ schema, name }` where name is the last component name seen. */
	deref(node) {
		let name;
		const seen = new Set();
		while (node && typeof node === 'object' && typeof node.$ref === 'string') {
			if (seen.has(node.$ref)) throw new Error(`Reference loop at ${node.$ref}`);
			seen.add(node.$ref);
			if (node.$ref.startsWith(SCHEMA_PREFIX)) name = node.$ref.slice(SCHEMA_PREFIX.length);
			node = this.$refs.get(node.$ref);
		}
		return { schema: node, name };
	}

	/**
	 * A schema reduced to one of: enum, object (with flattened properties), array, or primitive.
	 * `nullable` and single-branch `allOf` wrappers (`allOf: [{$ref}], nullable: true`) are unwrapped.
	 */
	describe(node, stack = []) {
		const { schema, name } = this.deref(node);
		if (!schema || typeof schema !== 'object') return { kind: 'unknown' };
		const nullable = schema.nullable === true;
		if (Array.isArray(schema.allOf) && schema.allOf.length === 1 && !schema.properties) {
			const inner = this.describe(schema.allOf[0], stack);
			return { ...inner, nullable: nullable || inner.nullable };
		}
		if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
			// The 20.0.x specs use anyOf only for number|string|ReferenceNumeric (INF/NaN) members.
			const branches = (schema.anyOf || schema.oneOf).map((b) => this.describe(b, stack));
			const numeric = branches.find((b) => b.kind === 'integer' || b.kind === 'number');
			if (numeric) return { ...numeric, nullable };
			return { ...branches[0], nullable };
		}
		if (Array.isArray(schema.enum)) {
			return { kind: 'enum', name, values: schema.enum.filter((v) => v !== null).map(String), nullable };
		}
		if (schema.type === 'array') {
			return { kind: 'array', items: this.describe(schema.items || {}, stack), nullable };
		}
		if (schema.type === 'object' || schema.properties || schema.allOf) {
			return { kind: 'object', name, nullable, lazyProperties: () => this.properties(node, stack) };
		}
		// An integer format makes an integer whatever `type` says: 3CX 20.0.6 writes its Int32
		// schemas as `type: number, format: int32`. (`type: string, format: byte` is base64 text.)
		if (schema.type === 'integer' || isIntegerFormat(schema)) return { kind: 'integer', format: schema.format, nullable };
		if (schema.type === 'number') return { kind: 'number', format: schema.format, nullable };
		if (schema.type === 'boolean') return { kind: 'boolean', nullable };
		if (schema.type === 'string') {
			if (schema.format === 'date-time') return { kind: 'datetime', nullable };
			if (schema.format === 'uuid') return { kind: 'guid', nullable };
			return { kind: 'string', format: schema.format, nullable };
		}
		return { kind: 'unknown', nullable };
	}

	/**
	 * The properties of an object schema with `allOf` inheritance flattened, base class first,
	 * in declaration order. A schema that (through its bases) includes itself is read once.
	 */
	properties(node, stack = []) {
		const { schema, name } = this.deref(node);
		if (!schema || typeof schema !== 'object') return [];
		if (name && stack.includes(name)) return [];
		const nextStack = name ? [...stack, name] : stack;
		const out = new Map();
		const parts = Array.isArray(schema.allOf) ? schema.allOf : [];
		for (const part of parts) {
			for (const prop of this.properties(part, nextStack)) out.set(prop.name, prop);
		}
		for (const [propName, propSchema] of Object.entries(schema.properties || {})) {
			out.set(propName, {
				name: propName,
				schema: propSchema,
				navigation: propSchema['x-ms-navigationProperty'] === true,
				readOnly: propSchema.readOnly === true,
			});
		}
		return [...out.values()];
	}

	/** Every operation of the document, in document order. */
	operations() {
		const ops = [];
		for (const [path, item] of Object.entries(this.api.paths || {})) {
			for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
				const op = item[method];
				if (!op) continue;
				const parameters = [...(item.parameters || []), ...(op.parameters || [])].map(
					(p) => this.deref(p).schema,
				);
				ops.push({ path, method: method.toUpperCase(), op, parameters });
			}
		}
		return ops;
	}

	requestBodySchema(op) {
		if (!op.requestBody) return undefined;
		const body = this.deref(op.requestBody).schema;
		const content = body && body.content;
		if (!content) return undefined;
		const json = Object.keys(content).find((type) => type.includes('json'));
		return json ? { schema: content[json].schema, required: body.required === true } : undefined;
	}

	/** The success response's JSON schema, or undefined for empty (204) answers. */
	successResponse(op) {
		const codes = Object.keys(op.responses || {})
			.filter((code) => /^2\d\d$/.test(code))
			.sort();
		for (const code of codes) {
			const response = this.deref(op.responses[code]).schema;
			const content = response && response.content;
			if (!content) continue;
			const json = Object.keys(content).find((type) => type.includes('json'));
			if (json && content[json].schema) return { code, schema: content[json].schema };
		}
		return codes.length ? { code: codes[0] } : undefined;
	}
}

module.exports = { loadSpec, Spec, INTEGER_FORMATS };
