'use strict';
/**
 * Which entity keys become n8n resource locators ("From list", "By ID", "By number").
 *
 * Found in the spec, not listed by hand, so that other 3CX versions get them too: an entity set
 * qualifies when it has a paged list (`GET /Set` with `$top`), its key addresses at least
 * MIN_KEYED_OPERATIONS operations (`/Set({Key})...`), and its entities have something a person can
 * recognise them by (a number or a name). `/Set(Number={Number})` adds the "By number" mode.
 */
const { singularTitle, lowerFirst } = require('./naming');

const MIN_KEYED_OPERATIONS = 3;

/** Text properties the list search filters on, when the entity has them. */
const LABEL_PROPERTIES = ['Number', 'FirstName', 'LastName', 'DisplayName', 'Name', 'Description', 'MacAddress'];

function findLocators(spec) {
	const keyed = new Map();
	const lists = new Map();
	const alternate = new Set();
	for (const { path, method, op, parameters } of spec.operations()) {
		const key = /^\/([A-Za-z0-9]+)\(\{([A-Za-z0-9_]+)\}\)/.exec(path);
		if (key) {
			if (!keyed.has(key[1])) keyed.set(key[1], { key: key[2], count: 0, parameter: undefined });
			const entry = keyed.get(key[1]);
			entry.count++;
			entry.parameter = entry.parameter || parameters.find((p) => p.in === 'path' && p.name === key[2]);
		}
		if (/^\/([A-Za-z0-9]+)\(Number=\{Number\}\)$/.test(path) && method === 'GET') alternate.add(path.slice(1, path.indexOf('(')));
		const list = /^\/([A-Za-z0-9]+)$/.exec(path);
		if (list && method === 'GET' && parameters.some((p) => p.name === '$top')) lists.set(list[1], op);
	}
	const locators = [];
	for (const [set, entry] of [...keyed.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
		if (entry.count < MIN_KEYED_OPERATIONS || !lists.has(set)) continue;
		const success = spec.successResponse(lists.get(set));
		if (!success || !success.schema) continue;
		const valueProp = spec.properties(success.schema).find((p) => p.name === 'value');
		if (!valueProp) continue;
		const items = spec.describe(valueProp.schema).items;
		if (!items || items.kind !== 'object') continue;
		const props = new Map(items.lazyProperties().map((p) => [p.name, spec.describe(p.schema)]));
		if (!props.has(entry.key)) continue;
		const text = (name) => props.has(name) && props.get(name).kind === 'string' && name !== entry.key;
		const searchable = LABEL_PROPERTIES.filter(text);
		// What a person recognises: the number, then the person's or the thing's name.
		const name = ['FirstName', 'LastName'].filter(text);
		if (!name.length) name.push(...['DisplayName', 'Name', 'Description', 'MacAddress'].filter(text).slice(0, 1));
		const labels = [...(text('Number') ? ['Number'] : []), ...name];
		if (!labels.length && !(props.get(entry.key) && props.get(entry.key).kind === 'string')) continue;
		const keyKind = spec.describe((entry.parameter && entry.parameter.schema) || {}).kind;
		const singular = singularTitle(set);
		locators.push({
			set,
			key: entry.key,
			keyKind,
			field: `${lowerFirst(singular.replace(/[^A-Za-z0-9]/g, ''))}Key`,
			displayName: singular,
			number: alternate.has(set),
			labels,
			search: [...(props.get(entry.key).kind === 'string' ? [entry.key] : []), ...searchable],
			orderBy: labels.includes('Number') ? 'Number' : labels[0] || entry.key,
		});
	}
	return locators;
}

module.exports = { findLocators };
