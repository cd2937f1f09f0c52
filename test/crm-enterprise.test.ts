/**
 * The Enterprise path (issue 19): one workflow selects the uploaded CRM template with the 3CX
 * node's generated CrmIntegration operations, sets its parameters (VariableChoices) and runs 3CX's
 * own test lookup (Pbx.Test); the simulator answers Pbx.Test by running its CRM engine on the
 * template, against the workflow behind the trigger (here a local server answering as n8n does).
 */
import { buildCrmTemplate } from '../nodes/ThreeCxCrmTrigger/template';
import { CrmEngine, installXapiCrm } from '../simulator/crm-engine';
import { startCrmServer, type CrmServer } from './helpers/crm';
import { runNode, xapiCredentials } from './helpers/harness';
import { useXapiServer } from './helpers/setup';

const xapi = useXapiServer();
const SHARED = 'enterprise-test-value-123456';
let crm: CrmServer | undefined;
afterEach(async () => {
	await crm?.close();
	crm = undefined;
});

it('CrmIntegration update selects the template and sets VariableChoices; Pbx.Test shows the contact n8n answers', async () => {
	const server = xapi();
	installXapiCrm(server);
	crm = await startCrmServer((r) => {
		const auth = `Basic ${Buffer.from(`n8n:${SHARED}`).toString('base64')}`;
		if (r.headers.authorization !== auth) return { status: 401, json: { message: 'Authorization is required' } };
		return { json: { contacts: JSON.parse(r.body).number === '+4930111' ? [{ id: 'c1', firstName: 'Ada', lastName: 'Lovelace', url: 'https://crm.example/c1' }] : [] } };
	});
	// the template as the trigger hands it out, with a placeholder secret; the admin uploaded it
	const xml = buildCrmTemplate({ name: 'n8n', secret: 'placeholder-until-choices-set', lookupUrl: `${crm.url}/webhook/x/crm` }).xml ?? '';
	const engine = new CrmEngine();
	engine.load(xml);
	Object.assign(server, { crmEngine: engine });
	const credentials = xapiCredentials(server);

	// before the choices: 3CX sends the placeholder, n8n answers 401, no contact
	const before = await runNode({ credentials, parameters: { resource: 'crmIntegration', operation: 'test', mode: 'PhoneExact', query: '+4930111' } });
	expect(before.error).toBeUndefined();
	expect(before.items[0].json).toMatchObject({ IsError: false, SearchResult: [] });

	const update = await runNode({
		credentials,
		parameters: { resource: 'crmIntegration', operation: 'updateCrmIntegration', crmIntegrationFields: { Name: 'n8n', VariableChoices: JSON.stringify([{ Key: 'Secret', Value: SHARED }]) } },
	});
	expect(update.error).toBeUndefined();
	const patch = server.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/CrmIntegration'));
	expect(patch?.json).toEqual({ Name: 'n8n', VariableChoices: [{ Key: 'Secret', Value: SHARED }] });

	const found = await runNode({ credentials, parameters: { resource: 'crmIntegration', operation: 'test', mode: 'PhoneExact', query: '+4930111' } });
	expect(found.items[0].json).toMatchObject({ IsError: false, SearchResult: [{ FirstName: 'Ada', LastName: 'Lovelace', ContactUrl: 'https://crm.example/c1' }] });
	const none = await runNode({ credentials, parameters: { resource: 'crmIntegration', operation: 'test', mode: 'PhoneExact', query: '+4930999' } });
	expect(none.items[0].json).toMatchObject({ IsError: false, SearchResult: [] });

	// a template name 3CX does not have: the node reports 3CX's error naming the field
	const wrong = await runNode({ credentials, parameters: { resource: 'crmIntegration', operation: 'updateCrmIntegration', crmIntegrationFields: { Name: 'Other' } } });
	expect(String(wrong.error?.message ?? '') + String(wrong.error?.description ?? '')).toMatch(/Name: no uploaded CRM template is called "Other"/);
}, 120_000);
