/**
 * What a failed token request or a refused token means, in words: the errors of the token
 * discipline (token.ts, settle.ts). They say what failed (refused, unknown host, TLS, HTTP status,
 * no token in the answer, a token refused again) and never show the client secret or a token.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { itemIndexOf, type ClientContext } from './context';
import { nodeApiError } from './errors';
import { redact } from './secrets';

export interface TokenFailure {
	message: string;
	description: string;
	httpCode?: string;
}

function secretsOf(credentials: ICredentialDataDecryptedObject): string[] {
	const data = (credentials.oauthTokenData ?? {}) as IDataObject;
	return [credentials.clientSecret, data.access_token, data.refresh_token].filter(
		(s): s is string => typeof s === 'string' && s.length >= 4,
	);
}

const CHECK_CLIENT =
	'Check the Client ID and Client Secret (API key) of the 3CX credential. The client is created in the 3CX Admin ' +
	'console under Integrations > API and needs access to the Configuration API (XAPI).';

export const SIGN_IN_AGAIN =
	'The credential signs in as a 3CX user (Authorization Code with PKCE): open it and connect it (sign in) again. ' +
	'For unattended workflows, an API client (Client Credentials) does not need this.';

/** Whether the credential signs in as a user (PKCE) instead of using an API client. */
export function signsIn(credentials: ICredentialDataDecryptedObject): boolean {
	return typeof credentials.grantType === 'string' && credentials.grantType !== 'clientCredentials';
}

/** The token URL without any user name or password in it, for messages. */
export function tokenUrlOf(credentials: ICredentialDataDecryptedObject): string {
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

export function tokenError(context: ClientContext, failure: TokenFailure) {
	return nodeApiError(
		context.getNode(),
		{ message: failure.message, ...(failure.httpCode ? { httpCode: failure.httpCode } : {}) },
		{ ...failure, itemIndex: itemIndexOf(context) },
	);
}

/**
 * A token 3CX refused again after a renewal: either this process renewed it and 3CX still refuses
 * it, or other processes kept replacing it on every try (`tries` of them).
 */
export function refusedAgain(context: ClientContext, replacedMeanwhile: boolean, tries: number) {
	const message = replacedMeanwhile
		? `3CX refused the access token on ${tries} tries (401), while other n8n processes kept replacing it`
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
