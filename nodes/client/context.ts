/**
 * The n8n contexts the client serves: anything with getCredentials, getNode and the request
 * helpers (httpRequestWithAuthentication, refreshOAuth2Token): an item of the action node
 * (execute-single), a whole execution, a list search (load options), a poll, and a trigger's
 * activation (a WebSocket or webhook trigger: ITriggerFunctions, IWebhookFunctions).
 */
import type {
	IExecuteFunctions,
	IExecuteSingleFunctions,
	ILoadOptionsFunctions,
	IPollFunctions,
	ITriggerFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

export type ClientContext =
	| IExecuteSingleFunctions
	| IExecuteFunctions
	| ILoadOptionsFunctions
	| IPollFunctions
	| ITriggerFunctions
	| IWebhookFunctions;

/** The earlier name of ClientContext, from when the client spoke XAPI only. */
export type XapiContext = ClientContext;

/** The item index of a context that runs per item (execute-single); undefined for the others. */
export function itemIndexOf(context: ClientContext): number | undefined {
	const single = context as { getItemIndex?: () => number };
	return typeof single.getItemIndex === 'function' ? single.getItemIndex() : undefined;
}
