/* Types for simulator/fake3cx.js: the e2e face of the simulated 3CX (e2e/fake-3cx.js). */
import type { XapiServer, SpecInfo } from './index';

export interface FakeRecord {
	seq: number;
	time: string;
	method: string;
	rawPath: string;
	/** Decoded path with an encoded slash kept as %2F. */
	path: string;
	decodedPath: string;
	rawQuery: string;
	query: Record<string, string>;
	headers: Record<string, string | undefined>;
	rawBody: string;
	body?: unknown;
	status: number | null;
	operationId: string | null;
	specProblems: string[];
	kind: string;
	auth?: string;
	token?: { clientId?: string; grantType?: string; via?: string; issued?: string };
	responseBody?: string;
}

export interface Fake3cx {
	sim: XapiServer;
	readonly url: string;
	port: number | null;
	options: { host: string; port: number; clientId: string; clientSecret: string; userCount: number; specPath: string; log: boolean };
	state: { readonly requests: FakeRecord[]; readonly users: object[] };
	expireToken(): void;
	expireTokenAfter(n: number): void;
	resetData(): void;
	reset(): void;
	requestsSince(from?: number): FakeRecord[];
	mark(): number;
	specInfo(): SpecInfo;
	start(): Promise<Fake3cx>;
	selfTest(): Promise<{ ok: boolean; skipped?: boolean; failures: string[]; probes?: number }>;
	stop(): Promise<void>;
}

export declare function createFake3cx(options?: { port?: number; clientId?: string; clientSecret?: string; userCount?: number; specPath?: string; log?: boolean }): Fake3cx;
export declare function makeUsers(count: number): Array<{ Id: number; Number: string; FirstName: string; LastName: string; EmailAddress: string; Enabled: boolean }>;
