/** The generated node as the rename report reads it: the runtime table and the properties. */
export interface GeneratedNode {
	operations: Record<
		string,
		{
			resource: string;
			method: string;
			path: string;
			params: Array<[string, string, string, number]>;
			body?: { collection: string } | { params: Array<[string, string, string, number]> };
			query?: Array<[string, string, string, number]>;
			options?: string;
			[key: string]: unknown;
		}
	>;
	properties: Array<{ name: string; type: string; options?: Array<{ name: string; value?: unknown }>; displayOptions?: { show?: Record<string, unknown[]> } }>;
}

export const ROOT: string;
/** The spec the tests prove the node against: XAPI_SPEC, else the generator's default. */
export const SPEC: string;
export const DEFAULT_SPEC: string;
/** Whether the spec is there (throws when XAPI_SPEC names a missing file). */
export function specAvailable(): boolean;
export function specSkipLine(): string;
export function regenerate(specPath?: string): Promise<{
	files: Record<string, string>;
	log: string;
	operationCount: number;
	resourceCount: number;
}>;
export function committedFiles(): Record<string, string>;
export function specOperations(specPath?: string): Array<[tag: string, operationId: string, method: string, path: string]>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function specDocument(specPath?: string): any;
export function alternateKeySets(specPath?: string): string[];
/** Values of the operations generator/extras.js adds for this spec (their resource exists). */
export function extraOperations(specPath?: string): string[];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function specCopy(specPath?: string): any;
export function writeTempSpec(doc: object, name?: string): string;
export function nodeOf(files: Record<string, string>): GeneratedNode;
export function renameReport(beforeFiles: Record<string, string>, afterFiles: Record<string, string>): string[];
export function runGenerator(
	args: string[],
	env?: Record<string, string>,
	script?: string,
): Promise<{ code: number; stdout: string; stderr: string }>;
export function tempDir(prefix?: string): string;
export function readGeneratedDir(dir: string): Record<string, string>;
export function generatorWithoutSpec(): string;
/** Removes the temporary folders the helpers made (call it in afterAll). */
export function removeTemporary(): void;
