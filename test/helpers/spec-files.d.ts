export const ROOT: string;
export const SPEC: string;
export function specAvailable(): boolean;
export function regenerate(specPath?: string): Promise<{
	files: Record<string, string>;
	operationCount: number;
	resourceCount: number;
}>;
export function committedFiles(): Record<string, string>;
export function specOperations(specPath?: string): Array<[tag: string, operationId: string, method: string, path: string]>;
export function writeTempSpec(doc: object): string;
