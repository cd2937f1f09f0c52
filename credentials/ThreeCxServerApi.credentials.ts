import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { serverAddressExpression } from '../nodes/client/server';

/**
 * The Base URL of a 3CX server: the first parent of the 3CX OAuth2 API credential, so that the
 * Base URL is the first field of its form. n8n merges a credential's parents in `extends` order and
 * appends fields that are new to them after the parents' fields (the editor's form keeps that
 * order), so a field of oAuth2Api's child alone would come after Grant Type, Client ID, Client
 * Secret and Ignore SSL Issues. Hidden: n8n does not offer it in the "add credential" list
 * (`hidden` of ICredentialType); no node uses it on its own.
 */
export class ThreeCxServerApi implements ICredentialType {
	name = 'threeCxServerApi';

	displayName = '3CX Server API';

	hidden = true;

	icon: Icon = { light: 'file:../icons/3cx.svg', dark: 'file:../icons/3cx.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-3cx/n8n-nodes-3cx#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://pbx.example.com:5001',
			description:
				'Address of your 3CX server, as you open its Admin console (self-hosted servers often use port 5001)',
		},
	];

	// Only reachability (3CX's web client answers at the server address, cleaned up as the client
	// defines it: nodes/client/server.ts); the 3CX OAuth2 API credential, which adds the API
	// client, tests the API itself.
	test: ICredentialTestRequest = {
		request: {
			baseURL: serverAddressExpression('$credentials'),
			url: '/',
		},
	};
}
