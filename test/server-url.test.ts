/**
 * Issue 16: where the server is has ONE definition (nodes/client/server.ts). The credential's
 * token and authorization URLs and its Test requests, the action node's requestDefaults (all n8n
 * expressions, evaluated here by n8n's own expression engine) and the code (`serverUrl`, `apiUrl`)
 * must give the same server for every Base URL a person may type.
 */
import fc from 'fast-check';
import { Workflow, type INode, type INodeType, type INodeTypes } from 'n8n-workflow';

import { ThreeCxOAuth2Api } from '../credentials/ThreeCxOAuth2Api.credentials';
import { ThreeCxServerApi } from '../credentials/ThreeCxServerApi.credentials';
import { apiUrl, serverUrl } from '../nodes/client';
import { ThreeCx } from '../nodes/ThreeCx/ThreeCx.node';
import { loadOptionsContext } from './helpers/harness';

// the first run of a file loads n8n-core and the node: slow on a busy machine
jest.setTimeout(120_000);

const node: INode = { id: '1', name: '3CX', type: 'threeCx', typeVersion: 1, position: [0, 0], parameters: {} };
const nodeTypes: INodeTypes = {
	getKnownTypes: () => ({}),
	getByName: () => ({ description: { properties: [] } }) as unknown as INodeType,
	getByNameAndVersion: () => ({ description: { properties: [] } }) as unknown as INodeType,
};
const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });

/** An expression as n8n evaluates it for a request, with `$credentials` = { baseUrl }. */
function evaluate(expression: unknown, baseUrl: string): string {
	return String(workflow.expression.getSimpleParameterValue(node, expression as string, 'internal', { $credentials: { baseUrl } }, undefined, ''));
}

/** The credential's fields as n8n resolves them (defaults and `$self` expressions). */
async function credentialOf(baseUrl: string) {
	return await loadOptionsContext({ parameters: {}, credentials: { baseUrl, clientId: '900', clientSecret: 'secret' } }).getCredentials(
		'threeCxOAuth2Api',
	);
}

const nodeBase = new ThreeCx().description.requestDefaults?.baseURL;
const oauthTest = new ThreeCxOAuth2Api().test.request.baseURL;
const serverTest = new ThreeCxServerApi().test.request.baseURL;

/** Every place that names the server, for one Base URL: each must equal the code's. */
async function everyPlace(baseUrl: string) {
	const server = serverUrl(baseUrl);
	const credential = await credentialOf(baseUrl);
	expect(credential.accessTokenUrl).toBe(`${server}/connect/token`);
	expect(credential.authUrl).toBe(`${server}/connect/authorize`);
	expect(evaluate(nodeBase, baseUrl)).toBe(`${server}/xapi/v1`);
	expect(evaluate(oauthTest, baseUrl)).toBe(`${server}/xapi/v1`);
	expect(evaluate(serverTest, baseUrl)).toBe(server);
	expect(apiUrl(baseUrl, 'xapi', '/Users')).toBe(`${server}/xapi/v1/Users`);
	expect(apiUrl(baseUrl, 'callcontrol', '/ws')).toBe(`${server}/callcontrol/ws`);
}

describe('one server URL for the credential, the node and the code', () => {
	it.each([
		['https://pbx.example.com:5001', 'https://pbx.example.com:5001'],
		['https://pbx.example.com:5001/', 'https://pbx.example.com:5001'],
		['https://pbx.example.com:5001/xapi/v1', 'https://pbx.example.com:5001'],
		[' https://pbx.example.com:5001/xapi/v1/ ', 'https://pbx.example.com:5001'],
		['https://pbx.example.com:5001/#/office/dashboard', 'https://pbx.example.com:5001'],
		['https://pbx.example.com:5001/?lang=en', 'https://pbx.example.com:5001'],
		['https://PBX.example.com/XAPI/V1//', 'https://PBX.example.com'],
		['https://proxy.example.com/pbx/', 'https://proxy.example.com/pbx'],
		['http://10.0.0.5:5000//', 'http://10.0.0.5:5000'],
	])('%j -> %s everywhere', async (baseUrl, server) => {
		expect(serverUrl(baseUrl)).toBe(server);
		await everyPlace(baseUrl);
	});

	it('agree for any address with any path, slashes, /xapi/v1, query and fragment a person may paste', async () => {
		const pasted = fc
			.tuple(
				fc.webUrl({ withQueryParameters: false, withFragments: false }),
				fc.constantFrom('', '/', '//', '/xapi/v1', '/XAPI/v1/', '/xapi/v1//', '/pbx', '/pbx/xapi/v1'),
				fc.constantFrom('', '?lang=en', '#/office', '?a=1#b', '/#/'),
				fc.constantFrom('', ' ', '\t'),
			)
			.map(([url, path, tail, space]) => `${space}${url}${path}${tail}${space}`);
		await fc.assert(fc.asyncProperty(pasted, everyPlace), { numRuns: 60 });
	});
});
