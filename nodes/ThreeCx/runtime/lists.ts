/**
 * What the editor asks the node while a person fills it in: the searchable lists behind every
 * resource locator ("From list"), and the choices of the Fields ($select) and Expand options.
 * List searches are real XAPI queries with the user's credential: $filter/$orderby, paged with
 * $top/$skip.
 */
import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodePropertyOptions,
} from 'n8n-workflow';

import { entityProperties, locators, operations } from '../generated/operations';
import { generatedFrom, quoteString, xapiJson } from '../../client';
import type { LocatorSpec } from './types';

export const LIST_PAGE_SIZE = 50;

function labelOf(entity: IDataObject, locator: LocatorSpec): string {
	const parts = locator.labels.map((name) => entity[name]).filter((v) => v !== undefined && v !== null && v !== '');
	const key = String(entity[locator.key] ?? '');
	if (!parts.length) return key;
	const [first, ...rest] = parts.map(String);
	// "100 Ann Lee" reads better as "Ann Lee (100)" when the first label is the extension number.
	return locator.labels[0] === 'Number' && rest.length ? `${rest.join(' ')} (${first})` : [first, ...rest].join(' ');
}

/** The OData filter for what the person typed: contains() on each searchable text property. */
export function searchFilter(text: string, fields: string[]): string | undefined {
	const term = text.trim();
	if (!term || !fields.length) return undefined;
	return fields.map((field) => `contains(${field},${quoteString(term)})`).join(' or ');
}

async function searchSet(
	context: ILoadOptionsFunctions,
	locator: LocatorSpec,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const skip = Number(paginationToken ?? 0) || 0;
	const qs: IDataObject = {
		$top: LIST_PAGE_SIZE,
		$skip: skip,
		$select: [...new Set([locator.key, ...locator.labels])].join(','),
		$orderby: locator.orderBy,
	};
	const odataFilter = searchFilter(filter ?? '', locator.filter);
	if (odataFilter) qs.$filter = odataFilter;
	// the client's token discipline and error mapping (a 401 renews the shared token once)
	const body = await xapiJson(context, { method: 'GET', path: `/${locator.set}`, qs, builtFrom: generatedFrom });
	const entities = Array.isArray(body?.value) ? (body.value as IDataObject[]) : [];
	return {
		results: entities.map((entity) => ({ name: labelOf(entity, locator), value: String(entity[locator.key]) })),
		paginationToken: entities.length === LIST_PAGE_SIZE ? String(skip + LIST_PAGE_SIZE) : undefined,
	};
}

type ListSearch = (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) => Promise<INodeListSearchResult>;

/** One list search per entity set with a resource locator, named as the generated fields expect. */
export const listSearch: Record<string, ListSearch> = Object.fromEntries(
	Object.values(locators).map((locator) => [
		locator.search,
		async function (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) {
			return await searchSet(this, locator, filter, paginationToken);
		},
	]),
);

function propertyOptions(context: ILoadOptionsFunctions, navigation: boolean): INodePropertyOptions[] {
	const operation = context.getCurrentNodeParameter('operation') as string;
	const schema = operations[operation]?.entity;
	const entity = schema ? entityProperties[schema] : undefined;
	if (!entity) return [];
	const names = navigation ? entity.navigation : entity.properties;
	return names.map((name) => ({ name, value: name }));
}

export const loadOptions = {
	/** Properties of the entity the selected operation answers with ($select). */
	async getSelectFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return propertyOptions(this, false);
	},
	/** Related entities the selected operation can include ($expand). */
	async getExpandFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return propertyOptions(this, true);
	},
};
