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

/**
 * Word fixes for what n8n shows: 3CX's operationIds carry typos, abbreviations and doubled verbs
 * ("DownloadGetGetCallDistribution", "GeCrmtTemplates", "QueueAnUnCalls") that a name must not
 * pass through. Applied to Title Case display texts only, never to field or option values.
 */
/** @type {Array<[RegExp, string]>} */
const PHRASE_FIXES = [
	[/\bDownload Get(?: Get)*\b/g, 'Download'],
	[/\bGe Crmt Templates\b/g, 'Get CRM Templates'],
	[/\bAn Un\b/g, 'Answered and Unanswered'],
	[/\bRetreive\b/g, 'Retrieve'],
	[/\bProv\b/g, 'Provisioning'],
	[/\bDir\b/g, 'Directory'],
	[/\bIfaces\b/g, 'Network Interfaces'],
	[/\bMcu\b/g, 'MCU'],
	[/\bIps\b/g, 'IPs'],
	[/\bSbcs\b/g, 'SBCs'],
	[/\bOpen AI\b/g, 'OpenAI'],
	[/\bMicrosoft365\b/g, 'Microsoft 365'],
	[/\bInit\b/g, 'Initialize'],
	[/\bStats\b/g, 'Statistics'],
	[/\bDefs\b/g, 'Definitions'],
	[/\bDef\b/g, 'Definition'],
	[/\bMove Up Down\b/g, 'Move Up or Down'],
	[/\bMulti User Update\b/g, 'Update Multiple Users'],
	[/\bMulti Delete Greeting\b/g, 'Delete Multiple Greetings'],
	[/^Bulk (.+) (Delete|Archive)$/g, 'Bulk $2 $1'],
	// Resource names: "Report Abandoned Chats Statistics" is one report, not many statistics.
	[/\b(Statistic|Total)$/g, '$1s'],
];

/** Fixes for operation names only: a name that is only a noun or an adjective. */
/** @type {Array<[RegExp, string]>} */
const OPERATION_FIXES = [
	[/^Backup$/g, 'Create Backup'],
	[/^Get Active$/g, 'Get Active Prompt Set'],
	[/^Set Active$/g, 'Activate Prompt Set'],
];

/** Proper nouns that stay capitalised inside a sentence. */
const PROPER_NOUNS = new Set(['Google', 'Microsoft', 'Debian', 'Amazon', 'Teams', 'Azure', 'Outlook', 'Windows', 'Linux']);

/** Words n8n's Title Case keeps lower case inside a name: "Get by Number". */
const SMALL_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'from', 'in', 'of', 'on', 'or', 'the', 'to', 'with', 'per', 'via']);

/**
 * A Title Case text as n8n shows it: word fixes applied, a word said twice in a row said once,
 * small words lower case after the first ('Download Get Get Call Distribution' -> 'Download Call Distribution').
 */
function displayTitle(text, operation = false) {
	let out = String(text);
	for (const [re, to] of operation ? [...PHRASE_FIXES, ...OPERATION_FIXES] : PHRASE_FIXES) out = out.replace(re, to);
	const kept = [];
	for (const w of out.split(' ').filter(Boolean)) {
		if (kept.length && kept[kept.length - 1].toLowerCase() === w.toLowerCase()) continue;
		kept.push(kept.length && SMALL_WORDS.has(w.toLowerCase()) ? w.toLowerCase() : w);
	}
	return kept.join(' ');
}

/** Lower case for use inside a sentence, keeping acronyms and mixed-case words (OAuth, IPs, SBCs). */
function lowerPhrase(phrase) {
	return String(phrase)
		.split(' ')
		.map((w) => (PROPER_NOUNS.has(w) || /[A-Z]/.test(w.slice(1)) || (/^[A-Z]/.test(w) && /\d/.test(w)) ? w : w.toLowerCase()))
		.join(' ');
}

/** First letter upper case, the rest as it is. */
function capitalise(text) {
	return text ? text[0].toUpperCase() + text.slice(1) : text;
}

module.exports = {
	words,
	title,
	sentence,
	singularTitle,
	lowerFirst,
	article,
	byName,
	displayTitle,
	lowerPhrase,
	capitalise,
	SMALL_WORDS,
};
