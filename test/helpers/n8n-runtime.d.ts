/* Types for n8n-runtime.js (DI setup for n8n-core and loaders for the project's classes). */
import type { ICredentialType, INodeType } from 'n8n-workflow';

export interface LogEntry {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	metadata?: unknown;
}

export interface RecordingLogger {
	entries: LogEntry[];
	error(message: string, metadata?: unknown): void;
	warn(message: string, metadata?: unknown): void;
	info(message: string, metadata?: unknown): void;
	debug(message: string, metadata?: unknown): void;
	scoped(): RecordingLogger;
	clear(): void;
}

export interface N8nRuntime {
	/** n8n-core's own `Container` (from its nested @n8n/di). */
	Container: {
		get<T>(type: abstract new (...args: never[]) => T): T;
		set<T>(type: abstract new (...args: never[]) => T, instance: T): void;
		has(type: unknown): boolean;
	};
	/** The logger n8n-core sees (`Container.get(Logger)`). */
	logger: RecordingLogger;
	/** Everything n8n-core logged since the last `logger.clear()`. */
	logs: LogEntry[];
	lockService: unknown;
	outboundHttp: unknown;
	coreDir: string;
}

/** Idempotent; once per jest test file (module registry). */
export declare function setupN8nRuntime(): N8nRuntime;
export declare function createRecordingLogger(entries?: LogEntry[], echo?: boolean): RecordingLogger;
/** `new ThreeCxOAuth2Api()` from credentials/ThreeCxOAuth2Api.credentials.ts (throws if missing). */
export declare function loadProjectCredentialType(): ICredentialType;
/** `new ThreeCx()` from nodes/ThreeCx/ThreeCx.node.ts (throws if missing). */
export declare function loadProjectNodeType(): INodeType;
export declare function hasProjectCredential(): boolean;
export declare function hasProjectNode(): boolean;
/** Path relative to the repository root, with or without `.ts`/`.js`. */
export declare function projectFileExists(relativePath: string): boolean;
export declare const PROJECT_ROOT: string;
