/**
 * The fake 3CX server on its own (plain fetch, no n8n): token endpoint rules,
 * bearer checks, recording and the response helpers.
 */
import {
	binary,
	collection,
	createXapiServer,
	html,
	json,
	makeEntities,
	noContent,
	odataError,
	sequence,
	xapiWarning,
} from './helpers/xapi-server';

const server = createXapiServer({ clientId: '901', clientSecret: 's3cret' });

beforeAll(async () => {
	await server.start();
});

beforeEach(() => {
	server.reset();
});

afterAll(async () => {
	await server.stop();
});

async function token(body = 'grant_type=client_credentials&client_id=901&client_secret=s3cret') {
	const res = await fetch(server.url('/connect/token'), {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body,
	});
	return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function api(path: string, accessToken?: string, init: RequestInit = {}) {
	const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
	if (accessToken) headers.authorization = `Bearer ${accessToken}`;
	const res = await fetch(server.url(`/xapi/v1${path}`), { ...init, headers });
	const buffer = Buffer.from(await res.arrayBuffer());
	return { status: res.status, headers: res.headers, text: buffer.toString('utf8'), buffer };
}

describe('token endpoint', () => {
	it('issues a bearer token in 3CX form', async () => {
		const { status, body } = await token();
		expect(status).toBe(200);
		expect(body).toEqual({
			token_type: 'Bearer',
			expires_in: 3600,
			access_token: expect.any(String),
			refresh_token: null,
		});
		expect(server.tokenRequestCount).toBe(1);
		expect(server.currentToken).toBe(body.access_token);
	});

	it('answers 401 unauthorized for a wrong secret', async () => {
		const { status, body } = await token('grant_type=client_credentials&client_id=901&client_secret=nope');
		expect(status).toBe(401);
		expect(body).toEqual({ error: 'unauthorized', error_description: expect.any(String) });
		expect(server.tokensIssued).toBe(0);
	});

	it('rejects other grant types and non-form bodies', async () => {
		expect((await token('grant_type=password&client_id=901&client_secret=s3cret')).status).toBe(400);
		const res = await fetch(server.url('/connect/token'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ client_id: '901', client_secret: 's3cret', grant_type: 'client_credentials' }),
		});
		expect(res.status).toBe(400);
	});

	it('a new token invalidates the previous one (configurable)', async () => {
		const first = (await token()).body.access_token as string;
		const second = (await token()).body.access_token as string;
		expect(first).not.toBe(second);
		expect((await api('/Users', first)).status).toBe(401);
		expect((await api('/Users', second)).status).toBe(200);

		server.configure({ invalidatePreviousTokens: false });
		const third = (await token()).body.access_token as string;
		expect((await api('/Users', second)).status).toBe(200);
		expect((await api('/Users', third)).status).toBe(200);
	});
});

describe('API', () => {
	it('refuses requests without a valid token, and after revocation', async () => {
		expect((await api('/Users')).status).toBe(401);
		expect((await api('/Users', 'made-up')).status).toBe(401);
		const t = server.issueToken();
		expect((await api('/Users', t)).status).toBe(200);
		server.expireToken();
		const res = await api('/Users', t);
		expect(res.status).toBe(401);
		expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
	});

	it('defaults to an empty OData collection with the entity set in @odata.context', async () => {
		const res = await api('/RingGroups?$top=5', server.issueToken());
		expect(JSON.parse(res.text)).toEqual({
			'@odata.context': `${server.baseUrl}/xapi/v1/$metadata#RingGroups`,
			value: [],
		});
		expect(res.headers.get('x-3cx-version')).toBe('20.0.10.1000');
	});

	it('records method, raw and decoded path, raw and parsed query, headers and body', async () => {
		const t = server.issueToken();
		await api("/Users(Number='1%2F2')/Pbx.Foo?%24filter=Name%20eq%20'a+b'&$select=Id,Name", t, {
			method: 'PATCH',
			headers: { 'content-type': 'application/json', 'x-test': '1' },
			body: JSON.stringify({ Name: 'x' }),
		});
		const req = server.lastApiRequest;
		expect(req).toMatchObject({
			kind: 'api',
			method: 'PATCH',
			rawPath: "/xapi/v1/Users(Number='1%2F2')/Pbx.Foo",
			path: "/xapi/v1/Users(Number='1/2')/Pbx.Foo",
			apiPath: "/Users(Number='1/2')/Pbx.Foo",
			// fetch (WHATWG URL) percent-encodes ' in the query but not in the path
			rawQuery: '%24filter=Name%20eq%20%27a+b%27&$select=Id,Name',
			query: { $filter: "Name eq 'a b'", $select: 'Id,Name' },
			bodyText: '{"Name":"x"}',
			json: { Name: 'x' },
			token: t,
			authorized: true,
		});
		expect(req?.headers['x-test']).toBe('1');
		expect(req?.response?.status).toBe(200);
	});

	it('newest route wins; times and sequence script series of answers', async () => {
		const t = server.issueToken();
		server.get('/Users(1)', json({ Id: 1, v: 'default' }));
		server.get('/Users(1)', odataError(503, 'busy'), { times: 1 });
		expect((await api('/Users(1)', t)).status).toBe(503);
		expect(JSON.parse((await api('/Users(1)', t)).text)).toEqual({ Id: 1, v: 'default' });

		server.get(/Groups/, sequence(odataError(500, 'x'), json({ Id: 2 })));
		expect((await api('/Groups(2)', t)).status).toBe(500);
		expect((await api('/Groups(2)', t)).status).toBe(200);
		expect((await api('/Groups(2)', t)).status).toBe(200);
	});

	it('handler function and route auth override', async () => {
		server.setHandler((req) => (req.apiPath === '/Defs' ? json({ Id: 1 }) : undefined));
		server.get('/Public', json({ ok: true }), { auth: false });
		const t = server.issueToken();
		expect(JSON.parse((await api('/Defs', t)).text)).toEqual({ Id: 1 });
		expect((await api('/Public')).status).toBe(200);
	});

	it('error, 204, HTML and binary helpers', async () => {
		const t = server.issueToken();
		server.post('/Users', xapiWarning('WARNINGS.XAPI.DUPLICATE', { target: 'Name' }));
		server.delete('/Users(1)', noContent());
		server.get('/Html', html('<html><body>Bad gateway</body></html>', 502));
		server.get('/File', binary(Buffer.from([0, 1, 2, 255]), 'audio/wav', { filename: 'rec.wav' }));

		const dup = await api('/Users', t, { method: 'POST' });
		expect(dup.status).toBe(400);
		expect(JSON.parse(dup.text)).toEqual({
			error: {
				code: '',
				message: 'Name:\nWARNINGS.XAPI.DUPLICATE',
				details: [{ message: 'WARNINGS.XAPI.DUPLICATE', target: 'Name' }],
			},
		});
		const del = await api('/Users(1)', t, { method: 'DELETE' });
		expect(del.status).toBe(204);
		expect(del.text).toBe('');
		const page = await api('/Html', t);
		expect(page.status).toBe(502);
		expect(page.headers.get('content-type')).toContain('text/html');
		const file = await api('/File', t);
		expect([...file.buffer]).toEqual([0, 1, 2, 255]);
		expect(file.headers.get('content-disposition')).toBe('attachment; filename="rec.wav"');
	});

	it('collection helper honours $top, $skip, $count, $select and the $top cap', async () => {
		const t = server.issueToken();
		server.get('/Users', collection(makeEntities(250)));
		const page = JSON.parse((await api('/Users?$top=2&$skip=248&$count=true&$select=Id', t)).text);
		expect(page).toEqual({
			'@odata.context': `${server.baseUrl}/xapi/v1/$metadata#Users`,
			'@odata.count': 250,
			value: [{ Id: 249 }, { Id: 250 }],
		});
		expect(JSON.parse((await api('/Users', t)).text).value).toHaveLength(250);
		const tooMany = await api('/Users?$top=101', t);
		expect(tooMany.status).toBe(400);
		expect(JSON.parse(tooMany.text).error.message).toContain("The limit of '100' for Top query has been exceeded");
	});
});
