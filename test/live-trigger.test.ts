/**
 * The 3CX Live Call Trigger through n8n-core's real trigger code (TriggersAndPollers,
 * TriggerContext) against the simulator's Call Control API (/callcontrol REST + /callcontrol/ws,
 * simulator/call-control.js, built from 3cx/call-control-examples).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { CredentialStore, runNode, xapiCredentials } from './helpers/harness';
import { createLiveHarness, type LiveHarness } from './helpers/live-harness';
import { webSocketKind } from './helpers/live-calls';
import { useXapiServer } from './helpers/setup';
import { createXapiServer, type XapiServer } from '../simulator';
import { sleep, waitFor } from './reliability/timing';

const xapi = useXapiServer();
const open: LiveHarness[] = [];

beforeEach(() => {
	xapi().callControl.options.stepMs = 60;
});
afterEach(async () => {
	for (const harness of open.splice(0)) await harness.close();
});

function live(parameters: INodeParameters, store?: CredentialStore): LiveHarness {
	const harness = createLiveHarness({
		parameters,
		credentials: xapiCredentials(xapi()),
		credentialStore: store,
	});
	open.push(harness);
	return harness;
}

async function activated(parameters: INodeParameters, store?: CredentialStore): Promise<LiveHarness> {
	const harness = live(parameters, store);
	const sockets = xapi().callControl.clients.size;
	await harness.activate();
	await waitFor(() => xapi().callControl.clients.size > sockets, 5000);
	return harness;
}

/** Waits until the simulated calls are over (no participant left) and the events had time to arrive. */
async function callsOver(harness: LiveHarness, count: (h: LiveHarness) => number = (h) => h.executions.length, settledMs = 300) {
	await waitFor(() => [...xapi().callControl.dns.values()].every((dn) => dn.participants.size === 0), 10000);
	let last = -1;
	while (count(harness) !== last) {
		last = count(harness);
		await sleep(settledMs);
	}
}

const items = (harness: LiveHarness): IDataObject[] => harness.executions.flat();
const events = (harness: LiveHarness) => items(harness).map((item) => `${item.event}@${item.dn}`);

describe('3CX Live Call Trigger', () => {
	it(`uses ${webSocketKind() === 'ws' ? "the ws client on this Node (no global WebSocket)" : "Node's own WebSocket"}`, () => {
		expect(['ws', 'node']).toContain(webSocketKind());
	});

	it('reports a call ringing at a DN once, with a flat item, and nothing of calls already in progress', async () => {
		xapi().callControl.placeCall({ scenario: 'held', to: '101' });
		await sleep(300);
		const harness = await activated({ events: ['callRinging'], dns: ['100'] });
		xapi().callControl.placeCall({ scenario: 'answered', to: '100', from: '+4930999', name: 'ACME Corp', did: '+4930555000' });
		await waitFor(() => harness.executions.length > 0, 5000);
		xapi().callControl.endCall(1001);
		await callsOver(harness);
		expect(harness.executions).toHaveLength(1);
		expect(harness.executions[0]).toHaveLength(1);
		const item = harness.executions[0][0];
		expect(item).toMatchObject({
			event: 'callRinging',
			dn: '100',
			dnType: 'extension',
			status: 'Ringing',
			direction: 'inbound',
			callerNumber: '+4930999',
			callerName: 'ACME Corp',
			did: '+4930555000',
			seenLate: false,
		});
		expect(typeof item.callId).toBe('number');
		expect(typeof item.participantId).toBe('number');
		expect(item.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
		expect((item.participant as IDataObject).party_caller_id).toBe('+4930999');
		expect(harness.errors).toEqual([]);
	});

	it('Any Change: a queue call answered by an agent, each change once, Call Ended with answered and times', async () => {
		const harness = await activated({ events: ['anyChange'] });
		xapi().callControl.placeCall({ scenario: 'queue', agent: '100' });
		await callsOver(harness);
		expect(events(harness)).toEqual([
			'callRinging@800',
			'callAnswered@800',
			'callRinging@100',
			'callEnded@800',
			'callAnswered@100',
			'callEnded@100',
		]);
		const ended = items(harness).filter((item) => item.event === 'callEnded' && item.dn === '100')[0];
		expect(ended).toMatchObject({ answered: true, status: 'Ended', seenLate: false });
		expect(ended.talkingSeconds as number).toBeGreaterThan(0);
		expect(ended.ringingSeconds as number).toBeGreaterThan(0);
		expect(new Set(items(harness).map((item) => item.callId)).size).toBe(1);
		// sequence numbers as 3CX sent them, increasing
		const sequences = items(harness).map((item) => item.sequence as number);
		expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
	});

	it('an unanswered call ends with answered false and no talking time', async () => {
		const harness = await activated({ events: ['callEnded'] });
		xapi().callControl.placeCall({ scenario: 'unanswered', to: '102' });
		await callsOver(harness);
		expect(items(harness)).toHaveLength(1);
		expect(items(harness)[0]).toMatchObject({ event: 'callEnded', dn: '102', answered: false, talkingSeconds: 0 });
	});

	it('a transferred call: the first leg ends, the second rings at the target', async () => {
		const harness = await activated({ events: ['callRinging', 'callEnded'] });
		xapi().callControl.placeCall({ scenario: 'transferred', to: '100', transferTo: '101' });
		await callsOver(harness);
		expect(events(harness)).toEqual(['callRinging@100', 'callEnded@100', 'callRinging@101', 'callEnded@101']);
		expect(items(harness)[2]).toMatchObject({ participant: expect.objectContaining({ referred_by_dn: '100' }) });
	});

	it('a call gone before its state could be read still yields its Call Ended (DN and participant only)', async () => {
		const harness = await activated({ events: ['anyChange'] });
		const participant = xapi().callControl.addParticipant('101', { status: 'Ringing' });
		xapi().callControl.remove(participant); // removed before the trigger's GET arrives: 404
		await callsOver(harness);
		expect(items(harness)).toEqual([
			expect.objectContaining({ event: 'callEnded', dn: '101', participantId: participant.id, answered: null, direction: null, seenLate: false }),
		]);
	});

	it('DTMF Received: one item per key the caller pressed', async () => {
		const harness = await activated({ events: ['dtmfReceived'] });
		xapi().callControl.placeCall({ scenario: 'dtmf', digits: '42' });
		await callsOver(harness);
		expect(items(harness).map((item) => [item.event, item.dn, item.dnType, item.dtmf])).toEqual([
			['dtmfReceived', '900', 'routePoint', '4'],
			['dtmfReceived', '900', 'routePoint', '2'],
		]);
	});

	it('filters by DN and direction', async () => {
		// one credential, as in one n8n: the two workflows share its token
		const store = new CredentialStore(xapiCredentials(xapi()));
		const outbound = await activated({ events: ['callRinging'], direction: 'outbound' }, store);
		const inbound = await activated({ events: ['callRinging'], direction: 'inbound', dns: ['101'] }, store);
		xapi().callControl.placeCall({ scenario: 'unanswered', to: '100', ringMs: 1000 });
		xapi().callControl.placeCall({ scenario: 'unanswered', to: '101', ringMs: 1000 });
		const made = await fetch(xapi().url('/callcontrol/102/makecall'), {
			method: 'POST',
			headers: { Authorization: `Bearer ${store.accessToken}`, 'Content-Type': 'application/json' },
			body: JSON.stringify({ destination: '+4930777' }),
		});
		expect(made.status).toBe(200);
		await sleep(500);
		xapi().callControl.endCall(((await made.json()) as { result: { callid: number } }).result.callid);
		await callsOver(outbound);
		expect(events(inbound)).toEqual(['callRinging@101']);
		expect(items(outbound)).toEqual([expect.objectContaining({ event: 'callRinging', dn: '102', status: 'Dialing', direction: 'outbound', partyDn: '+4930777' })]);
		expect(xapi().callControl.clients.size).toBe(2);
		expect(xapi().tokensIssued).toBe(1);
	});

	it('reads its credential once for the socket on activation (its server and token together)', async () => {
		const store = new CredentialStore(xapiCredentials(xapi()));
		await activated({ events: ['callRinging'] }, store);
		// one read for the socket's server and token (client connectionTarget), one for the decision to
		// fetch the first token (none is stored yet), one for the state read's request
		expect(store.decryptCount).toBe(3);
		expect(xapi().tokensIssued).toBe(1);
	});

	it('reconnects after a dropped socket: no duplicate, and a call that ended meanwhile still ends (seen late)', async () => {
		const harness = await activated({ events: ['anyChange'], dns: ['100'] });
		const { callid } = xapi().callControl.placeCall({ scenario: 'held', to: '100' });
		await waitFor(() => items(harness).some((item) => item.event === 'callAnswered'), 5000);
		const before = xapi().callControl.clients.size;
		expect(before).toBe(1);
		// the socket drops and new sockets are refused for a while; the call ends meanwhile
		await fetch(xapi().url('/__sim/callcontrol/drop-sockets?refuseMs=1200'), { method: 'POST' });
		xapi().callControl.endCall(callid);
		await waitFor(() => items(harness).some((item) => item.event === 'callEnded'), 10000);
		await waitFor(() => xapi().callControl.clients.size === 1, 10000);
		xapi().callControl.placeCall({ scenario: 'answered', to: '100' });
		await callsOver(harness);
		const list = items(harness);
		expect(list.map((item) => `${item.event}:${item.participantId}:${item.seenLate}`)).toEqual([
			`callRinging:${list[0].participantId}:false`,
			`callAnswered:${list[0].participantId}:false`,
			`callEnded:${list[0].participantId}:true`,
			`callRinging:${list[3].participantId}:false`,
			`callAnswered:${list[3].participantId}:false`,
			`callEnded:${list[3].participantId}:false`,
		]);
		expect(harness.errors).toEqual([]);
	});

	for (const closeOnRevoke of [false, true]) {
		it(`keeps listening when the action node renews the token (3CX ${closeOnRevoke ? 'closes' : 'keeps'} the open socket), without fetching one itself`, async () => {
			xapi().callControl.options.closeOnRevoke = closeOnRevoke;
			const store = new CredentialStore(xapiCredentials(xapi()));
			const harness = await activated({ events: ['callRinging'] }, store);
			expect(xapi().tokensIssued).toBe(1);
			// another system fetched a token (the trigger's is revoked), then the action node renews
			xapi().revokeTokens();
			const action = await runNode({
				parameters: { resource: 'customApiCall', operation: 'customApiCall', customMethod: 'GET', customPath: '/Defs' },
				credentialStore: store,
			});
			expect(action.error).toBeUndefined();
			expect(xapi().tokensIssued).toBe(2);
			if (closeOnRevoke) await waitFor(() => xapi().callControl.clients.size === 1 && harness.executions.length === 0, 5000);
			await sleep(300);
			xapi().callControl.placeCall({ scenario: 'unanswered', to: '100' });
			await callsOver(harness);
			expect(events(harness)).toEqual(['callRinging@100']);
			expect(xapi().tokensIssued).toBe(2);
			expect(harness.errors).toEqual([]);
		});
	}

	it('closing the workflow closes its socket, and nothing is emitted afterwards', async () => {
		const harness = await activated({ events: ['anyChange'] });
		await harness.close();
		await waitFor(() => xapi().callControl.clients.size === 0, 2000);
		xapi().callControl.placeCall({ scenario: 'unanswered', to: '100' });
		await callsOver(harness);
		expect(harness.executions).toEqual([]);
		const requests = xapi().requests.length;
		await sleep(500);
		expect(xapi().requests.length).toBe(requests);
	});

	it('Listen for Test Event: the next matching call is the test event', async () => {
		const harness = live({ events: ['callRinging'], dns: ['101'] });
		const listening = harness.listen();
		await waitFor(() => xapi().callControl.clients.size > 0, 5000);
		xapi().callControl.placeCall({ scenario: 'unanswered', to: '100' });
		await sleep(200);
		xapi().callControl.placeCall({ scenario: 'unanswered', to: '101', from: '+4940111' });
		const result = await listening;
		expect(result[0].map((item) => item.json)).toEqual([expect.objectContaining({ event: 'callRinging', dn: '101', callerNumber: '+4940111' })]);
	});

	it('activation fails with 3CX\'s reason when the API client has no Call Control access', async () => {
		const harness = live({ events: ['callRinging'] }, new CredentialStore(xapiCredentials(xapi(), { clientSecret: 'wrong' })));
		await expect(harness.activate()).rejects.toThrow(/3CX did not issue an access token/);
		expect(xapi().callControl.clients.size).toBe(0);
	});

	it('checks its parameters before connecting', async () => {
		await expect(live({ events: [] }).activate()).rejects.toThrow('Events: choose at least one event');
		await expect(live({ events: ['callRinging'], dns: ['10 0'] }).activate()).rejects.toThrow('DN Names or IDs: "10 0" is not a DN number');
		expect(xapi().requests).toEqual([]);
	});
});

describe('3CX Live Call Trigger on a PBX with a self-signed certificate', () => {
	let tls: XapiServer;
	beforeAll(async () => {
		tls = createXapiServer({ https: true });
		await tls.start();
		tls.callControl.options.stepMs = 60;
	});
	afterAll(async () => await tls.stop());

	it('without Ignore SSL Issues, activation fails and says the certificate is not trusted', async () => {
		const harness = createLiveHarness({ parameters: { events: ['callRinging'] }, credentials: xapiCredentials(tls) });
		open.push(harness);
		await expect(harness.activate()).rejects.toThrow(/TLS certificate is not trusted/);
	});

	it('with Ignore SSL Issues, calls are still reported (state reads with the certificate ignored; the socket refuses it)', async () => {
		const harness = createLiveHarness({ parameters: { events: ['callRinging'] }, credentials: xapiCredentials(tls, { ignoreSSLIssues: true }) });
		open.push(harness);
		await harness.activate();
		tls.callControl.placeCall({ scenario: 'unanswered', to: '100', ringMs: 8000 });
		await waitFor(() => harness.executions.length > 0, 20000);
		expect(items(harness)).toEqual([expect.objectContaining({ event: 'callRinging', dn: '100', seenLate: true })]);
		// Node's WebSocket (and ws without options) verify the certificate: no socket was accepted
		expect(tls.callControl.clients.size).toBe(0);
		expect(tls.requests.filter((r) => r.kind === 'callcontrol-ws')).toEqual([]);
		expect(harness.errors).toEqual([]);
	}, 30000);
});
