'use strict';
/** Turning spec identifiers into the English n8n shows: Title Case names, sentence-case actions. */
const pluralize = require('pluralize');

const ACRONYMS = new Map(
	Object.entries({
		id: 'ID',
		ids: 'IDs',
		url: 'URL',
		uri: 'URI',
		json: 'JSON',
		api: 'API',
		sms: 'SMS',
		ip: 'IP',
		dn: 'DN',
		dns: 'DNs',
		did: 'DID',
		sip: 'SIP',
		crm: 'CRM',
		cdr: 'CDR',
		pbx: 'PBX',
		mac: 'MAC',
		mcp: 'MCP',
		sla: 'SLA',
		ssl: 'SSL',
		sbc: 'SBC',
		sbcs: 'SBCs',
		db: 'DB',
		fqdn: 'FQDN',
		ivr: 'IVR',
		fxs: 'FXS',
		oauth: 'OAuth',
		xapi: 'XAPI',
		sftp: 'SFTP',
		ftp: 'FTP',
		smtp: 'SMTP',
		mfa: 'MFA',
		tts: 'TTS',
		ai: 'AI',
		iam: 'IAM',
	}),
);

/** 'AISettings' -> ['AI', 'Settings']; 'OAuthClients' -> ['OAuth', 'Clients']; 'periodFrom' -> ['period', 'From']. */
function words(identifier) {
	const spaced = String(identifier)
		.replace(/^Pbx\./, '')
		.replace(/OAuth/g, ' Oauth ')
		.replace(/[_.\-\s]+/g, ' ')
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
		.trim();
	return spaced.split(/\s+/).filter(Boolean);
}

function fixWord(word) {
	const acronym = ACRONYMS.get(word.toLowerCase());
	return acronym || word;
}

/** Title Case with n8n's casing of ID, URL, JSON and the like: 'AuthID' -> 'Auth ID'. */
function title(identifier) {
	return words(identifier)
		.map((w) => fixWord(w))
		.map((w) => (/^[a-z]/.test(w) ? w[0].toUpperCase() + w.slice(1) : w))
		.join(' ');
}

function isAcronym(word) {
	return word.length > 1 && word === word.toUpperCase();
}

/** Sentence case that n8n's linter accepts: acronyms stay upper case, other words go lower case. */
function sentence(text) {
	let first = true;
	return text
		.split(' ')
		.filter(Boolean)
		.map((w) => {
			if (isAcronym(w)) return w;
			const lower = w.toLowerCase();
			if (!first) return lower;
			first = false;
			return lower[0].toUpperCase() + lower.slice(1);
		})
		.join(' ');
}

/** The order n8n's linter wants for options: by display name, as String.prototype.localeCompare sorts. */
function byName(a, b) {
	return a.localeCompare(b, 'en');
}

function singularTitle(identifier) {
	const parts = title(identifier).split(' ');
	const last = parts[parts.length - 1];
	// "Data" stays: n8n's linter accepts it, and "Datum" is not what anyone calls call-log data.
	if (!isAcronym(last) && !/data$/i.test(last) && pluralize.isPlural(last) && pluralize.singular(last) !== last) {
		parts[parts.length - 1] = pluralize.singular(last);
	}
	return parts.join(' ');
}

function lowerFirst(s) {
	return s ? s[0].toLowerCase() + s.slice(1) : s;
}

/** 'a' or 'an' before a phrase, by its sound as far as a generator can tell. */
function article(phrase) {
	const first = phrase.split(' ')[0];
	if (isAcronym(first)) return /^[AEFHILMNORSX]/.test(first) ? 'an' : 'a';
	// "a user", "a unit", "a one-off": a vowel letter that sounds like "you" or "won" takes "a".
	if (/^(us|uni|ur|eu|one)/i.test(first)) return 'a';
	return /^[aeiou]/i.test(first) ? 'an' : 'a';
}

module.exports = { words, title, sentence, singularTitle, lowerFirst, article, byName };
