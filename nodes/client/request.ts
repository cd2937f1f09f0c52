/**
 * One authenticated request to a 3CX server, for every caller that is not n8n's RoutingNode (list
 * searches, backup downloads, the triggers, Call Control): the credential read once, a usable token
 * (token.ts), sent within the credential's window and signed when sent (send.ts), its answer
 * settled on the one answer path (settle.ts).
 */
import { NodeOperationError, type IDataObject, type IHttpRequestOptions, type IN8nHttpFullResponse } from 'n8n-workflow';

import { parseBody } from './answer';
import { itemIndexOf, type ClientContext } from './context';
import type { SpecBuild } from './errors';
import { keepSecret } from './secrets';
import { sendSigned, type Attempt } from './send';
import { apiUrl, type Api } from './server';
import { settle } from './settle';
import { readyToSign } from './token';

export interface ClientRequest {
	/** Which API of the server: XAPI below /xapi/v1 (the default) or Call Control below /callcontrol. */
	api?: Api;
	method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
	/** Below the API's root, starting with '/', already encoded (OData keys and literals: odata.ts). */
	path: string;
	qs?: IDataObject;
	body?: IDataObject | Buffer;
	/** Answer wanted as raw bytes (arraybuffer), whatever it is. */
	file?: boolean;
	headers?: Record<string, string>;
	/** The spec the path comes from: a 404/405 from a server of another build says so. */
	builtFrom?: SpecBuild;
}

/** The earlier name of a request, from when the client spoke XAPI only. */
export type XapiRequest = ClientRequest;

/** The http request options for one request on the credential's server. */
function requestOptions(baseUrl: unknown, ignoreSslIssues: boolean, request: ClientRequest): IHttpRequestOptions {
	const raw = Buffer.isBuffer(request.body);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: apiUrl(baseUrl, request.api ?? 'xapi', request.path),
		headers: { Accept: 'application/json', ...(request.headers ?? {}) },
		skipSslCertificateValidation: ignoreSslIssues,
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
 * One authenticated request with the client's token discipline (one token per credential, renewed
 * before it expires, one renewal + retry after a 401) and error mapping (3CX errors become
 * NodeApiError with status, 3CX's message, WARNINGS.XAPI details).
 */
export async function clientRequest(context: ClientContext, request: ClientRequest): Promise<IN8nHttpFullResponse> {
	// '' is the API's root itself (GET /callcontrol: every DN the client sees, with its participants)
	if (request.path !== '' && !request.path.startsWith('/')) {
		const api = request.api === 'callcontrol' ? 'Call Control' : 'XAPI';
		throw new NodeOperationError(context.getNode(), `${api} path "${request.path}" must start with "/"`, {
			itemIndex: itemIndexOf(context),
		});
	}
	const ready = await readyToSign(context);
	const options = requestOptions(ready.credentials.baseUrl, ready.credentials.ignoreSSLIssues === true, request);
	const { response, ready: signed } = await sendSigned(context, options, ready);
	const attempt: Attempt = { options, token: signed.token, secrets: new Set() };
	keepSecret(attempt.secrets, signed.token);
	return await settle(context, response, attempt, {
		expect: request.file ? 'file' : 'json',
		builtFrom: request.builtFrom,
	});
}

/** The earlier name of clientRequest. */
export const xapiRequest = clientRequest;

/** The same, answer parsed as JSON (an empty answer is `{}`). */
export async function xapiJson<T = IDataObject>(context: ClientContext, request: ClientRequest): Promise<T> {
	const response = await clientRequest(context, { ...request, file: false });
	const body = response.body;
	if (body === undefined || body === null || body === '') return {} as T;
	return (typeof body === 'string' || Buffer.isBuffer(body) ? parseBody(body) : body) as T;
}
