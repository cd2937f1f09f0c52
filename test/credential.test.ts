/**
 * The 3CX OAuth2 API credential as n8n resolves it (defaults and `$self` expressions through the
 * harness's copy of n8n's CredentialsHelper), and its Test request run through RoutingNode the way
 * n8n's credential tester runs it.
 */
import type { ICredentialDataDecryptedObject, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { ThreeCxOAuth2Api } from '../credentials/ThreeCxOAuth2Api.credentials';
import { loadOptionsContext, runNode, xapiCredentials } from './helpers/harness';
import { useXapiServer } from './helpers/setup';
import { json, type XapiServer } from './helpers/xapi-server';

const xapi = useXapiServer();
let server: XapiServer;
beforeEach(() => (server = xapi()));

async function resolved(data: ICredentialDataDecryptedObject) {
	return await loadOptionsContext({ parameters: {}, credentials: data }).getCredentials('threeCxOAuth2Api');
}

/** A node that sends only the credential's test request, like n8n's credential tester builds one. */
function credentialTestNode(): INodeType {
	const { request } = new ThreeCxOAuth2Api().test;
	return {
		description: {
			displayName: 'Credential Test',
			name: 'credentialTest',
			group: ['transform'],
			version: 1,
			description: 'Runs the credential test request',
			defaults: { name: 'Credential Test' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: 'threeCxOAuth2Api', required: true }],
			requestDefaults: request,
			properties: [],
		},
	};
}

describe('3CX OAuth2 API credential', () => {
	it.each(['https://pbx.example.com:5001', 'https://pbx.example.com:5001/', 'https://pbx.example.com:5001/xapi/v1', ' https://pbx.example.com:5001/xapi/v1/ ', 'https://pbx.example.com:5001/#/office/dashboard', 'https://pbx.example.com:5001/?lang=en'])(
		'derives the token URL from the Base URL %j',
		async (baseUrl) => {
			const data = await resolved({ serverUrl: baseUrl, clientId: '900', clientSecret: 'secret' });
			expect(data.accessTokenUrl).toBe('https://pbx.example.com:5001/connect/token');
			expect(data).toMatchObject({ grantType: 'clientCredentials', authentication: 'body', scope: '' });
		},
	);

	it('offers sign-in with a user account (authorization code with PKCE) as a second grant type', async () => {
		const data = await resolved({ serverUrl: 'https://pbx.example.com/', clientId: 'n8n', grantType: 'pkce' });
		expect(data).toMatchObject({
			grantType: 'pkce',
			authUrl: 'https://pbx.example.com/connect/authorize',
			accessTokenUrl: 'https://pbx.example.com/connect/token',
			scope: 'openid profile email offline_access',
		});
	});

	it('Test calls GET /xapi/v1/Defs?$select=Id with a fresh token', async () => {
		server.get('/Defs', json({ Id: 1 }));
		const { error } = await runNode({
			nodeType: credentialTestNode(),
			parameters: {},
			credentials: xapiCredentials(server, { serverUrl: `${server.baseUrl}/xapi/v1/` }),
		});
		expect(error).toBeUndefined();
		expect(server.tokenRequests).toHaveLength(1);
		expect(server.tokenRequests[0].form).toMatchObject({ grant_type: 'client_credentials', client_id: '900' });
		expect(server.apiRequests[0]).toMatchObject({ method: 'GET', rawApiPath: '/Defs', authorized: true });
		expect(server.apiRequests[0].query).toEqual({ $select: 'Id' });
	});

	it('Test fails clearly with a wrong client secret', async () => {
		const { error } = await runNode({
			nodeType: credentialTestNode(),
			parameters: {},
			credentials: xapiCredentials(server, { clientSecret: 'wrong' }),
		});
		expect(error?.message).toMatch(/access token/i);
		expect(server.apiRequests).toHaveLength(0);
	});
});
