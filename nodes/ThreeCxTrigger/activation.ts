/**
 * Activation with n8n's durable poll cursors (N8N_POLLER_DURABLE_CURSORS_ENABLED): n8n runs the
 * activation poll in a staging scope and commits its static data only with an execution; a poll
 * that emits nothing at activation is not committed. The trigger's first poll ("now", the overlap
 * window remembered, nothing emitted) would be dropped, and the first scheduled poll would start
 * from ITS "now": calls between activation and that poll would be lost.
 *
 * n8n 2.41 creates one poll context per activated trigger node and uses it for the activation poll
 * and every scheduled poll (ActiveWorkflowTriggers.activatePollTrigger). The activation state is
 * therefore also kept on that context (a non-enumerable property, never in a module-level map):
 * a poll that finds no committed state but an armed one continues from it. In legacy mode (static
 * data saved as it is) the committed state is there and this is not used.
 */
import type { IDataObject } from 'n8n-workflow';

import type { CursorState } from './cursor';

const ARMED = Symbol('n8n-nodes-3cx trigger activation state');

type Armed = { event: string; state: CursorState };

/** Keeps the activation state on the poll context. */
export function arm(context: object, state: CursorState): void {
	const value: Armed = { event: state.event, state: JSON.parse(JSON.stringify(state)) as CursorState };
	Object.defineProperty(context, ARMED, { value, configurable: true, enumerable: false, writable: true });
}

/** The activation state kept on this poll context for `event`, as static data, or undefined. */
export function armedState(context: object, event: string): IDataObject | undefined {
	const armed = (context as { [ARMED]?: Armed })[ARMED];
	if (!armed || armed.event !== event) return undefined;
	return JSON.parse(JSON.stringify(armed.state)) as IDataObject;
}
