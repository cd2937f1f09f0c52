/**
 * The 3CX OAuth2 API credential as n8n resolves it (defaults and `$self` expressions through the
 * harness's copy of n8n's CredentialsHelper), and its Test request run through RoutingNode the way
 * n8n's credential tester runs it.
 */
import type { ICredentialDataDecryptedObject, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { ThreeCxOAuth2Api } from '../credentials/ThreeCxOAuth2Api.credentials';
import { ThreeCxServerApi } from '../credentials/ThreeCxServerApi.credentials';
import { CredentialTypeRegistry, loadOptionsContext, runNode, xapiCredentials } from './helpers/harness';
import { useXapiServer } from './helpers/setup';
import { json, type XapiServer } from '../simulator';

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
			const data = await resolved({ baseUrl: baseUrl, clientId: '900', clientSecret: 'secret' });
			expect(data.accessTokenUrl).toBe('https://pbx.example.com:5001/connect/token');
			expect(data).toMatchObject({ grantType: 'clientCredentials', authentication: 'body', scope: '' });
		},
	);

	it('offers sign-in with a user account (authorization code with PKCE) as a second grant type', async () => {
		const data = await resolved({ baseUrl: 'https://pbx.example.com/', clientId: 'n8n', grantType: 'pkce' });
		expect(data).toMatchObject({
			grantType: 'pkce',
			authUrl: 'https://pbx.example.com/connect/authorize',
			accessTokenUrl: 'https://pbx.example.com/connect/token',
			scope: 'openid profile email offline_access',
		});
	});

	it("keeps oAuth2Api's serverUrl empty (n8n reads a non-empty one as a Dynamic Client Registration server)", async () => {
		for (const grantType of ['clientCredentials', 'pkce']) {
			const data = await resolved({ baseUrl: 'https://pbx.example.com:5001', clientId: '900', clientSecret: 'secret', grantType });
			expect(data.serverUrl ?? '').toBe('');
			expect(data.useDynamicClientRegistration ?? false).toBe(false);
		}
		expect(new ThreeCxOAuth2Api().properties.map((p) => p.name)).not.toContain('serverUrl');
	});

	it('shows the Base URL first: its hidden first parent puts it above the fields of oAuth2Api', () => {
		// merged the way n8n and its editor merge credential properties (parents in `extends` order)
		const merged = new CredentialTypeRegistry([new ThreeCxOAuth2Api()]).getCredentialsProperties('threeCxOAuth2Api');
		const visible = merged.filter((p) => p.type !== 'hidden' && !p.displayOptions?.show?.useDynamicClientRegistration);
		expect(visible.slice(0, 4).map((p) => p.name)).toEqual(['baseUrl', 'grantType', 'clientId', 'clientSecret']);
		expect(new ThreeCxServerApi().hidden).toBe(true); // not offered on its own in n8n's "add credential" list
	});

	it('Test calls GET /xapi/v1/Defs?$select=Id with a fresh token', async () => {
		server.get('/Defs', json({ Id: 1 }));
		const { error } = await runNode({
			nodeType: credentialTestNode(),
			parameters: {},
			credentials: xapiCredentials(server, { baseUrl: `${server.baseUrl}/xapi/v1/` }),
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
