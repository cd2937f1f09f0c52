/**
 * Shared pieces of the reliability tests: parameters for any operation built from the generated
 * tables (so the tests follow the generator instead of naming fields by hand), and the checks that
 * errors and items never show a secret.
 */
import type { IDataObject, INodeExecutionData, INodeParameters, INodeProperties } from 'n8n-workflow';

import { generatedProperties } from '../../nodes/ThreeCx/generated/description';
import { bodyFieldKinds, operations } from '../../nodes/ThreeCx/generated/operations';
import type { WireKind } from '../../nodes/client/odata';
import type { OperationSpec } from '../../nodes/ThreeCx/runtime/types';

export { operations, bodyFieldKinds };

export const GUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

export function spec(operation: string): OperationSpec {
	const found = operations[operation];
	if (!found) throw new Error(`no operation ${operation}`);
	return found;
}

/** The description property `name` as the node shows it for `operation`, if it is a generated one. */
export function findProperty(name: string, operation: string): INodeProperties | undefined {
	const candidates = generatedProperties.filter((p) => p.name === name);
	const shown = candidates.find((p) => {
		const ops = p.displayOptions?.show?.operation as string[] | undefined;
		return !ops || ops.includes(operation);
	});
	return shown ?? candidates[0];
}

export function propertyFor(name: string, operation: string): INodeProperties {
	const property = findProperty(name, operation);
	if (!property) throw new Error(`no property ${name}`);
	return property;
}

export function labelOf(name: string, operation: string): string {
	return propertyFor(name, operation).displayName;
}

export function childOf(collection: string, key: string, operation: string): INodeProperties {
	const parent = propertyFor(collection, operation);
	const child = (parent.options as INodeProperties[] | undefined)?.find((o) => o.name === key);
	if (!child) throw new Error(`no field ${collection}.${key}`);
	return child;
}

export function childLabel(collection: string, key: string, operation: string): string {
	return `${propertyFor(collection, operation).displayName} > ${childOf(collection, key, operation).displayName}`;
}

/** A value the node accepts for a field of this kind. */
export function validValue(kind: WireKind, property?: INodeProperties): unknown {
	switch (kind) {
		case 'int':
		case 'num':
			return 1;
		case 'bool':
			return true;
		case 'date':
			return '2025-01-01T00:00:00Z';
		case 'guid':
			return GUID;
		case 'json':
			return '{}';
		case 'enum': {
			const first = (property?.options as Array<{ value: unknown }> | undefined)?.[0];
			return first?.value ?? 'x';
		}
		default:
			return 'x';
	}
}

/** A parameter value for `field` of `operation`: resource locators get the "By ID" form. */
export function fieldValue(field: string, operation: string, value: unknown): unknown {
	const property = findProperty(field, operation);
	if (property?.type === 'resourceLocator') return { __rl: true, mode: 'id', value: typeof value === 'string' ? value : String(value) };
	return value;
}

/** Parameters for `operation` with a valid value for every path parameter and required body parameter. */
export function baseParameters(operation: string, overrides: Record<string, unknown> = {}): INodeParameters {
	const s = spec(operation);
	const parameters: INodeParameters = { resource: s.resource, operation };
	for (const [, field, kind] of s.params) {
		parameters[field] = fieldValue(field, operation, validValue(kind, propertyFor(field, operation))) as INodeParameters[string];
	}
	if (s.body && 'params' in s.body) {
		for (const [, field, kind, required] of s.body.params) {
			if (required) parameters[field] = validValue(kind, propertyFor(field, operation)) as INodeParameters[string];
		}
	}
	for (const [field, value] of Object.entries(overrides)) {
		parameters[field] = fieldValue(field, operation, value) as INodeParameters[string];
	}
	return parameters;
}

/** The operations whose table entry passes `test`, by name. */
export function operationsWhere(test: (s: OperationSpec, name: string) => boolean): string[] {
	return Object.entries(operations)
		.filter(([name, s]) => test(s, name))
		.map(([name]) => name)
		.sort();
}

/** An operation that writes `collection` (create or update), preferring one without path keys. */
export function operationWriting(collection: string): string {
	const writers = operationsWhere((s) => !!s.body && 'collection' in s.body && s.body.collection === collection);
	const simplest = [...writers].sort((a, b) => spec(a).params.length - spec(b).params.length)[0];
	if (!simplest) throw new Error(`no operation writes ${collection}`);
	return simplest;
}

/* ------------------------------------------------------------------ */
/* secrets                                                             */
/* ------------------------------------------------------------------ */

interface ErrorLike {
	message?: string;
	description?: string | null;
	messages?: string[];
}

/**
 * Every text a person or a log can see of a run: the error's message, description and n8n's list
 * of earlier messages, the error as n8n stores it (its toJSON), and each item's JSON including an
 * error item's error.
 */
export function visibleTexts(error: unknown, items: INodeExecutionData[] = []): string[] {
	const texts: string[] = [];
	const e = error as ErrorLike | undefined;
	if (e) {
		texts.push(String(e.message ?? ''), String(e.description ?? ''), ...(e.messages ?? []).map(String));
		texts.push(JSON.stringify(e));
	}
	for (const item of items) {
		texts.push(JSON.stringify(item.json));
		if (item.error) texts.push(...visibleTexts(item.error));
	}
	return texts;
}

/** The secrets (and their URL-encoded forms) found in `texts`. */
export function leakedSecrets(texts: string[], secrets: string[]): string[] {
	const found: string[] = [];
	for (const secret of secrets.filter((s) => s.length >= 4)) {
		const forms = [secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+')];
		if (texts.some((t) => forms.some((f) => t.includes(f)))) found.push(secret);
	}
	return found;
}

/** Error messages of error items (Continue On Fail), in item order; undefined for good items. */
export function itemErrors(items: INodeExecutionData[]): Array<string | undefined> {
	return items.map((item) => (item.error ? item.error.message : undefined));
}

export function jsonOf(items: INodeExecutionData[]): IDataObject[] {
	return items.map((item) => item.json);
}
