/**
 * The request builder: one preSend hook that every operation runs. It reads the operation's entry
 * in the generated table and writes method, URL, query and body in XAPI's exact wire format.
 * Every value is checked first; a bad one stops the item with an error naming the field.
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteSingleFunctions,
	type IHttpRequestOptions,
} from 'n8n-workflow';

import { bodyFieldKinds, locators, operations } from '../generated/operations';
// Call Control (issue 18): dispatched like the Custom API Call, below {server}/callcontrol
import { CALL_CONTROL_RESOURCE, callControlRequest, callControlSpec } from '../resources/callControl';
import { CUSTOM_RESOURCE, customRequest, customSpec } from '../resources/customApiCall';
import {
	bodyValue,
	FieldError,
	isEmpty,
	odataLiteral,
	pathSegment,
	apiUrl,
	prepareRoutedRequest,
} from '../../client';
import { checkEnum, fields, label } from './fields';
import { backupDownload, expectFile, promptUpload } from './files';
import { itemRequest } from './itemRequest';
import type { HttpMethod, OperationSpec } from './types';

interface Selected {
	name: string;
	spec: OperationSpec;
}

/**
 * Per run of the node (its execute data, one object for all its items): the generated operation
 * selected. Resource and operation take no expressions (noDataExpression), so they are the same
 * for every item of a run and are read (and validated by n8n) once, not once per item.
 */
const runOperations = new WeakMap<object, Selected>();

/**
 * The table entry of the selected operation, checked against the selected resource: read once per
 * run by the request builder (the response handler and paging take it from the item's state).
 */
export function selectedOperation(context: IExecuteSingleFunctions): Selected {
	const decided = itemRequest.of(context);
	if (decided) return { name: decided.operation, spec: decided.spec };
	const run: unknown = context.getExecuteData();
	const known = run && typeof run === 'object' ? runOperations.get(run) : undefined;
	if (known) return known;
	const name = context.getNodeParameter('operation') as string;
	const resource = context.getNodeParameter('resource') as string;
	if (resource === CUSTOM_RESOURCE) {
		// the method may be an expression: read for each item
		return { name, spec: customSpec(String(context.getNodeParameter('customMethod', 'GET')).toUpperCase() as HttpMethod) };
	}
	if (resource === CALL_CONTROL_RESOURCE) return { name, spec: callControlSpec(name) }; // Call Control (issue 18)
	const spec = operations[name];
	if (!spec) {
		throw new NodeOperationError(context.getNode(), `Unknown operation "${name}"`, {
			description: 'Pick the operation again: this one does not exist in this version of the 3CX node.',
		});
	}
	if (spec.resource !== resource) {
		throw new NodeOperationError(
			context.getNode(),
			`Operation "${name}" does not belong to resource "${resource}"`,
			{ description: 'Pick the operation again after changing the resource.' },
		);
	}
	if (run && typeof run === 'object') runOperations.set(run, { name, spec });
	return { name, spec };
}

/** The mode of a resource locator value ('list', 'id', 'number'), or undefined for a plain value. */
function locatorMode(raw: unknown): string | undefined {
	return raw && typeof raw === 'object' && '__rl' in raw ? String((raw as { mode?: unknown }).mode) : undefined;
}

/**
 * Whether a path parameter is a key (`/Users({Id})`, `/Users(Number={Number})`) rather than a
 * function parameter (`/Pbx.GetCallLogData(sourceFilter={sourceFilter},…)`). Keys are required and
 * never empty, whatever the spec's `nullable` says (that is about the value type).
 */
function isKey(path: string, placeholder: string): boolean {
	const segment = path.split('/').find((part) => part.includes(`{${placeholder}}`)) ?? '';
	return !/\bPbx\./.test(segment);
}

/**
 * A resource locator value must be in a mode the field offers: a workflow saved with another
 * node version (or edited by hand) may say `number` where this build has no such alternate key,
 * and n8n passes any mode through; sending its value as an ID would address another entity.
 */
function checkMode(field: string, mode: string | undefined): void {
	if (mode === undefined) return;
	const offered = fields().get(field)?.modes ?? [];
	const modes = locators[field]?.number === false ? offered.filter((m) => m !== 'number') : offered;
	if (!modes.includes(mode)) {
		throw new FieldError(
			label(field),
			`is given in mode "${mode}", which this field does not offer (its modes: ${modes.join(', ') || 'none'}); ` +
				'pick the value again',
		);
	}
}

function buildUrl(context: IExecuteSingleFunctions, spec: OperationSpec, timeZone: string): string {
	let url = spec.path;
	for (const [placeholder, field, kind, nullable] of spec.params) {
		// one read: a resource locator's value is its `value` (no mode of ours extracts anything)
		const raw = context.getNodeParameter(field, undefined);
		const mode = locatorMode(raw);
		checkMode(field, mode);
		const value = mode !== undefined ? (raw as { value?: unknown }).value : raw;
		const locator = locators[field];
		const key = mode !== undefined || isKey(spec.path, placeholder);
		if (locator?.number && mode === 'number') {
			// The "By number" mode addresses the entity by 3CX's alternate key: /Users(Number='100').
			const literal = odataLiteral(value, 'str', `${label(field)} (number)`, { allowEmpty: false });
			url = url
				.split(`/${locator.set}({${placeholder}})`)
				.join(`/${locator.set}(Number=${pathSegment(literal, label(field))})`);
			continue;
		}
		const literal = odataLiteral(value, kind, label(field), { timeZone, allowEmpty: nullable === 1 && !key });
		url = url.split(`{${placeholder}}`).join(pathSegment(literal, label(field)));
	}
	return url;
}

function buildBody(
	context: IExecuteSingleFunctions,
	operation: string,
	spec: OperationSpec,
	timeZone: string,
): IDataObject | undefined {
	if (!spec.body) return undefined;
	const body: IDataObject = {};
	if ('collection' in spec.body) {
		const collection = spec.body.collection;
		const values = (context.getNodeParameter(collection, {}) ?? {}) as IDataObject;
		const kinds = bodyFieldKinds[collection] ?? {};
		for (const [key, value] of Object.entries(values)) {
			const name = label(key, collection);
			const kind = kinds[key];
			if (kind === 'json') {
				// A JSON field added but left empty sends nothing (its default is empty, not '{}').
				if (!isEmpty(value)) body[key] = bodyValue(value, 'json', name) as IDataObject;
			}
			else if (kind) {
				// An emptied date or number field clears the value in 3CX.
				body[key] = isEmpty(value) ? null : (bodyValue(value, kind, name, timeZone) as IDataObject[keyof IDataObject]);
			} else {
				checkEnum(value, key, collection);
				body[key] = value as IDataObject[keyof IDataObject];
			}
		}
		return body;
	}
	for (const [key, field, kind, required] of spec.body.params) {
		const value = context.getNodeParameter(field, undefined);
		const name = label(field);
		if (isEmpty(value) || (kind === 'json' && typeof value === 'string' && value.trim() === '')) {
			if (required && kind !== 'str') throw new FieldError(name, 'is required');
			if (required) throw new FieldError(name, 'is required and cannot be empty');
			continue;
		}
		if (kind === 'enum') checkEnum(value, field, undefined, operation);
		body[key] = bodyValue(value, kind, name, timeZone) as IDataObject[keyof IDataObject];
	}
	return body;
}

function buildQuery(context: IExecuteSingleFunctions, spec: OperationSpec, timeZone: string): IDataObject {
	const qs: IDataObject = {};
	for (const [key, field, kind, optional] of spec.query ?? []) {
		const value = context.getNodeParameter(field, undefined);
		if (isEmpty(value) && optional) continue;
		qs[key] = odataLiteral(value, kind, label(field), { timeZone, allowEmpty: optional === 1 });
	}
	return qs;
}

export async function buildRequest(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	// read once for the item; the response handler and paging take it from the item's state
	const { name, spec } = selectedOperation(this);
	itemRequest.start(this, { operation: name, spec, paging: false });
	const timeZone = this.getTimezone();
	let invalid: FieldError | undefined;
	try {
		if (spec.resource === CUSTOM_RESOURCE) {
			// the Custom API Call: checked like every field, then the same token and error handling
			const custom = customRequest((name, fallback) => this.getNodeParameter(name, fallback));
			requestOptions.method = custom.method;
			requestOptions.url = custom.path;
			requestOptions.qs = { ...(requestOptions.qs ?? {}), ...custom.qs };
			requestOptions.body = custom.body ?? {};
		} else if (spec.resource === CALL_CONTROL_RESOURCE) {
			// Call Control (issue 18): checked the same way; the base path is set below
			const control = callControlRequest(name, (field) => this.getNodeParameter(field, undefined, { extractValue: true }));
			requestOptions.method = control.method;
			requestOptions.url = control.path;
			requestOptions.body = control.body ?? {};
		} else {
			requestOptions.method = spec.method;
			requestOptions.url = buildUrl(this, spec, timeZone);
			requestOptions.body = buildBody(this, name, spec, timeZone) ?? {};
			requestOptions.qs = { ...(requestOptions.qs ?? {}), ...buildQuery(this, spec, timeZone) };
		}
	} catch (error) {
		if (!(error instanceof FieldError)) throw new NodeOperationError(this.getNode(), error as Error);
		invalid = error;
	}
	if (invalid) {
		throw new NodeOperationError(this.getNode(), `${invalid.field} ${invalid.problem}`, {
			itemIndex: this.getItemIndex(),
			description: 'Nothing was sent to 3CX. Correct the field and run the node again.',
		});
	}
	if (spec.file === 'upload') await promptUpload(this, requestOptions);
	if (spec.file === 'download') expectFile(requestOptions);
	// the credential read once; n8n signs the request with that read (client/routing.ts)
	const ready = await prepareRoutedRequest(this, requestOptions);
	// Call Control (issue 18): below {server}/callcontrol instead of /xapi/v1 (the same object the retry resends)
	if (spec.resource === CALL_CONTROL_RESOURCE) requestOptions.baseURL = apiUrl(ready.credentials.baseUrl, 'callcontrol', '');
	if (spec.file === 'backup') {
		const keyField = spec.params[0][1];
		await backupDownload(this, requestOptions, ready.credentials.baseUrl, keyField, label(keyField));
	}
	return requestOptions;
}
