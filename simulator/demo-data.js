'use strict';
/**
 * Realistic, deterministic demo data for the simulated 3CX: a small company PBX (users and
 * extensions, groups, queues and their agents, ring groups, a receptionist, trunks), a week of
 * call history (CallHistoryView segments; the call log is computed from them), recordings with a
 * WAV behind them, chats, event-log entries and backups with a file behind each DownloadLink.
 * Property names are those of 3CX's 20.0.10 spec schemas (Pbx.User, Pbx.CallHistoryView, …).
 *
 * `demoData({ seed = 3, now = <current minute>, days = 7 })` -> { sets, files, now }.
 * The same seed and `now` give the same data; times are UTC and lie in the `days` before `now`.
 */

/** mulberry32: a small seeded PRNG (deterministic across Node versions). */
function prng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const duration = (s) => {
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	const r = Math.round(s % 60);
	return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${r || (!h && !m) ? `${r}S` : ''}`;
};

const PEOPLE = [
	['Emma', 'Schneider'], ['Liam', 'Walsh'], ['Sofia', 'Rossi'], ['Noah', 'Becker'], ['Mia', 'Dubois'],
	['Lucas', 'Novak'], ['Olivia', 'Jensen'], ['Elias', 'Costa'], ['Hannah', 'Kowalski'], ['Jonas', 'Meyer'],
	['Lea', 'Fischer'], ['Mateo', 'Garcia'], ['Clara', 'Nielsen'], ['David', 'Okafor'], ['Ava', 'Lindqvist'],
	['Samuel', 'Horvat'], ['Zoe', 'Martin'], ['Felix', 'Wagner'], ['Nora', 'Ivanova'], ['Adam', 'Moreau'],
];
const COMPANIES = ['Acme Ltd', 'Globex', 'Initech', 'Umbrella Corp', 'Hooli', 'Vandelay Industries', 'Stark Supplies', 'Wayne Logistics'];
const CHAT_LINES = [
	['Hello, I ordered last week and have not received a tracking number yet.', 'Sorry about that! Could you send me your order number?', 'It is 48213.', 'Thanks, it shipped this morning; the tracking link is on its way by e-mail.'],
	['Hi, do you have the X200 headset in stock?', 'Yes, we have 14 units in the Berlin warehouse.', 'Great, I will order two.'],
	['Can someone call me back about my invoice?', 'Of course, a colleague from accounts will call you within the hour.'],
	['Is the support line open on Saturday?', 'Saturdays we are open from 9:00 to 13:00.', 'Perfect, thank you!'],
];
const SUMMARIES = [
	['Customer asked about a delayed delivery; agent confirmed shipment and promised a tracking e-mail.', 4],
	['Caller wanted a quote for 20 headsets; agent will send an offer today.', 5],
	['Complaint about a wrong invoice amount; agent issued a credit note.', 2],
	['Password reset for the customer portal; resolved during the call.', 4],
	['Caller asked for opening hours and the address of the showroom.', 3],
];

/** A real WAV: 1 s of a 440 Hz tone, 8 kHz, 16-bit mono PCM (16,044 bytes). */
function demoWav(seconds = 1, rate = 8000) {
	const samples = Math.round(seconds * rate);
	const buf = Buffer.alloc(44 + samples * 2);
	buf.write('RIFF', 0, 'ascii');
	buf.writeUInt32LE(36 + samples * 2, 4);
	buf.write('WAVE', 8, 'ascii');
	buf.write('fmt ', 12, 'ascii');
	buf.writeUInt32LE(16, 16); // PCM chunk size
	buf.writeUInt16LE(1, 20); // PCM
	buf.writeUInt16LE(1, 22); // mono
	buf.writeUInt32LE(rate, 24);
	buf.writeUInt32LE(rate * 2, 28); // byte rate
	buf.writeUInt16LE(2, 32); // block align
	buf.writeUInt16LE(16, 34); // bits per sample
	buf.write('data', 36, 'ascii');
	buf.writeUInt32LE(samples * 2, 40);
	for (let i = 0; i < samples; i++) buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000), 44 + i * 2);
	return buf;
}

function crc32(buf) {
	let c = ~0;
	for (const b of buf) {
		c ^= b;
		for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
	}
	return ~c >>> 0;
}

/** A real (stored, uncompressed) ZIP with one text file: what a backup download gives. */
function demoZip(entryName, text) {
	const data = Buffer.from(text);
	const name = Buffer.from(entryName);
	const crc = crc32(data);
	const local = Buffer.alloc(30);
	local.writeUInt32LE(0x04034b50, 0);
	local.writeUInt16LE(20, 4);
	local.writeUInt32LE(crc, 14);
	local.writeUInt32LE(data.length, 18);
	local.writeUInt32LE(data.length, 22);
	local.writeUInt16LE(name.length, 26);
	const central = Buffer.alloc(46);
	central.writeUInt32LE(0x02014b50, 0);
	central.writeUInt16LE(20, 4);
	central.writeUInt16LE(20, 6);
	central.writeUInt32LE(crc, 16);
	central.writeUInt32LE(data.length, 20);
	central.writeUInt32LE(data.length, 24);
	central.writeUInt16LE(name.length, 28);
	const localSize = local.length + name.length + data.length;
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(1, 8);
	end.writeUInt16LE(1, 10);
	end.writeUInt32LE(central.length + name.length, 12);
	end.writeUInt32LE(localSize, 16);
	return Buffer.concat([local, name, data, central, name, end]);
}

function demoData(options = {}) {
	const seed = options.seed === undefined ? 3 : options.seed;
	const days = options.days || 7;
	const nowMs = options.now !== undefined ? new Date(options.now).getTime() : Math.floor(Date.now() / 60000) * 60000;
	if (!Number.isFinite(nowMs)) throw new Error(`demoData: now=${options.now} is not a date`);
	const rnd = prng(seed);
	const pick = (list) => list[Math.floor(rnd() * list.length)];
	const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));

	// ---------------------------------------------------------------- users, groups
	const groups = [
		{ Id: 1, Number: 'GRP0000', Name: 'DEFAULT', IsDefault: true, Language: 'EN', TimeZoneId: 'Europe/Berlin', HasMembers: true, Members: [] },
		{ Id: 2, Number: 'GRP0001', Name: 'Support', IsDefault: false, Language: 'EN', TimeZoneId: 'Europe/Berlin', HasMembers: true, Members: [] },
		{ Id: 3, Number: 'GRP0002', Name: 'Sales', IsDefault: false, Language: 'EN', TimeZoneId: 'Europe/Berlin', HasMembers: true, Members: [] },
	];
	const users = PEOPLE.map(([first, last], i) => {
		const number = String(100 + i);
		const group = i < 2 ? groups[0] : i < 11 ? groups[1] : groups[2];
		return {
			Id: 29 + i,
			Number: number,
			FirstName: first,
			LastName: last,
			DisplayName: `${first} ${last}`,
			EmailAddress: `${first}.${last}@example.com`.toLowerCase(),
			Mobile: `+4917${String(10000000 + i * 7919).slice(0, 8)}`,
			OutboundCallerID: '+4930123456',
			Enabled: i !== 19,
			IsRegistered: i % 4 !== 3,
			Internal: false,
			Language: 'EN',
			RecordCalls: i >= 2 && i < 11,
			SendEmailMissedCalls: true,
			VMEnabled: true,
			Require2FA: false,
			PrimaryGroupId: group.Id,
			CurrentProfileName: i % 5 === 4 ? 'Away' : 'Available',
			Groups: [{ Id: 1000 + i, GroupId: group.Id, Name: group.Name, Number: group.Number, MemberName: `${first} ${last}`, CanDelete: true }],
		};
	});
	for (const u of users) {
		const g = groups.find((x) => x.Id === u.PrimaryGroupId);
		g.Members.push({ Id: 1000 + u.Id, GroupId: g.Id, Name: g.Name, Number: u.Number, MemberName: u.DisplayName, CanDelete: true });
	}
	const byNumber = (n) => users.find((u) => u.Number === n);
	const agents = (numbers) => numbers.map((n) => ({ Id: byNumber(n).Id, Number: n, Name: byNumber(n).DisplayName, SkillGroup: '1' }));
	const queues = [
		{ Id: 60, Number: '800', Name: 'Support Queue', PollingStrategy: 'LongestWaiting', RingTimeout: 20, MasterTimeout: 300, WrapUpTime: 10, SLATime: 60, MaxCallersInQueue: 20, AnnounceQueuePosition: true, PriorityQueue: false, IsRegistered: true, Agents: agents(['102', '103', '104', '105', '106']) },
		{ Id: 61, Number: '801', Name: 'Sales Queue', PollingStrategy: 'RingAll', RingTimeout: 25, MasterTimeout: 240, WrapUpTime: 5, SLATime: 45, MaxCallersInQueue: 10, AnnounceQueuePosition: false, PriorityQueue: false, IsRegistered: true, Agents: agents(['111', '112', '113', '114']) },
	];
	const ringGroups = [
		{ Id: 70, Number: '700', Name: 'Reception', RingStrategy: 'RingAll', RingTime: 20, IsRegistered: true, Members: agents(['100', '101']).map(({ SkillGroup, ...m }) => m) },
		{ Id: 71, Number: '701', Name: 'Warehouse', RingStrategy: 'Hunt', RingTime: 15, IsRegistered: true, Members: agents(['107', '108', '109']).map(({ SkillGroup, ...m }) => m) },
	];
	const receptionists = [
		{
			Id: 80,
			Number: '600',
			Name: 'Main Menu',
			PromptFilename: 'main-menu.wav',
			Timeout: 10,
			TimeoutForwardDN: '700',
			InvalidKeyForwardDN: '700',
			TransferEnable: true,
			IsRegistered: true,
			Forwards: [
				{ Id: 1, Input: '1', ForwardType: 'Queue', ForwardDN: '800', PeerType: 'Queue' },
				{ Id: 2, Input: '2', ForwardType: 'Queue', ForwardDN: '801', PeerType: 'Queue' },
				{ Id: 3, Input: '0', ForwardType: 'RingGroup', ForwardDN: '700', PeerType: 'RingGroup' },
			],
		},
	];
	const trunks = [
		{ Id: 90, Number: '10000', AuthID: 'acme-sip-1', ExternalNumber: '+4930123456', DidNumbers: ['+4930123456', '+4930123457', '+4930123458'], Direction: 'Both', IsOnline: true, SimultaneousCalls: 10, EnableInboundCalls: true, EnableOutboundCalls: true, OutboundCallerID: '+4930123456' },
		{ Id: 91, Number: '10001', AuthID: 'backup-sip', ExternalNumber: '+4940987654', DidNumbers: ['+4940987654'], Direction: 'Outbound', IsOnline: false, ConfigurationIssue: 'Registration failed: 403 Forbidden', SimultaneousCalls: 4, EnableInboundCalls: false, EnableOutboundCalls: true, OutboundCallerID: '+4940987654' },
	];

	// ---------------------------------------------------------------- a week of calls
	const segments = [];
	const recordings = [];
	let segmentId = 5000;
	let callId = 90000;
	let participant = 200000;
	let recId = 0;
	const ext = (u) => ({ Id: u.Id, Dn: u.Number, DnType: 0, CallerNumber: u.Number, DisplayName: u.DisplayName, ExtendedDisplayName: `${u.DisplayName} (${u.Number})`, External: false, Internal: true });
	const outside = () => {
		const number = `+49${pick(['30', '40', '89', '221', '69'])}${String(int(1000000, 9999999))}`;
		const name = rnd() < 0.6 ? pick(COMPANIES) : '';
		return { Id: 0, Dn: '10000', DnType: 1, CallerNumber: number, DisplayName: name, ExtendedDisplayName: name ? `${name} (${number})` : number, External: true, Internal: false };
	};
	const node = (x) => ({ Id: x.Id, Dn: x.Number, DnType: x.type, CallerNumber: x.Number, DisplayName: x.Name, ExtendedDisplayName: `${x.Name} (${x.Number})`, External: false, Internal: true });
	const segment = (start, seconds, src, dst, answered, rec) => {
		segmentId += 1;
		participant += 2;
		const row = {
			SegmentId: segmentId,
			CallId: callId,
			SegmentStartTime: iso(start),
			SegmentEndTime: iso(start + seconds * 1000),
			SegmentType: answered ? 2 : 1,
			SegmentActionId: answered ? 1 : 0,
			CallTime: duration(seconds),
			CallAnswered: answered,
		};
		for (const [p, v] of [['Src', src], ['Dst', dst]]) {
			row[`${p}Id`] = v.Id;
			row[`${p}Dn`] = v.Dn;
			row[`${p}DnType`] = v.DnType;
			row[`${p}CallerNumber`] = v.CallerNumber;
			row[`${p}DisplayName`] = v.DisplayName;
			row[`${p}ExtendedDisplayName`] = v.ExtendedDisplayName;
			row[`${p}External`] = v.External;
			row[`${p}Internal`] = v.Internal;
			row[`${p}ParticipantId`] = p === 'Src' ? participant - 1 : participant;
			row[`${p}RecId`] = 0;
		}
		if (rec) row.DstRecId = rec;
		segments.push(row);
		return row;
	};
	const record = (start, seconds, from, to, callType) => {
		recId += 1;
		const [summary, sentiment] = pick(SUMMARIES);
		const transcribed = rnd() < 0.7;
		recordings.push({
			Id: recId,
			StartTime: iso(start),
			EndTime: iso(start + seconds * 1000),
			CallType: callType,
			FromDn: from.Dn,
			FromDnType: from.DnType,
			FromCallerNumber: from.CallerNumber,
			FromDisplayName: from.DisplayName,
			FromIdParticipant: participant - 1,
			ToDn: to.Dn,
			ToDnType: to.DnType,
			ToCallerNumber: to.CallerNumber,
			ToDisplayName: to.DisplayName,
			ToIdParticipant: participant,
			RecordingUrl: `/xapi/v1/Recordings/Pbx.DownloadRecording(recId=${recId})`,
			IsArchived: false,
			CanBeTranscribed: true,
			IsTranscribed: transcribed,
			Transcription: transcribed ? `Agent: Good morning, ${to.DisplayName} speaking. Caller: Hello, ${summary.toLowerCase()}` : null,
			Summary: transcribed ? summary : null,
			SentimentScore: transcribed ? sentiment : null,
		});
		return recId;
	};

	const dayMs = 24 * 3600 * 1000;
	const startDay = Math.floor((nowMs - days * dayMs) / dayMs) * dayMs;
	for (let day = startDay; day < nowMs; day += dayMs) {
		const weekday = new Date(day).getUTCDay();
		const count = weekday === 0 || weekday === 6 ? int(1, 4) : int(12, 22);
		const times = Array.from({ length: count }, () => day + (weekday === 0 || weekday === 6 ? int(9 * 60, 13 * 60) : int(7 * 60 + 30, 17 * 60 + 30)) * 60000 + int(0, 59) * 1000).sort((a, b) => a - b);
		for (const t of times) {
			if (t >= nowMs - 60000) continue;
			callId += 1;
			const kind = rnd();
			if (kind < 0.55) {
				// inbound: caller -> queue -> agent (answered) or no one (missed)
				const caller = outside();
				const queue = pick(queues);
				const q = node({ ...queue, type: 4 });
				const wait = int(3, 40);
				const answered = rnd() < 0.78;
				segment(t, wait, caller, q, false);
				if (answered) {
					const agent = byNumber(pick(queue.Agents).Number);
					const talk = int(40, 600);
					const a = ext(agent);
					const rec = agent.RecordCalls && rnd() < 0.8 ? record(t + wait * 1000, talk, caller, a, 'InboundExternal') : 0;
					segment(t + wait * 1000, talk, caller, a, true, rec);
				}
			} else if (kind < 0.7) {
				// inbound to reception: answered, or missed then voicemail
				const caller = outside();
				const rg = node({ ...ringGroups[0], type: 5 });
				const ring = int(5, 25);
				if (rnd() < 0.7) {
					segment(t, ring, caller, rg, false);
					segment(t + ring * 1000, int(30, 240), caller, ext(byNumber(pick(['100', '101']))), true);
				} else {
					segment(t, ring, caller, rg, false);
				}
			} else if (kind < 0.88) {
				// outbound from an extension
				const u = pick(users.slice(0, 19));
				const callee = outside();
				const answered = rnd() < 0.8;
				const seconds = answered ? int(30, 900) : int(10, 30);
				const rec = answered && u.RecordCalls && rnd() < 0.5 ? record(t, seconds, ext(u), callee, 'OutboundExternal') : 0;
				segment(t, seconds, ext(u), callee, answered, rec);
			} else {
				// internal
				const a = pick(users.slice(0, 19));
				let b = pick(users.slice(0, 19));
				if (b === a) b = users[(users.indexOf(a) + 1) % 19];
				const answered = rnd() < 0.85;
				segment(t, answered ? int(20, 300) : int(8, 20), ext(a), ext(b), answered);
			}
		}
	}

	// ---------------------------------------------------------------- chats
	const chatHistory = [];
	const chatMessages = [];
	let messageId = 700;
	CHAT_LINES.forEach((lines, c) => {
		const conversationId = 300 + c;
		const customer = { name: `${PEOPLE[(c * 7) % 20][0]} (web)`, no: `lc-${1000 + c}`, email: `visitor${c + 1}@example.net` };
		const agent = users[2 + c];
		let t = nowMs - (c * 31 + 5) * 3600 * 1000;
		lines.forEach((message, i) => {
			const fromCustomer = i % 2 === 0;
			messageId += 1;
			t += int(20, 180) * 1000;
			chatHistory.push({
				ConversationId: conversationId,
				ChatName: `Website chat ${conversationId}`,
				FromName: fromCustomer ? customer.name : agent.DisplayName,
				FromNo: fromCustomer ? customer.no : agent.Number,
				IsExternal: true,
				Message: message,
				ParticipantEmail: customer.email,
				ParticipantIp: `198.51.100.${10 + c}`,
				ParticipantPhone: '',
				ParticipantsGroupsArray: ['Support'],
				ProviderName: 'Website Live Chat',
				ProviderType: 'LiveChat',
				QueueNumber: '800',
				Source: 'https://www.example.com/contact',
				TimeSent: iso(t),
			});
			chatMessages.push({
				MessageId: messageId,
				ConversationId: conversationId,
				IsExternal: true,
				Message: message,
				ParticipantsGroupsArray: ['Support'],
				QueueNumber: '800',
				Recipients: fromCustomer ? agent.DisplayName : customer.name,
				SenderParticipantName: fromCustomer ? customer.name : agent.DisplayName,
				SenderParticipantNo: fromCustomer ? customer.no : agent.Number,
				SenderParticipantEmail: fromCustomer ? customer.email : agent.EmailAddress,
				SenderParticipantIp: fromCustomer ? `198.51.100.${10 + c}` : '10.0.0.20',
				SenderParticipantPbx: 'local',
				SenderParticipantPhone: '',
				TimeSent: iso(t),
			});
		});
	});

	// ---------------------------------------------------------------- event log
	const EVENTS = [
		['Info', 4096, 'Services', 'Service started', 'The 3CX Phone System service started.', []],
		['Info', 12290, 'Backup', 'Backup', 'Scheduled backup {0} completed ({1} MB).', ['nightly', '184']],
		['Warning', 8193, 'Trunks', 'Trunk registration', 'Trunk {0} failed to register: 403 Forbidden.', ['10001']],
		['Info', 8200, 'Trunks', 'Trunk registration', 'Trunk {0} registered.', ['10000']],
		['Warning', 20480, 'Security', 'Blacklist', 'IP {0} was blacklisted after {1} failed SIP registrations.', ['203.0.113.77', '25']],
		['Error', 16385, 'Phones', 'Provisioning', 'Phone {0} could not be provisioned: firmware download timed out.', ['805E0C3D1A22']],
		['Info', 24576, 'Users', 'Login', 'User {0} signed in to the web client.', ['102']],
		['Error', 12291, 'Backup', 'Backup', 'Backup upload to the repository failed: {0}.', ['connection reset']],
		['Warning', 28672, 'License', 'License', 'The licence expires in {0} days.', ['30']],
	];
	/** @type {any[]} */
	const eventLogs = [];
	for (let i = 0; i < 36; i++) {
		const [Type, EventId, Group, GroupName, template, params] = /** @type {[string, number, string, string, string, string[]]} */ (EVENTS[i % EVENTS.length]);
		const t = nowMs - days * dayMs + Math.floor(((i + rnd()) / 36) * days * dayMs);
		eventLogs.push({
			Id: 1 + i,
			EventId,
			Type,
			TimeGenerated: iso(Math.min(t, nowMs - 60000)),
			Group,
			GroupName,
			Source: Group === 'Trunks' || Group === 'Phones' ? 'SipServer' : '3CXSystemService',
			Message: template.replace(/\{(\d)\}/g, (_, k) => params[Number(k)]),
			Params: params,
		});
	}

	// ---------------------------------------------------------------- backups
	const backups = [];
	const files = { '*.wav': demoWav() };
	for (let i = 1; i <= 3; i++) {
		const created = Math.floor((nowMs - i * dayMs) / dayMs) * dayMs + 2 * 3600 * 1000;
		const fileName = `nightly-${iso(created).slice(0, 10)}.zip`;
		const zip = demoZip('backup-info.txt', `3CX backup (simulated), created ${iso(created)}\n`);
		files[fileName] = zip;
		backups.push({ FileName: fileName, CreationTime: iso(created), Size: zip.length, DownloadLink: `/download/backups/${encodeURIComponent(fileName)}` });
	}

	return {
		now: iso(nowMs),
		sets: {
			Users: users,
			Groups: groups,
			Queues: queues,
			RingGroups: ringGroups,
			Receptionists: receptionists,
			Trunks: trunks,
			CallHistoryView: segments,
			Recordings: recordings,
			ChatHistoryView: chatHistory,
			ChatMessagesHistoryView: chatMessages,
			EventLogs: eventLogs,
			Backups: backups,
		},
		files,
	};
}

/**
 * One new inbound call at `now` (for a live demo: `npm start` adds one every few minutes, so a
 * missed-call trigger has something to fire on): segments for CallHistoryView, caller -> queue
 * 800, then agent 102 unless `answered` is false. `callId` groups the segments in the call log.
 * @param {{ now?: number, answered?: boolean, callId?: number, caller?: string, name?: string }} [options]
 * @returns {Array<Record<string, any>>}
 */
function demoCall({ now = Date.now(), answered = true, callId, caller = '+4930555' + String(now).slice(-4), name = 'Live Caller' } = {}) {
	const start = now - 45 * 1000;
	const id = callId || Math.floor(now / 1000) % 1000000000;
	const base = { CallId: id, SrcId: 0, SrcDn: '10000', SrcDnType: 1, SrcCallerNumber: caller, SrcDisplayName: name, SrcExtendedDisplayName: `${name} (${caller})`, SrcExternal: true, SrcInternal: false, SrcRecId: 0 };
	const queue = { DstId: 60, DstDn: '800', DstDnType: 4, DstCallerNumber: '800', DstDisplayName: 'Support Queue', DstExtendedDisplayName: 'Support Queue (800)', DstExternal: false, DstInternal: true, DstRecId: 0 };
	const rows = [{ ...base, ...queue, SegmentStartTime: iso(start), SegmentEndTime: iso(start + 20000), CallTime: 'PT20S', CallAnswered: false, SegmentType: 1, SegmentActionId: 0 }];
	if (answered) {
		rows.push({
			...base,
			DstId: 31,
			DstDn: '102',
			DstDnType: 0,
			DstCallerNumber: '102',
			DstDisplayName: 'Sofia Rossi',
			DstExtendedDisplayName: 'Sofia Rossi (102)',
			DstExternal: false,
			DstInternal: true,
			DstRecId: 0,
			SegmentStartTime: iso(start + 20000),
			SegmentEndTime: iso(start + 45000),
			CallTime: 'PT25S',
			CallAnswered: true,
			SegmentType: 2,
			SegmentActionId: 1,
		});
	}
	return rows;
}

/** The spec schema of each demo set's rows (and of the computed call log). */
const DEMO_SCHEMAS = Object.freeze({
	Users: 'Pbx.User',
	Groups: 'Pbx.Group',
	Queues: 'Pbx.Queue',
	RingGroups: 'Pbx.RingGroup',
	Receptionists: 'Pbx.Receptionist',
	Trunks: 'Pbx.Trunk',
	CallHistoryView: 'Pbx.CallHistoryView',
	ReportCallLogData: 'Pbx.CallLogData',
	Recordings: 'Pbx.Recording',
	ChatHistoryView: 'Pbx.ChatHistoryView',
	ChatMessagesHistoryView: 'Pbx.ChatMessagesHistoryView',
	EventLogs: 'Pbx.EventLog',
	Backups: 'Pbx.Backups',
});

module.exports = { DEMO_SCHEMAS, demoData, demoCall, demoWav, demoZip, prng };
