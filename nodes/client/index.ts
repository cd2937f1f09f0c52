/**
 * The one 3CX client every node of this package imports, from here and nowhere else:
 *
 *   server.ts      where the server is: CREDENTIAL_TYPE, the Base URL clean-up (serverUrl and the
 *                  same as n8n expressions for the credential and requestDefaults), API roots
 *   token.ts       the token discipline: one token per credential, renewed before it expires and
 *                  once after a 401, shared by items, nodes, executions and queue-mode workers
 *   send.ts        sending: signed when sent with the newest token, within the credential's window
 *   settle.ts      the one answer path: 401 -> renew and retry -> error -> unusable answer
 *   request.ts     one authenticated request (clientRequest / xapiRequest, xapiJson)
 *   routing.ts     the same for the action node's requests, sent by n8n's RoutingNode
 *   errors.ts      error mapping (3CX answers -> n8n errors); tokenErrors.ts: token failures
 *   answer.ts      reading answers: headers, bodies, HTML, files -> n8n binary data
 *   secrets.ts     keeping secrets out of messages
 *   odata.ts       OData literals and the checks that name the field
 *   itemState.ts   per-item state slots, kept on the item's own context
 *   context.ts     the n8n contexts the client serves
 *   generated/     constants the generator emits for every node (page size, binary field names)
 */
export {
	binaryFromAnswer,
	bodyBuffer,
	bodyText,
	fileNameOf,
	header,
	isBinaryBody,
	isFileResponse,
	mimeTypeOf,
	parseBody,
	type AnswerFile,
} from './answer';
export * from './generated/constants';
export { itemIndexOf, type ClientContext, type XapiContext } from './context';
export { apiError, nodeApiError, unusableAnswerError, type SpecBuild } from './errors';
export { itemSlot, type ItemSlot } from './itemState';
export * from './odata';
export { clientRequest, xapiJson, xapiRequest, type ClientRequest, type XapiRequest } from './request';
export { prepareRoutedRequest, settleRoutedAnswer } from './routing';
export { keepSecret, redact } from './secrets';
export { type Attempt } from './send';
export { API_ROOT, apiUrl, checkBaseUrl, CREDENTIAL_TYPE, serverAddressExpression, serverUrl, serverUrlExpression, type Api } from './server';
export { settle, type Expecting, type SettleOptions } from './settle';
export { connectionTarget, currentToken, tokenAfterRefusal, type Ready } from './token';
