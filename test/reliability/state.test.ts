/**
 * Issue 10 item 1: per-item state lives with the item. Each state-sensitive case (Include Count,
 * Limit, the retry after a 401, keeping the token out of messages) runs
 * - in a fresh process state (a node loaded anew with jest.isolateModules, as after starting n8n)
 *   and in a used one (the node this file shares, after earlier runs of every kind);
 * - alone, after a Return All, and alongside a concurrent Return All (another execution, and
 *   another item of the same execution).
 * Before the fix, the state was keyed on n8n-core's context prototype, shared by every item of
 * every execution: after the first Return All, Include Count gave one item per entity.
 */
import type { INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';

import { CredentialStore, runNode, threeCxNodeType, xapiCredentials, type RunNodeResult } from '../helpers/harness';
import { byId, useXapiServer } from '../helpers/setup';
import { collection, json, makeEntities, type XapiServer } from '../../simulator';
import { leakedSecrets, visibleTexts } from './support';

// the first run of a file loads n8n-core and the node: slow on a busy machine
jest.setTimeout(120_000);

const xapi = useXapiServer();
let server: XapiServer;
beforeEach(() => {
	server = xapi();
	server.get('/Users', collection(makeEntities(257), { maxTop: 100 }));
	server.get('/Groups', collection(makeEntities(130), { maxTop: 100 }));
	server.get('/Users(7)', json({ Id: 7 }));
	server.get('/Users(666)', (req) => json({ error: { message: `echo: Bearer ${req.token} ${req.token}` } }, 500));
});

/** A node with its own runtime state, as a freshly started n8n loads it. */
function freshNodeType(): INodeType {
	let nodeType: INodeType | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { ThreeCx } = require('../../nodes/ThreeCx/ThreeCx.node') as { ThreeCx: new () => INodeType };
		nodeType = new ThreeCx();
	});
	if (!nodeType) throw new Error('the node did not load');
	return nodeType;
}

type Run = (parameters: INodeParameters, options?: { items?: INodeExecutionData[]; store?: CredentialStore }) => Promise<RunNodeResult>;

function runner(nodeType: INodeType | undefined): Run {
	return async (parameters, options = {}) =>
		await runNode({
			nodeType,
			parameters,
			items: options.items,
			credentialStore: options.store ?? new CredentialStore(xapiCredentials(server)),
		});
}

const returnAllUsers = { resource: 'users', operation: 'listUser', returnAll: true };
const returnAllGroups = { resource: 'groups', operation: 'listGroup', returnAll: true };

interface Case {
	parameters: INodeParameters;
	/** A store prepared for the case (e.g. holding a token 3CX no longer accepts). */
	store?: () => CredentialStore;
	check: (result: RunNodeResult) => void;
}

const cases: Record<string, Case> = {
	'Include Count': {
		parameters: { resource: 'users', operation: 'listUser', limit: 5, queryOptions: { count: true } },
		check: ({ error, items }) => {
			expect(error).toBeUndefined();
			expect(items).toHaveLength(1);
			expect(items[0].json['@odata.count']).toBe(257);
			expect(items[0].json.value).toHaveLength(5);
		},
	},
	Limit: {
		parameters: { resource: 'users', operation: 'listUser', limit: 250 },
		check: ({ error, items }) => {
			expect(error).toBeUndefined();
			expect(items.map((i) => i.json.Id)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
		},
	},
	'retry after a 401': {
		parameters: { resource: 'users', operation: 'getUser', userKey: byId(7) },
		store: () => new CredentialStore(xapiCredentials(server)).setAccessToken('no-longer-valid-token'),
		check: ({ error, items }) => {
			expect(error).toBeUndefined();
			expect(items.map((i) => i.json)).toEqual([{ Id: 7 }]);
		},
	},
	'the token kept out of messages': {
		parameters: { resource: 'users', operation: 'getUser', userKey: byId(666) },
		check: ({ error }) => {
			expect(error?.message).toMatch(/^3CX answered 500 Internal server error: echo: Bearer \[redacted\]/);
			expect(leakedSecrets(visibleTexts(error), server.issuedTokens)).toEqual([]);
		},
	},
};

function ownRequests(parameters: INodeParameters) {
	return server.apiRequests.filter((r) =>
		parameters.operation === 'getUser' ? /^\/Users\(\d+\)$/.test(r.apiPath ?? '') : r.apiPath === '/Users',
	);
}

let shared: INodeType;
beforeAll(async () => {
	// a used process: every kind of run has happened once in it
	shared = threeCxNodeType();
	server = xapi();
	server.get('/Users', collection(makeEntities(150), { maxTop: 100 }));
	server.get('/Users(1)', json({ Id: 1 }));
	const run = runner(shared);
	await run(returnAllUsers);
	await run({ resource: 'users', operation: 'listUser', limit: 5, queryOptions: { count: true } });
	await run({ resource: 'users', operation: 'getUser', userKey: byId(1) });
});

describe.each([
	['a fresh process state', () => freshNodeType()],
	['a used process state', () => shared],
])('in %s', (_state, nodeType) => {
	describe.each(Object.entries(cases))('%s', (_name, testCase) => {
		const store = () => testCase.store?.() ?? new CredentialStore(xapiCredentials(server));

		it('alone', async () => {
			testCase.check(await runner(nodeType())(testCase.parameters, { store: store() }));
		});

		it('after a Return All', async () => {
			const run = runner(nodeType());
			const all = await run(returnAllUsers);
			expect(all.items).toHaveLength(257);
			testCase.check(await run(testCase.parameters, { store: store() }));
		});

		it('alongside a concurrent Return All in another execution on the same credential', async () => {
			const run = runner(nodeType());
			const shared = store();
			const [all, result] = await Promise.all([run(returnAllGroups, { store: shared }), run(testCase.parameters, { store: shared })]);
			expect(all.error).toBeUndefined();
			expect(all.items).toHaveLength(130);
			testCase.check(result);
		});

		it('alongside a concurrent item of the same execution, while another execution reads everything', async () => {
			const run = runner(nodeType());
			const shared = store();
			const [all, result] = await Promise.all([
				run(returnAllGroups, { store: shared }),
				run(testCase.parameters, { store: shared, items: [{ json: {} }, { json: {} }] }),
			]);
			expect(all.items).toHaveLength(130);
			if (result.error) {
				testCase.check(result); // an error stops the execution at its first item
				return;
			}
			const half = result.items.length / 2;
			testCase.check({ ...result, items: result.items.slice(0, half) });
			testCase.check({ ...result, items: result.items.slice(half) });
			expect(ownRequests(testCase.parameters).length).toBeGreaterThanOrEqual(2);
		});
	});
});
