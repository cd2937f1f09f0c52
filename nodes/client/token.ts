/**
 * Token discipline for 3CX, where a client has one valid access token at a time and fetching a
 * new one invalidates the old. n8n's OAuth2 machinery fetches, stores and signs with the token; this
 * module only makes sure it is used the way 3CX needs:
 *
 * - before the first request, one token is fetched for all items together (n8n's own first fetch
 *   is not coordinated: parallel items would each fetch one and invalidate each other);
 * - a token is renewed shortly before it expires instead of failing with a 401. When it expires is
 *   read from the token itself (JWT `iat`/`exp`), never from `expires_in`, whose unit changed (see
 *   `tokenExpiresAt`); a token without claims is used until 3CX answers 401;
 * - after a 401, the token is renewed once, unless another item already renewed it, and the
 *   request is retried once (settle.ts, the one answer path);
 * - one renewal serves every later request: a request is signed when it is sent (send.ts), with the
 *   newest token this process knows for the credential: the one a renewal put in place of the
 *   token the request was prepared with. After a renewal, only requests already in flight pay a 401;
 * - renewals of one credential never overlap in this process: items that need a new token at the
 *   same time share one token request (and one failure), and an item that asks later takes the
 *   token another item stored. This and the requests in flight (send.ts) are the process-wide state
 *   of the client (`renewals`, `renewedHere`, `successors`, per credential); everything else lives
 *   with the item or the call;
 * - across processes (queue mode: main and workers share the credential through the database),
 *   n8n's `refreshOAuth2Token` holds a lock per credential and, under it, reuses a token another
 *   process stored instead of fetching, when the stored token differs from the one it is handed.
 *   It is handed exactly the credential data this module judged stale (never a later re-read), so
 *   a token another worker stored in between is taken, not revoked by a second fetch; a request
 *   that got 401 with token A and finds token B stored retries with B without any fetch, and a
 *   fetch happens only when the stored token is still the failed one. Requests are signed with
 *   the credential data that decision was made on, so the token a request carried is known;
 * - a token request whose connection drops before any answer (a kept-alive connection the server
 *   was just closing) is sent once more instead of failing every item waiting for it;
 * - a credential that signs in as a user (PKCE) and has nothing to refresh with says so before
 *   anything is sent.
 *
 * A failed token request becomes an error that says what failed (tokenErrors.ts).
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import type { ClientContext } from './context';
import { CREDENTIAL_TYPE, apiUrl, checkBaseUrl, type Api } from './server';
import {
	describeTokenFailure,
	SIGN_IN_AGAIN,
	signsIn,
	tokenError,
	tokenUrlOf,
	type TokenFailure,
} from './tokenErrors';

/** Renew a token this many seconds before it expires (at most a tenth of its lifetime). */
const EXPIRY_MARGIN_SECONDS = 30;

export function accessToken(credentials: ICredentialDataDecryptedObject): string | undefined {
	const data = credentials.oauthTokenData as IDataObject | undefined;
	const token = data?.access_token;
	return typeof token === 'string' && token !== '' ? token : undefined;
}

/** The numeric `iat` and `exp` claims of a JWT access token (seconds since the epoch), if it has them. */
export function jwtClaims(token: string): { iat?: number; exp?: number } | undefined {
	const part = token.split('.')[1];
	if (!part) return undefined;
	try {
		const json = JSON.parse(Buffer.from(part.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
		if (!json || typeof json !== 'object') return undefined;
		const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
		return { iat: number(json.iat), exp: number(json.exp) };
	} catch {
		return undefined;
	}
}

/**
 * When a stored token stops working, in this machine's milliseconds since the epoch; undefined when
 * that cannot be known (a token without JWT claims), in which case 3CX's 401 decides.
 *
 * `expires_in` is not used on its own: 3CX sent minutes before 20.0.9 and seconds since, so reading
 * it one way keeps a token 60 times too long and the other way fetches a new one every minute (each
 * fetch logging out whatever else uses the client). The JWT says it exactly: the lifetime is
 * `exp - iat`, counted from when n8n received the token (n8n stores `n8n_expires_at` = receipt time
 * + `expires_in` seconds, so receipt time = `n8n_expires_at - expires_in`, whatever the unit). That
 * also survives a 3CX server whose clock is off. Without `iat` or n8n's timestamp, `exp` is taken
 * as it is.
 */
export function tokenExpiresAt(tokenData: IDataObject | undefined): number | undefined {
	return tokenTiming(tokenData)?.expiresAt;
}

/** The expiry (see tokenExpiresAt) and the lifetime in seconds (`exp - iat`), from one read of the JWT. */
function tokenTiming(tokenData: IDataObject | undefined): { expiresAt: number; lifetime?: number } | undefined {
	const token = tokenData?.access_token;
	if (typeof token !== 'string' || token === '') return undefined;
	const claims = jwtClaims(token);
	if (claims?.exp === undefined) return undefined;
	const lifetime = claims.iat !== undefined && claims.exp - claims.iat > 0 ? claims.exp - claims.iat : undefined;
	const n8nExpiresAt = Number(tokenData?.n8n_expires_at);
	const expiresIn = Number(tokenData?.expires_in);
	if (lifetime !== undefined && Number.isFinite(n8nExpiresAt) && Number.isFinite(expiresIn) && expiresIn > 0) {
		return { expiresAt: n8nExpiresAt - expiresIn * 1000 + lifetime * 1000, lifetime };
	}
	return { expiresAt: claims.exp * 1000, lifetime };
}

/** Whether a stored token should be renewed before it is used (false when its expiry is unknown). */
export function needsRenewal(tokenData: IDataObject | undefined, nowMs = Date.now()): boolean {
	const timing = tokenTiming(tokenData);
	if (!timing) return false;
	const margin = Math.min(EXPIRY_MARGIN_SECONDS, timing.lifetime !== undefined ? timing.lifetime / 10 : EXPIRY_MARGIN_SECONDS);
	return nowMs >= timing.expiresAt - margin * 1000;
}

/**
 * A token to sign with and the credential data holding it. `renewed`: it comes from a renewal of
 * this process (n8n's refresh under its lock), not merely found stored.
 */
export interface Ready {
	token: string | undefined;
	credentials: ICredentialDataDecryptedObject;
	renewed: boolean;
}

type Outcome = Ready | { failure: TokenFailure };

/** Renewals in progress, per credential: one token request at a time, shared by every item. */
const renewals = new Map<string, Promise<Outcome>>();
/** Per credential: the last token a renewal of this process got (to tell it from one found stored). */
const renewedHere = new Map<string, string>();
/** Per credential: which token a renewal of this process put in place of which (newest last). */
const successors = new Map<string, Map<string, Ready>>();
/** Replacements remembered per credential (a request prepared longer ago reads the store on its 401). */
const SUCCESSORS_KEPT = 8;
/**
 * Per credential: tokens 3CX answered 401 to. A request about to be signed with one of them takes
 * the token the renewal puts in its place instead of paying a 401 of its own.
 */
const refusals = new Map<string, Set<string>>();
/**
 * Per run of a node (its execute data): tokens this process had just renewed and 3CX refused all
 * the same. The run's later requests fail as the request that found it did, without fetching yet
 * another token; a later run (the next execution, the next poll) tries again.
 */
const hopelessInRun = new WeakMap<object, Set<string>>();

function runOf(context: ClientContext): object | undefined {
	const run: unknown = (context as { getExecuteData?: () => unknown }).getExecuteData?.();
	return run && typeof run === 'object' ? run : undefined;
}

/** Remembers that 3CX refused `token` (answered 401); `hopeless`: right after this process renewed it. */
export function rememberRefusal(context: ClientContext, token: string | undefined, hopeless = false): void {
	if (token === undefined) return;
	const key = credentialKey(context);
	let tokens = refusals.get(key);
	if (!tokens) refusals.set(key, (tokens = new Set()));
	tokens.delete(token);
	tokens.add(token);
	if (tokens.size > SUCCESSORS_KEPT) tokens.delete(tokens.values().next().value as string);
	const run = hopeless ? runOf(context) : undefined;
	if (run) {
		let inRun = hopelessInRun.get(run);
		if (!inRun) hopelessInRun.set(run, (inRun = new Set()));
		inRun.add(token);
	}
}

/** Whether 3CX refused `token` before: 'hopeless' within the run that found it so, else 'refused'. */
export function refusal(context: ClientContext, token: string | undefined): 'refused' | 'hopeless' | undefined {
	if (token === undefined || !refusals.get(credentialKey(context))?.has(token)) return undefined;
	const run = runOf(context);
	return run && hopelessInRun.get(run)?.has(token) ? 'hopeless' : 'refused';
}

/**
 * The context as n8n's helpers see it, except that reading this credential gives `credentials`:
 * n8n signs a request, or decides under its lock whether a refresh is still needed, with exactly
 * the credential data this module decided on, not with a read made a moment later.
 */
export function signingView<T extends ClientContext>(context: T, credentials: ICredentialDataDecryptedObject): T {
	const view: unknown = Object.create(context, {
		getCredentials: {
			value: async (type: string, ...rest: unknown[]) =>
				type === CREDENTIAL_TYPE
					? { ...credentials }
					: await (context.getCredentials as (t: string, ...r: unknown[]) => Promise<unknown>).call(context, type, ...rest),
		},
	});
	return view as T;
}

/** Per context: its credential key (n8n's getNode copies the whole node on every call). */
const keys = new WeakMap<object, string>();

/** The credential of the node, as a key of the process-wide maps. */
export function credentialKey(context: ClientContext): string {
	let key = keys.get(context);
	if (key === undefined) {
		const details = context.getNode().credentials?.[CREDENTIAL_TYPE];
		key = `${CREDENTIAL_TYPE}:${details?.id ?? details?.name ?? ''}`;
		keys.set(context, key);
	}
	return key;
}

/** True for a request that failed because the connection closed before any answer came. */
function droppedBeforeAnswer(error: unknown): boolean {
	const failure = (error ?? {}) as { code?: unknown; message?: unknown; response?: unknown; status?: unknown };
	if (failure.response !== undefined || failure.status !== undefined) return false;
	return failure.code === 'ECONNRESET' || /socket hang up/i.test(String(failure.message ?? ''));
}

/**
 * One token request (sent a second time only if the connection dropped before any answer), unless
 * the stored token has already been replaced by a usable one.
 *
 * The decision is made on ONE read of the credential, and n8n's refresh is handed that same read:
 * under its lock, n8n compares the token stored then with the token of that read and reuses the
 * stored one when they differ (another worker renewed it in between). A second read here would
 * hand n8n the other worker's fresh token as "the stale one", and n8n would fetch again and
 * revoke it (issue 13).
 */
async function renewOnce(context: ClientContext, stale: string | undefined, key: string): Promise<Outcome> {
	const stored = await context.getCredentials(CREDENTIAL_TYPE);
	const current = accessToken(stored);
	if (current && current !== stale && !needsRenewal(stored.oauthTokenData as IDataObject)) {
		return { token: current, credentials: stored, renewed: renewedHere.get(key) === current };
	}
	if (signsIn(stored) && !(stored.oauthTokenData as IDataObject | undefined)?.refresh_token) {
		return {
			failure: {
				message: current
					? 'The sign-in of the 3CX credential has expired and it has no refresh token'
					: 'The 3CX credential is not connected yet',
				description: SIGN_IN_AGAIN,
			},
		};
	}
	let error: unknown;
	let failed = false;
	let data: unknown;
	for (let attempt = 1; attempt <= 2; attempt++) {
		failed = false;
		try {
			data = await context.helpers.refreshOAuth2Token.call(signingView(context, stored), CREDENTIAL_TYPE);
		} catch (caught) {
			failed = true;
			error = caught;
		}
		// A kept-alive connection the server had just closed fails before any answer: send once more.
		if (!failed || !droppedBeforeAnswer(error)) break;
	}
	if (failed) return { failure: describeTokenFailure(error, stored) };
	// n8n answers with the token data it stored (or found stored by another process)
	const tokenData =
		data && typeof data === 'object' && typeof (data as IDataObject).access_token === 'string'
			? (data as IDataObject)
			: ((await context.getCredentials(CREDENTIAL_TYPE)).oauthTokenData as IDataObject | undefined);
	const renewed: ICredentialDataDecryptedObject = { ...stored, oauthTokenData: tokenData ?? {} };
	const token = accessToken(renewed);
	if (!token) {
		return {
			failure: {
				message: '3CX did not issue an access token: its answer to the token request had no access_token',
				description: `Check that the Base URL of the credential points to 3CX. Token URL: ${tokenUrlOf(stored)}.`,
			},
		};
	}
	renewedHere.set(key, token);
	return { token, credentials: renewed, renewed: true };
}

/** Remembers that a renewal of this process put `ready` in place of `stale`. */
function rememberSuccessor(key: string, stale: string, ready: Ready): void {
	let replaced = successors.get(key);
	if (!replaced) successors.set(key, (replaced = new Map()));
	replaced.delete(stale);
	replaced.set(stale, ready);
	if (replaced.size > SUCCESSORS_KEPT) replaced.delete(replaced.keys().next().value as string);
}

/**
 * The newest token this process knows in place of `ready`'s: what renewals since put in place of
 * it (followed through each later renewal), or `ready` itself. No read of the store: a token
 * another process stored is found by the renewal after a 401, which reads it.
 */
export function newest(context: ClientContext, ready: Ready): Ready {
	const replaced = successors.get(credentialKey(context));
	let current = ready;
	for (let step = 0; replaced && current.token !== undefined && step < SUCCESSORS_KEPT; step++) {
		const next = replaced.get(current.token);
		if (!next || next.token === current.token) break;
		current = next;
	}
	return current;
}

/**
 * Gets a new token unless another item or process already did: replaces `stale` (the token that
 * expired or was refused; undefined when none is stored). Items of this process share one renewal.
 */
export async function renew(context: ClientContext, stale: string | undefined): Promise<Ready> {
	const key = credentialKey(context);
	let outcome: Outcome | undefined;
	for (let round = 1; round <= 2; round++) {
		let promise = renewals.get(key);
		const joined = promise !== undefined;
		if (!promise) {
			const started = renewOnce(context, stale, key);
			promise = started;
			renewals.set(key, started);
			const forget = () => {
				if (renewals.get(key) === started) renewals.delete(key);
			};
			started.then(forget, forget);
		}
		outcome = await promise;
		if ('failure' in outcome) throw tokenError(context, outcome.failure);
		// A renewal started for another token may have settled on the very token this one found refused.
		if (!(joined && stale !== undefined && outcome.token === stale)) break;
	}
	const ready = outcome as Ready;
	if (stale !== undefined && ready.token !== undefined && ready.token !== stale) rememberSuccessor(key, stale, ready);
	return ready;
}

/**
 * Makes sure a usable token is stored before the request is signed; returns that token and the
 * credential data to sign with.
 */
export async function ensureToken(context: ClientContext, credentials: ICredentialDataDecryptedObject): Promise<Ready> {
	const token = accessToken(credentials);
	if (token && !needsRenewal(credentials.oauthTokenData as IDataObject)) {
		return { token, credentials, renewed: false };
	}
	return await renew(context, token);
}

/**
 * ONE read of the credential, its Base URL checked, and a usable token: what a request is
 * prepared with (the action node's request builder, every client request, a WebSocket handshake).
 */
export async function readyToSign(context: ClientContext): Promise<Ready> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	checkBaseUrl(context, credentials.baseUrl);
	return await ensureToken(context, credentials);
}

/**
 * The access token to open a connection with (a WebSocket handshake of the Call Control API sends
 * it as `Authorization: Bearer …`), under the same discipline as every request: one token per
 * credential, renewed before it expires, never fetched twice by items or nodes at once.
 */
export async function currentToken(context: ClientContext): Promise<string> {
	return (await connectionTarget(context, 'xapi')).token;
}

/**
 * Where to open a connection to `api` of the server (its root URL, e.g. `{server}/callcontrol`) and
 * the token to open it with, from ONE read of the credential, under the discipline of currentToken.
 */
export async function connectionTarget(context: ClientContext, api: Api): Promise<{ url: string; token: string }> {
	const ready = newest(context, await readyToSign(context));
	if (!ready.token) throw tokenError(context, { message: '3CX did not issue an access token', description: 'Check the 3CX credential.' });
	return { url: apiUrl(ready.credentials.baseUrl, api, ''), token: ready.token };
}

/**
 * After 3CX refused `refused` (a WebSocket handshake answered 401): the token to try once more,
 * renewed unless another item, node or process already did. A second refusal is the caller's error.
 */
export async function tokenAfterRefusal(context: ClientContext, refused: string | undefined): Promise<string> {
	const ready = await renew(context, refused);
	if (!ready.token) throw tokenError(context, { message: '3CX did not issue an access token', description: 'Check the 3CX credential.' });
	return ready.token;
}
