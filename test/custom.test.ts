/**
 * Issue 10 item 10: the Custom API Call, run through n8n-core's RoutingNode like every operation:
 * any method, path below /xapi/v1, query and JSON body, with the node's token discipline (one
 * token, one renewal + retry after a 401) and error mapping; a path that would leave /xapi/v1 is
 * refused before anything is sent.
 */
import type { INodeParameters, INodePropertyOptions } from 'n8n-workflow';

import { ThreeCx } from '../nodes/ThreeCx/ThreeCx.node';
import { CredentialStore, runNode, xapiCredentials } from './helpers/harness';
import { useXapiServer } from './helpers/setup';
import { collection, json, makeEntities, noContent, odataError, type XapiServer } from '../simulator';

// the first run of a file loads n8n-core and the node: slow on a busy machine
jest.setTimeout(120_000);

const xapi = useXapiServer();
let server: XapiServer;
beforeEach(() => (server = xapi()));

const call = (extra: INodeParameters): INodeParameters => ({ resource: 'customApiCall', operation: 'customApiCall', ...extra });

async function run(parameters: INodeParameters, store = new CredentialStore(xapiCredentials(server)), items = 1) {
	return await runNode({ parameters, credentialStore: store, items: Array.from({ length: items }, () => ({ json: {} })) });
}

describe('Custom API Call', () => {
	it('is a resource of the node, in alphabetical order with the generated ones', () => {
		const resource = new ThreeCx().description.properties.find((p) => p.name === 'resource');
		const names = (resource?.options as INodePropertyOptions[]).map((o) => o.name);
		expect(names).toContain('Custom API Call');
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
	});

	it('GET with query parameters: one item per entity of a collection', async () => {
		server.get('/Users', collection(makeEntities(3)));
		const { error, items } = await run(
			call({ customPath: '/Users', customQuery: { parameter: [{ name: '$filter', value: "Number eq '100'" }, { name: '$top', value: '3' }] } }),
		);
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.Id)).toEqual([1, 2, 3]);
		const request = server.apiRequests[0];
		expect(request).toMatchObject({ method: 'GET', rawApiPath: '/Users' });
		expect(request.query).toEqual({ $filter: "Number eq '100'", $top: '3' });
	});

	it("a path with OData keys goes as written: /Users(Number='100')/Pbx.SendWelcomeEmail", async () => {
		server.post(/SendWelcomeEmail/, noContent());
		const { error, items } = await run(call({ customMethod: 'POST', customPath: "/Users(Number='100')/Pbx.SendWelcomeEmail" }));
		expect(error).toBeUndefined();
		expect(server.apiRequests[0].path).toBe("/xapi/v1/Users(Number='100')/Pbx.SendWelcomeEmail");
		expect(items.map((i) => i.json)).toEqual([{ success: true }]);
	});

	it('POST / PATCH with a JSON body; DELETE answers { deleted: true }', async () => {
		server.post('/Groups', json({ Id: 9 }, 201));
		server.patch('/Groups(9)', noContent());
		server.delete('/Groups(9)', noContent());
		const created = await run(call({ customMethod: 'POST', customPath: '/Groups', customBody: '{"Name":"Sales \'A\'"}' }));
		const updated = await run(call({ customMethod: 'PATCH', customPath: '/Groups(9)', customBody: { Name: 'B' } as never }));
		const deleted = await run(call({ customMethod: 'DELETE', customPath: '/Groups(9)' }));
		expect(created.items.map((i) => i.json)).toEqual([{ Id: 9 }]);
		expect(server.apiRequests.map((r) => [r.method, r.json])).toEqual([
			['POST', { Name: "Sales 'A'" }],
			['PATCH', { Name: 'B' }],
			['DELETE', undefined],
		]);
		expect(updated.items.map((i) => i.json)).toEqual([{ success: true }]);
		expect(deleted.items.map((i) => i.json)).toEqual([{ deleted: true }]);
	});

	it('shares the one token: 20 items, one token; a token 3CX refused is renewed once for all', async () => {
		server.get('/Users(1)', json({ Id: 1 }));
		const store = new CredentialStore(xapiCredentials(server)).setAccessToken('refused-token');
		const { error, items } = await run(call({ customPath: '/Users(1)' }), store, 20);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(20);
		expect(server.tokenRequestCount).toBe(1);
		expect(server.apiRequests.filter((r) => r.response?.status === 200)).toHaveLength(20);
	});

	it("maps 3CX's errors like every operation", async () => {
		server.get('/Nope', odataError(404, 'No such set', ['WARNINGS.XAPI.NOT_FOUND']));
		const { error } = await run(call({ customPath: '/Nope' }));
		expect(error?.httpCode).toBe('404');
		expect(error?.message).toBe('3CX answered 404 Not found: No such set');
		expect(error?.description).toContain('WARNINGS.XAPI.NOT_FOUND');
	});

	it.each([
		['empty', '', /^Path is required/],
		['without a leading slash', 'Users', /^Path must start with '\/'/],
		['an address', 'https://evil.example/xapi/v1/Users', /^Path must be a path below \/xapi\/v1/],
		['a scheme-relative address', '//evil.example/Users', /^Path must be a path below \/xapi\/v1/],
		['climbing out with ..', '/../connect/token', /^Path must not contain '.' or '..' segments/],
		['climbing out with encoded ..', '/%2e%2e/connect/token', /^Path must not contain '.' or '..' segments/],
		['with a query', '/Users?$top=1', /^Path must not contain \? or #/],
	])('a path %s is refused, nothing sent', async (_label, customPath, message) => {
		const { error } = await run(call({ customPath }));
		expect(error?.message).toMatch(message);
		expect(error?.description).toMatch(/^Nothing was sent to 3CX/);
		expect(server.requests).toHaveLength(0);
	});

	it('a JSON Body that does not parse, or a repeated query name, is refused', async () => {
		const bad = await run(call({ customMethod: 'POST', customPath: '/Groups', customBody: '{"Name":' }));
		expect(bad.error?.message).toMatch(/^JSON Body is not valid JSON/);
		const twice = await run(call({ customPath: '/Users', customQuery: { parameter: [{ name: '$top', value: '1' }, { name: '$top', value: '2' }] } }));
		expect(twice.error?.message).toBe('Query Parameters name "$top" is given twice');
		expect(server.requests).toHaveLength(0);
	});
});
