/**
 * The simulated 3CX on its own (plain fetch, no n8n): token endpoint rules, bearer checks,
 * recording and the response helpers (as the unit tests use it through simulator/), the
 * demo data with OData query options, addRecords (JS and HTTP), the PBX clock, the PKCE sign-in,
 * the spec checks and the e2e preset (createE2eSimulator).
 *
 * The spec checks run when the one spec locator (generator/spec-location.js) finds 3CX's spec; then
 * a spec that does not load fails them. Without the spec they skip, named so (and jest's global
 * set-up prints the one Skipped: line).
 */
import { DEMO_SCHEMAS, demoCall } from '../simulator/demo-data';
import { createE2eSimulator } from '../simulator/e2e-preset';
import { loadSpec, schemaProblems } from '../simulator/spec-check';
import { SPEC, specAvailable } from './helpers/spec-files';
import {
	binary,
	collection,
	createSimulator,
	createXapiServer,
	pkcePair,
	html,
	json,
	makeEntities,
	noContent,
	odataError,
	sequence,
	xapiWarning,
} from '../simulator';

const server = createXapiServer({ clientId: '901', clientSecret: 's3cret' });

// The spec is looked for once, when the file loads; the tests that need it skip, named so, without it.
const withSpec = specAvailable() ? it : it.skip;
const skipped = specAvailable() ? '' : ` (skipped: no XAPI spec at ${SPEC}; set XAPI_SPEC)`;

beforeAll(async () => {
	await server.start();
});

beforeEach(() => {
	server.reset();
});

afterAll(async () => {
	await server.stop();
});

async function token(body = 'grant_type=client_credentials&client_id=901&client_secret=s3cret') {
	const res = await fetch(server.url('/connect/token'), {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body,
	});
	return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function api(path: string, accessToken?: string, init: RequestInit = {}) {
	const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
	if (accessToken) headers.authorization = `Bearer ${accessToken}`;
	const res = await fetch(server.url(`/xapi/v1${path}`), { ...init, headers });
	const buffer = Buffer.from(await res.arrayBuffer());
	return { status: res.status, headers: res.headers, text: buffer.toString('utf8'), buffer };
}

describe('token endpoint', () => {
	it('issues a bearer token in 3CX form', async () => {
		const { status, body } = await token();
		expect(status).toBe(200);
		expect(body).toEqual({
			token_type: 'Bearer',
			expires_in: 3600,
			access_token: expect.any(String),
			refresh_token: null,
		});
		expect(server.tokenRequestCount).toBe(1);
		expect(server.currentToken).toBe(body.access_token);
	});

	it('answers 401 unauthorized for a wrong secret', async () => {
		const { status, body } = await token('grant_type=client_credentials&client_id=901&client_secret=nope');
		expect(status).toBe(401);
		expect(body).toEqual({ error: 'unauthorized', error_description: expect.any(String) });
		expect(server.tokensIssued).toBe(0);
	});

	it('rejects other grant types and non-form bodies', async () => {
		expect((await token('grant_type=password&client_id=901&client_secret=s3cret')).status).toBe(400);
		const res = await fetch(server.url('/connect/token'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ client_id: '901', client_secret: 's3cret', grant_type: 'client_credentials' }),
		});
		expect(res.status).toBe(400);
	});

	it('a new token invalidates the previous one (configurable)', async () => {
		const first = (await token()).body.access_token as string;
		const second = (await token()).body.access_token as string;
		expect(first).not.toBe(second);
		expect((await api('/Users', first)).status).toBe(401);
		expect((await api('/Users', second)).status).toBe(200);

		server.configure({ invalidatePreviousTokens: false });
		const third = (await token()).body.access_token as string;
		expect((await api('/Users', second)).status).toBe(200);
		expect((await api('/Users', third)).status).toBe(200);
	});
});

describe('API', () => {
	it('refuses requests without a valid token, and after revocation', async () => {
		expect((await api('/Users')).status).toBe(401);
		expect((await api('/Users', 'made-up')).status).toBe(401);
		const t = server.issueToken();
		expect((await api('/Users', t)).status).toBe(200);
		server.expireToken();
		const res = await api('/Users', t);
		expect(res.status).toBe(401);
		expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
	});

	it('defaults to an empty OData collection with the entity set in @odata.context', async () => {
		const res = await api('/RingGroups?$top=5', server.issueToken());
		expect(JSON.parse(res.text)).toEqual({
			'@odata.context': `${server.baseUrl}/xapi/v1/$metadata#RingGroups`,
			value: [],
		});
		expect(res.headers.get('x-3cx-version')).toBe('20.0.10.1000');
	});

	it('records method, raw and decoded path, raw and parsed query, headers and body', async () => {
		const t = server.issueToken();
		await api("/Users(Number='1%2F2')/Pbx.Foo?%24filter=Name%20eq%20'a+b'&$select=Id,Name", t, {
			method: 'PATCH',
			headers: { 'content-type': 'application/json', 'x-test': '1' },
			body: JSON.stringify({ Name: 'x' }),
		});
		const req = server.lastApiRequest;
		expect(req).toMatchObject({
			kind: 'api',
			method: 'PATCH',
			rawPath: "/xapi/v1/Users(Number='1%2F2')/Pbx.Foo",
			path: "/xapi/v1/Users(Number='1/2')/Pbx.Foo",
			apiPath: "/Users(Number='1/2')/Pbx.Foo",
			// fetch (WHATWG URL) percent-encodes ' in the query but not in the path
			rawQuery: '%24filter=Name%20eq%20%27a+b%27&$select=Id,Name',
			query: { $filter: "Name eq 'a b'", $select: 'Id,Name' },
			bodyText: '{"Name":"x"}',
			json: { Name: 'x' },
			token: t,
			authorized: true,
		});
		expect(req?.headers['x-test']).toBe('1');
		expect(req?.response?.status).toBe(200);
	});

	it('newest route wins; times and sequence script series of answers', async () => {
		const t = server.issueToken();
		server.get('/Users(1)', json({ Id: 1, v: 'default' }));
		server.get('/Users(1)', odataError(503, 'busy'), { times: 1 });
		expect((await api('/Users(1)', t)).status).toBe(503);
		expect(JSON.parse((await api('/Users(1)', t)).text)).toEqual({ Id: 1, v: 'default' });

		server.get(/Groups/, sequence(odataError(500, 'x'), json({ Id: 2 })));
		expect((await api('/Groups(2)', t)).status).toBe(500);
		expect((await api('/Groups(2)', t)).status).toBe(200);
		expect((await api('/Groups(2)', t)).status).toBe(200);
	});

	it('handler function and route auth override', async () => {
		server.setHandler((req) => (req.apiPath === '/Defs' ? json({ Id: 1 }) : undefined));
		server.get('/Public', json({ ok: true }), { auth: false });
		const t = server.issueToken();
		expect(JSON.parse((await api('/Defs', t)).text)).toEqual({ Id: 1 });
		expect((await api('/Public')).status).toBe(200);
	});

	it('error, 204, HTML and binary helpers', async () => {
		const t = server.issueToken();
		server.post('/Users', xapiWarning('WARNINGS.XAPI.DUPLICATE', { target: 'Name' }));
		server.delete('/Users(1)', noContent());
		server.get('/Html', html('<html><body>Bad gateway</body></html>', 502));
		server.get('/File', binary(Buffer.from([0, 1, 2, 255]), 'audio/wav', { filename: 'rec.wav' }));

		const dup = await api('/Users', t, { method: 'POST' });
		expect(dup.status).toBe(400);
		expect(JSON.parse(dup.text)).toEqual({
			error: {
				code: '',
				message: 'Name:\nWARNINGS.XAPI.DUPLICATE',
				details: [{ message: 'WARNINGS.XAPI.DUPLICATE', target: 'Name' }],
			},
		});
		const del = await api('/Users(1)', t, { method: 'DELETE' });
		expect(del.status).toBe(204);
		expect(del.text).toBe('');
		const page = await api('/Html', t);
		expect(page.status).toBe(502);
		expect(page.headers.get('content-type')).toContain('text/html');
		const file = await api('/File', t);
		expect([...file.buffer]).toEqual([0, 1, 2, 255]);
		expect(file.headers.get('content-disposition')).toBe('attachment; filename="rec.wav"');
	});

	it('collection helper honours $top, $skip, $count, $select and the $top cap', async () => {
		const t = server.issueToken();
		server.get('/Users', collection(makeEntities(250)));
		const page = JSON.parse((await api('/Users?$top=2&$skip=248&$count=true&$select=Id', t)).text);
		expect(page).toEqual({
			'@odata.context': `${server.baseUrl}/xapi/v1/$metadata#Users`,
			'@odata.count': 250,
			value: [{ Id: 249 }, { Id: 250 }],
		});
		expect(JSON.parse((await api('/Users', t)).text).value).toHaveLength(250);
		const tooMany = await api('/Users?$top=101', t);
		expect(tooMany.status).toBe(400);
		expect(JSON.parse(tooMany.text).error.message).toContain("The limit of '100' for Top query has been exceeded");
	});
});

describe('every answer', () => {
	it('carries Date (the simulated PBX clock) and X-3CX-Version, token answers too', async () => {
		server.configure({ clockSkewMs: 3 * 3600 * 1000 });
		const res = await fetch(server.url('/connect/token'), {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'grant_type=client_credentials&client_id=901&client_secret=s3cret',
		});
		expect(res.headers.get('x-3cx-version')).toBe('20.0.10.1000');
		const date = Date.parse(res.headers.get('date') ?? '');
		// the header has one-second resolution
		expect(Math.abs(date - server.now())).toBeLessThan(2000);
		expect(server.now() - Date.now()).toBeGreaterThanOrEqual(3 * 3600 * 1000 - 5);
		const api401 = await api('/Users');
		expect(api401.headers.get('date')).toBeTruthy();
	});
});

describe('demo data', () => {
	const NOW = '2026-12-01T12:00:00Z';
	const sim = createSimulator({ clientId: '900', clientSecret: 'demo', demo: { seed: 3, now: NOW } });
	let bearer = '';

	beforeAll(async () => {
		await sim.start();
	});
	beforeEach(() => {
		sim.reset();
		bearer = sim.issueToken();
	});
	afterAll(async () => {
		await sim.stop();
	});

	async function get(path: string) {
		const res = await fetch(sim.url(`/xapi/v1${path}`), { headers: { authorization: `Bearer ${bearer}` } });
		const buffer = Buffer.from(await res.arrayBuffer());
		const text = buffer.toString('utf8');
		// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are read loosely here
		let body: any;
		try {
			body = JSON.parse(text);
		} catch {
			body = undefined;
		}
		return { status: res.status, headers: res.headers, body, buffer };
	}

	it('is deterministic for a seed and anchor time', async () => {
		const again = createSimulator({ demo: { seed: 3, now: NOW } });
		expect(again.records('CallHistoryView')).toEqual(sim.records('CallHistoryView'));
		expect(again.records('Users')).toEqual(sim.records('Users'));
		const other = createSimulator({ demo: { seed: 4, now: NOW } });
		expect(other.records('CallHistoryView')).not.toEqual(sim.records('CallHistoryView'));
	});

	it('serves a company PBX: users, groups, queues with agents, ring groups, receptionists, trunks', async () => {
		const users = (await get('/Users?$top=100')).body.value;
		expect(users.length).toBeGreaterThanOrEqual(10);
		expect(users[0]).toMatchObject({ Id: expect.any(Number), Number: '100', FirstName: expect.any(String), EmailAddress: expect.stringContaining('@') });
		expect((await get("/Users(Number='101')")).body).toMatchObject({ Number: '101' });
		for (const set of ['Groups', 'Queues', 'RingGroups', 'Receptionists', 'Trunks', 'Backups']) {
			expect((await get(`/${set}`)).body.value.length).toBeGreaterThan(0);
		}
		const queue = (await get('/Queues')).body.value[0];
		const agents = (await get(`/Queues(${queue.Id})/Agents`)).body.value;
		expect(agents.length).toBeGreaterThan(0);
		expect(agents[0]).toEqual({ Id: expect.any(Number), Number: expect.any(String), Name: expect.any(String), SkillGroup: expect.any(String) });
		const rg = (await get('/RingGroups')).body.value[0];
		expect((await get(`/RingGroups(${rg.Id})/Members`)).body.value.length).toBeGreaterThan(0);
		expect((await get('/Users(999999)')).status).toBe(404);
		expect((await get("/Users('29')")).status).toBe(404);
	});

	it('CallHistoryView: a week of segments, $filter on bare UTC date-times, $orderby, $top/$skip, $count, $select', async () => {
		const all = sim.records<{ SegmentStartTime: string }>('CallHistoryView');
		const times = all.map((r) => Date.parse(r.SegmentStartTime));
		expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse(NOW) - 8 * 24 * 3600 * 1000);
		expect(Math.max(...times)).toBeLessThan(Date.parse(NOW));
		const since = '2026-11-30T00:00:00Z';
		const until = '2026-12-01T00:00:00Z';
		const expected = all.filter((r) => Date.parse(r.SegmentStartTime) >= Date.parse(since) && Date.parse(r.SegmentStartTime) < Date.parse(until));
		expect(expected.length).toBeGreaterThan(3);
		const page = await get(
			`/CallHistoryView?$filter=${encodeURIComponent(`SegmentStartTime ge ${since} and SegmentStartTime lt ${until}`)}&$orderby=${encodeURIComponent('SegmentStartTime desc')}&$top=3&$skip=1&$count=true&$select=SegmentId,SegmentStartTime,CallAnswered`,
		);
		expect(page.status).toBe(200);
		expect(page.body['@odata.count']).toBe(expected.length);
		expect(page.body.value).toHaveLength(3);
		expect(Object.keys(page.body.value[0]).sort()).toEqual(['CallAnswered', 'SegmentId', 'SegmentStartTime']);
		const got = page.body.value.map((r: { SegmentStartTime: string }) => Date.parse(r.SegmentStartTime));
		expect(got).toEqual([...got].sort((a: number, b: number) => b - a));
		const sortedDesc = expected.map((r) => Date.parse(r.SegmentStartTime)).sort((a, b) => b - a);
		expect(got).toEqual(sortedDesc.slice(1, 4));
		// gt/le/eq and the segment fields of the spec's Pbx.CallHistoryView
		const first = (await get(`/CallHistoryView?$orderby=SegmentStartTime asc&$top=1`)).body.value[0];
		expect(first).toMatchObject({
			SegmentId: expect.any(Number),
			SegmentStartTime: expect.any(String),
			SegmentEndTime: expect.any(String),
			CallAnswered: expect.any(Boolean),
			SrcDn: expect.any(String),
			SrcCallerNumber: expect.any(String),
			SrcDisplayName: expect.any(String),
			DstDn: expect.any(String),
			DstCallerNumber: expect.any(String),
			DstExtendedDisplayName: expect.any(String),
		});
		expect(first.CallId).toBeUndefined();
		const eq = (await get(`/CallHistoryView?$filter=${encodeURIComponent(`SegmentStartTime eq ${first.SegmentStartTime}`)}`)).body.value;
		expect(eq.map((r: { SegmentId: number }) => r.SegmentId)).toContain(first.SegmentId);
		const gt = (await get(`/CallHistoryView?$filter=${encodeURIComponent(`SegmentStartTime gt ${first.SegmentStartTime}`)}&$count=true&$top=1`)).body;
		const le = (await get(`/CallHistoryView?$filter=${encodeURIComponent(`SegmentStartTime le ${first.SegmentStartTime}`)}&$count=true&$top=1`)).body;
		expect(gt['@odata.count'] + le['@odata.count']).toBe(all.length);
		const missed = (await get(`/CallHistoryView?$filter=${encodeURIComponent('CallAnswered eq false and SrcExternal eq true')}&$top=100`)).body.value;
		expect(missed.length).toBeGreaterThan(0);
		expect(missed.every((r: { CallAnswered: boolean; SrcExternal: boolean }) => !r.CallAnswered && r.SrcExternal)).toBe(true);
		expect((await get(`/CallHistoryView?$filter=${encodeURIComponent('SegmentStartTime gx 2026-01-01T00:00:00Z')}`)).status).toBe(400);
		expect((await get('/CallHistoryView?$top=101')).status).toBe(400);
	});

	it('GetCallLogData as live V20 sends it: one row per segment (shared MainCallHistoryId, own CdrId), newest first, $top above 100', async () => {
		const fn = (from: string, to: string) =>
			`/ReportCallLogData/Pbx.GetCallLogData(periodFrom=${from},periodTo=${to},sourceType=0,sourceFilter='',destinationType=0,destinationFilter='',callsType=0,callTimeFilterType=0,callTimeFilterFrom='0:00:0',callTimeFilterTo='0:00:0',hidePcalls=true)`;
		const week = await get(`${fn('2026-11-20T00:00:00Z', '2026-12-02T00:00:00Z')}?$count=true&$top=500`);
		expect(week.status).toBe(200);
		type Row = Record<string, unknown> & { StartTime: string; CdrId: string; MainCallHistoryId: string; CallId: number };
		const rows = week.body.value as Row[];
		expect(week.body['@odata.count']).toBeGreaterThan(100);
		expect(rows.length).toBe(Math.min(500, week.body['@odata.count']));
		const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
		// every row its own CdrId; the rows of one call share MainCallHistoryId; CallId identifies nothing
		expect(rows.every((r) => uuid.test(r.CdrId) && uuid.test(r.MainCallHistoryId))).toBe(true);
		expect(new Set(rows.map((r) => r.CdrId)).size).toBe(rows.length);
		expect(new Set(rows.map((r) => r.MainCallHistoryId)).size).toBeLessThan(rows.length);
		expect(new Set(rows.map((r) => r.CallId)).size).toBe(1);
		// the function's own order: newest first; fractional times; null and zero fields left out
		const times = rows.map((r) => Date.parse(r.StartTime));
		expect(times).toEqual([...times].sort((x, y) => y - x));
		expect(rows.every((r) => /\.\d{3}Z$/.test(r.StartTime))).toBe(true);
		expect(rows.every((r) => Object.values(r).every((v) => v !== null && v !== 0 && v !== ''))).toBe(true);
		expect(rows[0]).toMatchObject({
			Direction: expect.stringMatching(/^(Inbound|Outbound|Internal|Inbound Queue)$/),
			Status: expect.stringMatching(/^(Answered|Unanswered|Waiting|Redirected)$/),
			CallType: expect.stringMatching(/^(External|Queue|Extension|Ring Group)$/),
			RingingDuration: expect.stringMatching(/^PT/),
			Reason: expect.any(String),
		});
		// a queue leg "answers" (music) whether or not an agent took the call
		expect(rows.some((r) => r.CallType === 'Queue' && r.Answered === true && /^Ended by/.test(String(r.Reason)))).toBe(true);
		expect(rows.some((r) => r.CallType === 'Queue' && /was replaced by .*\(\d+\)$/.test(String(r.Reason)))).toBe(true);
		expect(rows.some((r) => r.RecordingUrl && r.DstRecId)).toBe(true);
		// $orderby on the function leaves out the newest rows (as live 20.0.10 was found to)
		const ordered = (await get(`${fn('2026-11-20T00:00:00Z', '2026-12-02T00:00:00Z')}?$top=500&$orderby=StartTime desc`)).body.value as Row[];
		expect(Date.parse(ordered[0].StartTime)).toBeLessThan(times[0]);
		const day = (await get(`${fn('2026-11-30T00:00:00Z', '2026-11-30T23:59:59Z')}?$count=true`)).body;
		expect(day.value.length).toBeGreaterThan(0);
		expect(day.value.every((r: { StartTime: string }) => r.StartTime.startsWith('2026-11-30'))).toBe(true);
		expect((await get(fn("'2026-11-30T00:00:00Z'", '2026-11-30T23:59:59Z'))).status).toBe(404);
	});

	it('Recordings with a real WAV behind DownloadRecording; chats; event log; backups with a file', async () => {
		const recs = (await get('/Recordings?$orderby=StartTime desc&$top=5')).body.value;
		expect(recs[0]).toMatchObject({ Id: expect.any(Number), StartTime: expect.any(String), FromDn: expect.any(String), ToDn: expect.any(String) });
		const wav = await get(`/Recordings/Pbx.DownloadRecording(recId=${recs[0].Id})`);
		expect(wav.status).toBe(200);
		expect(wav.headers.get('content-type')).toBe('audio/wav');
		expect(wav.buffer.subarray(0, 4).toString('ascii')).toBe('RIFF');
		expect(wav.buffer.subarray(8, 12).toString('ascii')).toBe('WAVE');
		expect(wav.buffer.readUInt32LE(40)).toBe(wav.buffer.length - 44);
		expect((await get('/Recordings/Pbx.DownloadRecording(recId=999999)')).status).toBe(404);

		const chats = (await get(`/ChatHistoryView?$filter=${encodeURIComponent('TimeSent ge 2026-11-20T00:00:00Z')}&$orderby=TimeSent asc`)).body.value;
		expect(chats.length).toBeGreaterThan(0);
		expect(chats[0]).toMatchObject({ ConversationId: expect.any(Number), Message: expect.any(String), TimeSent: expect.any(String), FromName: expect.any(String) });
		const messages = (await get('/ChatMessagesHistoryView?$top=3')).body.value;
		expect(messages[0]).toMatchObject({ MessageId: expect.any(Number), ConversationId: expect.any(Number), TimeSent: expect.any(String), SenderParticipantName: expect.any(String) });

		const errors = (await get(`/EventLogs?$filter=${encodeURIComponent("Type eq 'Error' and TimeGenerated gt 2026-11-24T00:00:00Z")}&$orderby=TimeGenerated desc`)).body.value;
		expect(errors.length).toBeGreaterThan(0);
		expect(errors.every((e: { Type: string }) => e.Type === 'Error')).toBe(true);
		expect(errors[0]).toMatchObject({ Id: expect.any(Number), EventId: expect.any(Number), Message: expect.any(String), TimeGenerated: expect.any(String) });

		const backup = (await get('/Backups')).body.value[0];
		expect(backup).toMatchObject({ FileName: expect.stringMatching(/\.zip$/), DownloadLink: expect.any(String), Size: expect.any(Number), CreationTime: expect.any(String) });
		const file = await fetch(sim.url(backup.DownloadLink), { headers: { authorization: `Bearer ${bearer}` } });
		const zip = Buffer.from(await file.arrayBuffer());
		expect(file.status).toBe(200);
		expect(zip.subarray(0, 2).toString('ascii')).toBe('PK');
		expect(zip.length).toBe(backup.Size);
		expect((await fetch(sim.url(backup.DownloadLink))).status).toBe(401);
	});

	it('demoCall adds a live inbound call: missed (one segment) or answered (queue, then agent)', async () => {
		const at = Date.parse('2026-12-01T12:10:00Z');
		sim.addRecords('CallHistoryView', demoCall({ now: at, answered: false, callId: 1 }));
		sim.addRecords('CallHistoryView', demoCall({ now: at + 60000, answered: true, callId: 2 }));
		type Row = { MainCallHistoryId: string; StartTime: string; CallType: string; Answered: boolean; DestinationDn: string; Direction: string };
		const log = sim.records<Row>('ReportCallLogData').filter((r) => Date.parse(r.StartTime) >= at - 60_000 && Date.parse(r.StartTime) < at + 120_000);
		// one row per leg: the queue's leg (it picks up: Answered), then the agent's
		expect(log.map((r) => [r.CallType, r.Answered, r.DestinationDn, r.Direction])).toEqual([
			['Queue', true, '800', 'Inbound Queue'],
			['Queue', true, '800', 'Inbound Queue'],
			['Extension', true, '102', 'Inbound'],
		]);
		expect(log[0].MainCallHistoryId).not.toBe(log[1].MainCallHistoryId);
		expect(log[1].MainCallHistoryId).toBe(log[2].MainCallHistoryId);
	});

	withSpec(`demoCall's segments have the spec's CallHistoryView property names and types${skipped}`, async () => {
		const at = Date.parse('2026-12-01T12:00:00Z');
		const loaded = await loadSpec();
		expect(loaded.status).toMatch(/^loaded \d+ operations/);
		const rows = demoCall({ now: at }).map((r) => JSON.parse(JSON.stringify({ ...r, CallId: undefined })));
		expect(rows.length).toBeGreaterThan(0);
		expect(rows.flatMap((r) => schemaProblems(loaded.spec, 'Pbx.CallHistoryView', r))).toEqual([]);
	});

	it('CRUD on a set: create (duplicate number refused), update, delete', async () => {
		const post = await fetch(sim.url('/xapi/v1/Users'), {
			method: 'POST',
			headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
			body: JSON.stringify({ Number: '150', FirstName: 'New' }),
		});
		expect(post.status).toBe(201);
		const created = (await post.json()) as { Id: number };
		const dup = await fetch(sim.url('/xapi/v1/Users'), {
			method: 'POST',
			headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
			body: JSON.stringify({ Number: '150' }),
		});
		expect(dup.status).toBe(400);
		expect(((await dup.json()) as { error: { details: unknown[] } }).error.details).toEqual([{ message: 'WARNINGS.XAPI.ALREADY_IN_USE', target: 'Number' }]);
		const patch = await fetch(sim.url(`/xapi/v1/Users(${created.Id})`), {
			method: 'PATCH',
			headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
			body: JSON.stringify({ LastName: 'Person' }),
		});
		expect(patch.status).toBe(204);
		expect((await get(`/Users(${created.Id})`)).body).toMatchObject({ Number: '150', FirstName: 'New', LastName: 'Person' });
		expect((await fetch(sim.url(`/xapi/v1/Users(${created.Id})`), { method: 'DELETE', headers: { authorization: `Bearer ${bearer}` } })).status).toBe(204);
		expect((await get(`/Users(${created.Id})`)).status).toBe(404);
		sim.resetData();
		expect((await get(`/Users?$filter=${encodeURIComponent("Number eq '150'")}`)).body.value).toEqual([]);
	});

	it('addRecords (JS) and POST /__sim/records/<Set> add rows while running; the call log follows', async () => {
		const before = (await get('/EventLogs?$count=true&$top=0')).body['@odata.count'];
		const [added] = sim.addRecords('EventLogs', { EventId: 9001, Type: 'Error', TimeGenerated: '2026-12-01T11:59:00Z', Message: 'Disk almost full' });
		expect(added.Id).toEqual(expect.any(Number));
		const res = await fetch(sim.url('/__sim/records/EventLogs'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify([{ EventId: 9002, Type: 'Warning', TimeGenerated: '2026-12-01T11:59:30Z', Message: 'Trunk flapping' }]),
		});
		expect(res.status).toBe(201);
		expect(((await res.json()) as { added: number }).added).toBe(1);
		const latest = (await get(`/EventLogs?$filter=${encodeURIComponent('TimeGenerated gt 2026-12-01T11:58:00Z')}&$orderby=TimeGenerated asc&$count=true`)).body;
		expect(latest.value.map((e: { Message: string }) => e.Message).slice(-2)).toEqual(['Disk almost full', 'Trunk flapping']);
		expect((await get('/EventLogs?$count=true&$top=0')).body['@odata.count']).toBe(before + 2);

		// a missed inbound call arrives: one segment, unanswered
		const seg = {
			CallId: 123456,
			SegmentStartTime: '2026-12-01T11:59:40Z',
			SegmentEndTime: '2026-12-01T11:59:55Z',
			CallAnswered: false,
			SrcDn: '10000',
			SrcCallerNumber: '+4930999999',
			SrcDisplayName: 'New Caller',
			SrcExternal: true,
			DstDn: '800',
			DstCallerNumber: '800',
			DstDisplayName: 'Support Queue',
			DstExternal: false,
		};
		const r2 = await fetch(sim.url('/__sim/records/CallHistoryView'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(seg) });
		expect(r2.status).toBe(201);
		const newest = (await get(`/CallHistoryView?$filter=${encodeURIComponent('SegmentStartTime gt 2026-12-01T11:59:00Z')}`)).body.value;
		expect(newest).toEqual([expect.objectContaining({ SegmentId: expect.any(Number), SrcCallerNumber: '+4930999999', CallAnswered: false })]);
		const log = (await get(
			`/ReportCallLogData/Pbx.GetCallLogData(periodFrom=2026-12-01T11:59:00Z,periodTo=2026-12-01T12:00:00Z,sourceType=0,sourceFilter='',destinationType=0,destinationFilter='',callsType=0,callTimeFilterType=0,callTimeFilterFrom='0:00:0',callTimeFilterTo='0:00:0',hidePcalls=true)`,
		)).body.value;
		expect(log).toEqual([expect.objectContaining({ MainCallHistoryId: expect.any(String), CdrId: expect.any(String), Answered: false, Status: 'Unanswered', Direction: 'Inbound', SourceCallerId: '+4930999999', DestinationDn: '800' })]);

		expect((await fetch(sim.url('/__sim/records/EventLogs'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1]' })).status).toBe(400);
		expect(() => sim.addRecords('Bad Set', {})).toThrow(/not an entity set name/);
		// control requests are not recorded as API traffic
		expect(sim.requests.length).toBeGreaterThan(0);
		expect(sim.requests.every((r) => r.kind !== 'control')).toBe(true);
	});
});

describe('PKCE sign-in (authorization code + S256)', () => {
	const sim = createSimulator({ clientId: '900', clientSecret: 'x', pkceClientId: 'n8n-pkce', users: [{ username: 'tester', password: 'pw-1', email: 'tester@example.invalid' }] });
	const redirectUri = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';

	beforeAll(async () => {
		await sim.start();
	});
	beforeEach(() => {
		sim.reset();
	});
	afterAll(async () => {
		await sim.stop();
	});

	function authorizeUrl(challenge: string, extra: Record<string, string> = {}) {
		const q = new URLSearchParams({
			response_type: 'code',
			client_id: 'n8n-pkce',
			redirect_uri: redirectUri,
			scope: 'openid profile email offline_access',
			state: 'st-1',
			code_challenge: challenge,
			code_challenge_method: 'S256',
			...extra,
		});
		return sim.url(`/connect/authorize?${q.toString()}`);
	}

	async function tokenForm(fields: Record<string, string>) {
		const res = await fetch(sim.url('/connect/token'), {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams(fields).toString(),
		});
		// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are read loosely here
		return { status: res.status, body: (await res.json()) as Record<string, any> };
	}

	it('redirects with code and state, exchanges the code with the verifier, refreshes, and the token works', async () => {
		const pkce = pkcePair();
		const res = await fetch(authorizeUrl(pkce.challenge), { redirect: 'manual' });
		expect(res.status).toBe(302);
		const location = new URL(res.headers.get('location') ?? '');
		expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
		expect(location.searchParams.get('state')).toBe('st-1');
		const code = location.searchParams.get('code') ?? '';
		expect(code).not.toBe('');
		expect(sim.lastRequest?.authorizeInfo).toEqual({ clientId: 'n8n-pkce', codeChallenge: pkce.challenge, scope: 'openid profile email offline_access', user: 'tester' });

		const wrong = await tokenForm({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'n8n-pkce', code_verifier: pkcePair().verifier });
		expect(wrong.status).toBe(400);
		expect(wrong.body.error).toBe('invalid_grant');

		const ok = await tokenForm({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'n8n-pkce', code_verifier: pkce.verifier });
		expect(ok.status).toBe(200);
		expect(ok.body).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), refresh_token: expect.any(String), expires_in: 3600 });
		expect(sim.lastRequest?.pkceVerified).toBe(true);
		const users = await fetch(sim.url('/xapi/v1/Users?$top=1'), { headers: { authorization: `Bearer ${ok.body.access_token}` } });
		expect(users.status).toBe(200);

		const reuse = await tokenForm({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'n8n-pkce', code_verifier: pkce.verifier });
		expect(reuse.status).toBe(400);

		const refreshed = await tokenForm({ grant_type: 'refresh_token', refresh_token: ok.body.refresh_token, client_id: 'n8n-pkce' });
		expect(refreshed.status).toBe(200);
		expect(refreshed.body.access_token).not.toBe(ok.body.access_token);
		// one token per user: the refreshed token revokes the first
		expect((await fetch(sim.url('/xapi/v1/Users'), { headers: { authorization: `Bearer ${ok.body.access_token}` } })).status).toBe(401);
		expect((await fetch(sim.url('/xapi/v1/Users'), { headers: { authorization: `Bearer ${refreshed.body.access_token}` } })).status).toBe(200);
		// refresh tokens rotate
		expect((await tokenForm({ grant_type: 'refresh_token', refresh_token: ok.body.refresh_token, client_id: 'n8n-pkce' })).status).toBe(400);
		// a user sign-in does not revoke the API client's token
		const client = await tokenForm({ grant_type: 'client_credentials', client_id: '900', client_secret: 'x' });
		expect((await fetch(sim.url('/xapi/v1/Users'), { headers: { authorization: `Bearer ${client.body.access_token}` } })).status).toBe(200);
		expect((await fetch(sim.url('/xapi/v1/Users'), { headers: { authorization: `Bearer ${refreshed.body.access_token}` } })).status).toBe(200);
	});

	it('refuses a missing challenge, plain PKCE, an unknown client and a mismatched redirect_uri', async () => {
		const pkce = pkcePair();
		const noChallenge = await fetch(authorizeUrl('', {}), { redirect: 'manual' });
		expect(new URL(noChallenge.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');
		const plain = await fetch(authorizeUrl(pkce.challenge, { code_challenge_method: 'plain' }), { redirect: 'manual' });
		expect(new URL(plain.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');
		expect((await fetch(authorizeUrl(pkce.challenge, { client_id: 'other' }), { redirect: 'manual' })).status).toBe(400);
		const res = await fetch(authorizeUrl(pkce.challenge), { redirect: 'manual' });
		const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
		const bad = await tokenForm({ grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:1/other', client_id: 'n8n-pkce', code_verifier: pkce.verifier });
		expect(bad.status).toBe(400);
		const noVerifier = await tokenForm({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'n8n-pkce' });
		expect(noVerifier.body.error).toBe('invalid_request');
	});

	it('without auto-approve shows a login form and signs in the configured user', async () => {
		sim.configure({ autoApprove: false });
		const pkce = pkcePair();
		const form = await fetch(authorizeUrl(pkce.challenge), { redirect: 'manual' });
		expect(form.status).toBe(200);
		expect(await form.text()).toContain('name="code_challenge"');
		const fields = new URLSearchParams({
			response_type: 'code',
			client_id: 'n8n-pkce',
			redirect_uri: redirectUri,
			state: 's2',
			code_challenge: pkce.challenge,
			code_challenge_method: 'S256',
		});
		const wrong = await fetch(sim.url('/connect/authorize'), {
			method: 'POST',
			redirect: 'manual',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: `${fields.toString()}&username=tester&password=nope`,
		});
		expect(wrong.status).toBe(401);
		const right = await fetch(sim.url('/connect/authorize'), {
			method: 'POST',
			redirect: 'manual',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: `${fields.toString()}&username=tester&password=pw-1`,
		});
		expect(right.status).toBe(302);
		expect(new URL(right.headers.get('location') ?? '').searchParams.get('state')).toBe('s2');
	});
});

describe('spec checks and the e2e preset', () => {
	it('without a spec, say in one line that the checks are skipped, and check nothing', async () => {
		const fake = createE2eSimulator({ clientId: '900', clientSecret: 'e2e', specCheck: '/nonexistent/xapi-0.0.0.yaml' });
		await fake.start();
		try {
			expect(fake.specInfo).toMatchObject({ available: false, status: expect.stringMatching(/^spec not found at \/nonexistent\/xapi-0\.0\.0\.yaml; spec checks SKIPPED/) });
			expect(await fake.selfTest()).toMatchObject({ skipped: true, failures: [] });
			const res = await fetch(`${fake.baseUrl}/__sim/spec`);
			expect(await res.json()).toMatchObject({ available: false });
		} finally {
			await fake.stop();
		}
	});

	withSpec(`flag misformatted literals and unknown properties${skipped}`, async () => {
		const fake = createE2eSimulator({ clientId: '900', clientSecret: 'e2e' });
		await fake.start();
		try {
			expect(fake.specInfo).toMatchObject({ available: true, file: SPEC });
			const self = await fake.selfTest();
			expect(self).toMatchObject({ ok: true, skipped: false, failures: [] });
			expect(self.probes).toBeGreaterThan(10);
			expect(fake.mark()).toBe(0);
			const tok = (await (
				await fetch(`${fake.baseUrl}/connect/token`, {
					method: 'POST',
					headers: { 'content-type': 'application/x-www-form-urlencoded' },
					body: 'grant_type=client_credentials&client_id=900&client_secret=e2e',
				})
			).json()) as { access_token: string };
			const h = { authorization: `Bearer ${tok.access_token}` };
			await fetch(`${fake.baseUrl}/xapi/v1/Users(29)`, { headers: h });
			await fetch(`${fake.baseUrl}/xapi/v1/Users('29')`, { headers: h });
			const [token, good, bad] = fake.requestsSince(0);
			// The control API answers the same records, in the same format.
			expect(await (await fetch(`${fake.baseUrl}/__sim/requests?since=1`)).json()).toEqual([good, bad]);
			expect(token).toMatchObject({ kind: 'token', status: 200, token: { clientId: '900', grantType: 'client_credentials' } });
			expect(token.rawBody).toContain('client_secret=***');
			expect(good).toMatchObject({ kind: 'api', status: 200, operationId: 'GetUser', specProblems: [], auth: 'valid' });
			expect(bad.status).toBe(404);
			expect(bad.specProblems.length).toBeGreaterThan(0);
		} finally {
			await fake.stop();
		}
	});

	withSpec(`the demo data uses the spec's schema property names and types${skipped}`, async () => {
		const loaded = await loadSpec();
		expect(loaded.status).toMatch(/^loaded \d+ operations/);
		const sim = createSimulator({ demo: { now: '2026-12-01T12:00:00Z' } });
		const problems: string[] = [];
		for (const [set, schema] of Object.entries(DEMO_SCHEMAS)) {
			const rows = sim.records(set).map((r) => (set === 'CallHistoryView' ? { ...r, CallId: undefined } : r));
			expect(rows.length).toBeGreaterThan(0);
			for (const row of rows) problems.push(...schemaProblems(loaded.spec, schema, JSON.parse(JSON.stringify(row)), set));
		}
		expect(problems).toEqual([]);
	});

	withSpec(`the simulator names the spec operationIds of what it serves${skipped}`, async () => {
		const sim = createSimulator({ demo: { now: '2026-12-01T12:00:00Z' }, specCheck: true });
		await sim.start();
		try {
			expect(sim.specInfo).toMatchObject({ available: true, file: SPEC });
			const t = sim.issueToken();
			const paths = [
				'/Users?$top=2',
				"/Users(Number='100')",
				'/Users/Pbx.GetFirstAvailableExtensionNumber()',
				'/Queues(60)/Agents',
				"/CallHistoryView?$filter=SegmentStartTime gt 2026-11-30T00:00:00Z&$orderby=SegmentStartTime desc&$top=5&$count=true",
				'/Recordings/Pbx.DownloadRecording(recId=1)',
				"/ReportCallLogData/Pbx.GetCallLogData(periodFrom=2026-11-30T00:00:00Z,periodTo=2026-12-01T00:00:00Z,sourceType=0,sourceFilter='',destinationType=0,destinationFilter='',callsType=0,callTimeFilterType=0,callTimeFilterFrom='0:00:0',callTimeFilterTo='0:00:0',hidePcalls=true)?$top=5",
				'/EventLogs?$top=3',
				'/ChatHistoryView?$top=3',
				'/ChatMessagesHistoryView?$top=3',
			];
			for (const p of paths) {
				const res = await fetch(sim.url(`/xapi/v1${p}`), { headers: { authorization: `Bearer ${t}` } });
				expect(res.status).toBe(200);
			}
			const api = sim.apiRequests;
			expect(api.map((r) => r.specProblems).flat()).toEqual([]);
			expect(api.map((r) => r.operationId)).toEqual([
				'ListUser',
				'GetUserByNumber',
				'GetFirstAvailableExtensionNumber',
				'ListAgents',
				'ListCallHistoryView',
				'DownloadRecording',
				'GetCallLogData',
				'ListEventLog',
				'ListChatHistoryView',
				'ListChatMessagesHistoryView',
			]);
		} finally {
			await sim.stop();
		}
	});
});
