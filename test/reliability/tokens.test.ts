/**
 * Issue 6, tokens. 3CX keeps one valid token per API client and invalidates it when anyone fetches
 * a new one, so a token storm locks every other integration out. Through n8n-core's RoutingNode
 * (and WorkflowExecute for concurrent executions) against the local fake 3CX server:
 * - one token per credential, reused across items and executions;
 * - a 401 renews once and retries once; a second 401 explains the likely cause;
 * - a failed token request is a clear error that never shows the client secret or a token;
 * - the token's lifetime comes from the JWT, not from `expires_in` (minutes before 3CX 20.0.9,
 *   seconds since).
 */
import type { ICredentialDataDecryptedObject, INodeExecutionData } from 'n8n-workflow';

import { CredentialStore, runNode, xapiCredentials } from '../helpers/harness';
import { createXapiServer, html, json, type XapiServer } from '../../simulator';
import { tokenExpiresAt } from '../../nodes/client/token';
import { runWorkflow } from './engine';
import { baseParameters, itemErrors, leakedSecrets, visibleTexts } from './support';
import { waitFor } from './timing';

const SECRET = 'S3cr3t/Key+With=Chars&Xyz 42';

let server: XapiServer;

beforeAll(async () => {
	server = createXapiServer({ clientSecret: SECRET });
	await server.start();
});
afterAll(async () => await server.stop());
beforeEach(() => {
	server.reset();
	server.get(/Users/, json({ Id: 1 }));
});

const getUser = () => baseParameters('getUser');

function items(n: number): INodeExecutionData[] {
	return Array.from({ length: n }, (_, i) => ({ json: { i } }));
}

function newStore(overrides: ICredentialDataDecryptedObject = {}): CredentialStore {
	return new CredentialStore(xapiCredentials(server, overrides));
}

/** Statuses the server answered on API calls, counted. */
function apiStatuses(): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const r of server.apiRequests) counts[String(r.response?.status)] = (counts[String(r.response?.status)] ?? 0) + 1;
	return counts;
}

describe('one token per credential', () => {
	it('20 items processed in parallel fetch one token, and every request carries it', async () => {
		const { error, items: out } = await runNode({ parameters: getUser(), items: items(20), credentials: xapiCredentials(server) });
		expect(error).toBeUndefined();
		expect(out).toHaveLength(20);
		expect(server.tokenRequestCount).toBe(1);
		expect(server.apiRequests).toHaveLength(20);
		expect(new Set(server.apiRequests.map((r) => r.token))).toEqual(new Set([server.issuedTokens[0]]));
	});

	it('is reused by the next executions (3 executions x 20 items: still one token)', async () => {
		const store = newStore();
		for (let run = 0; run < 3; run++) {
			const { error } = await runNode({ parameters: getUser(), items: items(20), credentialStore: store });
			expect(error).toBeUndefined();
		}
		expect(server.tokenRequestCount).toBe(1);
		expect(server.apiRequests).toHaveLength(60);
		expect(apiStatuses()).toEqual({ 200: 60 });
	});

	it('two executions started together share one token request', async () => {
		const store = newStore();
		const [a, b] = await Promise.all([
			runNode({ parameters: getUser(), items: items(10), credentialStore: store }),
			runNode({ parameters: getUser(), items: items(10), credentialStore: store }),
		]);
		expect([a.error, b.error]).toEqual([undefined, undefined]);
		expect(server.tokenRequestCount).toBe(1);
		expect(apiStatuses()).toEqual({ 200: 20 });
	});

	it('an execution that reads the credential slowly while another is fetching the token does not fetch a second one', async () => {
		// Execution A fetches the token; the answer takes 300 ms. Execution B starts meanwhile: its
		// first reads (RoutingNode's, then one per item before the request) are quick and find no
		// token; every later read takes 400 ms (a busy database), so anything B does to get a token
		// learns of A's token only after A stored it. B must take that token, not fetch (and so
		// invalidate) another.
		server.setTokenHandler(() => ({
			...json({ token_type: 'Bearer', expires_in: 3600, access_token: server.issueToken(), refresh_token: null }),
			delayMs: 300,
		}));
		const store = newStore();
		const a = runNode({ parameters: getUser(), items: items(3), credentialStore: store });
		await waitFor(() => server.tokenRequestCount === 1);
		const b = runWorkflow({
			parameters: getUser(),
			items: [{}, {}, {}],
			store,
			credentialLatency: (call) => (call <= 1 + 3 ? 0 : 400),
			executionId: 'b',
		});
		const [resultA, resultB] = await Promise.all([a, b]);
		expect(resultA.error).toBeUndefined();
		expect(resultB.error).toBeUndefined();
		expect(server.tokenRequestCount).toBe(1);
		expect(apiStatuses()).toEqual({ 200: 6 });
	});
});

describe('401: renew once, retry once', () => {
	it('3CX invalidated the token (another fetch, a restart): 20 items get 401, one new token, each retried once, all succeed', async () => {
		const store = newStore();
		await runNode({ parameters: getUser(), credentialStore: store });
		server.revokeTokens();
		const { error, items: out } = await runNode({ parameters: getUser(), items: items(20), credentialStore: store });
		expect(error).toBeUndefined();
		expect(out.map((i) => i.json)).toEqual(Array.from({ length: 20 }, () => ({ Id: 1 })));
		expect(server.tokenRequestCount).toBe(2);
		expect(apiStatuses()).toEqual({ 200: 21, 401: 20 });
		// every retry carried the new token
		const retried = server.apiRequests.filter((r) => r.response?.status === 200).slice(1);
		expect(new Set(retried.map((r) => r.token))).toEqual(new Set([server.issuedTokens[1]]));
	});

	it('a second 401 is an error that names the likely causes (no XAPI access, or the Client ID used elsewhere), after exactly one renewal', async () => {
		// another system uses the same Client ID: it fetches a token right after ours, every time
		server.setTokenHandler(() => {
			const ours = server.issueToken();
			server.issueToken();
			return json({ token_type: 'Bearer', expires_in: 3600, access_token: ours, refresh_token: null });
		});
		const { error, items: out } = await runNode({
			parameters: getUser(),
			items: items(20),
			credentials: xapiCredentials(server),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(new Set(itemErrors(out))).toEqual(new Set(['3CX refused the access token again after it was renewed (401)']));
		const first = out[0].error;
		expect(first?.description).toContain('lack access to the Configuration API (XAPI)');
		expect(first?.description).toContain('another system is using the same Client ID');
		expect((first as { httpCode?: string }).httpCode).toBe('401');
		expect(server.tokenRequestCount).toBe(2);
		expect(apiStatuses()).toEqual({ 401: 40 });
	});

	it('without Continue On Fail the execution stops with that error', async () => {
		server.setTokenHandler(() => {
			const ours = server.issueToken();
			server.issueToken();
			return json({ token_type: 'Bearer', expires_in: 3600, access_token: ours, refresh_token: null });
		});
		const { error } = await runNode({ parameters: getUser(), credentials: xapiCredentials(server) });
		expect(error?.message).toBe('3CX refused the access token again after it was renewed (401)');
		expect(server.tokenRequestCount).toBe(2);
		expect(server.apiRequests).toHaveLength(2);
	});
});

describe('a failed token request', () => {
	const cases: Array<[string, () => Promise<ICredentialDataDecryptedObject>, string | RegExp, string]> = [
		[
			'wrong secret (3CX: 401 unauthorized)',
			async () => xapiCredentials(server, { clientSecret: `${SECRET}-old` }),
			'3CX did not issue an access token: unauthorized: The client credentials are invalid.',
			'Check the Client ID and Client Secret (API key)',
		],
		[
			'wrong Client ID',
			async () => xapiCredentials(server, { clientId: '901' }),
			'3CX did not issue an access token: unauthorized: The client credentials are invalid.',
			'Integrations > API',
		],
		[
			'an OAuth error that quotes the secret back',
			async () => {
				server.setTokenHandler((req) =>
					json({ error: 'invalid_client', error_description: `client_secret ${String(req.form?.client_secret)} was revoked` }, 400),
				);
				return xapiCredentials(server);
			},
			'3CX did not issue an access token: invalid_client: client_secret [redacted] was revoked',
			'Token URL:',
		],
		[
			'wrong URL (a path where no 3CX is: 404)',
			async () => xapiCredentials(server, { baseUrl: `${server.baseUrl}/pbx` }),
			'3CX did not issue an access token: the token URL answered HTTP 404 with text/plain instead of a token',
			'/pbx/connect/token.',
		],
		[
			'a reverse proxy answering 200 with an HTML page that echoes the request',
			async () => {
				server.setTokenHandler((req) => html(`<html><body>Login required. You sent: ${req.bodyText}</body></html>`));
				return xapiCredentials(server);
			},
			'3CX did not issue an access token: the token URL answered HTTP 200 with an HTML page instead of a token',
			'without any path',
		],
		[
			'3CX failing (500 page that echoes the request)',
			async () => {
				server.setTokenHandler((req) => html(`<pre>NullReferenceException\n${req.bodyText}</pre>`, 500));
				return xapiCredentials(server);
			},
			'3CX did not issue an access token: the token request failed with HTTP 500',
			'Retry On Fail',
		],
		[
			'an answer without an access token',
			async () => {
				server.setTokenHandler(() => json({ token_type: 'Bearer', expires_in: 3600 }));
				return xapiCredentials(server);
			},
			'3CX did not issue an access token: its answer to the token request had no access_token',
			'Token URL:',
		],
		[
			'server down (connection refused)',
			async () => {
				const down = createXapiServer();
				await down.start();
				const credentials = xapiCredentials(down, { clientSecret: SECRET });
				await down.stop();
				return credentials;
			},
			/^3CX did not issue an access token: nothing answered at 127\.0\.0\.1:\d+ \(connection refused\)$/,
			'ECONNREFUSED',
		],
		[
			'unknown host (DNS: .invalid never resolves)',
			async () => xapiCredentials(server, { baseUrl: 'https://pbx.example.invalid:5001' }),
			// NXDOMAIN (ENOTFOUND) from a resolver; EAI_AGAIN where no resolver answers at all
			/^3CX did not issue an access token: the host name of pbx\.example\.invalid:5001 (was not found|could not be looked up)$/,
			'pbx.example.invalid',
		],
	];

	it.each(cases)('%s: a clear error; with 20 items one token request; no secret anywhere', async (_label, setup, message, hint) => {
		const credentials = await setup();
		const { error, items: out } = await runNode({
			parameters: getUser(),
			items: items(20),
			credentials,
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(out).toHaveLength(20);
		for (const item of out) {
			if (typeof message === 'string') expect(item.error?.message).toBe(message);
			else expect(item.error?.message).toMatch(message);
			expect(item.error?.description).toContain(hint);
		}
		expect(server.tokenRequestCount).toBeLessThanOrEqual(1);
		expect(server.apiRequests).toHaveLength(0);
		expect(leakedSecrets(visibleTexts(undefined, out), [SECRET, `${SECRET}-old`, ...server.issuedTokens])).toEqual([]);

		// and the same error stops an execution without Continue On Fail
		server.reset();
		await setup();
		const single = await runNode({ parameters: getUser(), credentials });
		if (typeof message === 'string') expect(single.error?.message).toBe(message);
		else expect(single.error?.message).toMatch(message);
		expect(leakedSecrets(visibleTexts(single.error), [SECRET, `${SECRET}-old`, ...server.issuedTokens])).toEqual([]);
	});

	it('the connection drops before the token answer (a kept-alive connection the server just closed): sent once more', async () => {
		let calls = 0;
		server.setTokenHandler(() => (calls++ === 0 ? { destroy: true } : undefined));
		const { error, items: out } = await runNode({ parameters: getUser(), items: items(20), credentials: xapiCredentials(server) });
		expect(error).toBeUndefined();
		expect(out).toHaveLength(20);
		expect(server.tokenRequestCount).toBe(2);
		expect(server.tokensIssued).toBe(1);
	});

	it('the connection drops twice: an error after the second attempt, not a loop', async () => {
		server.setTokenHandler(() => ({ destroy: true }));
		const { error } = await runNode({ parameters: getUser(), items: items(20), credentials: xapiCredentials(server) });
		expect(error?.message).toMatch(/^3CX did not issue an access token: 127\.0\.0\.1:\d+ closed the connection$/);
		expect(server.tokenRequestCount).toBe(2);
	});

	it('a token never shows in errors when an API call fails after the request carried it', async () => {
		const store = newStore();
		await runNode({ parameters: getUser(), credentialStore: store });
		const token = store.accessToken ?? '';
		expect(token.length).toBeGreaterThan(20);
		const echoes = [
			json({ error: { code: '', message: `Bad header Authorization: Bearer ${token}`, details: [{ message: token, target: 'Authorization' }] } }, 500),
			html(`<html>502 Bad Gateway<br>upstream sent: Authorization: Bearer ${token}</html>`, 502),
			json({ message: `token ${token} is not allowed here` }, 403),
			{ destroy: true },
		];
		const seen: string[] = [];
		for (const answer of echoes) {
			server.get(/Users/, answer);
			const result = await runNode({ parameters: getUser(), items: items(2), credentialStore: store, continueOnFail: true });
			const texts = visibleTexts(undefined, result.items);
			seen.push(...texts);
			expect(leakedSecrets(texts, [token, SECRET])).toEqual([]);
		}
		expect(seen.join(' ')).toContain('Bearer [redacted]');
	});
});

describe('a credential that signs in as a user (Authorization Code with PKCE)', () => {
	it('not connected yet: a clear error, and nothing is sent', async () => {
		const { error } = await runNode({ parameters: getUser(), credentials: xapiCredentials(server, { grantType: 'pkce' }) });
		expect(error?.message).toBe('The 3CX credential is not connected yet');
		expect(error?.description).toContain('connect it (sign in) again');
		expect(server.requests).toHaveLength(0);
	});

	it('its token expired and there is no refresh token: a clear error, and nothing is sent', async () => {
		const expired = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ iat: 1, exp: 2 })).toString('base64url')}.sig`;
		const store = newStore({ grantType: 'pkce' }).setAccessToken(expired);
		const { error } = await runNode({ parameters: getUser(), credentialStore: store });
		expect(error?.message).toBe('The sign-in of the 3CX credential has expired and it has no refresh token');
		expect(server.requests).toHaveLength(0);
	});
});

describe('token lifetime: the JWT decides, not expires_in (minutes before 3CX 20.0.9, seconds since)', () => {
	let offsetMs = 0;
	const realNow = Date.now.bind(Date);
	const MINUTE = 60_000;

	beforeEach(() => {
		offsetMs = 0;
		jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offsetMs);
	});
	afterEach(() => jest.restoreAllMocks());

	/** Runs 5 items `minutes` after the first token was fetched; returns new token requests and 401s. */
	async function runAt(store: CredentialStore, minutes: number) {
		offsetMs = minutes * MINUTE;
		const before = { tokens: server.tokenRequestCount, unauthorized: apiStatuses()['401'] ?? 0 };
		const { error, items: out } = await runNode({ parameters: getUser(), items: items(5), credentialStore: store });
		expect(error).toBeUndefined();
		expect(out).toHaveLength(5);
		return {
			newTokens: server.tokenRequestCount - before.tokens,
			unauthorized: (apiStatuses()['401'] ?? 0) - before.unauthorized,
		};
	}

	it.each([
		['3CX before 20.0.9: expires_in 60 (minutes)', 'minutes' as const, 60],
		['3CX 20.0.9 and later: expires_in 3600 (seconds)', 'seconds' as const, 3600],
	])('%s, a one-hour JWT: reused for the hour, renewed once just before it ends, never a 401', async (_label, unit, field) => {
		server.configure({ expiresIn: 3600, expiresInUnit: unit });
		const store = newStore();
		expect(await runAt(store, 0)).toEqual({ newTokens: 1, unauthorized: 0 });
		expect(store.oauthTokenData?.expires_in).toBe(field);
		// what n8n stored reads expires_in as seconds: for the old server it "expires" after one minute
		const storedFor = Number(store.oauthTokenData?.n8n_expires_at) - realNow();
		expect(storedFor).toBeLessThanOrEqual(field * 1000);
		expect(storedFor).toBeGreaterThan(field * 1000 - 10_000);
		expect(await runAt(store, 2)).toEqual({ newTokens: 0, unauthorized: 0 });
		expect(await runAt(store, 30)).toEqual({ newTokens: 0, unauthorized: 0 });
		expect(await runAt(store, 58)).toEqual({ newTokens: 0, unauthorized: 0 });
		expect(await runAt(store, 59.75)).toEqual({ newTokens: 1, unauthorized: 0 });
		expect(await runAt(store, 75)).toEqual({ newTokens: 0, unauthorized: 0 });
		expect(await runAt(store, 121)).toEqual({ newTokens: 1, unauthorized: 0 });
	});

	it.each([
		['2 hours behind', -120],
		['2 hours ahead', 120],
	])('a 3CX server whose clock is %s: the lifetime counts from when n8n got the token', async (_label, skewMinutes) => {
		server.configure({ expiresIn: 3600, clockSkewMs: skewMinutes * MINUTE });
		const store = newStore();
		expect(await runAt(store, 0)).toEqual({ newTokens: 1, unauthorized: 0 });
		expect(await runAt(store, 2)).toEqual({ newTokens: 0, unauthorized: 0 });
		expect(await runAt(store, 45)).toEqual({ newTokens: 0, unauthorized: 0 });
		expect(await runAt(store, 61)).toEqual({ newTokens: 1, unauthorized: 0 });
	});

	it('an opaque token (no JWT claims) is used until 3CX refuses it, then renewed once: never every minute', async () => {
		server.configure({ expiresIn: 3600, expiresInUnit: 'minutes', tokenFormat: 'opaque' });
		const store = newStore();
		expect(tokenExpiresAt({ access_token: 'opaque-1', expires_in: 60 })).toBeUndefined();
		expect(await runAt(store, 0)).toEqual({ newTokens: 1, unauthorized: 0 });
		expect(await runAt(store, 2)).toEqual({ newTokens: 0, unauthorized: 0 });
		expect(await runAt(store, 59)).toEqual({ newTokens: 0, unauthorized: 0 });
		// 3CX answers 401 once per item that was in flight; one renewal serves them all
		expect(await runAt(store, 61)).toEqual({ newTokens: 1, unauthorized: 5 });
		expect(await runAt(store, 62)).toEqual({ newTokens: 0, unauthorized: 0 });
	});

	it('a token stored without n8n_expires_at (older n8n) falls back to the JWT exp', async () => {
		const store = newStore();
		expect(await runAt(store, 0)).toEqual({ newTokens: 1, unauthorized: 0 });
		const data = { ...(store.oauthTokenData ?? {}) };
		delete data.n8n_expires_at;
		store.setAccessToken(String(data.access_token), data);
		expect(await runAt(store, 30)).toEqual({ newTokens: 0, unauthorized: 0 });
		expect(await runAt(store, 61)).toEqual({ newTokens: 1, unauthorized: 0 });
	});
});

describe('tokenExpiresAt', () => {
	const jwt = (claims: object) => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

	it('uses the JWT lifetime from the moment n8n received the token, whatever the unit of expires_in', () => {
		const received = 1_800_000_000_000;
		const token = jwt({ iat: 100, exp: 3700 });
		// old server: expires_in 60 (minutes); n8n stored received + 60 s
		expect(tokenExpiresAt({ access_token: token, expires_in: 60, n8n_expires_at: String(received + 60_000) })).toBe(received + 3_600_000);
		// new server: expires_in 3600 (seconds)
		expect(tokenExpiresAt({ access_token: token, expires_in: 3600, n8n_expires_at: String(received + 3_600_000) })).toBe(
			received + 3_600_000,
		);
	});

	it('falls back to exp without iat or n8n_expires_at, and knows nothing of an opaque token', () => {
		expect(tokenExpiresAt({ access_token: jwt({ exp: 2000 }), expires_in: 60, n8n_expires_at: '5' })).toBe(2_000_000);
		expect(tokenExpiresAt({ access_token: jwt({ iat: 1, exp: 2000 }) })).toBe(2_000_000);
		expect(tokenExpiresAt({ access_token: 'not-a-jwt' })).toBeUndefined();
		expect(tokenExpiresAt({ access_token: 'a.b.c' })).toBeUndefined();
		expect(tokenExpiresAt(undefined)).toBeUndefined();
	});
});
