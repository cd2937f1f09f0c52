/* Types for simulator/call-control.js: 3CX's Call Control API, simulated. */
export interface Device {
	dn: string;
	device_id: string;
	user_agent: string;
}
export interface Participant {
	id: number;
	status: string;
	dn: string;
	party_caller_name: string;
	party_dn: string;
	party_caller_id: string;
	party_did: string;
	device_id: string;
	party_dn_type: string;
	direct_control: boolean;
	originated_by_dn: string;
	originated_by_type: string;
	referred_by_dn: string;
	referred_by_type: string;
	on_behalf_of_dn: string;
	on_behalf_of_type: string;
	callid: number;
	legid: number;
}
export interface Dn {
	dn: string;
	type: string;
	name: string;
	devices: Device[];
	participants: Map<number, Participant>;
}
export interface WsEvent {
	sequence: number;
	event: { event_type: number; entity: string; attached_data: Record<string, unknown> | null };
	/** When the simulator sent it (ms since the epoch; not on the wire). */
	at?: number;
}
export interface CallScript {
	/** answered (default), queue (queue 800 rings agent 100, who answers), unanswered, transferred (to 101), dtmf (route point 900, caller presses `digits`), held (stays connected). */
	scenario?: 'answered' | 'queue' | 'unanswered' | 'transferred' | 'dtmf' | 'held';
	from?: string;
	name?: string;
	did?: string;
	to?: string;
	agent?: string;
	transferTo?: string;
	digits?: string;
	ringMs?: number;
	talkMs?: number;
}
export declare class CallControl {
	options: { closeOnRevoke: boolean; stepMs: number };
	dns: Map<string, Dn>;
	/** Every WebSocket message sent, in order. */
	sent: WsEvent[];
	/** Every POST (makecall, participant actions) with its status. */
	actions: Array<{ method: string; path: string; body: unknown; status: number; at: number }>;
	/** Data attached to participants (attach_participant_data). */
	attached: Map<number, Record<string, unknown>>;
	clients: Set<unknown>;
	refuseUntil: number;
	reset(): void;
	close(): void;
	placeCall(script: CallScript): { callid: number; participants: number[] };
	addParticipant(dn: string, fields: Partial<Participant>): Participant;
	setStatus(participant: Participant, status: string): void;
	remove(participant: Participant): void;
	find(id: number): Participant | undefined;
	endCall(callid: number): void;
	dtmf(participant: Participant, digits: string): void;
	publish(type: number, entity: string, attached?: Record<string, unknown> | null): void;
	tokensChanged(): void;
}
export declare const WS_PATH: string;
export declare const CALLCONTROL_PREFIX: string;
export declare function defaultDns(): Map<string, Dn>;
