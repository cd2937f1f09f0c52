/**
 * Token discipline for 3CX, where a client has one valid access token at a time and fetching a
 * new one invalidates the old. n8n's OAuth2 machinery fetches, stores and refreshes the token; this
 * module only makes sure it is used the way 3CX needs:
 *
 * - before the first request, one token is fetched for all items together (n8n's own first fetch
 *   is not coordinated: parallel items would each fetch one and invalidate each other);
 * - a token whose JWT `exp` has passed is renewed before use instead of failing with a 401;
 * - after a 401, the token is renewed once, unless another item already renewed it, and the
 *   request is retried once.
 *
 * Renewal goes through n8n's `refreshOAuth2Token`, which is single-flight per credential.
 */
import {
	NodeApiError,
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteSingleFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type JsonObject,
} from 'n8n-workflow';

interface Remembered {
	options: IHttpRequestOptions;
	token: string | undefined;
}

const requests = new WeakMap<object, Remembered>();

/** Seconds of validity left below which a token is renewed before use. */
const EXPIRY_MARGIN_SECONDS = 30;

function accessToken(credentials: ICredentialDataDecryptedObject): string | undefined {
	const data = credentials.oauthTokenData as IDataObject | undefined;
	const token = data?.access_token;
	return typeof token === 'string' && token !== '' ? token : undefined;
}

/** The `exp` claim of a JWT access token, in seconds since the epoch, if it has one. */
export function jwtExpiry(token: string): number | undefined {
	const part = token.split('.')[1];
	if (!part) return undefined;
	try {
		const json = JSON.parse(Buffer.from(part.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
		return typeof json.exp === 'number' ? json.exp : undefined;
	} catch {
		return undefined;
	}
}

function isExpired(token: string, nowSeconds = Date.now() / 1000): boolean {
	const exp = jwtExpiry(token);
	return exp !== undefined && exp - EXPIRY_MARGIN_SECONDS <= nowSeconds;
}

/** Never shows a secret or token: used for every message built from a token-endpoint failure. */
function redact(text: string, credentials: ICredentialDataDecryptedObject): string {
	let out = text;
	for (const secret of [credentials.clientSecret, accessToken(credentials)]) {
		if (typeof secret === 'string' && secret.length >= 4) out = out.split(secret).join('[redacted]');
	}
	return out;
}

async function renew(context: IExecuteSingleFunctions, credentialType: string, credentials: ICredentialDataDecryptedObject) {
	let failure: { message?: string; body?: IDataObject } | undefined;
	try {
		await context.helpers.refreshOAuth2Token.call(context, credentialType);
	} catch (error) {
		failure = (error ?? {}) as { message?: string; body?: IDataObject };
	}
	if (failure) {
		const body = failure.body ?? {};
		const detail = [body.error, body.error_description].filter(Boolean).join(': ');
		const reason = redact(detail || failure.message || 'no answer', credentials);
		throw new NodeOperationError(context.getNode(), `3CX did not issue an access token: ${reason}`, {
			itemIndex: context.getItemIndex(),
			description:
				'Check the Base URL, Client ID and Client Secret (API key) of the 3CX credential. The client is created ' +
				'in the 3CX Admin console under Integrations > API and needs access to the Configuration API (XAPI).',
		});
	}
	const stored = await context.getCredentials(credentialType);
	return accessToken(stored);
}

/** Makes sure a usable token is stored before the request is signed; returns that token. */
export async function ensureToken(
	context: IExecuteSingleFunctions,
	credentialType: string,
	credentials: ICredentialDataDecryptedObject,
): Promise<string | undefined> {
	const token = accessToken(credentials);
	if (token && !isExpired(token)) return token;
	return await renew(context, credentialType, credentials);
}

export function rememberRequest(context: IExecuteSingleFunctions, options: IHttpRequestOptions, token: string | undefined) {
	requests.set(context, { options, token });
}

/**
 * After a 401: renews the token (unless another item already did) and sends the same request once
 * more. A second 401 is an error that explains what usually causes it.
 */
export async function retryAfterUnauthorized(
	context: IExecuteSingleFunctions,
	credentialType: string,
): Promise<IN8nHttpFullResponse> {
	const remembered = requests.get(context);
	if (!remembered) {
		throw new NodeOperationError(context.getNode(), '3CX refused the access token (401)');
	}
	const credentials = await context.getCredentials(credentialType);
	let token = accessToken(credentials);
	if (!token || token === remembered.token) token = await renew(context, credentialType, credentials);
	const options: IHttpRequestOptions = { ...remembered.options, returnFullResponse: true, ignoreHttpStatusErrors: true };
	const response = (await context.helpers.httpRequestWithAuthentication.call(
		context,
		credentialType,
		options,
	)) as IN8nHttpFullResponse;
	requests.set(context, { options: remembered.options, token });
	if (response.statusCode === 401) {
		throw new NodeApiError(context.getNode(), (response.body ?? {}) as JsonObject, {
			httpCode: '401',
			itemIndex: context.getItemIndex(),
			message: '3CX refused the access token again after it was renewed (401)',
			description:
				'The API client may lack access to the Configuration API (XAPI), or another system is using the same ' +
				'Client ID: 3CX keeps one valid token per client and invalidates it when anyone fetches a new one. ' +
				'Give each integration its own API client in the 3CX Admin console (Integrations > API).',
		});
	}
	return response;
}
