/**
 * The CRM template generator (nodes/ThreeCxCrmTrigger/template.ts) and the simulator's CRM engine
 * (simulator/crm-engine.js): our generated template, and two public templates that ran on live
 * PBXs (test/fixtures/crm/README.md), run the way 3CX runs them.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

import { buildCrmTemplate as build, CONTACT_FIELDS, JOURNAL_VALUES, type TemplateOptions } from '../nodes/ThreeCxCrmTrigger/template';
import { CrmEngine, condition, expand, formatNumber, parseTemplate, pathValues } from '../simulator/crm-engine';
import { readCrmFixture, readSampleTemplate, startCrmServer, updateSample, writeSampleTemplate, type CrmServer } from './helpers/crm';

const SHARED = 'sample-secret-0123456789abcdef';
const SAMPLE: TemplateOptions = {
	name: 'n8n',
	secret: SHARED,
	lookupUrl: 'https://n8n.example.com/webhook/6f1c2b7e-3cx-crm/crm',
	searchUrl: 'https://n8n.example.com/webhook/6f1c2b7e-3cx-crm/crm',
	emailUrl: 'https://n8n.example.com/webhook/6f1c2b7e-3cx-crm/crm',
	journalUrl: 'https://n8n.example.com/webhook/6f1c2b7e-3cx-crm/crm',
	journalEnabled: true,
	journalMissed: true,
};
/** The XML, '' when the options are refused (the tests below check the problem texts). */
const buildCrmTemplate = (o: TemplateOptions): string => build(o).xml ?? '';
const problem = (o: TemplateOptions): string | undefined => build(o).problem;
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

let crm: CrmServer | undefined;
afterEach(async () => {
	await crm?.close();
	crm = undefined;
});

describe('template generator', () => {
	const xml = buildCrmTemplate(SAMPLE);
	const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);

	it('is well-formed XML with <Crm> as root and the documented children in order', () => {
		expect(XMLValidator.validate(xml)).toBe(true);
		expect(Object.keys(parsed.Crm)).toEqual(
			expect.arrayContaining(['Number', 'Connection', 'Parameters', 'Authentication', 'Scenarios']),
		);
		const order = ['<Number ', '<Connection ', '<Parameters>', '<Authentication ', '<Scenarios>'].map((t) => xml.indexOf(t));
		expect([...order].sort((a, b) => a - b)).toEqual(order);
		expect(parsed.Crm.Name).toBe('n8n');
	});

	it('is deterministic and equals the sample kept in the repository (docs/crm-template.sample.xml)', () => {
		expect(buildCrmTemplate(SAMPLE)).toBe(xml);
		if (updateSample) writeSampleTemplate(xml);
		expect(readSampleTemplate()).toBe(xml);
	});

	it('carries every URL, the secret as a Password parameter and Basic authentication', () => {
		for (const url of [SAMPLE.lookupUrl, SAMPLE.searchUrl, SAMPLE.emailUrl, SAMPLE.journalUrl]) expect(xml).toContain(`Url="${url}"`);
		const t = parseTemplate(xml);
		expect(t.parameters.find((p) => p.name === 'Secret')).toMatchObject({ type: 'Password', default: SHARED });
		expect(t.authentication).toEqual({ type: 'Basic', value: 'n8n:[Secret]' });
		expect(t.scenarios.map((s) => s.id)).toEqual(['', 'SearchContacts', 'LookupByEmail', 'ReportCall']);
		const lookup = t.scenarios[0];
		expect(lookup.rules).toEqual([{ type: 'Any', path: 'contacts.id', ethalon: '' }]);
		expect(lookup.outputs.map((o) => o.type)).toEqual([...CONTACT_FIELDS.map((f) => f.output), 'EntityId', 'EntityType']);
		const journal = t.scenarios[3];
		expect(journal.request?.postValues.map((v) => v.key)).toEqual(['event', ...JOURNAL_VALUES.map((v) => v.key)]);
	});

	it('leaves out the scenarios that are switched off and sets the journaling switches', () => {
		const only = parseTemplate(buildCrmTemplate({ name: 'n8n', secret: SHARED, lookupUrl: SAMPLE.lookupUrl }));
		expect(only.scenarios.map((s) => s.id)).toEqual(['']);
		expect(only.parameters.map((p) => p.name)).toEqual(['Secret']);
		const off = parseTemplate(buildCrmTemplate({ ...SAMPLE, journalEnabled: false, journalMissed: false }));
		expect(off.parameters.find((p) => p.name === 'ReportCallEnabled')?.default).toBe('False');
		expect(off.parameters.find((p) => p.name === 'ReportMissedEnabled')?.default).toBe('False');
	});

	it('escapes XML and refuses a bad secret, URL or name naming the field', () => {
		expect(buildCrmTemplate({ ...SAMPLE, name: 'A & B "quoted"' })).toContain('Name="A &amp; B &quot;quoted&quot;"');
		expect(problem({ ...SAMPLE, secret: 'short' })).toMatch(/^Secret:/);
		expect(problem({ ...SAMPLE, secret: 'has]bracket-0123456789' })).toMatch(/^Secret:/);
		expect(problem({ ...SAMPLE, lookupUrl: 'not a url' })).toMatch(/^Lookup URL:/);
		expect(problem({ ...SAMPLE, journalUrl: 'ftp://x/y' })).toMatch(/^Journal URL:/);
		expect(problem({ ...SAMPLE, name: 'a[b]' })).toMatch(/^Template Name:/);
	});
});

describe('expressions', () => {
	const vars = {
		Number: '+4930123',
		CallType: 'Missed',
		ReportCallEnabled: 'True',
		DurationTimespan: { timespanMs: 61_400 },
		CallStartTimeUTC: new Date('2026-12-07T08:00:05Z'),
	};
	it('substitutes, concatenates and invokes the methods public templates use', () => {
		expect(expand('[Number] called ([CallType])', vars)).toBe('+4930123 called (Missed)');
		expect(expand('[[[DurationTimespan].get_TotalSeconds()].ToString("F0")]', vars)).toBe('61');
		expect(expand('[[CallStartTimeUTC].ToString("yyyy-MM-ddTHH:mm:ssZ")]', vars)).toBe('2026-12-07T08:00:05Z');
		expect(expand('[[Number].Replace("+","%2B")]', vars)).toBe('%2B4930123');
		expect(expand('[IIf([CallType]==Notanswered||[CallType]==Missed,noAnswer,normalClearing)]', vars)).toBe('noAnswer');
	});
	it('leaves a variable without a value as its literal text, also inside a method call', () => {
		expect(expand('[RecordingUrl]', vars)).toBe('[RecordingUrl]');
		expect(expand('[[CallEstablishedTimeUTC].ToString("yyyy")]', vars)).toBe('[[CallEstablishedTimeUTC].ToString("yyyy")]');
	});
	it('evaluates SkipIf conditions', () => {
		expect(condition('[ReportCallEnabled]!=True||[CallType]!=Inbound', vars)).toBe(true);
		expect(condition('[ReportCallEnabled]!=True||[CallType]!=Missed', vars)).toBe(false);
		expect(condition('[IIf([FoundRecordCount]>0,True,False)]', { FoundRecordCount: 1 })).toBe(true);
	});
	it('reads dot paths through arrays and formats numbers as <Number> asks', () => {
		expect(pathValues({ contacts: [{ id: 1 }, { id: 2 }] }, 'contacts.id')).toEqual([1, 2]);
		expect(pathValues({ mailAddresses: ['a@x', 'b@x'] }, 'mailAddresses[0]')).toEqual(['a@x']);
		expect(formatNumber('+4930123456', { prefix: 'Zeros', maxLength: '' }, {})).toBe('004930123456');
		expect(formatNumber('004930123456', { prefix: 'Off', maxLength: '6' }, {})).toBe('123456');
	});
});

describe('the engine on public templates', () => {
	it('tierklinik-dobersberg/3cx-support: Basic token lookup, then the journal chain posts the missed call once', async () => {
		crm = await startCrmServer((r) =>
			r.url.startsWith('/api/external/v1/contact')
				? { json: { cid: 'c-42', firstname: 'Anna', name: 'Huber', mailAddresses: ['anna@example.at'], contact: { phone1: '+43 2846 1' }, source: 'vet' } }
				: { json: {} },
		);
		const base = crm.url;
		const engine = new CrmEngine({
			fetch: (url, init) => fetch(String(url).replace(/^https:\/\/(my|3cx)\.dobersberg\.vet/, base), init),
		});
		engine.load(readCrmFixture('tierklinik-dobersberg-3cx-support.xml'), { APIkey: 'k1', ReportCallEnabled: 'True' });
		const record = await engine.placeCall({ number: '+4328461', direction: 'Inbound', answered: false, agent: '101', end: '2026-12-07T08:01:00Z' });
		expect(record.displayed).toMatchObject({ ContactID: 'c-42', FirstName: 'Anna', LastName: 'Huber', Email: 'anna@example.at', ContactUrl: 'https://my.dobersberg.vet/customer/view/c-42' });
		expect(crm.requests[0].headers.authorization).toBe(basic('token', 'k1'));
		expect(crm.requests[0].url).toBe('/api/external/v1/contact?phone=+4328461');
		expect(record.journal.map((j) => [j.scenario, j.skipped])).toEqual([
			['ReportCall', true],
			['ReportCallMissed', false],
			['ReportCallOutbound', true],
			['ReportCallNotanswered', true],
		]);
		expect(crm.requests).toHaveLength(2);
		expect(JSON.parse(crm.requests[1].body)).toEqual({
			duration: '0',
			number: '+4328461',
			agent: '101',
			call_type: 'Missed',
			date_time: '07.12.2026 08:00',
			customer_id: 'c-42',
			customer_source: 'vet',
		});
	});

	it('renuo/redmine_3cx: "+" escaped by the template, one contact per array element, none for an empty array', async () => {
		let answer: unknown = {
			contacts: [
				{ id: 7, firstname: 'Lea', lastname: 'Meier', company: 'Renuo', phone_business: '0441234567' },
				{ id: 8, firstname: 'Tim', lastname: 'Keller', company: 'Renuo' },
			],
		};
		crm = await startCrmServer(() => ({ json: answer }));
		const engine = new CrmEngine();
		engine.load(readCrmFixture('renuo-redmine_3cx.xml'), { ApiKey: 'rk', Domain: crm.url.replace('http://', '') });
		const engineFetchHttp = new CrmEngine({ fetch: (url, init) => fetch(String(url).replace('https://', 'http://'), init) });
		engineFetchHttp.load(readCrmFixture('renuo-redmine_3cx.xml'), { ApiKey: 'rk', Domain: crm.url.replace('http://', '') });
		const found = await engineFetchHttp.lookup('+41441234567');
		expect(crm.requests[0].url).toBe('/3cx/contacts.json?phone=%2B41441234567');
		expect(crm.requests[0].headers.authorization).toBe(basic('rk', 'x'));
		expect(found.contacts.map((c) => [c.FirstName, c.EntityId, c.ContactUrl])).toEqual([
			['Lea', '7', `https://${crm.url.replace('http://', '')}/contacts/7`],
			['Tim', '8', `https://${crm.url.replace('http://', '')}/contacts/8`],
		]);
		answer = { contacts: [] };
		expect((await engineFetchHttp.lookup('+41440000000')).contacts).toEqual([]);
		expect(engine.template?.name).toBe('Redmine');
	});
});

describe('the engine on our generated template', () => {
	it('posts the number with the secret, shows the answered contact, and journals every call type', async () => {
		crm = await startCrmServer((r) => {
			if (JSON.parse(r.body).event === 'lookup') return { json: { contacts: [{ id: 'h-1', firstName: 'Ada', lastName: 'Lovelace', company: 'ACME', url: 'https://crm.example/1' }] } };
			return { json: { ok: true } };
		});
		const engine = new CrmEngine();
		engine.load(buildCrmTemplate({ ...SAMPLE, lookupUrl: `${crm.url}/w/lookup`, searchUrl: undefined, emailUrl: undefined, journalUrl: `${crm.url}/w/journal` }));
		const calls = [
			{ number: '+4930111', direction: 'Inbound' as const, answered: true },
			{ number: '+4930222', direction: 'Inbound' as const, answered: false },
			{ number: '+4930333', direction: 'Outbound' as const, answered: true },
			{ number: '+4930444', direction: 'Outbound' as const, answered: false },
		];
		const types: string[] = [];
		for (const c of calls) {
			const rec = await engine.placeCall({ ...c, agent: '101', agentEmail: 'a@example.com', start: '2026-12-07T08:00:00Z', established: '2026-12-07T08:00:10Z', end: '2026-12-07T08:02:10Z' });
			expect(rec.displayed).toMatchObject({ ContactID: 'h-1', FirstName: 'Ada', CompanyName: 'ACME', ContactUrl: 'https://crm.example/1', EntityId: 'h-1' });
			const body = JSON.parse(crm.requests[crm.requests.length - 1].body);
			types.push(body.callType);
			expect(body).toMatchObject({ number: c.number, contactId: 'h-1', agent: '101', agentEmail: 'a@example.com', callStartTimeUtc: '2026-12-07T08:00:00Z', callEndTimeUtc: '2026-12-07T08:02:10Z' });
			expect(body.durationSeconds).toBe(c.answered ? '120' : '0');
			expect(body.callEstablishedTimeUtc).toBe(c.answered ? '2026-12-07T08:00:10Z' : '[[CallEstablishedTimeUTC].ToString("yyyy-MM-ddTHH:mm:ssZ")]');
			expect(body.recordingUrl).toBe('[RecordingUrl]');
		}
		expect(types).toEqual(['Inbound', 'Missed', 'Outbound', 'Notanswered']);
		for (const r of crm.requests) expect(r.headers.authorization).toBe(basic('n8n', SHARED));
		expect(JSON.parse(crm.requests[0].body)).toEqual({ event: 'lookup', number: '+4930111' });
	});

	it('skips missed and unanswered calls when the console switch is off, and the whole journal when journaling is off', async () => {
		crm = await startCrmServer(() => ({ json: {} }));
		const engine = new CrmEngine();
		engine.load(buildCrmTemplate({ ...SAMPLE, lookupUrl: `${crm.url}/lookup`, searchUrl: undefined, emailUrl: undefined, journalUrl: `${crm.url}/journal` }), { ReportMissedEnabled: 'False' });
		expect((await engine.placeCall({ number: '+1', answered: false })).journal[0].skipped).toBe(true);
		expect((await engine.placeCall({ number: '+1', answered: true })).journal[0].skipped).toBe(false);
		engine.load(buildCrmTemplate({ ...SAMPLE, lookupUrl: `${crm.url}/lookup`, journalUrl: `${crm.url}/journal` }), { ReportCallEnabled: 'False' });
		expect((await engine.placeCall({ number: '+1', answered: true })).journal[0].skipped).toBe(true);
	});

	it('shows no contact for an empty answer, an error status, a non-JSON body or no answer within the time-out', async () => {
		let answer: { status?: number; json?: unknown; text?: string; delayMs?: number } = { json: {} };
		crm = await startCrmServer(() => answer);
		const engine = new CrmEngine({ timeoutMs: 300 });
		engine.load(buildCrmTemplate({ name: 'n8n', secret: SHARED, lookupUrl: `${crm.url}/lookup` }));
		for (const a of [{ json: {} }, { json: { contacts: [] } }, { status: 500, json: { message: 'Error in workflow' } }, { text: 'oops' }, { delayMs: 1000, json: { contacts: [{ id: 1 }] } }]) {
			answer = a;
			const started = Date.now();
			expect((await engine.lookup('+1')).contacts).toEqual([]);
			expect(Date.now() - started).toBeLessThan(900);
		}
	});

	it('refuses what it cannot run, naming it', () => {
		const engine = new CrmEngine();
		expect(() => engine.load('<nope/>')).toThrow(/root element must be <Crm>/);
		expect(() => engine.load('<Crm><Authentication Type="Scenario"><Value>Auth</Value></Authentication><Scenarios><Scenario Id=""/></Scenarios></Crm>')).toThrow(/not simulated/);
		expect(() => engine.load(buildCrmTemplate(SAMPLE), { Nope: '1' })).toThrow(/no parameter "Nope"/);
	});
});
