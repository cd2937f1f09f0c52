'use strict';
/**
 * The English of operations: each resource's name, and each operation's name, action and
 * description, from what the operation does (its role, see model.js `classify`) and the spec's
 * words. Word fixes for 3CX's identifiers (typos, abbreviations) are in naming.js; the meaning
 * of fields (descriptions, "Whether …") in texts.js. Fixing how a generated name reads touches
 * these files only.
 */
const { title, singularTitle, article, byName, displayTitle, lowerPhrase, capitalise } = require('./naming');

/** Plural acronyms that n8n's sentence case would lower-case ("SBCs" -> "sbcs"): said in words. */
const ACTION_WORDS = { IPs: 'IP addresses', SBCs: 'SBC servers', DNs: 'DN numbers', IDs: 'ID values' };

/** First words that make a function's name a verb phrase already. */
const FUNCTION_VERBS = /^(Get|Has|Is|Check|Download|Export|Generate|Test|Initialize|Retrieve|Validate|Issue|Search|List|Read)\b/;

/**
 * The sentence case n8n's linter accepts for actions: the first letter upper case, all-uppercase
 * words (AI, SIP, M365) as they are, every other word lower case (Google, OAuth and Microsoft too).
 */
function actionCase(text) {
	const words = text
		.split(' ')
		.map((w) => ACTION_WORDS[w] || w)
		.join(' ')
		.split(' ');
	return words
		.map((w, i) => {
			if (w.length > 1 && w === w.toUpperCase() && /[A-Z]/.test(w)) return w;
			const lower = w.toLowerCase();
			return i === 0 ? capitalise(lower) : lower;
		})
		.join(' ');
}

/**
 * A resource (one tag of the spec) in words, with its operations named: { name, plural, operations }.
 * Names and actions are unique within a resource: where two would read alike, they fall back to
 * the operationId's words; where even those clash, generating fails.
 */
function nameResource(tag, operations) {
	const singular = displayTitle(singularTitle(tag));
	const plural = displayTitle(title(tag));
	const ops = operations.map((o) => {
		const texts = operationTexts(o, singular, plural, tag);
		return { ...o, ...texts, action: texts.action && o.role.kind !== 'extra' ? actionCase(texts.action) : texts.action };
	});
	const counts = new Map();
	for (const o of ops) counts.set(o.name, (counts.get(o.name) || 0) + 1);
	const names = new Set();
	for (const o of ops) {
		if (counts.get(o.name) > 1) {
			const own = callTexts({ ...o, role: { kind: o.method === 'GET' ? 'function' : 'action', callName: o.operationId } }, singular, plural);
			Object.assign(o, own);
		}
		if (names.has(o.name)) throw new Error(`Duplicate operation name ${o.name} in ${tag}`);
		names.add(o.name);
	}
	const actions = new Set();
	for (const o of ops) {
		if (actions.has(o.action.toLowerCase())) throw new Error(`Duplicate action "${o.action}" in ${tag}`);
		actions.add(o.action.toLowerCase());
	}
	ops.sort((a, b) => byName(a.name, b.name));
	return { name: singular, plural, operations: ops };
}

/** "a user", "an SBC", but "my user": the article a noun takes, if any. */
function withArticle(noun) {
	return /^my\b/i.test(noun) ? noun : `${article(noun)} ${noun}`;
}

/**
 * The forms of a resource's noun an action may use: "ring group", "ring groups", and for report
 * and settings tags the thing itself ("queue performance totals" for Report Queue Performance Totals,
 * "data connector" for Data Connector Settings).
 */
function nounForms(singular, plural) {
	const forms = new Set();
	for (const n of [singular, plural].map(lowerPhrase)) {
		forms.add(n);
		const bare = n.replace(/^report /i, '').replace(/ settings?$/i, '');
		if (bare && bare !== n) forms.add(bare);
	}
	return [...forms].map((f) => f.toLowerCase());
}

function mentions(text, forms) {
	const padded = ` ${text.toLowerCase().replace(/[^a-z0-9 ]/g, ' ')} `;
	return forms.some((f) => padded.includes(` ${f.replace(/[^a-z0-9 ]/g, ' ')} `));
}

/** Name, action and description of an operation in plain English. */
function operationTexts(o, singular, plural, tag) {
	const noun = lowerPhrase(singular);
	const nouns = lowerPhrase(plural);
	const a = withArticle(noun);
	const { role } = o;
	// A root action such as POST /PurgeCalls looks like a create; it is an action of its own.
	const root = o.path.split('/')[1];
	if (role.kind === 'create' && tag && root !== tag && !/[({]/.test(o.path)) {
		return callTexts({ ...o, role: { kind: 'action', callName: root } }, singular, plural);
	}
	switch (role.kind) {
		case 'list':
			return { name: 'Get Many', action: `Get many ${nouns}`, description: `List ${nouns}` };
		case 'get':
			if (role.alternateKey) return byKeyTexts(a, role.alternateKey);
			return { name: 'Get', action: capitalise(`get ${a}`), description: capitalise(`retrieve ${a} by its key`) };
		case 'singleton':
			return { name: 'Get', action: capitalise(`get ${nouns}`), description: capitalise(`retrieve the current ${nouns}`) };
		case 'singletonUpdate':
			return { name: 'Update', action: capitalise(`update ${nouns}`), description: capitalise(`change ${nouns}; only the fields you add are sent`) };
		case 'update':
			return { name: 'Update', action: capitalise(`update ${a}`), description: capitalise(`change ${a}; only the fields you add are sent`) };
		case 'create':
			return { name: 'Create', action: capitalise(`create ${a}`), description: capitalise(`create ${a} from the fields you add`) };
		case 'delete':
			return { name: 'Delete', action: capitalise(`delete ${a}`), description: capitalise(`delete ${a} by its key`) };
		case 'navigation': {
			const what = displayTitle(title(role.navigation));
			return {
				name: `Get ${what}`,
				action: capitalise(`get ${lowerPhrase(what)} of ${a}`),
				description: capitalise(`list the ${lowerPhrase(what)} of ${a}`),
			};
		}
		case 'extra':
			return { name: role.name, action: role.action, description: role.description };
		case 'function':
		case 'action':
			return callTexts(o, singular, plural);
		default: {
			const words = displayTitle(title(o.operationId));
			return { name: words, action: capitalise(lowerPhrase(words)), description: capitalise(lowerPhrase(words)) };
		}
	}
}

/** Get by Number / Get a user by number / Retrieve a user by its number. */
function byKeyTexts(a, key) {
	const k = displayTitle(title(key));
	return { name: `Get by ${k}`, action: capitalise(`get ${a} by ${lowerPhrase(k)}`), description: capitalise(`retrieve ${a} by its ${lowerPhrase(k)}`) };
}

/**
 * A bound function or action: its name in words (fixed), an action that names the resource, and
 * a sentence saying what comes back. 'DownloadGetGetCallDistribution' on Report Call Distribution:
 * Download Call Distribution / Download call distribution / Download the call distribution report as a file.
 */
function callTexts(o, singular, plural) {
	const noun = lowerPhrase(singular);
	const nouns = lowerPhrase(plural);
	const a = withArticle(noun);
	const { role } = o;
	let name = displayTitle(title(role.callName), true);
	// A function named by what it answers ("API Token", "System Telemetry") reads "Get …".
	if (role.kind === 'function' && !FUNCTION_VERBS.test(name)) name = `Get ${name}`;
	// 3CX's old lookup functions, GET /Users/Pbx.GetByNumber(number='…'), read like the alternate key.
	const lookup = /^GetBy([A-Z][A-Za-z]*)$/.exec(role.callName);
	if (lookup && role.kind === 'function') return byKeyTexts(a, lookup[1]);
	const instance = /^\/[A-Za-z0-9]+\([^)]*\)\//.test(o.path);
	const forms = nounForms(singular, plural);
	const head = noun.split(' ').pop();
	const words = lowerPhrase(name).split(' ');
	let action;
	if (mentions(name, forms)) action = lowerPhrase(name);
	else if (instance && words.length > 1 && [head, pluralOf(head)].includes(words[words.length - 1])) {
		// "Drop call" on Active Calls: the object is the resource itself.
		action = [...words.slice(0, -1), a].join(' ');
	} else if (words.length === 1 || (words.length === 2 && /^(bulk|batch)$/.test(words[0]))) {
		// A verb alone ("Restore", "Batch delete") takes the resource as its object.
		action = `${words.join(' ')} ${instance ? a : nouns}`;
	} else action = `${words.join(' ')} ${instance ? `of ${a}` : `for ${nouns}`}`;
	action = capitalise(action);
	let description;
	if (o.file === 'download') description = `${action} as a file in the binary output field`;
	else if (role.kind === 'function') description = `${action}${o.response === 'collection' ? ', one item per result' : ''}`;
	else description = action;
	// n8n wants a description that says more than the name.
	if (description.toLowerCase() === name.toLowerCase()) {
		description = `${description} with 3CX's ${role.callName} ${role.kind === 'function' ? 'function' : 'action'}`;
	}
	return { name, action: actionCase(action), description };
}

function pluralOf(word) {
	return /(s|x|ch|sh)$/.test(word) ? `${word}es` : /[^aeiou]y$/.test(word) ? `${word.slice(0, -1)}ies` : `${word}s`;
}

module.exports = { nameResource, actionCase };
