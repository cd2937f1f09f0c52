/**
 * What the 3CX Trigger can watch: one row per event. A row names where the records come from
 * (an entity set, or a function of the time window), the time field the cursor runs on, the key
 * that makes a record unique, what one output item is made of, the default filter and the fields
 * to select. The poll engine (poll.ts) is the same for every row: adding an event is adding a row.
 */
import type { IDataObject } from 'n8n-workflow';

import { odataLiteral, pathSegment } from '../client';
import { timeOf } from './cursor';

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
	/** $select: the fields an item carries; empty: no $select (the call log function answers every field). */
	select: string[];
	/** Whether the server's order may be asked for ($orderby); false: read in the server's own order, sort here. */
	serverOrder?: boolean;
	/** Rows per page after the first (the first page is 100, with $count). */
	pageSize?: number;
	/** A part of $filter the server applies (safety net: `matches` checks it again). */
	serverFilter?: (filters: EventFilters) => string | undefined;
	/**
	 * Whether an item must wait (not emitted, not remembered) until a later poll: a call whose legs
	 * may not all be in the log yet, a recording not yet transcribed. `pbxNow`: the PBX's clock.
	 */
	pending?: (item: IDataObject, options: IDataObject, pbxNow: number) => boolean;
	/** New recordings can carry their audio. */
	audio?: boolean;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Records that arrive up to this long after their time stamp are still caught. */
const SHORT_OVERLAP_MS = 60 * SECOND;

/** Default of "Longest Call (Minutes)": see callOverlap. */
export const DEFAULT_LONGEST_CALL_MINUTES = 60;
/**
 * A call is emitted once its newest leg ended this long ago (PBX clock): legs of one call that are
 * written a moment apart come out in one item.
 */
export const CALL_SETTLE_MS = 60 * SECOND;
/** A call whose newest leg says it went on (to an agent, voicemail, a transfer) waits at most this long for that leg. */
export const CALL_CONTINUATION_WAIT_MS = 5 * MINUTE;
/** Default of "Longest Wait (Minutes)" for a transcript. */
export const DEFAULT_TRANSCRIPT_WAIT_MINUTES = 30;

function text(value: unknown): string {
	return value === undefined || value === null ? '' : String(value);
}

/**
 * A call is written to the call log when it ends, under the time it STARTED (CallLogData has no end
 * time). A poll therefore re-reads calls that started up to "Longest Call" before the cursor: a call
 * that was still running at the last poll shows up there. A call longer than that is missed.
 */
function transcriptWaitMs(options: IDataObject): number {
	const minutes = Number(options.longestWaitMinutes ?? DEFAULT_TRANSCRIPT_WAIT_MINUTES);
	return (Number.isFinite(minutes) && minutes > 0 ? minutes : DEFAULT_TRANSCRIPT_WAIT_MINUTES) * MINUTE;
}

function callOverlap(options: IDataObject): number {
	const minutes = Number(options.longestCallMinutes ?? DEFAULT_LONGEST_CALL_MINUTES);
	const longest = Math.max(SHORT_OVERLAP_MS, (Number.isFinite(minutes) ? minutes : DEFAULT_LONGEST_CALL_MINUTES) * MINUTE);
	// a call waits for its legs (settle, continuation) inside the window
	return longest + CALL_SETTLE_MS + CALL_CONTINUATION_WAIT_MS;
}

/** Seconds of an ISO-8601 duration as 3CX writes it (PT1M59.975875S); 0 when absent or unreadable. */
export function durationSeconds(value: unknown): number {
	const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text(value).trim());
	if (!m) return 0;
	const [, d, h, min, sec] = m.map((x) => Number(x ?? 0));
	return d * 86400 + h * 3600 + min * 60 + sec;
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
	const rows = segmentsOf(call);
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

function segmentsOf(call: IDataObject): IDataObject[] {
	return Array.isArray(call.Segments) ? (call.Segments as IDataObject[]) : [call];
}

/** A leg that went to voicemail: 3CX names it in the destination or the reason (no field says so). */
export function isVoicemailLeg(row: IDataObject): boolean {
	return /voice\s*mail|vmail/i.test([row.DestinationDisplayName, row.DestinationCallerId, row.CallType].map(text).join(' '));
}

/**
 * Whether a PERSON answered this leg: 3CX says Answered (or Status "Answered") and the leg is an
 * extension's or an outside party's (CallType Extension / External). A queue "answers" a call to
 * play music (Answered: true even when the caller hung up while waiting), an IVR or the system
 * picks up, voicemail takes a message: none of them is a person.
 */
export function personAnswered(row: IDataObject): boolean {
	// Answered when 3CX sends it; a row that leaves it out: its Status
	const answered = typeof row.Answered === 'boolean' ? row.Answered : text(row.Status).toLowerCase() === 'answered';
	if (!answered) return false;
	const type = text(row.CallType).trim();
	if (type && !/^(extension|external)$/i.test(type)) return false;
	if (/queue/i.test(text(row.Direction))) return false;
	return !isVoicemailLeg(row);
}

/** Whether a person answered the call (one of its legs). */
function callAnswered(call: IDataObject): boolean {
	if (typeof call.Answered === 'boolean' && Array.isArray(call.Segments)) return call.Answered;
	return segmentsOf(call).some(personAnswered);
}

/** "... was replaced by Anna Berg (101)", "forwarded to ...": the leg handed the call on. */
const HANDED_ON = /(was replaced by|forwarded to|transferred to|redirected to)/i;

function legEnd(row: IDataObject): number {
	return timeOf(row.StartTime) + (durationSeconds(row.RingingDuration) + durationSeconds(row.TalkingDuration)) * 1000;
}

/**
 * Whether a call must wait for more legs: its newest leg ended less than CALL_SETTLE_MS ago, or
 * that leg says the call went on (to an agent, voicemail, another extension) and the next leg is not
 * in the log yet (at most CALL_CONTINUATION_WAIT_MS).
 */
function callPending(call: IDataObject, _options: IDataObject, pbxNow: number): boolean {
	const legs = segmentsOf(call);
	const end = Math.max(...legs.map(legEnd));
	if (pbxNow - end < CALL_SETTLE_MS) return true;
	const newest = legs.reduce((a, b) => (timeOf(b.StartTime) >= timeOf(a.StartTime) ? b : a));
	return HANDED_ON.test(text(newest.Reason)) && pbxNow - end < CALL_CONTINUATION_WAIT_MS;
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
		// as the console's call log: park/pickup plumbing rows ("P-calls") hidden
		'hidePcalls=true',
	];
	return `/ReportCallLogData/Pbx.GetCallLogData(${params.join(',')})`;
}

/**
 * The legs of one call as one item: the fields of the leg a person answered (else the first leg),
 * the call's first StartTime, `Answered` (a person answered), and every leg, oldest first, as
 * `Segments`.
 */
function callItem(rows: IDataObject[]): IDataObject {
	const chronological = [...rows].sort(
		(a, b) => timeOf(a.StartTime) - timeOf(b.StartTime) || Number(a.SegmentId ?? 0) - Number(b.SegmentId ?? 0),
	);
	const answeredLeg = chronological.find(personAnswered);
	const base = answeredLeg ?? chronological[0];
	return {
		...base,
		StartTime: chronological[0].StartTime,
		Direction: chronological[0].Direction ?? base.Direction,
		Answered: answeredLeg !== undefined,
		Segments: chronological,
	};
}


/**
 * A call is its MainCallHistoryId (V20: a UUID every leg of the call shares); builds whose rows
 * lack it: CallHistoryId, then CallId (unique on older builds only).
 */
export const callKey = (record: IDataObject) =>
	text(record.MainCallHistoryId) || text(record.CallHistoryId) || `call-${text(record.CallId)}`;
/** A leg is its CdrId (a UUID per row); without one: its call, number in the call and start time. */
export const callRowKey = (record: IDataObject) =>
	`${callKey(record)}~${text(record.CdrId) || `${text(record.SegmentId)}@${text(record.StartTime)}@${text(record.DestinationDn)}`}`;

const callLog = {
	path: callLogPath,
	windowInPath: true,
	timeField: 'StartTime',
	keyField: 'CdrId',
	rowKey: callRowKey,
	itemKey: callKey,
	item: callItem,
	overlapMs: callOverlap,
	// no $select: the function answers every field, and builds differ in which they have
	select: [] as string[],
	// $orderby on this function can leave out the newest rows: read its own order (newest first)
	serverOrder: false,
	pageSize: 500,
	pending: callPending,
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
		// waiting for a transcript: the window reaches back over the longest wait
		overlapMs: (options) => (options.emitWhen === 'transcribed' ? transcriptWaitMs(options) + 2 * MINUTE : SHORT_OVERLAP_MS),
		pending: (recording, options, pbxNow) =>
			options.emitWhen === 'transcribed' &&
			recording.IsTranscribed !== true &&
			pbxNow - timeOf(recording.EndTime) < transcriptWaitMs(options),
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
		// live pollers filter `Type eq 'Error'` at the server: a flood of Info entries costs no pages
		serverFilter: (filters) =>
			filters.eventTypes.length
				? `(${filters.eventTypes.map((t) => `Type eq ${odataLiteral(t, 'str', 'Types')}`).join(' or ')})`
				: undefined,
		matches: (entry, filters) =>
			!filters.eventTypes.length || filters.eventTypes.some((t) => t.toLowerCase() === text(entry.Type).toLowerCase()),
		filters: ['eventTypes'],
		select: ['Id', 'TimeGenerated', 'Type', 'EventId', 'Source', 'Group', 'GroupName', 'Message', 'Params'],
	},
];

export function eventByValue(value: string): TriggerEvent | undefined {
	return EVENTS.find((event) => event.value === value);
}
