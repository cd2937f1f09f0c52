import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The secret 3CX sends with every CRM request (Basic authentication of the CRM template, user
 * `n8n`). The 3CX CRM Trigger checks it and puts it into the template it hands out; it is stored
 * encrypted by n8n, never in the workflow JSON. No 3CX API client: Professional PBXs have none.
 */
export class ThreeCxCrmApi implements ICredentialType {
	name = 'threeCxCrmApi';

	displayName = '3CX CRM Webhook API';

	icon: Icon = { light: 'file:../icons/3cx.svg', dark: 'file:../icons/3cx.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-3cx/n8n-nodes-3cx/blob/main/docs/crm.md#security';

	properties: INodeProperties[] = [
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A long random text (16 to 200 letters, digits, "-", ".", "_" or "~") that 3CX sends with every request; the template from the trigger carries it',
		},
	];
}
