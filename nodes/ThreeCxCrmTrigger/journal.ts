import type { IDataObject } from 'n8n-workflow';

/**
 * What 3CX's CRM integration posts, made into typed items. A value 3CX had nothing for can arrive
 * as its literal expression text (`[RecordingUrl]`, `[[CallEstablishedTimeUTC].ToString(...)]`):
 * such values read as empty (null).
 */

/** A value 3CX left unfilled: the whole text is one `[...]` expression. */
export function isUnfilled(value: string): boolean {
	return /^\[[\s\S]*\]$/.test(value.trim());
}

/** Text of a body field, null when missing, empty or unfilled. */
export function field(body: IDataObject, key: string): string | null {
	const v = body[key];
	if (v === undefined || v === null) return null;
	const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
	const t = s.trim();
	return t === '' || isUnfilled(t) ? null : t;
}

/** ISO 8601 UTC (`2026-12-07T08:00:05.000Z`) of a `yyyy-MM-ddTHH:mm:ssZ` value, else null. */
export function isoUtc(value: string | null): string | null {
	if (!value) return null;
	const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z?$/.exec(value);
	if (!m) return null;
	const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
	return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Seconds of `durationSeconds` ("61"), else of `duration` ("hh:mm:ss"), else null. */
export function seconds(body: IDataObject): number | null {
	const s = field(body, 'durationSeconds');
	if (s !== null && /^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s));
	const d = field(body, 'duration');
	const m = d ? /^(\d+):(\d{2}):(\d{2})$/.exec(d) : null;
	return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

const CALL_TYPES: Record<string, { callType: string; direction: 'inbound' | 'outbound'; answered: boolean }> = {
	inbound: { callType: 'inbound', direction: 'inbound', answered: true },
	missed: { callType: 'missed', direction: 'inbound', answered: false },
	outbound: { callType: 'outbound', direction: 'outbound', answered: true },
	notanswered: { callType: 'notAnswered', direction: 'outbound', answered: false },
};

/** One item per ended call, from the body the template's ReportCall scenario posts. */
export function journalItem(body: IDataObject): IDataObject {
	const type = CALL_TYPES[(field(body, 'callType') ?? '').toLowerCase()];
	const direction = (field(body, 'callDirection') ?? '').toLowerCase();
	const first = field(body, 'agentFirstName');
	const last = field(body, 'agentLastName');
	return {
		event: 'callJournal',
		callType: type ? type.callType : null,
		direction: direction === 'inbound' || direction === 'outbound' ? direction : type ? type.direction : null,
		answered: type ? type.answered : null,
		number: field(body, 'number'),
		contactId: field(body, 'contactId'),
		agentNumber: field(body, 'agent'),
		agentName: [first, last].filter((p) => p !== null).join(' ') || null,
		agentEmail: field(body, 'agentEmail'),
		queue: field(body, 'queueExtension'),
		startedAt: isoUtc(field(body, 'callStartTimeUtc')),
		answeredAt: isoUtc(field(body, 'callEstablishedTimeUtc')),
		endedAt: isoUtc(field(body, 'callEndTimeUtc')),
		durationSeconds: seconds(body),
		recordingUrl: field(body, 'recordingUrl'),
		transcript: field(body, 'transcript'),
		summary: field(body, 'summary'),
		sentiment: field(body, 'sentiment'),
		localDateTime: field(body, 'dateTime'),
	};
}
