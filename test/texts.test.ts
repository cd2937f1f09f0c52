/**
 * Issue 12: every operation and field reads like n8n's own, for people and for AI agents. The audit
 * (test/helpers/text-audit.js, also printed by `node scripts/text-figures.js`) runs over the whole
 * generated description; the wire cases prove that JSON fields send nothing unasked.
 */
import { Workflow, type INode, type INodePropertyOptions, type INodeTypes } from 'n8n-workflow';

import { operations } from '../nodes/ThreeCx/generated/operations';
import { CALL_CONTROL_OPERATIONS } from '../nodes/ThreeCx/resources/callControl';
import { ThreeCx } from '../nodes/ThreeCx/ThreeCx.node';
import { CredentialStore, runNode, xapiCredentials } from './helpers/harness';
import { useXapiServer } from './helpers/setup';
import { specAvailable } from './helpers/spec-files';
import { operationTexts, removeSpec, specWithOldUserLookup } from './helpers/spec-variants';
import { auditTexts, operationOptions, rawFragments, repeatedWords } from './helpers/text-audit';
import { json, noContent, type XapiServer } from '../simulator';

const description = new ThreeCx().description;
const audit = auditTexts(description, operations);
const show = (list: Array<{ resource?: string; value?: unknown; name?: string; action?: string; description?: string }>) =>
	list.map((o) => `${o.resource} / ${String(o.value)}: ${o.name} | ${o.action} | ${o.description}`);

describe('operation texts over the whole description', () => {
	it('has names that repeat no word and carry no raw operationId fragment', () => {
		// every operation of the generated table, the hand-written Custom API Call and Call Control (issue 18)
		expect(audit.operations).toBe(Object.keys(operations).length + 1 + CALL_CONTROL_OPERATIONS.length);
		expect(show(audit.stutter)).toEqual([]);
		expect(show(audit.raw)).toEqual([]);
	});

	it('has descriptions that are sentences, not "<verb> <thing> (<resource>)"', () => {
		expect(show(audit.parenthesised)).toEqual([]);
	});

	it('has actions that name their resource and are unique within it (and across the node)', () => {
		expect(show(audit.noNoun)).toEqual([]);
		expect(show(audit.duplicateInResource)).toEqual([]);
		expect(show(audit.duplicateInNode)).toEqual([]);
	});

	it('reads the cases the issue names as English', () => {
		const byValue = new Map(operationOptions(description).map((o) => [o.value, o]));
		expect(byValue.get('downloadGetGetCallDistribution')).toMatchObject({ name: 'Download Call Distribution' });
		expect(byValue.get('getQueueAnUnCallsData')?.name).toBe('Get Queue Answered and Unanswered Calls Data');
		expect(byValue.get('getUserByNumber')).toMatchObject({ name: 'Get by Number', action: 'Get a user by number' });
		expect(byValue.get('geCrmtTemplates')?.name).toBe('Get CRM Templates');
		expect(byValue.get('dropCall')?.action).toBe('Drop an active call');
		expect(byValue.get('listSbc')?.action).toBe('Get many SBC servers');
		expect(byValue.get('downloadGreeting')?.description).not.toMatch(/\(users\)$/);
	});

	it('detects what it forbids (the audit is not vacuous)', () => {
		expect(repeatedWords('Download Get Get Call Distribution')).toEqual(['get']);
		expect(rawFragments('Report Queue An Un Call')).toContain('An Un');
		expect(rawFragments('Get By Number')).toEqual(['By']);
		expect(rawFragments('Get by Number')).toEqual([]);
	});
});

describe('field texts over the whole description', () => {
	it('shows every JSON field its shape and sends no default', () => {
		expect(audit.json).toBeGreaterThanOrEqual(182);
		expect(audit.jsonWithoutShape.map((p) => p.name)).toEqual([]);
		expect(audit.jsonWithDefault.map((p) => `${p.name} = ${JSON.stringify(p.default)}`)).toEqual([]);
	});

	it('gives Trunks > Set Routes the shape of SetRouteRequest, arrays marked', () => {
		const routes = description.properties.find((p) => p.name === 'routes' && p.displayOptions?.show?.operation?.includes('setRoutes'))!;
		expect(routes).toMatchObject({ type: 'json', required: true, default: '' });
		expect(routes.description).toBe('JSON object (shape below)');
		expect(routes.hint).toMatch(/^e\.g\. \{"Id": 0, "Routes": \[\{/);
		for (const key of ['"DID": "string"', '"TrunkId": 0', '"DisplayName": "string"']) expect(routes.hint).toContain(key);
	});

	it('gives a shared JSON field each operation its own shape', () => {
		const settings = description.properties.filter((p) => p.name === 'settings' && p.type === 'json');
		expect(settings.length).toBeGreaterThan(1);
		const shown = settings.flatMap((p) => p.displayOptions!.show!.operation as string[]);
		expect(new Set(shown).size).toBe(shown.length);
		expect(settings.find((p) => (p.displayOptions!.show!.operation as string[]).includes('testEmail'))!.hint).toContain('"MailServer"');
	});

	it('starts every boolean description with "Whether"', () => {
		expect(audit.booleans).toBeGreaterThan(150);
		expect(audit.booleansWithoutWhether.map((p) => `${p.name}: ${p.description}`)).toEqual([]);
	});

	it('says what dates, durations and integer-coded report filters take', () => {
		const field = (name: string) => description.properties.find((p) => p.name === name)!;
		expect(field('periodFrom').description).toMatch(/ISO 8601.*time zone/);
		expect(field('callTimeFilterFrom').description).toMatch(/H:mm:ss/);
		expect(field('callsType').description).toMatch(/0 = all calls/);
		expect(field('groupingType').description).toMatch(/does not say/);
		expect(field('clientTimeZone').description).toMatch(/IANA/);
	});

	it('offers no Return All or Limit on a file download', () => {
		expect(audit.downloads).toBeGreaterThanOrEqual(35);
		expect(audit.downloadsWithReturnAll).toEqual([]);
	});
});

describe('subtitle', () => {
	const props = [
		{ displayName: 'Resource', name: 'resource', type: 'string' as const, default: '' },
		{ displayName: 'Operation', name: 'operation', type: 'string' as const, default: '' },
	];
	const nodeTypes = {
		getByName: () => ({ description: { ...description, properties: props } }),
		getByNameAndVersion: () => ({ description: { ...description, properties: props } }),
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;

	it('shows what the user picked in words for every operation', () => {
		const resources = new Map((description.properties[0].options as INodePropertyOptions[]).map((o) => [o.value, o.name]));
		const wrong: string[] = [];
		for (const o of operationOptions(description)) {
			const node: INode = { id: '1', name: '3CX', type: 'n8n-nodes-3cx.threeCx', typeVersion: 1, position: [0, 0], parameters: { resource: o.resource, operation: o.value } };
			const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
			const subtitle = workflow.expression.getSimpleParameterValue(node, description.subtitle!, 'internal', {});
			const expected = `${o.name}: ${resources.get(o.resource)}`;
			if (subtitle !== expected) wrong.push(`${String(o.value)}: ${String(subtitle)} instead of ${expected}`);
		}
		expect(wrong).toEqual([]);
	});
});

const withSpec = specAvailable() ? describe : describe.skip;

withSpec('issue 10 item 8: the old lookup function reads like the alternate key', () => {
	it('GET /Users/Pbx.GetByNumber(number=…) is named Get by Number / Get a user by number', () => {
		const spec = specWithOldUserLookup('GetUserByNumber');
		try {
			const users = operationTexts(spec, 'users');
			const lookup = users.find((o) => o.path === '/Users/Pbx.GetByNumber(number={number})');
			expect(lookup).toMatchObject({ name: 'Get by Number', action: 'Get a user by number', description: 'Retrieve a user by its number' });
			// ... exactly as 20.0.10's alternate key reads
			const current = operationOptions(description).find((o) => o.value === 'getUserByNumber')!;
			expect({ name: lookup!.name, action: lookup!.action, description: lookup!.description }).toEqual({
				name: current.name,
				action: current.action,
				description: current.description,
			});
		} finally {
			removeSpec(spec);
		}
	});
});

describe('JSON fields send nothing unasked', () => {
	const xapi = useXapiServer();
	let server: XapiServer;
	beforeEach(() => (server = xapi()));
	const run = async (parameters: Record<string, unknown>) =>
		await runNode({
			parameters: parameters as never,
			items: [{ json: {} }],
			credentials: xapiCredentials(server),
			credentialStore: new CredentialStore(xapiCredentials(server)),
		});

	it('leaves an optional JSON parameter out when it is left empty', async () => {
		server.post(/GetGoogleUsers/, json({ value: [] }));
		const { error } = await run({ resource: 'googleSettings', operation: 'getGoogleUsers' });
		expect(error).toBeUndefined();
		expect(server.apiRequests).toHaveLength(1);
		expect(server.apiRequests[0].json ?? {}).toEqual({});
	});

	it('refuses a required JSON parameter left empty, naming the field, and sends nothing', async () => {
		const { error } = await run({ resource: 'trunks', operation: 'setRoutes' });
		expect(error?.message).toMatch(/^Routes is required/);
		expect(server.apiRequests).toHaveLength(0);
	});

	it('sends what the user typed', async () => {
		server.post(/SetRoutes/, noContent());
		const routes = '{"Id": 5, "Routes": [{"DID": "+4930123", "TrunkId": 5, "DisplayName": "Main"}]}';
		const { error } = await run({ resource: 'trunks', operation: 'setRoutes', routes });
		expect(error).toBeUndefined();
		expect(server.apiRequests[0].json).toEqual({ routes: JSON.parse(routes) });
	});

	it('leaves out an entity JSON field that was added but left empty', async () => {
		server.post('/Users', json({ Id: 12 }, 201));
		const { error } = await run({ resource: 'users', operation: 'createUser', userFields: { Number: '112', Groups: '' } });
		expect(error).toBeUndefined();
		expect(server.apiRequests[0].json).toEqual({ Number: '112' });
	});
});
