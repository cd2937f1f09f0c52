/**
 * Per-item state: what one item's request needs to remember between the request builder
 * (preSend), the response handler (postReceive) and paging. It lives on the item's own context
 * object, the ExecuteSingleContext n8n-core creates for every item of every execution, so nothing
 * outlives the item and no two items (of one execution or of two) ever share it.
 *
 * n8n-core runs paging on a child of that context (`Object.create(itemContext)`) and calls the
 * response handler with the item context itself; the state is an own property of the item
 * context, so the child reads the same object through its prototype, and a property written
 * through the child (its own state) is never created: only the shared object is changed.
 *
 * (Not a module-level map: n8n-core 2.41 keeps the context's methods on prototypes shared by
 * every item, so anything keyed on a prototype would be shared by all of them.)
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

export interface ItemState {
	/** The request as the builder wrote it and the token it expected to be signed with. */
	request?: { options: IHttpRequestOptions; token: string | undefined };
	/** Tokens this item's requests carried: an answer echoing one never shows it. */
	secrets: Set<string>;
	/** Whether `paginate` is reading this item's request page by page. */
	paging: boolean;
	/** The @odata.count of the last page the response handler saw. */
	count?: number;
}

const STATE = Symbol('n8n-nodes-3cx item state');

/** Gives the item its own new state (the request builder calls this once per item and run). */
export function startItemState(context: object): ItemState {
	const state: ItemState = { secrets: new Set(), paging: false };
	Object.defineProperty(context, STATE, { value: state, configurable: true, enumerable: false, writable: false });
	return state;
}

/** The item's state as the item context or any child of it (paging) sees it; undefined before preSend. */
export function itemState(context: object): ItemState | undefined {
	return (context as { [STATE]?: ItemState })[STATE];
}
