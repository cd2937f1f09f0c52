#!/usr/bin/env node
'use strict';
/**
 * Checks `npm start` end to end (npm run test:start): runs scripts/start.js on free ports, waits for
 * the editor URL, checks that the editor answers, signs in as the printed owner, finds the 3CX
 * credential and the sample workflows through n8n's REST API, runs the "list users" workflow with
 * `n8n execute` against the simulated 3CX (the credential works: a token, then the users), then
 * sends SIGINT and checks that the ports are free, no process of that n8n is left and the user
 * folder is gone. Prints the time to "ready". Options: --no-build (passed on).
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const inst = require('../e2e/n8n-instance');

const REPO = path.resolve(__dirname, '..');
const fail = (msg) => {
	console.error(`[start-check] FAIL: ${msg}`);
	process.exitCode = 1;
};

/** Processes whose environment names this N8N_USER_FOLDER (n8n, its task runners). */
function processesOf(userFolder) {
	const out = [];
	for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
		try {
			const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
			if (environ.split('\0').includes(`N8N_USER_FOLDER=${userFolder}`)) out.push(Number(pid));
		} catch {
			/* gone or not ours */
		}
	}
	return out;
}

async function main() {
	const n8nPort = await inst.freePort();
	const simPort = await inst.freePort();
	const t0 = Date.now();
	const child = spawn(process.execPath, [path.join(__dirname, 'start.js'), ...process.argv.slice(2)], {
		cwd: REPO,
		env: { ...process.env, N8N_PORT: String(n8nPort), SIM_3CX_PORT: String(simPort), THREECX_URL: '', THREECX_CLIENT_ID: '', THREECX_CLIENT_SECRET: '' },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	const waitFor = (re, ms) =>
		new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`no line matching ${re} after ${ms / 1000} s`)), ms);
			const check = () => {
				const m = re.exec(out);
				if (m) {
					clearTimeout(timer);
					resolve(m);
					return true;
				}
				return false;
			};
			if (check()) return;
			const onData = () => {
				if (check()) {
					child.stdout.off('data', onData);
					child.stderr.off('data', onData);
				}
			};
			child.stdout.on('data', onData);
			child.stderr.on('data', onData);
			child.once('exit', (code) => {
				clearTimeout(timer);
				reject(new Error(`npm start exited with ${code} before printing ${re}:\n${out.slice(-3000)}`));
			});
		});
	let partial = '';
	const onOut = (d) => {
		out += d;
		const parts = (partial + d).split('\n');
		partial = parts.pop();
		for (const l of parts) console.log(`  | ${l}`);
	};
	child.stdout.on('data', onOut);
	child.stderr.on('data', onOut);

	const [, url] = await waitFor(/n8n editor:\s+(http:\/\/\S+)/, 20 * 60 * 1000);
	const [, email, password] = await waitFor(/owner login:\s+(\S+) \/ (\S+)/, 5000);
	const [, userFolder] = await waitFor(/user folder (\S+)\n/, 5000);
	const readyMs = Date.now() - t0;
	console.log(`[start-check] ready after ${(readyMs / 1000).toFixed(1)} s: ${url}`);
	if (url !== `http://127.0.0.1:${n8nPort}`) fail(`editor URL ${url}, expected http://127.0.0.1:${n8nPort} (N8N_PORT)`);

	const editor = await fetch(url);
	const html = await editor.text();
	if (editor.status !== 200 || !/<html/i.test(html)) fail(`the editor answered ${editor.status}`);
	const cookie = await inst.ownerSession(url, { email, password });
	const rest = async (p) => (await (await fetch(`${url}${p}`, { headers: { cookie } })).json()).data;
	const creds = await rest('/rest/credentials');
	const cred = (creds || []).find((c) => c.type === 'threeCxOAuth2Api');
	if (!cred) fail(`no 3CX credential in ${JSON.stringify(creds).slice(0, 300)}`);
	const flows = await rest('/rest/workflows');
	const names = (flows || []).map((w) => w.name);
	if (!names.includes('3CX: list users')) fail(`workflows: ${names.join(', ')}`);
	const hasTrigger = fs.existsSync(path.join(REPO, 'dist', 'nodes', 'ThreeCxTrigger', 'ThreeCxTrigger.node.js'));
	if (hasTrigger && !names.includes('3CX: missed calls')) fail(`the build has the trigger node but no missed-call workflow: ${names.join(', ')}`);
	console.log(`[start-check] signed in as ${email}; credential "${cred && cred.name}"; workflows: ${names.join(', ')}`);

	// the credential works: run the sample workflow with n8n's CLI in the same user folder
	const env = inst.readEnvFile(path.join(inst.CACHE, 'env.sh'));
	const n8n = inst.createN8n({ env, userFolder, brokerPort: await inst.freePort() });
	const ex = await n8n.cli(['execute', '--id=start3cxListUsr1', '--rawOutput']);
	// the run comes as JSON, inside a JSON log line (N8N_LOG_FORMAT=json): quotes may be escaped
	const emails = new Set(ex.stdout.match(/[\w.]+@example\.com/g) || []).size;
	if (ex.status !== 0 || emails < 10) fail(`n8n execute of "3CX: list users" (exit ${ex.status}) gave ${emails} users:\n${(ex.stdout + ex.stderr).slice(-2000)}`);
	else console.log(`[start-check] "3CX: list users" ran against the simulated 3CX: ${emails} users (${(ex.ms / 1000).toFixed(1)} s)`);

	const before = processesOf(userFolder);
	const tStop = Date.now();
	child.kill('SIGINT');
	const code = await new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
	console.log(`[start-check] SIGINT: npm start exited with ${code} after ${((Date.now() - tStop) / 1000).toFixed(1)} s`);
	if (code !== 0) fail(`exit code ${code}`);
	for (const [name, port] of [['n8n', n8nPort], ['simulator', simPort]]) if (await inst.portInUse(port)) fail(`${name} port ${port} still listens`);
	const left = processesOf(userFolder);
	if (left.length) fail(`processes left: ${left.join(', ')} (before: ${before.join(', ')})`);
	if (fs.existsSync(userFolder)) fail(`user folder ${userFolder} is still there`);
	if (!process.exitCode) console.log(`[start-check] PASS (ready in ${(readyMs / 1000).toFixed(1)} s; ${before.length} n8n processes stopped; ports free; folder removed)`);
}

main().catch((e) => {
	console.error(`[start-check] FAILED: ${e && e.stack ? e.stack : e}`);
	process.exit(1);
});
