'use strict';
/**
 * Time-ordered XAPI collections on a test XapiServer, for the 3CX Trigger's tests: CallHistoryView-
 * like sets answer `$filter=<Time> ge <bare ISO UTC>`, `$orderby=<Field> asc|desc,...`, `$top`
 * (max 100), `$skip`, `$count=true`, `$select`, and every answer carries a `Date` header (the
 * PBX's clock, which the tests can set apart from this machine's).
 *
 * Sets: Recordings (EndTime), ChatMessagesHistoryView (TimeSent), EventLogs (TimeGenerated) and
 * the call log function ReportCallLogData/Pbx.GetCallLogData(periodFrom=...,periodTo=...,...)
 * (StartTime; periodFrom/periodTo bound StartTime). Recordings/Pbx.DownloadRecording(recId=N)
 * answers a small WAV. Types: event-data.d.ts.
 */
const { collection, odataError, binary } = require('./xapi-server');

const SETS = {
	Recordings: 'EndTime',
	ChatMessagesHistoryView: 'TimeSent',
	EventLogs: 'TimeGenerated',
	CallLog: 'StartTime',
};

/** A valid 8 kHz mono 16-bit PCM WAV of `samples` samples. */
function wav(samples = 800) {
	const data = Buffer.alloc(samples * 2);
	for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin(i / 4) * 8000), i * 2);
	const head = Buffer.alloc(44);
	head.write('RIFF', 0);
	head.writeUInt32LE(36 + data.length, 4);
	head.write('WAVE', 8);
	head.write('fmt ', 12);
	head.writeUInt32LE(16, 16);
	head.writeUInt16LE(1, 20);
	head.writeUInt16LE(1, 22);
	head.writeUInt32LE(8000, 24);
	head.writeUInt32LE(16000, 28);
	head.writeUInt16LE(2, 32);
	head.writeUInt16LE(16, 34);
	head.write('data', 36);
	head.writeUInt32LE(data.length, 40);
	return Buffer.concat([head, data]);
}

function parseFilter(text, timeField) {
	if (!text) return () => true;
	const m = new RegExp(`^${timeField} (ge|gt) (\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?Z)$`).exec(String(text));
	if (!m) return null;
	const bound = Date.parse(m[2]);
	return m[1] === 'ge' ? (t) => t >= bound : (t) => t > bound;
}

function sorter(orderby) {
	const keys = String(orderby || '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean)
		.map((s) => {
			const [field, dir] = s.split(/\s+/);
			return { field, desc: /^desc$/i.test(dir || '') };
		});
	return (a, b) => {
		for (const { field, desc } of keys) {
			const x = a[field];
			const y = b[field];
			const cmp = typeof x === 'string' && typeof y === 'string' && !Number.isNaN(Date.parse(x)) ? Date.parse(x) - Date.parse(y) : x < y ? -1 : x > y ? 1 : 0;
			if (cmp) return desc ? -cmp : cmp;
		}
		return 0;
	};
}

/**
 * Installs the sets on `server` (call again after server.reset()). `clock()` gives the PBX's
 * time in ms (default: this machine's). Returns the data and a way to add records.
 */
function installEventData(server, options = {}) {
	const data = { Recordings: [], ChatMessagesHistoryView: [], EventLogs: [], CallLog: [] };
	const state = { clock: options.clock || (() => Date.now()), requests: [] };
	const dateHeader = () => ({ Date: new Date(state.clock()).toUTCString() });

	function serve(set, req, extraFilter) {
		const timeField = SETS[set];
		const match = parseFilter(req.query.$filter, timeField);
		if (!match) return odataError(400, `The trigger test data only understands "$filter=${timeField} ge <date>", got ${req.query.$filter}`);
		let list = data[set].filter((r) => match(Date.parse(r[timeField])) && (!extraFilter || extraFilter(r)));
		if (req.query.$orderby) list = [...list].sort(sorter(req.query.$orderby));
		const answer = collection(list)(req);
		answer.headers = { ...(answer.headers || {}), ...dateHeader() };
		return answer;
	}

	server.get('/Recordings', (req) => serve('Recordings', req));
	server.get('/ChatMessagesHistoryView', (req) => serve('ChatMessagesHistoryView', req));
	server.get('/EventLogs', (req) => serve('EventLogs', req));
	server.get(/^\/xapi\/v1\/ReportCallLogData\/Pbx\.GetCallLogData\(/, (req) => {
		const m = /periodFrom=([^,]+),periodTo=([^,]+),/.exec(req.apiPath || '');
		if (!m) return odataError(400, 'periodFrom and periodTo are required');
		const from = Date.parse(m[1]);
		const to = Date.parse(m[2]);
		if (Number.isNaN(from) || Number.isNaN(to) || /'/.test(m[1]) || /'/.test(m[2])) return odataError(400, `bad period ${m[1]} / ${m[2]}`);
		return serve('CallLog', req, (r) => Date.parse(r.StartTime) >= from && Date.parse(r.StartTime) <= to);
	});
	server.get(/^\/xapi\/v1\/Recordings\/Pbx\.DownloadRecording\(recId=(\d+)\)$/, (req) => {
		const id = Number(/recId=(\d+)/.exec(req.apiPath)[1]);
		if (!data.Recordings.some((r) => r.Id === id)) return odataError(404, 'Recording not found');
		const answer = binary(wav(), 'audio/wav', { filename: `recording-${id}.wav` });
		answer.headers = { ...(answer.headers || {}), ...dateHeader() };
		return answer;
	});

	return {
		data,
		state,
		setClock(fn) {
			state.clock = fn;
		},
		add(set, records) {
			if (!data[set]) throw new Error(`unknown set ${set}`);
			data[set].push(...records);
			return records;
		},
	};
}

module.exports = { installEventData, wav, SETS };
