/* Types for simulator/demo-data.js. */
export declare const DEMO_SCHEMAS: Readonly<Record<string, string>>;
export declare function demoData(options?: { seed?: number; now?: string | number; days?: number }): {
	now: string;
	sets: Record<string, Array<Record<string, unknown>>>;
	files: Record<string, Buffer>;
};
export declare function demoWav(seconds?: number, rate?: number): Buffer;
