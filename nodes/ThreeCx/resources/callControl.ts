/**
 * The Call Control resource: written by hand, not generated (3CX publishes no OpenAPI file for its
 * Call Control API). Paths and bodies follow 3CX's reference client, 3cx/call-control-examples
 * (server/src/services/ExternalApi.service.ts, constants.ts, types.ts) and 3CX's endpoint page:
 *
 *   POST /callcontrol/{dn}/makecall                         {destination, timeout?, attacheddata?}
 *   POST /callcontrol/{dn}/devices/{deviceId}/makecall      (device id URL-encoded)
 *   POST /callcontrol/{dn}/participants/{id}/{action}       answer, drop, divert {destination, reason},
 *                                                           routeto, transferto {destination},
 *                                                           attach_participant_data {attacheddata}
 *   GET  /callcontrol/{dn}, /callcontrol/{dn}/participants, /callcontrol/{dn}/devices
 *
 * It goes through the node's own request builder and response handler (request.ts, response.ts)
 * like the Custom API Call, so it has the same token discipline (one token per credential, shared
 * with the 3CX Live Call Trigger's socket) and error mapping. Only the base path differs:
 * {server}/callcontrol instead of {server}/xapi/v1.
 */
import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { FieldError, parseBody, parseJson, xapiJson } from '../../client';
import type { HttpMethod, OperationSpec } from '../runtime/types';

export const CALL_CONTROL_RESOURCE = 'callControl';

export const callControlResourceOption: INodePropertyOptions = {
	name: 'Call Control',
	value: CALL_CONTROL_RESOURCE,
	description:
		'Place, answer, drop, divert and transfer live calls (3CX Call Control API: Enterprise licence, API client with Call Control access)',
};

/** 3CX's divert reasons (DN forwarding reasons), sent by name. */
export const DIVERT_REASONS = [
	'None',
	'NoAnswer',
	'PhoneBusy',
	'PhoneNotRegistered',
	'ForwardAll',
	'BasedOnCallerID',
	'BasedOnDID',
	'OutOfOfficeHours',
	'BreakTime',
	'Holiday',
	'OfficeHours',
	'NoDestinations',
];

interface Operation {
	name: string;
	action: string;
	description: string;
	method: HttpMethod;
	/** The participant action in the path, for the participant operations. */
	participantAction?: string;
}

const OPERATIONS: Record<string, Operation> = {
	answer: {
		name: 'Answer',
		action: 'Answer a call with call control',
		description: 'Answer a ringing call on a DN; its device must support answering remotely',
		method: 'POST',
		participantAction: 'answer',
	},
	attachData: {
		name: 'Attach Data',
		action: 'Attach data to a call with call control',
		description: 'Attach key-value data to a participant of a call, for other applications to read',
		method: 'POST',
		participantAction: 'attach_participant_data',
	},
	divert: {
		name: 'Divert',
		action: 'Divert a call with call control',
		description: 'Send a ringing call to another destination before it is answered, with a reason',
		method: 'POST',
		participantAction: 'divert',
	},
	drop: {
		name: 'Drop',
		action: 'Drop a call with call control',
		description: 'Hang up a participant of a call, ringing or connected',
		method: 'POST',
		participantAction: 'drop',
	},
	getDnState: {
		name: 'Get DN State',
		action: 'Get a DN state from call control',
		description: 'Get a DN with its devices and the participants of its current calls',
		method: 'GET',
	},
	getParticipants: {
		name: 'Get Participants',
		action: 'Get participants from call control',
		description: 'Get the current calls of a DN, one item per participant',
		method: 'GET',
	},
	listDevices: {
		name: 'List Devices',
		action: 'List devices from call control',
		description: 'List the phones and clients registered for a DN, one item per device',
		method: 'GET',
	},
	placeCall: {
		name: 'Make Call',
		action: 'Make a call with call control',
		description: 'Place a call from a DN (or one of its devices) to a number or extension',
		method: 'POST',
	},
	routeTo: {
		name: 'Route',
		action: 'Route a call with call control',
		description: 'Route a call waiting at a route point to a destination',
		method: 'POST',
		participantAction: 'routeto',
	},
	transferTo: {
		name: 'Transfer',
		action: 'Transfer a call with call control',
		description: 'Transfer a connected call to another destination: a blind transfer',
		method: 'POST',
		participantAction: 'transferto',
	},
};

const show = (operations?: string[]) => ({
	show: { resource: [CALL_CONTROL_RESOURCE], ...(operations ? { operation: operations } : {}) },
});

const PARTICIPANT_OPERATIONS = Object.keys(OPERATIONS).filter((name) => OPERATIONS[name].participantAction);
const DESTINATION_OPERATIONS = ['placeCall', 'divert', 'routeTo', 'transferTo'];

export const callControlProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: show(),
		options: Object.entries(OPERATIONS).map(([value, op]) => ({
			name: op.name,
			value,
			action: op.action,
			description: op.description,
		})),
		default: 'placeCall',
	},
	{
		displayName: 'DN',
		name: 'callControlDn',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description: 'The extension, queue or route point (its number) the call belongs to',
		displayOptions: show(),
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchCallControlDns', searchable: true },
			},
			{
				displayName: 'By Number',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 100',
			},
		],
	},
	{
		displayName: 'Call From',
		name: 'callControlFrom',
		type: 'options',
		displayOptions: show(['placeCall']),
		options: [
			{ name: 'The DN', value: 'dn', description: '3CX picks the device (the DN\'s phones ring first)' },
			{ name: 'One of Its Devices', value: 'device', description: 'A registered phone or client of the DN places the call' },
		],
		default: 'dn',
	},
	{
		displayName: 'Device',
		name: 'callControlDevice',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description: 'The registered device of the DN that places the call',
		displayOptions: { show: { resource: [CALL_CONTROL_RESOURCE], operation: ['placeCall'], callControlFrom: ['device'] } },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchCallControlDevices', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. sip:100@192.0.2.10:5060',
			},
		],
	},
	{
		displayName: 'Participant',
		name: 'callControlParticipant',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description:
			'The participant (the DN\'s leg of a call); the 3CX Live Call Trigger gives it as participantId, Get Participants lists them',
		displayOptions: show(PARTICIPANT_OPERATIONS),
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchCallControlParticipants', searchable: false },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 17',
			},
		],
	},
	{
		displayName: 'Destination',
		name: 'callControlDestination',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 101 or +4930123456',
		description: 'An extension, queue, or phone number as it would be dialled from the DN',
		displayOptions: show(DESTINATION_OPERATIONS),
	},
	{
		displayName: 'Reason',
		name: 'callControlReason',
		type: 'options',
		displayOptions: show(['divert']),
		options: DIVERT_REASONS.map((reason) => ({ name: reason.replace(/([a-z])([A-Z])/g, '$1 $2'), value: reason })),
		default: 'None',
		description: 'The reason 3CX records for the diversion',
	},
	{
		displayName: 'Attached Data',
		name: 'callControlAttachedData',
		type: 'json',
		required: true,
		default: '',
		description: 'A JSON object of keys and values to attach to the participant, for example {"ticket": "T-7", "vip": true}',
		displayOptions: show(['attachData']),
	},
	{
		displayName: 'Options',
		name: 'callControlOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show(['placeCall', 'routeTo']),
		options: [
			{
				displayName: 'Timeout',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description: 'How long 3CX tries the destination (sent as timeout; 3CX\'s examples use seconds)',
			},
			{
				displayName: 'Attached Data',
				name: 'attachedData',
				type: 'json',
				default: '',
				description: 'A JSON object of keys and values to attach to the new call, for example {"ticket": "T-7"}',
			},
		],
	},
];

/* ------------------------------------------------------------------ */
/* requests                                                            */
/* ------------------------------------------------------------------ */

export interface CallControlRequest {
	method: HttpMethod;
	/** Below {server}/callcontrol, starting with '/'. */
	path: string;
	body?: IDataObject;
}

type Read = (name: string) => unknown;

function dnOf(value: unknown): string {
	const dn = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	if (!dn) throw new FieldError('DN', 'is required');
	if (!/^[\w*#+.-]{1,32}$/.test(dn)) throw new FieldError('DN', `"${dn}" is not a DN number (for example 100)`);
	return dn;
}

function participantOf(value: unknown): string {
	const id = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	if (!id) throw new FieldError('Participant', 'is required');
	if (!/^\d{1,12}$/.test(id)) throw new FieldError('Participant', `"${id}" is not a participant ID (a whole number, for example 17)`);
	return id;
}

function destinationOf(value: unknown): string {
	const destination = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	if (!destination) throw new FieldError('Destination', 'is required');
	if (destination.length > 64 || /\s/.test(destination) || [...destination].some((c) => c.charCodeAt(0) < 32)) {
		throw new FieldError('Destination', `"${destination.slice(0, 70)}" is not a number or extension`);
	}
	return destination;
}

function objectOf(value: unknown, field: string, allowEmpty: boolean): IDataObject | undefined {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
		if (allowEmpty) return undefined;
		throw new FieldError(field, 'is required');
	}
	const parsed = typeof value === 'string' ? parseJson(value, field) : value;
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new FieldError(field, 'must be a JSON object');
	if (!allowEmpty && Object.keys(parsed).length === 0) throw new FieldError(field, 'must have at least one key');
	return Object.keys(parsed).length ? (parsed as IDataObject) : undefined;
}

/** Method, path and body of the selected operation, every value checked. */
export function callControlRequest(operation: string, read: Read): CallControlRequest {
	const op = OPERATIONS[operation];
	if (!op) throw new FieldError('Operation', `"${operation}" is not a Call Control operation`);
	const dn = encodeURIComponent(dnOf(read('callControlDn')));
	if (operation === 'getDnState') return { method: 'GET', path: `/${dn}` };
	if (operation === 'getParticipants') return { method: 'GET', path: `/${dn}/participants` };
	if (operation === 'listDevices') return { method: 'GET', path: `/${dn}/devices` };
	if (operation === 'placeCall') {
		const body: IDataObject = { destination: destinationOf(read('callControlDestination')) };
		addOptions(body, read('callControlOptions'));
		if (read('callControlFrom') === 'device') {
			const device = read('callControlDevice');
			const id = typeof device === 'string' ? device.trim() : '';
			if (!id) throw new FieldError('Device', 'is required when Call From is One of Its Devices');
			return { method: 'POST', path: `/${dn}/devices/${encodeURIComponent(id)}/makecall`, body };
		}
		return { method: 'POST', path: `/${dn}/makecall`, body };
	}
	const participant = participantOf(read('callControlParticipant'));
	const path = `/${dn}/participants/${participant}/${op.participantAction}`;
	const body: IDataObject = {};
	if (operation === 'divert' || operation === 'routeTo' || operation === 'transferTo') {
		body.destination = destinationOf(read('callControlDestination'));
	}
	if (operation === 'divert') {
		const reason = String(read('callControlReason') ?? 'None');
		if (!DIVERT_REASONS.includes(reason)) throw new FieldError('Reason', `"${reason}" is not one of ${DIVERT_REASONS.join(', ')}`);
		body.reason = reason;
	}
	if (operation === 'routeTo') addOptions(body, read('callControlOptions'));
	if (operation === 'attachData') body.attacheddata = objectOf(read('callControlAttachedData'), 'Attached Data', false);
	return { method: 'POST', path, body };
}

function addOptions(body: IDataObject, raw: unknown): void {
	const options = (raw && typeof raw === 'object' ? raw : {}) as IDataObject;
	if (options.timeout !== undefined && options.timeout !== '') {
		const timeout = Number(options.timeout);
		if (!Number.isInteger(timeout) || timeout < 1) throw new FieldError('Options > Timeout', `must be a whole number of at least 1, got "${String(options.timeout)}"`);
		body.timeout = timeout;
	}
	const attached = objectOf(options.attachedData, 'Options > Attached Data', true);
	if (attached) body.attacheddata = attached;
}

/** The node's subtitle with Call Control's operations in words (the generated one knows only its own). */
export function withCallControlSubtitle(subtitle: string): string {
	const inner = subtitle.replace(/^=\{\{\s*/, '').replace(/\s*\}\}$/, '');
	const names = JSON.stringify(Object.fromEntries(Object.entries(OPERATIONS).map(([value, op]) => [value, op.name])));
	return `={{ $parameter.resource === '${CALL_CONTROL_RESOURCE}' ? (${names}[$parameter.operation] ?? $parameter.operation) + ': Call Control' : ${inner} }}`;
}

/** Number of Call Control operations (for the description tests). */
export const CALL_CONTROL_OPERATIONS = Object.keys(OPERATIONS);

/** The operation as the response handler sees one. */
export function callControlSpec(operation: string): OperationSpec {
	return { resource: CALL_CONTROL_RESOURCE, method: OPERATIONS[operation]?.method ?? 'GET', path: '', params: [], response: 'entity' };
}

/**
 * 3CX answers a refused action with a result whose `finalstatus` is Failed/Rejected (types.ts
 * CallRequestStatus: -1, 0; names in some versions): that is an error, with 3CX's `reasontext`.
 */
export function refusedReason(body: unknown): string | undefined {
	if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
	const status = (body as IDataObject).finalstatus;
	if (!(status === -1 || status === 0 || status === 'Failed' || status === 'Rejected')) return undefined;
	const { reasontext, reason } = body as IDataObject;
	return [reason, reasontext].filter((part) => typeof part === 'string' && part !== '').join(': ') || String(status);
}

/** A Call Control answer being settled; if it fails, its error carries 3CX's own words (`reasontext`). */
export async function withReasonText<T>(settling: Promise<T>, body: unknown): Promise<T> {
	return await settling.catch((error: unknown) => {
		const parsed = parseBody(body) as IDataObject | undefined;
		const reason = parsed && typeof parsed === 'object' ? parsed.reasontext : undefined;
		if (error instanceof Error && typeof reason === 'string' && reason && !error.message.includes(reason)) {
			error.message = `${error.message}: ${reason}`;
		}
		return Promise.reject(error);
	});
}

/* ------------------------------------------------------------------ */
/* list searches                                                       */
/* ------------------------------------------------------------------ */

function matches(filter: string | undefined, ...texts: unknown[]): boolean {
	const term = (filter ?? '').trim().toLowerCase();
	return !term || texts.some((text) => String(text ?? '').toLowerCase().includes(term));
}

const DN_TYPE_WORDS: Record<string, string> = { Wextension: 'extension', Wqueue: 'queue', Wivr: 'IVR', Wroutepoint: 'route point' };

function currentDn(context: ILoadOptionsFunctions): string {
	const value = context.getCurrentNodeParameter('callControlDn', { extractValue: true });
	return dnOf(value);
}

type ListSearch = (this: ILoadOptionsFunctions, filter?: string) => Promise<INodeListSearchResult>;

export const callControlListSearch: Record<string, ListSearch> = {
	/** The DNs the API client sees (GET /callcontrol). */
	async searchCallControlDns(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		const all = await xapiJson<IDataObject[]>(this, { method: 'GET', api: 'callcontrol', path: '' });
		return {
			results: (Array.isArray(all) ? all : [])
				.filter((info) => info && typeof info.dn === 'string' && matches(filter, info.dn, info.type))
				.map((info) => ({ name: `${String(info.dn)} (${DN_TYPE_WORDS[String(info.type)] ?? String(info.type)})`, value: String(info.dn) })),
		};
	},
	/** The devices of the chosen DN. */
	async searchCallControlDevices(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		const dn = encodeURIComponent(currentDn(this));
		const devices = await xapiJson<IDataObject[]>(this, { method: 'GET', api: 'callcontrol', path: `/${dn}/devices` });
		return {
			results: (Array.isArray(devices) ? devices : [])
				.filter((device) => device && matches(filter, device.device_id, device.user_agent))
				.map((device) => ({ name: `${String(device.user_agent || 'Device')} (${String(device.device_id)})`, value: String(device.device_id) })),
		};
	},
	/** The participants of the chosen DN's current calls. */
	async searchCallControlParticipants(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		const dn = encodeURIComponent(currentDn(this));
		const participants = await xapiJson<IDataObject[]>(this, { method: 'GET', api: 'callcontrol', path: `/${dn}/participants` });
		return {
			results: (Array.isArray(participants) ? participants : [])
				.filter((p) => p && matches(filter, p.id, p.party_caller_id, p.party_caller_name))
				.map((p) => ({
					name: `${String(p.id)}: ${String(p.status)} ${String(p.party_caller_name || p.party_caller_id || p.party_dn || '')}`.trim(),
					value: String(p.id),
				})),
		};
	},
};
