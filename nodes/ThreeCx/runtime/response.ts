/**
 * The response handler: one postReceive hook that every operation runs. Requests are sent with
 * HTTP errors ignored so that this hook sees every answer and can
 * - renew the token and retry once after a 401 (see token.ts),
 * - turn 3CX's OData errors into n8n errors with the status, the message and the WARNINGS.XAPI details,
 * - refuse an HTML page where JSON was expected (a proxy's error page answering 200) and JSON that
 *   does not parse (the error mapping lives in errors.ts),
 * - make one item per entity of a collection, and a usable item of an empty (204) answer
 *   (`{ deleted: true }` for a delete, `{ success: true }` otherwise).
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteSingleFunctions,
	type IN8nHttpFullResponse,
	type INodeExecutionData,
} from 'n8n-workflow';

import { CUSTOM_RESOURCE } from '../custom';
// Call Control (issue 18): 3CX's refusals (finalstatus, reasontext) become errors
import { CALL_CONTROL_RESOURCE, refusedReason, withReasonText } from '../resources/callControl';
import {
	apiError,
	bodyText,
	CREDENTIAL_TYPE,
	fileItem,
	isFileResponse,
	itemState,
	parseBody,
	retryAfterUnauthorized,
	unusableAnswerError,
} from '../../client';
import { isPaging, rememberCount } from './paging';
import { selectedOperation } from './request';

function toItems(json: unknown): INodeExecutionData[] {
	if (Array.isArray(json)) return json.map((entry) => ({ json: asObject(entry) }));
	return [{ json: asObject(json) }];
}

function asObject(value: unknown): IDataObject {
	if (value && typeof value === 'object' && !Array.isArray(value)) return value as IDataObject;
	return { value: value as IDataObject[keyof IDataObject] };
}

export async function handleResponse(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	let answer = response;
	const state = itemState(this);
	if (answer.statusCode === 401) {
		if (!state?.request) throw new NodeOperationError(this.getNode(), '3CX refused the access token (401)');
		const { options, token } = state.request;
		const attempt = { options, token, secrets: state.secrets };
		answer = await retryAfterUnauthorized(this, CREDENTIAL_TYPE, attempt);
		state.request = { options, token: attempt.token };
	}
	const { name, spec } = selectedOperation(this);
	if (answer.statusCode >= 400 && spec.resource === CALL_CONTROL_RESOURCE) {
		throw withReasonText(apiError(this, answer, state?.secrets, false), answer.body); // issue 18
	}
	if (answer.statusCode >= 400) throw apiError(this, answer, state?.secrets, spec.resource !== CUSTOM_RESOURCE);
	if (spec.resource === CALL_CONTROL_RESOURCE) {
		// issue 18: a 2xx answer whose finalstatus says 3CX refused the action
		const refused = refusedReason(parseBody(answer.body));
		if (refused) {
			throw new NodeOperationError(this.getNode(), `3CX refused the ${name} request: ${refused}`, {
				itemIndex: this.getItemIndex(),
				description: 'The call may have ended or changed meanwhile; Get Participants shows its current state.',
			});
		}
	}

	if (spec.file && (Buffer.isBuffer(answer.body) || answer.body instanceof ArrayBuffer)) {
		if (isFileResponse(answer)) return await fileItem(this, answer, name);
		// Not a file after all: text for the usual JSON handling below.
		answer = { ...answer, body: bodyText(Buffer.from(answer.body as Buffer)) };
	}
	const raw = answer.body;
	if (raw === undefined || raw === null || raw === '' || answer.statusCode === 204) {
		// n8n's convention: a delete says what it did; other empty answers say they succeeded
		return [{ json: spec.method === 'DELETE' ? { deleted: true } : { success: true } }];
	}
	const unusable = unusableAnswerError(this, answer);
	if (unusable) throw unusable;
	const body = parseBody(raw);
	rememberCount(this, body);
	if (spec.response === 'collection' && body && typeof body === 'object' && Array.isArray((body as IDataObject).value)) {
		const wantsCount =
			spec.options !== undefined && !isPaging(this) && this.getNodeParameter(`${spec.options}.count`, false) === true;
		if (!wantsCount) return toItems((body as IDataObject).value);
	}
	return toItems(body);
}
