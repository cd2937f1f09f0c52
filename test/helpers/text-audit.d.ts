import type { INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';

export type OperationOption = INodePropertyOptions & { resource: string; action: string; description: string };
export type Parameter = INodeProperties & { parent?: INodeProperties };

export interface TextAudit {
	operations: number;
	stutter: OperationOption[];
	raw: OperationOption[];
	parenthesised: OperationOption[];
	noNoun: OperationOption[];
	duplicateInResource: OperationOption[];
	duplicateInNode: OperationOption[];
	parameters: number;
	labelOnly: Parameter[];
	json: number;
	jsonWithoutShape: Parameter[];
	jsonWithDefault: Parameter[];
	booleans: number;
	booleansWithoutWhether: Parameter[];
	downloads: number;
	downloadsWithReturnAll: string[];
}

export function auditTexts(description: INodeTypeDescription, operations: Record<string, { file?: string }>): TextAudit;
export function repeatedWords(name: string): string[];
export function rawFragments(name: string): string[];
export function mentionsNoun(text: string, resourceName: string): boolean;
export function showsShape(field: { placeholder?: string; description?: string; hint?: string }): boolean;
export function operationOptions(description: INodeTypeDescription): OperationOption[];
export function parameters(description: INodeTypeDescription): Parameter[];
