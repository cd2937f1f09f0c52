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
	type INodeProperties,
} from 'n8n-workflow';

import { CUSTOM_RESOURCE, customRequest, customSpec } from '../custom';
import { generatedProperties } from '../generated/description';
// Call Control (issue 18): dispatched like the Custom API Call, below {server}/callcontrol
import { CALL_CONTROL_RESOURCE, callControlRequest, callControlSpec } from '../resources/callControl';
import { bodyFieldKinds, locators, operations } from '../generated/operations';
import {
	backupDownload,
	bodyValue,
	checkBaseUrl,
	CREDENTIAL_TYPE,
	ensureToken,
	expectFile,
	FieldError,
	isEmpty,
	keepSecret,
	odataLiteral,
	pathSegment,
	promptUpload,
	serverUrl,
	startItemState,
} from '../../client';
import type { HttpMethod, OperationSpec } from './types';

export { checkBaseUrl, CREDENTIAL_TYPE };

/** Display names and allowed values of the generated fields, for messages and enum checks. */
interface FieldInfo {
	displayName: string;
	values?: Set<string>;
	children?: Map<string, FieldInfo>;
	/** The modes a resource locator offers ('list', 'id', 'number'). */
	modes?: string[];
}

let fieldInfo: Map<string, FieldInfo> | undefined;

function infoOf(property: INodeProperties): FieldInfo {
	const info: FieldInfo = { displayName: property.displayName };
	if (property.type === 'options' || property.type === 'multiOptions') {
		info.values = new Set((property.options ?? []).map((o) => String((o as { value: unknown }).value)));
	}
	if (property.type === 'resourceLocator') info.modes = (property.modes ?? []).map((mode) => mode.name);
	if (property.type === 'collection') {
		info.children = new Map(
			(property.options as INodeProperties[]).map((child) => [child.name, infoOf(child)]),
		);
	}
	return info;
}

function fields(): Map<string, FieldInfo> {
	if (!fieldInfo) {
		fieldInfo = new Map();
		for (const property of generatedProperties) {
			if (property.name === 'operation') continue;
			const info = infoOf(property);
			fieldInfo.set(property.name, info);
			// Two operations may have different fields of one name (an enum of other values):
			// each operation's own is found under "operation/name".
			const shownFor = (property.displayOptions?.show?.operation ?? []) as string[];
			for (const operation of shownFor) fieldInfo.set(`${operation}/${property.name}`, info);
		}
	}
	return fieldInfo;
}

function label(name: string, parent?: string): string {
	if (parent) {
		const collection = fields().get(parent);
		const child = collection?.children?.get(name);
		return `${collection?.displayName ?? parent} > ${child?.displayName ?? name}`;
	}
	return fields().get(name)?.displayName ?? name;
}

function checkEnum(value: unknown, name: string, parent?: string, operation?: string): void {
	const info = parent
		? fields().get(parent)?.children?.get(name)
		: (fields().get(`${operation}/${name}`) ?? fields().get(name));
	if (!info?.values) return;
	const list = Array.isArray(value) ? value : [value];
	for (const v of list) {
		if (!info.values.has(String(v))) {
			const allowed = [...info.values].slice(0, 12).join(', ');
			throw new FieldError(
				label(name, parent),
				`"${String(v)}" is not one of the allowed values (${allowed}${info.values.size > 12 ? ', …' : ''})`,
			);
		}
	}
}

/** The table entry of the selected operation, checked against the selected resource. */
export function selectedOperation(context: IExecuteSingleFunctions): { name: string; spec: OperationSpec } {
	const name = context.getNodeParameter('operation') as string;
	const resource = context.getNodeParameter('resource') as string;
	if (resource === CUSTOM_RESOURCE) {
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
		const mode = locatorMode(context.getNodeParameter(field, undefined));
		checkMode(field, mode);
		const value = context.getNodeParameter(field, undefined, { extractValue: true });
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

function buildBody(context: IExecuteSingleFunctions, spec: OperationSpec, timeZone: string): IDataObject | undefined {
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
		if (kind === 'enum') checkEnum(value, field, undefined, context.getNodeParameter('operation') as string);
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
	// this item's own state, seen by the response handler and by paging (see state.ts)
	const state = startItemState(this);
	const { name, spec } = selectedOperation(this);
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
			requestOptions.body = buildBody(this, spec, timeZone) ?? {};
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
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	checkBaseUrl(this, credentials.baseUrl);
	if (spec.resource === CALL_CONTROL_RESOURCE) requestOptions.baseURL = `${serverUrl(credentials.baseUrl)}/callcontrol`; // issue 18
	const { token } = await ensureToken(this, CREDENTIAL_TYPE, credentials);
	if (spec.file === 'backup') {
		const keyField = spec.params[0][1];
		await backupDownload(this, requestOptions, CREDENTIAL_TYPE, keyField, label(keyField));
	}
	state.request = { options: requestOptions, token };
	keepSecret(state.secrets, token);
	return requestOptions;
}
