/**
 * The live-call trigger's connection to 3CX's Call Control API: one WebSocket per active workflow
 * (n8n runs triggers on the main instance only, executions go to workers in queue mode).
 *
 * - Every (re)connect first reads the full state (`GET /callcontrol`) through the package's one
 *   client, with its token discipline: that read renews an expired token once, or takes the token
 *   another node stored after revoking ours (3CX keeps one valid token per client), and never
 *   fetches in a loop. The socket then opens with the token that read was signed with.
 * - The first read is the baseline (calls already in progress are not reported); later reads
 *   report what the socket missed meanwhile (`seenLate`), so no call is reported twice and a call
 *   that ended while the socket was down still yields its Call Ended.
 * - Keep-alive: Node's WebSocket cannot send pings, so the state is read again every
 *   CHECK_INTERVAL_MS; that catches anything a silently dead socket lost.
 * - A socket that closes (3CX restarting, a new token closing it, a network drop) is reopened
 *   after a back-off (1 s doubling to 30 s). When the state read keeps failing (MAX_FAILURES in a
 *   row), emitError: n8n runs the error workflow and re-activates the workflow with its back-off.
 *   When only the socket keeps failing (state reads work: e.g. a certificate Node's WebSocket does
 *   not trust while Ignore SSL Issues lets the REST calls through), the trigger keeps going on
 *   state reads every DEGRADED_INTERVAL_MS (items marked seenLate, no DTMF) and retries the socket
 *   every SOCKET_RETRY_MS, and says so in n8n's log.
 * - close() closes the socket and ends the loop; its sleeps are short slices, so nothing is left
 *   running a moment later.
 */
import { NodeOperationError, sleep, type IDataObject, type ITriggerFunctions } from 'n8n-workflow';

import { connectionTarget, xapiJson } from '../client';
import { CallTracker, participantEntity, wanted, type Change, type DnInfo, type Filters } from './calls';

export const CHECK_INTERVAL_MS = 60_000;
export const DEGRADED_INTERVAL_MS = 3_000;
export const SOCKET_RETRY_MS = 5 * 60_000;
export const MAX_FAILURES = 5;
const MAX_BACKOFF_MS = 30_000;
const SOCKET_FAILURES_BEFORE_DEGRADED = 3;
/** A socket that closes sooner than this after opening counts as a failed connection. */
const SHORT_LIVED_MS = 5_000;
const SLICE_MS = 200;

/** The parts of the standard WebSocket API this trigger uses (Node 22+ global, undici). */
interface SocketLike {
	readonly readyState: number;
	close(code?: number, reason?: string): void;
	addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: { data?: unknown; code?: number }) => void): void;
}
type SocketConstructor = new (url: string, init?: { headers?: Record<string, string> }) => SocketLike;
// Node 22 and later: a global, standard WebSocket that also takes `{ headers }` (undici).
declare const WebSocket: SocketConstructor | undefined;

export interface ListenerHooks {
	/** One item per wanted change. */
	emit(item: IDataObject): void;
	/** The connection cannot be recovered (after MAX_FAILURES state reads in a row). */
	fail(error: Error): void;
	log(level: 'debug' | 'info' | 'warn', message: string): void;
}

interface Message {
	sequence?: number;
	event?: { event_type?: number; entity?: string; attached_data?: IDataObject | null };
}

export class LiveCallListener {
	private closed = false;
	private socket?: SocketLike;
	private socketOpen = false;
	private baselineTaken = false;
	/** Per participant: the handling of its events, in order (different participants in parallel). */
	private readonly chains = new Map<string, Promise<void>>();
	private lastSequence = -1;
	private loop?: Promise<void>;
	private readonly tracker = new CallTracker();
	/** Participants whose state could not be read before they were gone (GET answered 404). */
	private readonly unread = new Set<string>();
	/** Connections opened (for tests and the bench: one socket per workflow). */
	connections = 0;
	mode: 'connecting' | 'live' | 'degraded' | 'closed' = 'connecting';

	constructor(
		private readonly context: ITriggerFunctions,
		private readonly filters: Filters,
		private readonly hooks: ListenerHooks,
	) {}

	/** Starts the loop; resolves once the first state read succeeded, rejects with its error. */
	async start(): Promise<void> {
		let ready!: () => void;
		let failed!: (error: Error) => void;
		const first = new Promise<void>((resolve, reject) => {
			ready = resolve;
			failed = reject;
		});
		this.loop = this.run(ready, failed).catch((error: Error) => {
			// an unexpected failure of the loop itself (e.g. no WebSocket in this Node.js): n8n reports it
			this.mode = 'closed';
			failed(error);
			this.hooks.fail(error);
		});
		await first;
	}

	async close(): Promise<void> {
		this.closed = true;
		this.mode = 'closed';
		this.closeSocket();
		await this.loop;
		await this.settled();
	}

	private closeSocket(): void {
		const socket = this.socket;
		this.socket = undefined;
		this.socketOpen = false;
		if (socket && socket.readyState < 2) {
			try {
				socket.close(1000, 'n8n workflow deactivated');
			} catch (error) {
				this.hooks.log('debug', `3CX Live Call Trigger: closing the socket failed: ${(error as Error).message}`);
			}
		}
	}

	/** Sleeps up to `ms` in short slices; returns early when closed or when `until` says so. */
	private async pause(ms: number, until: () => boolean = () => false): Promise<void> {
		const end = Date.now() + ms;
		while (!this.closed && !until() && Date.now() < end) await sleep(Math.min(SLICE_MS, end - Date.now()));
	}

	private async run(ready: () => void, failed: (error: Error) => void): Promise<void> {
		let readFailures = 0;
		let socketFailures = 0;
		let started = false;
		let lastSocketTry = 0;
		while (!this.closed) {
			// 1. the full state, through the client's token discipline
			try {
				await this.readState();
				readFailures = 0;
				if (!started) {
					started = true;
					ready();
				}
			} catch (error) {
				readFailures++;
				if (!started) {
					// activation (or Listen for Test Event) fails at once, with 3CX's reason
					this.mode = 'closed';
					failed(error as Error);
					return;
				}
				this.hooks.log('warn', `3CX Live Call Trigger: reading the call state failed (${readFailures}/${MAX_FAILURES}): ${(error as Error).message}`);
				if (readFailures >= MAX_FAILURES) {
					this.mode = 'closed';
					this.hooks.fail(error as Error);
					return;
				}
				await this.pause(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (readFailures - 1)));
				continue;
			}
			if (this.closed) return;
			// 2. degraded: the socket keeps failing while state reads work
			if (socketFailures >= SOCKET_FAILURES_BEFORE_DEGRADED && Date.now() - lastSocketTry < SOCKET_RETRY_MS) {
				this.mode = 'degraded';
				await this.pause(DEGRADED_INTERVAL_MS);
				continue;
			}
			// 3. the socket, with the token the state read was signed with
			lastSocketTry = Date.now();
			const opened = Date.now();
			const outcome = await this.openSocket();
			if (this.closed) return;
			if (outcome === 'opened') {
				this.mode = 'live';
				this.connections++;
				await this.whileOpen();
				if (this.closed) return;
				const lived = Date.now() - opened;
				socketFailures = lived < SHORT_LIVED_MS ? socketFailures + 1 : 0;
				this.hooks.log('info', '3CX Live Call Trigger: the Call Control socket closed; reconnecting');
			} else {
				socketFailures++;
				this.hooks.log(
					'warn',
					`3CX Live Call Trigger: the Call Control socket did not open (${socketFailures} in a row)` +
						(socketFailures >= SOCKET_FAILURES_BEFORE_DEGRADED
							? `; reading the call state every ${DEGRADED_INTERVAL_MS / 1000} s instead (no DTMF) and trying the socket again every ${SOCKET_RETRY_MS / 60000} minutes. ` +
								'If the PBX has a self-signed certificate, Node\'s WebSocket does not accept it even with Ignore SSL Issues: ' +
								'start n8n with NODE_EXTRA_CA_CERTS pointing to the PBX\'s certificate.'
							: ''),
				);
			}
			if (socketFailures > 0 && socketFailures < SOCKET_FAILURES_BEFORE_DEGRADED) {
				await this.pause(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (socketFailures - 1)));
			}
		}
	}

	/** GET /callcontrol; the first is the baseline, later ones report what was missed. */
	private async readState(): Promise<void> {
		const full = await xapiJson<DnInfo[]>(this.context, { method: 'GET', api: 'callcontrol', path: '' });
		if (!Array.isArray(full)) {
			throw new NodeOperationError(this.context.getNode(), '3CX answered GET /callcontrol with something that is not a list of DNs', {
				description: 'Check that the Base URL of the 3CX credential is the address of the 3CX Admin console.',
			});
		}
		// after the events already being handled (the tracker makes a change seen twice a no-op)
		await this.settled();
		const relevant = this.filters.dns.size ? full.filter((info) => this.filters.dns.has(String(info?.dn ?? ''))) : full;
		const changes = this.tracker.reconcile(relevant, !this.baselineTaken);
		this.baselineTaken = true;
		this.deliver(changes);
	}

	private async openSocket(): Promise<'opened' | 'failed'> {
		if (typeof WebSocket === 'undefined') {
			throw new NodeOperationError(this.context.getNode(), 'This Node.js has no WebSocket', {
				description: 'The 3CX Live Call Trigger needs Node.js 22 or later (n8n 2 runs on Node.js 22 or 24).',
			});
		}
		// the server and the credential's one token from one read, as the client hands them out (the
		// newest token known; renewed only if due)
		const target = await connectionTarget(this.context, 'callcontrol');
		const token = target.token;
		const url = `${target.url.replace(/^http/i, 'ws')}/ws`;
		this.lastSequence = -1;
		return await new Promise<'opened' | 'failed'>((resolve) => {
			let settled = false;
			const settle = (outcome: 'opened' | 'failed') => {
				if (!settled) {
					settled = true;
					resolve(outcome);
				}
			};
			let socket: SocketLike;
			try {
				socket = new WebSocket(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
			} catch (error) {
				this.hooks.log('warn', `3CX Live Call Trigger: ${(error as Error).message}`);
				settle('failed');
				return;
			}
			this.socket = socket;
			socket.addEventListener('open', () => {
				this.socketOpen = true;
				settle('opened');
			});
			socket.addEventListener('error', () => settle('failed'));
			socket.addEventListener('close', () => {
				if (this.socket === socket) this.socketOpen = false;
				settle('failed');
			});
			socket.addEventListener('message', (event) => this.onMessage(event.data));
		});
	}

	/** Waits while the socket is open; reads the state every CHECK_INTERVAL_MS meanwhile. */
	private async whileOpen(): Promise<void> {
		while (!this.closed && this.socketOpen) {
			await this.pause(CHECK_INTERVAL_MS, () => !this.socketOpen);
			if (this.closed || !this.socketOpen) break;
			try {
				await this.readState();
			} catch (error) {
				this.hooks.log('warn', `3CX Live Call Trigger: the periodic state read failed: ${(error as Error).message}`);
				this.closeSocket(); // reconnect through the loop (which reads the state first)
			}
		}
		this.socket = undefined;
	}

	/**
	 * Events of one participant are handled in order (its upsert's GET finishes before its remove is
	 * looked at); those of different participants in parallel.
	 */
	private serial(key: string, task: () => Promise<void>): void {
		const previous = this.chains.get(key) ?? Promise.resolve();
		const next = previous
			.then(task)
			.catch((error: Error) => this.hooks.log('warn', `3CX Live Call Trigger: ${error.message}`))
			.finally(() => {
				if (this.chains.get(key) === next) this.chains.delete(key);
			});
		this.chains.set(key, next);
	}

	/** Resolves when every event received so far has been handled. */
	private async settled(): Promise<void> {
		while (this.chains.size) await Promise.all([...this.chains.values()]);
	}

	private onMessage(data: unknown): void {
		if (this.closed) return;
		let message: Message;
		try {
			message = JSON.parse(typeof data === 'string' ? data : String(data)) as Message;
		} catch {
			this.hooks.log('debug', '3CX Live Call Trigger: a socket message that is not JSON was ignored');
			return;
		}
		const sequence = typeof message.sequence === 'number' ? message.sequence : undefined;
		if (sequence !== undefined) {
			if (sequence <= this.lastSequence) return; // delivered twice
			this.lastSequence = sequence;
		}
		const entity = participantEntity(message.event?.entity);
		if (!entity) return; // not a participant (e.g. a device): nothing this trigger reports
		// a DN the workflow does not watch: nothing to read or report
		if (this.filters.dns.size && !this.filters.dns.has(entity.dn)) return;
		this.serial(`${entity.dn}/${entity.id}`, async () => await this.handle(message, entity, sequence));
	}

	private async handle(message: Message, entity: { dn: string; id: string }, sequence: number | undefined): Promise<void> {
		const event = message.event;
		if (this.closed || !event) return;
		const meta = { sequence };
		if (event.event_type === 1) {
			const ended = this.tracker.remove(entity.dn, entity.id, meta);
			const key = `${entity.dn}/${entity.id}`;
			if (!ended.length && this.unread.delete(key)) {
				this.hooks.log('info', `3CX Live Call Trigger: ${event.entity} ended before its state could be read; its Call Ended has only the DN and participant ID`);
				this.deliver(this.tracker.vanished(entity.dn, entity.id, meta));
			} else this.deliver(ended);
		} else if (event.event_type === 2) {
			const digits = event.attached_data?.dtmf_input;
			if (typeof digits === 'string') this.deliver(this.tracker.dtmf(entity.dn, entity.id, digits, meta));
		} else if (event.event_type === 0) {
			let participant: IDataObject;
			try {
				participant = await xapiJson<IDataObject>(this.context, {
					method: 'GET',
					api: 'callcontrol',
					path: `/${encodeURIComponent(entity.dn)}/participants/${encodeURIComponent(entity.id)}`,
				});
			} catch (error) {
				if ((error as { httpCode?: string }).httpCode === '404') {
					// gone already: its remove follows
					if (this.unread.size > 1000) this.unread.clear();
					this.unread.add(`${entity.dn}/${entity.id}`);
					return;
				}
				// not lost: the next state read (now) finds the change
				this.hooks.log('warn', `3CX Live Call Trigger: reading ${event.entity} failed (${(error as Error).message}); reading the whole state instead`);
				this.closeSocket();
				return;
			}
			if (participant && participant.id !== undefined) this.deliver(this.tracker.upsert(entity.dn, participant, meta));
		}
	}

	private deliver(changes: Change[]): void {
		for (const change of changes) {
			if (!this.closed && wanted(change, this.filters)) this.hooks.emit(change.item);
		}
	}

	/** DNs the API client sees (from the last state read). */
	dns(): Array<{ dn: string; type: string }> {
		return this.tracker.dns();
	}
}
