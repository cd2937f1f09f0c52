/**
 * Issue 6, TLS: against a local HTTPS server with a self-signed certificate, the node refuses by
 * default with a clear message, and works when the credential's Ignore SSL Issues is ticked, for
 * both the token request and the API calls. Also what the node's own Request Options > Ignore SSL
 * Issues does (it does not reach the token request), and http/https mix-ups.
 *
 * The node's own words are asserted; the reason in brackets is OpenSSL's, worded differently by
 * each Node version (Node 24 adds a hint about --use-system-ca), so only its presence is. Errors
 * that n8n raises itself are asserted by their code.
 */
import { CredentialStore, runNode, xapiCredentials } from '../helpers/harness';
import { createXapiServer, json, type XapiServer } from '../../simulator';
import { baseParameters } from './support';

let tls: XapiServer;
let plain: XapiServer;

/** The node's message for an untrusted certificate, with OpenSSL's reason (any wording) in brackets. */
const UNTRUSTED = /^3CX did not issue an access token: the server's TLS certificate is not trusted \(.+\)$/;

beforeAll(async () => {
	tls = createXapiServer({ https: true });
	plain = createXapiServer();
	await Promise.all([tls.start(), plain.start()]);
});
afterAll(async () => await Promise.all([tls.stop(), plain.stop()]));
beforeEach(() => {
	tls.reset();
	plain.reset();
	tls.get(/Users/, json({ Id: 1 }));
	plain.get(/Users/, json({ Id: 1 }));
});

const getUser = () => baseParameters('getUser');
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ json: { i } }));

/** A credential row that already holds a token from the HTTPS server (fetched with the flag on). */
async function storeWithTlsToken(): Promise<CredentialStore> {
	const store = new CredentialStore(xapiCredentials(tls, { ignoreSSLIssues: true }));
	const { error } = await runNode({ parameters: getUser(), credentialStore: store });
	expect(error).toBeUndefined();
	store.update({ ignoreSSLIssues: false });
	return store;
}

describe('a self-signed certificate', () => {
	it('is refused by default, with a message that says what to tick; nothing reaches 3CX', async () => {
		const { error } = await runNode({ parameters: getUser(), items: items(5), credentials: xapiCredentials(tls) });
		expect(error?.message).toMatch(UNTRUSTED);
		expect(error?.description).toContain('tick Ignore SSL Issues (Insecure) in the 3CX credential');
		expect(tls.requests).toHaveLength(0);
	});

	it('is accepted for the token and the API calls when the credential says Ignore SSL Issues', async () => {
		const { error, items: out } = await runNode({
			parameters: getUser(),
			items: items(20),
			credentials: xapiCredentials(tls, { ignoreSSLIssues: true }),
		});
		expect(error).toBeUndefined();
		expect(out).toHaveLength(20);
		expect(tls.tokenRequestCount).toBe(1);
		expect(tls.apiRequests).toHaveLength(20);
	});

	it('with the flag off again but a token stored: the API call is refused by n8n (no request reaches 3CX)', async () => {
		const store = await storeWithTlsToken();
		const before = tls.requests.length;
		const { error } = await runNode({ parameters: getUser(), credentialStore: store });
		expect(error?.constructor.name).toBe('NodeApiError');
		expect(error?.httpCode).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
		expect(tls.requests).toHaveLength(before);
	});

	it("the node's Request Options > Ignore SSL Issues covers the API calls but not the token request (n8n's OAuth2 client reads the credential)", async () => {
		const requestOptions = { allowUnauthorizedCerts: true };
		const fresh = await runNode({ parameters: baseParameters('getUser', { requestOptions }), credentials: xapiCredentials(tls) });
		expect(fresh.error?.message).toMatch(UNTRUSTED);
		expect(fresh.error?.description).toContain("the node's Request Options > Ignore SSL Issues does not apply to the token request");

		const store = await storeWithTlsToken();
		const before = { api: tls.apiRequests.length, tokens: tls.tokenRequestCount };
		const withToken = await runNode({ parameters: baseParameters('getUser', { requestOptions }), credentialStore: store });
		expect(withToken.error).toBeUndefined();
		expect(tls.apiRequests.length - before.api).toBe(1);
		expect(tls.tokenRequestCount - before.tokens).toBe(0);
	});
});

describe('http and https mixed up', () => {
	it('https:// to a plain HTTP port: says the server does not speak HTTPS there', async () => {
		const { error } = await runNode({
			parameters: getUser(),
			credentials: xapiCredentials(plain, { baseUrl: plain.baseUrl.replace('http:', 'https:') }),
		});
		expect(error?.message).toMatch(/^3CX did not issue an access token: 127\.0\.0\.1:\d+ does not speak HTTPS on this port \(.+\)$/);
		expect(error?.description).toContain('Check http:// versus https:// and the port');
		expect(plain.requests).toHaveLength(0);
	});

	it('http:// to an HTTPS port: the TLS port drops the request; the error says to use https://', async () => {
		const { error } = await runNode({
			parameters: getUser(),
			credentials: xapiCredentials(tls, { baseUrl: tls.baseUrl.replace('https:', 'http:') }),
		});
		expect(error?.message).toMatch(/^3CX did not issue an access token: 127\.0\.0\.1:\d+ closed the connection$/);
		expect(error?.description).toContain('If 3CX serves HTTPS on this port, the Base URL must start with https://.');
		expect(tls.apiRequests).toHaveLength(0);
	});
});
