import { committedFiles, regenerate, SPEC, specAvailable, writeTempSpec } from './helpers/spec-files';

const withSpec = specAvailable() ? describe : describe.skip;
const why = specAvailable() ? '' : ` (skipped: the XAPI spec is not at ${SPEC})`;

withSpec(`generated files${why}`, () => {
	it('equal what the generator gives today from the shared spec', async () => {
		const { files } = await regenerate();
		const committed = committedFiles();
		expect(Object.keys(committed).sort()).toEqual(Object.keys(files).sort());
		for (const [name, content] of Object.entries(files)) {
			expect({ name, same: committed[name] === content }).toEqual({ name, same: true });
		}
	});

	it('are deterministic and marked as generated from the spec', async () => {
		const first = await regenerate();
		const second = await regenerate();
		expect(second.files).toEqual(first.files);
		for (const content of Object.values(first.files)) {
			expect(content.startsWith('/*\n * GENERATED FILE - DO NOT EDIT.')).toBe(true);
			expect(content).toMatch(/from xapi-20\.0\.10\.yaml\n \* \(XAPI 1\.0\.0, sha256 [0-9a-f]{64}\)/);
		}
		expect(first.operationCount).toBe(601);
		expect(first.resourceCount).toBe(132);
	});
});

/** A small spec in XAPI's style: allOf inheritance, a reference cycle, keys, functions, actions. */
function miniSpec(): object {
	const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
	return {
		openapi: '3.0.4',
		info: { title: 'XAPI', version: '9.9.9' },
		paths: {
			'/Widgets': {
				get: {
					tags: ['Widgets'],
					operationId: 'ListWidget',
					parameters: [
						{ $ref: '#/components/parameters/top' },
						{ $ref: '#/components/parameters/skip' },
						{ name: '$select', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
					],
					responses: { '200': { $ref: '#/components/responses/WidgetCollection' } },
				},
				post: {
					tags: ['Widgets'],
					operationId: 'CreateWidget',
					requestBody: { content: { 'application/json': { schema: ref('Pbx.Widget') } } },
					responses: { '201': { description: 'Created', content: { 'application/json': { schema: ref('Pbx.Widget') } } } },
				},
			},
			'/Widgets({Name})': {
				patch: {
					tags: ['Widgets'],
					operationId: 'UpdateWidget',
					parameters: [{ name: 'Name', in: 'path', required: true, schema: { type: 'string' } }],
					requestBody: { content: { 'application/json': { schema: ref('Pbx.Widget') } } },
					responses: { '204': { description: 'Success' } },
				},
			},
			'/Widgets/Pbx.Count(since={since},active={active})': {
				get: {
					tags: ['Widgets'],
					operationId: 'CountWidgets',
					parameters: [
						{ name: 'since', in: 'path', required: true, schema: { type: 'string', format: 'date-time' } },
						{ name: 'active', in: 'path', required: true, schema: { type: 'boolean' } },
					],
					responses: { '200': { description: 'Success', content: { 'application/json': { schema: { type: 'object', properties: { value: { type: 'integer' } } } } } } },
				},
			},
			'/Widgets/Pbx.Paint': {
				post: {
					tags: ['Widgets'],
					operationId: 'Paint',
					requestBody: {
						content: {
							'application/json': {
								schema: { type: 'object', properties: { ids: { type: 'array', items: { type: 'integer' } }, colour: ref('Pbx.Colour') } },
							},
						},
					},
					responses: { '204': { description: 'Success' } },
				},
			},
		},
		components: {
			parameters: {
				top: { name: '$top', in: 'query', schema: { type: 'integer' } },
				skip: { name: '$skip', in: 'query', schema: { type: 'integer' } },
			},
			responses: {
				WidgetCollection: {
					description: 'Retrieved collection',
					content: {
						'application/json': {
							schema: { type: 'object', properties: { value: { type: 'array', items: ref('Pbx.Widget') } } },
						},
					},
				},
			},
			schemas: {
				'Pbx.Base': { type: 'object', properties: { Name: { type: 'string' }, Parent: { allOf: [ref('Pbx.Widget')], nullable: true } } },
				'Pbx.Widget': {
					allOf: [ref('Pbx.Base'), { type: 'object', properties: { Size: { type: 'integer', format: 'int32' }, Colour: { allOf: [ref('Pbx.Colour')], nullable: true } } }],
				},
				'Pbx.Colour': { type: 'string', enum: ['Red', 'Green', 'Blue'] },
			},
		},
	};
}

describe('generator on another spec', () => {
	it('flattens allOf, survives a reference cycle and keeps every operation', async () => {
		const file = writeTempSpec(miniSpec());
		const { files, operationCount, resourceCount } = await regenerate(file);
		expect(operationCount).toBe(5);
		expect(resourceCount).toBe(1);
		const description = files['description.ts'];
		const operations = files['operations.ts'];
		expect(description).toContain('from xapi-test.yaml');
		expect(description).toContain('(XAPI 9.9.9, sha256');
		// allOf: the base's Name and Parent and the child's Size and Colour all reach the body collection.
		for (const field of ["name: 'Name'", "name: 'Parent'", "name: 'Size'", "name: 'Colour'", "name: 'widgetFields'"]) {
			expect(description).toContain(field);
		}
		for (const op of ['listWidget', 'createWidget', 'updateWidget', 'countWidgets', 'paint']) {
			expect(operations).toContain(`\t${op}: {`);
		}
		expect(operations).toContain("path: '/Widgets/Pbx.Count(since={since},active={active})'");
		expect(operations).toContain("['since', 'since', 'date', 0]");
		expect(operations).toContain("['active', 'active', 'bool', 0]");
		expect(operations).toContain("['colour', 'colour', 'enum', 1]");
		expect(operations).toContain("['Name', 'Name', 'str', 0]");
	});
});
