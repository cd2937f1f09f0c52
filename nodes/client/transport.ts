/**
 * The transport both 3CX nodes use: where XAPI is (the server URL), one authenticated request with
 * the node's token discipline (token.ts) and error mapping (errors.ts). The action node's generated
 * operations are sent by n8n's RoutingNode with the same pieces (request.ts / response.ts); list
 * searches, backup downloads, the Custom API Call and the trigger's polls call `xapiRequest`.
 */
import {
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type IExecuteSingleFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type IN8nHttpFullResponse,
	type IPollFunctions,
	type ITriggerFunctions,
} from 'n8n-workflow';

import { apiError, bodyText, itemIndexOf, keepSecret, parseBody, unusableAnswerError } from './errors';
import { type Attempt, ensureToken, retryAfterUnauthorized, sendSigned } from './token';

export const CREDENTIAL_TYPE = 'threeCxOAuth2Api';

export interface XapiRequest {
	method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
	/** Which 3CX API: XAPI ({server}/xapi/v1, the default) or Call Control ({server}/callcontrol). */
	api?: 'xapi' | 'callcontrol';
	/** Below /xapi/v1 (or /callcontrol), starting with '/', already encoded; '' is /callcontrol itself. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject | Buffer;
	/** Answer wanted as raw bytes (arraybuffer). */
	file?: boolean;
	headers?: Record<string, string>;
}

/** Any n8n context that has getCredentials, getNode and helpers.httpRequestWithAuthentication /
 *  refreshOAuth2Token: execute-single, execute, load-options, poll, trigger. */
export type XapiContext =
	| IExecuteSingleFunctions
	| IExecuteFunctions
	| ILoadOptionsFunctions
	| IPollFunctions
	| ITriggerFunctions;

/** `https://pbx:5001/` or `https://pbx:5001/xapi/v1` -> `https://pbx:5001` (as the credential reads it). */
export function serverUrl(baseUrl: unknown): string {
	return String(baseUrl ?? '')
		.trim()
		.replace(/[?#].*$/, '')
		.replace(/\/+$/, '')
		.replace(/\/xapi\/v1$/i, '')
		.replace(/\/+$/, '');
}

/** The credential's Base URL must at least be an http(s) address; the rest it may carry is trimmed. */
export function checkBaseUrl(context: XapiContext, baseUrl: unknown): void {
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

/** The http request options for one XAPI request on the credential's server. */
function requestOptions(credentials: ICredentialDataDecryptedObject, request: XapiRequest): IHttpRequestOptions {
	const raw = Buffer.isBuffer(request.body);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${serverUrl(credentials.baseUrl)}${request.api === 'callcontrol' ? '/callcontrol' : '/xapi/v1'}${request.path}`,
		headers: { Accept: 'application/json', ...(request.headers ?? {}) },
		skipSslCertificateValidation: credentials.ignoreSSLIssues === true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	if (request.qs && Object.keys(request.qs).length) options.qs = request.qs;
	if (request.body !== undefined) options.body = request.body;
	if (request.file) {
		options.encoding = 'arraybuffer';
		options.json = false;
	} else {
		options.json = !raw;
	}
	return options;
}

/**
 * One authenticated XAPI request with the node's token discipline (one shared renewal per
 * credential, renew-before-expiry, one renewal + retry after a 401) and error mapping (3CX
 * errors become NodeApiError with status, 3CX's message, WARNINGS.XAPI details).
 */
export async function xapiRequest(context: XapiContext, request: XapiRequest): Promise<IN8nHttpFullResponse> {
	if (!request.path.startsWith('/') && !(request.api === 'callcontrol' && request.path === '')) {
		throw new NodeOperationError(context.getNode(), `XAPI path "${request.path}" must start with "/"`, {
			itemIndex: itemIndexOf(context),
		});
	}
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	checkBaseUrl(context, credentials.baseUrl);
	const options = requestOptions(credentials, request);
	const ready = await ensureToken(context, CREDENTIAL_TYPE, credentials);
	const attempt: Attempt = { options, token: ready.token, secrets: new Set() };
	keepSecret(attempt.secrets, ready.token);
	let response = await sendSigned(context, CREDENTIAL_TYPE, options, ready);
	if (response.statusCode === 401) response = await retryAfterUnauthorized(context, CREDENTIAL_TYPE, attempt);
	if (response.statusCode >= 400) {
		if (request.file && (Buffer.isBuffer(response.body) || response.body instanceof ArrayBuffer)) {
			response = { ...response, body: bodyText(Buffer.from(response.body as Buffer)) };
		}
		throw apiError(context, response, attempt.secrets);
	}
	if (!request.file) {
		const unusable = unusableAnswerError(context, response);
		if (unusable) throw unusable;
	}
	return response;
}

/** The same, answer parsed as JSON (an empty answer is `{}`). */
export async function xapiJson<T = IDataObject>(context: XapiContext, request: XapiRequest): Promise<T> {
	const response = await xapiRequest(context, { ...request, file: false });
	const body = response.body;
	if (body === undefined || body === null || body === '') return {} as T;
	return (typeof body === 'string' || Buffer.isBuffer(body) ? parseBody(body) : body) as T;
}
