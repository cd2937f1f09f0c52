import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

import { BINARY_OUTPUT_FIELD, CREDENTIAL_TYPE } from '../client';
import {
	DEFAULT_LONGEST_CALL_MINUTES,
	DEFAULT_TRANSCRIPT_WAIT_MINUTES,
	eventByValue,
	EVENTS,
	type EventFilters,
	type FilterName,
} from './events';
import { poll } from './poll';

/** Events that show a filter, read from the event table. */
function showFor(filter: FilterName): string[] {
	return EVENTS.filter((event) => event.filters.includes(filter)).map((event) => event.value);
}

const CALL_EVENTS = EVENTS.filter((event) => event.timeField === 'StartTime').map((event) => event.value);
const AUDIO_EVENTS = EVENTS.filter((event) => event.audio).map((event) => event.value);

const properties: INodeProperties[] = [
	{
		displayName: 'Event',
		name: 'event',
		type: 'options',
		noDataExpression: true,
		required: true,
		default: 'missedCall',
		options: EVENTS.map((event) => ({ name: event.name, value: event.value, description: event.description })),
	},
	{
		displayName: 'Direction',
		name: 'directions',
		type: 'multiOptions',
		default: [],
		description: 'Only calls in these directions; none selected means any direction',
		options: [
			{ name: 'Inbound', value: 'inbound' },
			{ name: 'Outbound', value: 'outbound' },
			{ name: 'Internal', value: 'internal' },
		],
		displayOptions: { show: { event: showFor('directions') } },
	},
	{
		displayName: 'Answered',
		name: 'answered',
		type: 'options',
		default: 'any',
		options: [
			{ name: 'Any', value: 'any' },
			{ name: 'Answered', value: 'answered' },
			{ name: 'Not Answered', value: 'notAnswered' },
		],
		displayOptions: { show: { event: showFor('answered') } },
	},
	{
		displayName: 'Extension or Queue Numbers',
		name: 'numbers',
		type: 'string',
		default: '',
		placeholder: '100, 800',
		description:
			'Only events that involve one of these numbers (extensions, queues, ring groups, caller numbers), separated by commas; empty means all',
		displayOptions: { show: { event: showFor('numbers') } },
	},
	{
		displayName: 'Types',
		name: 'eventTypes',
		type: 'multiOptions',
		default: [],
		description: 'Only entries of these types; none selected means all',
		options: [
			{ name: 'Error', value: 'Error' },
			{ name: 'Warning', value: 'Warning' },
			{ name: 'Info', value: 'Info' },
		],
		displayOptions: { show: { event: showFor('eventTypes') } },
	},
	{
		displayName: 'Emit',
		name: 'emitWhen',
		type: 'options',
		default: 'recorded',
		options: [
			{
				name: 'When Recorded',
				value: 'recorded',
				description: 'As soon as 3CX lists the recording; Transcription and Summary may still be empty',
			},
			{
				name: 'When Transcribed',
				value: 'transcribed',
				description: 'Once 3CX has transcribed the recording, or after the longest wait without its transcript',
			},
		],
		displayOptions: { show: { event: ['newRecording'] } },
	},
	{
		displayName: 'Longest Wait (Minutes)',
		name: 'longestWaitMinutes',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1440 },
		default: DEFAULT_TRANSCRIPT_WAIT_MINUTES,
		description: 'A recording that is still not transcribed after this long is emitted without its transcript',
		displayOptions: { show: { event: ['newRecording'], emitWhen: ['transcribed'] } },
	},
	{
		displayName: 'Download Audio',
		name: 'downloadAudio',
		type: 'boolean',
		default: false,
		description: 'Whether to add the recording (WAV) to each item as binary data',
		displayOptions: { show: { event: AUDIO_EVENTS } },
	},
	{
		displayName: 'Put Output File in Field',
		name: BINARY_OUTPUT_FIELD,
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the recording in',
		displayOptions: { show: { event: AUDIO_EVENTS, downloadAudio: [true] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { event: CALL_EVENTS } },
		options: [
			{
				displayName: 'Longest Call (Minutes)',
				name: 'longestCallMinutes',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 1440 },
				default: DEFAULT_LONGEST_CALL_MINUTES,
				description:
					'3CX logs a call when it ends, under the time it started. Each poll looks back this far (plus a few minutes for legs that arrive late) so that long calls are not missed; calls that last longer are.',
			},
		],
	},
];

function filtersOf(context: IPollFunctions, event: string): EventFilters {
	const spec = eventByValue(event);
	const uses = (name: FilterName) => spec?.filters.includes(name) ?? false;
	const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
	const numbersText = uses('numbers') ? String(context.getNodeParameter('numbers', '') ?? '') : '';
	const numbers = numbersText
		.split(/[,;\s]+/)
		.map((n) => n.trim())
		.filter(Boolean);
	const answered = uses('answered') ? String(context.getNodeParameter('answered', 'any')) : 'any';
	if (!['any', 'answered', 'notAnswered'].includes(answered)) {
		throw new NodeOperationError(context.getNode(), `Answered must be Any, Answered or Not Answered, got "${answered}"`);
	}
	return {
		directions: uses('directions') ? list(context.getNodeParameter('directions', [])) : [],
		answered,
		numbers,
		eventTypes: uses('eventTypes') ? list(context.getNodeParameter('eventTypes', [])) : [],
	};
}

/**
 * 3CX Trigger: starts workflows from calls, recordings, chats and event-log entries by polling
 * XAPI (3CX has no webhooks). The events are rows of the table in events.ts; the cursor logic
 * is in poll.ts. Requests go through the one 3CX client (../client: one token per credential).
 */
export class ThreeCxTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: '3CX Trigger',
		name: 'threeCxTrigger',
		icon: { light: 'file:../../icons/3cx.svg', dark: 'file:../../icons/3cx.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["event"] }}',
		description: 'Starts a workflow when a call ends or is missed, a recording or chat message arrives, or 3CX logs an event',
		defaults: {
			name: '3CX Trigger',
		},
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: CREDENTIAL_TYPE,
				required: true,
			},
		],
		properties,
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const eventValue = String(this.getNodeParameter('event'));
		const event = eventByValue(eventValue);
		if (!event) {
			throw new NodeOperationError(this.getNode(), `Unknown event "${eventValue}"`, {
				description: `Pick the event again; this version of the 3CX Trigger knows ${EVENTS.map((e) => e.name).join(', ')}.`,
			});
		}
		const downloadAudio = event.audio === true && this.getNodeParameter('downloadAudio', false) === true;
		const binaryProperty = downloadAudio ? String(this.getNodeParameter(BINARY_OUTPUT_FIELD, 'data') ?? '').trim() : 'data';
		if (downloadAudio && !binaryProperty) {
			throw new NodeOperationError(this.getNode(), 'Put Output File in Field is empty: name the binary field for the recording');
		}
		let options = (CALL_EVENTS.includes(event.value) ? this.getNodeParameter('options', {}) : {}) as IDataObject;
		if (event.value === 'newRecording') {
			const emitWhen = String(this.getNodeParameter('emitWhen', 'recorded'));
			if (emitWhen !== 'recorded' && emitWhen !== 'transcribed') {
				throw new NodeOperationError(this.getNode(), `Emit must be When Recorded or When Transcribed, got "${emitWhen}"`);
			}
			const longestWaitMinutes = emitWhen === 'transcribed' ? Number(this.getNodeParameter('longestWaitMinutes', DEFAULT_TRANSCRIPT_WAIT_MINUTES)) : undefined;
			if (longestWaitMinutes !== undefined && !(longestWaitMinutes > 0)) {
				throw new NodeOperationError(this.getNode(), `Longest Wait (Minutes) must be a number above 0, got "${String(longestWaitMinutes)}"`);
			}
			options = { emitWhen, ...(longestWaitMinutes !== undefined ? { longestWaitMinutes } : {}) };
		}
		return await poll(this, {
			event,
			filters: filtersOf(this, event.value),
			options,
			downloadAudio,
			binaryProperty,
		});
	}
}
