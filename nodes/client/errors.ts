/**
 * Error mapping for 3CX answers: every failed or unusable answer becomes an n8n error that carries
 * the HTTP status, 3CX's own message where there is one, its WARNINGS.XAPI details, and a hint on
 * what usually causes that status. Used by the response handler (response.ts) and the token
 * discipline (token.ts), for every context the transport serves (items, list searches, polls);
 * nothing here sends a request.
 */
import { NodeApiError, type IN8nHttpFullResponse, type INode, type JsonObject } from 'n8n-workflow';

import { generatedFrom } from '../ThreeCx/generated/operations';
import { itemState } from './state';
import type { XapiContext } from './transport';

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
	405: 'Method not allowed',
	408: 'Request timeout',
	409: 'Conflict',
	413: 'Payload too large',
	414: 'URI too long',
	422: 'Unprocessable entity',
	429: 'Too many requests',
	431: 'Request header fields too large',
	500: 'Internal server error',
	502: 'Bad gateway',
	503: 'Service unavailable',
	504: 'Gateway timeout',
};

const TOO_LONG_FOR_A_URL =
	'A key or function parameter is too long for the URL 3CX (or a proxy in front of it) accepts: shorten the value.';

const STATUS_HINT: Record<number, string> = {
	403:
		'The API client lacks the role for this operation (call logs, chats, recordings and reports need the System ' +
		'Owner role), or the 3CX IP allow-list refused n8n.',
	404: 'The entity or function does not exist on this 3CX server: check the key and the 3CX version.',
	413: 'The request body is larger than 3CX (or a proxy in front of it) accepts.',
	414: TOO_LONG_FOR_A_URL,
	429: "3CX or a proxy in front of it limits the request rate: use Batching in the node's Request Options, or Retry On Fail.",
	431: TOO_LONG_FOR_A_URL,
	500: '3CX failed while processing the request; it also answers 500 to some misformatted keys and parameters.',
	502: 'A proxy in front of 3CX could not reach it.',
	503: '3CX is unavailable (restarting or overloaded).',
	504: '3CX took too long to answer; heavy reports do this. Narrow the period or try again later.',
};

/* ------------------------------------------------------------------ */
/* keeping secrets out of messages                                     */
/* ------------------------------------------------------------------ */

/** Adds a token a request carried to the secrets kept out of that request's messages. */
export function keepSecret(secrets: Set<string> | undefined, secret: unknown): void {
	if (!secrets || typeof secret !== 'string' || secret.length < 4) return;
	secrets.add(secret);
}

/** The item index of a context that runs per item (execute-single); undefined for the others. */
export function itemIndexOf(context: XapiContext): number | undefined {
	const single = context as { getItemIndex?: () => number };
	return typeof single.getItemIndex === 'function' ? single.getItemIndex() : undefined;
}

/**
 * Removes secrets from a text: each one as it is, URL-encoded, form-encoded and JSON-escaped,
 * anything after `client_secret=` / `"client_secret":` / `"access_token":` / `Bearer`, and anything
 * that looks like a JWT.
 */
export function redact(text: string, secrets: Iterable<string> = []): string {
	let out = text;
	for (const secret of secrets) {
		if (secret.length < 4) continue;
		const encoded = encodeURIComponent(secret);
		for (const form of new Set([secret, encoded, encoded.replace(/%20/g, '+'), JSON.stringify(secret).slice(1, -1)])) {
			out = out.split(form).join('[redacted]');
		}
	}
	return out
		.replace(/(client_secret=)[^&\s"'<>]*/gi, '$1[redacted]')
		.replace(/("?(?:client_secret|access_token|refresh_token)"?\s*:\s*")[^"]*/gi, '$1[redacted]')
		.replace(/(Bearer\s+)[\w.~+/=-]+/gi, '$1[redacted]')
		.replace(/eyJ[\w-]*\.[\w-]+\.[\w-]*/g, '[redacted]');
}

/**
 * A NodeApiError whose message stays exactly `message`. (n8n replaces a message that mentions a
 * Node.js error code such as ECONNREFUSED with a generic text; these messages are already specific.)
 */
export function nodeApiError(
	node: INode,
	errorResponse: JsonObject,
	options: { message: string; description?: string; httpCode?: string; itemIndex?: number },
): NodeApiError {
	const error = new NodeApiError(node, errorResponse, options);
	error.message = options.message;
	return error;
}

export function header(response: IN8nHttpFullResponse, name: string): string {
	const value = response.headers?.[name] ?? response.headers?.[name.toLowerCase()];
	return Array.isArray(value) ? String(value[0]) : value === undefined ? '' : String(value);
}

export function bodyText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	return '';
}

/** The body as JSON when it is JSON text; anything else as it came. */
export function parseBody(body: unknown): unknown {
	const text = bodyText(body);
	if (!text) return body;
	try {
		return JSON.parse(text);
	} catch {
		return body;
	}
}

export function looksLikeHtml(response: IN8nHttpFullResponse): boolean {
	if (/text\/html/i.test(header(response, 'content-type'))) return true;
	return /^\s*<(!doctype html|html)/i.test(bodyText(response.body));
}

function declaresJson(response: IN8nHttpFullResponse): boolean {
	return /^\s*application\/([\w.+-]*\+)?json\b/i.test(header(response, 'content-type'));
}

/** `value` with `clean` applied to its JSON text (an empty object if that stops it being JSON). */
function cleanJson(value: unknown, clean: (text: string) => string): JsonObject {
	try {
		return JSON.parse(clean(JSON.stringify(value))) as JsonObject;
	} catch {
		return {};
	}
}

/**
 * For a 404/405 on an operation of the spec: when the server (its `X-3CX-Version` header) runs
 * another 3CX build than the spec the node was generated from, says so and how to regenerate.
 * Undefined when the versions agree or either is unknown.
 */
export function versionMismatch(response: IN8nHttpFullResponse): string | undefined {
	if (response.statusCode !== 404 && response.statusCode !== 405) return undefined;
	const server = header(response, 'x-3cx-version').trim();
	const built = generatedFrom.build;
	if (!server || !built || server === built || server.startsWith(`${built}.`)) return undefined;
	return (
		`This node was built from the XAPI spec of 3CX ${built} (${generatedFrom.file}); this server runs 3CX ${server}, ` +
		'which may not have this operation or has it under another name. Regenerate the node for your PBX: ' +
		'npm run generate -- --server https://your-pbx (or --spec <the spec file of your build>), then rebuild; ' +
		'meanwhile the Custom API Call sends any request.'
	);
}

/**
 * The n8n error for a 3CX error answer: status, 3CX's message, and each WARNINGS.XAPI detail.
 * `secrets` are the tokens the request carried (by default the item's, see state.ts).
 * `specOperation`: the request is an operation of the spec (so a 404/405 from a server of another
 * build is explained); false for the Custom API Call.
 */
export function apiError(
	context: XapiContext,
	response: IN8nHttpFullResponse,
	secrets: Iterable<string> = itemState(context)?.secrets ?? [],
	specOperation = true,
): NodeApiError {
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
	// an answer may echo the request (a proxy's debug page): never show the token it carried
	const clean = (text: string) => redact(text, secrets);
	const message = clean(`3CX answered ${status} ${statusText}${summary ? `: ${summary}` : ''}`);
	const descriptionParts = [
		...(details.length ? [`Details: ${details.join('; ')}`] : []),
		...(validation.length ? [`Validation: ${validation.join('; ')}`] : []),
		...(STATUS_HINT[status] ? [STATUS_HINT[status]] : []),
		...(specOperation ? [versionMismatch(response)].filter((text): text is string => !!text) : []),
	];
	if (!summary && looksLikeHtml(response)) descriptionParts.push('The answer was an HTML page, not a 3CX (XAPI) error.');
	const errorResponse: JsonObject = {
		httpCode: String(status),
		...(body.error ? { error: cleanJson(body.error, clean) } : {}),
		message,
	};
	return nodeApiError(context.getNode(), errorResponse, {
		httpCode: String(status),
		itemIndex: itemIndexOf(context),
		message,
		description: clean(descriptionParts.join(' ')) || undefined,
	});
}

/**
 * The error for a successful status whose body cannot be what 3CX sends: an HTML page (a reverse
 * proxy or captive portal answering instead of 3CX) or JSON that does not parse (cut off on the
 * way). Undefined when the answer is usable.
 */
export function unusableAnswerError(
	context: XapiContext,
	response: IN8nHttpFullResponse,
): NodeApiError | undefined {
	const status = String(response.statusCode);
	if (looksLikeHtml(response)) {
		return nodeApiError(context.getNode(), { message: 'HTML instead of JSON', httpCode: status }, {
			httpCode: status,
			itemIndex: itemIndexOf(context),
			message: `3CX answered ${status} with an HTML page instead of JSON`,
			description:
				'Usually a reverse proxy or firewall in front of 3CX answered instead of 3CX. Check the Base URL of the credential.',
		});
	}
	const text = bodyText(response.body);
	if (text && declaresJson(response)) {
		let reason: string | undefined;
		try {
			JSON.parse(text);
		} catch (error) {
			reason = error instanceof Error ? error.message : String(error);
		}
		if (reason !== undefined) {
			return nodeApiError(context.getNode(), { message: 'Invalid JSON', httpCode: status }, {
				httpCode: status,
				itemIndex: itemIndexOf(context),
				message: `3CX answered ${status} with JSON that does not parse (${reason})`,
				description: `The answer (${text.length} characters) was probably cut off on its way from 3CX. Run the node again.`,
			});
		}
	}
	return undefined;
}
