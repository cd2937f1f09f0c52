/**
 * Issue 6, bad input: every value the node cannot put on the wire correctly is refused with an
 * error that names the field, and nothing (not even a token request) reaches the server. Run
 * through n8n-core's RoutingNode against the local fake 3CX server.
 *
 * Several cases share one execution: each input item makes one field bad (through an expression
 * reading the item) and Continue On Fail collects one error per item.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runNode, xapiCredentials } from '../helpers/harness';
import { useXapiServer } from '../helpers/setup';
import { createXapiServer, json, type XapiServer } from '../../simulator';
import {
	baseParameters,
	bodyFieldKinds,
	childLabel,
	fieldValue,
	itemErrors,
	labelOf,
	operationWriting,
	operationsWhere,
	propertyFor,
	spec,
	validValue,
} from './support';

const xapi = useXapiServer();
let server: XapiServer;
beforeEach(() => (server = xapi()));

const NOTHING_SENT = 'Nothing was sent to 3CX. Correct the field and run the node again.';

interface BadCase {
	/** Field name; with `collection`, the key inside that collection. */
	field: string;
	collection?: string;
	bad: unknown;
	/** A value the field accepts (used on the other items). */
	good: unknown;
	/** The whole error message, or a pattern. */
	expected: string | RegExp;
}

/**
 * Runs `operation` once with one item per case; item i has case i's bad value and every other
 * case's good value. Returns each item's error message, and checks nothing reached the server.
 */
async function refuse(operation: string, cases: BadCase[], extra: INodeParameters = {}) {
	const parameters: INodeParameters = { ...baseParameters(operation), ...extra };
	// one item variable per distinct field; item i makes case i's field bad and keeps the others good
	const variables = new Map<string, { name: string; good: unknown }>();
	const keyOf = (c: BadCase) => `${c.collection ?? ''}.${c.field}`;
	for (const c of cases) {
		if (variables.has(keyOf(c))) continue;
		const name = `v${variables.size}`;
		variables.set(keyOf(c), { name, good: c.good });
		const expression = `={{ $json.${name} }}`;
		if (c.collection) {
			parameters[c.collection] = { ...((parameters[c.collection] as INodeParameters) ?? {}), [c.field]: expression };
		} else {
			parameters[c.field] = fieldValue(c.field, operation, expression) as INodeParameters[string];
		}
	}
	const items: INodeExecutionData[] = cases.map((c) => {
		const json: IDataObject = {};
		for (const [key, { name, good }] of variables) json[name] = (key === keyOf(c) ? c.bad : good) as IDataObject[string];
		return { json };
	});
	const result = await runNode({ parameters, items, credentials: xapiCredentials(server), continueOnFail: true });
	expect(result.error).toBeUndefined();
	expect(server.requests).toHaveLength(0);
	expect(result.items).toHaveLength(cases.length);
	result.items.forEach((item) => expect(item.error?.description).toBe(NOTHING_SENT));
	return itemErrors(result.items);
}

function expectMessages(messages: Array<string | undefined>, cases: BadCase[], operation: string) {
	cases.forEach((c, i) => {
		const where = `${operation} ${c.collection ? `${c.collection}.` : ''}${c.field} = ${JSON.stringify(c.bad)}`;
		if (typeof c.expected === 'string') expect([where, messages[i]]).toEqual([where, c.expected]);
		else expect([where, messages[i]]).toEqual([where, expect.stringMatching(c.expected)]);
	});
}

/** One execution, one item, no Continue On Fail: the error the user sees. */
async function runOnce(parameters: INodeParameters) {
	const result = await runNode({ parameters, credentials: xapiCredentials(server) });
	return result;
}

const MALFORMED_JSON = '{"Name": "Sales", "Members": [1, 2}';
const JSON_REASON = /is not valid JSON \(.+\)$/;

describe('malformed JSON', () => {
	it('every field the editor shows as JSON is parsed as JSON before sending (static check of the tables)', () => {
		const mismatches: string[] = [];
		for (const name of operationsWhere((s) => !!s.body && 'params' in s.body)) {
			const s = spec(name);
			if (!s.body || !('params' in s.body)) continue;
			for (const [, field, kind] of s.body.params) {
				if ((propertyFor(field, name).type === 'json') !== (kind === 'json')) mismatches.push(`${name}.${field}`);
			}
		}
		for (const [collection, kinds] of Object.entries(bodyFieldKinds)) {
			const operation = operationWriting(collection);
			const children = (propertyFor(collection, operation).options ?? []) as Array<{ name: string; type: string }>;
			for (const child of children) {
				if ((child.type === 'json') !== (kinds[child.name] === 'json')) mismatches.push(`${collection}.${child.name}`);
			}
		}
		expect(mismatches).toEqual([]);
	});

	it('in every action parameter of every operation: refused by name, nothing sent', async () => {
		const withJson = operationsWhere((s) => !!s.body && 'params' in s.body && s.body.params.some((p) => p[2] === 'json'));
		expect(withJson.length).toBeGreaterThan(50);
		for (const operation of withJson) {
			const s = spec(operation);
			if (!s.body || !('params' in s.body)) continue;
			const cases = s.body.params
				.filter(([, , kind]) => kind === 'json')
				.map(([, field]) => ({
					field,
					bad: MALFORMED_JSON,
					good: '{}',
					expected: new RegExp(`^${escape(labelOf(field, operation))} ${JSON_REASON.source}`),
				}));
			expectMessages(await refuse(operation, cases), cases, operation);
		}
	}, 120_000);

	it('in every JSON field of every create/update collection: refused by name, nothing sent', async () => {
		const collections = Object.entries(bodyFieldKinds).filter(([, kinds]) => Object.values(kinds).includes('json'));
		expect(collections.length).toBeGreaterThan(30);
		for (const [collection, kinds] of collections) {
			const operation = operationWriting(collection);
			const cases = Object.entries(kinds)
				.filter(([, kind]) => kind === 'json')
				.map(([field]) => ({
					field,
					collection,
					bad: MALFORMED_JSON,
					good: '{}',
					expected: new RegExp(`^${escape(childLabel(collection, field, operation))} ${JSON_REASON.source}`),
				}));
			expectMessages(await refuse(operation, cases), cases, operation);
		}
	}, 120_000);

	it('every kind of broken JSON text, and an empty required JSON field', async () => {
		const label = labelOf('ids', 'batchDelete');
		const broken = ['[1, 2', '{a: 1}', "{'a': 1}", '[1,]', '[1] x', 'undefined', '{"a": 1}}', '\u201c[1]\u201d'];
		const cases: BadCase[] = [
			...broken.map((bad) => ({ field: 'ids', bad, good: '[1]', expected: new RegExp(`^${label} ${JSON_REASON.source}`) })),
			{ field: 'ids', bad: '', good: '[1]', expected: `${label} is required` },
			{ field: 'ids', bad: '   ', good: '[1]', expected: `${label} is required` },
		];
		expectMessages(await refuse('batchDelete', cases), cases, 'batchDelete');
	});

	it('without Continue On Fail the execution stops with that error, and nothing is sent', async () => {
		const { error, items } = await runOnce(baseParameters('batchDelete', { ids: '[1, 2' }));
		expect(error?.message).toMatch(/^IDs is not valid JSON \(/);
		expect(error?.description).toBe(NOTHING_SENT);
		expect(items).toEqual([]);
		expect(server.requests).toHaveLength(0);
	});
});

describe('a value outside an enum', () => {
	it('in each enum action parameter', async () => {
		for (const operation of operationsWhere((s) => !!s.body && 'params' in s.body && s.body.params.some((p) => p[2] === 'enum'))) {
			const s = spec(operation);
			if (!s.body || !('params' in s.body)) continue;
			const cases = s.body.params
				.filter(([, , kind]) => kind === 'enum')
				.map(([, field]) => ({
					field,
					bad: 'Nope',
					good: validValue('enum', propertyFor(field, operation)),
					expected: new RegExp(`^${escape(labelOf(field, operation))} "Nope" is not one of the allowed values \\(.+\\)$`),
				}));
			expectMessages(await refuse(operation, cases), cases, operation);
		}
	});

	it('in every option field of the create/update collections (single and multiple choice)', async () => {
		let tried = 0;
		for (const collection of Object.keys(bodyFieldKinds)) {
			const operation = operationWriting(collection);
			const children = (propertyFor(collection, operation).options ?? []) as Array<{ name: string; type: string; options?: Array<{ value: unknown }> }>;
			const cases = children
				.filter((child) => child.type === 'options' || child.type === 'multiOptions')
				.map((child) => ({
					field: child.name,
					collection,
					bad: child.type === 'multiOptions' ? [child.options?.[0]?.value, 'Nope'] : 'Nope',
					good: child.type === 'multiOptions' ? [child.options?.[0]?.value] : child.options?.[0]?.value,
					expected: `${childLabel(collection, child.name, operation)} "Nope" is not one of the allowed values (${(child.options ?? [])
						.slice(0, 12)
						.map((o) => String(o.value))
						.join(', ')}${(child.options ?? []).length > 12 ? ', …' : ''})`,
				}));
			if (!cases.length) continue;
			tried += cases.length;
			expectMessages(await refuse(operation, cases), cases, operation);
		}
		expect(tried).toBeGreaterThan(50);
	}, 120_000);
});

describe('a date that is not ISO-8601', () => {
	const notIso = ['yesterday', '31/01/2025', '01/31/2025 08:00', '2025-13-01', '2025-02-30T00:00:00Z', '2025-01-01T25:00:00Z', '2025-01-01T10:61', '1735689600', '2025-1-1', 'T08:00:00Z'];

	it('every malformed form in a function parameter', async () => {
		const label = labelOf('periodFrom', 'getCallLogData');
		const cases: BadCase[] = notIso.map((bad) => ({
			field: 'periodFrom',
			bad,
			good: '2025-01-01T00:00:00Z',
			expected: new RegExp(
				`^${label} (must be an ISO 8601 date and time like 2025-01-31T08:00:00Z, got|is not a real date and time:) "${escape(bad)}"$`,
			),
		}));
		expectMessages(await refuse('getCallLogData', cases), cases, 'getCallLogData');
	});

	it('in every date parameter of every report function (one execution per operation)', async () => {
		const withDates = operationsWhere((s) => s.params.some((p) => p[2] === 'date'));
		expect(withDates.length).toBeGreaterThan(40);
		for (const operation of withDates) {
			const cases = spec(operation)
				.params.filter(([, , kind]) => kind === 'date')
				.map(([, field]) => ({
					field,
					bad: 'yesterday',
					good: '2025-01-01T00:00:00Z',
					expected: `${labelOf(field, operation)} must be an ISO 8601 date and time like 2025-01-31T08:00:00Z, got "yesterday"`,
				}));
			expectMessages(await refuse(operation, cases), cases, operation);
		}
	}, 120_000);

	it('in every date field of the create/update collections', async () => {
		for (const [collection, kinds] of Object.entries(bodyFieldKinds)) {
			const dates = Object.entries(kinds).filter(([, kind]) => kind === 'date');
			if (!dates.length) continue;
			const operation = operationWriting(collection);
			const cases = dates.map(([field]) => ({
				field,
				collection,
				bad: '31.01.2025',
				good: '2025-01-01T00:00:00Z',
				expected: `${childLabel(collection, field, operation)} must be an ISO 8601 date and time like 2025-01-31T08:00:00Z, got "31.01.2025"`,
			}));
			expectMessages(await refuse(operation, cases), cases, operation);
		}
	});
});

describe('a missing required key', () => {
	/** Up to `n` operations per kind of path parameter, from different resources. */
	function sample(kind: string, n: number, nullable = 0): Array<[operation: string, field: string]> {
		const seen = new Set<string>();
		const out: Array<[string, string]> = [];
		for (const operation of operationsWhere((s) => s.params.some((p) => p[2] === kind && p[3] === nullable))) {
			const s = spec(operation);
			if (seen.has(s.resource) || out.length >= n) continue;
			seen.add(s.resource);
			const param = s.params.find((p) => p[2] === kind && p[3] === nullable);
			if (param) out.push([operation, param[1]]);
		}
		return out;
	}

	it.each([
		['int', 'is required'],
		['guid', 'is required'],
		['date', 'is required'],
		['bool', 'is required'],
		['str', 'is required and cannot be empty'],
	])('an empty %s key or function parameter: "<field> %s"', async (kind, problem) => {
		const picked = sample(kind, 6);
		expect(picked.length).toBeGreaterThan(0);
		for (const [operation, field] of picked) {
			const cases: BadCase[] = [
				{
					field,
					bad: '',
					good: validValue(kind as never, propertyFor(field, operation)),
					expected: `${labelOf(field, operation)} ${problem}`,
				},
			];
			expectMessages(await refuse(operation, cases), cases, operation);
		}
	});

	it('a resource locator left empty ("From list" with nothing picked)', async () => {
		const parameters = baseParameters('getUser');
		const field = spec('getUser').params[0][1];
		parameters[field] = { __rl: true, mode: 'list', value: '' };
		const { error } = await runOnce(parameters);
		expect(error?.message).toBe(`${labelOf(field, 'getUser')} is required`);
		expect(error?.description).toBe(NOTHING_SENT);
		expect(server.requests).toHaveLength(0);
	});

	it('every required action parameter, when empty', async () => {
		const withRequired = operationsWhere((s) => !!s.body && 'params' in s.body && s.body.params.some((p) => p[3] === 1));
		expect(withRequired.length).toBeGreaterThan(40);
		for (const operation of withRequired) {
			const s = spec(operation);
			if (!s.body || !('params' in s.body)) continue;
			const cases = s.body.params
				.filter(([, , , required]) => required === 1)
				.map(([, field, kind]) => ({
					field,
					bad: kind === 'json' ? '' : null,
					good: validValue(kind, propertyFor(field, operation)),
					expected: `${labelOf(field, operation)} ${kind === 'str' ? 'is required and cannot be empty' : 'is required'}`,
				}));
			expectMessages(await refuse(operation, cases), cases, operation);
		}
	}, 120_000);
});

describe('a non-numeric value for an integer', () => {
	const notInt: Array<[unknown, RegExp]> = [
		['abc', /must be a whole number, got "abc"$/],
		['12 OR 1=1', /must be a whole number, got "12 OR 1=1"$/],
		['1.5', /must be a whole number, got "1.5"$/],
		[1.5, /must be a whole number, got 1.5$/],
		['1e3', /must be a whole number, got "1e3"$/],
		['0x1A', /must be a whole number, got "0x1A"$/],
		['\u0661\u0662', /must be a whole number/],
		['1 2', /must be a whole number, got "1 2"$/],
		['29)/Pbx.DropCall(', /must be a whole number/],
		['2147483648', /must be between -2147483648 and 2147483647, got 2147483648$/],
		[true, /must be a whole number, got true$/],
		[{ Id: 1 }, /must be a whole number, got an object$/],
	];

	it('in an entity key (every way it can be wrong)', async () => {
		const field = spec('getUser').params[0][1];
		const label = labelOf(field, 'getUser');
		const cases: BadCase[] = notInt.map(([bad, expected]) => ({
			field,
			bad,
			good: 1,
			expected: new RegExp(`^${escape(label)} ${expected.source}`),
		}));
		expectMessages(await refuse('getUser', cases), cases, 'getUser');
	});

	it('in entity keys of many resources, in function parameters and in action parameters', async () => {
		const keys = operationsWhere((s) => s.params.length === 1 && s.params[0][2] === 'int' && s.method === 'GET');
		const byResource = new Map<string, string>();
		for (const operation of keys) if (!byResource.has(spec(operation).resource)) byResource.set(spec(operation).resource, operation);
		const picked = [...byResource.values()].slice(0, 15);
		const functions = operationsWhere((s) => s.params.length > 1 && s.params.some((p) => p[2] === 'int')).slice(0, 5);
		for (const operation of [...picked, ...functions]) {
			const [, field] = spec(operation).params.find((p) => p[2] === 'int') ?? [];
			if (!field) continue;
			const cases: BadCase[] = [{ field, bad: 'abc', good: 1, expected: `${labelOf(field, operation)} must be a whole number, got "abc"` }];
			expectMessages(await refuse(operation, cases), cases, operation);
		}
		for (const operation of operationsWhere((s) => !!s.body && 'params' in s.body && s.body.params.some((p) => p[2] === 'int'))) {
			const s = spec(operation);
			if (!s.body || !('params' in s.body)) continue;
			const [, field] = s.body.params.find((p) => p[2] === 'int') ?? [];
			if (!field) continue;
			const cases: BadCase[] = [{ field, bad: 'seven', good: 7, expected: `${labelOf(field, operation)} must be a whole number, got "seven"` }];
			expectMessages(await refuse(operation, cases), cases, operation);
		}
	}, 60_000);
});

describe('an empty string where 3CX needs a value', () => {
	it('a text key (alternate key, file name, …), empty: refused; nothing sent', async () => {
		for (const operation of operationsWhere((s) => s.params.some((p) => p[2] === 'str' && p[3] === 0)).slice(0, 10)) {
			const [, field] = spec(operation).params.find((p) => p[2] === 'str' && p[3] === 0) ?? [];
			if (!field) continue;
			const cases: BadCase[] = [
				{ field, bad: '', good: 'x', expected: `${labelOf(field, operation)} is required and cannot be empty` },
			];
			expectMessages(await refuse(operation, cases), cases, operation);
		}
	});

	it('a required text action parameter, empty or only spaces: refused; nothing sent', async () => {
		const label = labelOf('accessToken', 'authorizePresence');
		const cases: BadCase[] = [
			{ field: 'accessToken', bad: '', good: 'x', expected: `${label} is required and cannot be empty` },
			{ field: 'accessToken', bad: '  \t ', good: 'x', expected: `${label} is required and cannot be empty` },
		];
		expectMessages(await refuse('authorizePresence', cases), cases, 'authorizePresence');
	});

	it('a parameter 3CX allows to be empty (nullable) is sent as the empty literal \'\', not refused', async () => {
		server.get(/GetCallLogData/, json({ value: [] }));
		const { error } = await runOnce(baseParameters('getCallLogData', { sourceFilter: '' }));
		expect(error).toBeUndefined();
		expect(server.apiRequests).toHaveLength(1);
		expect(server.apiRequests[0].rawApiPath).toContain("sourceFilter='',");
	});
});

describe('the Base URL of the credential', () => {
	const getUser = () => baseParameters('getUser');

	it.each([
		['without a scheme', (base: string) => base.replace(/^http:\/\//, '')],
		['with only a host name', () => 'pbx.example.com'],
		['with another scheme', (base: string) => base.replace(/^http:/, 'ftp:')],
		['empty', () => ''],
	])('%s: a clear error, and nothing is sent', async (_label, make) => {
		const { error } = await runNode({ parameters: getUser(), credentials: xapiCredentials(server, { baseUrl: make(server.baseUrl) }) });
		expect(error?.message).toMatch(/^The Base URL of the 3CX credential must start with https:\/\/ \(or http:\/\/\), got ".*"$/);
		expect(error?.description).toBe('Use the address of your 3CX Admin console, for example https://pbx.example.com:5001');
		expect(server.requests).toHaveLength(0);
	});

	it.each([
		['a trailing slash', (base: string) => `${base}/`],
		['several trailing slashes and spaces', (base: string) => `  ${base}///  `],
		['/xapi/v1 at the end', (base: string) => `${base}/xapi/v1`],
		['/xapi/v1/ at the end, in capitals', (base: string) => `${base}/XAPI/V1/`],
	])('with %s: simply works (token and API at the right place)', async (_label, make) => {
		server.get(/Users/, json({ Id: 1 }));
		const { error, items } = await runNode({ parameters: getUser(), credentials: xapiCredentials(server, { baseUrl: make(server.baseUrl) }) });
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json)).toEqual([{ Id: 1 }]);
		expect(server.requests.map((r) => `${r.method} ${r.rawPath}`)).toEqual(['POST /connect/token', 'GET /xapi/v1/Users(1)']);
	});
});

describe('the Base URL with a path (3CX published under a path by a reverse proxy)', () => {
	let proxied: XapiServer;
	beforeAll(async () => {
		proxied = createXapiServer({ basePath: '/pbx' });
		await proxied.start();
	});
	afterAll(async () => await proxied.stop());
	beforeEach(() => proxied.reset());

	it.each([
		['the path', (base: string) => `${base}/pbx`],
		['the path and a trailing slash', (base: string) => `${base}/pbx/`],
		['the path and /xapi/v1/', (base: string) => `${base}/pbx/xapi/v1/`],
	])('with %s: simply works', async (_label, make) => {
		proxied.get(/Users/, json({ Id: 1 }));
		const { error, items } = await runNode({
			parameters: baseParameters('getUser'),
			credentials: xapiCredentials(proxied, { baseUrl: make(proxied.baseUrl) }),
		});
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json)).toEqual([{ Id: 1 }]);
		expect(proxied.requests.map((r) => `${r.kind} ${r.url}`)).toEqual(['token /pbx/connect/token', 'api /pbx/xapi/v1/Users(1)']);
	});

	it('a path where no 3CX is (e.g. a web client page): the token request fails with a message that names the token URL', async () => {
		const { error } = await runNode({
			parameters: baseParameters('getUser'),
			credentials: xapiCredentials(proxied, { baseUrl: `${proxied.baseUrl}/webclient` }),
		});
		expect(error?.message).toBe('3CX did not issue an access token: the token URL answered HTTP 404 with text/plain instead of a token');
		expect(error?.description).toContain(`Token URL: ${proxied.baseUrl}/webclient/connect/token.`);
		expect(error?.description).toContain('without any path');
		expect(proxied.apiRequests).toHaveLength(0);
	});
});

describe('a Base URL copied from the browser, with #/… or ?…', () => {
	it.each([
		['the Admin console page', '/#/office/dashboard'],
		['a query', '/?lang=en'],
	])('%s: simply works, the page part is dropped', async (_label, tail) => {
		const { error } = await runNode({
			parameters: baseParameters('getUser'),
			credentials: xapiCredentials(server, { baseUrl: `${server.baseUrl}${tail}` }),
		});
		expect(error).toBeUndefined();
		expect(server.tokenRequests).toHaveLength(1);
		expect(server.tokenRequests[0].rawPath).toBe('/connect/token');
		expect(server.apiRequests.map((r) => r.rawPath)).toEqual(['/xapi/v1/Users(1)']);
	});
});

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
