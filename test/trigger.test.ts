/**
 * The 3CX Trigger through n8n-core's real polling code (PollTriggerExecutor, PollContext,
 * TriggersAndPollers), against a local XAPI server whose records change between polls. The PBX's
 * clock runs an hour ahead of this machine's, so a cursor taken from the local clock would show.
 */
import type { IBinaryData, IDataObject, INodeParameters } from 'n8n-workflow';

import { generatedFrom } from '../nodes/client';
import { wav } from './helpers/files';
import { CredentialStore, runNode, xapiCredentials } from './helpers/harness';
import { isoSeconds, pruneSeen, SEEN_LIMIT, timeOf } from '../nodes/ThreeCxTrigger/cursor';
import { createTriggerHarness, type CursorMode, type TriggerHarness } from './helpers/poll-harness';
import { useXapiServer } from './helpers/setup';
import { json, odataError, type XapiServer } from '../simulator';

const PBX_AHEAD_MS = 60 * 60 * 1000;
// the one simulated 3CX (simulator/): its Date header runs on the PBX clock
const xapi = useXapiServer({ clockSkewMs: PBX_AHEAD_MS, data: { sets: {}, files: { '*.wav': wav() } } });
let server: XapiServer;

type EventRecord = Record<string, unknown>;
const pbxNow = () => server.now();
const iso = (ms: number) => new Date(ms).toISOString();
/** Adds records to a simulator set; the call log's own rows go to 'ReportCallLogData'. */
const add = (set: string, records: EventRecord[]) => server.addRecords(set, records);

beforeEach(() => {
	server = xapi();
});

function trigger(parameters: INodeParameters, cursorMode: CursorMode = 'durable', store?: CredentialStore): TriggerHarness {
	return createTriggerHarness({ parameters, credentials: xapiCredentials(server), credentialStore: store, cursorMode });
}

/** Activation as n8n does it: the activation poll, then the first scheduled poll. */
async function activated(parameters: INodeParameters, cursorMode: CursorMode = 'durable'): Promise<TriggerHarness> {
	const t = trigger(parameters, cursorMode);
	const first = await t.activate();
	expect(first.error).toBeUndefined();
	expect(first.items).toBeUndefined();
	const second = await t.tick();
	expect(second.error).toBeUndefined();
	expect(second.items).toBeUndefined();
	return t;
}

let nextId = 1;
function eventLog(time: number, type = 'Error', extra: EventRecord = {}): EventRecord {
	const id = nextId++;
	return { Id: id, TimeGenerated: iso(time), Type: type, EventId: 1000 + id, Source: 'PBX', Message: `entry ${id}`, ...extra };
}
function recording(start: number, end: number, extra: EventRecord = {}): EventRecord {
	const id = nextId++;
	return { Id: id, StartTime: iso(start), EndTime: iso(end), FromDn: '100', ToDn: '101', Transcription: `text ${id}`, ...extra };
}
function chat(time: number, extra: EventRecord = {}): EventRecord {
	const id = nextId++;
	return { MessageId: id, ConversationId: 7, TimeSent: iso(time), Message: `hello ${id}`, SenderParticipantNo: '100', ...extra };
}
/**
 * One call log row as builds WITHOUT MainCallHistoryId/CdrId would send it: the trigger falls back to
 * CallId for the call (a call with several segments is several rows with one CallId). The V20 shape
 * is in test/trigger-calls.test.ts.
 */
function callRow(callId: number, start: number, extra: EventRecord = {}): EventRecord {
	return {
		CallId: callId,
		SegmentId: nextId++,
		Indent: 0,
		StartTime: iso(start),
		Direction: 'Inbound',
		Status: 'Answered',
		Answered: true,
		SourceDn: '+4930123456',
		DestinationDn: '100',
		TalkingDuration: 'PT1M',
		RingingDuration: 'PT5S',
		...extra,
	};
}

const ids = (items: Array<{ json: IDataObject }> | undefined, field = 'Id') => (items ?? []).map((i) => i.json[field]);
const apiCount = () => server.apiRequests.length;

describe.each<CursorMode>(['durable', 'legacy'])('cursor (%s static data)', (mode) => {
	it('activation emits nothing old and starts from the PBX clock, not this machine', async () => {
		add('EventLogs', [eventLog(pbxNow() - 120_000), eventLog(pbxNow() - 10_000), eventLog(pbxNow() - 1000)]);
		const t = await activated({ event: 'newEventLogEntry' }, mode);
		const cursor = Date.parse(String(t.committed().cursor));
		expect(cursor).toBeGreaterThan(Date.now() + PBX_AHEAD_MS - 10_000);
		// the records of the overlap window are remembered, so the next poll does not emit them
		const after = await t.tick();
		expect(after.items).toBeUndefined();
		expect(t.executions).toHaveLength(0);
	});

	it('each new record comes out once across polls; a poll with nothing new is one request', async () => {
		const t = await activated({ event: 'newEventLogEntry' }, mode);
		const added = add('EventLogs', [eventLog(pbxNow()), eventLog(pbxNow() + 1), eventLog(pbxNow() + 2, 'Info')]);
		const first = await t.tick();
		expect(first.error).toBeUndefined();
		expect(ids(first.items)).toEqual(ids(added.map((json) => ({ json: json as IDataObject }))));
		const before = apiCount();
		const empty = await t.tick();
		expect(empty.items).toBeUndefined();
		expect(apiCount() - before).toBe(1);
		const request = server.apiRequests[server.apiRequests.length - 1];
		expect(request.query.$filter).toMatch(/^TimeGenerated ge \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		expect(request.query.$orderby).toBe('TimeGenerated desc,Id desc');
		expect(request.query.$top).toBe('100');
		expect(request.query.$count).toBe('true');
		const more = add('EventLogs', [eventLog(pbxNow() + 5)]);
		expect(ids((await t.tick()).items)).toEqual([more[0].Id]);
		expect(t.executions).toHaveLength(2);
	});

	it('a record that lands late within the same second (or just before the cursor) still comes out, once', async () => {
		const t = await activated({ event: 'newEventLogEntry' }, mode);
		const time = pbxNow();
		const [a] = add('EventLogs', [eventLog(time)]);
		expect(ids((await t.tick()).items)).toEqual([a.Id]);
		// written late: same time stamp as the one already emitted, and one a few seconds older
		const late = add('EventLogs', [eventLog(time), eventLog(time - 3000)]);
		const second = await t.tick();
		expect(ids(second.items).sort()).toEqual(late.map((r) => r.Id).sort());
		expect((await t.tick()).items).toBeUndefined();
	});

	it('more than 100 new records between two polls come out once each, oldest first', async () => {
		const t = await activated({ event: 'newChatMessage' }, mode);
		const base = pbxNow();
		const added = add('ChatMessagesHistoryView', Array.from({ length: 250 }, (_, i) => chat(base + i * 10)));
		const before = apiCount();
		const out = await t.tick();
		expect(out.error).toBeUndefined();
		expect(ids(out.items, 'MessageId')).toEqual(added.map((r) => r.MessageId));
		expect(apiCount() - before).toBe(3);
		expect((await t.tick()).items).toBeUndefined();
	});

	it.each([
		['a 5xx answer', () => server.get('/EventLogs', odataError(503, 'Service Unavailable'), { times: 1 }), '503'],
		['the server dropping the connection', () => server.get('/EventLogs', { destroy: true }, { times: 1 }), undefined],
		['a 401 that survives one token renewal', () => server.get('/EventLogs', odataError(401, 'Unauthorized'), { times: 2 }), '401'],
	])('a failed poll (%s) throws a clear error and moves nothing', async (_what, breakIt, httpCode) => {
		const t = await activated({ event: 'newEventLogEntry' }, mode);
		const added = add('EventLogs', [eventLog(pbxNow()), eventLog(pbxNow() + 1)]);
		const stateBefore = JSON.stringify(t.committed());
		breakIt();
		const failed = await t.tick();
		expect(failed.error).toBeDefined();
		expect(failed.items).toBeUndefined();
		if (httpCode) expect(failed.error?.httpCode).toBe(httpCode);
		expect(JSON.stringify(t.committed())).toBe(stateBefore);
		const next = await t.tick();
		expect(next.error).toBeUndefined();
		expect(ids(next.items)).toEqual(added.map((r) => r.Id));
	});

	it('a poll that fails after reading (audio download) emits nothing and moves nothing', async () => {
		const t = await activated({ event: 'newRecording', downloadAudio: true }, mode);
		const [r] = add('Recordings', [recording(pbxNow() - 60_000, pbxNow())]);
		server.get(/DownloadRecording/, odataError(500, 'disk error'), { times: 1 });
		const stateBefore = JSON.stringify(t.committed());
		const failed = await t.tick();
		expect(failed.error?.httpCode).toBe('500');
		expect(JSON.stringify(t.committed())).toBe(stateBefore);
		expect(ids((await t.tick()).items)).toEqual([r.Id]);
	});
});

describe('a poll answered 404 by a server of another 3CX build', () => {
	it('names both builds, as the action node does (the paths are the spec\'s)', async () => {
		const t = await activated({ event: 'newEventLogEntry' });
		server.configure({ version: '20.0.4.500' });
		server.get('/EventLogs', odataError(404, 'No such thing'), { times: 1 });
		const failed = await t.tick();
		expect(failed.error?.httpCode).toBe('404');
		expect(String(failed.error?.description ?? '')).toContain(
			`This node was built from the XAPI spec of 3CX ${generatedFrom.build} (${generatedFrom.file}); this server runs 3CX 20.0.4.500`,
		);
	});
});

describe('events', () => {
	it('Call Ended: one item per call, with its segments; a long call logged late is caught', async () => {
		const t = await activated({ event: 'callEnded' });
		// calls that ended minutes ago (a call waits until its legs settled)
		const now = pbxNow() - 3 * 60_000;
		// a transferred call: two rows with one CallId
		add('ReportCallLogData', [
			callRow(501, now, { DestinationDn: '800', Answered: false, Status: 'Transferred' }),
			callRow(501, now + 2000, { Indent: 1, DestinationDn: '101' }),
			callRow(502, now + 3000, { Direction: 'Outbound', SourceDn: '101', DestinationDn: '+4940111' }),
		]);
		const first = await t.tick();
		expect(ids(first.items, 'CallId')).toEqual([501, 502]);
		const transferred = first.items![0].json;
		expect(transferred.Answered).toBe(true);
		expect((transferred.Segments as IDataObject[]).map((s) => s.DestinationDn)).toEqual(['800', '101']);
		// a 20-minute call that started before the cursor appears in the call log when it ends
		add('ReportCallLogData', [callRow(503, now - 20 * 60_000)]);
		expect(ids((await t.tick()).items, 'CallId')).toEqual([503]);
		const request = server.apiRequests[server.apiRequests.length - 1];
		expect(request.rawApiPath).toMatch(
			/^\/ReportCallLogData\/Pbx\.GetCallLogData\(periodFrom=\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\dZ,periodTo=\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\dZ,sourceType=0,sourceFilter=''/,
		);
		expect((await t.tick()).items).toBeUndefined();
	});

	it('Call Ended filters: direction, answered, numbers', async () => {
		const t = await activated({ event: 'callEnded', directions: ['outbound', 'internal'], answered: 'answered', numbers: '101, 102' });
		const now = pbxNow() - 3 * 60_000;
		add('ReportCallLogData', [
			callRow(601, now, { Direction: 'Inbound', DestinationDn: '101' }),
			callRow(602, now + 1, { Direction: 'Outbound', SourceDn: '101' }),
			callRow(603, now + 2, { Direction: 'Outbound', SourceDn: '103' }),
			callRow(604, now + 3, { Direction: 'Internal', SourceDn: '102', DestinationDn: '100', Answered: false }),
			callRow(605, now + 4, { Direction: 'Internal', SourceDn: '100', DestinationDn: '102' }),
		]);
		expect(ids((await t.tick()).items, 'CallId')).toEqual([602, 605]);
	});

	it('Missed Call: inbound calls nobody answered, including queue-abandoned ones, without any filter', async () => {
		const t = await activated({ event: 'missedCall' });
		const now = pbxNow() - 3 * 60_000;
		add('ReportCallLogData', [
			callRow(701, now, { Answered: false, Status: 'Unanswered' }),
			callRow(702, now + 1, { Answered: false, Status: 'Abandoned', DestinationDn: '800', Reason: 'Queue' }),
			callRow(703, now + 2),
			callRow(704, now + 3, { Direction: 'Outbound', Answered: false }),
			// answered after a transfer: not missed
			callRow(705, now + 4, { Answered: false, DestinationDn: '800' }),
			callRow(705, now + 5, { Indent: 1, DestinationDn: '101', Answered: true }),
		]);
		expect(ids((await t.tick()).items, 'CallId')).toEqual([701, 702]);
	});

	it('Missed Call from call history segments (the simulator logs one row per segment, as V20 does)', async () => {
		const t = await activated({ event: 'missedCall', numbers: '800' });
		const now = pbxNow() - 5 * 60_000;
		const segment = (callId: number, start: number, end: number, extra: EventRecord) => ({
			CallId: callId,
			SegmentStartTime: iso(start),
			SegmentEndTime: iso(end),
			SrcExternal: true,
			SrcDn: '10000',
			SrcCallerNumber: '+4930555000',
			SrcDnType: 0,
			DstDnType: 0,
			CallAnswered: false,
			...extra,
		});
		add('CallHistoryView', [
			// caller waits in queue 800 and hangs up
			segment(901, now, now + 40_000, { DstDn: '800', DstDnType: 4 }),
			// caller waits in queue 800, an agent answers
			segment(902, now + 1000, now + 10_000, { DstDn: '800', DstDnType: 4 }),
			segment(902, now + 10_000, now + 90_000, { DstDn: '101', CallAnswered: true }),
			// missed, but at another number
			segment(903, now + 2000, now + 30_000, { DstDn: '102' }),
		]);
		const out = await t.tick();
		expect(out.items).toHaveLength(1);
		// the queue's own leg says Answered (the queue picked up to play music); nobody did
		expect(out.items![0].json).toMatchObject({ Direction: 'Inbound Queue', CallType: 'Queue', Answered: false, DestinationDn: '800' });
		expect((out.items![0].json.Segments as IDataObject[]).map((s) => s.Answered)).toEqual([true]);
	});

	it('1,000 new calls between two polls are at most 10 requests', async () => {
		const t = await activated({ event: 'callEnded' });
		const now = pbxNow() - 5 * 60_000;
		add('ReportCallLogData', Array.from({ length: 1000 }, (_, i) => callRow(10_000 + i, now + i * 100)));
		const before = apiCount();
		const out = await t.tick();
		expect(out.items).toHaveLength(1000);
		expect(new Set(ids(out.items, 'CallId')).size).toBe(1000);
		expect(apiCount() - before).toBeLessThanOrEqual(10);
		const quiet = apiCount();
		expect((await t.tick()).items).toBeUndefined();
		expect(apiCount() - quiet).toBe(1);
	});

	it('New Event Log Entry filters by type', async () => {
		const t = await activated({ event: 'newEventLogEntry', eventTypes: ['Error', 'Warning'] });
		const added = add('EventLogs', [eventLog(pbxNow(), 'Info'), eventLog(pbxNow() + 1, 'Warning'), eventLog(pbxNow() + 2, 'Error')]);
		expect(ids((await t.tick()).items)).toEqual([added[1].Id, added[2].Id]);
	});

	it('New Recording with Download Audio gives the WAV as binary data', async () => {
		const t = await activated({ event: 'newRecording', downloadAudio: true, binaryPropertyOutput: 'audio' });
		const [r] = add('Recordings', [recording(pbxNow() - 90_000, pbxNow(), { Summary: 'Customer asks for a refund', SentimentScore: 2 })]);
		const out = await t.tick();
		expect(out.error).toBeUndefined();
		expect(out.items).toHaveLength(1);
		expect(out.items![0].json).toMatchObject({ Id: r.Id, Summary: 'Customer asks for a refund', SentimentScore: 2 });
		const file = out.items![0].binary!.audio as IBinaryData;
		expect(file).toMatchObject({ mimeType: 'audio/wav', fileName: `recording-${String(r.Id)}.wav` });
		expect(Buffer.from(file.data, 'base64').subarray(0, 4).toString()).toBe('RIFF');
		expect(server.apiRequests.some((q) => q.rawApiPath === `/Recordings/Pbx.DownloadRecording(recId=${String(r.Id)})`)).toBe(true);
	});
});

describe('Fetch Test Event (manual mode)', () => {
	it('returns the most recent matching event and moves no cursor', async () => {
		const added = add('EventLogs', [eventLog(pbxNow() - 5000, 'Error'), eventLog(pbxNow() - 3000, 'Error'), eventLog(pbxNow() - 1000, 'Info')]);
		const t = trigger({ event: 'newEventLogEntry', eventTypes: ['Error'] });
		const out = await t.fetchTestEvent();
		expect(out.error).toBeUndefined();
		expect(ids(out.items)).toEqual([added[1].Id]);
		expect(t.committed()).toEqual({});
	});

	it('the latest call is one item per call', async () => {
		const now = pbxNow() - 60_000;
		add('ReportCallLogData', [callRow(801, now), callRow(802, now + 1000, { Answered: false }), callRow(802, now + 2000, { Indent: 1 })]);
		const out = await trigger({ event: 'callEnded' }).fetchTestEvent();
		expect(ids(out.items, 'CallId')).toEqual([802]);
		expect(out.items![0].json.Segments).toHaveLength(2);
	});

	it('says clearly when there is no matching event in the look-back window', async () => {
		add('EventLogs', [eventLog(pbxNow() - 1000, 'Info')]);
		const out = await trigger({ event: 'newEventLogEntry', eventTypes: ['Error'] }).fetchTestEvent();
		expect(out.items).toBeUndefined();
		expect(out.error?.message).toBe('No New Event Log Entry event in the last 7 days that matches the filters');
	});
});

describe('one token for the trigger and the action node', () => {
	it('polls and action executions in one process share the credential and its one token', async () => {
		server.get('/Users', json({ value: [{ Id: 1, Number: '100' }] }));
		const store = new CredentialStore(xapiCredentials(server));
		const t = trigger({ event: 'newEventLogEntry' }, 'durable', store);
		await t.activate();
		await t.tick();
		add('EventLogs', [eventLog(pbxNow())]);
		const [action, poll] = await Promise.all([
			runNode({ parameters: { resource: 'users', operation: 'listUser', limit: 5 }, credentialStore: store }),
			t.tick(),
		]);
		expect(action.error).toBeUndefined();
		expect(poll.error).toBeUndefined();
		expect(poll.items).toHaveLength(1);
		expect(server.tokensIssued).toBe(1);
		// 3CX revokes the token (another client fetched one): ONE shared renewal, both go on
		server.revokeTokens();
		add('EventLogs', [eventLog(pbxNow() + 1)]);
		const [action2, poll2] = await Promise.all([
			runNode({ parameters: { resource: 'users', operation: 'listUser', limit: 5 }, credentialStore: store }),
			t.tick(),
		]);
		expect(action2.error).toBeUndefined();
		expect(poll2.items).toHaveLength(1);
		expect(server.tokenRequests).toHaveLength(2);
	});
});

describe('time zones', () => {
	it("the workflow's time zone never shifts the window: literals are UTC", async () => {
		const t = createTriggerHarness({ parameters: { event: 'callEnded' }, credentials: xapiCredentials(server), timezone: 'Pacific/Kiritimati' });
		await t.activate();
		await t.tick();
		const cursor = Date.parse(String(t.committed().cursor));
		const [row] = add('ReportCallLogData', [callRow(4242, pbxNow() - 3 * 60_000)]);
		const out = await t.tick();
		expect(ids(out.items, 'CallId')).toEqual([row.CallId]);
		const request = server.apiRequests[server.apiRequests.length - 1];
		const from = /periodFrom=([^,]+),/.exec(decodeURIComponent(request.rawApiPath ?? ''))![1];
		expect(from).toMatch(/Z$/);
		// Longest Call (60 min) + settle (1 min) + the wait for a call's next leg (5 min)
		expect(Date.parse(from)).toBe(Math.floor((cursor - 66 * 60_000) / 1000) * 1000);
		// the window is the function's period: no $filter on it
		expect(request.query.$filter).toBeUndefined();
	});
});

describe('poll budget', () => {
	it('a backlog larger than n8n\'s poll budget allows is finished by the next polls, each record once', async () => {
		const t = createTriggerHarness({ parameters: { event: 'newChatMessage' }, credentials: xapiCredentials(server), pollBudgetMs: 1 });
		await t.activate();
		await t.tick();
		const base = pbxNow();
		const added = add('ChatMessagesHistoryView', Array.from({ length: 250 }, (_, i) => chat(base + i * 10)));
		const seen: unknown[] = [];
		for (let i = 0; i < 5; i++) seen.push(...ids((await t.tick()).items, 'MessageId'));
		expect([...seen].sort((a, b) => Number(a) - Number(b))).toEqual(added.map((r) => r.MessageId));
		expect(new Set(seen).size).toBe(250);
	});
});

describe('cursor helpers', () => {
	it('time literals are whole-second UTC, rounded down; a time without an offset is UTC', () => {
		expect(isoSeconds(Date.parse('2026-12-01T10:00:00.999Z'))).toBe('2026-12-01T10:00:00Z');
		expect(timeOf('2026-12-01T10:00:00')).toBe(Date.parse('2026-12-01T10:00:00Z'));
		expect(timeOf('2026-12-01T12:00:00+02:00')).toBe(Date.parse('2026-12-01T10:00:00Z'));
		expect(timeOf('')).toBeNaN();
	});

	it('remembered keys are pruned to the window and capped', () => {
		const seen = Object.fromEntries(Array.from({ length: SEEN_LIMIT + 10 }, (_, i) => [`k${i}`, 1000 + i]));
		const pruned = pruneSeen(seen, 1005);
		expect(Object.keys(pruned)).toHaveLength(SEEN_LIMIT);
		expect(pruned.k0).toBeUndefined();
		expect(pruned[`k${SEEN_LIMIT + 9}`]).toBe(1000 + SEEN_LIMIT + 9);
	});
});
