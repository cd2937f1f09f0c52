/**
 * Issue 13: two n8n processes (queue-mode workers) on one credential. They share the stored token
 * through the database and nothing else: here each "worker" has its own copy of the node's runtime
 * (its own in-process renewal bookkeeping, loaded with jest.isolateModules) and its own n8n-core
 * context and credentials helper, and both read and write one CredentialStore (the database row).
 *
 * The races are forced, not waited for: a hook runs worker B at the exact point in worker A's
 * renewal that a busy machine once hit by chance.
 */
import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import * as transportA from '../../nodes/client';
import { CredentialStore, pollContext, xapiCredentials } from '../helpers/harness';
import { useXapiServer } from '../helpers/setup';
import { json, type XapiServer } from '../../simulator';
import { baseParameters } from './support';

type Transport = typeof transportA;

/** A second copy of the runtime, as a second n8n process has it. */
function otherProcessTransport(): Transport {
	let copy: Transport | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		copy = require('../../nodes/client') as Transport;
	});
	if (!copy) throw new Error('the runtime did not load');
	return copy;
}

const transportB = otherProcessTransport();

// the first run of a file loads n8n-core and the node: slow on a busy machine
jest.setTimeout(120_000);

const xapi = useXapiServer();
let server: XapiServer;
beforeEach(() => {
	server = xapi();
	server.get('/Users(1)', json({ Id: 1 }));
});

/** A worker's context: its own n8n-core PollContext and credentials helper on the shared row. */
function worker(store: CredentialStore): IPollFunctions {
	return pollContext({ parameters: baseParameters('getUser'), credentialStore: store }).context as unknown as IPollFunctions;
}

const getUser = { method: 'GET', path: '/Users(1)' } as const;

/** Stores a token the server issued, as if a worker had fetched it earlier. */
function storedToken(store: CredentialStore): string {
	const token = server.issueToken();
	store.setAccessToken(token, { expires_in: 3600, n8n_expires_at: String(Date.now() + 3600_000) });
	return token;
}

describe('two workers sharing one credential (queue mode)', () => {
	it("worker B stores a fresh token between worker A's staleness check and A's refresh: A uses B's token, no fetch", async () => {
		const store = new CredentialStore(xapiCredentials(server));
		const first = storedToken(store);
		server.revokeTokens(); // 3CX refuses the stored token: both workers will need a new one

		const a = worker(store);
		const b = worker(store);
		const refresh = a.helpers.refreshOAuth2Token;
		let interleaved = 0;
		// Runs when A has read the credential, found its token stale and is about to refresh
		a.helpers.refreshOAuth2Token = async function (this: unknown, ...args: Parameters<typeof refresh>) {
			if (interleaved++ === 0) {
				// worker B: its request gets 401 too, it renews (fetches) and stores the fresh token
				await expect(transportB.xapiJson(b, getUser)).resolves.toEqual({ Id: 1 });
				expect(store.accessToken).not.toBe(first);
			}
			return await refresh.apply(this as typeof a, args);
		} as typeof refresh;

		await expect(transportA.xapiJson(a, getUser)).resolves.toEqual({ Id: 1 });

		expect(interleaved).toBe(1);
		// one token fetched, by B; A took it instead of fetching another and revoking it
		expect(server.tokensIssued).toBe(2); // the one stored at the start, and B's
		const fresh = server.issuedTokens[1];
		expect(store.accessToken).toBe(fresh);
		const tokens = server.apiRequests.map((r) => [r.token === first ? 'old' : r.token === fresh ? 'fresh' : 'other', r.response?.status]);
		expect(tokens).toEqual([
			['old', 401], // A
			['old', 401], // B
			['fresh', 200], // B's retry
			['fresh', 200], // A's retry, with B's token
		]);
		// and B's token still works for B
		await expect(transportB.xapiJson(b, getUser)).resolves.toEqual({ Id: 1 });
		expect(server.tokensIssued).toBe(2);
	});

	it('A got 401 with token 1 and finds token 2 stored by B: A retries with token 2 without fetching', async () => {
		const store = new CredentialStore(xapiCredentials(server));
		const first = storedToken(store);
		const a = worker(store);
		const send = a.helpers.httpRequestWithAuthentication;
		let calls = 0;
		a.helpers.httpRequestWithAuthentication = async function (this: unknown, ...args: Parameters<typeof send>) {
			// before A's first request reaches 3CX, worker B renews (3CX revokes token 1)
			if (calls++ === 0) storedToken(store);
			return await send.apply(this as typeof a, args);
		} as typeof send;

		await expect(transportA.xapiJson(a, getUser)).resolves.toEqual({ Id: 1 });

		expect(server.tokenRequestCount).toBe(0);
		expect(server.apiRequests.map((r) => [r.token === first ? 1 : 2, r.response?.status])).toEqual([
			[1, 401],
			[2, 200],
		]);
	});

	it("A's retry is refused because B renewed meanwhile: A retries with B's stored token instead of failing", async () => {
		const store = new CredentialStore(xapiCredentials(server));
		storedToken(store);
		server.revokeTokens();
		const a = worker(store);
		const b = worker(store);
		const send = a.helpers.httpRequestWithAuthentication;
		let calls = 0;
		a.helpers.httpRequestWithAuthentication = async function (this: unknown, ...args: Parameters<typeof send>) {
			// A renewed after its 401; just before its retry reaches 3CX, B finds A's new token
			// refused (revoked by 3CX) and renews: B's token replaces A's
			if (calls++ === 1) {
				const own = store.accessToken as string;
				server.revokeToken(own);
				await expect(transportB.xapiJson(b, getUser)).resolves.toEqual({ Id: 1 });
				expect(store.accessToken).not.toBe(own);
			}
			return await send.apply(this as typeof a, args);
		} as typeof send;

		await expect(transportA.xapiJson(a, getUser)).resolves.toEqual({ Id: 1 });

		const statuses = server.apiRequests.map((r) => r.response?.status);
		expect(statuses).toEqual([401, 401, 200, 401, 200]); // A, B, B's retry, A's retry, A with B's token
		expect(server.apiRequests[4].token).toBe(store.accessToken);
		expect(server.tokenRequestCount).toBe(2); // A's renewal and B's, nothing more
	});

	it('a token renewed and still refused is reported as such (XAPI access, or a Client ID used elsewhere)', async () => {
		const store = new CredentialStore(xapiCredentials(server));
		storedToken(store);
		server.get('/Users(1)', { status: 401, body: '' }, { auth: false });
		const error = (await transportA.xapiJson(worker(store), getUser).catch((e: unknown) => e)) as IDataObject;
		expect(error.message).toBe('3CX refused the access token again after it was renewed (401)');
		expect(error.description).toMatch(/Configuration API \(XAPI\)/);
		expect(server.tokenRequestCount).toBe(1);
	});

	it('a token replaced by other processes on every try says so, after a bounded number of tries', async () => {
		const store = new CredentialStore(xapiCredentials(server));
		storedToken(store);
		server.get('/Users(1)', { status: 401, body: '' }, { auth: false });
		const a = worker(store);
		const send = a.helpers.httpRequestWithAuthentication;
		let calls = 0;
		a.helpers.httpRequestWithAuthentication = async function (this: unknown, ...args: Parameters<typeof send>) {
			const answer = await send.apply(this as typeof a, args);
			calls++;
			storedToken(store); // another process stores a newer token after every request of A
			return answer;
		} as typeof send;
		const error = (await transportA.xapiJson(a, getUser).catch((e: unknown) => e)) as IDataObject;
		expect(error.message).toMatch(/while other n8n processes kept replacing it/);
		expect(error.description).toMatch(/each n8n instance \(not each worker\)/);
		expect(calls).toBe(4); // the request and three tries
		expect(server.tokenRequestCount).toBe(0);
	});
});
