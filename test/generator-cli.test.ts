/**
 * The generator's command line: the rename report when it replaces committed output, --server
 * (the spec a PBX serves, fetched with a client-credentials token from a local fake 3CX), and a
 * fresh clone without the spec. None of this needs 3CX's spec: a small spec in its style does.
 */
import {
	generatorWithoutSpec,
	readGeneratedDir,
	removeTemporary,
	renameReport,
	runGenerator,
	tempDir,
	writeTempSpec,
} from './helpers/spec-files';
import { createXapiServer, raw, type XapiServer } from '../simulator';

afterAll(() => removeTemporary());

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const ok = { '204': { description: 'Success' } };

/** A small spec: a list, a keyed get and delete, a function and an action with a body. */
function spec(version = '1.0.0') {
	return {
		openapi: '3.0.4',
		info: { title: 'XAPI', version },
		paths: {
			'/Gizmos': {
				get: {
					tags: ['Gizmos'],
					operationId: 'ListGizmo',
					parameters: [
						{ name: '$top', in: 'query', schema: { type: 'integer' } },
						{ name: '$skip', in: 'query', schema: { type: 'integer' } },
						{ name: '$filter', in: 'query', schema: { type: 'string' } },
					],
					responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { value: { type: 'array', items: ref('Pbx.Gizmo') } } } } } } },
				},
				post: {
					tags: ['Gizmos'],
					operationId: 'CreateGizmo',
					requestBody: { content: { 'application/json': { schema: ref('Pbx.Gizmo') } } },
					responses: ok,
				},
			},
			'/Gizmos({Id})': {
				delete: {
					tags: ['Gizmos'],
					operationId: 'DeleteGizmo',
					parameters: [{ name: 'Id', in: 'path', required: true, schema: { type: 'integer', format: 'int32' } }],
					responses: ok,
				},
			},
			'/Gizmos/Pbx.GetByNumber(number={number})': {
				get: {
					tags: ['Gizmos'],
					operationId: 'GetByNumber',
					parameters: [{ name: 'number', in: 'path', required: true, schema: { type: 'string' } }],
					responses: { '200': { description: 'ok', content: { 'application/json': { schema: ref('Pbx.Gizmo') } } } },
				},
			},
			'/Gizmos/Pbx.Polish': {
				post: {
					tags: ['Gizmos'],
					operationId: 'Polish',
					requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { shine: { type: 'integer', format: 'int32' }, wax: { type: 'string' } } } } } },
					responses: ok,
				},
			},
			'/Gizmos/Pbx.Purge()': {
				post: { tags: ['Gizmos'], operationId: 'PurgeGizmos', responses: ok },
			},
		},
		components: {
			schemas: {
				'Pbx.Gizmo': { type: 'object', properties: { Id: { type: 'integer', format: 'int32' }, Name: { type: 'string' }, Colour: { type: 'string' } } },
			},
		},
	};
}

/** The next 3CX build renames, moves and removes things (as 20.0.7 -> 20.0.8 did). */
function nextSpec() {
	const doc = spec('1.0.1') as ReturnType<typeof spec> & { paths: Record<string, Record<string, unknown>> };
	const byNumber = doc.paths['/Gizmos/Pbx.GetByNumber(number={number})'].get as { operationId: string };
	byNumber.operationId = 'GetGizmoByNumber';
	// 20.0.8 style: a function lookup replaced by an alternate key (another path and operationId).
	doc.paths['/Gizmos({Id})/Pbx.Shine()'] = {
		post: {
			tags: ['Gizmos'],
			operationId: 'ShineGizmo',
			parameters: [{ name: 'Id', in: 'path', required: true, schema: { type: 'integer', format: 'int32' } }],
			responses: ok,
		},
	};
	(doc.paths['/Gizmos/Pbx.Purge()'].post as { tags: string[] }).tags = ['Maintenance'];
	delete (doc.paths as Record<string, unknown>)['/Gizmos({Id})'];
	const polish = doc.paths['/Gizmos/Pbx.Polish'].post as { requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } } };
	delete polish.requestBody.content['application/json'].schema.properties.wax;
	delete (doc.components.schemas['Pbx.Gizmo'].properties as Record<string, unknown>).Colour;
	return doc;
}

describe('npm run generate replacing committed output', () => {
	it('prints the operations removed, renamed and moved and the fields gone, per operation', async () => {
		const out = tempDir();
		const first = await runGenerator(['--spec', writeTempSpec(spec(), 'xapi-1.0.0.yaml'), '--out', out]);
		expect(first).toMatchObject({ code: 0 });
		// Nothing committed before: no report.
		expect(first.stdout).not.toMatch(/renamed|removed/);
		const again = await runGenerator(['--spec', writeTempSpec(spec(), 'xapi-1.0.0.yaml'), '--out', out]);
		expect(again.stdout).toContain('No operation or field of the committed node was renamed, moved or removed.');
		const next = await runGenerator(['--spec', writeTempSpec(nextSpec(), 'xapi-1.0.1.yaml'), '--out', out]);
		expect(next.code).toBe(0);
		const lines = next.stdout.split('\n').filter((l) => l.startsWith('  ') && !l.startsWith('  + '));
		expect(lines.sort()).toEqual(
			[
				'  field of createGizmo: gizmoFields no longer has Colour',
				'  field of polish: wax removed',
				'  operation moved: purgeGizmos from resource gizmos to maintenance',
				'  operation removed: gizmos > deleteGizmo (DELETE /Gizmos({Id}))',
				'  operation renamed: getByNumber -> getGizmoByNumber (GET /Gizmos/Pbx.GetByNumber(number={number}))',
			].sort(),
		);
		expect(next.stdout).toContain('Saved workflows that use these break');
		expect(next.stdout).toContain('New operations (1; a removed one may live on as one of these):\n  + gizmos > shineGizmo (POST /Gizmos({Id})/Pbx.Shine())');
		// --check writes nothing and reports nothing.
		const check = await runGenerator(['--spec', writeTempSpec(nextSpec(), 'xapi-1.0.1.yaml'), '--out', out, '--check']);
		expect(check.code).toBe(0);
		expect(check.stdout).not.toContain('Saved workflows');
	}, 60_000);

	it('reports a field that got another property name or type, matched by its parameter', () => {
		const file = (operations: object, properties: object[]) => ({
			'ThreeCx/generated/operations.ts': `export const operations: OperationTable = ${JSON.stringify(operations)};\n`,
			'ThreeCx/generated/description.ts': `export const generatedProperties: INodeProperties[] = ${JSON.stringify(properties)};\n`,
		});
		const show = (op: string) => ({ displayOptions: { show: { operation: [op] } } });
		const before = file(
			{ dropCall: { resource: 'activeCalls', method: 'POST', path: '/ActiveCalls({Id})/Pbx.DropCall', params: [['Id', 'IdDecimal', 'num', 0]], body: { params: [['mode', 'mode', 'str', 1]] } } },
			[
				{ name: 'IdDecimal', type: 'number', ...show('dropCall') },
				{ name: 'mode', type: 'string', ...show('dropCall') },
			],
		);
		const after = file(
			{ dropCall: { resource: 'activeCalls', method: 'POST', path: '/ActiveCalls({Id})/Pbx.DropCall', params: [['Id', 'Id', 'int', 0]], body: { params: [['mode', 'mode', 'enum', 1]] } } },
			[
				{ name: 'Id', type: 'number', ...show('dropCall') },
				{ name: 'mode', type: 'options', ...show('dropCall') },
			],
		);
		expect(renameReport(before, after)).toEqual([
			'Saved workflows that use these break (see README, "Regenerating for another 3CX version"):',
			'  field of dropCall: IdDecimal renamed to Id (path parameter Id)',
			'  field of dropCall: mode is now options (was string)',
		]);
	});
});

describe('npm run generate -- --server (the PBX\'s own spec)', () => {
	let server: XapiServer;
	const yaml = () => JSON.stringify(spec('1.0.0'));

	afterEach(async () => await server?.stop());

	async function start(options: { https?: boolean; version?: string | false } = {}) {
		server = createXapiServer({ https: options.https, version: options.version ?? '20.0.99.1234' });
		await server.start();
		server.get('/swagger.yaml', raw(yaml(), 'text/yaml'));
		return { THREECX_CLIENT_ID: server.options.clientId, THREECX_CLIENT_SECRET: server.options.clientSecret };
	}

	it('gets a token at /connect/token, fetches /xapi/v1/swagger.yaml with it and generates what the file gives, marked with the build', async () => {
		const env = await start();
		const out = tempDir();
		const result = await runGenerator(['--server', server.baseUrl, '--out', out], env);
		expect(result).toMatchObject({ code: 0, stderr: '' });
		expect(result.stdout).toContain('3CX 20.0.99.1234');
		expect(server.tokenRequests).toHaveLength(1);
		expect(server.tokenRequests[0].form).toMatchObject({ grant_type: 'client_credentials', client_id: env.THREECX_CLIENT_ID });
		expect(server.apiRequests.map((r) => [r.method, r.apiPath, r.authorized])).toEqual([['GET', '/swagger.yaml', true]]);
		// The same output as generating from the file itself, but for what it says it came from.
		const fromFile = tempDir();
		await runGenerator(['--spec', writeTempSpec(spec('1.0.0'), 'xapi-20.0.99.1234.yaml'), '--out', fromFile]);
		expect(readGeneratedDir(out)).toEqual(readGeneratedDir(fromFile));
		expect(readGeneratedDir(out)['ThreeCx/generated/operations.ts']).toContain('from xapi-20.0.99.1234.yaml');
		// --check against the server: the output matches.
		const check = await runGenerator(['--server', server.baseUrl, '--out', out, '--check'], env);
		expect(check).toMatchObject({ code: 0 });
	}, 60_000);

	it('needs the client ID and secret from the environment, and says so', async () => {
		await start();
		const result = await runGenerator(['--server', server.baseUrl, '--out', tempDir()], { THREECX_CLIENT_ID: '', THREECX_CLIENT_SECRET: '' });
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('THREECX_CLIENT_ID and THREECX_CLIENT_SECRET');
		expect(server.requests).toHaveLength(0);
	}, 60_000);

	it('stops with the token endpoint\'s status when the secret is wrong, writing nothing', async () => {
		await start();
		const out = tempDir();
		const result = await runGenerator(['--server', server.baseUrl, '--out', out], { THREECX_CLIENT_ID: server.options.clientId, THREECX_CLIENT_SECRET: 'wrong' });
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('/connect/token answered HTTP 401');
		expect(server.apiRequests).toHaveLength(0);
		expect(readGeneratedDir(out)).toEqual({});
	}, 60_000);

	it('refuses a self-signed PBX unless --insecure is given', async () => {
		const env = await start({ https: true });
		const refused = await runGenerator(['--server', server.baseUrl, '--out', tempDir()], env);
		expect(refused.code).toBe(1);
		expect(refused.stderr).toContain('--insecure');
		const out = tempDir();
		const accepted = await runGenerator(['--server', server.baseUrl, '--insecure', '--out', out], env);
		expect(accepted).toMatchObject({ code: 0 });
		expect(Object.keys(readGeneratedDir(out))).toContain('ThreeCx/generated/operations.ts');
	}, 60_000);

	it('still generates when the PBX sends no X-3CX-Version, and says the build is unknown', async () => {
		const env = await start({ version: false });
		const out = tempDir();
		const result = await runGenerator(['--server', server.baseUrl, '--out', out], env);
		expect(result).toMatchObject({ code: 0 });
		expect(result.stdout).toContain('build unknown');
		expect(readGeneratedDir(out)['ThreeCx/generated/operations.ts']).toContain('from xapi.yaml');
	}, 60_000);
});

describe('a fresh clone without the spec', () => {
	it('generate:check skips in one line that says how to enable it, and exits 0', async () => {
		const result = await runGenerator(['--check'], {}, generatorWithoutSpec());
		expect(result.code).toBe(0);
		const lines = result.stdout.trim().split('\n');
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatch(/^Skipped: generated files not checked: no XAPI spec at .*xapi-20\.0\.10\.yaml\./);
		expect(lines[0]).toContain('XAPI_SPEC');
		expect(lines[0]).toContain('--server');
	}, 60_000);

	it('generate (writing) and a spec named in XAPI_SPEC that is missing fail instead', async () => {
		const script = generatorWithoutSpec();
		const write = await runGenerator([], {}, script);
		expect(write.code).toBe(1);
		expect(write.stderr).toContain('Spec file not found');
		const named = await runGenerator(['--check'], { XAPI_SPEC: `${tempDir()}/xapi-20.0.7.yaml` }, script);
		expect(named.code).toBe(1);
		expect(named.stderr).toContain('xapi-20.0.7.yaml');
	}, 60_000);
});
