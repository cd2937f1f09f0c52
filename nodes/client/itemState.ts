/**
 * Per-item state: what one item's request needs to remember between n8n's calls into a node for
 * that item (the request builder, the response handler, paging). It lives on the item's own
 * context object, the ExecuteSingleContext n8n-core creates for every item of every execution, so
 * nothing outlives the item and no two items (of one execution or of two) ever share it.
 *
 * Each owner declares its own slot (`itemSlot`): the client keeps what a request was signed with,
 * the action node what its request builder decided (nodes/ThreeCx/runtime/routing.ts).
 *
 * n8n-core runs paging on a child of that context (`Object.create(itemContext)`) and calls the
 * response handler with the item context itself; the state is an own property of the item
 * context, so the child reads the same object through its prototype, and a property written
 * through the child (its own state) is never created: only the shared object is changed.
 *
 * (Not a module-level map: n8n-core 2.41 keeps the context's methods on prototypes shared by
 * every item, so anything keyed on a prototype would be shared by all of them.)
 */

export interface ItemSlot<T> {
	/** Gives the item its own new state in this slot (once per item and run). */
	start(context: object, state: T): T;
	/** The item's state as the item context or any child of it (paging) sees it; undefined before start. */
	of(context: object): T | undefined;
}

/** A slot of per-item state, named for what it holds. */
export function itemSlot<T>(name: string): ItemSlot<T> {
	const key = Symbol(`n8n-nodes-3cx ${name}`);
	return {
		start(context, state) {
			Object.defineProperty(context, key, { value: state, configurable: true, enumerable: false, writable: false });
			return state;
		},
		of(context) {
			return (context as { [key: symbol]: T | undefined })[key];
		},
	};
}
