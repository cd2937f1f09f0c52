// @ts-check
'use strict';
/**
 * The simulated 3CX's call log (`ReportCallLogData/Pbx.GetCallLogData(...)`) shaped as live V20
 * (20.0.10) servers send it. Every behaviour below names its public source (see docs/trigger.md):
 *
 * - ONE ROW PER SEGMENT (leg) of a call: a queue call is a queue row plus the agent's row; a call
 *   that went to voicemail is the extension's row plus the voicemail row. The rows of one call
 *   share `MainCallHistoryId` (a UUID; `CallHistoryId` too); each row has its own `CdrId` (UUID).
 *   [SSIG-IT/3cx-mcp-server CHANGELOG 0.3.0 + calls.ts collapseSegments; a CRM's live probe of a
 *   V20 PBX ("CallHistoryId, MainCallHistoryId: GUID per call; CdrId: GUID per leg"); an Arabic
 *   queue poller grouping rows by MainCallHistoryId; btafoya/3cx-mcp docs/schema/cdr-tables.md]
 * - `CallId`, `SegmentId`, `Indent` are small integers that repeat across calls (the live probe:
 *   "small ints"; pjastrzebskiman/3CXCallogScrapper logs repeated SegmentIds): here CallId 1,
 *   SegmentId = the leg's number within its call, Indent 1.
 * - Free-text `Reason` ("Support (800) was replaced by Anna Berg (101)", "Ended by +4930... (+4930...)",
 *   "forwarded to ..."), `Status` Answered / Unanswered / Waiting / Redirected, `CallType` External /
 *   Queue / Extension / Digital Receptionist / System, `Direction` Inbound / Outbound / Internal /
 *   "Inbound Queue" [the live probe; the Arabic poller's regexes].
 * - A queue leg "answers" (Answered: true, TalkingDuration = the wait): also when the caller hung up
 *   while waiting ("3CX sometimes returns Answered true wrongly in this case", the Arabic poller;
 *   SSIG's test data: a Waiting leg with Answered true).
 * - Times and durations carry fractions (`...55.056Z`, `PT1M59.975875S`); fields that are null or
 *   zero are left out of a row [bonvies/3cx-report-to-bigquery CLAUDE.md and apiType.ts].
 * - The function's own order is newest first; `$orderby` on it is unreliable and can leave out the
 *   newest rows [SSIG CHANGELOG 0.3.0]: modelled as "with $orderby, rows that started within the
 *   newest minute of the period are missing". `$top` above 100 is accepted (public pollers page by
 *   500 and 1000, the live probe by 200). A report holds at most REPORT_ROW_LIMIT rows (default
 *   20,000) [SSIG CHANGELOG 0.3.0].
 * - 3CX logs a call when it ends, under the time it STARTED: a placed call's rows stay invisible until
 *   it ends (`endsInMs`), and one leg may be made to appear later than the others (`lateSegmentMs`).
 *
 * Calls are placed with `place(scenario, options)` (control API: `POST /__sim/calls`), or derived
 * from the CallHistoryView segments of the demo data and of tests (`fromSegments`).
 */
const crypto = require('node:crypto');

const REPORT_ROW_LIMIT = 20000;
/** With $orderby, rows that started within this long before the newest row are left out. */
const ORDERBY_HIDES_NEWEST_MS = 60_000;

/**
 * @typedef {Record<string, unknown>} Row
 * @typedef {{ row: Row, visibleAt: number, seq: number }} Entry
 * @typedef {'queueAnswered'|'queueAbandoned'|'unanswered'|'voicemail'|'transfer'|'outbound'|'internal'|'burst'} Scenario
 * @typedef {{
 *   at?: number|string, caller?: string, callerName?: string, queue?: string, queueName?: string,
 *   agent?: string, agentName?: string, extension?: string, extensionName?: string, transferTo?: string,
 *   transferToName?: string, waitSeconds?: number, talkSeconds?: number, ringSeconds?: number,
 *   count?: number, endsInMs?: number, lateSegmentMs?: number
 * }} PlaceOptions
 */

/**
 * A UUID derived from text (stable across requests: the same segment always has the same CdrId).
 * @param {string} text
 */
function uuidFrom(text) {
	const h = crypto.createHash('sha1').update(String(text)).digest('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * ISO-8601 duration with a fractional second part, as 3CX writes it: PT1M59.975875S.
 * @param {number} seconds
 */
function fracDuration(seconds) {
	const s = Math.max(0, seconds);
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	const rest = s - h * 3600 - m * 60;
	const sec = Number.isInteger(rest) ? String(rest) : rest.toFixed(6).replace(/0+$/, '');
	return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${rest || (!h && !m) ? `${sec}S` : ''}`;
}

/**
 * Drops null, undefined, zero and empty fields: 3CX leaves them out of a row.
 * @param {Row} row
 */
function compact(row) {
	/** @type {Row} */
	const out = {};
	for (const [k, v] of Object.entries(row)) {
		if (v === null || v === undefined || v === '' || v === 0) continue;
		out[k] = v;
	}
	return out;
}

/**
 * @param {unknown} value
 * @param {number} fallback
 */
function toMs(value, fallback) {
	if (value === undefined || value === null) return fallback;
	if (typeof value === 'number') return value;
	const t = Date.parse(String(value));
	return Number.isNaN(t) ? fallback : t;
}

/** @type {(number: string, name: string) => string} */
const party = (number, name) => `${name ? `${name} ` : ''}(${number})`;

class CallLog {
	/** @param {{ now: () => number }} clock the simulated PBX clock */
	constructor(clock) {
		this.clock = clock;
		/** @type {Entry[]} */
		this.entries = [];
		this.seq = 0;
		this.calls = 0;
	}

	reset() {
		this.entries = [];
		this.calls = 0;
	}

	/**
	 * The legs of one call as rows. `legs`: [{ start (ms), ring, talk (s), ...fields }].
	 * @param {Array<Row & { start: number, ring?: number, talk?: number }>} legs
	 * @param {{ visibleAt: number, lateSegmentMs?: number, key?: string }} when
	 */
	addCall(legs, when) {
		this.calls += 1;
		const main = uuidFrom(`call ${when.key ?? `${this.calls} ${this.clock.now()} ${Math.random()}`}`);
		const rows = legs.map((leg, i) => {
			const { start, ring = 0, talk = 0, ...fields } = leg;
			// 3CX writes milliseconds and microseconds: give each leg its own fraction
			const frac = ((i * 137 + this.calls * 61) % 997) / 1000;
			return compact({
				CdrId: uuidFrom(`${main} leg ${i}`),
				CallHistoryId: main,
				MainCallHistoryId: main,
				CallId: 1,
				SegmentId: i + 1,
				Indent: 1,
				StartTime: new Date(start + Math.round(frac * 1000) / 1).toISOString(),
				RingingDuration: fracDuration(ring ? ring + frac / 7 : 0),
				TalkingDuration: fracDuration(talk ? talk + frac / 3 : 0),
				...fields,
			});
		});
		rows.forEach((row, i) => {
			const late = i === rows.length - 1 && rows.length > 1 && when.lateSegmentMs ? when.lateSegmentMs : 0;
			this.seq += 1;
			this.entries.push({ row, visibleAt: when.visibleAt + late, seq: this.seq });
		});
		return { MainCallHistoryId: main, rows };
	}

	/**
	 * Places a call (or a burst of them) in the log. Returns the MainCallHistoryIds and rows.
	 * @param {Scenario} scenario
	 * @param {PlaceOptions} [options]
	 */
	place(scenario, options = {}) {
		const now = this.clock.now();
		const caller = options.caller ?? `+4930${String(5550000 + ((this.calls * 7919) % 99999))}`;
		const callerName = options.callerName ?? '';
		const queue = options.queue ?? '800';
		const queueName = options.queueName ?? 'Support';
		const agent = options.agent ?? '101';
		const agentName = options.agentName ?? 'Anna Berg';
		const extension = options.extension ?? agent;
		const extensionName = options.extensionName ?? agentName;
		const wait = options.waitSeconds ?? 12;
		const talk = options.talkSeconds ?? 95;
		const ring = options.ringSeconds ?? 20;
		const endsIn = options.endsInMs ?? 0;
		const inbound = { SourceType: 1, SourceDn: '10000', SourceCallerId: caller, SourceDisplayName: callerName };
		/** @param {number} total seconds the call lasts */
		const startOf = (total) => toMs(options.at, now + endsIn - total * 1000);
		/** @param {number} total */
		const when = (total) => ({ visibleAt: startOf(total) + total * 1000, lateSegmentMs: options.lateSegmentMs });
		/** @type {(number: string, name: string) => Row} */
		const toExt = (number, name) => ({ DestinationType: 0, DestinationDn: number, DestinationCallerId: number, DestinationDisplayName: name });
		/** @type {Array<{ MainCallHistoryId: string, rows: Row[] }>} */
		const placed = [];
		switch (scenario) {
			case 'queueAnswered': {
				const t0 = startOf(wait + 4 + talk);
				placed.push(
					this.addCall(
						[
							{ start: t0, talk: wait, ...inbound, DestinationType: 4, DestinationDn: queue, DestinationCallerId: queue, DestinationDisplayName: queueName, Direction: 'Inbound Queue', CallType: 'Queue', Status: 'Waiting', Answered: true, Reason: `${party(queue, queueName)} was replaced by ${party(agent, agentName)}` },
							{ start: t0 + wait * 1000, ring: 4, talk, ...inbound, ...toExt(agent, agentName), Direction: 'Inbound', CallType: 'Extension', Status: 'Answered', Answered: true, Reason: `Ended by ${party(caller, caller)}` },
						],
						when(wait + 4 + talk),
					),
				);
				break;
			}
			case 'queueAbandoned': {
				const t0 = startOf(wait);
				// the queue picked the call up (music) and the caller hung up while waiting
				placed.push(
					this.addCall(
						[{ start: t0, talk: wait, ...inbound, DestinationType: 4, DestinationDn: queue, DestinationCallerId: queue, DestinationDisplayName: queueName, Direction: 'Inbound Queue', CallType: 'Queue', Status: 'Unanswered', Answered: true, Reason: `Ended by ${party(caller, caller)}` }],
						when(wait),
					),
				);
				break;
			}
			case 'unanswered': {
				const t0 = startOf(ring);
				placed.push(
					this.addCall(
						[{ start: t0, ring, ...inbound, ...toExt(extension, extensionName), Direction: 'Inbound', CallType: 'Extension', Status: 'Unanswered', Answered: false, Reason: `Ended by ${party(caller, caller)}` }],
						when(ring),
					),
				);
				break;
			}
			case 'voicemail': {
				const t0 = startOf(ring + 25);
				placed.push(
					this.addCall(
						[
							{ start: t0, ring, ...inbound, ...toExt(extension, extensionName), Direction: 'Inbound', CallType: 'Extension', Status: 'Redirected', Answered: false, Reason: `forwarded to Voicemail ${party(extension, extensionName)}` },
							{ start: t0 + ring * 1000, talk: 25, ...inbound, DestinationType: 0, DestinationDn: extension, DestinationCallerId: extension, DestinationDisplayName: `Voicemail of ${extensionName}`, Direction: 'Inbound', CallType: 'Extension', Status: 'Answered', Answered: true, Reason: `Ended by ${party(caller, caller)}` },
						],
						when(ring + 25),
					),
				);
				break;
			}
			case 'transfer': {
				const to = options.transferTo ?? '102';
				const toName = options.transferToName ?? 'Ben Cohen';
				const t0 = startOf(talk + 68);
				placed.push(
					this.addCall(
						[
							{ start: t0, ring: 5, talk: 60, ...inbound, ...toExt(extension, extensionName), Direction: 'Inbound', CallType: 'Extension', Status: 'Answered', Answered: true, Reason: `${party(extension, extensionName)} was replaced by ${party(to, toName)}` },
							{ start: t0 + 65_000, ring: 3, talk, ...inbound, ...toExt(to, toName), Direction: 'Inbound', CallType: 'Extension', Status: 'Answered', Answered: true, Reason: `Ended by ${party(to, toName)}` },
						],
						when(talk + 68),
					),
				);
				break;
			}
			case 'outbound':
			case 'internal': {
				const t0 = startOf(6 + talk);
				const callee = scenario === 'outbound' ? { DestinationType: 1, DestinationDn: '10000', DestinationCallerId: options.caller ?? '+4940111222', DestinationDisplayName: '' } : toExt(options.transferTo ?? '102', options.transferToName ?? 'Ben Cohen');
				placed.push(
					this.addCall(
						[{ start: t0, ring: 6, talk, SourceType: 0, SourceDn: extension, SourceCallerId: extension, SourceDisplayName: extensionName, ...callee, Direction: scenario === 'outbound' ? 'Outbound' : 'Internal', CallType: scenario === 'outbound' ? 'External' : 'Extension', Status: 'Answered', Answered: true, Reason: `Ended by ${party(extension, extensionName)}` }],
						when(6 + talk),
					),
				);
				break;
			}
			case 'burst': {
				const count = Math.max(1, Math.min(5000, Number(options.count ?? 150)));
				for (let i = 0; i < count; i++) {
					const kind = i % 3 === 0 ? 'queueAbandoned' : i % 3 === 1 ? 'queueAnswered' : 'unanswered';
					const at = toMs(options.at, now - 5 * 60_000) + i * 250;
					placed.push(...this.place(kind, { ...options, at, count: undefined, caller: `+4989${String(1000000 + i)}` }).calls);
				}
				break;
			}
			default:
				throw new Error(`unknown scenario "${String(scenario)}": queueAnswered, queueAbandoned, unanswered, voicemail, transfer, outbound, internal or burst`);
		}
		return { calls: placed };
	}

	/**
	 * The CallHistoryView segments of the demo data and of tests as call log rows (one per segment).
	 * @param {Row[]} segments
	 * @param {Row[]} recordings
	 */
	fromSegments(segments, recordings) {
		/** @type {Map<unknown, Row[]>} */
		const byCall = new Map();
		const sorted = [...segments].sort((a, b) => Date.parse(String(a.SegmentStartTime)) - Date.parse(String(b.SegmentStartTime)) || Number(a.SegmentId) - Number(b.SegmentId));
		for (const s of sorted) {
			const id = s.CallId ?? s.SegmentId;
			const legs = byCall.get(id);
			if (legs) legs.push(s);
			else byCall.set(id, [s]);
		}
		/** @type {Row[]} */
		const rows = [];
		for (const [callId, segs] of byCall) {
			const main = uuidFrom(`history call ${callId}`);
			const answeredLeg = segs.find((s) => s.CallAnswered);
			segs.forEach((s, i) => {
				const start = Date.parse(String(s.SegmentStartTime));
				const end = Date.parse(String(s.SegmentEndTime));
				const seconds = Math.max(0, (end - start) / 1000);
				const queue = s.DstDnType === 4;
				const ringGroup = s.DstDnType === 5;
				const next = segs[i + 1];
				const inbound = s.SrcExternal === true;
				const outbound = s.DstExternal === true;
				const answered = queue ? true : s.CallAnswered === true;
				const frac = ((Number(s.SegmentId) * 37) % 1000) / 1000;
				const recId = [s.DstRecId, s.SrcRecId].find((x) => typeof x === 'number' && x > 0);
				const rec = recId ? recordings.find((r) => r.Id === recId) : undefined;
				const caller = String(s.SrcCallerNumber ?? '');
				const dst = party(String(s.DstDn ?? ''), String(s.DstDisplayName ?? ''));
				const reason = next ? `${dst} was replaced by ${party(String(next.DstDn ?? ''), String(next.DstDisplayName ?? ''))}` : `Ended by ${party(caller, caller)}`;
				rows.push(
					compact({
						CdrId: uuidFrom(`history segment ${String(s.SegmentId)}`),
						CallHistoryId: main,
						MainCallHistoryId: main,
						CallId: 1,
						SegmentId: i + 1,
						Indent: 1,
						StartTime: new Date(start + Math.round(frac * 1000)).toISOString(),
						Direction: inbound ? (queue ? 'Inbound Queue' : 'Inbound') : outbound ? 'Outbound' : 'Internal',
						CallType: queue ? 'Queue' : ringGroup ? 'Ring Group' : outbound ? 'External' : 'Extension',
						Status: queue ? (answeredLeg ? 'Waiting' : 'Unanswered') : s.CallAnswered ? 'Answered' : next ? 'Redirected' : 'Unanswered',
						Answered: answered,
						Reason: reason,
						RingingDuration: fracDuration(answered && !queue ? Math.min(6, seconds) : queue ? 0 : seconds + frac),
						TalkingDuration: fracDuration(answered ? seconds + frac / 3 : 0),
						SourceType: s.SrcDnType,
						SourceDn: s.SrcDn,
						SourceCallerId: s.SrcCallerNumber,
						SourceDisplayName: s.SrcDisplayName,
						DestinationType: s.DstDnType,
						DestinationDn: s.DstDn,
						DestinationCallerId: s.DstCallerNumber,
						DestinationDisplayName: s.DstDisplayName,
						SrcRecId: s.SrcRecId,
						DstRecId: s.DstRecId,
						RecordingUrl: rec ? rec.RecordingUrl : undefined,
						Summary: rec ? rec.Summary : undefined,
						Transcription: rec ? rec.Transcription : undefined,
						SentimentScore: rec ? rec.SentimentScore : undefined,
					}),
				);
			});
		}
		return rows;
	}

	/** Rows of placed calls that 3CX has logged by now (their call ended; late legs once due). */
	visible() {
		const now = this.clock.now();
		return this.entries.filter((e) => e.visibleAt <= now);
	}

	/**
	 * What `GetCallLogData` answers for the period: rows newest first (the function's own order),
	 * the report row cap, and `$orderby` that leaves out the newest rows. `$top` has no 100 cap.
	 * @param {Row[]} rows all rows of the log (older ones first)
	 * @param {{ from: number, to: number, query: Record<string, unknown>, hidePcalls?: boolean }} request
	 */
	answer(rows, request) {
		const inPeriod = rows
			.map((row, i) => ({ row, i }))
			.filter(({ row }) => {
				if (request.hidePcalls && row.PCall === true) return false;
				const t = Date.parse(String(row.StartTime));
				return t >= request.from && t <= request.to;
			});
		// newest first; rows with the same start: the one logged last first
		inPeriod.sort((a, b) => Date.parse(String(b.row.StartTime)) - Date.parse(String(a.row.StartTime)) || b.i - a.i);
		let list = inPeriod.map((x) => x.row).slice(0, REPORT_ROW_LIMIT);
		if (request.query.$orderby !== undefined && list.length) {
			const newest = Math.max(...list.map((r) => Date.parse(String(r.StartTime))));
			list = list.filter((r) => Date.parse(String(r.StartTime)) < newest - ORDERBY_HIDES_NEWEST_MS);
		}
		return list.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'PCall')));
	}
}

module.exports = { CallLog, uuidFrom, fracDuration, REPORT_ROW_LIMIT, ORDERBY_HIDES_NEWEST_MS };
