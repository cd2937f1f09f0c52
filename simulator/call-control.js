// @ts-check
'use strict';
/**
 * 3CX's Call Control API, simulated: `/callcontrol` REST and the `/callcontrol/ws` WebSocket, wired
 * into the one simulator (index.js) with a few lines. Built from 3CX's own reference client,
 * github.com/3cx/call-control-examples (server/src: types.ts, constants.ts, utils.ts,
 * services/ExternalApi.service.ts, services/*App.service.ts) and 3CX's endpoint page
 * (www.3cx.com/docs/call-control-api-endpoints/), not from this package's code:
 *
 * - `GET /callcontrol`: `[{dn, type, devices[], participants[]}]` for every DN the API client sees
 *   (types 'Wextension', 'Wqueue', 'Wivr', 'Wroutepoint' as the examples look them up);
 *   `GET /callcontrol/{dn}`, `/{dn}/devices[/{id}]`, `/{dn}/participants[/{id}]`.
 * - Participant: {id, status, dn, party_caller_name, party_dn, party_caller_id, party_did, device_id,
 *   party_dn_type, direct_control, originated_by_dn, originated_by_type, referred_by_dn,
 *   referred_by_type, on_behalf_of_dn, on_behalf_of_type, callid, legid} (endpoint page); statuses
 *   Dialing, Ringing, Connected; a participant that leaves is removed (no "Disconnected" state seen).
 * - `POST /callcontrol/{dn}/makecall` and `/{dn}/devices/{deviceId}/makecall` (device id URL-encoded)
 *   with `{destination}`; `POST /callcontrol/{dn}/participants/{id}/{action}`, actions drop, answer,
 *   divert, routeto, transferto, attach_participant_data (constants.ts), body `{destination}` (the
 *   example) plus `reason`, `timeout`, `attacheddata` (types.ts CallControlRequest; third-party
 *   guides spell them in lower case). Answer: CallControlResultResponse {finalstatus, reason, result,
 *   reasontext} (types.ts; CallRequestStatus Failed -1, Rejected 0, Success 1).
 * - WebSocket: Bearer token on the handshake (ExternalApi.service.ts createWs); the client sends
 *   nothing; each change is `{sequence, event: {event_type, entity, attached_data}}` (types.ts
 *   WSEvent), event_type 0 upsert (the client GETs the entity), 1 remove, 2 DTMF string
 *   (`attached_data.dtmf_input`), 3 prompt playback finished (EventType enum).
 *
 * Not documented, so selectable here: whether a new token closes an open socket
 * (`closeOnRevoke`), and HTTP status codes of refused actions (400 for a wrong state, 404 unknown).
 *
 * Control (loopback, under /__sim/callcontrol/): POST calls {scenario, ...} places a scripted call,
 * POST drop-sockets[?refuseMs=] closes every socket (and refuses new ones for a while), POST
 * configure {closeOnRevoke, stepMs}, GET state, GET events (what was sent).
 */
/** @typedef {{ dn: string, device_id: string, user_agent: string }} Device */
/**
 * @typedef {{
 *   id: number, status: string, dn: string, party_caller_name: string, party_dn: string,
 *   party_caller_id: string, party_did: string, device_id: string, party_dn_type: string,
 *   direct_control: boolean, originated_by_dn: string, originated_by_type: string,
 *   referred_by_dn: string, referred_by_type: string, on_behalf_of_dn: string,
 *   on_behalf_of_type: string, callid: number, legid: number
 * }} Participant
 */
/** @typedef {{ dn: string, type: string, name: string, devices: Device[], participants: Map<number, Participant> }} Dn */
/** @typedef {{ sequence: number, event: { event_type: number, entity: string, attached_data: Record<string, unknown> | null }, at?: number }} WsEvent */
/** @typedef {{ status: number, headers?: Record<string, string>, body?: unknown }} SimResponse */
/** @typedef {{ method: string, rawPath: string, path: string, token?: string, json?: any, query: Record<string, any> }} SimRequest */
/**
 * @typedef {{
 *   scenario?: 'answered' | 'queue' | 'unanswered' | 'transferred' | 'dtmf' | 'held',
 *   from?: string, name?: string, did?: string, to?: string, agent?: string, transferTo?: string,
 *   digits?: string, ringMs?: number, talkMs?: number
 * }} CallScript
 */

const PREFIX = '/callcontrol';
const WS_PATH = '/callcontrol/ws';

/** The DNs an API client with route point 900 and a few monitored extensions would see. */
function defaultDns() {
	/** @type {Array<[string, string, string, number]>} dn, type, name, devices */
	const list = [
		['100', 'Wextension', 'Alice Agent', 2],
		['101', 'Wextension', 'Bob Agent', 1],
		['102', 'Wextension', 'Carol Manager', 1],
		['800', 'Wqueue', 'Sales Queue', 0],
		['801', 'Wivr', 'Main Menu', 0],
		['900', 'Wroutepoint', 'n8n Route Point', 0],
	];
	/** @type {Map<string, Dn>} */
	const dns = new Map();
	for (const [dn, type, name, deviceCount] of list) {
		const agents = ['Yealink SIP-T46U 66.86.0.15', '3CX Web Client 20.0.10'];
		const devices = Array.from({ length: deviceCount }, (_, i) => ({
			dn,
			device_id: i === 1 ? `sip:${dn}@127.0.0.1:5062;rinstance=webclient${dn}` : `sip:${dn}@127.0.0.1:5060;rinstance=desk${dn}`,
			user_agent: agents[i] ?? 'Generic SIP',
		}));
		dns.set(dn, { dn, type, name, devices, participants: new Map() });
	}
	return dns;
}

class CallControl {
	/**
	 * @param {{ isTokenValid(token: string | undefined): boolean, requests: any[], seq: number }} server the XapiServer
	 */
	constructor(server) {
		this.server = server;
		/** @type {import('ws').WebSocketServer | undefined} */
		this.wss = undefined;
		/** @type {Set<import('ws').WebSocket & { token?: string }>} */
		this.clients = new Set();
		this.options = { closeOnRevoke: false, stepMs: 200 };
		/** @type {Set<NodeJS.Timeout>} */
		this.timers = new Set();
		/** @type {Map<string, Dn>} */
		this.dns = defaultDns();
		this.sequence = 0;
		this.nextParticipant = 1;
		this.nextCall = 1000;
		this.nextLeg = 1;
		/** @type {WsEvent[]} */
		this.sent = [];
		/** @type {Array<{ method: string, path: string, body: unknown, status: number, at: number }>} */
		this.actions = [];
		this.refuseUntil = 0;
		/** @type {Map<number, Record<string, unknown>>} */
		this.attached = new Map();
	}

	/** Back to the default DNs, no calls, no events; open sockets are closed. */
	reset() {
		this.clearTimers();
		this.dns = defaultDns();
		this.sequence = 0;
		this.nextParticipant = 1;
		this.nextCall = 1000;
		this.nextLeg = 1;
		this.sent = [];
		this.actions = [];
		this.refuseUntil = 0;
		this.attached = new Map();
		this.options = { closeOnRevoke: false, stepMs: 200 };
		for (const client of this.clients) client.terminate();
		this.clients.clear(); // terminated sockets report 'close' a moment later
	}

	clearTimers() {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
	}

	/** @param {() => void} fn @param {number} ms */
	later(fn, ms) {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			fn();
		}, ms);
		this.timers.add(timer);
	}

	/* ---------------- the WebSocket ---------------- */

	/** @param {import('node:http').Server} httpServer */
	attach(httpServer) {
		const { WebSocketServer } = require('ws');
		this.wss = new WebSocketServer({ noServer: true });
		httpServer.on('upgrade', (req, socket, head) => {
			const url = String(req.url || '').split('?')[0];
			const refuse = (/** @type {number} */ status, /** @type {string} */ text) => {
				socket.write(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
				socket.destroy();
			};
			if (url !== WS_PATH) return refuse(404, 'Not Found');
			const match = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization || '').trim());
			const token = match ? match[1] : undefined;
			// recorded in the simulator's one record format (records.js reads every field)
			this.server.seq += 1;
			this.server.requests.push({
				seq: this.server.seq,
				kind: 'callcontrol-ws',
				method: 'GET',
				url: String(req.url || ''),
				path: WS_PATH,
				rawPath: WS_PATH,
				rawQuery: '',
				query: {},
				token,
				time: Date.now(),
				headers: { ...req.headers },
				body: Buffer.alloc(0),
				bodyText: '',
				specProblems: [],
			});
			if (!this.server.isTokenValid(token)) return refuse(401, 'Unauthorized');
			if (Date.now() < this.refuseUntil) return refuse(503, 'Service Unavailable');
			const wss = /** @type {import('ws').WebSocketServer} */ (this.wss);
			wss.handleUpgrade(req, socket, head, (ws) => {
				const client = /** @type {import('ws').WebSocket & { token?: string }} */ (ws);
				client.token = token;
				this.clients.add(client);
				client.on('close', () => this.clients.delete(client));
				client.on('error', () => this.clients.delete(client));
			});
		});
	}

	close() {
		this.clearTimers();
		for (const client of this.clients) client.terminate();
		this.clients.clear();
		if (this.wss) this.wss.close();
	}

	/** Tokens changed (a new one revoked the old, or all were revoked): maybe close their sockets. */
	tokensChanged() {
		if (!this.options.closeOnRevoke) return;
		for (const client of this.clients) {
			if (!this.server.isTokenValid(client.token)) client.close(1008, 'token revoked');
		}
	}

	/**
	 * @param {number} type 0 upsert, 1 remove, 2 DTMF, 3 prompt playback finished
	 * @param {string} entity
	 * @param {Record<string, unknown> | null} [attached]
	 */
	publish(type, entity, attached = null) {
		this.sequence += 1;
		/** @type {WsEvent} */
		const message = { sequence: this.sequence, event: { event_type: type, entity, attached_data: attached } };
		const text = JSON.stringify(message);
		this.sent.push({ ...message, at: Date.now() }); // `at`: when it was sent (not on the wire)
		for (const client of this.clients) if (client.readyState === 1) client.send(text);
	}

	/* ---------------- participants ---------------- */

	/**
	 * @param {string} dn
	 * @param {Partial<Participant>} fields
	 * @returns {Participant}
	 */
	addParticipant(dn, fields) {
		const owner = this.dns.get(dn);
		if (!owner) throw new Error(`unknown DN ${dn}`);
		/** @type {Participant} */
		const participant = {
			id: this.nextParticipant++,
			status: 'Ringing',
			dn,
			party_caller_name: '',
			party_dn: '',
			party_caller_id: '',
			party_did: '',
			device_id: owner.devices[0]?.device_id ?? '',
			party_dn_type: 'Wexternalline',
			direct_control: owner.type === 'Wroutepoint',
			originated_by_dn: '',
			originated_by_type: '',
			referred_by_dn: '',
			referred_by_type: '',
			on_behalf_of_dn: '',
			on_behalf_of_type: '',
			callid: this.nextCall,
			legid: this.nextLeg++,
			...fields,
		};
		owner.participants.set(participant.id, participant);
		this.publish(0, `${PREFIX}/${dn}/participants/${participant.id}`);
		return participant;
	}

	/** @param {Participant} participant @param {string} status */
	setStatus(participant, status) {
		if (!this.find(participant.id)) return;
		participant.status = status;
		this.publish(0, `${PREFIX}/${participant.dn}/participants/${participant.id}`);
	}

	/** @param {Participant} participant */
	remove(participant) {
		const owner = this.dns.get(participant.dn);
		if (!owner || !owner.participants.delete(participant.id)) return;
		this.publish(1, `${PREFIX}/${participant.dn}/participants/${participant.id}`);
	}

	/** @param {number} id @returns {Participant | undefined} */
	find(id) {
		for (const owner of this.dns.values()) {
			const found = owner.participants.get(id);
			if (found) return found;
		}
		return undefined;
	}

	/** @param {number} callid */
	endCall(callid) {
		for (const owner of this.dns.values()) {
			for (const participant of [...owner.participants.values()]) if (participant.callid === callid) this.remove(participant);
		}
	}

	/** @param {Participant} participant @param {string} digits */
	dtmf(participant, digits) {
		if (!this.find(participant.id)) return;
		this.publish(2, `${PREFIX}/${participant.dn}/participants/${participant.id}`, { dtmf_input: digits });
	}

	/** The participant's fields as a copy (what GET answers). @param {Participant} participant */
	view(participant) {
		return { ...participant };
	}

	/** @param {Dn} owner */
	dnView(owner) {
		return {
			dn: owner.dn,
			type: owner.type,
			devices: owner.devices.map((device) => ({ ...device })),
			participants: [...owner.participants.values()].map((participant) => this.view(participant)),
		};
	}

	/* ---------------- scripted calls ---------------- */

	/**
	 * Places a scripted call; answers what it will do. Steps are `stepMs` apart (ringMs/talkMs override).
	 * @param {CallScript} script
	 */
	placeCall(script) {
		const scenario = script.scenario ?? 'answered';
		const step = this.options.stepMs;
		const ringMs = script.ringMs ?? step * 2;
		const talkMs = script.talkMs ?? step * 3;
		const caller = {
			party_caller_id: script.from ?? '+4930123456',
			party_caller_name: script.name ?? 'ACME Corp',
			party_dn: script.from ?? '+4930123456',
			party_did: script.did ?? '+4930555000',
			party_dn_type: 'Wexternalline',
		};
		this.nextCall += 1;
		const callid = this.nextCall;
		const to = script.to ?? (scenario === 'queue' ? '800' : scenario === 'dtmf' ? '900' : '100');
		if (!this.dns.has(to)) throw new Error(`unknown DN ${to}`);
		const first = this.addParticipant(to, { ...caller, callid, status: 'Ringing' });
		if (scenario === 'unanswered') {
			this.later(() => this.remove(first), ringMs);
			return { callid, participants: [first.id] };
		}
		if (scenario === 'queue') {
			// the queue holds the caller and rings an agent, who answers; the queue leg goes away
			const agent = script.agent ?? '100';
			this.later(() => {
				this.setStatus(first, 'Connected');
				this.later(() => {
					const leg = this.addParticipant(agent, { ...caller, callid, status: 'Ringing', on_behalf_of_dn: to, on_behalf_of_type: 'Wqueue' });
					this.later(() => {
						this.remove(first);
						this.setStatus(leg, 'Connected');
						this.later(() => this.remove(leg), talkMs);
					}, ringMs);
				}, step);
			}, step);
			return { callid, participants: [first.id] };
		}
		this.later(() => {
			if (!this.find(first.id) || first.status !== 'Ringing') return; // answered, diverted or dropped meanwhile
			this.setStatus(first, 'Connected');
			if (scenario === 'dtmf') {
				const digits = String(script.digits ?? '1');
				let at = step;
				for (const digit of digits) {
					this.later(() => this.dtmf(first, digit), at);
					at += step;
				}
				this.later(() => this.remove(first), at + talkMs);
				return;
			}
			if (scenario === 'transferred') {
				const target = script.transferTo ?? '101';
				this.later(() => this.transfer(first, target), talkMs);
				return;
			}
			if (scenario === 'held') return; // stays connected until dropped
			this.later(() => this.remove(first), talkMs);
		}, ringMs);
		return { callid, participants: [first.id] };
	}

	/**
	 * The participant leaves; a new leg of the same call rings at `destination`, is answered, ends.
	 * @param {Participant} participant @param {string} destination
	 */
	transfer(participant, destination) {
		if (!this.find(participant.id)) return undefined;
		const step = this.options.stepMs;
		const { callid } = participant;
		const fields = {
			party_caller_id: participant.party_caller_id,
			party_caller_name: participant.party_caller_name,
			party_dn: participant.party_dn,
			party_did: participant.party_did,
			party_dn_type: participant.party_dn_type,
			referred_by_dn: participant.dn,
			referred_by_type: this.dns.get(participant.dn)?.type ?? '',
		};
		this.remove(participant);
		if (!this.dns.has(destination)) return undefined; // an outside number: the leg leaves the PBX's monitored DNs
		const leg = this.addParticipant(destination, { ...fields, callid, status: 'Ringing' });
		this.later(() => {
			this.setStatus(leg, 'Connected');
			this.later(() => this.remove(leg), step * 2);
		}, step * 2);
		return leg;
	}

	/* ---------------- REST ---------------- */

	/** @param {string} rawPath */
	handles(rawPath) {
		return rawPath === PREFIX || rawPath.startsWith(PREFIX + '/');
	}

	/**
	 * @param {SimRequest} req
	 * @returns {SimResponse}
	 */
	response(req) {
		if (!this.server.isTokenValid(req.token)) {
			return { status: 401, headers: { 'www-authenticate': req.token ? 'Bearer error="invalid_token"' : 'Bearer' } };
		}
		const json = (/** @type {unknown} */ body, status = 200) => ({ status, headers: { 'content-type': 'application/json; charset=utf-8' }, body });
		const notFound = () => json({ error: 'Not Found' }, 404);
		const parts = req.rawPath.slice(PREFIX.length).split('/').filter(Boolean).map((part) => decodeURIComponent(part));
		if (req.method === 'GET') {
			if (parts.length === 0) return json([...this.dns.values()].map((owner) => this.dnView(owner)));
			const owner = this.dns.get(parts[0]);
			if (!owner) return notFound();
			if (parts.length === 1) return json(this.dnView(owner));
			if (parts[1] === 'devices') {
				if (parts.length === 2) return json(owner.devices.map((device) => ({ ...device })));
				const device = owner.devices.find((d) => d.device_id === parts[2]);
				return parts.length === 3 && device ? json({ ...device }) : notFound();
			}
			if (parts[1] === 'participants') {
				if (parts.length === 2) return json([...owner.participants.values()].map((p) => this.view(p)));
				const participant = owner.participants.get(Number(parts[2]));
				return parts.length === 3 && participant ? json(this.view(participant)) : notFound();
			}
			return notFound();
		}
		if (req.method !== 'POST') return json({ error: 'Method Not Allowed' }, 405);
		const body = req.json && typeof req.json === 'object' ? req.json : {};
		const result = (/** @type {Participant | undefined} */ participant, status = 200) => {
			const answer = { finalstatus: 1, reason: 'None', result: participant ? this.view(participant) : null, reasontext: null };
			this.actions.push({ method: req.method, path: req.rawPath, body, status, at: Date.now() });
			return json(answer, status);
		};
		const refuse = (/** @type {number} */ status, /** @type {string} */ reasontext) => {
			this.actions.push({ method: req.method, path: req.rawPath, body, status, at: Date.now() });
			return json({ finalstatus: -1, reason: 'Failed', result: null, reasontext }, status);
		};
		const owner = this.dns.get(parts[0] ?? '');
		if (!owner) return refuse(404, `DN ${parts[0]} is not monitored by this application`);
		const makecall = (parts.length === 2 && parts[1] === 'makecall') || (parts.length === 4 && parts[1] === 'devices' && parts[3] === 'makecall');
		if (makecall) {
			const destination = typeof body.destination === 'string' ? body.destination.trim() : '';
			if (!destination) return refuse(400, 'destination is required');
			let deviceId = owner.devices[0]?.device_id ?? '';
			if (parts.length === 4) {
				const device = owner.devices.find((d) => d.device_id === parts[2]);
				if (!device) return refuse(404, `device ${parts[2]} is not registered for DN ${owner.dn}`);
				deviceId = device.device_id;
			}
			this.nextCall += 1;
			const callid = this.nextCall;
			const target = this.dns.get(destination);
			const leg = this.addParticipant(owner.dn, {
				status: 'Dialing',
				callid,
				device_id: deviceId,
				party_dn: destination,
				party_caller_id: destination,
				party_caller_name: target?.name ?? '',
				party_dn_type: target?.type ?? 'Wexternalline',
				originated_by_dn: owner.dn,
				originated_by_type: owner.type,
			});
			const step = this.options.stepMs;
			if (target) {
				const other = this.addParticipant(target.dn, {
					status: 'Ringing',
					callid,
					party_dn: owner.dn,
					party_caller_id: owner.dn,
					party_caller_name: owner.name,
					party_dn_type: owner.type,
					originated_by_dn: owner.dn,
					originated_by_type: owner.type,
				});
				this.later(() => {
					if (!this.find(other.id) || other.status !== 'Ringing') return;
					this.setStatus(other, 'Connected');
					this.setStatus(leg, 'Connected');
				}, step * 2);
			} else {
				this.later(() => this.setStatus(leg, 'Connected'), step * 2);
			}
			return result(leg);
		}
		if (parts.length !== 4 || parts[1] !== 'participants') return refuse(404, 'unknown Call Control path');
		const participant = owner.participants.get(Number(parts[2]));
		if (!participant) return refuse(404, `participant ${parts[2]} of DN ${owner.dn} does not exist (any more)`);
		const action = parts[3];
		const destination = typeof body.destination === 'string' ? body.destination.trim() : '';
		switch (action) {
			case 'drop':
				this.endCall(participant.callid);
				return result(participant);
			case 'answer':
				if (participant.status !== 'Ringing') return refuse(400, `participant ${participant.id} is ${participant.status}, not Ringing`);
				this.setStatus(participant, 'Connected');
				return result(participant);
			case 'divert':
			case 'routeto': {
				if (!destination) return refuse(400, 'destination is required');
				if (action === 'divert' && participant.status !== 'Ringing') return refuse(400, `participant ${participant.id} is ${participant.status}: only a ringing call can be diverted`);
				const leg = this.transfer(participant, destination);
				return result(leg ?? participant);
			}
			case 'transferto': {
				if (!destination) return refuse(400, 'destination is required');
				if (participant.status !== 'Connected') return refuse(400, `participant ${participant.id} is ${participant.status}: only a connected call can be transferred`);
				const leg = this.transfer(participant, destination);
				return result(leg ?? participant);
			}
			case 'attach_participant_data': {
				const data = body.attacheddata;
				if (!data || typeof data !== 'object' || Array.isArray(data)) return refuse(400, 'attacheddata must be an object');
				this.attached.set(participant.id, { ...(this.attached.get(participant.id) ?? {}), ...data });
				return result(participant);
			}
			default:
				return refuse(404, `unknown action ${action}`);
		}
	}

	/* ---------------- control ---------------- */

	/**
	 * `/__sim/callcontrol/<sub>`.
	 * @param {string} sub
	 * @param {SimRequest} req
	 * @returns {SimResponse}
	 */
	control(sub, req) {
		const json = (/** @type {unknown} */ body, status = 200) => ({ status, headers: { 'content-type': 'application/json' }, body });
		const body = req.json && typeof req.json === 'object' ? req.json : {};
		if (sub === 'calls' && req.method === 'POST') {
			try {
				return json(this.placeCall(body), 201);
			} catch (error) {
				return json({ error: /** @type {Error} */ (error).message }, 400);
			}
		}
		if (sub === 'drop-sockets' && req.method === 'POST') {
			const refuseMs = Number(req.query.refuseMs ?? body.refuseMs ?? 0);
			this.refuseUntil = refuseMs > 0 ? Date.now() + refuseMs : 0;
			const dropped = this.clients.size;
			for (const client of this.clients) client.terminate();
			this.clients.clear();
			return json({ dropped });
		}
		if (sub === 'configure' && req.method === 'POST') {
			if (typeof body.closeOnRevoke === 'boolean') this.options.closeOnRevoke = body.closeOnRevoke;
			if (typeof body.stepMs === 'number' && body.stepMs > 0) this.options.stepMs = body.stepMs;
			return json({ options: this.options });
		}
		if (sub === 'state') return json([...this.dns.values()].map((owner) => this.dnView(owner)));
		if (sub === 'events') return json({ sockets: this.clients.size, sent: this.sent, actions: this.actions });
		return json({ error: `unknown control callcontrol/${sub}` }, 404);
	}
}

module.exports = { CallControl, WS_PATH, CALLCONTROL_PREFIX: PREFIX, defaultDns };
