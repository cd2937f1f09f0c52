/**
 * Issue 10 item 9: 3CX answers with an X-3CX-Version header. A 404/405 on an operation of the
 * spec, from a server of another build than the node was generated from, says which build the
 * node was built from, which the server runs, and how to regenerate.
 */
import type { INodeParameters } from 'n8n-workflow';

import { generatedFrom } from '../nodes/client';
import { runNode, xapiCredentials } from './helpers/harness';
import { byId, useXapiServer } from './helpers/setup';
import { odataError, type XapiServer } from '../simulator';

// the first run of a file loads n8n-core and the node: slow on a busy machine
jest.setTimeout(120_000);

const xapi = useXapiServer();
let server: XapiServer;
beforeEach(() => (server = xapi()));

const getUser: INodeParameters = { resource: 'users', operation: 'getUser', userKey: byId(5) };

async function failWith(status: number, version: string | false, parameters = getUser) {
	server.configure({ version });
	server.get(/Users/, odataError(status, 'No such thing'));
	const { error } = await runNode({ parameters, credentials: xapiCredentials(server) });
	expect(error?.httpCode).toBe(String(status));
	return String(error?.description ?? '');
}

describe('the build the node was generated from', () => {
	it('is emitted by the generator: the spec file, its 3CX build and hash', () => {
		expect(generatedFrom.file).toMatch(/\.ya?ml$|\.json$/);
		expect(generatedFrom.sha256).toMatch(/^[0-9a-f]{64}$/);
		const fromName = /(\d+\.\d+\.\d+(?:\.\d+)?)/.exec(generatedFrom.file)?.[1];
		if (fromName) expect(generatedFrom.build).toBe(fromName);
	});
});

describe('a 404/405 from a server of another build', () => {
	it.each([404, 405])('%i: names both builds and how to regenerate', async (status) => {
		const description = await failWith(status, '20.0.4.500');
		expect(description).toContain(
			`This node was built from the XAPI spec of 3CX ${generatedFrom.build} (${generatedFrom.file}); this server runs 3CX 20.0.4.500`,
		);
		expect(description).toContain('npm run generate -- --server https://your-pbx (or --spec');
	});

	it.each([
		['the same build (any revision)', 404, `${generatedFrom.build}.1000`],
		['no version header', 404, false as const],
		['another status', 500, '20.0.4.500'],
		['a 400', 400, '20.0.4.500'],
	])('not said for %s', async (_label, status, version) => {
		expect(await failWith(status, version)).not.toContain('This node was built from');
	});

	it('not said for the Custom API Call (its path need not be in the spec)', async () => {
		const description = await failWith(404, '20.0.4.500', { resource: 'customApiCall', operation: 'customApiCall', customPath: '/Users(5)' });
		expect(description).not.toContain('This node was built from');
	});
});
