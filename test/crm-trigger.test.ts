/**
 * The 3CX CRM Trigger the way n8n runs a webhook: n8n-core's real WebhookContext around an HTTP
 * request, the node's webhook(), then (like n8n's webhook server) the workflow's last node answers
 * when the node asked for it. 3CX is the simulator's CRM engine, loaded with the template the
 * trigger hands out.
 */
import { WebhookContext } from 'n8n-core';
import { Workflow, type IDataObject, type INode, type INodeExecutionData, type INodeParameters, type INodeTypes, type IWebhookData, type IWebhookResponseData } from 'n8n-workflow';

import { ThreeCxCrmApi } from '../credentials/ThreeCxCrmApi.credentials';
import { ThreeCxCrmTrigger } from '../nodes/ThreeCxCrmTrigger/ThreeCxCrmTrigger.node';
import { journalItem } from '../nodes/ThreeCxCrmTrigger/journal';
import { CrmEngine } from '../simulator/crm-engine';
import { startWebhookServer, type WebhookServer } from './helpers/crm';
import { CredentialStore, CredentialTypeRegistry, n8nRuntime, TestCredentialsHelper, testAdditionalData } from './helpers/harness';

const SHARED = 'test-secret-4f9a1c2e7b3d';
const WEBHOOK_ID = '3cx-crm-test';
const nodeType = new ThreeCxCrmTrigger();

/** What the workflow after the trigger does with the trigger's items; its first item is the answer. */
type WorkflowRun = (items: INodeExecutionData[]) => Promise<IDataObject | undefined>;

interface Harness {
	url: string;
	webhookUrl: string;
	executions: INodeExecutionData[][];
	server: WebhookServer;
}

let harness: Harness | undefined;
afterEach(async () => {
	await harness?.server.close();
	harness = undefined;
});

async function start(parameters: INodeParameters, workflow: WorkflowRun, secret = SHARED): Promise<Harness> {
	n8nRuntime();
	const store = new CredentialStore({ secret }, { type: 'threeCxCrmApi', id: '7', name: '3CX CRM' });
	const credentialsHelper = new TestCredentialsHelper(new CredentialTypeRegistry([new ThreeCxCrmApi()])).addStore(store);
	const node: INode = {
		id: 'n1',
		name: '3CX CRM Trigger',
		type: 'n8n-nodes-3cx.threeCxCrmTrigger',
		typeVersion: 1,
		position: [0, 0],
		webhookId: WEBHOOK_ID,
		parameters,
		credentials: { threeCxCrmApi: store.nodeCredentials },
	};
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const wf = new Workflow({ id: 'wf-crm', nodes: [node], connections: {}, active: true, nodeTypes });
	const executions: INodeExecutionData[][] = [];
	let base = '';
	const server = await startWebhookServer(async (req, res) => {
		const description = nodeType.description.webhooks!.find((w) => w.httpMethod === req.method)!;
		const additionalData = testAdditionalData(credentialsHelper, wf.id);
		additionalData.webhookBaseUrl = `${base}/webhook`;
		Object.assign(additionalData, { httpRequest: req, httpResponse: res });
		const webhookData = { httpMethod: req.method, node: node.name, path: `${WEBHOOK_ID}/crm`, webhookDescription: description, workflowId: wf.id } as unknown as IWebhookData;
		const context = new WebhookContext(wf, wf.getNode(node.name)!, additionalData, 'webhook', webhookData, [], null);
		const result: IWebhookResponseData = await nodeType.webhook.call(context);
		if (!result.workflowData) return;
		executions.push(result.workflowData[0]);
		if (result.noWebhookResponse) {
			await workflow(result.workflowData[0]);
			return;
		}
		// n8n's lastNode mode: the first item of the last node; a failed workflow answers 500.
		try {
			const answer = await workflow(result.workflowData[0]);
			res.status(200).json(answer ?? { message: 'Workflow executed successfully but the last node did not return any data' });
		} catch {
			res.status(500).json({ message: 'Error in workflow' });
		}
	});
	base = server.url;
	harness = { url: server.url, webhookUrl: `${server.url}/webhook/${WEBHOOK_ID}/crm`, executions, server };
	return harness;
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const CONTACTS: IDataObject[] = [
	{ id: 'c1', firstName: 'Ada', lastName: 'Lovelace', company: 'ACME', phoneBusiness: '+4930111', url: 'https://crm.example/c1' },
	{ id: 'c2', firstName: 'Alan', lastName: 'Turing', company: 'ACME', phoneBusiness: '+4930111', url: 'https://crm.example/c2' },
];
/** A workflow that finds the caller in CONTACTS and answers {contacts: [...]}. */
const findContact: WorkflowRun = async (items) => ({ contacts: CONTACTS.filter((c) => c.phoneBusiness === items[0].json.number) });

async function templateOf(h: Harness): Promise<string> {
	const res = await fetch(h.webhookUrl, { headers: { authorization: basic('n8n', SHARED) } });
	expect(res.status).toBe(200);
	expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
	return res.text();
}

describe('authentication', () => {
	it('answers 401 without an execution to a missing, wrong or other-user secret, on POST and GET', async () => {
		const h = await start({ events: ['lookup', 'callJournal'] }, findContact);
		const attempts: Array<Record<string, string>> = [{}, { authorization: basic('n8n', 'wrong-secret-000000') }, { authorization: basic('admin', SHARED) }, { authorization: `Bearer ${SHARED}` }];
		for (const headers of attempts) {
			for (const method of ['POST', 'GET']) {
				const res = await fetch(h.webhookUrl, { method, headers: { ...headers, 'content-type': 'application/json' }, body: method === 'POST' ? JSON.stringify({ event: 'lookup', number: '+4930111' }) : undefined });
				expect(res.status).toBe(401);
				expect(res.headers.get('www-authenticate')).toBe('Basic realm="3CX CRM"');
				expect(await res.text()).not.toContain(SHARED);
			}
		}
		expect(h.executions).toHaveLength(0);
		expect(JSON.stringify(n8nRuntime().logs)).not.toContain(SHARED);
	});

	it('hands out a template with its own URL and the secret, which the CRM engine loads', async () => {
		const h = await start({ events: ['lookup', 'search', 'callJournal'], options: { templateName: 'Our CRM' } }, findContact);
		const xml = await templateOf(h);
		const engine = new CrmEngine();
		const t = engine.load(xml);
		expect(t.name).toBe('Our CRM');
		expect(t.scenarios.map((s) => [s.id, s.request?.url])).toEqual([
			['', h.webhookUrl],
			['SearchContacts', h.webhookUrl],
			['ReportCall', h.webhookUrl],
		]);
		expect(t.parameters.find((p) => p.name === 'Secret')?.default).toBe(SHARED);
	});

	it('names the field when the credential secret cannot go into a template', async () => {
		const h = await start({ events: ['lookup'] }, findContact, 'short');
		const res = await fetch(h.webhookUrl, { headers: { authorization: basic('n8n', 'short') } });
		expect(res.status).toBe(400);
		expect(((await res.json()) as IDataObject).message).toMatch(/^Secret:/);
	});
});

describe('contact lookup through the template 3CX uploads', () => {
	it('match, several, no match and a workflow error: 3CX shows the contact, both, none, none (fast)', async () => {
		let failing = false;
		const h = await start({ events: ['lookup', 'callJournal'] }, async (items) => {
			if (failing) throw new Error('CRM down');
			return findContact(items);
		});
		const engine = new CrmEngine({ timeoutMs: 2000 });
		engine.load(await templateOf(h));

		CONTACTS[1].phoneBusiness = '+4930999';
		const one = await engine.lookup('+4930111');
		expect(one.contacts).toEqual([expect.objectContaining({ ContactID: 'c1', FirstName: 'Ada', LastName: 'Lovelace', CompanyName: 'ACME', ContactUrl: 'https://crm.example/c1', EntityId: 'c1', EntityType: 'Contacts' })]);
		CONTACTS[1].phoneBusiness = '+4930111';
		expect((await engine.lookup('+4930111')).contacts.map((c) => c.ContactID)).toEqual(['c1', 'c2']);
		expect((await engine.lookup('+4930000')).contacts).toEqual([]);
		failing = true;
		const started = Date.now();
		const failed = await engine.lookup('+4930111');
		expect(failed.contacts).toEqual([]);
		expect(failed.runs[0].response?.status).toBe(500);
		expect(Date.now() - started).toBeLessThan(1000);
		expect(h.executions.map((e) => e[0].json)).toEqual(Array(4).fill({ event: 'lookup', number: expect.stringMatching(/^\+4930/) }).map((m, i) => ({ ...m, number: ['+4930111', '+4930111', '+4930000', '+4930111'][i] })));
	});

	it('answers "no match" at once, without an execution, to an event the trigger does not listen to', async () => {
		const h = await start({ events: ['callJournal'] }, findContact);
		const res = await fetch(h.webhookUrl, { method: 'POST', headers: { authorization: basic('n8n', SHARED), 'content-type': 'application/json' }, body: JSON.stringify({ event: 'lookup', number: '+4930111' }) });
		expect(await res.json()).toEqual({ contacts: [] });
		expect(h.executions).toHaveLength(0);
		const bad = await fetch(h.webhookUrl, { method: 'POST', headers: { authorization: basic('n8n', SHARED), 'content-type': 'application/json' }, body: JSON.stringify({ event: 'other' }) });
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as IDataObject).message).toMatch(/^event:/);
	});
});

describe('call journal', () => {
	it('one typed item per call: inbound answered, missed, outbound, not answered; unfilled values empty', async () => {
		const h = await start({ events: ['lookup', 'callJournal'] }, findContact);
		CONTACTS[1].phoneBusiness = '+4930999';
		const engine = new CrmEngine();
		engine.load(await templateOf(h));
		const calls = [
			{ number: '+4930111', direction: 'Inbound' as const, answered: true },
			{ number: '+4930111', direction: 'Inbound' as const, answered: false },
			{ number: '+4930777', direction: 'Outbound' as const, answered: true },
			{ number: '+4930777', direction: 'Outbound' as const, answered: false },
		];
		for (const c of calls) {
			const rec = await engine.placeCall({ ...c, agent: '101', agentFirstName: 'Grace', agentLastName: 'Hopper', agentEmail: 'grace@example.com', queueExtension: '800', start: '2026-12-07T08:00:00Z', established: '2026-12-07T08:00:12Z', end: '2026-12-07T08:03:12Z', recordingUrl: c.answered ? 'https://pbx.example/rec/1.wav' : undefined });
			expect(rec.journal[0].response?.status).toBe(200);
		}
		const journal = h.executions.filter((e) => e[0].json.event === 'callJournal').map((e) => e[0].json);
		expect(journal).toHaveLength(4);
		expect(journal.map((j) => [j.callType, j.direction, j.answered, j.contactId])).toEqual([
			['inbound', 'inbound', true, 'c1'],
			['missed', 'inbound', false, 'c1'],
			['outbound', 'outbound', true, null],
			['notAnswered', 'outbound', false, null],
		]);
		expect(journal[0]).toEqual({
			event: 'callJournal',
			callType: 'inbound',
			direction: 'inbound',
			answered: true,
			number: '+4930111',
			contactId: 'c1',
			agentNumber: '101',
			agentName: 'Grace Hopper',
			agentEmail: 'grace@example.com',
			queue: '800',
			startedAt: '2026-12-07T08:00:00.000Z',
			answeredAt: '2026-12-07T08:00:12.000Z',
			endedAt: '2026-12-07T08:03:12.000Z',
			durationSeconds: 180,
			recordingUrl: 'https://pbx.example/rec/1.wav',
			transcript: null,
			summary: null,
			sentiment: null,
			localDateTime: '07.12.2026 08:00',
		});
		expect(journal[1]).toMatchObject({ answeredAt: null, durationSeconds: 0, recordingUrl: null });
	});

	it('reads the fields a V20 template may add, and literal [Variables] as empty', () => {
		expect(journalItem({ callType: 'Missed', number: '[Number]', transcript: 'Hello', summary: 'Asked for a callback', sentiment: 'Positive', duration: '00:01:05', callStartTimeUtc: '[[CallStartTimeUTC].ToString("yyyy-MM-ddTHH:mm:ssZ")]' })).toMatchObject({
			callType: 'missed',
			number: null,
			transcript: 'Hello',
			summary: 'Asked for a callback',
			sentiment: 'Positive',
			durationSeconds: 65,
			startedAt: null,
		});
	});
});
