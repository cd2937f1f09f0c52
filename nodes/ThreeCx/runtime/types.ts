/**
 * Shapes of the generated runtime table (generated/operations.ts). The generator writes it; the
 * request builder reads it to put every value on the wire in XAPI's exact OData format.
 */

import type { WireKind } from '../../client';

/**
 * A path or function parameter: the `{placeholder}` in the path, the node field, the kind, and 1
 * when the spec lets it be empty (nullable strings go as `''`).
 */
export type PathParam = [placeholder: string, field: string, kind: WireKind, nullable: 0 | 1];

/** An action parameter: the JSON body key, the node field, the kind, 1 when it must have a value. */
export type BodyParam = [key: string, field: string, kind: WireKind, required: 0 | 1];

/** A query parameter other than the OData `$` options: the name, the node field, the kind, 1 when it may be left out. */
export type QueryParam = [name: string, field: string, kind: WireKind, optional: 0 | 1];

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface OperationSpec {
	/** The resource (tag) the operation belongs to. */
	resource: string;
	method: HttpMethod;
	/** The spec's path template, e.g. `/Users({Id})` or `/Fax/Pbx.InitFax()`. */
	path: string;
	params: PathParam[];
	/** Entity writes send the fields of a body collection; actions send their parameters. */
	body?: { collection: string } | { params: BodyParam[] };
	/** Query parameters other than the OData `$` options (none in 20.0.10, kept for other specs). */
	query?: QueryParam[];
	/** `collection`: `{ value: [...] }`, one item per element; `none`: the spec declares no body. */
	response: 'collection' | 'entity' | 'none';
	/** The operation takes `$top`/`$skip`, so Return All and Limit apply. */
	paged?: boolean;
	/**
	 * Files: `download` may answer a file (Download*, Export* calls), `upload` sends a binary field
	 * as multipart (custom prompts), `backup` downloads a backup by name. Absent for JSON-only operations.
	 */
	file?: 'download' | 'upload' | 'backup';
	/** Not in the spec (generator/extras.js). */
	extra?: boolean;
	/** The options collection (query options, headers) the operation shows. */
	options?: string;
	/** The entity schema the answer carries, for the Fields ($select) and Expand choices. */
	entity?: string;
}

export type OperationTable = Record<string, OperationSpec>;

/** Per body collection, the fields that are not plain text: JSON text, dates, numbers, booleans. */
export type BodyFieldKinds = Record<string, Record<string, 'json' | 'date' | 'int' | 'num' | 'bool'>>;

/** A key picked with a resource locator (From list / By ID / By number). */
export interface LocatorSpec {
	/** The entity set, e.g. `Users`. */
	set: string;
	/** Its key property, e.g. `Id`. */
	key: string;
	/** Name of the node's list search method for this set. */
	search: string;
	/** Whether `/Set(Number='...')` addresses an entity (the "By number" mode). */
	number: boolean;
	/** Properties that make up the name shown in the list. */
	labels: string[];
	/** String properties the list search filters on. */
	filter: string[];
	orderBy: string;
}

export type LocatorTable = Record<string, LocatorSpec>;

/** Per entity schema: plain properties ($select) and navigation properties ($expand), sorted. */
export type EntityPropertyTable = Record<string, { properties: string[]; navigation: string[] }>;
