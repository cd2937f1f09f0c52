/**
 * The trigger's cursor, kept in the workflow's static data (n8n persists it with the execution a
 * poll starts, or on its own when a poll finds nothing):
 *
 * - `cursor`: the newest record time read so far (the PBX's time, ISO-8601 UTC);
 * - `seen`: the records of the overlap window already emitted, key -> record time (ms), so a
 *   record read again is dropped; pruned to the window and capped at SEEN_LIMIT keys;
 * - `event`: what the cursor belongs to; another event starts from "now" again.
 *
 * Everything here is pure: the poll computes the next state and writes it only when it succeeded.
 */
import type { IDataObject } from 'n8n-workflow';

/**
 * 2: call-log keys are MainCallHistoryId~CdrId (version 1 keyed rows by CallId~SegmentId, which
 * repeat across calls on V20). A version-1 cursor is migrated: see readState.
 */
export const STATE_VERSION = 2;
/** At most this many emitted keys are remembered (the newest). */
export const SEEN_LIMIT = 5000;

export interface CursorState {
	v: number;
	event: string;
	cursor: string;
	seen: Record<string, number>;
	/** Where a poll that ran out of n8n's poll budget stopped: rows read (newest first) of `count`. */
	resume?: { skip: number; count: number };
	/** The build refused a $select field (400): polls send no $select. */
	noSelect?: boolean;
	/**
	 * A version-1 cursor whose keys cannot be matched (call log): records at or before this time
	 * count as emitted by the old version; the first complete poll remembers them by their new keys.
	 */
	migratedFrom?: string;
}

/**
 * The state stored for `event`, or undefined when there is none (or it belongs to another event).
 * A version-1 state is migrated: its cursor is kept; its keys are kept when they are still the keys
 * of this event (`rekeyed` false), otherwise records up to the old cursor count as emitted
 * (`migratedFrom`), so an upgrade neither re-emits nor skips a call.
 */
export function readState(staticData: IDataObject, event: string, rekeyed = false): CursorState | undefined {
	const state = staticData as Partial<CursorState>;
	if ((state.v !== STATE_VERSION && state.v !== 1) || state.event !== event || typeof state.cursor !== 'string') return undefined;
	if (Number.isNaN(Date.parse(state.cursor))) return undefined;
	const seen = state.seen && typeof state.seen === 'object' ? state.seen : {};
	if (state.v === 1) {
		return rekeyed
			? { v: STATE_VERSION, event, cursor: state.cursor, seen: {}, migratedFrom: state.cursor }
			: { v: STATE_VERSION, event, cursor: state.cursor, seen: { ...seen } };
	}
	const resume =
		state.resume && Number.isInteger(state.resume.skip) && Number.isInteger(state.resume.count)
			? { skip: state.resume.skip, count: state.resume.count }
			: undefined;
	const migratedFrom = typeof state.migratedFrom === 'string' && !Number.isNaN(Date.parse(state.migratedFrom)) ? state.migratedFrom : undefined;
	return {
		v: STATE_VERSION,
		event,
		cursor: state.cursor,
		seen: { ...seen },
		...(resume ? { resume } : {}),
		...(state.noSelect === true ? { noSelect: true } : {}),
		...(migratedFrom ? { migratedFrom } : {}),
	};
}

/** Replaces the stored state with `state` (in place: n8n watches this object). */
export function writeState(staticData: IDataObject, state: CursorState): void {
	for (const key of Object.keys(staticData)) delete staticData[key];
	Object.assign(staticData, { v: state.v, event: state.event, cursor: state.cursor, seen: state.seen });
	if (state.resume) staticData.resume = { ...state.resume };
	if (state.noSelect) staticData.noSelect = true;
	if (state.migratedFrom) staticData.migratedFrom = state.migratedFrom;
}

/** `time` rounded DOWN to the second, as XAPI's bare UTC literal: 2026-12-01T10:00:00Z. */
export function isoSeconds(timeMs: number): string {
	return new Date(Math.floor(timeMs / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Milliseconds of a record time; NaN when it is missing or not a date. */
export function timeOf(value: unknown): number {
	if (typeof value !== 'string' || value === '') return Number.NaN;
	// 3CX writes UTC; a time without an offset is read as UTC, never in this machine's zone
	const text = /([zZ]|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
	return Date.parse(text);
}

/** The start of the window a poll reads: the cursor minus the overlap, whole seconds. */
export function windowStart(cursor: string, overlapMs: number): number {
	return Math.floor((Date.parse(cursor) - overlapMs) / 1000) * 1000;
}

/** How many remembered records lie in the window that starts at `fromMs`. */
export function expectedInWindow(seen: Record<string, number>, fromMs: number): number {
	let n = 0;
	for (const time of Object.values(seen)) if (time >= fromMs) n++;
	return n;
}

/** `seen` without the keys that no poll reads again (older than `fromMs`), newest SEEN_LIMIT kept. */
export function pruneSeen(seen: Record<string, number>, fromMs: number): Record<string, number> {
	const kept = Object.entries(seen).filter(([, time]) => time >= fromMs);
	kept.sort((a, b) => b[1] - a[1]);
	return Object.fromEntries(kept.slice(0, SEEN_LIMIT));
}
