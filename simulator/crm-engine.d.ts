/* Types for simulator/crm-engine.js: 3CX's server-side CRM engine, simulated. */
export type CrmScalar = string | number | boolean | Date | { timespanMs: number } | undefined;
export type CrmVariables = Record<string, CrmScalar>;
export interface CrmScenario {
	id: string;
	type: string;
	request?: {
		skipIf: string;
		url: string;
		requestType: string;
		requestEncoding: string;
		requestContentType: string;
		responseType: string;
		headers: Array<{ key: string; passes: number; type: string; text: string }>;
		postValues: Array<{ key: string; passes: number; type: string; text: string }>;
	};
	rules: Array<{ type: string; path: string; ethalon: string }>;
	variables: Array<{ name: string; path: string }>;
	outputs: Array<{ type: string; value: string; passes: number }>;
	allowEmpty: boolean;
	next: string;
}
export interface CrmTemplate {
	name: string;
	version: string;
	country: string;
	number: { prefix: string; maxLength: string };
	maxConcurrentRequests: number;
	parameters: Array<{ name: string; type: string; title: string; default: string; parent: string }>;
	authentication: { type: string; value: string };
	scenarios: CrmScenario[];
}
export interface CrmHttpRequest {
	method: string;
	url: string;
	headers: Record<string, string>;
	body: string | undefined;
}
export interface CrmScenarioRun {
	scenario: string;
	skipped: boolean;
	request?: CrmHttpRequest;
	response?: { status: number; bodyText: string; error?: string; ms: number };
	contacts: Array<Record<string, string>>;
}
export interface CrmCall {
	number: string;
	direction?: 'Inbound' | 'Outbound';
	answered?: boolean;
	agent?: string;
	agentFirstName?: string;
	agentLastName?: string;
	agentEmail?: string;
	queueExtension?: string;
	start?: string;
	established?: string;
	end?: string;
	recordingUrl?: string;
	name?: string;
}
export interface CrmCallRecord {
	call: CrmCall;
	lookup: CrmScenarioRun[];
	displayed: Record<string, string> | undefined;
	contacts: Array<Record<string, string>>;
	journal: CrmScenarioRun[];
}
export declare class CrmEngine {
	constructor(options?: { timeoutMs?: number; fetch?: typeof fetch; utcOffsetMinutes?: number; dateTimeFormat?: string });
	timeoutMs: number;
	template: CrmTemplate | undefined;
	calls: CrmCallRecord[];
	choices: Record<string, string>;
	load(xml: string, choices?: Record<string, string>): CrmTemplate;
	lookup(number: string): Promise<{ runs: CrmScenarioRun[]; contacts: Array<Record<string, string>> }>;
	search(id: 'SearchContacts' | 'LookupByEmail', query: string): Promise<{ runs: CrmScenarioRun[]; contacts: Array<Record<string, string>> }>;
	placeCall(call: CrmCall): Promise<CrmCallRecord>;
}
export declare function parseTemplate(xml: string): CrmTemplate;
export declare function expand(s: string, vars: CrmVariables): string;
export declare function evaluate(s: string, vars: CrmVariables, passes?: number): string;
export declare function condition(cond: string, vars: CrmVariables): boolean;
export declare function pathValues(data: unknown, path: string): unknown[];
export declare function formatNumber(number: string, rule: { prefix: string; maxLength: string }, vars: CrmVariables): string;
export declare function formatDate(d: Date, fmt: string): string;
export declare const CALL_TYPES: readonly ['Inbound', 'Missed', 'Outbound', 'Notanswered'];
/** XAPI's CrmIntegration GET/PATCH and Pbx.Test on a simulator, run by its CRM engine. */
export declare function installXapiCrm(sim: unknown): void;
