/**
 * Smoke test for the test infrastructure itself: a tiny inline declarative node
 * (NOT the real 3CX node) runs through n8n-core's real RoutingNode against the
 * local fake 3CX server, with OAuth2 client credentials.
 */
import type {
	ICredentialType,
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeProperties,
	INodeType,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes } from 'n8n-workflow';

import { CredentialStore, runNode, threeCxCredentialType, xapiCredentials } from './helpers/harness';
import { collection, createXapiServer, json, makeEntities, noContent, xapiWarning } from '../simulator';

/* An inline credential shaped like the project's ThreeCxOAuth2Api (see the brief). */
class SmokeOAuth2Api implements ICredentialType {
	name = 'threeCxOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = '3CX OAuth2 API (smoke)';

	properties: INodeProperties[] = [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'Client ID', name: 'clientId', type: 'string', default: '' },
		{ displayName: 'API Key', name: 'clientSecret', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Ignore SSL Issues (Insecure)', name: 'ignoreSSLIssues', type: 'boolean', default: false },
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'clientCredentials' },
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: '={{$self.baseUrl.replace(/\\/+$/, "")}}/connect/token',
		},
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
		{ displayName: 'Scope', name: 'scope', type: 'hidden', default: '' },
	];
}

async function refreshTokenFirst(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	// helpers.refreshOAuth2Token needs the context as `this` (it calls this.getCredentials)
	const tokenData = await this.helpers.refreshOAuth2Token.call(this, 'threeCxOAuth2Api');
	requestOptions.headers = { ...requestOptions.headers, 'X-Refreshed': String(Boolean(tokenData.access_token)) };
	return requestOptions;
}

function smokeNodeType(): INodeType {
	return {
		description: {
			displayName: 'Smoke',
			name: 'smoke',
			group: ['transform'],
			version: 1,
			description: 'Harness smoke test node',
			defaults: { name: 'Smoke' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: 'threeCxOAuth2Api', required: true }],
			requestDefaults: {
				baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}/xapi/v1',
				headers: { Accept: 'application/json' },
				skipSslCertificateValidation: '={{$credentials.ignoreSSLIssues}}',
			},
			properties: [
				{
					displayName: 'Operation',
					name: 'operation',
					type: 'options',
					noDataExpression: true,
					default: 'get',
					options: [
						{
							name: 'Get',
							value: 'get',
							routing: { request: { method: 'GET', url: '=/Users({{$parameter.userId}})' } },
						},
						{
							name: 'Get By Number',
							value: 'getByNumber',
							routing: {
								request: {
									method: 'GET',
									url: '=/Users(Number={{encodeURIComponent("\'" + $parameter.number.replace(/\'/g, "\'\'") + "\'")}})',
								},
							},
						},
						{
							name: 'Get Many',
							value: 'getAll',
							routing: {
								request: { method: 'GET', url: '/Users' },
								operations: {
									pagination: {
										type: 'offset',
										properties: {
											limitParameter: '$top',
											offsetParameter: '$skip',
											pageSize: 100,
											type: 'query',
											// no rootProperty here: the postReceive below already fanned out `value`
										},
									},
								},
								output: { postReceive: [{ type: 'rootProperty', properties: { property: 'value' } }] },
							},
						},
						{
							name: 'Delete',
							value: 'delete',
							routing: { request: { method: 'DELETE', url: '=/Users({{$parameter.userId}})' } },
						},
						{
							name: 'Refresh Then Get',
							value: 'refreshThenGet',
							routing: {
								send: { preSend: [refreshTokenFirst] },
								request: { method: 'GET', url: '=/Users({{$parameter.userId}})' },
							},
						},
					],
				},
				{
					displayName: 'User ID',
					name: 'userId',
					type: 'number',
					default: 0,
					displayOptions: { show: { operation: ['get', 'delete', 'refreshThenGet'] } },
				},
				{
					displayName: 'Number',
					name: 'number',
					type: 'string',
					default: '',
					displayOptions: { show: { operation: ['getByNumber'] } },
				},
				{
					displayName: 'Return All',
					name: 'returnAll',
					type: 'boolean',
					default: false,
					displayOptions: { show: { operation: ['getAll'] } },
					routing: { send: { paginate: '={{$value}}' } },
				},
			],
		},
	};
}

const server = createXapiServer();
const credentialType = new SmokeOAuth2Api();
let nodeType: INodeType;

beforeAll(async () => {
	await server.start();
});

beforeEach(() => {
	server.reset();
	nodeType = smokeNodeType();
	server.get(/^\/xapi\/v1\/Users\((\d+)\)$/, (req) => {
		const id = Number(/\((\d+)\)/.exec(req.path)?.[1]);
		return json({ Id: id, Number: String(100 + id), FirstName: `User ${id}` });
	});
});

afterAll(async () => {
	await server.stop();
});

function run(options: Partial<Parameters<typeof runNode>[0]> & { parameters: IDataObject }) {
	return runNode({ nodeType, credentialType, ...options });
}

describe('harness: OAuth2 client credentials through the real RoutingNode', () => {
	it('fetches one token, signs the GET with it, and stores the token', async () => {
		const store = new CredentialStore(xapiCredentials(server));
		const { items, error } = await run({ parameters: { operation: 'get', userId: 29 }, credentialStore: store });

		expect(error).toBeUndefined();
		expect(items).toEqual([{ json: { Id: 29, Number: '129', FirstName: 'User 29' } }]);

		// exactly one token request, in 3CX's form
		expect(server.tokenRequestCount).toBe(1);
		const tokenRequest = server.tokenRequests[0];
		expect(tokenRequest.method).toBe('POST');
		expect(tokenRequest.contentType).toContain('application/x-www-form-urlencoded');
		expect(tokenRequest.form).toEqual({
			grant_type: 'client_credentials',
			client_id: server.options.clientId,
			client_secret: server.options.clientSecret,
		});
		expect(tokenRequest.headers.authorization).toBeUndefined();

		// the API call carries the issued token
		const token = server.issuedTokens[0];
		expect(server.apiRequests).toHaveLength(1);
		const apiRequest = server.apiRequests[0];
		expect(apiRequest.method).toBe('GET');
		expect(apiRequest.rawPath).toBe('/xapi/v1/Users(29)');
		expect(apiRequest.headers.authorization).toBe(`Bearer ${token}`);
		expect(apiRequest.headers.accept).toBe('application/json');
		expect(apiRequest.authorized).toBe(true);

		// n8n stored the token in the credential ("database")
		expect(store.accessToken).toBe(token);
		expect(store.tokenUpdateCount).toBe(1);
		expect(store.oauthTokenData).toMatchObject({ token_type: 'Bearer', expires_in: 3600, refresh_token: null });
	});

	it('reuses the stored token for every item of a later execution', async () => {
		const store = new CredentialStore(xapiCredentials(server));
		const first = await run({ parameters: { operation: 'get', userId: 1 }, credentialStore: store });
		expect(first.error).toBeUndefined();
		const token = store.accessToken;

		const second = await run({
			parameters: { operation: 'get', userId: '={{ $json.id }}' },
			items: [{ json: { id: 2 } }, { json: { id: 3 } }],
			credentialStore: store,
		});

		expect(second.error).toBeUndefined();
		expect(second.items.map((i) => i.json.Id)).toEqual([2, 3]);
		expect(server.tokenRequestCount).toBe(1);
		expect(server.apiRequests.map((r) => r.headers.authorization)).toEqual([
			`Bearer ${token}`,
			`Bearer ${token}`,
			`Bearer ${token}`,
		]);
		expect(store.tokenUpdateCount).toBe(1);
	});

	it('without a stored token, concurrent items each fetch a token (n8n behaviour) and still all succeed', async () => {
		const store = new CredentialStore(xapiCredentials(server));
		const { items, error } = await run({
			parameters: { operation: 'get', userId: '={{ $json.id }}' },
			items: [{ json: { id: 1 } }, { json: { id: 2 } }, { json: { id: 3 } }],
			credentialStore: store,
		});

		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.Id)).toEqual([1, 2, 3]);
		// RoutingNode starts all items at once; each sees "no token" and fetches one.
		expect(server.tokenRequestCount).toBe(3);
		// 3CX keeps only the newest token valid: items holding an older one get 401,
		// n8n re-reads the stored token, retries once, and succeeds.
		const ok = server.apiRequests.filter((r) => r.response?.status === 200);
		expect(ok).toHaveLength(3);
		expect(ok.every((r) => r.authorized)).toBe(true);
	});

	it('on 401 fetches a new token and retries once', async () => {
		const store = new CredentialStore(xapiCredentials(server));
		await run({ parameters: { operation: 'get', userId: 1 }, credentialStore: store });
		const oldToken = store.accessToken;
		server.expireToken();

		const { items, error, logs } = await run({ parameters: { operation: 'get', userId: 2 }, credentialStore: store });

		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(server.tokenRequestCount).toBe(2);
		const [, rejected, retried] = server.apiRequests;
		expect(rejected.token).toBe(oldToken);
		expect(rejected.response?.status).toBe(401);
		expect(retried.token).toBe(server.issuedTokens[1]);
		expect(retried.response?.status).toBe(200);
		expect(store.accessToken).toBe(server.issuedTokens[1]);
		expect(store.rawDecryptCount).toBe(1);
		expect(logs.some((l) => l.message.includes('expired. Revalidating.'))).toBe(true);
	});

	it('helpers.refreshOAuth2Token works inside a preSend hook', async () => {
		const store = new CredentialStore(xapiCredentials(server));
		await run({ parameters: { operation: 'get', userId: 1 }, credentialStore: store });

		const { error } = await run({ parameters: { operation: 'refreshThenGet', userId: 5 }, credentialStore: store });

		expect(error).toBeUndefined();
		expect(server.tokenRequestCount).toBe(2);
		// the token used for the request was captured before the refresh: 401, then n8n re-reads the store
		const last = server.lastApiRequest;
		expect(last?.headers['x-refreshed']).toBe('true');
		expect(last?.token).toBe(server.issuedTokens[1]);
		expect(last?.response?.status).toBe(200);
	});

	it('fails with the token endpoint error when the client secret is wrong', async () => {
		const { error, items } = await run({
			parameters: { operation: 'get', userId: 1 },
			credentials: xapiCredentials(server, { clientSecret: 'wrong' }),
		});
		expect(items).toEqual([]);
		expect(error).toBeDefined();
		expect(server.tokenRequestCount).toBe(1);
		expect(server.tokenRequests[0].response?.status).toBe(401);
		expect(server.apiRequests).toHaveLength(0);
	});
});

describe('harness: errors and continueOnFail', () => {
	beforeEach(() => {
		server.get('/Users(2)', xapiWarning('WARNINGS.XAPI.NOT_FOUND', { status: 404, target: 'Id' }));
	});

	it('continueOnFail turns a failed item into an error item and keeps the others', async () => {
		const { items, error } = await run({
			parameters: { operation: 'get', userId: '={{ $json.id }}' },
			items: [{ json: { id: 1 } }, { json: { id: 2 } }],
			credentials: xapiCredentials(server),
			continueOnFail: true,
		});

		expect(error).toBeUndefined();
		expect(items).toHaveLength(2);
		expect(items[0].json.Id).toBe(1);
		expect(items[1].json).toEqual({});
		expect(items[1].error).toBeInstanceOf(NodeApiError);
		expect((items[1].error as NodeApiError).httpCode).toBe('404');
	});

	it("onError 'continueErrorOutput' routes failed items to the error output", async () => {
		const { items, errorItems, error } = await run({
			parameters: { operation: 'get', userId: '={{ $json.id }}' },
			items: [{ json: { id: 1 } }, { json: { id: 2 } }, { json: { id: 3 } }],
			credentials: xapiCredentials(server),
			onError: 'continueErrorOutput',
		});
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.Id)).toEqual([1, 3]);
		expect(errorItems).toHaveLength(1);
		expect(errorItems?.[0].error).toBeInstanceOf(NodeApiError);
	});

	it('without continueOnFail the error is returned as result.error', async () => {
		const { items, error } = await run({
			parameters: { operation: 'get', userId: 2 },
			credentials: xapiCredentials(server),
		});
		expect(items).toEqual([]);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error?.httpCode).toBe('404');
	});
});

describe('harness: wire format and responses', () => {
	it('records the raw (percent-encoded) path and the decoded one', async () => {
		server.get("/Users(Number='1''0/x y')", json({ Id: 7 }));
		const { items, error } = await run({
			parameters: { operation: 'getByNumber', number: "1'0/x y" },
			credentials: xapiCredentials(server),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({ Id: 7 });
		// encodeURIComponent keeps ' ( ) but encodes / and space; n8n/axios send the path untouched
		expect(server.lastApiRequest?.rawPath).toBe("/xapi/v1/Users(Number='1''0%2Fx%20y')");
		expect(server.lastApiRequest?.path).toBe("/xapi/v1/Users(Number='1''0/x y')");
		expect(server.lastApiRequest?.rawApiPath).toBe("/Users(Number='1''0%2Fx%20y')");
	});

	it('pages with $top/$skip over the collection helper', async () => {
		server.get('/Users', collection(makeEntities(250)));
		const { items, error } = await run({
			parameters: { operation: 'getAll', returnAll: true },
			credentials: xapiCredentials(server),
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(250);
		expect(server.apiRequests.map((r) => [r.query.$top, r.query.$skip])).toEqual([
			['100', '0'],
			['100', '100'],
			['100', '200'],
		]);
		expect(server.apiRequests[0].rawQuery).toBe('%24top=100&%24skip=0');
	});

	it('a 204 comes out as one item whose json is an empty string', async () => {
		server.delete('/Users(4)', noContent());
		const { items, error } = await run({
			parameters: { operation: 'delete', userId: 4 },
			credentials: xapiCredentials(server),
		});
		expect(error).toBeUndefined();
		expect(server.lastApiRequest?.method).toBe('DELETE');
		expect(items).toEqual([{ json: '' }]);
	});
});

describe('harness: HTTPS with a self-signed certificate', () => {
	const tls = createXapiServer({ https: true });
	beforeAll(async () => {
		await tls.start();
	});
	afterAll(async () => {
		await tls.stop();
	});
	beforeEach(() => {
		tls.reset();
		tls.get('/Users(1)', json({ Id: 1 }));
	});

	it('works when the credential ignores SSL issues', async () => {
		expect(tls.baseUrl.startsWith('https://')).toBe(true);
		const { items, error } = await run({
			parameters: { operation: 'get', userId: 1 },
			credentials: xapiCredentials(tls, { ignoreSSLIssues: true }),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({ Id: 1 });
		expect(tls.tokenRequestCount).toBe(1);
	});

	it('fails on the self-signed certificate otherwise', async () => {
		const { error } = await run({
			parameters: { operation: 'get', userId: 1 },
			credentials: xapiCredentials(tls),
		});
		expect(error).toBeDefined();
		expect(tls.requests).toHaveLength(0);
	});
});

describe('harness: the real ThreeCxOAuth2Api credential class', () => {
	it('resolves its accessTokenUrl expression and gets a token', async () => {
		const { error, items } = await runNode({
			nodeType,
			credentialType: threeCxCredentialType(),
			parameters: { operation: 'get', userId: 3 },
			credentials: xapiCredentials(server),
		});
		expect(error).toBeUndefined();
		expect(items[0].json.Id).toBe(3);
		expect(server.tokenRequestCount).toBe(1);
		expect(server.tokenRequests[0].form).toMatchObject({ grant_type: 'client_credentials' });
	});
});
