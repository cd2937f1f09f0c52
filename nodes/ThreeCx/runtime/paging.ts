/**
 * Return All and Limit: pages of at most 100 with $top/$skip (3CX refuses more on some sets and
 * sends no nextLink). Each page asks for @odata.count, so paging stops as soon as every entity has
 * been read: 10,000 users take exactly 100 requests. Without a count (a server that ignores
 * $count), a short page ends it.
 */
import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
} from 'n8n-workflow';

import { PAGE_SIZE } from '../../client';
import { itemRequest } from './itemRequest';

export function isPaging(context: IExecuteSingleFunctions): boolean {
	return itemRequest.of(context)?.paging === true;
}

export function rememberCount(context: IExecuteSingleFunctions, body: unknown): void {
	const count = body && typeof body === 'object' ? (body as IDataObject)['@odata.count'] : undefined;
	const state = itemRequest.of(context);
	if (state && typeof count === 'number') state.count = count;
}

export async function paginate(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const qs = (requestData.options.qs ??= {}) as IDataObject;
	const max = requestData.maxResults === undefined ? undefined : Number(requestData.maxResults);
	// the item's state (created by the request builder), read through this child context
	const state = itemRequest.of(this);
	if (state) state.paging = true;
	const results: INodeExecutionData[] = [];
	let skip = 0;
	for (;;) {
		const top = max === undefined ? PAGE_SIZE : Math.min(PAGE_SIZE, max - results.length);
		if (top <= 0) break;
		qs.$top = top;
		qs.$skip = skip;
		qs.$count = true;
		if (state) state.count = undefined;
		const page = await this.makeRoutingRequest(requestData);
		results.push(...page);
		skip += page.length;
		const total = state?.count;
		if (page.length < top || (total !== undefined && skip >= total)) break;
	}
	return results;
}
