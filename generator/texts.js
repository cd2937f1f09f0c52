'use strict';
/**
 * The English of fields: what a parameter means, beyond its label: n8n's "Whether …" for booleans, the format of dates
 * and durations, and what 3CX's integer-coded report filters mean where the spec or public use of
 * XAPI says it. The spec itself describes almost none of its parameters, so the meanings below
 * are a table; where a meaning is only seen in public scripts (not in 3CX's spec) the text says so.
 */
const { lowerPhrase, capitalise } = require('./naming');

const DATE = "ISO 8601 date and time, e.g. 2025-01-31T08:00:00Z; without an offset it is read in the workflow's time zone";
const DURATION = 'Duration as H:mm:ss, e.g. 0:00:20 (public XAPI scripts send 0:00:0)';
const CODE = (what, zero) =>
	`Integer code of ${what}; 0 = ${zero}, as public XAPI scripts send it; 3CX's spec gives no meaning for the other codes`;

/** Function parameters of 3CX's reports and actions, by their name in the spec. */
const PARAMETER_NOTES = {
	sourceType: CODE('who made the call', 'any source'),
	destinationType: CODE('who received the call', 'any destination'),
	callsType: `${CODE('which calls to include', 'all calls')} (one public script uses 1 = answered, 2 = unanswered: unverified)`,
	callTimeFilterType: CODE('the call-duration filter', 'no duration filter'),
	callTimeFilterFrom: DURATION,
	callTimeFilterTo: DURATION,
	waitInterval: `Waiting-time threshold: ${DURATION}`,
	answerInterval: `Answer-time threshold: ${DURATION}`,
	callArea: CODE('the call area', 'all'),
	callClass: CODE('the call class', 'all'),
	participantType: CODE('the chat participant type', 'all'),
	groupingType: "Integer code of how the report groups its rows (the console's grouping choice); 3CX's spec does not say which code is which",
	chatType: "Integer code of the chat type; 3CX's spec does not say which code is which",
	fromType: "Integer code of the sender's type; 3CX's spec does not say which code is which",
	toType: "Integer code of the recipient's type; 3CX's spec does not say which code is which",
	clientTimeZone: 'IANA time zone name the report uses for its times, e.g. Europe/Berlin or Etc/GMT',
	queueDnStr: 'Queue number (DN), e.g. 800; several comma-separated',
	queueDns: 'Queue numbers (DNs), e.g. 800; several comma-separated',
	ringGroupDns: 'Ring group numbers (DNs), e.g. 700; several comma-separated',
	agentDnStr: 'Agent extension number (DN), e.g. 100; several comma-separated',
	trunkDns: 'Trunk numbers (DNs), e.g. 10000; several comma-separated',
	groupNumber: "Group number, e.g. GRP0000 (the group's Number)",
	groupFilter: "Group number to report on, e.g. GRP0000 (the group's Number)",
	chartBy: 'What the chart is grouped by (text); 3CX\'s spec lists no values',
	severity: 'Severity to list, e.g. All',
	grantPeriodDays: 'How many days the remote help access is granted for, e.g. 30',
	days: 'Number of days',
	recId: "ID of the recording (its ID in Recordings)",
	userId: "ID of the user (its ID in Users)",
	up: 'Whether to move the rule up (on) or down (off)',
	hidePcalls: "Whether to hide the 'P' (internal, parked or transferred) call segments; the spec does not define P-calls",
};

const BOOL_VERBS = new Set(
	'enable disable allow include hide show use require send block record notify ignore skip keep force delete remove reset apply override publish push play accept reject limit restrict bypass encrypt compress sync store log mute ring announce deny auto reprovision strict test call exclude forward replace overwrite disconnect transcribe start stop collect check verify authenticate join attach validate update create prompt'.split(
		' ',
	),
);
const STATES = 'enabled|disabled|allowed|required|visible|hidden|active|locked|blocked|selected|default|mandatory|supported|configured|connected|registered|available|used|set|on|off|concealed';

/** n8n's wording for a boolean: 'Include Queue Calls' -> 'Whether to include queue calls'. */
function whether(label) {
	const w = lowerPhrase(String(label).replace(/\b(Require|Enable)2 FA\b/g, '$1 2FA'))
		.replace(/\s+/g, ' ')
		.trim();
	let m;
	if ((m = new RegExp(`^is (.+) (${STATES})$`).exec(w))) return `Whether ${m[1]} is ${m[2]}`;
	if ((m = /^(is|has|can|should|must|was) (.+)$/.exec(w))) return `Whether it ${m[1]} ${m[2]}`;
	if ((m = new RegExp(`^(.+) (${STATES})$`).exec(w))) return `Whether ${m[1]} is ${m[2]}`;
	if (new RegExp(`^(${STATES})$`).test(w)) return `Whether it is ${w}`;
	if (BOOL_VERBS.has(w.split(' ')[0])) return `Whether to ${w}`;
	return `Whether ${w} is on`;
}

/** Meaning of a top-level field (a function or action parameter), or undefined. */
function parameterNote(specName) {
	return Object.prototype.hasOwnProperty.call(PARAMETER_NOTES, specName) ? PARAMETER_NOTES[specName] : undefined;
}

/** Unit of an integer entity field, from its name (AutoDeleteRecordingDays -> days), or undefined. */
function unitNote(name) {
	const m = /(Seconds|Secs|Sec|Minutes|Mins|Hours|Days|Weeks|Months|Ms|Milliseconds|Percent|Kb|Mb|Gb)$/.exec(name);
	if (!m) return undefined;
	const unit = { Secs: 'seconds', Sec: 'seconds', Mins: 'minutes', Ms: 'milliseconds', Kb: 'kilobytes', Mb: 'megabytes', Gb: 'gigabytes' }[m[1]] || m[1].toLowerCase();
	return `In ${unit}`;
}

/** The description a function or action's JSON body parameter starts from, or undefined. */
function describeBodyParam(d) {
	if (d.kind === 'array') return 'JSON array';
	if (d.kind === 'object') return d.name ? `JSON object (${d.name.replace(/^Pbx\./, '')})` : 'JSON object';
	return undefined;
}

/** The description of a top-level field (fields.js FieldRegistry), or undefined. */
function fieldDescription(field) {
	const parts = [];
	const note = parameterNote(field.specName);
	if (field.kind === 'boolean') return note && /^Whether/.test(note) ? note : whether(field.displayName);
	if (note) parts.push(note);
	else if (field.kind === 'datetime') parts.push(DATE);
	else if (field.kind === 'guid') parts.push('A GUID, e.g. 0f8fad5b-d9cb-469f-a165-70867728950e');
	else if (field.kind === 'object') parts.push(field.description || 'JSON object');
	else if (field.kind === 'array') parts.push('JSON array');
	else if (field.kind === 'string' && /^(number|dn|dnNumber|extension|groupNumber|extensionDns)$/i.test(field.specName)) {
		parts.push(/s$/.test(field.specName) ? 'Extension numbers, comma-separated, e.g. 100,101' : 'Extension number, e.g. 100');
	} else if (field.kind === 'integer' && unitNote(field.specName)) parts.push(unitNote(field.specName));
	if (!field.required) {
		parts.push(field.usage.has('path') ? "may be empty (sent as '')" : 'leave empty to send nothing');
	}
	return parts.length ? capitalise(parts.join('; ')) : undefined;
}

/** What an entity field (a body collection option, fields.js bodyCollection) means beyond its label, or undefined. */
function optionDescription(o) {
	if (o.jsonExample) return undefined;
	if (o.control.type === 'boolean') return whether(o.displayName);
	if (o.kind === 'datetime') return DATE;
	if (o.kind === 'integer' || o.kind === 'number') return unitNote(o.name);
	return undefined;
}

/** The description of a JSON field, whose example is in its hint. */
function jsonFieldDescription(field) {
	const kind = field.kind === 'array' ? 'JSON array' : 'JSON object';
	return `${kind}${field.required ? ' (shape below)' : ' (shape below); leave empty to send nothing'}`;
}

/** The hint under a body collection's JSON option: what it is and an example. */
function jsonOptionHint(o) {
	return `${o.kind === 'array' ? 'JSON array' : 'JSON object'}, e.g. ${o.jsonExample}`;
}

module.exports = { whether, parameterNote, unitNote, DATE, describeBodyParam, fieldDescription, optionDescription, jsonFieldDescription, jsonOptionHint };
