export interface OperationTexts {
	value: string;
	path: string;
	name: string;
	action: string;
	description: string;
}
export function specWithOldUserLookup(operationId?: string): string;
export function operationTexts(specPath: string, resource: string): OperationTexts[];
export function removeSpec(file: string): void;
