/**
 * The response handler: one postReceive hook that every operation runs. Requests are sent with
 * HTTP errors ignored so that this hook sees every answer. The client settles it on its one
 * answer path (a 401 renews the token and retries once, 3CX's errors become n8n errors, an HTML
 * page or broken JSON where JSON was expected is refused: client/settle.ts); this hook makes items
 * of what is left: a file, one item per entity of a collection, and a usable item of an empty
 * (204) answer (`{ deleted: true }` for a delete, `{ success: true }` otherwise).
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteSingleFunctions,
	type IN8nHttpFullResponse,
	type INodeExecutionData,
} from 'n8n-workflow';

// Call Control (issue 18): 3CX's refusals (finalstatus, reasontext) become errors
import { CALL_CONTROL_RESOURCE, refusedReason, withReasonText } from '../resources/callControl';
import { CUSTOM_RESOURCE } from '../resources/customApiCall';
import { generatedFrom, isBinaryBody, parseBody, settleRoutedAnswer } from '../../client';
import { fileItem } from './files';
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
	const { name, spec } = selectedOperation(this);
	const generated = spec.resource !== CUSTOM_RESOURCE && spec.resource !== CALL_CONTROL_RESOURCE;
	const settling = settleRoutedAnswer(this, response, {
		expect: spec.file ? 'fileOrJson' : 'json',
		// a 404/405 from a server of another build is explained for the generated operations
		builtFrom: generated ? generatedFrom : undefined,
	});
	// Call Control (issue 18): 3CX's own words (reasontext) go into the error's message
	const answer = spec.resource === CALL_CONTROL_RESOURCE ? await withReasonText(settling, response.body) : await settling;
	// a body still in bytes is a file (settle turned any other answer into text)
	if (spec.file && isBinaryBody(answer.body)) return await fileItem(this, answer, name);
	const raw = answer.body;
	if (raw === undefined || raw === null || raw === '' || answer.statusCode === 204) {
		// n8n's convention: a delete says what it did; other empty answers say they succeeded
		return [{ json: spec.method === 'DELETE' ? { deleted: true } : { success: true } }];
	}
	const body = parseBody(raw);
	if (spec.resource === CALL_CONTROL_RESOURCE) {
		// Call Control (issue 18): a 2xx answer whose finalstatus says 3CX refused the action
		const refused = refusedReason(body);
		if (refused) {
			throw new NodeOperationError(this.getNode(), `3CX refused the ${name} request: ${refused}`, {
				itemIndex: this.getItemIndex(),
				description: 'The call may have ended or changed meanwhile; Get Participants shows its current state.',
			});
		}
	}
	rememberCount(this, body);
	if (spec.response === 'collection' && body && typeof body === 'object' && Array.isArray((body as IDataObject).value)) {
		const wantsCount =
			spec.options !== undefined && !isPaging(this) && this.getNodeParameter(`${spec.options}.count`, false) === true;
		if (!wantsCount) return toItems((body as IDataObject).value);
	}
	return toItems(body);
}
