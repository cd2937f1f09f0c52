'use strict';
/**
 * `--server`: the spec a PBX serves itself, so the node can be generated for the build it runs.
 *
 * 3CX serves `/xapi/v1/swagger.yaml` to a bearer token. The token comes from `/connect/token`
 * with the client-credentials grant (the API client's ID and secret, from the environment, never
 * from the command line where a shell history would keep them). The build is the answer's
 * `X-3CX-Version` header. Dev tooling: axios is a devDependency, nothing of this reaches the node.
 */
const https = require('https');
const axios = require('axios').default;

const TOKEN_PATH = '/connect/token';
const SPEC_PATH = '/xapi/v1/swagger.yaml';

/** The PBX's address without a trailing slash, a path it was pasted with, or whitespace. */
function serverOrigin(server) {
	let url;
	try {
		url = new URL(String(server).trim());
	} catch {
		throw new Error(`--server ${server}: not a URL (expected e.g. https://pbx.example.com)`);
	}
	if (!/^https?:$/.test(url.protocol)) throw new Error(`--server ${server}: expected an http or https address`);
	// A pasted console address (https://pbx/#/office/...) or a /xapi/v1 suffix is the same PBX.
	const base = url.pathname.replace(/\/+$/, '').replace(/\/xapi(\/v1)?$/i, '');
	return `${url.origin}${base}`;
}

function describeFailure(what, error) {
	if (error.response) {
		const body = error.response.data;
		const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : JSON.stringify(body);
		return `${what} answered HTTP ${error.response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
	}
	return `${what} failed: ${error.code || error.message}${error.code && /CERT|SELF_SIGNED|UNABLE_TO/.test(error.code) ? ' (a self-signed PBX needs --insecure)' : ''}`;
}

/**
 * Fetches the PBX's spec. Returns { text, build } (build undefined when the PBX sends no
 * X-3CX-Version header).
 * @param {string} server
 * @param {{ clientId?: string, clientSecret?: string, insecure?: boolean, timeoutMs?: number }} [options]
 */
async function fetchServerSpec(server, { clientId, clientSecret, insecure = false, timeoutMs = 60000 } = {}) {
	if (!clientId || !clientSecret) {
		throw new Error('--server needs the API client\'s credentials in THREECX_CLIENT_ID and THREECX_CLIENT_SECRET (3CX Admin Console > Integrations > API).');
	}
	const origin = serverOrigin(server);
	const client = axios.create({
		timeout: timeoutMs,
		maxRedirects: 0,
		httpsAgent: new https.Agent({ rejectUnauthorized: !insecure }),
		responseType: 'text',
		transformResponse: [(data) => data],
		validateStatus: (status) => status >= 200 && status < 300,
	});
	let token;
	try {
		const answer = await client.post(
			`${origin}${TOKEN_PATH}`,
			new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials' }).toString(),
			{ headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' } },
		);
		token = JSON.parse(answer.data).access_token;
	} catch (error) {
		if (error instanceof SyntaxError) throw new Error(`${origin}${TOKEN_PATH} did not answer JSON: is ${origin} a 3CX PBX?`);
		throw new Error(describeFailure(`The token endpoint ${origin}${TOKEN_PATH}`, error));
	}
	if (!token) throw new Error(`${origin}${TOKEN_PATH} gave no access_token`);
	let answer;
	try {
		answer = await client.get(`${origin}${SPEC_PATH}`, {
			headers: { Authorization: `Bearer ${token}`, Accept: 'application/yaml, text/yaml, */*' },
		});
	} catch (error) {
		throw new Error(describeFailure(`${origin}${SPEC_PATH}`, error));
	}
	const text = String(answer.data || '');
	if (!/^\s*(openapi|swagger)\s*:/m.test(text) && !/^\s*\{/.test(text)) {
		throw new Error(`${origin}${SPEC_PATH} did not answer an OpenAPI document`);
	}
	const header = answer.headers['x-3cx-version'];
	const build = header ? String(Array.isArray(header) ? header[0] : header).trim() : undefined;
	if (build && !/^[0-9A-Za-z.+-]{1,40}$/.test(build)) throw new Error(`${origin}: unexpected X-3CX-Version "${build.slice(0, 40)}"`);
	return { text, build: build || undefined };
}

module.exports = { fetchServerSpec, serverOrigin, TOKEN_PATH, SPEC_PATH };
