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
export interface WebhookServer {
	url: string;
	close(): Promise<void>;
}
/** The express-like request a node's webhook() gets (see crm.js). */
export interface WebhookRequest {
	method: string;
	url: string;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
	query: Record<string, string>;
	params: Record<string, string>;
}
/** The express-like response (see crm.js). */
export interface WebhookResponse {
	statusCode: number;
	headersSent: boolean;
	status(code: number): WebhookResponse;
	json(body: unknown): WebhookResponse;
	setHeader(name: string, value: string): void;
	end(data?: string): void;
}
export declare function startWebhookServer(handler: (req: WebhookRequest, res: WebhookResponse) => Promise<void>): Promise<WebhookServer>;
