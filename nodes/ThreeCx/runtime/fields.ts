/**
 * The generated fields as the request builder's messages and checks need them: display names (an
 * error names the field as the person sees it), allowed values of options, the modes a resource
 * locator offers. Read once from the generated description.
 */
import type { INodeProperties } from 'n8n-workflow';

import { FieldError } from '../../client';
import { generatedProperties } from '../generated/description';

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

export function fields(): Map<string, FieldInfo> {
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

export function label(name: string, parent?: string): string {
	if (parent) {
		const collection = fields().get(parent);
		const child = collection?.children?.get(name);
		return `${collection?.displayName ?? parent} > ${child?.displayName ?? name}`;
	}
	return fields().get(name)?.displayName ?? name;
}

export function checkEnum(value: unknown, name: string, parent?: string, operation?: string): void {
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

