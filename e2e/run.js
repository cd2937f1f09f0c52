#!/usr/bin/env node
'use strict';
/**
 * End-to-end test of the n8n-nodes-3cx package in a real n8n, against a fake 3CX server.
 *
 *   npm run test:e2e            (= node e2e/run.js)
 *   node e2e/run.js --help
 *
 * Steps: install Node 24 + n8n into a cache (e2e/install-n8n.sh), re-run itself under Node 24,
 * build the package (npm run build), `npm pack` it, unpack it the way n8n's community-package
 * installer does into <userFolder>/.n8n/nodes/node_modules/n8n-nodes-3cx, start the fake 3CX,
 * import credentials and one workflow per case with n8n's CLI, run each with `n8n execute`,
 * check requests and output, then start `n8n start` and run the browser test (e2e/browser.js).
 * Everything listens on 127.0.0.1. Artifacts go to e2e/artifacts/ (gitignored).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const inst = require('./n8n-instance');

const E2E_DIR = __dirname;
const REPO = path.resolve(E2E_DIR, '..');
const ARTIFACTS = process.env.E2E_ARTIFACTS || path.join(E2E_DIR, 'artifacts');
const CACHE = inst.CACHE;
const CLIENT_ID = '900';
const CLIENT_SECRET = 'e2e-client-secret';
const TOTAL_BUDGET_MS = 25 * 60 * 1000;
const OWNER = inst.DEFAULT_OWNER;

const HELP = `usage: node e2e/run.js [options]
  --package <dir>   package to test (default: the repository)
  --no-build        do not run "npm run build" first (use the existing dist/)
  --only <regex>    run only the cases whose file name or name matches
  --no-browser      skip the browser test
  --no-server       skip starting "n8n start" (and the browser test)
  --keep            keep the temporary n8n user folder
  --serve           after the tests, keep n8n and the fake 3CX running until Ctrl+C`;

const argv = process.argv.slice(2);
const flag = (n) => argv.includes(n);
const opt = (n, d) => {
	const i = argv.indexOf(n);
	return i >= 0 && argv[i + 1] ? argv[i + 1] : d;
};
if (flag('--help') || flag('-h')) {
	console.log(HELP);
	process.exit(0);
}

const t0 = Date.now();
const ms = (t) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
const log = (...a) => console.log('[e2e]', ...a);

// ------------------------------------------------------------------ 1. Node 24 + n8n
if (!process.env.E2E_CHILD) {
	log(`installing/checking Node 24 + n8n in ${CACHE}`);
	let env;
	try {
		env = inst.ensureN8n({ browser: !(flag('--no-browser') || flag('--no-server')) && (process.env.E2E_BROWSER || '1') === '1' });
	} catch {
		console.error('[e2e] install-n8n.sh failed');
		process.exit(1);
	}
	const installMs = env.ms;
	delete env.ms;
	const child = spawnSync(env.E2E_NODE24, [__filename, ...argv], {
		stdio: 'inherit',
		env: { ...process.env, ...env, E2E_CHILD: '1', E2E_INSTALL_MS: String(installMs), E2E_T0: String(t0) },
	});
	process.exit(child.status === null ? 1 : child.status);
}

// ------------------------------------------------------------------ helpers
const NODE24 = process.execPath;
const N8N_BIN = process.env.E2E_N8N_BIN;
const T0 = Number(process.env.E2E_T0 || t0);
const { freePort, runAsync, ownerSession: instOwnerSession, stopServer } = inst;

function subsetMismatch(expected, actual, where = '') {
	if (expected === null || typeof expected !== 'object') {
		return JSON.stringify(expected) === JSON.stringify(actual) ? null : `${where || 'value'}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
	}
	if (actual === null || typeof actual !== 'object') return `${where || 'value'}: expected an object, got ${JSON.stringify(actual)}`;
	for (const [k, v] of Object.entries(expected)) {
		const m = subsetMismatch(v, actual[k], where ? `${where}.${k}` : k);
		if (m) return m;
	}
	return null;
}

function deepEqual(a, b) {
	const norm = (x) =>
		x && typeof x === 'object' && !Array.isArray(x)
			? Object.fromEntries(Object.keys(x).sort().map((k) => [k, norm(x[k])]))
			: Array.isArray(x)
				? x.map(norm)
				: x;
	return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

function fill(template, vars) {
	return JSON.parse(JSON.stringify(template).replace(/\{\{(\w+)\}\}/g, (_, k) => (k in vars ? String(vars[k]) : `{{${k}}}`)));
}

function logMessages(text) {
	const out = [];
	for (const l of text.split('\n')) {
		if (!l.startsWith('{"level"')) continue;
		try {
			const o = JSON.parse(l);
			if (['error', 'warn'].includes(o.level) && typeof o.message === 'string' && !o.message.trim().startsWith('{')) out.push(`${o.level}: ${o.message.split('\n')[0]}`);
		} catch {
			/* ignore */
		}
	}
	return out;
}

// what must not outlive this process, whatever happens (n8n runs in its own process group)
const cleanup = { server: null, instance: null, userFolder: null, packDir: null };
function emergencyCleanup() {
	if (cleanup.instance) cleanup.instance.killAll();
	if (cleanup.server && cleanup.server.exitCode === null) {
		try {
			process.kill(-cleanup.server.pid, 'SIGKILL');
		} catch {
			/* already gone */
		}
	}
	for (const dir of [cleanup.userFolder, cleanup.packDir]) if (dir && !flag('--keep')) fs.rmSync(dir, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) {
	process.on(sig, () => {
		if (flag('--serve') && sig === 'SIGINT' && cleanup.serving) return; // handled by --serve
		console.error(`[e2e] ${sig}: stopping n8n and cleaning up`);
		emergencyCleanup();
		process.exit(130);
	});
}

// ------------------------------------------------------------------ main
async function main() {
	const timings = { install: Number(process.env.E2E_INSTALL_MS || 0) };
	const results = [];
	const problems = [];
	const notes = [];
	fs.rmSync(ARTIFACTS, { recursive: true, force: true });
	fs.mkdirSync(path.join(ARTIFACTS, 'cases'), { recursive: true });
	fs.mkdirSync(path.join(ARTIFACTS, 'workflows'), { recursive: true });
	const packageDir = path.resolve(opt('--package', process.env.E2E_PACKAGE || REPO));
	log(`Node ${process.version}, n8n ${process.env.E2E_N8N_VERSION}, package ${packageDir}`);

	// -------------------------------------------------------------- 2. build + pack
	const sysNpm = process.env.E2E_SYSTEM_NPM || 'npm';
	if (!flag('--no-build') && packageDir === REPO) {
		const hasSource = fs.existsSync(path.join(REPO, 'nodes', 'ThreeCx', 'ThreeCx.node.ts'));
		if (hasSource) {
			log('npm run build ...');
			// the build runs with the system Node (the repository's toolchain), not Node 24
			const r = inst.buildPackage({ repo: REPO, npm: sysNpm });
			fs.writeFileSync(path.join(ARTIFACTS, 'build.log'), `${r.stdout}\n${r.stderr}`);
			timings.build = r.ms;
			if (r.status !== 0) {
				console.error(r.stdout.slice(-3000), r.stderr.slice(-3000));
				throw new Error('npm run build failed (see e2e/artifacts/build.log)');
			}
			log(`build: ${(r.ms / 1000).toFixed(1)} s`);
		}
	}
	const pkgJson = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	for (const rel of [...((pkgJson.n8n && pkgJson.n8n.nodes) || []), ...((pkgJson.n8n && pkgJson.n8n.credentials) || [])]) {
		if (!fs.existsSync(path.join(packageDir, rel))) throw new Error(`${rel} is missing in ${packageDir}: build the package first (npm run build)`);
	}
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-3cx-pack-'));
	cleanup.packDir = packDir;
	const { tarball, info: packInfo, files, ms: packMs } = inst.packPackage(packageDir, packDir, { npm: sysNpm });
	timings.pack = packMs;
	log(`npm pack: ${packInfo.filename}, ${files.length} files, ${(packInfo.size / 1024).toFixed(0)} KiB packed, ${(packInfo.unpackedSize / 1024).toFixed(0)} KiB unpacked (${timings.pack} ms)`);
	fs.writeFileSync(path.join(ARTIFACTS, 'pack-files.txt'), files.join('\n') + '\n');
	// `n8n-node build` copies every **/*.{png,svg} of the repository (outside dist/ and node_modules/)
	// into dist/, so README screenshots or e2e artifacts can end up in the published tarball.
	const leaked = files.filter(
		(f) =>
			/^(dist\/)?(nodes|credentials|test|e2e|generator|scripts|docs)\//.test(f.replace(/^dist\/(nodes|credentials)\//, 'ok/')) ||
			(/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) ||
			/xapi-[\d.]+\.ya?ml$/.test(f),
	);
	if (leaked.length) {
		problems.push(
			`npm pack ships files that are not part of the node: ${leaked.slice(0, 6).join(', ')}${leaked.length > 6 ? ` … (${leaked.length} in all)` : ''}` +
				(leaked.some((f) => /^dist\/(docs|e2e)\//.test(f)) ? ' — `n8n-node build` copied them; exclude them in package.json "files" (e.g. "!dist/docs", "!dist/e2e")' : ''),
		);
	}
	for (const rel of [...(pkgJson.n8n.nodes || []), ...(pkgJson.n8n.credentials || [])]) {
		if (!files.includes(rel)) problems.push(`npm pack does not include ${rel} (check "files" in package.json)`);
	}
	if (Object.keys(pkgJson.dependencies || {}).length) notes.push(`package has runtime dependencies: ${Object.keys(pkgJson.dependencies).join(', ')}`);

	// -------------------------------------------------------------- 3. install like n8n does
	const userFolder = inst.makeUserFolder();
	cleanup.userFolder = userFolder;
	// n8n: `npm pack <name>@<version>`, `tar -xzf <tgz> -C <dir> --strip-components=1`, strip dev/peer/optional
	// dependencies from package.json, `npm install --audit=false --fund=false --bin-links=false
	// --install-strategy=shallow --ignore-scripts=true --package-lock=false` in the package folder,
	// then record the dependency in <nodes>/package.json (community-packages.service.js, downloadPackage).
	const installed = inst.installPackage(tarball, userFolder, { npm: sysNpm });
	const pkgDir = installed.pkgDir;
	timings.packageInstall = installed.ms;
	log(`package installed into ${pkgDir} (${timings.packageInstall} ms)`);

	// -------------------------------------------------------------- 4. fake 3CX (the simulator, e2e data)
	const { createE2eSimulator } = require('../simulator/e2e-preset');
	const triggerStep = require('./trigger');
	const callsStep = require('./trigger-calls');
	const fake = createE2eSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
	await fake.start();
	const specInfo = fake.specInfo;
	log(`fake 3CX on ${fake.baseUrl}; spec: ${specInfo.status}`);
	if (!specInfo.available) notes.push(`spec checks skipped: ${specInfo.status}`);
	else {
		const st = await fake.selfTest();
		if (!st.ok) problems.push(`the fake 3CX's spec checker failed its self-test: ${st.failures.join(' | ')}`);
		else log(`fake 3CX spec checker self-test: ${st.probes} known-good/known-bad requests classified correctly`);
	}

	// -------------------------------------------------------------- 5. n8n environment, import
	const instance = inst.createN8n({
		env: { E2E_NODE24: NODE24, E2E_N8N_BIN: N8N_BIN },
		userFolder,
		brokerPort: await freePort(),
	});
	cleanup.instance = instance;
	const n8n = (args, extra = {}) => instance.cli(args, extra);

	const nodeCfg = JSON.parse(fs.readFileSync(path.join(E2E_DIR, 'fixtures', 'node.json'), 'utf8'));
	const vars = { fakeUrl: fake.baseUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
	const creds = Object.values(nodeCfg.credentials).map((c) => ({ id: c.id, name: c.name, type: nodeCfg.credentialType, data: fill(c.data, vars) }));
	const credFile = path.join(ARTIFACTS, 'credentials.json');
	fs.writeFileSync(credFile, JSON.stringify(creds, null, 2));

	const only = opt('--only');
	const caseFiles = fs
		.readdirSync(path.join(E2E_DIR, 'fixtures', 'cases'))
		.filter((f) => f.endsWith('.json'))
		.sort();
	const cases = caseFiles
		.map((file, i) => ({ file, index: i + 1, ...JSON.parse(fs.readFileSync(path.join(E2E_DIR, 'fixtures', 'cases', file), 'utf8')) }))
		.filter((c) => !only || new RegExp(only, 'i').test(c.file) || new RegExp(only, 'i').test(c.name));
	/** @type {any[]} */
	const workflows = cases.map((c) => {
		const cred = nodeCfg.credentials[c.credential || 'good'];
		const id = `e2e3cx${String(c.index).padStart(4, '0')}`;
		c.workflowId = id;
		return {
			id,
			name: `e2e ${String(c.index).padStart(2, '0')}: ${c.name}`,
			active: false,
			nodes: [
				{ id: `00000000-0000-4000-8000-${String(c.index).padStart(10, '0')}01`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: `00000000-0000-4000-8000-${String(c.index).padStart(10, '0')}02`,
					name: nodeCfg.nodeName,
					type: nodeCfg.nodeType,
					typeVersion: nodeCfg.typeVersion,
					position: [240, 0],
					parameters: c.parameters,
					credentials: { [nodeCfg.credentialType]: { id: cred.id, name: cred.name } },
					...(c.nodeSettings || {}),
				},
			],
			connections: { Start: { main: [[{ node: nodeCfg.nodeName, type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
			pinData: {},
		};
	});
	// the 3CX Trigger's workflow, activated later in `n8n start` (e2e/trigger.js)
	const withTrigger = !flag('--no-server') && (!only || /trigger/i.test(only));
	if (withTrigger) workflows.push(triggerStep.triggerWorkflow(nodeCfg), ...callsStep.callWorkflows(nodeCfg));
	for (const w of workflows) fs.writeFileSync(path.join(ARTIFACTS, 'workflows', `${w.id}.json`), JSON.stringify(w, null, 2));
	const wfFile = path.join(ARTIFACTS, 'workflows.json');
	fs.writeFileSync(wfFile, JSON.stringify(workflows, null, 2));

	let res = await n8n(['import:credentials', `--input=${credFile}`]);
	timings.importCredentials = res.ms;
	fs.writeFileSync(path.join(ARTIFACTS, 'import-credentials.log'), res.stdout + res.stderr);
	if (res.status !== 0) throw new Error(`n8n import:credentials failed:\n${res.stdout.slice(-2000)}\n${res.stderr.slice(-2000)}`);
	res = await n8n(['import:workflow', `--input=${wfFile}`]);
	timings.importWorkflows = res.ms;
	fs.writeFileSync(path.join(ARTIFACTS, 'import-workflows.log'), res.stdout + res.stderr);
	if (res.status !== 0) throw new Error(`n8n import:workflow failed:\n${res.stdout.slice(-2000)}\n${res.stderr.slice(-2000)}`);
	log(`imported ${creds.length} credentials (${(timings.importCredentials / 1000).toFixed(1)} s, includes DB migrations) and ${workflows.length} workflows (${(timings.importWorkflows / 1000).toFixed(1)} s)`);

	// -------------------------------------------------------------- 6. execute each case
	for (const c of cases) {
		if (Date.now() - T0 > TOTAL_BUDGET_MS) {
			problems.push(`time budget exceeded; case ${c.file} and later not run`);
			break;
		}
		fake.resetData();
		// A case states what it needs before it runs, so that it passes alone as in the series (--only):
		// `tokenStored`: n8n holds a token the PBX accepts (one run of the case's workflow first).
		let precondition = '';
		if (c.fake && c.fake.tokenStored) {
			const before = fake.mark();
			const warm = await n8n(['execute', `--id=${c.workflowId}`, '--rawOutput']);
			const warmRequests = fake.requestsSince(before).filter((x) => x.kind === 'api');
			if (warm.status !== 0 || !warmRequests.length || warmRequests.some((x) => x.status !== 200)) {
				precondition = `precondition tokenStored not met: the run before the case exited ${warm.status} with API answers ${warmRequests.map((x) => x.status).join(',') || 'none'}`;
			}
			fake.resetData();
		}
		if (c.fake && c.fake.expireTokenAfter !== undefined) fake.expireTokenAfter(c.fake.expireTokenAfter);
		const mark = fake.mark();
		const ex = await n8n(['execute', `--id=${c.workflowId}`, '--rawOutput']);
		const reqs = fake.requestsSince(mark);
		fs.writeFileSync(path.join(ARTIFACTS, 'cases', `${c.file.replace(/\.json$/, '')}.stdout.txt`), ex.stdout);
		fs.writeFileSync(path.join(ARTIFACTS, 'cases', `${c.file.replace(/\.json$/, '')}.stderr.txt`), ex.stderr);
		fs.writeFileSync(path.join(ARTIFACTS, 'cases', `${c.file.replace(/\.json$/, '')}.requests.json`), JSON.stringify(reqs, null, 2));
		const result = checkCase(c, ex, reqs, specInfo.available, nodeCfg.nodeName);
		if (precondition) {
			result.ok = false;
			result.failures.unshift(precondition);
		}
		result.ms = ex.ms;
		results.push(result);
		log(`${result.ok ? 'PASS' : 'FAIL'} ${c.file} (${(ex.ms / 1000).toFixed(1)} s) ${result.summary}`);
		for (const f of result.failures) log(`       - ${f}`);
	}
	const execTimes = results.map((x) => x.ms).sort((a, b) => a - b);
	timings.executeFirst = results[0] && results[0].ms;
	timings.executeMedian = execTimes.length ? execTimes[Math.floor(execTimes.length / 2)] : undefined;

	// -------------------------------------------------------------- 7. n8n start + browser
	let server = null;
	let browser = null;
	if (!flag('--no-server')) {
		const port = await freePort();
		const serverLog = fs.createWriteStream(path.join(ARTIFACTS, 'n8n-server.log'));
		const started = await instance.start({ port, log: serverLog });
		const { child, url } = started;
		server = { child, url };
		cleanup.server = child;
		const ready = started;
		timings.n8nStart = started.ms;
		if (!ready.ok) {
			problems.push(`n8n start did not become ready: ${ready.reason}`);
		} else {
			log(`n8n start: ready at ${url} after ${(timings.n8nStart / 1000).toFixed(1)} s`);
			if (withTrigger) {
				const t = await triggerStep.checkTrigger({ url, cookie: await ownerSession(url), fake, log });
				timings.trigger = t.ms;
				log(`${t.ok ? 'PASS' : 'FAIL'} 3CX Trigger activated in n8n start (${(t.ms / 1000).toFixed(1)} s) ${t.summary}`);
				for (const f of t.failures) log(`       - ${f}`);
				if (t.ok) notes.push(`3CX Trigger: ${t.summary}`);
				else problems.push(`3CX Trigger activated in n8n start failed: ${t.failures.join(' | ')}`);
				const c = await callsStep.checkTriggerCalls({ url, cookie: await ownerSession(url), fake, log });
				timings.triggerCalls = c.ms;
				log(`${c.ok ? 'PASS' : 'FAIL'} ${c.name} (${(c.ms / 1000).toFixed(1)} s) ${c.summary}`);
				for (const f of c.failures) log(`       - ${f}`);
				if (c.ok) notes.push(`3CX Trigger calls: ${c.summary}`);
				else problems.push(`${c.name} failed: ${c.failures.join(' | ')}`);
			}
			if (!flag('--no-browser')) {
				if (!fs.existsSync(process.env.E2E_CHROMIUM || '/usr/bin/chromium')) {
					notes.push('browser test skipped: /usr/bin/chromium missing (apt-get install chromium, or E2E_BROWSER=1 for install-n8n.sh)');
				} else {
					const tB = Date.now();
					const b = await runAsync(NODE24, [path.join(E2E_DIR, 'browser.js')], {
						env: {
							...process.env,
							E2E_N8N_URL: url,
							E2E_FAKE_URL: fake.baseUrl,
							E2E_CLIENT_ID: CLIENT_ID,
							E2E_CLIENT_SECRET: CLIENT_SECRET,
							E2E_ARTIFACTS: ARTIFACTS,
							E2E_OWNER_PASSWORD: OWNER.password,
						},
						cwd: REPO,
						timeout: 8 * 60 * 1000,
					});
					timings.browser = Date.now() - tB;
					fs.writeFileSync(path.join(ARTIFACTS, 'browser.log'), b.stdout + b.stderr);
					process.stdout.write(b.stdout.split('\n').filter(Boolean).map((l) => `  ${l}\n`).join(''));
					if (b.status !== 0) process.stdout.write(b.stderr.split('\n').slice(0, 15).map((l) => `  ${l}\n`).join(''));
					browser = { ok: b.status === 0, status: b.status };
					if (b.status !== 0) problems.push(`browser test failed (exit ${b.status}${b.signal ? ', ' + b.signal : ''}); see e2e/artifacts/browser.log and e2e/artifacts/browser/failure.jpeg`);
					log(`browser test: ${browser.ok ? 'PASS' : 'FAIL'} (${(timings.browser / 1000).toFixed(1)} s)`);
				}
			}
			// what the editor downloads: our node and credential in /types/*.json (needs a session)
			try {
				const cookie = await ownerSession(url);
				const get = async (p) => (await fetch(`${url}${p}`, { headers: { cookie } })).json();
				const types = await get('/types/nodes.json');
				const ours = Array.isArray(types) ? types.filter((t) => t.name === nodeCfg.nodeType || t.name === `${nodeCfg.nodeType}Tool`) : [];
				if (!ours.length) problems.push(`the running n8n does not list ${nodeCfg.nodeType} in /types/nodes.json`);
				else {
					const size = ours.map((t) => Buffer.byteLength(JSON.stringify(t)));
					const all = Buffer.byteLength(JSON.stringify(types));
					timings.descriptionBytes = size[0];
					log(`/types/nodes.json: ${ours.map((t, i) => `${t.name} ${(size[i] / 1024).toFixed(0)} KiB`).join(', ')} (all node types ${(all / 1024 / 1024).toFixed(1)} MiB)`);
				}
				const credTypes = await get('/types/credentials.json');
				if (!Array.isArray(credTypes) || !credTypes.some((t) => t.name === nodeCfg.credentialType)) problems.push(`the running n8n does not list credential ${nodeCfg.credentialType}`);
			} catch (e) {
				problems.push(`could not read /types from the running n8n: ${e.message}`);
			}
			// a CLI execution while the server runs; the browser's credential tests fetched new tokens
			// for the same client, which (as on a real 3CX) revoked the token stored for the workflows
			const again = cases.find((c) => !c.credential && !c.fake && (c.expect.requests || []).length === 1 && !c.expect.fails);
			if (again) {
				fake.resetData();
				const mark = fake.mark();
				const ex = await n8n(['execute', `--id=${again.workflowId}`, '--rawOutput']);
				const reqs = fake.requestsSince(mark);
				const rerun = checkCase({ ...again, expect: { ...again.expect, requests: undefined } }, ex, reqs, specInfo.available, nodeCfg.nodeName);
				const seq = reqs.map((x) => `${x.method} ${x.path} -> ${x.status}`).join(' ; ');
				timings.executeWhileServerRuns = ex.ms;
				log(`${rerun.ok ? 'PASS' : 'FAIL'} re-run of ${again.file} with the server running (${(ex.ms / 1000).toFixed(1)} s): ${seq}`);
				if (!rerun.ok) problems.push(`re-run of ${again.file} while n8n runs failed: ${rerun.failures.join(' | ')}`);
				else if (reqs.some((x) => x.status === 401)) notes.push('after the UI credential tests, the next workflow run got 401 once and fetched a new token (3CX keeps one token per client): recovered as designed');
			}
		}
	}

	// -------------------------------------------------------------- 8. report
	const allRequests = fake.requestsSince(0);
	const apiReqs = allRequests.filter((x) => x.kind === 'api');
	const specProblemCount = apiReqs.filter((x) => x.specProblems.length).length;
	const report = {
		when: new Date().toISOString(),
		node: process.version,
		n8n: process.env.E2E_N8N_VERSION,
		package: { dir: packageDir, version: pkgJson.version, tarball: packInfo.filename, files: files.length, size: packInfo.size, unpackedSize: packInfo.unpackedSize },
		spec: specInfo,
		timings,
		cases: results,
		browser,
		problems,
		notes,
		totalMs: Date.now() - T0,
	};
	fs.writeFileSync(path.join(ARTIFACTS, 'report.json'), JSON.stringify(report, null, 2));
	fs.writeFileSync(path.join(ARTIFACTS, 'fake-requests.json'), JSON.stringify(allRequests, null, 2));

	const passed = results.filter((x) => x.ok).length;
	const sec = (v) => (v === undefined ? '-' : `${(v / 1000).toFixed(1)} s`);
	console.log('\n================ n8n-nodes-3cx e2e summary ================');
	console.log(`cases:        ${passed}/${results.length} passed${results.length < cases.length ? ` (${cases.length - results.length} not run)` : ''}`);
	console.log(`spec checks:  ${specInfo.available ? `on (${apiReqs.length} API requests checked, ${specProblemCount} with problems)` : 'SKIPPED (' + specInfo.status + ')'}`);
	console.log(`browser:      ${browser ? (browser.ok ? 'passed' : 'FAILED') : 'not run'}`);
	console.log(`timings:      install/check ${sec(timings.install)} | build ${sec(timings.build)} | pack ${sec(timings.pack)} | package install ${sec(timings.packageInstall)}`);
	console.log(`              import credentials ${sec(timings.importCredentials)} | import workflows ${sec(timings.importWorkflows)}`);
	console.log(`              one execution (n8n execute, first case) ${sec(timings.executeFirst)} | median ${sec(timings.executeMedian)}`);
	console.log(`              n8n start ${sec(timings.n8nStart)} | browser test ${sec(timings.browser)} | total ${sec(report.totalMs)}`);
	for (const n of notes) console.log(`note:         ${n}`);
	for (const p of problems) console.log(`PROBLEM:      ${p}`);
	for (const x of results.filter((y) => !y.ok)) console.log(`FAILED:       ${x.file}: ${x.failures.join(' | ')}`);
	console.log(`artifacts:    ${ARTIFACTS}`);

	if (flag('--serve') && server) {
		console.log(`\nn8n: ${server.url}  fake 3CX: ${fake.baseUrl} (client id ${CLIENT_ID}, secret ${CLIENT_SECRET}); Ctrl+C to stop`);
		cleanup.serving = true;
		await new Promise((resolve) => process.once('SIGINT', resolve));
	}
	if (server) await stopServer(server.child);
	await fake.stop();
	if (!flag('--keep')) fs.rmSync(userFolder, { recursive: true, force: true });
	else log(`kept n8n user folder ${userFolder}`);
	fs.rmSync(packDir, { recursive: true, force: true });
	const ok = results.length === cases.length && passed === results.length && !problems.length;
	process.exit(ok ? 0 : 1);
}

/** Sets the owner up through the REST API if nobody did (browser skipped), then signs in; returns the cookie. */
async function ownerSession(url) {
	return instOwnerSession(url, OWNER);
}

function checkCase(c, ex, reqs, specAvailable, nodeName) {
	const failures = [];
	const e = c.expect || {};
	const runData = inst.parseExecuteOutput(ex.stdout) || inst.parseExecuteOutput(ex.stderr);
	const api = reqs.filter((x) => x.kind === 'api');
	const tokens = reqs.filter((x) => x.kind === 'token');
	const other = reqs.filter((x) => x.kind === 'other');
	if (other.length) failures.push(`unexpected requests outside /xapi/v1 and /connect/token: ${other.map((x) => `${x.method} ${x.rawPath}`).join(', ')}`);

	// ---- requests
	if (e.requests) {
		if (api.length !== e.requests.length) {
			failures.push(`expected ${e.requests.length} API request(s), got ${api.length}: ${api.map((x) => `${x.method} ${x.path}${x.rawQuery ? '?' + decodeURIComponent(x.rawQuery) : ''} -> ${x.status}`).join(' ; ') || 'none'}`);
		}
		e.requests.forEach((want, i) => {
			const got = api[i];
			if (!got) return;
			const tag = `request ${i + 1}`;
			if (want.method && got.method !== want.method) failures.push(`${tag}: method ${got.method}, expected ${want.method}`);
			if (want.path && got.path !== want.path) failures.push(`${tag}: path ${got.path} (raw ${got.rawPath}), expected ${want.path}`);
			if (want.status !== undefined && got.status !== want.status) failures.push(`${tag}: status ${got.status}, expected ${want.status}${got.responseBody ? ' — ' + got.responseBody.slice(0, 200) : ''}`);
			if (want.operationId && got.operationId !== want.operationId) failures.push(`${tag}: reached operation ${got.operationId}, expected ${want.operationId}`);
			for (const [k, v] of Object.entries(want.query || {})) {
				if (!(k in got.query) && (want.queryOptional || []).includes(k)) continue;
				if (got.query[k] !== v) failures.push(`${tag}: query ${k}=${got.query[k]}, expected ${v}`);
			}
			if (want.body !== undefined && !deepEqual(want.body, got.body)) failures.push(`${tag}: body ${JSON.stringify(got.body)}, expected exactly ${JSON.stringify(want.body)}`);
			if (want.noBody && got.rawBody) failures.push(`${tag}: sent a body ${got.rawBody.slice(0, 200)}, expected none`);
		});
	}
	for (const x of api) {
		if (x.auth !== 'valid' && x.status !== 401) failures.push(`request ${x.method} ${x.path} had auth ${x.auth}`);
		if (specAvailable && x.specProblems.length) failures.push(`spec check ${x.method} ${x.path}: ${x.specProblems.join('; ')}`);
	}
	if (e.tokenRequests !== undefined && tokens.length !== e.tokenRequests) failures.push(`expected ${e.tokenRequests} token request(s), got ${tokens.length}`);
	if (e.tokenStatus !== undefined && tokens.some((t) => t.status !== e.tokenStatus)) failures.push(`token status ${tokens.map((t) => t.status).join(',')}, expected ${e.tokenStatus}`);
	for (const t of tokens) {
		if (t.token && t.token.grantType !== 'client_credentials') failures.push(`token request grant_type ${t.token.grantType}`);
		if (t.token && t.token.clientId !== CLIENT_ID) failures.push(`token request client_id ${t.token.clientId}`);
	}

	// ---- execution result
	let items = [];
	let error = null;
	if (!runData) {
		failures.push(`could not read the execution result from n8n's output (exit ${ex.status}); see e2e/artifacts/cases/${c.file.replace(/\.json$/, '')}.stdout.txt`);
	} else {
		const rd = runData.data.resultData;
		error = rd.error || null;
		const nodeRuns = (rd.runData || {})[nodeName] || [];
		const last = nodeRuns[nodeRuns.length - 1];
		items = (last && last.data && last.data.main && last.data.main[0]) || [];
		if (last && last.error && !error) error = last.error;
	}
	const errorText = error ? [error.message, error.description, ...(error.messages || [])].filter(Boolean).join(' | ') : '';
	if (e.fails) {
		if (!error && ex.status === 0) failures.push('expected the execution to fail, it succeeded');
		for (const re of e.errorMatches || []) if (!new RegExp(re, 'i').test(errorText)) failures.push(`error "${errorText}" does not match /${re}/i`);
	} else if (runData) {
		if (error) failures.push(`execution failed: ${errorText}`);
		if (e.items !== undefined && items.length !== e.items) failures.push(`expected ${e.items} item(s), got ${items.length}`);
		items.forEach((it, i) => {
			if (i < 3 && (it.json === null || typeof it.json !== 'object' || Array.isArray(it.json))) failures.push(`item ${i} json is ${JSON.stringify(it.json)}, not an object (an empty answer must become an object)`);
		});
		(e.output || []).forEach((want, i) => {
			const m = subsetMismatch(want, items[i] && items[i].json, `item ${i}`);
			if (m) failures.push(m);
		});
		if (e.lastOutput) {
			const m = subsetMismatch(e.lastOutput, items.length ? items[items.length - 1].json : undefined, 'last item');
			if (m) failures.push(m);
		}
		for (const re of e.errorItemMatches || []) {
			const text = JSON.stringify(items.map((it) => it.json));
			if (!new RegExp(re).test(text)) failures.push(`output items do not mention /${re}/: ${text.slice(0, 400)}`);
		}
	}
	const firstErr = logMessages(ex.stdout + '\n' + ex.stderr).filter((m) => m.startsWith('error'));
	return {
		file: c.file,
		name: c.name,
		ok: failures.length === 0,
		failures,
		summary: `${api.length} API + ${tokens.length} token request(s), ${items.length} item(s)${error ? `, error: ${errorText.slice(0, 160)}` : ''}`,
		requests: api.map((x) => `${x.method} ${x.path}${x.rawQuery ? '?' + x.rawQuery : ''} -> ${x.status}`),
		tokenRequests: tokens.map((x) => x.status),
		error: errorText || null,
		firstItems: items.slice(0, 2).map((x) => x.json),
		n8nErrors: error ? firstErr.slice(0, 5) : [],
	};
}

main().catch((e) => {
	console.error('[e2e] FAILED:', e && e.stack ? e.stack : e);
	emergencyCleanup();
	process.exit(1);
});
