import {
	NodeConnectionTypes,
	NodeOperationError,
	sleep,
	type IDataObject,
	type ILoadOptionsFunctions,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE, xapiJson } from '../client';
import { dnTypeName, type DnInfo, type Filters, type LiveEvent } from './calls';
import { LiveCallListener } from './listener';

const ALL_EVENTS: LiveEvent[] = ['callRinging', 'callAnswered', 'callEnded', 'dtmfReceived', 'participantUpdated'];
/** How long "Listen for Test Event" waits for a matching call before it says nothing came. */
export const TEST_EVENT_WAIT_MS = 120_000;

/**
 * The 3CX Live Call Trigger: starts a workflow while a call rings, is answered or ends, or when a
 * caller presses keys, from 3CX's Call Control API (a WebSocket held open while the workflow is
 * active). The polling 3CX Trigger sees calls only after they ended; this one sees them live.
 * What it reports and how it connects: calls.ts and listener.ts.
 */
export class ThreeCxLiveCallTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: '3CX Live Call Trigger',
		name: 'threeCxLiveCallTrigger',
		icon: { light: 'file:../../icons/3cx.svg', dark: 'file:../../icons/3cx.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "Live: " + ($parameter["events"] || []).join(", ") }}',
		description: 'Starts the workflow the moment a 3CX call rings, is answered, ends or gets key presses (Call Control API)',
		defaults: {
			name: '3CX Live Call Trigger',
		},
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: CREDENTIAL_TYPE,
				required: true,
			},
		],
		properties: [
			{
				displayName:
					'Needs a 3CX Enterprise licence and an API client (Admin console > Integrations > API) whose Client ID is a route ' +
					'point and which has 3CX Call Control API Access. It sees the route point and the extensions and queues added to ' +
					'the API client.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: [
					{
						name: 'Any Change',
						value: 'anyChange',
						description: 'Every change of a call on a monitored DN, each once',
					},
					{
						name: 'Call Answered',
						value: 'callAnswered',
						description: 'A call on a monitored DN is connected',
					},
					{
						name: 'Call Ended',
						value: 'callEnded',
						description: 'A call leaves a monitored DN (hung up, transferred away or never answered)',
					},
					{
						name: 'Call Ringing',
						value: 'callRinging',
						description: 'A call reaches a monitored DN, or a monitored DN dials out',
					},
					{
						name: 'DTMF Received',
						value: 'dtmfReceived',
						description: 'The caller pressed keys',
					},
				],
				default: ['callRinging'],
				description: 'Which changes start the workflow; each change starts it once, with one item',
			},
			{
				displayName: 'DN Names or IDs',
				name: 'dns',
				type: 'multiOptions',
				typeOptions: {
					loadOptionsMethod: 'getDns',
				},
				default: [],
				description:
					'Only calls on these DNs (extensions, queues, route point); none: every DN the API client sees. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Direction',
				name: 'direction',
				type: 'options',
				options: [
					{ name: 'Any', value: 'any' },
					{ name: 'Inbound', value: 'inbound', description: 'A call from outside rings at the DN' },
					{ name: 'Internal', value: 'internal', description: 'The other party is an extension' },
					{ name: 'Outbound', value: 'outbound', description: 'The DN dials out' },
				],
				default: 'any',
				description: 'Only calls in this direction',
			},
		],
	};

	methods = {
		loadOptions: {
			async getDns(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const full = await xapiJson<DnInfo[]>(this, { method: 'GET', api: 'callcontrol', path: '' });
				return (Array.isArray(full) ? full : [])
					.filter((info) => info && typeof info.dn === 'string')
					.map((info) => ({ name: `${info.dn} (${dnTypeName(info.type)})`, value: String(info.dn) }))
					.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
			},
		},
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const filters = readFilters(this);
		const node = this.getNode();
		const manual = this.getMode() === 'manual';
		let emitted = 0;
		const listener = new LiveCallListener(this, filters, {
			emit: (item: IDataObject) => {
				emitted++;
				this.emit([this.helpers.returnJsonArray([item])]);
			},
			fail: (error: Error) => this.emitError(error),
			log: (level, message) => this.logger[level](message, { node: node.name, workflowId: this.getWorkflow().id }),
		});

		const closeFunction = async () => {
			await listener.close();
		};

		if (!manual) {
			await listener.start();
			return { closeFunction };
		}

		// Listen for Test Event: connect, wait for the next matching change, say so if none comes
		const manualTriggerFunction = async () => {
			await listener.start();
			const end = Date.now() + TEST_EVENT_WAIT_MS;
			void (async () => {
				while (emitted === 0 && listener.mode !== 'closed' && Date.now() < end) await sleep(Math.min(250, end - Date.now()));
				if (emitted === 0 && listener.mode !== 'closed') {
					this.emitError(
						new NodeOperationError(node, `No matching 3CX call event arrived within ${TEST_EVENT_WAIT_MS / 1000} seconds`, {
							description: `Listening for ${[...filters.events].join(', ')} on ${filters.dns.size ? [...filters.dns].join(', ') : 'every DN the API client sees'}` +
								`${filters.direction === 'any' ? '' : ` (${filters.direction} only)`}. Place a call to one of these DNs and listen again.`,
						}),
					);
				}
			})();
		};
		return { closeFunction, manualTriggerFunction };
	}
}

function readFilters(context: ITriggerFunctions): Filters {
	const node = context.getNode();
	const events = context.getNodeParameter('events', []) as string[];
	if (!Array.isArray(events) || events.length === 0) {
		throw new NodeOperationError(node, 'Events: choose at least one event', { description: 'Nothing would start the workflow.' });
	}
	const chosen = new Set<LiveEvent>();
	for (const event of events) {
		if (event === 'anyChange') ALL_EVENTS.forEach((e) => chosen.add(e));
		else if ((ALL_EVENTS as string[]).includes(event)) chosen.add(event as LiveEvent);
		else throw new NodeOperationError(node, `Events: "${String(event)}" is not one of ${['anyChange', ...ALL_EVENTS].join(', ')}`);
	}
	const rawDns = context.getNodeParameter('dns', []) as unknown;
	const list = Array.isArray(rawDns) ? rawDns : typeof rawDns === 'string' ? rawDns.split(',') : [];
	const dns = new Set(list.map((dn) => String(dn).trim()).filter(Boolean));
	for (const dn of dns) {
		if (!/^[\w*#+.-]{1,32}$/.test(dn)) throw new NodeOperationError(node, `DN Names or IDs: "${dn}" is not a DN number`);
	}
	const direction = String(context.getNodeParameter('direction', 'any'));
	if (!['any', 'inbound', 'outbound', 'internal'].includes(direction)) {
		throw new NodeOperationError(node, `Direction: "${direction}" is not one of any, inbound, outbound, internal`);
	}
	return { events: chosen, dns, direction: direction as Filters['direction'] };
}
