/**
 * What the live-call trigger makes of 3CX's Call Control changes: one item per change of a
 * participant (a DN's leg of a call), each change once.
 *
 * 3CX's socket says only WHICH participant changed (`event_type` 0 upsert, 1 remove, 2 DTMF, with
 * the entity `/callcontrol/{dn}/participants/{id}`); its state comes from `GET` of that entity, and
 * the state of everything from `GET /callcontrol` (3cx/call-control-examples). A participant's
 * status goes Dialing (the DN calls out) or Ringing (a call reaches the DN), then Connected; when
 * it leaves, it is removed. So:
 *   first seen Ringing/Dialing -> Call Ringing; first Connected -> Call Answered; removed -> Call
 *   Ended (answered or not, ringing and talking seconds as this trigger saw them); DTMF -> DTMF
 *   Received; any other change -> Participant Updated ("Any Change" emits every one of them).
 * A state read (after a reconnect, or while the socket is unusable) finds what the socket missed;
 * those items say `seenLate: true`. 3CX sends no timestamps: times are when this trigger saw the
 * change, and no field says who hung up (3CX's events do not tell).
 *
 * No I/O here (the listener does it), so every rule is unit-testable.
 */
import type { IDataObject } from 'n8n-workflow';

export type LiveEvent = 'callRinging' | 'callAnswered' | 'callEnded' | 'dtmfReceived' | 'participantUpdated';
export type Direction = 'inbound' | 'outbound' | 'internal';

/** One DN as `GET /callcontrol` lists it. */
export interface DnInfo {
	dn?: string | null;
	type?: string | null;
	devices?: IDataObject[] | null;
	participants?: IDataObject[] | null;
}

/** 3CX's DN types (Call Control `type`) in words; unknown ones pass as they are. */
const DN_TYPES: Record<string, string> = {
	Wextension: 'extension',
	Wqueue: 'queue',
	Wivr: 'ivr',
	Wroutepoint: 'routePoint',
	Wringgroup: 'ringGroup',
};

export function dnTypeName(type: unknown): string {
	const raw = typeof type === 'string' ? type : '';
	return DN_TYPES[raw] ?? raw;
}

interface Tracked {
	dn: string;
	participant: IDataObject;
	direction: Direction;
	startedAt: number;
	answeredAt?: number;
	status: string;
}

export interface Change {
	event: LiveEvent;
	item: IDataObject;
}

export interface Filters {
	/** DN numbers to report; empty: every DN the API client sees. */
	dns: Set<string>;
	direction: 'any' | Direction;
	events: Set<LiveEvent>;
}

const keyOf = (dn: string, id: unknown) => `${dn}/${String(id)}`;
const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const seconds = (from: number | undefined, to: number | undefined) =>
	from === undefined || to === undefined ? null : Math.max(0, Math.round((to - from) / 100) / 10);

/** The participant entity a socket event names: `/callcontrol/{dn}/participants/{id}`. */
export function participantEntity(entity: unknown): { dn: string; id: string } | undefined {
	const match = /^\/callcontrol\/([^/]+)\/participants\/([^/]+)$/.exec(text(entity));
	if (!match) return undefined;
	try {
		return { dn: decodeURIComponent(match[1]), id: decodeURIComponent(match[2]) };
	} catch {
		return undefined;
	}
}

function directionOf(participant: IDataObject, status: string): Direction {
	if (text(participant.party_dn_type) === 'Wextension') return 'internal';
	return status === 'Dialing' ? 'outbound' : 'inbound';
}

export class CallTracker {
	private readonly known = new Map<string, Tracked>();
	private readonly dnTypes = new Map<string, string>();

	constructor(private readonly now: () => number = Date.now) {}

	get size(): number {
		return this.known.size;
	}

	/** DN numbers and types from a state read. */
	dns(): Array<{ dn: string; type: string }> {
		return [...this.dnTypes].map(([dn, type]) => ({ dn, type }));
	}

	/**
	 * A full state read. `baseline`: the first one (activation): calls in progress are remembered,
	 * not reported. Otherwise what changed since is reported, marked seen late.
	 */
	reconcile(full: DnInfo[], baseline: boolean): Change[] {
		const changes: Change[] = [];
		const present = new Set<string>();
		for (const info of Array.isArray(full) ? full : []) {
			const dn = text(info?.dn);
			if (!dn) continue;
			this.dnTypes.set(dn, text(info.type));
			for (const participant of info.participants ?? []) {
				if (!participant || participant.id === undefined || participant.id === null) continue;
				present.add(keyOf(dn, participant.id));
				if (baseline) this.remember(dn, participant);
				else changes.push(...this.upsert(dn, participant, { seenLate: true }));
			}
		}
		if (!baseline) {
			for (const [key, tracked] of [...this.known]) {
				if (!present.has(key)) changes.push(...this.remove(tracked.dn, tracked.participant.id, { seenLate: true }));
			}
		}
		return changes;
	}

	private remember(dn: string, participant: IDataObject): Tracked {
		const status = text(participant.status);
		const at = this.now();
		const tracked: Tracked = {
			dn,
			participant,
			status,
			direction: directionOf(participant, status),
			startedAt: at,
			answeredAt: status === 'Connected' ? at : undefined,
		};
		this.known.set(keyOf(dn, participant.id), tracked);
		return tracked;
	}

	/** A participant's new state (from GET of the entity an upsert event named, or a state read). */
	upsert(dn: string, participant: IDataObject, meta: { seenLate?: boolean; sequence?: number } = {}): Change[] {
		const key = keyOf(dn, participant.id);
		const before = this.known.get(key);
		const status = text(participant.status);
		if (!before) {
			const tracked = this.remember(dn, participant);
			if (status === 'Connected') return [this.change('callAnswered', tracked, meta)];
			if (status === 'Ringing' || status === 'Dialing') return [this.change('callRinging', tracked, meta)];
			return [this.change('participantUpdated', tracked, meta)];
		}
		const changed = JSON.stringify(before.participant) !== JSON.stringify(participant);
		before.participant = participant;
		const previous = before.status;
		before.status = status;
		if (status === 'Connected' && before.answeredAt === undefined) {
			before.answeredAt = this.now();
			return [this.change('callAnswered', before, meta)];
		}
		if (!changed && previous === status) return []; // the same state again: nothing to report
		return [this.change('participantUpdated', before, meta)];
	}

	/** A participant left (remove event, or missing from a state read). */
	remove(dn: string, id: unknown, meta: { seenLate?: boolean; sequence?: number } = {}): Change[] {
		const key = keyOf(dn, id);
		const tracked = this.known.get(key);
		if (!tracked) return []; // never seen: nothing known to report about it
		this.known.delete(key);
		return [this.change('callEnded', tracked, meta, this.now())];
	}

	/**
	 * A participant that was gone before its state could be read (the GET its upsert event called
	 * for answered 404): its Call Ended says only what the event said, so it is not lost silently.
	 */
	vanished(dn: string, id: unknown, meta: { sequence?: number } = {}): Change[] {
		const at = this.now();
		const numeric = Number(id);
		const tracked: Tracked = { dn, participant: { id: Number.isFinite(numeric) ? numeric : String(id) }, status: '', direction: 'inbound', startedAt: at };
		const change = this.change('callEnded', tracked, meta, at);
		Object.assign(change.item, { direction: null, startedAt: null, answered: null, ringingSeconds: null, talkingSeconds: null });
		return [change];
	}

	/** Digits a participant pressed (DTMF event: `attached_data.dtmf_input`). */
	dtmf(dn: string, id: unknown, digits: string, meta: { sequence?: number } = {}): Change[] {
		const tracked = this.known.get(keyOf(dn, id));
		if (!tracked) return [];
		const change = this.change('dtmfReceived', tracked, meta);
		change.item.dtmf = digits;
		return [change];
	}

	private change(event: LiveEvent, tracked: Tracked, meta: { seenLate?: boolean; sequence?: number }, endedAt?: number): Change {
		const p = tracked.participant;
		const at = endedAt ?? this.now();
		const item: IDataObject = {
			event,
			callId: p.callid ?? null,
			legId: p.legid ?? null,
			participantId: p.id ?? null,
			dn: tracked.dn,
			dnType: dnTypeName(this.dnTypes.get(tracked.dn)),
			status: event === 'callEnded' ? 'Ended' : text(p.status),
			direction: tracked.direction,
			callerNumber: text(p.party_caller_id),
			callerName: text(p.party_caller_name),
			did: text(p.party_did),
			partyDn: text(p.party_dn),
			partyDnType: dnTypeName(p.party_dn_type),
			deviceId: text(p.device_id),
			timestamp: new Date(at).toISOString(),
			startedAt: iso(tracked.startedAt),
			answeredAt: iso(tracked.answeredAt),
			seenLate: meta.seenLate === true,
			sequence: meta.sequence ?? null,
		};
		if (event === 'callEnded') {
			item.endedAt = iso(at);
			item.answered = tracked.answeredAt !== undefined;
			item.ringingSeconds = seconds(tracked.startedAt, tracked.answeredAt ?? at);
			item.talkingSeconds = tracked.answeredAt === undefined ? 0 : seconds(tracked.answeredAt, at);
		}
		item.participant = { ...p };
		return { event, item };
	}
}

/** Whether the user asked for this item. */
export function wanted(change: Change, filters: Filters): boolean {
	if (!filters.events.has(change.event)) return false;
	if (filters.dns.size && !filters.dns.has(String(change.item.dn))) return false;
	if (filters.direction !== 'any' && change.item.direction !== filters.direction) return false;
	return true;
}
