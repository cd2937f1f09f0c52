#!/usr/bin/env node
'use strict';
/**
 * End-to-end proof of the credential's user sign-in (Grant Type "Authorization Code with PKCE")
 * in a real n8n, through n8n's REST API as the editor drives it:
 *
 *   1. owner set-up / sign-in (REST), create a 3CX OAuth2 API credential with grant type PKCE;
 *   2. GET /rest/oauth2-credential/auth: the authorize URL n8n builds (code_challenge, S256,
 *      client_id, redirect_uri, scope, state) must point at {Base URL}/connect/authorize;
 *   3. follow it to the PBX's authorize endpoint, which (for a signed-in user) redirects to n8n's
 *      callback with a code; follow that redirect to n8n's callback;
 *   4. n8n exchanges the code at {Base URL}/connect/token with the code_verifier (the PBX checks
 *      SHA-256(code_verifier) against the code_challenge of step 2) and stores the tokens;
 *   5. a workflow (Manual Trigger -> 3CX Get User) runs with `n8n execute` and its API call carries
 *      the access token from step 4; after the PBX revokes that token, the next run gets one 401,
 *      n8n refreshes with the refresh token (grant_type=refresh_token) and the call succeeds;
 *   6. n8n sends nothing else to the PBX (no discovery requests to /.well-known/…).
 *
 *   node e2e/pkce.js [--no-build] [--keep]   standalone: its own n8n (cached Node 24 + n8n 2.41.1)
 *   require('./pkce').provePkce({ n8nUrl, cli, pbx, owner })   from a running e2e (e2e/run.js)
 *
 * The PBX is the simulated 3CX (simulator/) on 127.0.0.1: /connect/authorize (it approves its
 * configured test user at once, as a real 3CX does after the user signs in on its page),
 * /connect/token (authorization_code with the S256 code_verifier check, refresh_token) and
 * /xapi/v1 behind the bearer token; it records every request.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const inst = require('./n8n-instance');

const CREDENTIAL_TYPE = 'threeCxOAuth2Api';
const NODE_TYPE = 'n8n-nodes-3cx.threeCx';
const CLIENT_ID = '900';
const SCOPE = 'openid profile email offline_access';
/** The credential's Base URL field (see credentials/ThreeCxOAuth2Api.credentials.ts). */
const BASE_URL_FIELD = 'baseUrl';

/**
 * The simulated 3CX (simulator/, the one the unit tests, e2e and `npm start` use) with its PKCE
 * sign-in, seen through what this proof reads: requests as { method, path, query, form,
 * authorization, status, pkceVerified }, and the tokens it issued per grant.
 */
function createPkcePbx({ clientId = CLIENT_ID } = {}) {
	const { createXapiServer, json } = require('../simulator');
	const sim = createXapiServer({ clientId, clientSecret: 'e2e-pkce-client-secret', pkceClientId: clientId });
	sim.get('/Users(29)', json({ Id: 29, Number: '128', FirstName: 'First29' }));
	const view = (r) => ({
		method: r.method,
		path: r.path,
		query: r.query,
		form: r.form || {},
		authorization: (r.headers && r.headers.authorization) || null,
		status: r.response ? r.response.status : 0,
		pkceVerified: r.pkceVerified,
	});
	return {
		sim,
		url: '',
		state: {
			get requests() {
				return sim.requests.map(view);
			},
			/** { grant, access_token, refresh_token } of every token the token endpoint issued. */
			get issued() {
				return sim.requests
					.filter((r) => r.kind === 'token' && r.response && r.response.status === 200)
					.map((r) => {
						let body = {};
						try {
							body = JSON.parse(r.response.bodyText);
						} catch {
							/* not JSON */
						}
						return { grant: (r.form && r.form.grant_type) || '', ...body };
					});
			},
		},
		async start() {
			await sim.start();
			this.url = sim.baseUrl;
			return this;
		},
		stop: () => sim.stop(),
		/** Revokes every access token (as 3CX does when another sign-in replaces it). */
		revokeAccessTokens: () => sim.revokeTokens(),
		mark: () => sim.requests.length,
		since: (mark) => sim.requests.slice(mark).map(view),
	};
}

/** fetch with a cookie jar (Set-Cookie from every answer kept for the next request). */
function cookieJar(initial = '') {
	const jar = new Map();
	for (const part of initial.split('; ').filter(Boolean)) {
		const i = part.indexOf('=');
		jar.set(part.slice(0, i), part.slice(i + 1));
	}
	return {
		header: () => [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
		async fetch(url, options = {}) {
			const res = await fetch(url, { ...options, headers: { ...(options.headers || {}), cookie: this.header() } });
			for (const c of res.headers.getSetCookie()) {
				const [pair] = c.split(';');
				const i = pair.indexOf('=');
				jar.set(pair.slice(0, i).trim(), pair.slice(i + 1));
			}
			return res;
		},
	};
}

function workflowFor(credential, id) {
	return {
		id,
		name: 'e2e PKCE: get a user with the signed-in credential',
		active: false,
		nodes: [
			{ id: '00000000-0000-4000-8000-00000000pk01', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: '00000000-0000-4000-8000-00000000pk02',
				name: '3CX',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [240, 0],
				parameters: { resource: 'users', operation: 'getUser', userKey: { __rl: true, mode: 'id', value: '29' } },
				credentials: { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
			},
		],
		connections: { Start: { main: [[{ node: '3CX', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** The items (or the error) of the 3CX node in an `n8n execute --rawOutput` run. */
function itemsOf(ex) {
	const run = inst.parseExecuteOutput(ex.stdout) || inst.parseExecuteOutput(ex.stderr);
	if (!run) return { error: `no execution result in n8n's output (exit ${ex.status}): ${(ex.stderr || ex.stdout).slice(-300)}` };
	const rd = run.data.resultData;
	const last = ((rd.runData || {})['3CX'] || []).slice(-1)[0];
	const error = rd.error || (last && last.error);
	if (error) return { error: [error.message, error.description].filter(Boolean).join(' | ') };
	return { items: ((last && last.data && last.data.main && last.data.main[0]) || []).map((i) => i.json) };
}

/**
 * Runs the proof against a running n8n (`n8nUrl`), with `cli(args)` running n8n's CLI on the same
 * database and `pbx` from createPkcePbx(). Returns { ok, steps, failures, requests }.
 */
async function provePkce({ n8nUrl, cli, pbx, owner = inst.DEFAULT_OWNER, baseUrlField = BASE_URL_FIELD, log = /** @type {(line: string) => void} */ (() => {}) }) {
	const steps = [];
	const failures = [];
	const check = (ok, what, detail) => {
		steps.push({ ok: Boolean(ok), what, ...(detail ? { detail } : {}) });
		if (!ok) failures.push(detail ? `${what}: ${detail}` : what);
		log(`${ok ? 'ok  ' : 'FAIL'} ${what}${!ok && detail ? ` (${detail})` : ''}`);
		return Boolean(ok);
	};
	const mark = pbx.mark();
	const redirectUri = `${n8nUrl}/rest/oauth2-credential/callback`;

	// 1. sign in to n8n, create the credential
	const browser = cookieJar(await inst.ownerSession(n8nUrl, owner));
	const credentialData = { [baseUrlField]: `${pbx.url}/`, grantType: 'pkce', clientId: CLIENT_ID, ignoreSSLIssues: false };
	let res = await browser.fetch(`${n8nUrl}/rest/credentials`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ name: '3CX (PKCE sign-in)', type: CREDENTIAL_TYPE, data: credentialData }),
	});
	const created = res.ok ? (await res.json()).data : undefined;
	if (!check(created && created.id, 'n8n creates a 3CX OAuth2 API credential with grant type PKCE (REST)', created ? undefined : `HTTP ${res.status} ${(await res.text()).slice(0, 300)}`)) {
		return { ok: false, steps, failures, requests: pbx.since(mark) };
	}

	// 2. the authorize URL n8n builds
	res = await browser.fetch(`${n8nUrl}/rest/oauth2-credential/auth?id=${encodeURIComponent(created.id)}`);
	const authBody = res.ok ? await res.json() : undefined;
	const authUrl = authBody && typeof authBody.data === 'string' ? new URL(authBody.data) : undefined;
	if (!check(authUrl, 'n8n builds the authorize URL (GET /rest/oauth2-credential/auth)', authUrl ? undefined : `HTTP ${res.status} ${JSON.stringify(authBody || {}).slice(0, 300)}`)) {
		return { ok: false, steps, failures, requests: pbx.since(mark) };
	}
	const q = Object.fromEntries(authUrl.searchParams);
	check(`${authUrl.origin}${authUrl.pathname}` === `${pbx.url}/connect/authorize`, 'it points at {Base URL}/connect/authorize', `${authUrl.origin}${authUrl.pathname}`);
	check(/^[A-Za-z0-9_-]{43}$/.test(q.code_challenge || '') && q.code_challenge_method === 'S256', 'it carries a S256 code_challenge', `code_challenge=${q.code_challenge} method=${q.code_challenge_method}`);
	check(q.client_id === CLIENT_ID && q.response_type === 'code' && Boolean(q.state), 'client_id, response_type=code and state', JSON.stringify({ client_id: q.client_id, response_type: q.response_type, state: Boolean(q.state) }));
	check(q.redirect_uri === redirectUri, "redirect_uri is n8n's OAuth2 callback", q.redirect_uri);
	check(q.scope === SCOPE, `scope is "${SCOPE}"`, q.scope);

	// 3. the PBX's authorize endpoint, then n8n's callback
	res = await fetch(authUrl, { redirect: 'manual' });
	const location = res.headers.get('location');
	if (!check(res.status === 302 && location && location.startsWith(`${redirectUri}?`), "the PBX's authorize endpoint redirects to n8n's callback with a code", `HTTP ${res.status} ${location || (await res.text()).slice(0, 200)}`)) {
		return { ok: false, steps, failures, requests: pbx.since(mark) };
	}
	const tokenMark = pbx.mark();
	res = await browser.fetch(location);
	const callbackPage = await res.text();
	const exchange = pbx.since(tokenMark).filter((r) => r.path === '/connect/token');
	const codeGrant = exchange.find((r) => r.form.grant_type === 'authorization_code');
	check(
		res.status === 200 && codeGrant && codeGrant.status === 200,
		"n8n's callback exchanges the code at {Base URL}/connect/token",
		codeGrant ? `token endpoint answered ${codeGrant.status}` : `no authorization_code request reached the PBX; callback HTTP ${res.status}: ${callbackPage.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)}`,
	);
	check(codeGrant && codeGrant.pkceVerified === true, 'with the code_verifier that matches the code_challenge (S256)', codeGrant ? `code_verifier length ${(codeGrant.form.code_verifier || '').length}` : undefined);
	check(codeGrant && codeGrant.form.client_id === CLIENT_ID && !codeGrant.form.client_secret && codeGrant.form.redirect_uri === redirectUri, 'client_id in the body, no client secret, the same redirect_uri', codeGrant ? JSON.stringify({ ...codeGrant.form, code: '…', code_verifier: '…' }) : undefined);
	const signInToken = pbx.state.issued.find((t) => t.grant === 'authorization_code');

	// 4. a workflow run with the signed-in credential
	const workflow = workflowFor(created, 'e2e3cxPkce000001');
	const wfFile = path.join(os.tmpdir(), `n8n-3cx-pkce-${process.pid}.json`);
	fs.writeFileSync(wfFile, JSON.stringify([workflow]));
	const imported = await cli(['import:workflow', `--input=${wfFile}`]);
	fs.rmSync(wfFile, { force: true });
	check(imported.status === 0, 'a workflow using the credential is imported (n8n import:workflow)', imported.status === 0 ? undefined : imported.stderr.slice(-300));

	let runMark = pbx.mark();
	let ex = await cli(['execute', `--id=${workflow.id}`, '--rawOutput']);
	let out = itemsOf(ex);
	let api = pbx.since(runMark).filter((r) => r.path.startsWith('/xapi/v1/'));
	check(out.items && out.items.length === 1 && out.items[0].Id === 29, 'the workflow runs: Get User 29 answers the user', out.error || JSON.stringify(out.items));
	check(
		api.length === 1 && signInToken && api[0].authorization === `Bearer ${signInToken.access_token}` && api[0].status === 200,
		'its API call carries the access token from the sign-in',
		api.map((r) => `${r.method} ${r.path} -> ${r.status}${r.authorization === `Bearer ${signInToken && signInToken.access_token}` ? ' (sign-in token)' : ''}`).join('; ') || 'no API request',
	);

	// 5. the token is revoked: one 401, a refresh with the refresh token, the call again
	pbx.revokeAccessTokens();
	runMark = pbx.mark();
	ex = await cli(['execute', `--id=${workflow.id}`, '--rawOutput']);
	out = itemsOf(ex);
	const after = pbx.since(runMark);
	const refreshed = after.find((r) => r.path === '/connect/token' && r.form.grant_type === 'refresh_token');
	api = after.filter((r) => r.path.startsWith('/xapi/v1/'));
	const newToken = pbx.state.issued.find((t) => t.grant === 'refresh_token');
	check(out.items && out.items.length === 1 && out.items[0].Id === 29, 'after the PBX revoked the token, the next run still answers the user', out.error || JSON.stringify(out.items));
	check(
		refreshed && refreshed.status === 200 && signInToken && refreshed.form.refresh_token === signInToken.refresh_token,
		'n8n renewed it with grant_type=refresh_token and the refresh token from the sign-in',
		after.map((r) => `${r.method} ${r.path}${r.form.grant_type ? ` (${r.form.grant_type})` : ''} -> ${r.status}`).join('; '),
	);
	check(
		api.length === 2 && api[0].status === 401 && newToken && api[1].authorization === `Bearer ${newToken.access_token}` && api[1].status === 200,
		'one 401, then the call again with the renewed token',
		api.map((r) => `${r.method} ${r.path} -> ${r.status}`).join('; '),
	);

	// 6. nothing else reached the PBX (n8n's own discovery requests would show here)
	const requests = pbx.since(mark);
	const other = requests.filter((r) => !['/connect/authorize', '/connect/token'].includes(r.path) && !r.path.startsWith('/xapi/v1/'));
	check(other.length === 0, 'n8n sent the PBX nothing but authorize, token and API requests', other.map((r) => `${r.method} ${r.path} -> ${r.status}`).join('; '));

	return { ok: failures.length === 0, steps, failures, requests };
}

// ------------------------------------------------------------------ standalone
async function main() {
	const argv = process.argv.slice(2);
	const t0 = Date.now();
	const say = (...a) => console.log('[pkce]', ...a);
	const env = inst.ensureN8n({ browser: false });
	if (!argv.includes('--no-build')) {
		const b = inst.buildPackage();
		if (b.status !== 0) throw new Error(`npm run build failed:\n${b.stdout.slice(-2000)}\n${b.stderr.slice(-2000)}`);
	}
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-3cx-pkce-pack-'));
	const userFolder = inst.makeUserFolder('n8n-3cx-pkce-');
	const pbx = await createPkcePbx().start();
	let n8n;
	let server;
	const stopAll = () => {
		if (n8n) n8n.killAll();
	};
	process.on('exit', stopAll);
	try {
		const pack = inst.packPackage(inst.REPO, packDir);
		inst.installPackage(pack.tarball, userFolder);
		n8n = inst.createN8n({ env, userFolder, brokerPort: await inst.freePort() });
		const logFile = path.join(userFolder, 'n8n-server.log');
		server = await n8n.start({ log: fs.createWriteStream(logFile) });
		if (!server.ok) throw new Error(`n8n start did not become ready: ${server.reason} (log: ${logFile})`);
		say(`n8n ${env.E2E_N8N_VERSION} at ${server.url} (Node 24, ready after ${(server.ms / 1000).toFixed(1)} s), PBX at ${pbx.url}`);
		const result = await provePkce({ n8nUrl: server.url, cli: (args) => n8n.cli(args), pbx, log: (l) => say(l) });
		say(`${result.ok ? 'PASS' : 'FAIL'}: ${result.steps.filter((s) => s.ok).length}/${result.steps.length} checks, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		if (!result.ok) for (const r of result.requests) say(`  PBX saw ${r.method} ${r.path} -> ${r.status}`);
		process.exitCode = result.ok ? 0 : 1;
	} finally {
		if (server) await server.stop();
		await pbx.stop();
		if (!argv.includes('--keep')) fs.rmSync(userFolder, { recursive: true, force: true });
		else say(`kept ${userFolder}`);
		fs.rmSync(packDir, { recursive: true, force: true });
	}
}

module.exports = { provePkce, createPkcePbx, BASE_URL_FIELD };

if (require.main === module) {
	main().catch((e) => {
		console.error('[pkce] FAILED:', e && e.stack ? e.stack : e);
		process.exit(1);
	});
}
