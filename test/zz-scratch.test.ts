import type { INodeType } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { runNode, xapiCredentials, threeCxCredentialType } from './helpers/harness';
import { createXapiServer, html, xapiWarning, sequence, json } from './helpers/xapi-server';

const node = (): INodeType => ({
	description: {
		displayName: 'B', name: 'b', group: ['transform'], version: 1, description: 'b', defaults: { name: 'B' },
		inputs: [NodeConnectionTypes.Main], outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'threeCxOAuth2Api', required: true }],
		requestDefaults: { baseURL: '={{$credentials.baseUrl}}/xapi/v1' },
		properties: [{ displayName: 'X', name: 'x', type: 'string', default: 'a', routing: { request: { method: 'POST', url: '/Users', body: { Name: 'x' } } } }],
	},
});
const server = createXapiServer();
const tls = createXapiServer({ https: true });
beforeAll(async () => { await server.start(); await tls.start(); });
afterAll(async () => { await server.stop(); await tls.stop(); });
it('msgs', async () => {
	const show = (l: string, r: Awaited<ReturnType<typeof runNode>>) => console.log(l, r.error?.constructor.name, '|', r.error?.message, '|', r.error?.description, '|', r.error?.httpCode, '|', (r.error as any)?.cause?.message);
	show('badsecret', await runNode({ nodeType: node(), credentialType: threeCxCredentialType(), parameters: {}, credentials: xapiCredentials(server, { clientSecret: 'no' }) }));
	show('tls', await runNode({ nodeType: node(), credentialType: threeCxCredentialType(), parameters: {}, credentials: xapiCredentials(tls) }));
	server.post('/Users', xapiWarning('WARNINGS.XAPI.DUPLICATE', { target: 'Name' }));
	show('dup', await runNode({ nodeType: node(), credentialType: threeCxCredentialType(), parameters: {}, credentials: xapiCredentials(server) }));
	server.post('/Users', html('<html>Bad gateway</html>', 502));
	show('html502', await runNode({ nodeType: node(), credentialType: threeCxCredentialType(), parameters: {}, credentials: xapiCredentials(server) }));
	server.post('/Users', sequence({ destroy: true }, json({ Id: 1 })));
	show('destroy', await runNode({ nodeType: node(), credentialType: threeCxCredentialType(), parameters: {}, credentials: xapiCredentials(server) }));
	console.log(server.lastApiRequest?.json, server.lastApiRequest?.headers['content-type']);
});
