/**
 * Sending: every request of the client goes out here, signed when it is sent with the newest
 * token this process knows for the credential (token.ts `newest`), within the credential's window
 * of requests in flight.
 *
 * Why the window: a request carries the token it was signed with. Signed all at once (1,000 items
 * of an execution start together), every request still waiting for a connection would carry the
 * token of that moment, and after 3CX revoked it each of them would pay a 401 first. Held back
 * until its turn and signed then, a request carries the token a renewal just put in place: after a
 * renewal, at most the requests already in flight (MAX_IN_FLIGHT) pay a 401.
 *
 * The action node's requests are sent by n8n's RoutingNode: `signItemRequests` hands the item the
 * same sending, so that n8n signs them with the credential read the request builder already made
 * (no second read per item) and, for later pages, with a new read of the store.
 */
import type { IExecuteSingleFunctions, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import type { ClientContext } from './context';
import { keepSecret } from './secrets';
import { CREDENTIAL_TYPE } from './server';
import { accessToken, credentialKey, newest, readyToSign, refusal, rememberRefusal, renew, signingView, type Ready } from './token';
import { refusedAgain } from './tokenErrors';

/** Requests of one credential this process has in flight at once; more wait for their turn. */
export const MAX_IN_FLIGHT = 64;

/** A request and what it was signed with, as the answer path (settle.ts) needs it. */
export interface Attempt {
	options: IHttpRequestOptions;
	/** The token the request was signed with. */
	token: string | undefined;
	/** Every token the request carried, kept out of its messages. */
	secrets: Set<string>;
}

interface Window {
	active: number;
	waiting: Array<() => void>;
}

/** Per credential: requests in flight and requests waiting for their turn. */
const windows = new Map<string, Window>();

/** Waits for a turn in the credential's window; the function returned ends it (once). */
async function turn(key: string): Promise<() => void> {
	let window = windows.get(key);
	if (!window) windows.set(key, (window = { active: 0, waiting: [] }));
	const own = window;
	if (own.active < MAX_IN_FLIGHT) own.active++;
	// a request that ends hands its place to the next one waiting
	else await new Promise<void>((resolve) => own.waiting.push(resolve));
	let ended = false;
	return () => {
		if (ended) return;
		ended = true;
		const next = own.waiting.shift();
		if (next) return next();
		own.active--;
		if (own.active === 0 && windows.get(key) === own) windows.delete(key);
	};
}

type Helpers = ClientContext['helpers'];
const ORIGINAL_HELPERS = Symbol('n8n-nodes-3cx original helpers');

/** n8n's own helpers of the context (not the item's sending installed by signItemRequests). */
function helpersOf(context: ClientContext): Helpers {
	const helpers = context.helpers as Helpers & { [ORIGINAL_HELPERS]?: Helpers };
	return helpers[ORIGINAL_HELPERS] ?? helpers;
}

/** What was sent: the answer (every status, errors too) and the token data it was signed with. */
export interface Sent {
	response: IN8nHttpFullResponse;
	ready: Ready;
}

/**
 * The token to sign a first request with, when its turn comes: the newest this process knows in
 * place of `ready`'s. One 3CX already refused is replaced first, by the renewal every request
 * waiting on it shares (which takes a token another process stored without a fetch); one this
 * process had just renewed and 3CX still refused in this run of the node is not replaced by yet
 * another fetch: the request fails as the request that found it did, unless another process
 * stored a newer token meanwhile.
 */
async function tokenToSign(context: ClientContext, ready: Ready): Promise<Ready> {
	const now = newest(context, ready);
	const refused = refusal(context, now.token);
	if (refused === 'refused') return newest(context, await renew(context, now.token));
	if (refused === 'hopeless') {
		const stored = await context.getCredentials(CREDENTIAL_TYPE);
		const token = accessToken(stored);
		if (token === undefined || token === now.token) throw refusedAgain(context, false, 1);
		return { token, credentials: stored, renewed: false };
	}
	return now;
}

/**
 * One request, signed when its turn comes with the newest token this process knows in place of
 * `ready`'s (`retry`: exactly the token a renewal just gave, see settle.ts). Every answer comes
 * back, HTTP errors too; a 401 is remembered, so that requests still waiting do not pay one too.
 */
export async function sendSigned(
	context: ClientContext,
	options: IHttpRequestOptions,
	ready: Ready,
	retry = false,
): Promise<Sent> {
	const end = await turn(credentialKey(context));
	try {
		const now = retry ? newest(context, ready) : await tokenToSign(context, ready);
		const response = (await helpersOf(context).httpRequestWithAuthentication.call(
			signingView(context, now.credentials),
			CREDENTIAL_TYPE,
			{ ...options, returnFullResponse: true, ignoreHttpStatusErrors: true },
		)) as IN8nHttpFullResponse;
		if (response.statusCode === 401) rememberRefusal(context, now.token);
		return { response, ready: now };
	} finally {
		end();
	}
}

/**
 * Hands an item of n8n's RoutingNode the client's sending: its first request is signed with
 * `first` (the read the request builder made), each later one (paging) with a new read of the
 * store; `attempt` learns each request and its token, for the answer path.
 */
export function signItemRequests(item: IExecuteSingleFunctions, first: Ready, attempt: Attempt): void {
	const original = helpersOf(item);
	let prepared: Ready | undefined = first;
	const send = async (type: string, options: IHttpRequestOptions, ...rest: unknown[]): Promise<unknown> => {
		if (type !== CREDENTIAL_TYPE) {
			return await (original.httpRequestWithAuthentication as (...args: unknown[]) => Promise<unknown>).call(item, type, options, ...rest);
		}
		const ready = prepared ?? (await readyToSign(item));
		prepared = undefined;
		const sent = await sendSigned(item, options, ready);
		attempt.options = options;
		attempt.token = sent.ready.token;
		keepSecret(attempt.secrets, sent.ready.token);
		return sent.response;
	};
	const helpers = Object.create(original, {
		[ORIGINAL_HELPERS]: { value: original },
		httpRequestWithAuthentication: { value: send },
	}) as Helpers;
	Object.defineProperty(item, 'helpers', { value: helpers, configurable: true, writable: true, enumerable: true });
}
