/**
 * What the 3CX Trigger can watch: one row per event. A row names where the records come from
 * (an entity set, or a function of the time window), the time field the cursor runs on, the key
 * that makes a record unique, what one output item is made of, the default filter and the fields
 * to select. The poll engine (poll.ts) is the same for every row: adding an event is adding a row.
 */
import type { IDataObject } from 'n8n-workflow';

import { odataLiteral, pathSegment } from '../client';

/** The filters a person can set on the node; each event uses the ones it lists in `filters`. */
export interface EventFilters {
	/** inbound / outbound / internal; empty = any. */
	directions: string[];
	/** 'any', 'answered', 'notAnswered'. */
	answered: string;
	/** Extension or queue numbers; empty = any. */
	numbers: string[];
	/** Error / Warning / Info; empty = any. */
	eventTypes: string[];
}

export type FilterName = 'directions' | 'answered' | 'numbers' | 'eventTypes';

/** The time window a poll reads: `from` (inclusive) and, for functions that need one, `to`. */
export interface TimeWindow {
	/** Bare ISO-8601 UTC, whole seconds: 2026-12-01T10:00:00Z. */
	from: string;
	to: string;
}

export interface TriggerEvent {
	value: string;
	name: string;
	description: string;
	/** Path below /xapi/v1, OData-encoded, for the window. */
	path: (window: TimeWindow) => string;
	/**
	 * Whether the window goes into the path (a function's periodFrom/periodTo) instead of a
	 * `$filter` on the time field.
	 */
	windowInPath?: boolean;
	/** The record's time property: $filter, $orderby and the cursor use it. */
	timeField: string;
	/** The property that tells records apart ($orderby tie-breaker). */
	keyField: string;
	/** Unique key of one record (row). */
	rowKey: (record: IDataObject) => string;
	/** Key of the output item a record belongs to; several rows can make one item (one call). */
	itemKey?: (record: IDataObject) => string;
	/** Turns the rows of one item (newest first) into the item. */
	item?: (rows: IDataObject[]) => IDataObject;
	/**
	 * How far before the cursor each poll reads again. Records that show up late (the same second,
	 * a write that took a moment) are caught there; keys already emitted are dropped.
	 */
	overlapMs: (options: IDataObject) => number;
	/** The event's own condition and the user's filters (records are read in full, then matched). */
	matches: (item: IDataObject, filters: EventFilters) => boolean;
	filters: FilterName[];
	/** $select: the fields an item carries. */
	select: string[];
	/** New recordings can carry their audio. */
	audio?: boolean;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Records that arrive up to this long after their time stamp are still caught. */
const SHORT_OVERLAP_MS = 60 * SECOND;

/** Default of "Longest Call (Minutes)": see callOverlap. */
export const DEFAULT_LONGEST_CALL_MINUTES = 60;

function text(value: unknown): string {
	return value === undefined || value === null ? '' : String(value);
}

/**
 * A call is written to the call log when it ends, under the time it STARTED (CallLogData has no end
 * time). A poll therefore re-reads calls that started up to "Longest Call" before the cursor: a call
 * that was still running at the last poll shows up there. A call longer than that is missed.
 */
function callOverlap(options: IDataObject): number {
	const minutes = Number(options.longestCallMinutes ?? DEFAULT_LONGEST_CALL_MINUTES);
	return Math.max(SHORT_OVERLAP_MS, (Number.isFinite(minutes) ? minutes : DEFAULT_LONGEST_CALL_MINUTES) * MINUTE);
}

/** Direction of a call log row as one of inbound / outbound / internal ('' when unknown). */
export function callDirection(record: IDataObject): string {
	const direction = text(record.Direction).toLowerCase();
	if (direction.includes('inbound') || direction.includes('incoming')) return 'inbound';
	if (direction.includes('outbound') || direction.includes('outgoing')) return 'outbound';
	if (direction.includes('internal') || direction.includes('local')) return 'internal';
	return '';
}

/** Every number a call touched: caller, callee, the extension or queue that acted, in each segment. */
function callNumbers(call: IDataObject): Set<string> {
	const rows = Array.isArray(call.Segments) ? (call.Segments as IDataObject[]) : [call];
	const numbers = new Set<string>();
	for (const row of rows) {
		for (const field of ['SourceDn', 'DestinationDn', 'actionDnDn', 'SourceCallerId', 'DestinationCallerId', 'ActionDnCallerId']) {
			const value = text(row[field]).trim();
			if (value) numbers.add(value);
		}
	}
	return numbers;
}

function matchesNumbers(numbers: Set<string>, wanted: string[]): boolean {
	return !wanted.length || wanted.some((n) => numbers.has(n));
}

/** Whether anybody answered the call (any of its segments). */
function callAnswered(call: IDataObject): boolean {
	const rows = Array.isArray(call.Segments) ? (call.Segments as IDataObject[]) : [call];
	return rows.some((row) => row.Answered === true);
}

function matchesCall(call: IDataObject, filters: EventFilters): boolean {
	if (filters.directions.length && !filters.directions.includes(callDirection(call))) return false;
	if (filters.answered === 'answered' && !callAnswered(call)) return false;
	if (filters.answered === 'notAnswered' && callAnswered(call)) return false;
	return matchesNumbers(callNumbers(call), filters.numbers);
}

/** `/ReportCallLogData/Pbx.GetCallLogData(...)` for the window: all calls, no report-side filter. */
function callLogPath(window: TimeWindow): string {
	const date = (value: string, field: string) => pathSegment(odataLiteral(value, 'date', field), field);
	const str = (value: string, field: string) => pathSegment(odataLiteral(value, 'str', field, { allowEmpty: true }), field);
	const params = [
		`periodFrom=${date(window.from, 'periodFrom')}`,
		`periodTo=${date(window.to, 'periodTo')}`,
		'sourceType=0',
		`sourceFilter=${str('', 'sourceFilter')}`,
		'destinationType=0',
		`destinationFilter=${str('', 'destinationFilter')}`,
		'callsType=0',
		'callTimeFilterType=0',
		// what 3CX's console sends when no call-time filter is set
		`callTimeFilterFrom=${str('0:00:0', 'callTimeFilterFrom')}`,
		`callTimeFilterTo=${str('0:00:0', 'callTimeFilterTo')}`,
		'hidePcalls=false',
	];
	return `/ReportCallLogData/Pbx.GetCallLogData(${params.join(',')})`;
}

/** The rows of one call (newest first) as one item: the call's first row, plus all rows as Segments. */
function callItem(rows: IDataObject[]): IDataObject {
	const ordered = [...rows].sort((a, b) => {
		const indent = Number(a.Indent ?? 0) - Number(b.Indent ?? 0);
		if (indent) return indent;
		return Date.parse(text(a.StartTime)) - Date.parse(text(b.StartTime)) || Number(a.SegmentId ?? 0) - Number(b.SegmentId ?? 0);
	});
	if (ordered.length === 1) return { ...ordered[0] };
	const chronological = [...rows].sort(
		(a, b) => Date.parse(text(a.StartTime)) - Date.parse(text(b.StartTime)) || Number(a.SegmentId ?? 0) - Number(b.SegmentId ?? 0),
	);
	return { ...ordered[0], Answered: rows.some((row) => row.Answered === true), Segments: chronological };
}

const CALL_LOG_FIELDS = [
	'CallId',
	'CallHistoryId',
	'MainCallHistoryId',
	'CdrId',
	'SegmentId',
	'Indent',
	'StartTime',
	'Direction',
	'Status',
	'Answered',
	'Reason',
	'CallType',
	'RingingDuration',
	'TalkingDuration',
	'CallCost',
	'SourceType',
	'SourceDn',
	'SourceCallerId',
	'SourceDisplayName',
	'DestinationType',
	'DestinationDn',
	'DestinationCallerId',
	'DestinationDisplayName',
	'ActionType',
	'actionDnDn',
	'ActionDnCallerId',
	'ActionDnDisplayName',
	'ActionDnType',
	'Recordings',
	'RecordingUrl',
	'SrcRecId',
	'DstRecId',
	'Summary',
	'Transcription',
	'SentimentScore',
	'QualityReport',
];

const callRowKey = (record: IDataObject) =>
	`${text(record.CallId)}~${text(record.SegmentId ?? record.CallHistoryId ?? record.CdrId)}`;
const callKey = (record: IDataObject) => text(record.CallId);

const callLog = {
	path: callLogPath,
	windowInPath: true,
	timeField: 'StartTime',
	keyField: 'CallId',
	rowKey: callRowKey,
	itemKey: callKey,
	item: callItem,
	overlapMs: callOverlap,
	select: CALL_LOG_FIELDS,
} as const;

export const EVENTS: TriggerEvent[] = [
	{
		value: 'callEnded',
		name: 'Call Ended',
		description: 'A finished call appears in the call log: one item per call, with all its segments',
		...callLog,
		matches: matchesCall,
		filters: ['directions', 'answered', 'numbers'],
	},
	{
		value: 'missedCall',
		name: 'Missed Call',
		description: 'An inbound call nobody answered, including calls abandoned in a queue',
		...callLog,
		matches: (call, filters) =>
			callDirection(call) === 'inbound' && !callAnswered(call) && matchesNumbers(callNumbers(call), filters.numbers),
		filters: ['numbers'],
	},
	{
		value: 'newRecording',
		name: 'New Recording',
		description: 'A call recording is finished (with transcript, summary and sentiment where 3CX has them)',
		path: () => '/Recordings',
		// a recording is listed once it is finished: its end, not its start, is when it appears
		timeField: 'EndTime',
		keyField: 'Id',
		rowKey: (record) => text(record.Id),
		overlapMs: () => SHORT_OVERLAP_MS,
		matches: (recording, filters) =>
			matchesNumbers(
				new Set(
					['FromDn', 'ToDn', 'FromCallerNumber', 'ToCallerNumber'].map((f) => text(recording[f]).trim()).filter(Boolean),
				),
				filters.numbers,
			),
		filters: ['numbers'],
		select: [
			'Id',
			'StartTime',
			'EndTime',
			'CallType',
			'FromDn',
			'FromDisplayName',
			'FromCallerNumber',
			'FromDidNumber',
			'FromCrmContact',
			'ToDn',
			'ToDisplayName',
			'ToCallerNumber',
			'ToDidNumber',
			'ToCrmContact',
			'RecordingUrl',
			'IsArchived',
			'IsTranscribed',
			'Transcription',
			'Summary',
			'SentimentScore',
		],
		audio: true,
	},
	{
		value: 'newChatMessage',
		name: 'New Chat Message',
		description: 'A chat message is sent (internal chats, live chat, SMS, social messaging)',
		path: () => '/ChatMessagesHistoryView',
		timeField: 'TimeSent',
		keyField: 'MessageId',
		rowKey: (record) => text(record.MessageId),
		overlapMs: () => SHORT_OVERLAP_MS,
		matches: (message, filters) =>
			matchesNumbers(
				new Set([text(message.SenderParticipantNo).trim(), text(message.QueueNumber).trim()].filter(Boolean)),
				filters.numbers,
			),
		filters: ['numbers'],
		select: [
			'MessageId',
			'ConversationId',
			'TimeSent',
			'Message',
			'SenderParticipantName',
			'SenderParticipantNo',
			'SenderParticipantEmail',
			'SenderParticipantPhone',
			'SenderParticipantPbx',
			'Recipients',
			'QueueNumber',
			'IsExternal',
			'ParticipantsGroupsArray',
		],
	},
	{
		value: 'newEventLogEntry',
		name: 'New Event Log Entry',
		description: 'The PBX writes an entry to its event log (errors, warnings, information)',
		path: () => '/EventLogs',
		timeField: 'TimeGenerated',
		keyField: 'Id',
		rowKey: (record) => text(record.Id),
		overlapMs: () => SHORT_OVERLAP_MS,
		matches: (entry, filters) =>
			!filters.eventTypes.length || filters.eventTypes.some((t) => t.toLowerCase() === text(entry.Type).toLowerCase()),
		filters: ['eventTypes'],
		select: ['Id', 'TimeGenerated', 'Type', 'EventId', 'Source', 'Group', 'GroupName', 'Message', 'Params'],
	},
];

export function eventByValue(value: string): TriggerEvent | undefined {
	return EVENTS.find((event) => event.value === value);
}
