/**
 * The simulator's call log (simulator/call-log.js) as live V20 servers send it, and its control
 * endpoint POST /__sim/calls. What each scenario looks like rests on public code that ran against
 * live PBXs (docs/trigger.md lists the sources).
 */
import { useXapiServer } from './helpers/setup';
import type { XapiServer } from '../simulator';

const xapi = useXapiServer({ data: { sets: {} } });
let server: XapiServer;
beforeEach(() => {
	server = xapi();
});

type Row = Record<string, unknown> & { StartTime: string; MainCallHistoryId: string; CdrId: string };

async function callLog(query = '', hidePcalls = true): Promise<{ status: number; rows: Row[]; count?: number }> {
	const from = new Date(server.now() - 24 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
	const to = new Date(server.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
	const path =
		`/xapi/v1/ReportCallLogData/Pbx.GetCallLogData(periodFrom=${from},periodTo=${to},sourceType=0,sourceFilter='',destinationType=0,` +
		`destinationFilter='',callsType=0,callTimeFilterType=0,callTimeFilterFrom='0:00:0',callTimeFilterTo='0:00:0',hidePcalls=${String(hidePcalls)})${query}`;
	const token = await fetch(server.url('/connect/token'), {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: `grant_type=client_credentials&client_id=${server.options.clientId}&client_secret=${server.options.clientSecret}`,
	}).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
	const res = await fetch(server.url(path), { headers: { authorization: `Bearer ${token}` } });
	const body = (await res.json()) as { value: Row[]; '@odata.count'?: number };
	return { status: res.status, rows: body.value, count: body['@odata.count'] };
}

describe('call log scenarios', () => {
	it('queue -> agent: two legs of one call; the queue leg says Waiting/Answered and names the agent', async () => {
		const { calls } = server.placeCall('queueAnswered', { agent: '101', agentName: 'Anna Berg' });
		const { rows } = await callLog();
		expect(rows).toHaveLength(2);
		expect(new Set(rows.map((r) => r.MainCallHistoryId))).toEqual(new Set([calls[0].MainCallHistoryId]));
		expect(new Set(rows.map((r) => r.CdrId)).size).toBe(2);
		const [agentLeg, queueLeg] = rows; // newest first
		expect(queueLeg).toMatchObject({ CallType: 'Queue', Direction: 'Inbound Queue', Status: 'Waiting', Answered: true, Reason: 'Support (800) was replaced by Anna Berg (101)' });
		expect(agentLeg).toMatchObject({ CallType: 'Extension', Direction: 'Inbound', Status: 'Answered', Answered: true, DestinationDn: '101' });
		expect(String(agentLeg.TalkingDuration)).toMatch(/^PT1M35\.\d+S$/);
		// CallId, SegmentId and Indent repeat across calls; they identify nothing
		server.placeCall('queueAnswered');
		const both = (await callLog()).rows;
		expect(new Set(both.map((r) => `${String(r.CallId)}~${String(r.SegmentId)}`)).size).toBe(2);
	});

	it('abandoned in the queue: one queue leg that says Answered (the queue picked up), Reason "Ended by" the caller', async () => {
		server.placeCall('queueAbandoned', { caller: '+4930123' });
		const { rows } = await callLog();
		expect(rows).toEqual([expect.objectContaining({ CallType: 'Queue', Answered: true, Status: 'Unanswered', Reason: 'Ended by +4930123 (+4930123)' })]);
	});

	it('unanswered, voicemail, transfer, outbound: the legs and their fields', async () => {
		server.placeCall('unanswered', { at: server.now() - 600_000 });
		server.placeCall('voicemail', { at: server.now() - 500_000 });
		server.placeCall('transfer', { at: server.now() - 400_000 });
		server.placeCall('outbound', { at: server.now() - 300_000 });
		const rows = (await callLog()).rows.reverse();
		expect(rows.map((r) => [r.CallType, r.Status, r.Answered ?? false])).toEqual([
			['Extension', 'Unanswered', false],
			['Extension', 'Redirected', false],
			['Extension', 'Answered', true],
			['Extension', 'Answered', true],
			['Extension', 'Answered', true],
			['External', 'Answered', true],
		]);
		expect(rows[2].DestinationDisplayName).toBe('Voicemail of Anna Berg');
		expect(rows[3].Reason).toBe('Anna Berg (101) was replaced by Ben Cohen (102)');
		expect(rows[5]).toMatchObject({ Direction: 'Outbound', SourceDn: '101' });
		// 3CX leaves null and zero fields out
		expect(rows[0].DestinationType).toBeUndefined();
		expect(rows[0].TalkingDuration).toBe('PT0S');
	});

	it('a running call appears when it ends, under its start; a late leg one step later', async () => {
		server.placeCall('queueAnswered', { endsInMs: 60_000 });
		server.placeCall('queueAnswered', { at: server.now() - 300_000, lateSegmentMs: 300_000 });
		expect((await callLog()).rows.map((r) => r.CallType)).toEqual(['Queue']);
		server.configure({ clockSkewMs: 61_000 });
		const later = (await callLog()).rows;
		expect(later).toHaveLength(3);
		server.configure({ clockSkewMs: 201_000 });
		expect((await callLog()).rows).toHaveLength(4);
	});

	it('the function: newest first, $top above 100 accepted, $count, $orderby leaves out the newest rows', async () => {
		server.placeCall('unanswered', { at: server.now() - 7200_000 });
		// 150 calls within 40 s: 200 legs
		server.placeCall('burst', { count: 150, at: server.now() - 3600_000 });
		const all = await callLog('?$top=500&$count=true');
		expect(all.status).toBe(200);
		expect(all.count).toBe(201);
		expect(all.rows).toHaveLength(201);
		const times = all.rows.map((r) => Date.parse(r.StartTime));
		expect(times).toEqual([...times].sort((a, b) => b - a));
		const ordered = await callLog('?$top=500&$orderby=StartTime%20desc');
		expect(ordered.rows.length).toBeLessThan(201);
		expect(Date.parse(ordered.rows[0].StartTime)).toBeLessThan(times[0]);
		expect((await callLog('?$top=100&$skip=150')).rows).toEqual(all.rows.slice(150));
	});

	it('POST /__sim/calls places calls (one or an array); a bad scenario is a 400 naming the choices', async () => {
		const post = (body: unknown) =>
			fetch(server.url('/__sim/calls'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		const one = await post({ scenario: 'queueAbandoned' });
		expect(one.status).toBe(201);
		expect(((await one.json()) as { placed: number }).placed).toBe(1);
		const many = await post([{ scenario: 'unanswered' }, { scenario: 'burst', count: 3 }]);
		expect(((await many.json()) as { placed: number }).placed).toBe(4);
		expect((await callLog()).rows.length).toBeGreaterThanOrEqual(5);
		const bad = await post({ scenario: 'nope' });
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as { error: string }).error).toMatch(/unknown scenario "nope": queueAnswered/);
		server.resetData();
		expect((await callLog()).rows).toEqual([]);
	});
});
