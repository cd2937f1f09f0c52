import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { API_ROOT, serverAddressExpression } from '../nodes/client/server';

/**
 * The Base URL field (`baseUrl`) comes from the first parent, the hidden 3CX Server API credential, which puts the field at the top of the form: n8n keeps the
 * parents' field order and appends fields that are new to them.
 *
 * It is `baseUrl`, not oAuth2Api's `serverUrl`: n8n (2.x) treats a non-empty `serverUrl` as the
 * OAuth server of Dynamic Client Registration, validates it as an "OAuth url" when the credential is
 * saved and, on every PKCE sign-in, first sends an unauthenticated discovery request to
 * `{serverUrl}/.well-known/oauth-protected-resource` (seen by e2e/pkce.js).
 *
 * Its clean-up is the client's one definition (nodes/client/server.ts).
 */

export class ThreeCxOAuth2Api implements ICredentialType {
	name = 'threeCxOAuth2Api';

	extends = ['threeCxServerApi', 'oAuth2Api'];

	displayName = '3CX OAuth2 API';

	icon: Icon = { light: 'file:../icons/3cx.svg', dark: 'file:../icons/3cx.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-3cx/n8n-nodes-3cx#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'options',
			options: [
				{
					name: 'Client Credentials (API Client)',
					value: 'clientCredentials',
					description: 'An API client from Integrations > API; for unattended workflows',
				},
				{
					name: 'Authorization Code with PKCE (Sign in as a User)',
					value: 'pkce',
					description: 'Sign in with a 3CX user account (3CX 20.0.10 and later); acts with that user\'s rights',
				},
			],
			default: 'clientCredentials',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '900',
			description:
				'In the 3CX Admin console: Integrations > API > Add, tick "XAPI Access Enabled"; the Client ID is the number (DN) you give the client',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The API key 3CX shows once when you save the API client',
			displayOptions: { show: { grantType: ['clientCredentials'] } },
		},
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'ignoreSSLIssues',
			type: 'boolean',
			default: false,
			description:
				'Whether to connect even if the server certificate cannot be validated (a self-signed certificate on an on-premise PBX), for both the token and the API calls',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: serverAddressExpression('$self', '/connect/authorize'),
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: serverAddressExpression('$self', '/connect/token'),
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			// The spec's scopes for user sign-in; client credentials send none.
			default: "={{ $self.grantType === 'pkce' ? 'openid profile email offline_access' : '' }}",
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
		{
			// 3CX's token endpoint takes client_id, client_secret and grant_type, nothing more.
			displayName: 'Send Additional Body Properties',
			name: 'sendAdditionalBodyProperties',
			type: 'hidden',
			default: false,
		},
		{
			displayName: 'Additional Body Properties',
			name: 'additionalBodyProperties',
			type: 'hidden',
			default: '',
		},
	];

	test: ICredentialTestRequest = {
		request: {
			baseURL: serverAddressExpression('$credentials', API_ROOT.xapi),
			url: '/Defs',
			qs: { $select: 'Id' },
			skipSslCertificateValidation: '={{ $credentials.ignoreSSLIssues }}' as unknown as boolean,
		},
	};
}
