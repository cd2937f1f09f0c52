/**
 * Resource locators (From list / By ID / By number), their list searches and the Fields/Expand
 * choices, run through n8n-core's real contexts against the local XAPI server.
 */
import type { ILoadOptionsFunctions, INodeParameters } from 'n8n-workflow';

import { listSearch, loadOptions, searchFilter } from '../nodes/ThreeCx/runtime/lists';
import { locators, operations } from '../nodes/ThreeCx/generated/operations';
import { ThreeCx } from '../nodes/ThreeCx/ThreeCx.node';
import { loadOptionsContext, runNode, xapiCredentials } from './helpers/harness';
import { useXapiServer } from './helpers/setup';
import { alternateKeySets, SPEC, specAvailable } from './helpers/spec-files';
import { collection, json, makeEntities, type XapiServer } from '../simulator';

const xapi = useXapiServer();
// Spec-derived expectations run only with the spec (read when the test runs).
const withSpec = specAvailable() ? it : it.skip;
const why = specAvailable() ? '' : ` (skipped: no XAPI spec at ${SPEC}; set XAPI_SPEC)`;
let server: XapiServer;
beforeEach(() => (server = xapi()));

function context(parameters: INodeParameters): ILoadOptionsFunctions {
	return loadOptionsContext({ parameters, credentials: xapiCredentials(server) }) as unknown as ILoadOptionsFunctions;
}

const users = makeEntities(120, (i) => ({ Id: i, Number: String(100 + i), FirstName: `Ann${i}`, LastName: "O'Lee" }));

describe('resource locators', () => {
	it('cover the common entities, with By number where 3CX has the alternate key', () => {
		const sets = Object.values(locators).map((l) => l.set);
		for (const set of ['Users', 'Groups', 'Queues', 'RingGroups', 'Receptionists', 'Trunks', 'Parkings', 'Contacts', 'Fax', 'CallFlowApps', 'ServicePrincipals']) {
			expect(sets).toContain(set);
		}
		// By number exactly where the table has the set's GET /Set(Number={Number}) read.
		const withNumber = Object.values(locators).filter((l) => l.number).map((l) => l.set).sort();
		const alternate = new Set(
			Object.values(operations)
				.filter((s) => s.method === 'GET' && /^\/\w+\(Number=\{Number\}\)$/.test(s.path))
				.map((s) => s.path.slice(1, s.path.indexOf('('))),
		);
		expect(withNumber).toEqual(sets.filter((set) => alternate.has(set)).sort());
		const methods = new ThreeCx().methods.listSearch;
		for (const locator of Object.values(locators)) expect(typeof methods[locator.search]).toBe('function');
	});

	withSpec(`By number is offered for every set of the spec with an alternate key${why}`, () => {
		const sets = Object.values(locators).map((l) => l.set);
		const withNumber = Object.values(locators).filter((l) => l.number).map((l) => l.set).sort();
		expect(withNumber).toEqual(alternateKeySets().filter((set) => sets.includes(set)));
	});

	(locators.userKey?.number ? it : it.skip)("By number addresses the entity by its alternate key: /Users(Number='1''00')/Pbx.SendWelcomeEmail", async () => {
		server.post(/SendWelcomeEmail/, json({}));
		const { error } = await runNode({
			parameters: { resource: 'users', operation: 'sendWelcomeEmail', userKey: { __rl: true, mode: 'number', value: "1'00" } },
			credentials: xapiCredentials(server),
		});
		expect(error).toBeUndefined();
		expect(server.apiRequests[0].rawApiPath).toBe("/Users(Number='1''00')/Pbx.SendWelcomeEmail");
	});

	it('From list sends the picked ID as the integer key', async () => {
		server.get(/Queues/, json({ Id: 7 }));
		await runNode({
			parameters: { resource: 'queues', operation: 'getQueue', queueKey: { __rl: true, mode: 'list', value: '7', cachedResultName: 'Support (800)' } },
			credentials: xapiCredentials(server),
		});
		expect(server.apiRequests[0].rawApiPath).toBe('/Queues(7)');
	});

	it('By ID refuses text that is not a number before anything is sent', async () => {
		const { error } = await runNode({
			parameters: { resource: 'users', operation: 'getUser', userKey: { __rl: true, mode: 'id', value: 'abc' } },
			credentials: xapiCredentials(server),
		});
		expect(error?.message).toBe('User must be a whole number, got "abc"');
		expect(server.requests).toHaveLength(0);
	});
});

describe('list search', () => {
	it('lists users with name and number, paged with $top/$skip, with the credential', async () => {
		server.get('/Users', collection(users));
		const ctx = context({ resource: 'users', operation: 'getUser' });
		const first = await listSearch.searchUsers.call(ctx);
		expect(first.results).toHaveLength(50);
		expect(first.results[0]).toEqual({ name: "Ann0 O'Lee (100)", value: '0' });
		expect(first.paginationToken).toBe('50');
		const third = await listSearch.searchUsers.call(ctx, undefined, '100');
		expect(third.results).toHaveLength(20);
		expect(third.paginationToken).toBeUndefined();
		const [request] = server.apiRequests;
		expect(request.query).toMatchObject({ $top: '50', $skip: '0', $select: 'Id,Number,FirstName,LastName', $orderby: 'Number' });
		expect(server.tokenRequests).toHaveLength(1);
		expect(server.apiRequests).toHaveLength(2);
		expect(server.apiRequests.every((r) => r.authorized)).toBe(true);
	});

	it('filters what the person typed with contains(), quotes escaped', async () => {
		server.get('/Users', collection([]));
		await listSearch.searchUsers.call(context({}), "O'Le");
		expect(server.apiRequests[0].query.$filter).toBe(
			"contains(Number,'O''Le') or contains(FirstName,'O''Le') or contains(LastName,'O''Le') or contains(DisplayName,'O''Le')",
		);
		expect(searchFilter('  ', ['Name'])).toBeUndefined();
	});
});

describe('Fields and Expand choices', () => {
	it("offer the properties and navigation properties of the operation's entity", async () => {
		const select = await loadOptions.getSelectFields.call(context({ resource: 'users', operation: 'listUser' }));
		const expand = await loadOptions.getExpandFields.call(context({ resource: 'users', operation: 'listUser' }));
		const names = select.map((o) => o.value);
		expect(names).toEqual(expect.arrayContaining(['Id', 'Number', 'FirstName', 'EmailAddress']));
		expect(names).not.toContain('Groups');
		expect(expand.map((o) => o.value)).toEqual(expect.arrayContaining(['Groups']));
		expect(server.requests).toHaveLength(0);
	});
});
