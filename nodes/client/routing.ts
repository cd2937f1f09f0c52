/**
 * The action node's requests as n8n's RoutingNode sends them (declarative routing): the request
 * builder (preSend) prepares each item's request here, and the response handler (postReceive)
 * settles its answer here, on the same path as every other request of the client.
 *
 * Per run of the node: ONE read of the credential, shared by its items (n8n would read it once per
 * item, decrypting it and evaluating its expressions each time); n8n signs each request with that
 * read when its turn in the credential's window comes, with the newest token this process knows.
 * Renewals and later pages read the store again. What a request was signed with stays with its
 * item (itemState.ts); the shared read stays with the run (its execute data), and goes with it.
 */
import {
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type IExecuteSingleFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
} from 'n8n-workflow';

import { itemSlot } from './itemState';
import { keepSecret } from './secrets';
import { signItemRequests, type Attempt } from './send';
import { settle, type SettleOptions } from './settle';
import { CREDENTIAL_TYPE, checkBaseUrl } from './server';
import { ensureToken, type Ready } from './token';

const signed = itemSlot<Attempt>('signed request');

/** Per run of the node (its execute data, one object for all its items): the credential as read once. */
const runReads = new WeakMap<object, Promise<ICredentialDataDecryptedObject>>();

/** The credential as this run of the node read it (read now by the run's first item). */
async function credentialOfRun(item: IExecuteSingleFunctions): Promise<ICredentialDataDecryptedObject> {
	const run: unknown = item.getExecuteData();
	if (!run || typeof run !== 'object') return await item.getCredentials(CREDENTIAL_TYPE);
	let read = runReads.get(run);
	if (!read) {
		const started = item.getCredentials(CREDENTIAL_TYPE);
		runReads.set(run, started);
		// a failed read is not kept: the run's next item reads again
		started.catch(() => runReads.get(run) === started && runReads.delete(run));
		read = started;
	}
	return await read;
}

/**
 * Prepares the item's request (`options`, as the request builder wrote it): the run's credential
 * read, its Base URL checked, a usable token; n8n will sign the request with exactly that read (or
 * the newest token a renewal put in its place). Ignore SSL Issues of the credential applies (the
 * node's own Request Options may also set it).
 */
export async function prepareRoutedRequest(item: IExecuteSingleFunctions, options: IHttpRequestOptions): Promise<Ready> {
	const credentials = await credentialOfRun(item);
	checkBaseUrl(item, credentials.baseUrl);
	const ready = await ensureToken(item, credentials);
	const attempt = signed.start(item, { options, token: ready.token, secrets: new Set() });
	keepSecret(attempt.secrets, ready.token);
	signItemRequests(item, ready, attempt);
	if (ready.credentials.ignoreSSLIssues === true) options.skipSslCertificateValidation = true;
	return ready;
}

/** The item's answer, settled (settle.ts): a usable answer or the error that says why there is none. */
export async function settleRoutedAnswer(
	item: IExecuteSingleFunctions,
	response: IN8nHttpFullResponse,
	options: SettleOptions = {},
): Promise<IN8nHttpFullResponse> {
	const attempt = signed.of(item);
	if (!attempt) {
		if (response.statusCode === 401) throw new NodeOperationError(item.getNode(), '3CX refused the access token (401)');
		return await settle(item, response, { options: { url: '' }, token: undefined, secrets: new Set() }, options);
	}
	return await settle(item, response, attempt, options);
}
