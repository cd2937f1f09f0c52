/**
 * The poll engine of the 3CX Trigger, the same for every event in events.ts.
 *
 * Each poll reads the window [cursor - overlap, ...) of the event's collection, newest first, in
 * pages of 100 with `$count=true` on the first page. The count says how many records the window
 * holds; the remembered keys say how many of them were already emitted. When the two agree and
 * the first page holds nothing unknown, nothing is new: one request. Otherwise the poll reads on
 * until it has found as many new records as the count says (a burst of 1,000 records: 10 pages),
 * or the whole window when records were removed. New records are emitted oldest first.
 *
 * The first poll after activation (no cursor yet) reads the PBX's "now" (the newest record and the
 * `Date` header of 3CX's answer, never this machine's clock), remembers what the overlap window
 * already holds and emits nothing. Fetch Test Event (manual mode) returns the newest matching
 * record of the last LOOK_BACK_DAYS days and changes nothing.
 *
 * The state is written only when the whole poll (reads and audio downloads) succeeded: a poll that
 * throws leaves the cursor where it was, and the next one reads the same window again.
 */
import {
	NodeOperationError,
	type NodeApiError,
	type IBinaryKeyData,
	type IDataObject,
	type IN8nHttpFullResponse,
	type INodeExecutionData,
	type IPollFunctions,
} from 'n8n-workflow';

import { binaryFromAnswer, generatedFrom, header, mimeTypeOf, PAGE_SIZE, parseBody, xapiRequest } from '../client';
import {
	expectedInWindow,
	isoSeconds,
	pruneSeen,
	readState,
	STATE_VERSION,
	timeOf,
	windowStart,
	writeState,
	type CursorState,
} from './cursor';
import { arm, armedState } from './activation';
import type { EventFilters, TimeWindow, TriggerEvent } from './events';

/** Fetch Test Event looks this far back for the newest matching record. */
export const LOOK_BACK_DAYS = 7;
/** ... and reads at most this many pages for it. */
const LOOK_BACK_PAGES = 10;
/** A function window (call log) ends this long after the PBX's estimated "now". */
const WINDOW_END_MARGIN_MS = 24 * 60 * 60 * 1000;
/** Stop reading new pages once this share of n8n's poll budget is used (downloads follow). */
const BUDGET_SHARE = 0.6;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PollSettings {
	event: TriggerEvent;
	filters: EventFilters;
	options: IDataObject;
	downloadAudio: boolean;
	binaryProperty: string;
}

interface Page {
	rows: IDataObject[];
	count?: number;
	/** The PBX's clock (`Date` header), ms. */
	serverTime?: number;
}

function fail(context: IPollFunctions, message: string, description: string): never {
	throw new NodeOperationError(context.getNode(), message, { description });
}

function pollBudgetMs(context: IPollFunctions): number {
	const fn = (context as Partial<IPollFunctions>).getPollBudgetMs;
	if (typeof fn !== 'function') return Number.POSITIVE_INFINITY;
	const budget = Number(fn.call(context));
	return Number.isFinite(budget) && budget > 0 ? budget : Number.POSITIVE_INFINITY;
}

class Reader {
	requests = 0;
	/** PBX clock minus this machine's clock, from the last `Date` header seen. */
	serverOffsetMs = 0;
	/** The build refused a field of $select: send none (said once, in n8n's log). */
	noSelect: boolean;

	constructor(
		private readonly context: IPollFunctions,
		private readonly event: TriggerEvent,
		private readonly filters: EventFilters,
		noSelect = false,
	) {
		this.noSelect = noSelect;
	}

	/** The PBX's "now" as far as its answers tell (this machine's clock corrected by the last Date header). */
	pbxNow(): number {
		return Date.now() + this.serverOffsetMs;
	}

	window(fromMs: number): TimeWindow {
		return { from: isoSeconds(fromMs), to: isoSeconds(Math.max(this.pbxNow(), fromMs) + WINDOW_END_MARGIN_MS) };
	}

	private query(window: TimeWindow | undefined, skip: number, top: number, withCount: boolean): IDataObject {
		const { event } = this;
		const qs: IDataObject = { $top: top, $skip: skip };
		// the call log function: no $orderby (it can leave out the newest rows); its own order is newest first
		if (event.serverOrder !== false) qs.$orderby = `${event.timeField} desc,${event.keyField} desc`;
		if (!this.noSelect && event.select.length) qs.$select = event.select.join(',');
		const filter = [
			window && !event.windowInPath ? `${event.timeField} ge ${window.from}` : undefined,
			event.serverFilter?.(this.filters),
		].filter(Boolean);
		if (filter.length) qs.$filter = filter.join(' and ');
		if (withCount) qs.$count = true;
		return qs;
	}

	async page(window: TimeWindow | undefined, skip: number, top: number, withCount: boolean): Promise<Page> {
		const path = this.event.path(window ?? this.window(this.pbxNow() - LOOK_BACK_DAYS * DAY_MS));
		const send = async () => {
			this.requests++;
			// a 404/405 from a server of another 3CX build names both builds (the paths are the spec's)
			return await xapiRequest(this.context, { method: 'GET', path, qs: this.query(window, skip, top, withCount), builtFrom: generatedFrom });
		};
		const answer = await send().then(
			(response) => ({ response, error: undefined }),
			(error: unknown) => ({ response: undefined, error }),
		);
		let response = answer.response;
		if (!response) {
			// an older build lacks a field of $select: 400 naming a property. Read without $select
			// from now on (every field the build has), and say so once. Any other error fails the poll.
			const e = answer.error as NodeApiError;
			if (this.noSelect || !this.event.select.length || e?.httpCode !== '400' || !/propert/i.test(`${e.message ?? ''} ${e.description ?? ''}`)) {
				throw e;
			}
			this.noSelect = true;
			this.context.logger?.warn(
				`3CX Trigger: this 3CX build refused a field of the ${this.event.name} $select (${e.message}); reading every field without $select from now on`,
			);
			response = await send();
		}
		const serverTime = Date.parse(header(response, 'date'));
		if (Number.isFinite(serverTime)) this.serverOffsetMs = serverTime - Date.now();
		const body = parseBody(response.body) as IDataObject | undefined;
		const rows = body && Array.isArray(body.value) ? (body.value as IDataObject[]) : undefined;
		if (!rows) {
			fail(
				this.context,
				`3CX answered ${path.split('(')[0]} without a list of records`,
				'The answer had no "value" list. Check that the Base URL points to the 3CX server and the API client may read this data. The cursor did not move.',
			);
		}
		const count = body?.['@odata.count'];
		return {
			rows,
			count: typeof count === 'number' ? count : typeof count === 'string' && /^\d+$/.test(count) ? Number(count) : undefined,
			serverTime: Number.isFinite(serverTime) ? serverTime : undefined,
		};
	}
}

function itemKeyOf(event: TriggerEvent, row: IDataObject): string {
	return event.itemKey ? event.itemKey(row) : event.rowKey(row);
}

/** Keys of the items already emitted (a row key is `<item>~<row>` when several rows make an item). */
function emittedItems(seen: Record<string, number>): Set<string> {
	return new Set(Object.keys(seen).map((key) => key.split('~')[0]));
}

/** Rows grouped into items, oldest item first (by its first row: a call by its start). */
function toItems(event: TriggerEvent, rows: IDataObject[]): Array<{ key: string; time: number; json: IDataObject }> {
	const groups = new Map<string, IDataObject[]>();
	for (const row of rows) {
		const key = itemKeyOf(event, row);
		const group = groups.get(key);
		if (group) group.push(row);
		else groups.set(key, [row]);
	}
	const items = [...groups.entries()].map(([key, group]) => ({
		key,
		time: Math.min(...group.map((row) => timeOf(row[event.timeField]))),
		json: event.item ? event.item(group) : { ...group[0] },
	}));
	return items.sort((a, b) => a.time - b.time || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function checkRowTimes(context: IPollFunctions, event: TriggerEvent, rows: IDataObject[]): void {
	const bad = rows.find((row) => Number.isNaN(timeOf(row[event.timeField])));
	if (bad) {
		fail(
			context,
			`A ${event.name} record from 3CX has no valid ${event.timeField} (${JSON.stringify(bad[event.timeField] ?? null)})`,
			'The trigger orders records by this time. The cursor did not move.',
		);
	}
}

/** The WAV of each new recording as binary data, as the 3CX node's Download Recording gives it. */
async function attachAudio(
	context: IPollFunctions,
	reader: Reader,
	items: INodeExecutionData[],
	binaryProperty: string,
): Promise<void> {
	for (const item of items) {
		const id = Number(item.json.Id);
		if (!Number.isInteger(id)) {
			fail(context, `A recording from 3CX has no numeric Id (${JSON.stringify(item.json.Id ?? null)})`, 'Its audio cannot be downloaded. The cursor did not move.');
		}
		reader.requests++;
		const response: IN8nHttpFullResponse = await xapiRequest(context, {
			method: 'GET',
			path: `/Recordings/Pbx.DownloadRecording(recId=${id})`,
			file: true,
			builtFrom: generatedFrom,
		});
		const mimeType = mimeTypeOf(response, 'audio/wav');
		if (/json|text\/html/i.test(mimeType)) {
			fail(context, `3CX sent ${mimeType} instead of the audio of recording ${id}`, 'The cursor did not move; the next poll tries again.');
		}
		const file = await binaryFromAnswer(context, response, { name: `recording-${id}.wav`, mimeType: 'audio/wav' });
		const binary: IBinaryKeyData = { [binaryProperty]: file.binary };
		item.binary = binary;
	}
}

async function finishItems(
	context: IPollFunctions,
	reader: Reader,
	settings: PollSettings,
	items: Array<{ json: IDataObject }>,
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = items.map((item) => ({ json: item.json }));
	if (settings.event.audio && settings.downloadAudio && output.length) {
		await attachAudio(context, reader, output, settings.binaryProperty);
	}
	return output;
}

/** Fetch Test Event: the newest matching record of the look-back window. */
async function latest(context: IPollFunctions, reader: Reader, settings: PollSettings): Promise<INodeExecutionData[][]> {
	const { event, filters } = settings;
	const from = reader.window(Date.now() - LOOK_BACK_DAYS * DAY_MS);
	const rows: IDataObject[] = [];
	for (let page = 0; page < LOOK_BACK_PAGES; page++) {
		const result = await reader.page(from, page * PAGE_SIZE, PAGE_SIZE, false);
		checkRowTimes(context, event, result.rows);
		rows.push(...result.rows);
		const match = toItems(event, rows)
			.reverse()
			.find((item) => event.matches(item.json, filters));
		if (match) {
			return [await finishItems(context, reader, settings, [match])];
		}
		if (result.rows.length < PAGE_SIZE) break;
	}
	const filtered = settings.event.filters.some((name) => {
		const value = filters[name];
		return Array.isArray(value) ? value.length > 0 : value !== 'any';
	});
	const scanned = rows.length >= LOOK_BACK_PAGES * PAGE_SIZE ? ` among the newest ${rows.length} records` : '';
	fail(
		context,
		`No ${event.name} event in the last ${LOOK_BACK_DAYS} days${filtered ? ' that matches the filters' : ''}${scanned}`,
		`3CX has nothing to show as a test event yet. Make one happen (for example a call, a chat message or a recording) and press Fetch Test Event again${filtered ? ', or widen the filters' : ''}. Once the workflow is active, the trigger starts from now and emits every new event.`,
	);
}

/** First poll: "now" from the PBX, remember the overlap window, emit nothing. */
async function activate(context: IPollFunctions, reader: Reader, settings: PollSettings, staticData: IDataObject): Promise<null> {
	const { event } = settings;
	const newest = await reader.page(undefined, 0, 1, false);
	checkRowTimes(context, event, newest.rows);
	const newestTime = newest.rows.length ? timeOf(newest.rows[0][event.timeField]) : Number.NEGATIVE_INFINITY;
	const now = Math.max(newest.serverTime ?? reader.pbxNow(), newestTime);
	const cursor = new Date(now).toISOString();
	const fromMs = windowStart(cursor, event.overlapMs(settings.options));
	const seen: Record<string, number> = {};
	const window = reader.window(fromMs);
	for (let skip = 0; ; skip += PAGE_SIZE) {
		const page = await reader.page(window, skip, PAGE_SIZE, false);
		checkRowTimes(context, event, page.rows);
		for (const row of page.rows) seen[event.rowKey(row)] = timeOf(row[event.timeField]);
		if (page.rows.length < PAGE_SIZE) break;
	}
	const state: CursorState = {
		v: STATE_VERSION,
		event: event.value,
		cursor,
		seen: pruneSeen(seen, fromMs),
		...(reader.noSelect ? { noSelect: true } : {}),
	};
	writeState(staticData, state);
	// n8n's durable cursors drop what an activation poll that emits nothing wrote: keep it on the context too
	arm(context, state);
	return null;
}

/** Whether this event's keys changed since cursor version 1 (a saved version-1 cursor cannot be matched). */
function rekeyed(event: TriggerEvent): boolean {
	return event.timeField === 'StartTime' && event.itemKey !== undefined;
}

export async function poll(context: IPollFunctions, settings: PollSettings): Promise<INodeExecutionData[][] | null> {
	const { event, filters, options } = settings;
	const staticData = context.getWorkflowStaticData('node');
	let state: CursorState | undefined = readState(staticData, event.value, rekeyed(event));
	const reader = new Reader(context, event, filters, state?.noSelect === true);
	if (context.getMode() === 'manual') return await latest(context, reader, settings);

	const started = Date.now();
	const budget = pollBudgetMs(context) * BUDGET_SHARE;
	if (!state) {
		// durable cursors: the activation poll's state was not committed; continue from it
		const armed = armedState(context, event.value);
		state = armed ? readState(armed, event.value) : undefined;
		if (!state) return await activate(context, reader, settings, staticData);
		writeState(staticData, state);
	}
	const current = state;

	const overlap = event.overlapMs(options);
	const fromMs = windowStart(current.cursor, overlap);
	const window = reader.window(fromMs);
	const expected = expectedInWindow(current.seen, fromMs);
	const migratedFrom = current.migratedFrom !== undefined ? Date.parse(current.migratedFrom) : undefined;

	// A poll that ran out of n8n's poll budget left a resume point: start there (with the count),
	// read to the end, then the rows above it. Rows added since push the old ones down, so some are
	// read twice; they are dropped by key. (New rows only ever push rows down, in the server's own
	// newest-first order too: paging by rows read never skips one.)
	const resumeAt = current.resume && current.resume.skip > 0 ? current.resume.skip : 0;
	const first = await reader.page(window, resumeAt, PAGE_SIZE, true);
	checkRowTimes(context, event, first.rows);
	const isNew = (row: IDataObject) => current.seen[event.rowKey(row)] === undefined;
	const found = new Map<string, IDataObject>();
	const read = new Set<string>();
	// records a version-1 cursor had emitted (by time): remembered under their new keys
	const migrated = new Map<string, number>();
	const migratedItems = new Set<string>();
	let newestTime = Date.parse(current.cursor);
	const take = (rows: IDataObject[]) => {
		for (const row of rows) {
			const key = event.rowKey(row);
			const time = timeOf(row[event.timeField]);
			read.add(key);
			newestTime = Math.max(newestTime, time);
			if (migratedFrom !== undefined && time <= migratedFrom) {
				migrated.set(key, time);
				migratedItems.add(itemKeyOf(event, row));
			} else if (isNew(row)) found.set(key, row);
		}
	};
	take(first.rows);
	if (first.count === expected && found.size === 0 && migratedFrom === undefined) {
		// nothing new: one request, and nothing to store (a stale resume point is dropped)
		if (current.resume || reader.noSelect !== (current.noSelect === true)) {
			writeState(staticData, { ...current, resume: undefined, ...(reader.noSelect ? { noSelect: true } : {}) });
		}
		return null;
	}
	// records were removed from the window (or 3CX gave no count): only a full read tells what is new
	const full = first.count === undefined || first.count <= expected || migratedFrom !== undefined;
	const needed = full ? Number.POSITIVE_INFINITY : (first.count as number) - expected;
	const pageSize = event.pageSize ?? PAGE_SIZE;
	let skip = resumeAt + first.rows.length;
	const wrapTo = resumeAt > 0 ? resumeAt : undefined;
	let wrapped = false;
	let end = false;
	if (first.rows.length < PAGE_SIZE) {
		if (wrapTo === undefined) end = true;
		else {
			wrapped = true;
			skip = 0;
		}
	}
	let outOfBudget = false;
	while (!end && found.size < needed) {
		if (Date.now() - started > budget) {
			outOfBudget = true;
			break;
		}
		const top = wrapped && wrapTo !== undefined ? Math.min(pageSize, wrapTo - skip) : pageSize;
		const page = await reader.page(window, skip, top, false);
		checkRowTimes(context, event, page.rows);
		take(page.rows);
		skip += page.rows.length;
		if (wrapped && wrapTo !== undefined && skip >= wrapTo) end = true;
		else if (page.rows.length < top) {
			if (wrapTo !== undefined && !wrapped) {
				wrapped = true;
				skip = 0;
			} else end = true;
		}
	}
	const complete = !outOfBudget && (end || found.size >= needed);

	// one item per item key; rows of an item emitted before are not emitted again
	const emitted = emittedItems(current.seen);
	const newRows = [...found.values()].filter((row) => {
		const item = itemKeyOf(event, row);
		return !emitted.has(item) && !migratedItems.has(item);
	});
	const pbxNow = reader.pbxNow();
	const grouped = toItems(event, newRows);
	// an item that waits (legs still to come, a transcript) is neither emitted nor remembered: read again next poll
	const waiting = new Set(grouped.filter((item) => event.pending?.(item.json, options, pbxNow)).map((item) => item.key));
	const items = grouped.filter((item) => !waiting.has(item.key) && event.matches(item.json, filters));
	const output = await finishItems(context, reader, settings, items);

	// next state: every row read is remembered (but a waiting item's); the cursor moves only when the read was complete
	const seen = { ...current.seen };
	for (const [key, row] of found) if (!waiting.has(itemKeyOf(event, row))) seen[key] = timeOf(row[event.timeField]);
	for (const [key, time] of migrated) seen[key] = time;
	if (end) {
		// the whole window was read: forget keys 3CX no longer lists (removed records)
		for (const key of Object.keys(seen)) if (seen[key] >= fromMs && !read.has(key)) delete seen[key];
	}
	const cursor = complete ? new Date(Math.max(newestTime, Date.parse(current.cursor))).toISOString() : current.cursor;
	writeState(staticData, {
		v: STATE_VERSION,
		event: event.value,
		cursor,
		seen: pruneSeen(seen, windowStart(cursor, overlap)),
		...(complete || first.count === undefined ? {} : { resume: { skip, count: first.count } }),
		...(reader.noSelect ? { noSelect: true } : {}),
		...(complete || current.migratedFrom === undefined ? {} : { migratedFrom: current.migratedFrom }),
	});
	return output.length ? [output] : null;
}
