/**
 * The Custom API Call: written by hand, not generated. It sends any XAPI request (method, path
 * below /xapi/v1, query, JSON body) through the node's own request builder and response handler,
 * so it gets the same token discipline (one shared token per credential, one renewal + retry
 * after a 401) and the same error mapping as every generated operation.
 *
 * Why it exists: a newer 3CX has operations this build of the node does not. n8n's HTTP Request
 * node can use the 3CX credential too, but it fetches tokens without coordination (500 parallel
 * items fetched 3-4 tokens in a real n8n), and on 3CX every fetch revokes the token everybody
 * else holds.
 */
import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { FieldError, parseJson } from '../../client';
import type { HttpMethod, OperationSpec } from '../runtime/types';

export const CUSTOM_RESOURCE = 'customApiCall';
export const CUSTOM_OPERATION = 'customApiCall';

export const customResourceOption: INodePropertyOptions = {
	name: 'Custom API Call',
	value: CUSTOM_RESOURCE,
	description: 'Any XAPI request, for operations a newer 3CX has and this node does not',
};

const show = { show: { resource: [CUSTOM_RESOURCE] } };

/**
 * The node's subtitle with the Custom API Call in it: the generated subtitle knows only the generated
 * resources and would spell this one "Custom Api Call".
 */
export function withCustomSubtitle(generated: string): string {
	const inner = generated.replace(/^=\{\{\s*/, '').replace(/\s*\}\}$/, '');
	return `={{ $parameter.resource === '${CUSTOM_RESOURCE}' ? 'Send Request: Custom API Call' : ${inner} }}`;
}

export const customProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: show,
		options: [
			{
				name: 'Send Request',
				value: CUSTOM_OPERATION,
				action: 'Send a custom API call',
				description: 'Send any request to XAPI with the node\'s token handling',
			},
		],
		default: CUSTOM_OPERATION,
	},
	{
		displayName:
			'For XAPI operations this version of the node does not have (a newer 3CX). Use this instead of the HTTP Request ' +
			'node: it shares the node\'s one token per credential, while the HTTP Request node fetches tokens without ' +
			'coordination, and every token 3CX issues revokes the one everybody else is using.',
		name: 'customApiCallNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Method',
		name: 'customMethod',
		type: 'options',
		displayOptions: show,
		options: [
			{ name: 'DELETE', value: 'DELETE' },
			{ name: 'GET', value: 'GET' },
			{ name: 'PATCH', value: 'PATCH' },
			{ name: 'POST', value: 'POST' },
			{ name: 'PUT', value: 'PUT' },
		],
		default: 'GET',
		description: 'The HTTP method of the request',
	},
	{
		displayName: 'Path',
		name: 'customPath',
		type: 'string',
		required: true,
		displayOptions: show,
		default: '',
		placeholder: "/Users(Number='100')",
		description:
			"The path below /xapi/v1, starting with '/', written as XAPI expects it (OData keys and function parameters " +
			'included, for example /Users/Pbx.GetFirstAvailableExtensionNumber()). Query options go in Query Parameters.',
	},
	{
		displayName: 'Query Parameters',
		name: 'customQuery',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		displayOptions: show,
		default: {},
		placeholder: 'Add Query Parameter',
		options: [
			{
				displayName: 'Parameter',
				name: 'parameter',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: '$filter',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: "Number eq '100'",
					},
				],
			},
		],
	},
	{
		displayName: 'JSON Body',
		name: 'customBody',
		type: 'json',
		displayOptions: { show: { resource: [CUSTOM_RESOURCE], customMethod: ['PATCH', 'POST', 'PUT'] } },
		default: '',
		description: 'The JSON body to send; leave empty to send none',
		hint: 'A JSON object keyed by the names the spec gives, for example {"Name": "Sales", "Ids": [1, 2]}',
	},
];

/** What the request builder needs of the parameters, read and checked. */
export interface CustomRequest {
	method: HttpMethod;
	path: string;
	qs: IDataObject;
	body?: IDataObject;
}

const METHODS = new Set<HttpMethod>(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

function percentDecoded(path: string): string | undefined {
	try {
		return decodeURIComponent(path);
	} catch {
		return undefined;
	}
}

/** The path below /xapi/v1: starts with '/', no scheme or host, no '..', no query or fragment. */
export function checkCustomPath(raw: unknown): string {
	const path = typeof raw === 'string' ? raw.trim() : '';
	const field = 'Path';
	if (!path) throw new FieldError(field, 'is required');
	if (/^[a-z][\w+.-]*:/i.test(path) || path.startsWith('//')) {
		throw new FieldError(field, `must be a path below /xapi/v1 such as /Users, not an address ("${path}")`);
	}
	if (!path.startsWith('/')) throw new FieldError(field, `must start with '/' (below /xapi/v1), got "${path}"`);
	const decoded = percentDecoded(path);
	if (decoded === undefined) throw new FieldError(field, `has a broken percent-encoding ("${path}")`);
	if (decoded.split(/[/\\]/).some((segment) => segment === '..' || segment === '.')) {
		throw new FieldError(field, `must not contain '.' or '..' segments ("${path}"): it must stay below /xapi/v1`);
	}
	if (/[?#]/.test(path)) throw new FieldError(field, 'must not contain ? or #: put query options in Query Parameters');
	if (/\s/.test(path)) throw new FieldError(field, 'must not contain spaces: encode them as %20');
	return path;
}

export function customRequest(getParameter: (name: string, fallback: unknown) => unknown): CustomRequest {
	const method = String(getParameter('customMethod', 'GET')).toUpperCase() as HttpMethod;
	if (!METHODS.has(method)) throw new FieldError('Method', `"${method}" is not one of GET, POST, PATCH, PUT, DELETE`);
	const path = checkCustomPath(getParameter('customPath', ''));
	const qs: IDataObject = {};
	const entries = ((getParameter('customQuery', {}) as IDataObject)?.parameter ?? []) as Array<{ name?: unknown; value?: unknown }>;
	for (const entry of entries) {
		const name = String(entry.name ?? '').trim();
		if (!name) throw new FieldError('Query Parameters > Name', 'is required');
		if (name in qs) throw new FieldError('Query Parameters', `name "${name}" is given twice`);
		qs[name] = String(entry.value ?? '');
	}
	let body: IDataObject | undefined;
	if (method === 'POST' || method === 'PATCH' || method === 'PUT') {
		const raw = getParameter('customBody', '');
		if (!(typeof raw === 'string' && raw.trim() === '') && raw !== undefined && raw !== null) {
			const parsed = parseJson(raw, 'JSON Body');
			if (!parsed || typeof parsed !== 'object') throw new FieldError('JSON Body', 'must be a JSON object or array');
			body = parsed as IDataObject;
		}
	}
	return { method, path, qs, body };
}

/** The Custom API Call as the response handler sees an operation. */
export function customSpec(method: HttpMethod): OperationSpec {
	// `collection`: an OData collection answer becomes one item per entity, anything else one item
	return { resource: CUSTOM_RESOURCE, method, path: '', params: [], response: 'collection' };
}
