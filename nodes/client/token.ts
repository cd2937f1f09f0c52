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
 *   request is retried once;
 * - renewals of one credential never overlap in this process: items that need a new token at the
 *   same time share one token request (and one failure), and an item that asks later takes the
 *   token another item stored. This is the one piece of process-wide state of the node (`renewals`
 *   and `renewedHere`, per credential); everything else lives with the item or the call;
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
 * A failed token request becomes an error that says what failed (refused, unknown host, TLS,
 * HTTP status, no token in the answer) and never shows the client secret or a token.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';

import { itemIndexOf, keepSecret, nodeApiError, redact } from './errors';
import type { XapiContext } from './transport';

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

function secretsOf(credentials: ICredentialDataDecryptedObject): string[] {
	const data = (credentials.oauthTokenData ?? {}) as IDataObject;
	return [credentials.clientSecret, data.access_token, data.refresh_token].filter(
		(s): s is string => typeof s === 'string' && s.length >= 4,
	);
}

/* ------------------------------------------------------------------ */
/* token requests                                                      */
/* ------------------------------------------------------------------ */

interface TokenFailure {
	message: string;
	description: string;
	httpCode?: string;
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

const CHECK_CLIENT =
	'Check the Client ID and Client Secret (API key) of the 3CX credential. The client is created in the 3CX Admin ' +
	'console under Integrations > API and needs access to the Configuration API (XAPI).';

const SIGN_IN_AGAIN =
	'The credential signs in as a 3CX user (Authorization Code with PKCE): open it and connect it (sign in) again. ' +
	'For unattended workflows, an API client (Client Credentials) does not need this.';

/** Whether the credential signs in as a user (PKCE) instead of using an API client. */
function signsIn(credentials: ICredentialDataDecryptedObject): boolean {
	return typeof credentials.grantType === 'string' && credentials.grantType !== 'clientCredentials';
}

/** The token URL without any user name or password in it, for messages. */
function tokenUrlOf(credentials: ICredentialDataDecryptedObject): string {
	return String(credentials.accessTokenUrl ?? '').replace(/\/\/[^/@]*@/, '//');
}

function hostOf(url: string): string {
	const match = /^[a-z][\w+.-]*:\/\/([^/?#]+)/i.exec(url);
	return match ? match[1] : url;
}

/** What a failed token request means, in words, from the error n8n's OAuth2 client threw. */
export function describeTokenFailure(error: unknown, credentials: ICredentialDataDecryptedObject): TokenFailure {
	const secrets = secretsOf(credentials);
	const clean = (text: unknown) => redact(String(text ?? ''), secrets).trim();
	const url = tokenUrlOf(credentials);
	const where = `Token URL: ${url}.`;
	const failure = (error ?? {}) as {
		message?: string;
		code?: string;
		status?: number;
		body?: unknown;
		response?: { status?: number; headers?: Record<string, unknown> };
	};
	const prefix = '3CX did not issue an access token';

	// An OAuth2 error answer: {"error":"unauthorized","error_description":"..."}
	const body = failure.body && typeof failure.body === 'object' ? (failure.body as IDataObject) : undefined;
	if (body && (body.error || body.error_description)) {
		const reason = [body.error, body.error_description].filter(Boolean).map(clean).join(': ');
		return { message: `${prefix}: ${reason}`, description: `${signsIn(credentials) ? SIGN_IN_AGAIN : CHECK_CLIENT} ${where}` };
	}
	// n8n's own verdict on a user sign-in that cannot be refreshed ("... needs to be reconnected")
	if (signsIn(credentials) && /reconnect/i.test(String(failure.message ?? ''))) {
		return { message: `${prefix}: ${clean(failure.message)}`, description: SIGN_IN_AGAIN };
	}

	// An answer that is not a token: an HTTP error status, an HTML page, text
	const status = failure.response?.status ?? failure.status;
	if (typeof status === 'number') {
		const declared = /content-type: ([^)]*)\)/i.exec(String(failure.message ?? ''))?.[1];
		const contentType = String(failure.response?.headers?.['content-type'] ?? declared ?? '').split(';')[0].trim();
		const what = /html/i.test(contentType) ? 'an HTML page' : contentType ? `${contentType}` : 'no content';
		if (status >= 500) {
			return {
				message: `${prefix}: the token request failed with HTTP ${status}`,
				description:
					`3CX (or a proxy in front of it) could not answer the token request; it may be restarting or overloaded. ` +
					`Try again later, or turn on Retry On Fail. ${where}`,
				httpCode: String(status),
			};
		}
		return {
			message: `${prefix}: the token URL answered HTTP ${status} with ${what} instead of a token`,
			description:
				'Nothing at this address issues 3CX tokens. The Base URL of the credential must be the address of the 3CX ' +
				'Admin console, for example https://pbx.example.com:5001, without any path (unless a reverse proxy ' +
				`publishes 3CX under one). ${where}`,
			httpCode: String(status),
		};
	}

	// No answer at all
	const code = String(failure.code ?? '');
	const reason = clean(failure.message) || code || 'no answer';
	const host = hostOf(url);
	const checkAddress = `Check the Base URL (host and port) of the 3CX credential and that n8n can reach 3CX. ${where}`;
	if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS/i.test(code) || /certificate/i.test(reason)) {
		return {
			message: `${prefix}: the server's TLS certificate is not trusted (${reason})`,
			description:
				'If the PBX uses a self-signed certificate, tick Ignore SSL Issues (Insecure) in the 3CX credential: it ' +
				"applies to the token and to the API calls (the node's Request Options > Ignore SSL Issues does not apply " +
				`to the token request). ${where}`,
		};
	}
	if (/EPROTO|WRONG_VERSION_NUMBER|SSL/i.test(code) || /wrong version number/i.test(reason)) {
		const short = /wrong version number/i.test(reason) ? 'wrong version number' : reason;
		return {
			message: `${prefix}: ${host} does not speak HTTPS on this port (${short})`,
			description: `Check http:// versus https:// and the port in the Base URL of the 3CX credential. ${where}`,
		};
	}
	const words: Record<string, string> = {
		ECONNREFUSED: `nothing answered at ${host} (connection refused)`,
		ENOTFOUND: `the host name of ${host} was not found`,
		EAI_AGAIN: `the host name of ${host} could not be looked up`,
		ETIMEDOUT: `${host} did not answer in time`,
		ECONNABORTED: `${host} did not answer in time`,
		ECONNRESET: `${host} closed the connection`,
		EHOSTUNREACH: `${host} is unreachable`,
		ENETUNREACH: `${host} is unreachable`,
	};
	// a TLS port drops a plain-HTTP request without an answer
	const plainToTls = code === 'ECONNRESET' && /^http:/i.test(url) ? 'If 3CX serves HTTPS on this port, the Base URL must start with https://. ' : '';
	return {
		message: `${prefix}: ${words[code] ?? reason}`,
		description: `${words[code] ? `${reason}. ` : ''}${plainToTls}${checkAddress}`,
	};
}

function tokenError(context: XapiContext, failure: TokenFailure) {
	return nodeApiError(
		context.getNode(),
		{ message: failure.message, ...(failure.httpCode ? { httpCode: failure.httpCode } : {}) },
		{ ...failure, itemIndex: itemIndexOf(context) },
	);
}

/** True for a request that failed because the connection closed before any answer came. */
function droppedBeforeAnswer(error: unknown): boolean {
	const failure = (error ?? {}) as { code?: unknown; message?: unknown; response?: unknown; status?: unknown };
	if (failure.response !== undefined || failure.status !== undefined) return false;
	return failure.code === 'ECONNRESET' || /socket hang up/i.test(String(failure.message ?? ''));
}

/**
 * The context as n8n's helpers see it, except that reading this credential gives `credentials`:
 * n8n signs a request, or decides under its lock whether a refresh is still needed, with exactly
 * the credential data this module decided on, not with a read made a moment later.
 */
function seeing(context: XapiContext, credentialType: string, credentials: ICredentialDataDecryptedObject): XapiContext {
	const view: unknown = Object.create(context, {
		getCredentials: {
			value: async (type: string, ...rest: unknown[]) =>
				type === credentialType
					? { ...credentials }
					: await (context.getCredentials as (t: string, ...r: unknown[]) => Promise<unknown>).call(context, type, ...rest),
		},
	});
	return view as XapiContext;
}

function credentialKey(context: XapiContext, credentialType: string): string {
	const details = context.getNode().credentials?.[credentialType];
	return `${credentialType}:${details?.id ?? details?.name ?? ''}`;
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
async function renewOnce(context: XapiContext, credentialType: string, stale: string | undefined, key: string): Promise<Outcome> {
	const stored = await context.getCredentials(credentialType);
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
			data = await context.helpers.refreshOAuth2Token.call(seeing(context, credentialType, stored), credentialType);
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
			: ((await context.getCredentials(credentialType)).oauthTokenData as IDataObject | undefined);
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

/**
 * Gets a new token unless another item or process already did: replaces `stale` (the token that
 * expired or was refused; undefined when none is stored). Items of this process share one renewal.
 */
async function renew(context: XapiContext, credentialType: string, stale: string | undefined): Promise<Ready> {
	const key = credentialKey(context, credentialType);
	let outcome: Outcome | undefined;
	for (let round = 1; round <= 2; round++) {
		let promise = renewals.get(key);
		const joined = promise !== undefined;
		if (!promise) {
			const started = renewOnce(context, credentialType, stale, key);
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
	return outcome as Ready;
}

/**
 * Makes sure a usable token is stored before the request is signed; returns that token and the
 * credential data to sign with.
 */
export async function ensureToken(
	context: XapiContext,
	credentialType: string,
	credentials: ICredentialDataDecryptedObject,
): Promise<Ready> {
	const token = accessToken(credentials);
	if (token && !needsRenewal(credentials.oauthTokenData as IDataObject)) {
		return { token, credentials, renewed: false };
	}
	return await renew(context, credentialType, token);
}

/** One request signed with `ready`'s credential data; every answer comes back, HTTP errors too. */
export async function sendSigned(
	context: XapiContext,
	credentialType: string,
	options: IHttpRequestOptions,
	ready: Ready,
): Promise<IN8nHttpFullResponse> {
	return (await context.helpers.httpRequestWithAuthentication.call(
		seeing(context, credentialType, ready.credentials),
		credentialType,
		{ ...options, returnFullResponse: true, ignoreHttpStatusErrors: true },
	)) as IN8nHttpFullResponse;
}

/** A request and what it was signed with, as the 401 handling needs it. */
export interface Attempt {
	options: IHttpRequestOptions;
	/** The token the request was (expected to be) signed with. */
	token: string | undefined;
	/** Every token the request carried, kept out of its messages. */
	secrets: Set<string>;
}

/** Renewals (or changes of the stored token by another process) one request goes through at most. */
const MAX_RENEWALS = 3;

/**
 * After a 401: renews the token (unless another item or process already did: then the stored token
 * is used without a fetch) and sends the same request again.
 *
 * Refused again: if the stored token has meanwhile changed (another worker of this n8n renewed it),
 * the request is sent with that one; if the stored token is the one just refused and this process
 * did not renew it itself, it is renewed once more (a fetch, since the stored token is the failed
 * one). A token this process renewed and 3CX still refuses is an error that says what causes it.
 */
export async function retryAfterUnauthorized(
	context: XapiContext,
	credentialType: string,
	attempt: Attempt,
): Promise<IN8nHttpFullResponse> {
	let failed = attempt.token;
	let changes = 0;
	for (let round = 1; ; round++) {
		const ready = await renew(context, credentialType, failed);
		keepSecret(attempt.secrets, ready.token);
		const response = await sendSigned(context, credentialType, attempt.options, ready);
		attempt.token = ready.token;
		if (response.statusCode !== 401) return response;
		const stored = accessToken(await context.getCredentials(credentialType));
		const changed = stored !== undefined && stored !== ready.token;
		if (changed) changes++;
		if (round < MAX_RENEWALS && (changed || !ready.renewed)) {
			failed = ready.token;
			continue;
		}
		throw refusedAgain(context, changed || (changes > 0 && !ready.renewed));
	}
}

function refusedAgain(context: XapiContext, replacedMeanwhile: boolean) {
	const message = replacedMeanwhile
		? `3CX refused the access token on ${MAX_RENEWALS} tries (401), while other n8n processes kept replacing it`
		: '3CX refused the access token again after it was renewed (401)';
	const description = replacedMeanwhile
		? 'Each try used the token this n8n had just stored, and each time a newer one had replaced it. n8n ' +
			'processes of one instance (main and queue-mode workers) share the stored token, so this means ' +
			'another n8n instance or another system fetches tokens with the same Client ID: 3CX keeps one valid ' +
			'token per client and invalidates it when anyone fetches a new one. Give each n8n instance (not ' +
			'each worker) and each other integration its own API client in the 3CX Admin console (Integrations > API).'
		: 'The API client may lack access to the Configuration API (XAPI), or another system is using the same ' +
			'Client ID: 3CX keeps one valid token per client and invalidates it when anyone fetches a new one. ' +
			'Give each integration its own API client in the 3CX Admin console (Integrations > API).';
	return nodeApiError(context.getNode(), { httpCode: '401', message }, {
		httpCode: '401',
		itemIndex: itemIndexOf(context),
		message,
		description,
	});
}
