/**
 * The client's request (nodes/client/request.ts) from every kind of context that calls it: n8n-core's real
 * PollContext (the trigger's polls), LoadOptionsContext (list searches) and the action node's
 * per-item contexts, against the local fake 3CX. Each gets the node's token discipline (one token
 * per credential, one renewal + retry after a 401) and error mapping.
 */
import type { IPollFunctions } from 'n8n-workflow';

import { clientRequest, currentToken, tokenAfterRefusal, xapiJson, xapiRequest, serverUrl, CREDENTIAL_TYPE } from '../nodes/client';
import { CredentialStore, pollContext, runNode, xapiCredentials } from './helpers/harness';
import { useXapiServer } from './helpers/setup';
import { binary, collection, json, odataError, type XapiServer } from '../simulator';
import { baseParameters } from './reliability/support';

// the first run of a file loads n8n-core and the node: slow on a busy machine
jest.setTimeout(120_000);

const xapi = useXapiServer();
let server: XapiServer;
beforeEach(() => (server = xapi()));

function poll(store: CredentialStore): IPollFunctions {
	return pollContext({ parameters: baseParameters('getUser'), credentialStore: store }).context as unknown as IPollFunctions;
}

const newStore = () => new CredentialStore(xapiCredentials(server));

describe('transport from a poll context (n8n-core PollContext)', () => {
	it('sends one authenticated GET below /xapi/v1 with the query, and parses the answer', async () => {
		server.get('/CallHistoryView', collection([{ SegmentId: 1 }, { SegmentId: 2 }]));
		const answer = await xapiJson<{ value: unknown[] }>(poll(newStore()), {
			method: 'GET',
			path: '/CallHistoryView',
			qs: { $top: 2, $orderby: 'SegmentStartTime asc' },
		});
		expect(answer.value).toEqual([{ SegmentId: 1 }, { SegmentId: 2 }]);
		expect(server.tokenRequestCount).toBe(1);
		expect(server.apiRequests).toHaveLength(1);
		const request = server.apiRequests[0];
		expect(request.method).toBe('GET');
		expect(request.apiPath).toBe('/CallHistoryView');
		expect(request.query).toEqual({ $top: '2', $orderby: 'SegmentStartTime asc' });
		expect(request.token).toBe(server.issuedTokens[0]);
	});

	it('renews a token 3CX refused once and retries; the next poll reuses it', async () => {
		server.get('/EventLogs', collection([{ Id: 1 }]));
		const store = newStore().setAccessToken('revoked-token');
		await expect(xapiJson(poll(store), { method: 'GET', path: '/EventLogs' })).resolves.toEqual(
			expect.objectContaining({ value: [{ Id: 1 }] }),
		);
		expect(server.apiRequests.map((r) => r.response?.status)).toEqual([401, 200]);
		expect(server.tokenRequestCount).toBe(1);
		await xapiJson(poll(store), { method: 'GET', path: '/EventLogs' });
		expect(server.tokenRequestCount).toBe(1);
		expect(store.accessToken).toBe(server.issuedTokens[0]);
	});

	it('a poll and an execution of the action node on one credential share one token request', async () => {
		server.get(/Users/, json({ Id: 1 }));
		server.get('/CallHistoryView', collection([]));
		const store = newStore();
		const [run, polled] = await Promise.all([
			runNode({ parameters: baseParameters('getUser'), items: [{ json: {} }, { json: {} }], credentialStore: store }),
			xapiJson(poll(store), { method: 'GET', path: '/CallHistoryView' }),
		]);
		expect(run.error).toBeUndefined();
		expect(polled).toEqual(expect.objectContaining({ value: [] }));
		expect(server.tokenRequestCount).toBe(1);
		expect(new Set(server.apiRequests.map((r) => r.token))).toEqual(new Set([server.issuedTokens[0]]));
	});

	it("maps 3CX's errors (status, message, details) and keeps the token out of them", async () => {
		server.get('/Recordings', (req) => odataError(400, `bad filter for Bearer ${req.token}`, ['Field is unknown']));
		const error = await xapiJson(poll(newStore()), { method: 'GET', path: '/Recordings' }).catch((e: unknown) => e);
		const { httpCode, message, description } = error as { httpCode?: string; message: string; description?: string };
		expect(httpCode).toBe('400');
		expect(message).toMatch(/^3CX answered 400 Bad request: bad filter for Bearer \[redacted\]/);
		expect(description).toMatch(/Details: Field is unknown/);
		expect(JSON.stringify(error)).not.toContain(server.issuedTokens[0]);
	});

	it('answers a file as raw bytes (file: true)', async () => {
		const wav = Buffer.from([0x52, 0x49, 0x46, 0x46, 0, 1, 2, 255]);
		server.get(/DownloadRecording/, binary(wav, 'audio/wav', { filename: 'r.wav' }));
		const response = await xapiRequest(poll(newStore()), {
			method: 'GET',
			path: '/Recordings/Pbx.DownloadRecording(recId=7)',
			file: true,
		});
		expect(Buffer.from(response.body as Buffer)).toEqual(wav);
		expect(response.headers['content-type']).toBe('audio/wav');
	});

	it('sends a JSON body and the headers it is given', async () => {
		server.post('/Users', json({ Id: 5 }, 201));
		await xapiJson(poll(newStore()), {
			method: 'POST',
			path: '/Users',
			body: { FirstName: "O'Lee" },
			headers: { Prefer: 'return=representation' },
		});
		const request = server.apiRequests[0];
		expect(request.json).toEqual({ FirstName: "O'Lee" });
		expect(request.headers.prefer).toBe('return=representation');
	});

	it('refuses a path that does not start with "/" and sends nothing', async () => {
		await expect(xapiJson(poll(newStore()), { method: 'GET', path: 'Users' })).rejects.toThrow(/must start with "\/"/);
		expect(server.requests).toHaveLength(0);
	});

	it('refuses a Base URL that is not http(s) and sends nothing', async () => {
		const store = new CredentialStore(xapiCredentials(server, { baseUrl: 'pbx.example.com' }));
		await expect(xapiJson(poll(store), { method: 'GET', path: '/Users' })).rejects.toThrow(/Base URL/);
		expect(server.requests).toHaveLength(0);
	});
});

describe('Call Control and WebSocket handshakes (the client serves them like XAPI)', () => {
	it("api: 'callcontrol' sends below /callcontrol with the credential's one token", async () => {
		const store = newStore();
		await clientRequest(poll(store), { api: 'callcontrol', method: 'GET', path: '/100/participants' }).catch(() => undefined);
		const sent = server.requests.filter((r) => r.kind !== 'token');
		expect(sent.map((r) => r.rawPath)).toContain('/callcontrol/100/participants');
		expect(sent.length).toBeGreaterThan(0);
		expect(sent.every((r) => r.token === server.issuedTokens[0])).toBe(true);
		expect(server.tokenRequestCount).toBe(1);
	});

	it('currentToken: one token for concurrent handshakes, the stored one reused', async () => {
		const store = newStore();
		const tokens = await Promise.all([currentToken(poll(store)), currentToken(poll(store)), currentToken(poll(store))]);
		expect(new Set(tokens)).toEqual(new Set([server.issuedTokens[0]]));
		expect(await currentToken(poll(store))).toBe(server.issuedTokens[0]);
		expect(server.tokenRequestCount).toBe(1);
	});

	it('tokenAfterRefusal: a refused token is renewed once, however many connections found it refused', async () => {
		const store = newStore();
		const refused = await currentToken(poll(store));
		const renewed = await Promise.all([tokenAfterRefusal(poll(store), refused), tokenAfterRefusal(poll(store), refused)]);
		expect(new Set(renewed)).toEqual(new Set([server.issuedTokens[1]]));
		expect(store.accessToken).toBe(server.issuedTokens[1]);
		expect(server.tokenRequestCount).toBe(2);
	});
});

describe('serverUrl and constants', () => {
	it.each([
		['https://pbx:5001/', 'https://pbx:5001'],
		['https://pbx:5001/xapi/v1/', 'https://pbx:5001'],
		[' https://pbx:5001/#/office ', 'https://pbx:5001'],
		['https://h/pbx/', 'https://h/pbx'],
	])('%s -> %s', (input, output) => expect(serverUrl(input)).toBe(output));

	it('names the credential type', () => expect(CREDENTIAL_TYPE).toBe('threeCxOAuth2Api'));
});
