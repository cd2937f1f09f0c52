/**
 * Call Ended and Missed Call on the call log as live V20 (20.0.10) servers send it, through
 * n8n-core's real poll executor (test/helpers/poll-harness.ts). The cases come from public code
 * that ran against live PBXs (docs/trigger.md): several legs per call sharing MainCallHistoryId,
 * CallId/SegmentId that repeat, a queue leg that says Answered although the caller hung up,
 * newest-first order without $orderby, calls logged when they end under the time they started.
 *
 * The PBX clock runs ahead of this machine's and is moved on between polls (`advance`), as time
 * passes between n8n's scheduled polls.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { CredentialStore, xapiCredentials } from './helpers/harness';
import { createTriggerHarness, type CursorMode, type TriggerHarness } from './helpers/poll-harness';
import { useXapiServer } from './helpers/setup';
import { odataError, type XapiServer } from '../simulator';
import { wav } from './helpers/files';

const PBX_AHEAD_MS = 30 * 60 * 1000;
const xapi = useXapiServer({ clockSkewMs: PBX_AHEAD_MS, data: { sets: {}, files: { '*.wav': wav() } } });
let server: XapiServer;
// one credential for every trigger of a test, as in one n8n (3CX keeps one token per API client)
let store: CredentialStore;
beforeEach(() => {
	server = xapi();
	store = new CredentialStore(xapiCredentials(server));
});

/** Time passes on the PBX (between two scheduled polls). */
const advance = (ms: number) => server.configure({ clockSkewMs: server.options.clockSkewMs + ms });
const ONE_POLL = 65_000;

function trigger(parameters: INodeParameters, cursorMode: CursorMode = 'durable'): TriggerHarness {
	return createTriggerHarness({ parameters, credentialStore: store, cursorMode });
}

async function activated(parameters: INodeParameters, cursorMode: CursorMode = 'durable'): Promise<TriggerHarness> {
	const t = trigger(parameters, cursorMode);
	const first = await t.activate();
	expect(first.error).toBeUndefined();
	expect(first.items).toBeUndefined();
	return t;
}

const calls = (items: Array<{ json: IDataObject }> | undefined) => (items ?? []).map((i) => String(i.json.MainCallHistoryId));
const place = (scenario: Parameters<XapiServer['placeCall']>[0], options: Parameters<XapiServer['placeCall']>[1] = {}) =>
	server.placeCall(scenario, options).calls.map((c) => c.MainCallHistoryId);
const callLogRequests = () => server.apiRequests.filter((r) => (r.rawApiPath ?? '').startsWith('/ReportCallLogData/'));

describe.each<CursorMode>(['durable', 'legacy'])('activation (%s cursors)', (mode) => {
	it('a call that ends between activation and the first scheduled poll comes out in that poll', async () => {
		place('queueAbandoned', { at: server.now() - 20 * 60_000 });
		const t = await activated({ event: 'missedCall' }, mode);
		const [call] = place('unanswered');
		advance(ONE_POLL);
		const first = await t.tick();
		expect(first.error).toBeUndefined();
		expect(calls(first.items)).toEqual([call]);
		advance(ONE_POLL);
		expect((await t.tick()).items).toBeUndefined();
		expect(t.executions).toHaveLength(1);
	});
});

describe('Call Ended and Missed Call on the V20 call log', () => {
	it('every call comes out once although CallId and SegmentId repeat on every call', async () => {
		const t = await activated({ event: 'callEnded' });
		const first = [...place('queueAnswered'), ...place('unanswered')];
		advance(ONE_POLL);
		expect(calls((await t.tick()).items).sort()).toEqual(first.sort());
		// the same CallId 1 / SegmentId 1..2 again: new calls, not repeats
		const second = [...place('queueAnswered'), ...place('queueAbandoned')];
		advance(ONE_POLL);
		const out = await t.tick();
		expect(calls(out.items).sort()).toEqual(second.sort());
		expect(out.items!.every((i) => i.json.CallId === 1)).toBe(true);
		advance(ONE_POLL);
		expect((await t.tick()).items).toBeUndefined();
	});

	it('asks as the console does: no $orderby, no $select, no $filter, hidePcalls=true; one request when nothing is new', async () => {
		const t = await activated({ event: 'callEnded' });
		advance(ONE_POLL);
		const before = server.apiRequests.length;
		expect((await t.tick()).items).toBeUndefined();
		expect(server.apiRequests.length - before).toBe(1);
		const [request] = callLogRequests().slice(-1);
		expect(decodeURIComponent(request.rawApiPath ?? '')).toMatch(/,hidePcalls=true\)$/);
		expect(request.query).toEqual({ $top: '100', $skip: '0', $count: 'true' });
	});

	it('one item per call: its legs as Segments, oldest first, the fields of the leg a person answered', async () => {
		const t = await activated({ event: 'callEnded' });
		const [call] = place('queueAnswered', { agent: '101', agentName: 'Anna Berg' });
		advance(ONE_POLL);
		const [item] = (await t.tick()).items!;
		expect(item.json).toMatchObject({ MainCallHistoryId: call, Answered: true, DestinationDn: '101', CallType: 'Extension', Direction: 'Inbound Queue' });
		const segments = item.json.Segments as IDataObject[];
		expect(segments.map((s) => s.CallType)).toEqual(['Queue', 'Extension']);
		expect(item.json.StartTime).toBe(segments[0].StartTime);
	});

	it('Missed Call means nobody answered: queue-abandoned (its queue leg says Answered), unanswered, voicemail; not queue->agent, transfer, outbound', async () => {
		const missedT = await activated({ event: 'missedCall' });
		const endedT = await activated({ event: 'callEnded' });
		// calls that ended after activation (3CX logs a call under the time it started)
		const at = (minutes: number) => ({ at: server.now() - minutes * 60_000 });
		const answered = place('queueAnswered', at(10));
		const abandoned = place('queueAbandoned', at(9));
		const unanswered = place('unanswered', at(8));
		const voicemail = place('voicemail', at(7));
		const transfer = place('transfer', at(6));
		const outbound = place('outbound', at(5));
		const missed = await missedT.tick();
		expect(calls(missed.items)).toEqual([...abandoned, ...unanswered, ...voicemail]);
		expect(missed.items!.every((i) => i.json.Answered === false)).toBe(true);
		const ended = await endedT.tick();
		expect(calls(ended.items)).toEqual([...answered, ...abandoned, ...unanswered, ...voicemail, ...transfer, ...outbound]);
		expect(ended.items!.map((i) => i.json.Answered)).toEqual([true, false, false, false, true, true]);
	});

	it('Call Ended filters Answered / Not Answered by the same rule', async () => {
		const t = await activated({ event: 'callEnded', answered: 'notAnswered' });
		const abandoned = place('queueAbandoned', { at: server.now() - 3 * 60_000 });
		place('queueAnswered', { at: server.now() - 4 * 60_000 });
		expect(calls((await t.tick()).items)).toEqual(abandoned);
	});

	it('a burst of 150 calls between two polls: each call once, exactly the missed ones, in few requests', async () => {
		const endedT = await activated({ event: 'callEnded' });
		const missedT = await activated({ event: 'missedCall' });
		const burst = place('burst', { count: 150, at: server.now() - 5 * 60_000 });
		advance(ONE_POLL);
		const before = callLogRequests().length;
		const ended = await endedT.tick();
		const requests = callLogRequests().length - before;
		expect(calls(ended.items).sort()).toEqual([...burst].sort());
		// 200 legs: the first page of 100 with $count, then one page of up to 500
		expect(requests).toBe(2);
		const missed = await missedT.tick();
		// the burst: every third call abandoned in the queue, every third unanswered
		expect(missed.items).toHaveLength(100);
		expect(new Set(calls(missed.items)).size).toBe(100);
		advance(ONE_POLL);
		expect((await endedT.tick()).items).toBeUndefined();
		expect((await missedT.tick()).items).toBeUndefined();
	});

	it('a call still running at a poll comes out once when it ends, under its start time', async () => {
		const t = await activated({ event: 'callEnded' });
		const [running] = place('queueAnswered', { endsInMs: 3 * 60_000, talkSeconds: 600 });
		for (let i = 0; i < 3; i++) {
			advance(ONE_POLL);
			expect((await t.tick()).items).toBeUndefined();
		}
		advance(ONE_POLL);
		expect(calls((await t.tick()).items)).toEqual([running]);
		advance(ONE_POLL);
		expect((await t.tick()).items).toBeUndefined();
	});

	it('a leg that arrives a poll later: the call waits while its newest leg says it went on, then comes out once, not as missed', async () => {
		const missedT = await activated({ event: 'missedCall' });
		const endedT = await activated({ event: 'callEnded' });
		// the queue leg is in the log ("... was replaced by Anna Berg (101)"); the agent's leg comes later
		const [call] = place('queueAnswered', { at: server.now() - 4 * 60_000, lateSegmentMs: 3 * 60_000 });
		expect(server.records('ReportCallLogData')).toHaveLength(1);
		expect((await missedT.tick()).items).toBeUndefined();
		expect((await endedT.tick()).items).toBeUndefined();
		advance(3 * 60_000);
		expect((await missedT.tick()).items).toBeUndefined();
		const ended = await endedT.tick();
		expect(calls(ended.items)).toEqual([call]);
		expect(ended.items![0].json).toMatchObject({ Answered: true });
		expect(ended.items![0].json.Segments as IDataObject[]).toHaveLength(2);
	});

	it('a leg that arrives one poll AFTER its call was emitted does not emit the call again', async () => {
		const t = await activated({ event: 'callEnded' });
		const [call] = place('unanswered', { at: server.now() - 3 * 60_000 });
		expect(calls((await t.tick()).items)).toEqual([call]);
		// 3CX adds a leg to the same call (same MainCallHistoryId, its own CdrId) after the emit
		const [leg] = server.records<IDataObject>('ReportCallLogData');
		server.addRecords('ReportCallLogData', [
			{ ...leg, CdrId: 'c0ffee00-0000-4000-a000-000000000001', SegmentId: 2, StartTime: new Date(server.now() - 90_000).toISOString(), Reason: 'Ended by 101 (101)' },
		]);
		advance(ONE_POLL);
		expect((await t.tick()).items).toBeUndefined();
		advance(ONE_POLL);
		expect((await t.tick()).items).toBeUndefined();
		expect(t.executions).toHaveLength(1);
	});

	it('a call whose next leg never comes is emitted after the wait (5 minutes), once', async () => {
		const t = await activated({ event: 'missedCall' });
		const [call] = place('voicemail', { at: server.now() - 2 * 60_000, lateSegmentMs: 24 * 3600_000 });
		expect((await t.tick()).items).toBeUndefined();
		advance(5 * 60_000);
		expect(calls((await t.tick()).items)).toEqual([call]);
		advance(ONE_POLL);
		expect((await t.tick()).items).toBeUndefined();
	});
});

describe('builds whose rows lack MainCallHistoryId or CdrId', () => {
	it('a call is its CallHistoryId, else its CallId; a leg its SegmentId and start', async () => {
		const t = await activated({ event: 'callEnded' });
		const start = server.now() - 5 * 60_000;
		const row = (extra: IDataObject, offset: number) => ({
			StartTime: new Date(start + offset).toISOString(),
			Direction: 'Inbound',
			Answered: true,
			CallType: 'Extension',
			TalkingDuration: 'PT30S',
			...extra,
		});
		server.addRecords('ReportCallLogData', [
			row({ CallHistoryId: 'h-1', CallId: 7, SegmentId: 1 }, 0),
			row({ CallHistoryId: 'h-1', CallId: 7, SegmentId: 2 }, 1000),
			row({ CallHistoryId: 'h-2', CallId: 7, SegmentId: 1 }, 2000),
			row({ CallId: 8, SegmentId: 1 }, 3000),
			row({ CallId: 8, SegmentId: 2 }, 4000),
		]);
		const out = await t.tick();
		expect(out.items!.map((i) => (i.json.Segments as IDataObject[]).length)).toEqual([2, 1, 2]);
	});
});

describe('a saved cursor of the previous version (CallId~SegmentId keys)', () => {
	it('is migrated: calls it had emitted stay emitted, calls after it come out once', async () => {
		const t = await activated({ event: 'callEnded' }, 'legacy');
		advance(ONE_POLL);
		await t.tick();
		const old = place('queueAnswered', { at: server.now() - 10 * 60_000 });
		const cursor = new Date(server.now() - 3 * 60_000).toISOString();
		// what version 1 stored after emitting that call (its keys: CallId~SegmentId)
		const data = t.committed();
		for (const key of Object.keys(data)) delete data[key];
		Object.assign(data, { v: 1, event: 'callEnded', cursor, seen: { '1~1': Date.parse(cursor) - 600_000, '1~2': Date.parse(cursor) - 590_000 } });
		const fresh = place('unanswered', { at: server.now() - 2 * 60_000 });
		const out = await t.tick();
		expect(calls(out.items)).toEqual(fresh);
		expect(calls(out.items)).not.toContain(old[0]);
		expect(t.committed()).toMatchObject({ v: 2, event: 'callEnded' });
		expect(t.committed().migratedFrom).toBeUndefined();
		advance(ONE_POLL);
		expect((await t.tick()).items).toBeUndefined();
	});
});

describe('New Recording: emit when transcribed', () => {
	const recording = (extra: IDataObject = {}) => ({
		StartTime: new Date(server.now() - 120_000).toISOString(),
		EndTime: new Date(server.now() - 10_000).toISOString(),
		FromDn: '100',
		ToDn: '101',
		IsTranscribed: false,
		...extra,
	});

	it('waits for the transcript, then emits once with it; after the longest wait without it, once', async () => {
		const t = await activated({ event: 'newRecording', emitWhen: 'transcribed', longestWaitMinutes: 10 });
		const [a, b] = server.addRecords('Recordings', [recording(), recording()]);
		expect((await t.tick()).items).toBeUndefined();
		// 3CX transcribes a
		const live = server.records<IDataObject>('Recordings').find((r) => r.Id === a.Id)!;
		Object.assign(live, { IsTranscribed: true, Transcription: 'Caller: hello', Summary: 'A greeting' });
		advance(ONE_POLL);
		const first = await t.tick();
		expect(first.items!.map((i) => [i.json.Id, i.json.Transcription])).toEqual([[a.Id, 'Caller: hello']]);
		advance(10 * 60_000);
		const second = await t.tick();
		expect(second.items!.map((i) => [i.json.Id, i.json.IsTranscribed])).toEqual([[b.Id, false]]);
		advance(ONE_POLL);
		expect((await t.tick()).items).toBeUndefined();
	});

	it('When Recorded emits at once (Transcription may be empty)', async () => {
		const t = await activated({ event: 'newRecording' });
		const [a] = server.addRecords('Recordings', [recording()]);
		expect((await t.tick()).items!.map((i) => i.json.Id)).toEqual([a.Id]);
	});
});

describe('New Event Log Entry: the type filter goes to the server', () => {
	it("Type eq 'Error' in $filter: a flood of Info entries costs no pages", async () => {
		const t = await activated({ event: 'newEventLogEntry', eventTypes: ['Error'] });
		const at = (i: number) => new Date(server.now() - 30_000 + i).toISOString();
		server.addRecords('EventLogs', Array.from({ length: 400 }, (_, i) => ({ TimeGenerated: at(i), Type: 'Info', Message: `info ${i}` })));
		const errors = server.addRecords('EventLogs', [{ TimeGenerated: at(500), Type: 'Error', Message: 'trunk down' }]);
		const before = server.apiRequests.length;
		const out = await t.tick();
		expect(out.items!.map((i) => i.json.Id)).toEqual(errors.map((e) => e.Id));
		expect(server.apiRequests.length - before).toBe(1);
		expect(server.apiRequests[server.apiRequests.length - 1].query.$filter).toMatch(/^TimeGenerated ge \S+Z and \(Type eq 'Error'\)$/);
	});
});

describe('a build that lacks a $select field', () => {
	it('a 400 naming the property: the poll reads without $select, and so do the next ones', async () => {
		const t = await activated({ event: 'newRecording' });
		server.get('/Recordings', odataError(400, "Could not find a property named 'IsTranscribed' on type 'Pbx.Recording'."), { times: 1 });
		const [a] = server.addRecords('Recordings', [{ StartTime: new Date(server.now() - 60_000).toISOString(), EndTime: new Date(server.now() - 5_000).toISOString(), FromDn: '100' }]);
		const out = await t.tick();
		expect(out.error).toBeUndefined();
		expect(out.items!.map((i) => i.json.Id)).toEqual([a.Id]);
		const recordingRequests = server.apiRequests.filter((r) => r.apiPath === '/Recordings');
		expect(recordingRequests.slice(-2).map((r) => r.query.$select === undefined)).toEqual([false, true]);
		advance(ONE_POLL);
		await t.tick();
		expect(server.apiRequests[server.apiRequests.length - 1].query.$select).toBeUndefined();
		expect(t.committed().noSelect).toBe(true);
	});

	it('any other 400 still fails the poll and moves nothing', async () => {
		const t = await activated({ event: 'newRecording' });
		server.get('/Recordings', odataError(400, 'The query is not valid.'), { times: 1 });
		const state = JSON.stringify(t.committed());
		const out = await t.tick();
		expect(out.error?.httpCode).toBe('400');
		expect(JSON.stringify(t.committed())).toBe(state);
	});
});
