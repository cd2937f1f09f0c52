/* Types for crm.js. */
export interface RecordedRequest {
	method: string;
	url: string;
	headers: Record<string, string | string[] | undefined>;
	body: string;
}
export interface CrmAnswer {
	status?: number;
	json?: unknown;
	text?: string;
	delayMs?: number;
}
export interface CrmServer {
	url: string;
	requests: RecordedRequest[];
	close(): Promise<void>;
}
export declare function readCrmFixture(name: string): string;
export declare function startCrmServer(handler: (r: RecordedRequest) => CrmAnswer | Promise<CrmAnswer>): Promise<CrmServer>;
export declare function readSampleTemplate(): string;
export declare function writeSampleTemplate(xml: string): void;
export declare const updateSample: boolean;
