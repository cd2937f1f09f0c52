/**
 * The one answer path: every answer of every caller (the action node's operations and Custom API
 * Call, list searches, backup downloads, the triggers) settles here, in this order:
 *
 * 1. 401: the token is renewed (unless another item or process already did: then the stored token
 *    is used without a fetch) and the same request is sent again (`retryAfterUnauthorized`);
 * 2. an error status: an n8n error with 3CX's message and details (errors.ts);
 * 3. an answer that cannot be what 3CX sends where JSON is expected: an HTML page, JSON that does
 *    not parse (errors.ts); a file where a file is expected is left as bytes.
 *
 * To change how a 401 is retried, change `retryAfterUnauthorized`; nothing else sends a retry.
 */
import type { IN8nHttpFullResponse } from 'n8n-workflow';

import { bodyBuffer, bodyText, isBinaryBody, isEmptyAnswer, isFileResponse } from './answer';
import type { ClientContext } from './context';
import { apiError, unusableAnswerError, type SpecBuild } from './errors';
import { keepSecret } from './secrets';
import { sendSigned, type Attempt } from './send';
import { CREDENTIAL_TYPE } from './server';
import { accessToken, rememberRefusal, renew } from './token';
import { refusedAgain } from './tokenErrors';

/**
 * What the caller expects: `json` (the default) a JSON answer or none; `file` the bytes whatever
 * they are (the caller looks at them); `fileOrJson` a file when the answer is one (Content-Type,
 * Content-Disposition), else JSON (a download operation that may answer either).
 */
export type Expecting = 'json' | 'file' | 'fileOrJson';

export interface SettleOptions {
	expect?: Expecting;
	/** The spec the request's path comes from: a 404/405 from a server of another build says so. */
	builtFrom?: SpecBuild;
}

/** Renewals (or changes of the stored token by another process) one request goes through at most. */
const MAX_RENEWALS = 3;

/**
 * A usable answer to `attempt`, or the error that says why there is none. The answer comes back
 * with its body as text when bytes were not wanted or were not a file.
 */
export async function settle(
	context: ClientContext,
	response: IN8nHttpFullResponse,
	attempt: Attempt,
	options: SettleOptions = {},
): Promise<IN8nHttpFullResponse> {
	let answer = response.statusCode === 401 ? await retryAfterUnauthorized(context, attempt) : response;
	const expecting = options.expect ?? 'json';
	if (answer.statusCode >= 400) {
		if (isBinaryBody(answer.body)) answer = { ...answer, body: bodyText(bodyBuffer(answer.body)) };
		throw apiError(context, answer, attempt.secrets, options.builtFrom);
	}
	if (expecting === 'file') return answer;
	if (isBinaryBody(answer.body)) {
		if (expecting === 'fileOrJson' && isFileResponse(answer)) return answer;
		// not a file after all: text, read like every JSON answer
		answer = { ...answer, body: bodyText(bodyBuffer(answer.body)) };
	}
	if (isEmptyAnswer(answer)) return answer;
	const unusable = unusableAnswerError(context, answer);
	if (unusable) throw unusable;
	return answer;
}

/**
 * After a 401: renews the token (unless another item or process already did: then the stored token
 * is used without a fetch) and sends the same request again.
 *
 * Refused again: if the stored token has meanwhile changed (another worker of this n8n renewed it),
 * the request is sent with that one; if the stored token is the one just refused and this process
 * did not renew it itself, it is renewed once more (a fetch, since the stored token is the failed
 * one). A token this process renewed and 3CX still refuses is an error that says what causes it.
 */
export async function retryAfterUnauthorized(context: ClientContext, attempt: Attempt): Promise<IN8nHttpFullResponse> {
	let failed = attempt.token;
	let changes = 0;
	for (let round = 1; ; round++) {
		const renewed = await renew(context, failed);
		const { response, ready } = await sendSigned(context, attempt.options, renewed, true);
		keepSecret(attempt.secrets, ready.token);
		attempt.token = ready.token;
		if (response.statusCode !== 401) return response;
		const stored = accessToken(await context.getCredentials(CREDENTIAL_TYPE));
		const changed = stored !== undefined && stored !== ready.token;
		if (changed) changes++;
		if (round < MAX_RENEWALS && (changed || !ready.renewed)) {
			failed = ready.token;
			continue;
		}
		const replacedMeanwhile = changed || (changes > 0 && !ready.renewed);
		// a token this process just renewed and 3CX refused: later requests of the run fetch no other
		if (!replacedMeanwhile) rememberRefusal(context, ready.token, true);
		throw refusedAgain(context, replacedMeanwhile, MAX_RENEWALS);
	}
}
