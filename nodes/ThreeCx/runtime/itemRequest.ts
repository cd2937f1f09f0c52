/**
 * What the request builder decided for one item, kept with the item (the client's itemSlot) for
 * the response handler and paging: the operation (read once per item), whether paging reads the
 * request page by page, and the @odata.count of the last page.
 */
import { itemSlot } from '../../client';
import type { OperationSpec } from './types';

export interface ItemRequest {
	/** The selected operation's name and its table entry. */
	operation: string;
	spec: OperationSpec;
	/** Whether `paginate` is reading this item's request page by page. */
	paging: boolean;
	/** The @odata.count of the last page the response handler saw. */
	count?: number;
}

export const itemRequest = itemSlot<ItemRequest>('item request');
