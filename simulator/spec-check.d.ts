/* Types for simulator/spec-check.js (the spec checks of the simulated 3CX). */
export interface LoadedSpec {
	spec: unknown;
	available: boolean;
	status: string;
	file: string;
}
export declare const DEFAULT_SPEC: string;
export declare function specPath(file?: string): string;
export declare function loadSpec(file?: string): Promise<LoadedSpec>;
export declare function schemaProblems(spec: unknown, schemaName: string, value: unknown, where?: string): string[];
