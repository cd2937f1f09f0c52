'use strict';
/**
 * The simulated 3CX's data: entity sets (rows keyed by `Id`, `FileName` for Backups) served with
 * OData CRUD and query options, the navigation collections inside them (`Queues(1)/Agents`,
 * `RingGroups(1)/Members`, `Groups(1)/Members`, `Users(1)/Groups`), the functions the demo needs
 * (`ReportCallLogData/Pbx.GetCallLogData(...)`, `Recordings/Pbx.DownloadRecording(recId=N)`, …) and
 * backup files behind their `DownloadLink`.
 *
 * `handle(req, sim)` answers a recorded API request or returns undefined (not ours).
 */
const { ODataError, parseArguments, splitTopLevel, applyQuery, DATE_TIME_RE } = require('./odata');
const { json, created, noContent, odataError, binary, xapiWarning } = require('./responses');

const KEYS = { Backups: 'FileName' };
/**
 * Fields kept with the rows but not served. Pbx.CallHistoryView has no CallId in the spec; a
 * segment may carry one (demo data does) so the call log can group segments into calls.
 */
const HIDDEN = { CallHistoryView: ['CallId'] };
/** Sets the call log is computed from: CallHistoryView segments grouped per call, plus rows added to ReportCallLogData. */
const CALL_LOG_SET = 'ReportCallLogData';
/** Operation ids the store can name without the spec (the spec's own ones; checked by test/xapi-server.test.ts). */
const USER_OPS = { list: 'ListUser', get: 'GetUser', byNumber: 'GetUserByNumber', create: 'CreateUser', update: 'UpdateUser', delete: 'DeleteUser' };

function clone(x) {
	return x === undefined ? undefined : JSON.parse(JSON.stringify(x));
}

function notFound(target = 'Id') {
	return odataError(404, 'Not found', [{ code: '', message: 'WARNINGS.XAPI.NOT_FOUND', target }]);
}

function isoDuration(seconds) {
	const s = Math.max(0, Math.round(seconds));
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	const r = s % 60;
	return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${r || (!h && !m) ? `${r}S` : ''}`;
}

/** One segment of a path below /xapi/v1: `Users(29)` -> { name: 'Users', args: { '': 29 } }. */
function parseSegment(text) {
	const m = /^([A-Za-z_$][\w.$]*)(?:\((.*)\))?$/s.exec(text);
	if (!m) return null;
	return { name: m[1], call: m[2] !== undefined, args: m[2] !== undefined ? parseArguments(m[2]) : undefined };
}

class Store {
	/** `sets`: { SetName: rows[] }; `files`: { 'backup file name': Buffer } served behind DownloadLink. */
	constructor(sets = {}, files = {}) {
		this.initial = { sets: clone(sets), files: { ...files } };
		/** @type {import('./call-log').CallLog | undefined} the call log placed by scenario (call-log.js), set by the server */
		this.callLogSource = undefined;
		this.reset();
	}

	reset() {
		this.sets = new Map(Object.entries(clone(this.initial.sets)));
		this.files = new Map(Object.entries(this.initial.files));
		this.wav = this.initial.files['*.wav'];
		return this;
	}

	get enabled() {
		return this.sets.size > 0 || !!(this.callLogSource && this.callLogSource.entries.length);
	}

	rows(set) {
		if (!this.sets.has(set)) this.sets.set(set, []);
		return this.sets.get(set);
	}

	keyOf(set) {
		return KEYS[set] || 'Id';
	}

	/**
	 * Adds records to a set (created if missing). Rows without their key get the next Id (integer
	 * keys). Returns the added rows (copies as stored).
	 */
	addRecords(set, records) {
		if (!/^[A-Za-z][\w]*$/.test(String(set))) throw new Error(`addRecords: '${set}' is not an entity set name`);
		const list = Array.isArray(records) ? records : [records];
		const rows = this.rows(set);
		const key = this.keyOf(set);
		const added = [];
		for (const r of list) {
			if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new Error(`addRecords(${set}): every record must be an object`);
			const row = clone(r);
			if (row[key] === undefined && key === 'Id' && set !== 'CallHistoryView' && set !== CALL_LOG_SET && !/HistoryView$/.test(set)) {
				row.Id = rows.reduce((max, x) => (typeof x.Id === 'number' && x.Id > max ? x.Id : max), 0) + 1;
			}
			if (set === 'CallHistoryView' && row.SegmentId === undefined) {
				row.SegmentId = rows.reduce((max, x) => (typeof x.SegmentId === 'number' && x.SegmentId > max ? x.SegmentId : max), 0) + 1;
			}
			rows.push(row);
			added.push(row);
		}
		return clone(added);
	}

	find(set, key, value) {
		const rows = this.sets.get(set) || [];
		return rows.find((r) => r[key] === value);
	}

	/**
	 * The call log as live V20 servers send it: one row per segment (simulator/call-log.js), from the
	 * CallHistoryView segments, the calls placed through `POST /__sim/calls`, and rows added to
	 * ReportCallLogData as they are (older shapes, tests). Older rows first.
	 */
	callLog() {
		const log = this.callLogSource;
		const derived = log ? log.fromSegments(this.sets.get('CallHistoryView') || [], this.sets.get('Recordings') || []) : [];
		const placed = log ? log.visible().map((e) => e.row) : [];
		return [...derived, ...placed, ...(this.sets.get(CALL_LOG_SET) || [])].sort((a, b) => Date.parse(a.StartTime) - Date.parse(b.StartTime));
	}

	/** Serves `GET <base>/download/backups/<file>` (a backup's DownloadLink); needs a valid bearer token. */
	handleDownload(req, sim) {
		const m = /^\/download\/backups\/([^/]+)$/.exec(req.rawPath);
		if (!m || req.method !== 'GET') return undefined;
		if (!sim.isTokenValid(req.token)) return { status: 401, headers: { 'www-authenticate': 'Bearer' } };
		const name = decodeURIComponent(m[1]);
		const file = this.files.get(name);
		if (!file) return odataError(404, `No backup file ${name}`, null);
		return binary(file, 'application/zip', { filename: name });
	}

	/** Answers an API request from the data, or undefined. Sets `req.storeOperationId` where it knows the spec's id. */
	handle(req, sim) {
		if (!this.enabled) return undefined;
		const segments = splitTopLevel(req.apiPath || '', '/').slice(1);
		if (!segments.length || segments[0] === '') return undefined;
		let parsed;
		try {
			parsed = segments.map(parseSegment);
		} catch (e) {
			if (e instanceof ODataError) return undefined;
			throw e;
		}
		if (parsed.some((p) => !p)) return undefined;
		try {
			return this.route(parsed, req, sim);
		} catch (e) {
			if (e instanceof ODataError) return odataError(400, e.message, null);
			throw e;
		}
	}

	collectionOf(rows, req, context, hidden, maxTop = 100) {
		const visible = hidden ? rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !hidden.includes(k)))) : rows;
		const { value, count } = applyQuery(visible, req.query, { maxTop });
		const body = { '@odata.context': context || req.odataContext };
		if (String(req.query.$count).toLowerCase() === 'true') body['@odata.count'] = count;
		body.value = value;
		return json(body);
	}

	route(parsed, req, sim) {
		const [head, second] = parsed;
		const setName = head.name;
		const method = req.method;
		const base = sim.baseUrl;
		const users = setName === 'Users';

		// ---- functions and actions on a set: /Set/Pbx.Name(...)
		if (parsed.length === 2 && !head.call && second.name.startsWith('Pbx.')) {
			const fn = second.name;
			const a = second.args || {};
			const v = (k) => (a[k] ? a[k].value : undefined);
			if (method === 'GET' && setName === 'ReportCallLogData' && fn === 'Pbx.GetCallLogData') {
				const from = v('periodFrom');
				const to = v('periodTo');
				if (!a.periodFrom || a.periodFrom.type !== 'datetime' || !a.periodTo || a.periodTo.type !== 'datetime') return { status: 404 };
				let rows = this.callLogSource
					? this.callLogSource.answer(this.callLog(), { from: Date.parse(from), to: Date.parse(to), query: req.query, hidePcalls: !(a.hidePcalls && a.hidePcalls.value === false) })
					: this.callLog().filter((r) => Date.parse(r.StartTime) >= Date.parse(from) && Date.parse(r.StartTime) <= Date.parse(to));
				const sf = v('sourceFilter');
				const df = v('destinationFilter');
				if (sf) rows = rows.filter((r) => [r.SourceDn, r.SourceCallerId, r.SourceDisplayName].some((x) => String(x ?? '').includes(sf)));
				if (df) rows = rows.filter((r) => [r.DestinationDn, r.DestinationCallerId, r.DestinationDisplayName].some((x) => String(x ?? '').includes(df)));
				// $top above 100 is accepted on this function (public pollers page by 500 and 1000)
				return this.collectionOf(rows, req, `${base}/xapi/v1/$metadata#Collection(Pbx.CallLogData)`, undefined, null);
			}
			if (method === 'GET' && setName === 'Recordings' && fn === 'Pbx.DownloadRecording') {
				const rec = a.recId && a.recId.type === 'number' ? this.find('Recordings', 'Id', a.recId.value) : undefined;
				if (!a.recId || a.recId.type !== 'number') return { status: 404 };
				if (!rec) return notFound('recId');
				return binary(this.wav || Buffer.alloc(0), 'audio/wav', { filename: `recording-${rec.Id}.wav` });
			}
			if (method === 'GET' && users && fn === 'Pbx.GetFirstAvailableExtensionNumber') {
				req.storeOperationId = 'GetFirstAvailableExtensionNumber';
				const used = new Set(this.rows('Users').map((u) => u.Number));
				let n = 100;
				while (used.has(String(n))) n++;
				return json({ '@odata.context': `${base}/xapi/v1/$metadata#Pbx.FirstAvailableNumber`, Number: String(n) });
			}
			if (method === 'GET' && setName === 'ReportQueueCallbacks' && fn === 'Pbx.GetQueueCallbacksData') {
				req.storeOperationId = 'GetQueueCallbacksData';
				const rows = [1, 2, 3].map((i) => ({ QueueDn: v('queueDnStr'), CallbacksCount: i, StartDt: v('startDt'), EndDt: v('endDt') }));
				return this.collectionOf(rows, req, `${base}/xapi/v1/$metadata#Collection(Pbx.QueueCallbacks)`);
			}
			if (method === 'POST' && users && fn === 'Pbx.RebootPhone') {
				req.storeOperationId = 'RebootPhone';
				return noContent();
			}
			return undefined;
		}

		if (setName === 'Defs' && parsed.length === 1 && method === 'GET') {
			req.storeOperationId = 'GetDefs';
			return json({ '@odata.context': `${base}/xapi/v1/$metadata#Defs(Id)`, Id: 1 });
		}

		if (!this.sets.has(setName)) return undefined;
		const key = this.keyOf(setName);
		const rows = this.rows(setName);
		const context = `${base}/xapi/v1/$metadata#${setName}`;

		// ---- the collection: GET, POST
		if (parsed.length === 1 && !head.call) {
			if (method === 'GET') {
				if (users) req.storeOperationId = USER_OPS.list;
				return this.collectionOf(rows, req, context, HIDDEN[setName]);
			}
			if (method === 'POST') {
				if (users) req.storeOperationId = USER_OPS.create;
				const body = req.json && typeof req.json === 'object' && !Array.isArray(req.json) ? req.json : {};
				if (body.Number !== undefined && rows.some((r) => r.Number === body.Number)) {
					return xapiWarning('WARNINGS.XAPI.ALREADY_IN_USE', { target: 'Number' });
				}
				if (key !== 'Id' && body[key] === undefined) return xapiWarning('WARNINGS.XAPI.REQUIRED', { target: key });
				const [row] = this.addRecords(setName, { ...body });
				return created({ '@odata.context': `${context}/$entity`, ...row });
			}
			return undefined;
		}

		// ---- one entity: Set(key) or Set(Number='…')
		if (!head.call) return undefined;
		const args = head.args || {};
		let entity;
		let target = key;
		if (args['']) {
			const lit = args[''];
			if (key === 'Id' && lit.type !== 'number') return { status: 404 };
			if (key !== 'Id' && lit.type !== 'string') return { status: 404 };
			entity = rows.find((r) => r[key] === lit.value);
			if (users && parsed.length === 1) req.storeOperationId = { GET: USER_OPS.get, PATCH: USER_OPS.update, DELETE: USER_OPS.delete }[method];
		} else if (args.Number && Object.keys(args).length === 1) {
			if (args.Number.type !== 'string') return { status: 404 };
			target = 'Number';
			entity = rows.find((r) => r.Number === args.Number.value);
			if (users && parsed.length === 1 && method === 'GET') req.storeOperationId = USER_OPS.byNumber;
		} else return undefined;

		if (parsed.length === 1) {
			if (method === 'GET') return entity ? json({ '@odata.context': `${context}/$entity`, ...entity }) : notFound(target);
			if (method === 'PATCH') {
				if (!entity) return notFound(target);
				const body = req.json && typeof req.json === 'object' && !Array.isArray(req.json) ? req.json : {};
				Object.assign(entity, clone(body), { [key]: entity[key] });
				return noContent();
			}
			if (method === 'DELETE') {
				if (!entity) return notFound(target);
				rows.splice(rows.indexOf(entity), 1);
				if (setName === 'Backups') this.files.delete(entity.FileName);
				return noContent();
			}
			return undefined;
		}
		// ---- a navigation collection: Set(key)/Agents
		if (parsed.length === 2 && !second.call && method === 'GET' && !second.name.startsWith('Pbx.')) {
			if (!entity) return notFound(target);
			const nav = entity[second.name];
			if (!Array.isArray(nav)) return undefined;
			return this.collectionOf(nav, req, `${context}(${entity[key]})/${second.name}`);
		}
		if (parsed.length === 2 && setName === 'Backups' && second.name === 'Pbx.GetBackupExtras' && method === 'GET') {
			req.storeOperationId = 'GetBackupExtras';
			const name = args[''] ? args[''].value : '';
			return json({
				'@odata.context': `${base}/xapi/v1/$metadata#Pbx.BackupExtras`,
				Footprint: entity ? entity.Footprint ?? 7 : 7,
				IsEncrypted: false,
				Version: `20.0.10 (${name})`,
			});
		}
		return undefined;
	}
}

module.exports = { Store, parseSegment, isoDuration, KEYS, HIDDEN, CALL_LOG_SET, DATE_TIME_RE };
