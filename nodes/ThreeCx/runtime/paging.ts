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

export const PAGE_SIZE = 100;

/** Per item: the @odata.count of the last page the response handler saw. */
const counts = new WeakMap<object, number>();
/** Items whose requests are being paged by `paginate`. */
const paging = new WeakSet<object>();

/** The item's context as the response handler sees it (pagination wraps it in a child object). */
function itemContext(context: object): object {
	let current: object | null = context;
	while (current && !Object.prototype.hasOwnProperty.call(current, 'getNodeParameter')) {
		const parent: object | null = Object.getPrototypeOf(current);
		if (!parent || parent === Object.prototype) break;
		current = parent;
	}
	return current ?? context;
}

export function isPaging(context: IExecuteSingleFunctions): boolean {
	return paging.has(itemContext(context));
}

export function rememberCount(context: IExecuteSingleFunctions, body: unknown): void {
	const count = body && typeof body === 'object' ? (body as IDataObject)['@odata.count'] : undefined;
	if (typeof count === 'number') counts.set(itemContext(context), count);
}

export async function paginate(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const qs = (requestData.options.qs ??= {}) as IDataObject;
	const max = requestData.maxResults === undefined ? undefined : Number(requestData.maxResults);
	const key = itemContext(this);
	paging.add(key);
	const results: INodeExecutionData[] = [];
	let skip = 0;
	for (;;) {
		const top = max === undefined ? PAGE_SIZE : Math.min(PAGE_SIZE, max - results.length);
		if (top <= 0) break;
		qs.$top = top;
		qs.$skip = skip;
		qs.$count = true;
		counts.delete(key);
		const page = await this.makeRoutingRequest(requestData);
		results.push(...page);
		skip += page.length;
		const total = counts.get(key);
		if (page.length < top || (total !== undefined && skip >= total)) break;
	}
	return results;
}
