/**
 * Where the 3CX server is: ONE definition of the Base URL clean-up, used by the credential (its
 * token and authorization URLs and its Test request, as n8n expressions), by the action node's
 * `requestDefaults` (an expression too) and by the code (`serverUrl`). test/server-url.test.ts
 * evaluates the expressions with n8n's own engine and holds all of them equal to `serverUrl`.
 *
 * The APIs of one server: XAPI (configuration) below `{server}/xapi/v1`, Call Control below
 * `{server}/callcontrol`, tokens at `{server}/connect/token`.
 */
import { NodeOperationError } from 'n8n-workflow';

import { itemIndexOf, type ClientContext } from './context';

/** The one credential type every node of the package uses. */
export const CREDENTIAL_TYPE = 'threeCxOAuth2Api';

/** The APIs the client speaks, each below its root on the server. */
export type Api = 'xapi' | 'callcontrol';

export const API_ROOT: Record<Api, string> = {
	xapi: '/xapi/v1',
	callcontrol: '/callcontrol',
};

/**
 * The clean-up of the Base URL the user typed, step by step (after trimming spaces): a `?…`/`#…`
 * pasted from the browser, a trailing slash and a `/xapi/v1` suffix go; a proxy path stays.
 */
const CLEAN_UP: ReadonlyArray<readonly [RegExp, string]> = [
	[/[?#].*$/, ''],
	[/\/+$/, ''],
	[/\/xapi\/v1$/i, ''],
	[/\/+$/, ''],
];

/** `https://pbx:5001/` or `https://pbx:5001/xapi/v1` -> `https://pbx:5001`. */
export function serverUrl(baseUrl: unknown): string {
	return CLEAN_UP.reduce((text, [pattern, by]) => text.replace(pattern, by), String(baseUrl ?? '').trim());
}

/**
 * The same clean-up as the body of an n8n expression on the credential's `baseUrl`: `$self` inside
 * the credential's own fields, `$credentials` in a node's request defaults and a credential test.
 */
export function serverUrlExpression(subject: '$self' | '$credentials'): string {
	return `${subject}.baseUrl.trim()${CLEAN_UP.map(([pattern, by]) => `.replace(${String(pattern)}, '${by}')`).join('')}`;
}

/** An n8n expression for an address on the server: `={{ <server> }}/xapi/v1`. */
export function serverAddressExpression(subject: '$self' | '$credentials', path = ''): string {
	return `={{ ${serverUrlExpression(subject)} }}${path}`;
}

/** The full URL of `path` (starting with '/') on `api` of the server the Base URL names. */
export function apiUrl(baseUrl: unknown, api: Api, path: string): string {
	return `${serverUrl(baseUrl)}${API_ROOT[api]}${path}`;
}

/** The credential's Base URL must at least be an http(s) address; the rest it may carry is trimmed. */
export function checkBaseUrl(context: ClientContext, baseUrl: unknown): void {
	const text = typeof baseUrl === 'string' ? baseUrl.trim() : '';
	if (!/^https?:\/\/[^/\s]+/i.test(text)) {
		throw new NodeOperationError(
			context.getNode(),
			`The Base URL of the 3CX credential must start with https:// (or http://), got "${text}"`,
			{
				description: 'Use the address of your 3CX Admin console, for example https://pbx.example.com:5001',
				itemIndex: itemIndexOf(context),
			},
		);
	}
}
