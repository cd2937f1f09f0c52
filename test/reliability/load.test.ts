/**
 * Issue 6, load: one execution with 1,000 input items against the local server. One token, every
 * item answered (each with its own entity, in order), and a token that 3CX invalidates halfway
 * renewed once. Time and memory figures are in `npm run bench`, not asserted here.
 */
import type { INodeParameters } from 'n8n-workflow';

import { MAX_IN_FLIGHT } from '../../nodes/client/send';
import { CredentialStore, runNode, xapiCredentials } from '../helpers/harness';
import { createXapiServer, json, type XapiServer } from '../../simulator';
import { baseParameters, fieldValue, jsonOf } from './support';

const N = 1000;

let server: XapiServer;

beforeAll(async () => {
	server = createXapiServer();
	await server.start();
});
afterAll(async () => await server.stop());
beforeEach(() => {
	server.reset();
	server.get(/Users\(\d+\)/, (req) => json({ Id: Number(/\((\d+)\)/.exec(req.path)?.[1]), FirstName: 'Load' }));
});

function parameters(): INodeParameters {
	const p = baseParameters('getUser');
	const field = Object.keys(p).find((k) => !['resource', 'operation'].includes(k)) as string;
	p[field] = fieldValue(field, 'getUser', '={{ $json.id }}') as INodeParameters[string];
	return p;
}

const items = () => Array.from({ length: N }, (_, i) => ({ json: { id: i + 1 } }));

describe('1,000 items in one execution', () => {
	it('one token, 1,000 requests, every item answered with its own entity, in order', async () => {
		const { error, items: out } = await runNode({ parameters: parameters(), items: items(), credentials: xapiCredentials(server) });
		expect(error).toBeUndefined();
		expect(server.tokenRequestCount).toBe(1);
		expect(server.apiRequests).toHaveLength(N);
		expect(new Set(server.apiRequests.map((r) => r.rawApiPath)).size).toBe(N);
		expect(jsonOf(out).map((j) => j.Id)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
		expect(server.apiRequests.every((r) => r.response?.status === 200)).toBe(true);
	}, 180_000);

	it('3CX invalidates the token halfway: one renewal serves every later item; only the requests in flight pay a 401', async () => {
		const store = new CredentialStore(xapiCredentials(server));
		let answered = 0;
		server.get(/Users\(\d+\)/, (req) => {
			answered += 1;
			if (answered === N / 2) server.revokeTokens();
			return json({ Id: Number(/\((\d+)\)/.exec(req.path)?.[1]) });
		});
		const { error, items: out } = await runNode({ parameters: parameters(), items: items(), credentialStore: store });
		expect(error).toBeUndefined();
		expect(out).toHaveLength(N);
		expect(jsonOf(out).map((j) => j.Id)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
		expect(server.tokenRequestCount).toBe(2);
		const unauthorized = server.apiRequests.filter((r) => r.response?.status === 401).length;
		expect(server.apiRequests.length).toBe(N + unauthorized);
		// the requests already sent with the revoked token, and no other: the 500 items after the
		// renewal are signed with the new token when their turn comes (client/send.ts)
		expect(unauthorized).toBeGreaterThan(0);
		expect(unauthorized).toBeLessThanOrEqual(MAX_IN_FLIGHT);
	}, 180_000);

	it('one credential read for the run, not one per item (n8n signs with that read)', async () => {
		const store = new CredentialStore(xapiCredentials(server));
		await runNode({ parameters: parameters(), items: items().slice(0, 10), credentialStore: store });
		const before = store.decryptCount;
		const { error } = await runNode({ parameters: parameters(), items: items(), credentialStore: store });
		expect(error).toBeUndefined();
		expect(server.apiRequests.length).toBe(10 + N);
		// RoutingNode's own read and the request builder's one read for all items
		expect(store.decryptCount - before).toBeLessThanOrEqual(2);
	}, 180_000);
});
