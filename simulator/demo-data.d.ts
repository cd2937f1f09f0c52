/* Types for simulator/demo-data.js. */
export declare const DEMO_SCHEMAS: Readonly<Record<string, string>>;
export declare function demoData(options?: { seed?: number; now?: string | number; days?: number }): {
	now: string;
	sets: Record<string, Array<Record<string, unknown>>>;
	files: Record<string, Buffer>;
};
export declare function demoWav(seconds?: number, rate?: number): Buffer;
/** One new inbound call ending at `now` (CallHistoryView segments; unanswered when `answered` is false). */
export declare function demoCall(options?: { now?: number; answered?: boolean; callId?: number; caller?: string; name?: string }): Array<Record<string, unknown>>;
