/**
 * The response handler: one postReceive hook that every operation runs. Requests are sent with
 * HTTP errors ignored so that this hook sees every answer and can
 * - renew the token and retry once after a 401 (see token.ts),
 * - turn 3CX's OData errors into n8n errors with the status, the message and the WARNINGS.XAPI details,
 * - refuse an HTML page where JSON was expected (a proxy's error page answering 200),
 * - make one item per entity of a collection, and a usable item of an empty (204) answer.
 */
import {
	NodeApiError,
	type IDataObject,
	type IExecuteSingleFunctions,
	type IN8nHttpFullResponse,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { isPaging, rememberCount } from './paging';
import { CREDENTIAL_TYPE, selectedOperation } from './request';
import { retryAfterUnauthorized } from './token';

interface ODataErrorBody {
	error?: { code?: string; message?: string; details?: Array<{ message?: string; target?: string; code?: string }> };
	message?: string;
	title?: string;
	errors?: Record<string, string[]>;
}

const STATUS_TEXT: Record<number, string> = {
	400: 'Bad request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not found',
	409: 'Conflict',
	429: 'Too many requests',
	500: 'Internal server error',
	502: 'Bad gateway',
	503: 'Service unavailable',
	504: 'Gateway timeout',
};

const STATUS_HINT: Record<number, string> = {
	403:
		'The API client lacks the role for this operation (call logs, chats, recordings and reports need the System ' +
		'Owner role), or the 3CX IP allow-list refused n8n.',
	404: 'The entity or function does not exist on this 3CX server: check the key and the 3CX version.',
	502: 'A proxy in front of 3CX could not reach it.',
	503: '3CX is unavailable (restarting or overloaded).',
	504: '3CX took too long to answer; heavy reports do this. Narrow the period or try again later.',
};

function header(response: IN8nHttpFullResponse, name: string): string {
	const value = response.headers?.[name] ?? response.headers?.[name.toLowerCase()];
	return Array.isArray(value) ? String(value[0]) : value === undefined ? '' : String(value);
}

function bodyText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	return '';
}

function parseBody(body: unknown): unknown {
	const text = bodyText(body);
	if (!text) return body;
	try {
		return JSON.parse(text);
	} catch {
		return body;
	}
}

function looksLikeHtml(response: IN8nHttpFullResponse): boolean {
	if (/text\/html/i.test(header(response, 'content-type'))) return true;
	return /^\s*<(!doctype html|html)/i.test(bodyText(response.body));
}

/** The n8n error for a 3CX error answer: status, 3CX's message, and each WARNINGS.XAPI detail. */
export function apiError(context: IExecuteSingleFunctions, response: IN8nHttpFullResponse): NodeApiError {
	const status = response.statusCode;
	const parsed = parseBody(response.body);
	const body = (parsed && typeof parsed === 'object' ? parsed : {}) as ODataErrorBody;
	const details = (body.error?.details ?? [])
		.map((d) => [d.message ?? d.code, d.target ? `(${d.target})` : ''].filter(Boolean).join(' '))
		.filter(Boolean);
	const validation = Object.entries(body.errors ?? {}).map(([field, problems]) => `${field}: ${problems.join(' ')}`);
	const serverMessage = body.error?.message || body.message || body.title || '';
	const statusText = STATUS_TEXT[status] ?? `HTTP ${status}`;
	const summary = serverMessage || details[0] || validation[0] || '';
	const message = `3CX answered ${status} ${statusText}${summary ? `: ${summary}` : ''}`;
	const descriptionParts = [
		...(details.length ? [`Details: ${details.join('; ')}`] : []),
		...(validation.length ? [`Validation: ${validation.join('; ')}`] : []),
		...(STATUS_HINT[status] ? [STATUS_HINT[status]] : []),
	];
	if (!summary && looksLikeHtml(response)) descriptionParts.push('The answer was an HTML page, not a 3CX (XAPI) error.');
	const errorResponse: JsonObject = {
		httpCode: String(status),
		...(body.error ? { error: body.error as unknown as JsonObject } : {}),
		message,
	};
	return new NodeApiError(context.getNode(), errorResponse, {
		httpCode: String(status),
		itemIndex: context.getItemIndex(),
		message,
		description: descriptionParts.join(' ') || undefined,
	});
}

function toItems(json: unknown): INodeExecutionData[] {
	if (Array.isArray(json)) return json.map((entry) => ({ json: asObject(entry) }));
	return [{ json: asObject(json) }];
}

function asObject(value: unknown): IDataObject {
	if (value && typeof value === 'object' && !Array.isArray(value)) return value as IDataObject;
	return { value: value as IDataObject[keyof IDataObject] };
}

export async function handleResponse(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	let answer = response;
	if (answer.statusCode === 401) answer = await retryAfterUnauthorized(this, CREDENTIAL_TYPE);
	if (answer.statusCode >= 400) throw apiError(this, answer);

	const { spec } = selectedOperation(this);
	const raw = answer.body;
	if (raw === undefined || raw === null || raw === '' || answer.statusCode === 204) {
		return [{ json: { success: true } }];
	}
	if (looksLikeHtml(answer)) {
		throw new NodeApiError(this.getNode(), { message: 'HTML instead of JSON' } as JsonObject, {
			httpCode: String(answer.statusCode),
			itemIndex: this.getItemIndex(),
			message: `3CX answered ${answer.statusCode} with an HTML page instead of JSON`,
			description:
				'Usually a reverse proxy or firewall in front of 3CX answered instead of 3CX. Check the Base URL of the credential.',
		});
	}
	const body = parseBody(raw);
	rememberCount(this, body);
	if (spec.response === 'collection' && body && typeof body === 'object' && Array.isArray((body as IDataObject).value)) {
		const wantsCount =
			spec.options !== undefined && !isPaging(this) && this.getNodeParameter(`${spec.options}.count`, false) === true;
		if (!wantsCount) return toItems((body as IDataObject).value);
	}
	return toItems(body);
}
