/**
 * The 3CX node's Call Control resource through n8n-core's RoutingNode (the node's own request
 * builder and response handler) against the simulator's Call Control API.
 */
import type { IDataObject, ILoadOptionsFunctions, INodeParameters } from 'n8n-workflow';

import { callControlListSearch, refusedReason } from '../nodes/ThreeCx/resources/callControl';
import { CredentialStore, loadOptionsContext, runNode, xapiCredentials } from './helpers/harness';
import { byId, useXapiServer } from './helpers/setup';

const xapi = useXapiServer();
beforeEach(() => {
	xapi().callControl.options.stepMs = 2000; // calls stay where a test puts them
});

const dn = (value: string) => ({ __rl: true, mode: 'list', value });
const cc = (operation: string, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'callControl',
	operation,
	callControlDn: dn('100'),
	...extra,
});

async function run(parameters: INodeParameters, store?: CredentialStore) {
	return await runNode({ parameters, credentials: xapiCredentials(xapi()), credentialStore: store });
}
const actions = () => xapi().callControl.actions.map((a) => `${a.method} ${a.path} ${JSON.stringify(a.body)} ${a.status}`);
const ringingAt = (to: string) => xapi().callControl.find(xapi().callControl.placeCall({ scenario: 'unanswered', to, ringMs: 60_000 }).participants[0]);

describe('Call Control resource', () => {
	it('Make Call from a DN: POST /callcontrol/{dn}/makecall {destination}, one item with 3CX\'s answer', async () => {
		const { items, error } = await run(cc('placeCall', { callControlDestination: '101', callControlOptions: { timeout: 20, attachedData: '{"ticket":"T-7"}' } }));
		expect(error).toBeUndefined();
		expect(actions()).toEqual(['POST /callcontrol/100/makecall {"destination":"101","timeout":20,"attacheddata":{"ticket":"T-7"}} 200']);
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ finalstatus: 1, result: { dn: '100', status: 'Dialing', party_dn: '101' } });
		// the call exists: 101 rings
		expect([...(xapi().callControl.dns.get('101')?.participants.values() ?? [])]).toEqual([expect.objectContaining({ status: 'Ringing' })]);
		expect(xapi().requests.find((r) => r.kind === 'callcontrol')?.headers.authorization).toMatch(/^Bearer /);
	});

	it('Make Call from one of the DN\'s devices: the device id is URL-encoded in the path', async () => {
		const device = xapi().callControl.dns.get('100')?.devices[1].device_id ?? '';
		const { error } = await run(cc('placeCall', { callControlFrom: 'device', callControlDevice: dn(device), callControlDestination: '+4930123' }));
		expect(error).toBeUndefined();
		expect(xapi().callControl.actions[0].path).toBe(`/callcontrol/100/devices/${encodeURIComponent(device)}/makecall`);
		expect(xapi().callControl.actions[0].status).toBe(200);
	});

	it('Answer, Divert (with reason), Transfer To, Route To, Attach Data and Drop act on the simulated calls', async () => {
		const ringing = ringingAt('100');
		expect(ringing).toBeDefined();
		const id = String(ringing?.id);
		expect((await run(cc('answer', { callControlParticipant: byId(id) }))).error).toBeUndefined();
		expect(xapi().callControl.find(Number(id))?.status).toBe('Connected');
		expect((await run(cc('attachData', { callControlParticipant: byId(id), callControlAttachedData: '{"crmId":42}' }))).error).toBeUndefined();
		expect(xapi().callControl.attached.get(Number(id))).toEqual({ crmId: 42 });
		const transferred = await run(cc('transferTo', { callControlParticipant: byId(id), callControlDestination: '102' }));
		expect(transferred.error).toBeUndefined();
		expect(xapi().callControl.find(Number(id))).toBeUndefined();
		expect(transferred.items[0].json).toMatchObject({ result: { dn: '102', status: 'Ringing', referred_by_dn: '100' } });

		const other = ringingAt('101');
		const diverted = await run(cc('divert', { callControlDn: dn('101'), callControlParticipant: byId(String(other?.id)), callControlDestination: '100', callControlReason: 'NoAnswer' }));
		expect(diverted.error).toBeUndefined();
		const atRoutePoint = ringingAt('900');
		expect((await run(cc('routeTo', { callControlDn: dn('900'), callControlParticipant: byId(String(atRoutePoint?.id)), callControlDestination: '800' }))).error).toBeUndefined();
		const last = ringingAt('102');
		expect((await run(cc('drop', { callControlDn: dn('102'), callControlParticipant: byId(String(last?.id)) }))).error).toBeUndefined();
		expect(xapi().callControl.find(Number(last?.id))).toBeUndefined();
		expect(actions().map((line) => line.replace(/participants\/\d+/, 'participants/N'))).toEqual([
			'POST /callcontrol/100/participants/N/answer {} 200',
			'POST /callcontrol/100/participants/N/attach_participant_data {"attacheddata":{"crmId":42}} 200',
			'POST /callcontrol/100/participants/N/transferto {"destination":"102"} 200',
			'POST /callcontrol/101/participants/N/divert {"destination":"100","reason":"NoAnswer"} 200',
			'POST /callcontrol/900/participants/N/routeto {"destination":"800"} 200',
			'POST /callcontrol/102/participants/N/drop {} 200',
		]);
	});

	it('Get DN State, Get Participants and List Devices read the DN', async () => {
		ringingAt('100');
		ringingAt('100');
		const state = await run(cc('getDnState'));
		expect(state.items.map((item) => item.json)).toEqual([expect.objectContaining({ dn: '100', type: 'Wextension' })]);
		expect(((state.items[0].json as IDataObject).participants as IDataObject[]).length).toBe(2);
		const participants = await run(cc('getParticipants'));
		expect(participants.items.map((item) => item.json.status)).toEqual(['Ringing', 'Ringing']);
		const devices = await run(cc('listDevices'));
		expect(devices.items.map((item) => item.json.dn)).toEqual(['100', '100']);
	});

	it('one token for every request of a credential', async () => {
		const store = new CredentialStore(xapiCredentials(xapi()));
		await run(cc('getDnState'), store);
		await run(cc('listDevices'), store);
		await run(cc('placeCall', { callControlDestination: '101' }), store);
		expect(xapi().tokensIssued).toBe(1);
	});

	it('renews the token once after a 401 and sends the request again', async () => {
		const store = new CredentialStore(xapiCredentials(xapi()));
		await run(cc('getDnState'), store);
		xapi().revokeTokens();
		const { error, items } = await run(cc('listDevices'), store);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(2);
		expect(xapi().tokensIssued).toBe(2);
	});

	it('3CX\'s refusal is an error with its reason', async () => {
		const ringing = ringingAt('100');
		await run(cc('answer', { callControlParticipant: byId(String(ringing?.id)) }));
		const again = await run(cc('answer', { callControlParticipant: byId(String(ringing?.id)) }));
		expect(again.error?.message).toMatch(/^3CX answered 400 Bad request: participant \d+ is Connected, not Ringing$/);
		const gone = await run(cc('drop', { callControlParticipant: byId('99999') }));
		expect(gone.error?.httpCode).toBe('404');
		expect(gone.error?.message).toContain('participant 99999 of DN 100 does not exist');
	});

	it('a 2xx answer whose finalstatus says Failed or Rejected is a refusal with 3CX\'s words; Success is not', () => {
		// CallRequestStatus in 3cx/call-control-examples' types.ts: Failed -1, Rejected 0, Success 1
		expect(refusedReason({ finalstatus: -1, reason: 'Failed', reasontext: 'participant is gone' })).toBe('Failed: participant is gone');
		expect(refusedReason({ finalstatus: 'Rejected', reason: '', reasontext: null })).toBe('Rejected');
		expect(refusedReason({ finalstatus: 0 })).toBe('0');
		expect(refusedReason({ finalstatus: 1, reason: 'None', reasontext: null })).toBeUndefined();
		expect(refusedReason([{ finalstatus: -1 }])).toBeUndefined();
		expect(refusedReason(undefined)).toBeUndefined();
	});

	it.each([
		[cc('getDnState', { callControlDn: byId('10/0') }), 'DN "10/0" is not a DN number (for example 100)'],
		[cc('getDnState', { callControlDn: byId('') }), 'DN is required'],
		[cc('drop', { callControlParticipant: byId('abc') }), 'Participant "abc" is not a participant ID (a whole number, for example 17)'],
		[cc('placeCall', { callControlDestination: '  ' }), 'Destination is required'],
		[cc('placeCall', { callControlDestination: '101 102' }), 'Destination "101 102" is not a number or extension'],
		[cc('placeCall', { callControlDestination: '101', callControlOptions: { timeout: 0 } }), 'Options > Timeout must be a whole number of at least 1, got "0"'],
		[cc('attachData', { callControlParticipant: byId('1'), callControlAttachedData: '[1]' }), 'Attached Data must be a JSON object'],
		[cc('attachData', { callControlParticipant: byId('1'), callControlAttachedData: '{}' }), 'Attached Data must have at least one key'],
		[cc('divert', { callControlParticipant: byId('1'), callControlDestination: '101', callControlReason: 'Because' }), 'Reason "Because" is not one of'],
		[cc('placeCall', { callControlFrom: 'device', callControlDevice: byId(''), callControlDestination: '101' }), 'Device is required when Call From is One of Its Devices'],
	])('refuses bad input before sending anything (%#)', async (parameters, message) => {
		const { error } = await run(parameters);
		expect(error?.message).toContain(message);
		expect(xapi().requests.filter((r) => r.kind === 'callcontrol')).toEqual([]);
	});

	it('lists DNs, a DN\'s devices and its participants for the resource locators', async () => {
		const ringing = ringingAt('101');
		const context = (parameters: INodeParameters) =>
			loadOptionsContext({ parameters, credentials: xapiCredentials(xapi()) }) as unknown as ILoadOptionsFunctions;
		const dns = await callControlListSearch.searchCallControlDns.call(context(cc('placeCall')), 'route');
		expect(dns.results).toEqual([{ name: '900 (route point)', value: '900' }]);
		const devices = await callControlListSearch.searchCallControlDevices.call(context(cc('placeCall')));
		expect(devices.results.map((r) => r.value)).toEqual(xapi().callControl.dns.get('100')?.devices.map((d) => d.device_id));
		const participants = await callControlListSearch.searchCallControlParticipants.call(context(cc('drop', { callControlDn: dn('101') })));
		expect(participants.results).toEqual([{ name: `${ringing?.id}: Ringing ACME Corp`, value: String(ringing?.id) }]);
	});
});
