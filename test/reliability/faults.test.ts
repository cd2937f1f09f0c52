/**
 * Issue 6, faults: connection refused, unknown host, timeout, 500/502/503/504 (with a 3CX message,
 * empty, or a proxy's HTML page), a 200 with an HTML page or cut-off JSON, a dropped connection.
 * Each is an n8n error with the status and 3CX's message where there is one; Continue On Fail turns
 * it into an error item and the run goes on; n8n's Retry On Fail works with the node.
 *
 * RoutingNode through the harness for the node's own behaviour; n8n-core's real WorkflowExecute
 * (engine.ts) for Retry On Fail and for the run going on to the next node.
 */
import type { INodeExecutionData, INodeParameters, NodeApiError } from 'n8n-workflow';

import { CredentialStore, runNode, xapiCredentials } from '../helpers/harness';
import { useXapiServer } from '../helpers/setup';
import {
	createXapiServer,
	empty,
	html,
	json,
	odataError,
	raw,
	sequence,
	type XapiResponse,
	type XapiServer,
} from '../../simulator';
import { runWorkflow } from './engine';
import { baseParameters, fieldValue, itemErrors, jsonOf } from './support';

const xapi = useXapiServer();
let server: XapiServer;
beforeEach(() => (server = xapi()));

/** getUser with the key taken from the item: item i asks for /Users(i + 1). */
function getUserPerItem(extra: INodeParameters = {}): INodeParameters {
	const parameters = baseParameters('getUser', extra);
	const field = Object.keys(parameters).find((k) => !['resource', 'operation'].includes(k)) as string;
	parameters[field] = fieldValue(field, 'getUser', '={{ $json.id }}') as INodeParameters[string];
	return parameters;
}

const threeItems = () => [{ json: { id: 1 } }, { json: { id: 2 } }, { json: { id: 3 } }];

/** Answers /Users(2) with `fault`, the other users normally. */
function faultOnSecondUser(fault: XapiResponse | ((req: never) => XapiResponse)) {
	server.get(/Users\(2\)/, fault as XapiResponse);
	server.get(/Users\((1|3)\)/, (req) => json({ Id: Number(/\((\d+)\)/.exec(req.path)?.[1]) }));
}

/** A stored token the fake server does not know, with a far expiry: no token request is made. */
function storeWithToken(baseUrl: string): CredentialStore {
	const claims = Buffer.from(JSON.stringify({ iat: 1, exp: 4_000_000_000 })).toString('base64url');
	return new CredentialStore({ ...xapiCredentials(server), baseUrl: baseUrl }).setAccessToken(`eyJhbGciOiJIUzI1NiJ9.${claims}.sig`);
}

describe('HTTP faults: the status and 3CX message in an n8n error', () => {
	const statuses: Array<[number, string, string]> = [
		[500, 'Internal server error', 'misformatted keys'],
		[502, 'Bad gateway', 'A proxy in front of 3CX could not reach it.'],
		[503, 'Service unavailable', '3CX is unavailable (restarting or overloaded).'],
		[504, 'Gateway timeout', 'heavy reports do this'],
	];

	it.each(statuses)('%s with a 3CX error body', async (status, text, hint) => {
		server.get(/Users/, odataError(status, 'Report generation failed', [{ message: 'WARNINGS.XAPI.TIMEOUT', target: 'Report' }]));
		const { error, items } = await runNode({ parameters: baseParameters('getUser'), credentials: xapiCredentials(server) });
		expect(error?.constructor.name).toBe('NodeApiError');
		expect(error?.httpCode).toBe(String(status));
		expect(error?.message).toBe(`3CX answered ${status} ${text}: Report generation failed`);
		expect(error?.description).toContain('Details: WARNINGS.XAPI.TIMEOUT (Report)');
		expect(error?.description).toContain(hint);
		expect(items).toEqual([]);
	});

	it.each(statuses)('%s with an empty body', async (status, text, hint) => {
		server.get(/Users/, empty(status));
		const { error } = await runNode({ parameters: baseParameters('getUser'), credentials: xapiCredentials(server) });
		expect(error?.httpCode).toBe(String(status));
		expect(error?.message).toBe(`3CX answered ${status} ${text}`);
		expect(error?.description).toContain(hint);
	});

	it.each(statuses)("%s with a reverse proxy's HTML page", async (status, text) => {
		server.get(/Users/, html(`<!DOCTYPE html><html><body><h1>${status} ${text}</h1><hr>nginx</body></html>`, status));
		const { error } = await runNode({ parameters: baseParameters('getUser'), credentials: xapiCredentials(server) });
		expect(error?.httpCode).toBe(String(status));
		expect(error?.message).toBe(`3CX answered ${status} ${text}`);
		expect(error?.description).toContain('The answer was an HTML page, not a 3CX (XAPI) error.');
	});

	it('a 3CX message that mentions a network error code keeps its own text (n8n would replace it)', async () => {
		server.get(/Users/, odataError(500, 'Database connect ECONNREFUSED 10.0.0.5:5432'));
		const { error } = await runNode({ parameters: baseParameters('getUser'), credentials: xapiCredentials(server) });
		expect(error?.message).toBe('3CX answered 500 Internal server error: Database connect ECONNREFUSED 10.0.0.5:5432');
	});

	it('200 with an HTML page (a reverse proxy or captive portal): an error, not an item of HTML', async () => {
		server.get(/Users/, html('<!DOCTYPE html><html><body>Please log in</body></html>', 200));
		const { error } = await runNode({ parameters: baseParameters('getUser'), credentials: xapiCredentials(server) });
		expect(error?.httpCode).toBe('200');
		expect(error?.message).toBe('3CX answered 200 with an HTML page instead of JSON');
		expect(error?.description).toContain('Check the Base URL of the credential');
	});

	it('200 with JSON cut off on the way: an error, not an item holding the broken text', async () => {
		server.get(/Users/, raw('{"Id": 1, "FirstName": "An', 'application/json; charset=utf-8'));
		const { error, items } = await runNode({ parameters: baseParameters('getUser'), credentials: xapiCredentials(server) });
		expect(error?.httpCode).toBe('200');
		expect(error?.message).toMatch(/^3CX answered 200 with JSON that does not parse \(.+\)$/);
		expect(error?.description).toContain('cut off');
		expect(items).toEqual([]);
	});
});

describe('network faults', () => {
	it('connection refused (3CX down): n8n\'s error, with the code', async () => {
		const down = createXapiServer();
		await down.start();
		const baseUrl = down.baseUrl;
		await down.stop();
		const { error } = await runNode({ parameters: baseParameters('getUser'), credentialStore: storeWithToken(baseUrl) });
		expect(error?.constructor.name).toBe('NodeApiError');
		expect(error?.httpCode).toBe('ECONNREFUSED');
		expect(error?.message).toBeTruthy(); // n8n's words, which n8n may change: only the code is ours to assert
	});

	it('unknown host (DNS failure, *.invalid): fails at once with n8n\'s error', async () => {
		const { error } = await runNode({
			parameters: baseParameters('getUser'),
			credentialStore: storeWithToken('https://pbx.example.invalid:5001'),
		});
		// NXDOMAIN (ENOTFOUND) from a resolver; EAI_AGAIN where no resolver answers at all
		expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(error?.httpCode);
		expect(error?.constructor.name).toBe('NodeApiError');
	});

	it('timeout (Request Options > Timeout) against a server that answers late', async () => {
		server.get(/Users/, { ...json({ Id: 1 }), delayMs: 5000 });
		const { error } = await runNode({
			parameters: baseParameters('getUser', { requestOptions: { timeout: 300 } }),
			credentials: xapiCredentials(server),
		});
		expect(error?.constructor.name).toBe('NodeApiError');
		expect(error?.httpCode).toBe('ECONNABORTED');
		expect(server.apiRequests).toHaveLength(1);
	});

	it('the connection dropped before an answer', async () => {
		server.get(/Users/, { destroy: true });
		const { error } = await runNode({ parameters: baseParameters('getUser'), credentials: xapiCredentials(server) });
		expect(error?.constructor.name).toBe('NodeApiError');
		expect(error?.httpCode).toBe('ECONNRESET');
	});
});

describe('Continue On Fail: the failed item becomes an error item and the others go on', () => {
	// Our own messages are asserted by text; network faults keep n8n's words, so only their code is.
	const faults: Array<[string, XapiResponse, INodeParameters, RegExp | { httpCode: string }]> = [
		['500 with a 3CX message', odataError(500, 'boom'), {}, /^3CX answered 500 Internal server error: boom$/],
		['502 HTML page', html('<html>Bad Gateway</html>', 502), {}, /^3CX answered 502 Bad gateway$/],
		['503 empty', empty(503), {}, /^3CX answered 503 Service unavailable$/],
		['504', odataError(504, 'Gateway Time-out'), {}, /^3CX answered 504 Gateway timeout: Gateway Time-out$/],
		['200 HTML', html('<html>proxy</html>'), {}, /^3CX answered 200 with an HTML page instead of JSON$/],
		['200 cut-off JSON', raw('{"Id": 2', 'application/json'), {}, /^3CX answered 200 with JSON that does not parse/],
		['a dropped connection', { destroy: true }, {}, { httpCode: 'ECONNRESET' }],
		['a timeout', { ...json({ Id: 2 }), delayMs: 5000 }, { requestOptions: { timeout: 1000 } }, { httpCode: 'ECONNABORTED' }],
	];

	it.each(faults)('%s', async (_label, fault, extra, expected) => {
		faultOnSecondUser(fault);
		const { error, items } = await runNode({
			parameters: getUserPerItem(extra),
			items: threeItems(),
			credentials: xapiCredentials(server),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(3);
		expect(jsonOf([items[0], items[2]])).toEqual([{ Id: 1 }, { Id: 3 }]);
		expect(items[1].json).toEqual({});
		if (expected instanceof RegExp) expect(itemErrors(items)[1]).toMatch(expected);
		else expect((items[1].error as NodeApiError | undefined)?.httpCode).toBe(expected.httpCode);
		expect(server.tokenRequestCount).toBe(1);
	});

	it('connection refused and unknown host fail every item, each as an error item', async () => {
		for (const baseUrl of ['http://127.0.0.1:1', 'https://pbx.example.invalid']) {
			const { error, items } = await runNode({
				parameters: getUserPerItem(),
				items: threeItems(),
				credentialStore: storeWithToken(baseUrl),
				continueOnFail: true,
			});
			expect(error).toBeUndefined();
			expect(itemErrors(items)).toHaveLength(3);
			expect(itemErrors(items).every((m) => typeof m === 'string' && m.length > 0)).toBe(true);
		}
	});

	it("On Error > Continue (using error output): good items on the first output, the failed one on the error output", async () => {
		faultOnSecondUser(odataError(503, 'restarting'));
		const { error, items, errorItems } = await runNode({
			parameters: getUserPerItem(),
			items: threeItems(),
			credentials: xapiCredentials(server),
			onError: 'continueErrorOutput',
		});
		expect(error).toBeUndefined();
		expect(jsonOf(items)).toEqual([{ Id: 1 }, { Id: 3 }]);
		expect(errorItems).toHaveLength(1);
		expect(itemErrors(errorItems ?? [])).toEqual(['3CX answered 503 Service unavailable: restarting']);
	});

	it('in a whole workflow (WorkflowExecute): the next node runs and receives the good items and the error item', async () => {
		faultOnSecondUser(odataError(504, 'report too big'));
		const { error, after } = await runWorkflow({
			parameters: getUserPerItem(),
			items: [{ id: 1 }, { id: 2 }, { id: 3 }],
			store: new CredentialStore(xapiCredentials(server)),
			settings: { continueOnFail: true },
		});
		expect(error).toBeUndefined();
		expect(after).toHaveLength(3);
		expect((after as INodeExecutionData[]).map((i) => i.json.Id ?? i.json.error)).toEqual([
			1,
			'3CX answered 504 Gateway timeout: report too big',
			3,
		]);
	});
});

describe("Retry On Fail (n8n-core's WorkflowExecute retry loop)", () => {
	const retry = { retryOnFail: true, maxTries: 3, waitBetweenTries: 10 };

	const transient: Array<[string, XapiResponse]> = [
		['503', odataError(503, 'restarting')],
		['504', empty(504)],
		['502 HTML', html('<html>502</html>', 502)],
		['200 HTML', html('<html>proxy</html>')],
		['a dropped connection', { destroy: true }],
		['a timeout', { ...json({ Id: 9 }), delayMs: 5000 }],
	];

	it.each(transient)('%s once, then an answer: the node succeeds on the second try, with the same token', async (_label, fault) => {
		server.get(/Users/, sequence(fault, json({ Id: 1 })));
		const { error, output, after } = await runWorkflow({
			parameters: baseParameters('getUser', { requestOptions: { timeout: 1000 } }),
			store: new CredentialStore(xapiCredentials(server)),
			settings: retry,
		});
		expect(error).toBeUndefined();
		expect(jsonOf(output)).toEqual([{ Id: 1 }]);
		expect(after).toHaveLength(1);
		expect(server.apiRequests).toHaveLength(2);
		expect(server.tokenRequestCount).toBe(1);
	});

	it('a fault that lasts: tried Max Tries times, then the execution fails with the last error', async () => {
		server.get(/Users/, odataError(503, 'still restarting'));
		const { error, after } = await runWorkflow({
			parameters: baseParameters('getUser'),
			store: new CredentialStore(xapiCredentials(server)),
			settings: retry,
		});
		expect(error?.message).toBe('3CX answered 503 Service unavailable: still restarting');
		expect(after).toBeUndefined();
		expect(server.apiRequests).toHaveLength(3);
		expect(server.tokenRequestCount).toBe(1);
	});

	it('a failed token request is retried too (3CX restarting): one token in the end', async () => {
		let calls = 0;
		server.setTokenHandler(() => (calls++ === 0 ? html('<html>503</html>', 503) : undefined));
		server.get(/Users/, json({ Id: 1 }));
		const { error, output } = await runWorkflow({
			parameters: baseParameters('getUser'),
			store: new CredentialStore(xapiCredentials(server)),
			settings: retry,
		});
		expect(error).toBeUndefined();
		expect(jsonOf(output)).toEqual([{ Id: 1 }]);
		expect(server.tokenRequestCount).toBe(2);
		expect(server.tokensIssued).toBe(1);
	});

	it('with Continue On Fail as well, n8n does not retry: the error item is the result (n8n behaviour)', async () => {
		server.get(/Users/, sequence(odataError(503, 'restarting'), json({ Id: 1 })));
		const { error, output } = await runWorkflow({
			parameters: baseParameters('getUser'),
			store: new CredentialStore(xapiCredentials(server)),
			settings: { ...retry, continueOnFail: true },
		});
		expect(error).toBeUndefined();
		expect(itemErrors(output)).toEqual(['3CX answered 503 Service unavailable: restarting']);
		expect(server.apiRequests).toHaveLength(1);
	});

	it('without Retry On Fail the first fault ends the execution (one request)', async () => {
		server.get(/Users/, sequence(odataError(503, 'restarting'), json({ Id: 1 })));
		const { error } = await runWorkflow({ parameters: baseParameters('getUser'), store: new CredentialStore(xapiCredentials(server)) });
		expect(error?.message).toBe('3CX answered 503 Service unavailable: restarting');
		expect(server.apiRequests).toHaveLength(1);
	});
});
