/* Types for event-data.js (time-ordered XAPI collections for the 3CX Trigger's tests). */
import type { XapiServer } from './xapi-server';

export type EventSet = 'Recordings' | 'ChatMessagesHistoryView' | 'EventLogs' | 'CallLog';
export type EventRecord = Record<string, unknown>;

export interface EventData {
	data: Record<EventSet, EventRecord[]>;
	setClock(clock: () => number): void;
	add<T extends EventRecord>(set: EventSet, records: T[]): T[];
}

export declare function installEventData(server: XapiServer, options?: { clock?: () => number }): EventData;
export declare function wav(samples?: number): Buffer;
export declare const SETS: Record<EventSet, string>;
