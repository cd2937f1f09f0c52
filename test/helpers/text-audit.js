'use strict';
/**
 * The text audit of issue 12: what the node's description shows a person (or an AI agent), counted.
 * Pure functions over the built description (`new ThreeCx().description`) and the generated
 * runtime table; `node scripts/text-figures.js` prints the figures, test/texts.test.ts asserts them.
 */

/** Words n8n's Title Case keeps lower case inside a name ("Get by Number"). */
const SMALL_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'from', 'in', 'of', 'on', 'or', 'the', 'to', 'with', 'per', 'via']);

/**
 * Fragments of 3CX's operationIds that are not English: typos, abbreviations and split words
 * that a name must not pass through ("Ge Crmt Templates", "Queue An Un Calls", "Prov Link").
 */
const RAW_FRAGMENTS = [
	/\bGe\b/,
	/\bCrmt\b/,
	/\bAn Un\b/i,
	/\bRetreive\b/i,
	/\bProv\b/i,
	/\bDir\b/,
	/\bIfaces\b/i,
	/\bMcu\b/,
	/\bIps\b/,
	/\bSbcs\b|\bsbcs\b/,
	/\bOauth\b/,
	/[a-z]365\b/,
	/\bUp Down\b/i,
	/\bGet Get\b/i,
	/\bDownload Get\b/i,
	/\bRead (download|generate|export|has|is|check|test|init|partner)\b/i,
];

/**
 * @typedef {import('n8n-workflow').INodePropertyOptions & { resource: string, action: string, description: string }} OperationOption
 * @typedef {import('n8n-workflow').INodeProperties & { parent?: import('n8n-workflow').INodeProperties }} Parameter
 */

/**
 * Every operation of the description, with its resource.
 * @param {import('n8n-workflow').INodeTypeDescription} description
 * @returns {OperationOption[]}
 */
function operationOptions(description) {
	/** @type {any[]} */
	const out = [];
	for (const p of description.properties) {
		if (p.name !== 'operation') continue;
		const resource = p.displayOptions.show.resource[0];
		for (const o of p.options) out.push({ resource, ...o });
	}
	return out;
}

function resourceNames(description) {
	const resource = description.properties.find((p) => p.name === 'resource');
	return new Map(resource.options.map((o) => [o.value, o.name]));
}

/** A name's words, repeated case-insensitively (small words such as "by" may repeat). */
function repeatedWords(name) {
	const seen = new Set();
	const repeated = new Set();
	for (const word of name.toLowerCase().split(/\s+/)) {
		if (SMALL_WORDS.has(word)) continue;
		if (seen.has(word)) repeated.add(word);
		seen.add(word);
	}
	return [...repeated];
}

/** Capitalised small words inside a name ("Get By Number") and the fragments above. */
function rawFragments(name) {
	const found = [];
	const words = name.split(/\s+/);
	words.forEach((w, i) => {
		if (i > 0 && SMALL_WORDS.has(w.toLowerCase()) && w !== w.toLowerCase()) found.push(w);
	});
	for (const re of RAW_FRAGMENTS) {
		const m = re.exec(name);
		if (m) found.push(m[0]);
	}
	return found;
}

/** The resource's noun as an action would say it: 'Ring Group' -> ['ring group', 'ring groups']. */
function nounForms(resourceName) {
	const forms = new Set();
	const name = resourceName.toLowerCase();
	// Reports and settings are named for what they hold: "Report Call Log Data" -> "call log data".
	for (const singular of [name, name.replace(/^report /, '').replace(/ settings?$/, '')]) {
		forms.add(singular);
		if (/[^aeiou]y$/.test(singular)) forms.add(`${singular.slice(0, -1)}ies`);
		else if (/(s|x|ch|sh)$/.test(singular)) forms.add(`${singular}es`);
		forms.add(`${singular}s`);
		forms.add(singular.replace(/s$/, ''));
	}
	return [...forms].filter(Boolean);
}

function mentionsNoun(text, resourceName) {
	const lower = ` ${text.toLowerCase().replace(/[^a-z0-9 ]/g, ' ')} `;
	return nounForms(resourceName).some((form) => lower.includes(` ${form.replace(/[^a-z0-9 ]/g, ' ')} `));
}

/**
 * Every field a person fills in: top-level parameters and the options of collections.
 * @param {import('n8n-workflow').INodeTypeDescription} description
 * @returns {Parameter[]}
 */
function parameters(description) {
	const skip = new Set(['resource', 'operation']);
	/** @type {any[]} */
	const out = [];
	for (const p of description.properties) {
		if (skip.has(p.name)) continue;
		if (p.type === 'collection' || p.type === 'fixedCollection') {
			for (const child of p.options || []) out.push({ parent: p, ...child });
		} else out.push(p);
	}
	return out;
}

function jsonFields(description) {
	return parameters(description).filter((p) => p.type === 'json');
}

/**
 * A JSON field shows a shape when its placeholder or description has a JSON object or array with keys or items.
 * @param {{ placeholder?: string, description?: string, hint?: string }} field
 */
function showsShape(field) {
	const texts = [field.placeholder, field.description, field.hint].filter((t) => typeof t === 'string');
	return texts.some((t) => /[{[]\s*"[A-Za-z0-9_@.]+"\s*:/.test(t) || /\[\s*("|-?\d|true|false|\{)/.test(t));
}

/** The label in words, lower case, for "says nothing beyond its label". */
function labelWords(p) {
	return String(p.displayName).toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

function saysMoreThanLabel(p) {
	const text = [p.description, p.hint].filter((t) => typeof t === 'string' && t.trim()).join(' ');
	if (!text) return false;
	const d = text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
	return d !== labelWords(p) && d !== `the ${labelWords(p)}`;
}

/**
 * The figures of issue 12. `operations` is the generated runtime table (for file downloads).
 * Each figure comes with the offending entries, so that a test can print them.
 * @param {import('n8n-workflow').INodeTypeDescription} description
 * @param {Record<string, { file?: string }>} operations
 */
function auditTexts(description, operations) {
	const ops = operationOptions(description);
	const resources = resourceNames(description);
	const stutter = ops.filter((o) => repeatedWords(o.name).length);
	const raw = ops.filter((o) => rawFragments(o.name).length || rawFragments(o.action).length);
	const parenthesised = ops.filter((o) => /\([^)]*\)\s*$/.test(o.description));
	const noNoun = ops.filter((o) => !mentionsNoun(o.action, resources.get(o.resource)));
	const byResource = new Map();
	for (const o of ops) {
		const key = `${o.resource}\u0000${o.action.toLowerCase()}`;
		byResource.set(key, [...(byResource.get(key) || []), o]);
	}
	const duplicateInResource = [...byResource.values()].filter((l) => l.length > 1).flatMap((l) => l.slice(1));
	const byAction = new Map();
	for (const o of ops) byAction.set(o.action.toLowerCase(), [...(byAction.get(o.action.toLowerCase()) || []), o]);
	const duplicateInNode = [...byAction.values()].filter((l) => l.length > 1).flatMap((l) => l.slice(1));
	const params = parameters(description);
	const json = jsonFields(description);
	const jsonWithoutShape = json.filter((f) => !showsShape(f));
	const jsonWithDefault = json.filter((f) => !f.required && f.default !== '' && f.default !== undefined);
	const labelOnly = params.filter((p) => !saysMoreThanLabel(p));
	const booleans = params.filter((p) => p.type === 'boolean');
	const booleansWithoutWhether = booleans.filter((p) => !/^Whether\b/.test(p.description || ''));
	const downloads = Object.entries(operations)
		.filter(([, spec]) => spec.file === 'download')
		.map(([value]) => value);
	const paging = description.properties.filter((p) => p.name === 'returnAll' || p.name === 'limit');
	const downloadsWithReturnAll = downloads.filter((value) =>
		paging.some((p) => (p.displayOptions?.show?.operation || []).includes(value)),
	);
	return {
		operations: ops.length,
		stutter,
		raw,
		parenthesised,
		noNoun,
		duplicateInResource,
		duplicateInNode,
		parameters: params.length,
		labelOnly,
		json: json.length,
		jsonWithoutShape,
		jsonWithDefault,
		booleans: booleans.length,
		booleansWithoutWhether,
		downloads: downloads.length,
		downloadsWithReturnAll,
	};
}

module.exports = { auditTexts, repeatedWords, rawFragments, mentionsNoun, showsShape, operationOptions, parameters };
