/**
 * Error mapping for 3CX answers: every failed or unusable answer becomes an n8n error that carries
 * the HTTP status, 3CX's own message where there is one, its WARNINGS.XAPI details, and a hint on
 * what usually causes that status. settle.ts decides when an answer is one; nothing here sends a
 * request.
 */
import { NodeApiError, type IN8nHttpFullResponse, type INode, type JsonObject } from 'n8n-workflow';

import { bodyText, declaresJson, header, looksLikeHtml, parseBody } from './answer';
import { itemIndexOf, type ClientContext } from './context';
import { redact } from './secrets';

/** The XAPI spec a node's operations were generated from (the generator emits it as `generatedFrom`). */
export interface SpecBuild {
	/** The 3CX build, e.g. 20.0.10.522. */
	build: string;
	/** The spec file's name. */
	file: string;
}

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
export function versionMismatch(response: IN8nHttpFullResponse, builtFrom: SpecBuild): string | undefined {
	if (response.statusCode !== 404 && response.statusCode !== 405) return undefined;
	const server = header(response, 'x-3cx-version').trim();
	const built = builtFrom.build;
	if (!server || !built || server === built || server.startsWith(`${built}.`)) return undefined;
	return (
		`This node was built from the XAPI spec of 3CX ${built} (${builtFrom.file}); this server runs 3CX ${server}, ` +
		'which may not have this operation or has it under another name. Regenerate the node for your PBX: ' +
		'npm run generate -- --server https://your-pbx (or --spec <the spec file of your build>), then rebuild; ' +
		'meanwhile the Custom API Call sends any request.'
	);
}

/**
 * The n8n error for a 3CX error answer: status, 3CX's message, and each WARNINGS.XAPI detail.
 * `secrets`: the tokens the request carried. `builtFrom`: the spec the request's path comes from,
 * so that a 404/405 from a server of another build is explained (none for the Custom API Call).
 */
export function apiError(
	context: ClientContext,
	response: IN8nHttpFullResponse,
	secrets: Iterable<string> = [],
	builtFrom?: SpecBuild,
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
		...(builtFrom ? [versionMismatch(response, builtFrom)].filter((text): text is string => !!text) : []),
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
	context: ClientContext,
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
