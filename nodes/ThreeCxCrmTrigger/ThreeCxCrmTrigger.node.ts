import {
	fromParameter,
	NodeConnectionTypes,
	webhookDescriptionFields,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type IHookFunctions,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { journalItem, field } from './journal';
import { BASIC_USER, buildCrmTemplate, CONTACT_FIELDS, SECRET_PATTERN } from './template';

type CrmEvent = 'lookup' | 'search' | 'email' | 'callJournal';

/**
 * The lookup's response mode from the Respond parameter. Where n8n-workflow has native resolvers
 * (n8n 2.x), n8n reads it without its expression engine, which otherwise runs (in a V8 isolate)
 * on every request while a caller waits; older n8n evaluates the expression.
 */
const RESPONSE_MODE =
	typeof webhookDescriptionFields === 'function' && typeof fromParameter === 'function'
		? webhookDescriptionFields({ responseMode: fromParameter('respond', 'lastNode') })
		: { responseMode: '={{$parameter["respond"] || "lastNode"}}' };

const CREDENTIAL = 'threeCxCrmApi';

/** Equal texts in a time that does not depend on where they differ. */
function sameText(a: string, b: string): boolean {
	let diff = a.length ^ b.length;
	for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
	return diff === 0;
}

/** The password of a Basic `Authorization` header for user `n8n`, or undefined. */
function basicPassword(header: string | string[] | undefined): string | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	const m = value ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value) : null;
	if (!m) return undefined;
	const decoded = Buffer.from(m[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0 || decoded.slice(0, colon) !== BASIC_USER) return undefined;
	return decoded.slice(colon + 1);
}

export class ThreeCxCrmTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: '3CX CRM Trigger',
		name: 'threeCxCrmTrigger',
		icon: { light: 'file:../../icons/3cx.svg', dark: 'file:../../icons/3cx.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description:
			"Answers 3CX's contact lookups and receives its call journal through 3CX's CRM integration (Professional and Enterprise, no API client)",
		defaults: { name: '3CX CRM Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'threeCxCrmApi', required: true, testedBy: 'crmSecret' }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				path: 'crm',
				...RESPONSE_MODE,
				responseData: 'firstEntryJson',
			},
			{
				name: 'default',
				httpMethod: 'GET',
				path: 'crm',
				responseMode: 'onReceived',
			},
		],
		properties: [
			{
				displayName:
					'Get the template for 3CX: open this trigger\'s GET URL (below) in a browser, sign in as user "n8n" with the secret of the credential, and upload the file in the 3CX Admin console under Integrations > CRM. Details: docs/crm.md.',
				name: 'templateNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: ['lookup', 'callJournal'],
				description: 'What 3CX sends to this workflow; the template has a scenario for each',
				options: [
					{
						name: 'Call Journal',
						value: 'callJournal',
						description: 'A call ended: one item per call, answered at once; 3CX does not wait for the workflow',
					},
					{
						name: 'Contact Lookup',
						value: 'lookup',
						description: 'A call rings: 3CX waits for the contacts the workflow answers with',
					},
					{
						name: 'Contact Search',
						value: 'search',
						description: 'A user searches contacts in the 3CX apps',
					},
					{
						name: 'Lookup by Email',
						value: 'email',
						description: '3CX looks a contact up by email address',
					},
				],
			},
			{
				displayName: 'Respond',
				name: 'respond',
				type: 'options',
				default: 'lastNode',
				description: 'How the workflow answers lookups and searches: with {"contacts": [...]} (see the hint below)',
				options: [
					{ name: 'When Last Node Finishes', value: 'lastNode', description: 'The first item of the last node: {"contacts": [...]}' },
					{ name: "Using 'Respond to Webhook' Node", value: 'responseNode', description: 'Respond to Webhook sends {"contacts": [...]}' },
				],
			},
			{
				displayName: `Answer lookups with one item {"contacts": [{...}, ...]}, each contact with any of: ${CONTACT_FIELDS.map((f) => f.field).join(', ')}. No contacts, an empty answer or an error: 3CX shows no match.`,
				name: 'answerNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Journal Missed and Unanswered Calls',
						name: 'journalMissed',
						type: 'boolean',
						default: true,
						description: 'Whether the template journals missed and unanswered calls too (the admin can change it in the 3CX console)',
					},
					{
						displayName: 'Template Name',
						name: 'templateName',
						type: 'string',
						default: 'n8n',
						description: 'Name of the CRM template in the 3CX console',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: {
			/** The secret must fit into the template (nothing to call: 3CX calls n8n). */
			async crmSecret(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				const secret = credential.data?.secret;
				if (typeof secret === 'string' && SECRET_PATTERN.test(secret)) return { status: 'OK', message: 'The secret fits into the 3CX template' };
				return { status: 'Error', message: 'Secret: use 16 to 200 letters, digits, "-", ".", "_" or "~"' };
			},
		},
	};

	/**
	 * Nothing to register at 3CX: the admin uploads the template once (docs/crm.md); n8n serves
	 * the webhook while the workflow is active.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const credentials = await this.getCredentials<{ secret?: string }>(CREDENTIAL);
		const secret = typeof credentials.secret === 'string' ? credentials.secret : '';
		const given = basicPassword(req.headers.authorization);
		if (!secret || given === undefined || !sameText(given, secret)) {
			res.status(401).setHeader('WWW-Authenticate', 'Basic realm="3CX CRM"');
			res.json({ message: 'Authorization is required' });
			return { noWebhookResponse: true };
		}
		const events = this.getNodeParameter('events', []) as CrmEvent[];

		if (req.method === 'GET') {
			const options = this.getNodeParameter('options', {}) as { journalMissed?: boolean; templateName?: string };
			const url = this.getNodeWebhookUrl('default') ?? '';
			const template = buildCrmTemplate({
					name: options.templateName ?? 'n8n',
					secret,
					lookupUrl: url,
					searchUrl: events.includes('search') ? url : undefined,
					emailUrl: events.includes('email') ? url : undefined,
					journalUrl: events.includes('callJournal') ? url : undefined,
					journalEnabled: true,
					journalMissed: options.journalMissed !== false,
				});
			if (template.problem !== undefined) {
				res.status(400).json({ message: template.problem });
				return { noWebhookResponse: true };
			}
			res.status(200);
			res.setHeader('Content-Type', 'application/xml; charset=utf-8');
			res.setHeader('Content-Disposition', 'attachment; filename="n8n-3cx-crm-template.xml"');
			res.end(template.xml);
			return { noWebhookResponse: true };
		}

		const body = this.getBodyData();
		const event = field(body, 'event') as CrmEvent | null;
		if (event === 'callJournal') {
			res.status(200).json({ received: true });
			if (!events.includes('callJournal')) return { noWebhookResponse: true };
			return { noWebhookResponse: true, workflowData: [[{ json: journalItem(body) }]] };
		}
		let item: IDataObject;
		if (event === 'lookup') item = { event, number: field(body, 'number') };
		else if (event === 'search') item = { event, query: field(body, 'searchText') };
		else if (event === 'email') item = { event, email: field(body, 'email') };
		else {
			res.status(400).json({ message: 'event: expected "lookup", "search", "email" or "callJournal"' });
			return { noWebhookResponse: true };
		}
		if (!events.includes(event)) {
			// Not an event of this workflow: no match, at once, without an execution.
			res.status(200).json({ contacts: [] });
			return { noWebhookResponse: true };
		}
		return { workflowData: [[{ json: item }]] };
	}
}
