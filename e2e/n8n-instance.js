'use strict';
/**
 * A real n8n with this package installed, for the end-to-end tests (e2e/run.js), the queue-mode
 * test (e2e/queue.js) and `npm start` (scripts/start.js). Loopback only, no Node-24-only code here:
 * the callers may run on the system Node; n8n itself always runs on the cached Node 24.
 *
 *   const inst = require('./n8n-instance');
 *   const env = inst.ensureN8n();                       // Node 24 + n8n in the cache (install-n8n.sh)
 *   inst.buildPackage();                                 // npm run build (system Node)
 *   const pack = inst.packPackage(repoDir, tmpDir);      // npm pack
 *   const userFolder = inst.makeUserFolder();            // temp N8N_USER_FOLDER
 *   inst.installPackage(pack.tarball, userFolder);       // as n8n installs community packages
 *   const n8n = inst.createN8n({ env, userFolder, brokerPort: await inst.freePort() });
 *   await n8n.importCredentials([...]); await n8n.importWorkflows([...]);
 *   const server = await n8n.start({ port });            // `n8n start`, waits for readiness
 *   await server.stop();                                 // SIGTERM to its process group, then SIGKILL
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { spawn, spawnSync } = require('node:child_process');

const E2E_DIR = __dirname;
const REPO = path.resolve(E2E_DIR, '..');
const CACHE = process.env.N8N_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-3cx-e2e');
const PACKAGE_NAME = 'n8n-nodes-3cx';
const DEFAULT_OWNER = Object.freeze({ email: 'owner@example.invalid', firstName: 'E2E', lastName: 'Owner', password: 'E2e-owner-password-1' });

/** @typedef {{ email: string, firstName: string, lastName: string, password: string }} Owner */

/**
 * `export NAME="value"` lines of install-n8n.sh's env file.
 * @returns {Record<string, string>}
 */
function readEnvFile(file) {
	/** @type {Record<string, string>} */
	const env = {};
	for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
		const m = /^export (\w+)="(.*)"$/.exec(line);
		if (m) env[m[1]] = m[2];
	}
	return env;
}

/**
 * Runs e2e/install-n8n.sh (idempotent: under a second when the cache is complete) and returns its
 * environment: E2E_NODE24, E2E_NODE_DIR, E2E_N8N_BIN, E2E_N8N_VERSION, E2E_CACHE, plus `ms`.
 * `onLine(line)` gets each line of its output (default: passed through to this process's output).
 * @returns {Record<string, any>}
 */
function ensureN8n(options = {}) {
	const cache = options.cache || CACHE;
	const t = Date.now();
	const env = {
		...process.env,
		N8N_E2E_CACHE: cache,
		E2E_BROWSER: options.browser === undefined ? process.env.E2E_BROWSER || '0' : options.browser ? '1' : '0',
	};
	let r;
	if (options.onLine) {
		r = spawnSync('bash', [path.join(E2E_DIR, 'install-n8n.sh')], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
		for (const line of `${r.stdout || ''}${r.stderr || ''}`.split('\n')) if (line) options.onLine(line);
	} else {
		r = spawnSync('bash', [path.join(E2E_DIR, 'install-n8n.sh')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
	}
	if (r.status !== 0) {
		const error = /** @type {Error & { output?: string }} */ (new Error(`e2e/install-n8n.sh failed (exit ${r.status})`));
		error.output = `${r.stdout || ''}${r.stderr || ''}`;
		throw error;
	}
	return { ...readEnvFile(path.join(cache, 'env.sh')), ms: Date.now() - t };
}

/**
 * Streams install-n8n.sh's progress line by line (for `npm start`, where a cold install takes
 * minutes). Resolves with the same environment as ensureN8n().
 * @returns {Promise<Record<string, any>>}
 */
function ensureN8nAsync(options = {}) {
	const cache = options.cache || CACHE;
	const t = Date.now();
	return new Promise((resolve, reject) => {
		const child = spawn('bash', [path.join(E2E_DIR, 'install-n8n.sh')], {
			env: { ...process.env, N8N_E2E_CACHE: cache, E2E_BROWSER: options.browser ? '1' : '0' },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		if (options.onChild) options.onChild(child);
		let buffered = '';
		let all = '';
		const onData = (d) => {
			buffered += d;
			all += d;
			const lines = buffered.split('\n');
			buffered = lines.pop();
			for (const l of lines) if (l && options.onLine) options.onLine(l);
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.on('error', reject);
		child.on('close', (status, signal) => {
			if (buffered && options.onLine) options.onLine(buffered);
			if (status !== 0) {
				const error = /** @type {Error & { output?: string }} */ (new Error(`e2e/install-n8n.sh failed (${status === null ? signal : `exit ${status}`})`));
				error.output = all;
				return reject(error);
			}
			resolve({ ...readEnvFile(path.join(cache, 'env.sh')), ms: Date.now() - t });
		});
	});
}

/** A free TCP port on 127.0.0.1. */
async function freePort() {
	return await new Promise((resolve, reject) => {
		const s = net.createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {import('node:net').AddressInfo} */ (s.address());
			s.close(() => resolve(port));
		});
	});
}

/** Whether something accepts connections on 127.0.0.1:port. */
function portInUse(port, host = '127.0.0.1') {
	return new Promise((resolve) => {
		const socket = net.connect({ port, host });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

function run(cmd, args, options = {}) {
	const t = Date.now();
	const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
	return { ...r, ms: Date.now() - t };
}

function runAsync(cmd, args, options = {}) {
	return new Promise((resolve) => {
		const t = Date.now();
		const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout || 120000);
		child.on('close', (status, signal) => {
			clearTimeout(timer);
			resolve({ status, signal, stdout, stderr, ms: Date.now() - t });
		});
	});
}

/** PATH without the cache's Node 24, so that the repository's toolchain runs on the system Node. */
function pathWithoutNode24(cache = CACHE) {
	return (process.env.PATH || '').split(':').filter((p) => !p.startsWith(cache)).join(':');
}

/** `npm run build` in the repository, with the system Node. Returns run()'s result (status, stdout, stderr, ms). */
function buildPackage(options = {}) {
	const repo = options.repo || REPO;
	const npm = options.npm || process.env.E2E_SYSTEM_NPM || 'npm';
	return run(npm, ['run', 'build'], { cwd: repo, env: { ...process.env, PATH: pathWithoutNode24(options.cache) } });
}

/** `npm pack` of `packageDir` into `destDir`: { tarball, info (npm's JSON), files, ms }. */
function packPackage(packageDir, destDir, options = {}) {
	const npm = options.npm || process.env.E2E_SYSTEM_NPM || 'npm';
	const t = Date.now();
	const pack = run(npm, ['pack', '--json', '--pack-destination', destDir], { cwd: packageDir });
	if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
	const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
	return { tarball: path.join(destDir, info.filename), info, files: info.files.map((f) => f.path), ms: Date.now() - t };
}

/** A fresh temporary folder for N8N_USER_FOLDER (with the tmp/ n8n's TMPDIR points at). */
function makeUserFolder(prefix = 'n8n-3cx-e2e-') {
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	fs.mkdirSync(path.join(userFolder, 'tmp'), { recursive: true });
	return userFolder;
}

/**
 * Installs a packed tarball the way n8n's community-package installer does (`downloadPackage` in
 * community-packages.service.js): unpacked into <userFolder>/.n8n/nodes/node_modules/<name>,
 * dev/peer/optional dependencies stripped from its package.json, `npm install --ignore-scripts
 * --install-strategy=shallow …` in the package folder, the dependency recorded in
 * <userFolder>/.n8n/nodes/package.json. Replaces an earlier install. Returns { pkgDir, version, ms }.
 */
function installPackage(tarball, userFolder, options = {}) {
	const npm = options.npm || process.env.E2E_SYSTEM_NPM || 'npm';
	const name = options.name || PACKAGE_NAME;
	const t = Date.now();
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const pkgDir = path.join(nodesDir, 'node_modules', name);
	fs.rmSync(pkgDir, { recursive: true, force: true });
	fs.mkdirSync(pkgDir, { recursive: true });
	let r = run('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
	if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
	const installedPkgJsonPath = path.join(pkgDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...installedPkgJson } = JSON.parse(fs.readFileSync(installedPkgJsonPath, 'utf8'));
	fs.writeFileSync(installedPkgJsonPath, JSON.stringify(installedPkgJson, null, 2));
	r = run(npm, ['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false'], {
		cwd: pkgDir,
	});
	if (r.status !== 0) throw new Error(`npm install in the unpacked package failed: ${r.stderr}`);
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [name]: installedPkgJson.version } }, null, 2),
	);
	return { pkgDir, version: installedPkgJson.version, packageJson: installedPkgJson, ms: Date.now() - t };
}

/**
 * n8n's environment: SQLite in `userFolder`, TMPDIR inside it, fixed encryption key, telemetry,
 * templates, version notifications, personalization and the hiring banner off, community packages
 * on, task runners internal with the broker on `brokerPort` (127.0.0.1), JSON logs, plain-HTTP
 * cookies, no npm_* variables. `extra` is merged last.
 */
function n8nEnvironment({ node24, userFolder, brokerPort, extra = {} }) {
	const env = {
		...process.env,
		PATH: `${path.dirname(node24)}:${process.env.PATH}`,
		N8N_USER_FOLDER: userFolder,
		TMPDIR: path.join(userFolder, 'tmp'), // n8n keeps e.g. n8nDataTableUploads/ under os.tmpdir()
		DB_TYPE: 'sqlite',
		N8N_ENCRYPTION_KEY: 'n8n-nodes-3cx-e2e-not-a-secret',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_RUNNERS_MODE: 'internal',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_LOG_FORMAT: 'json',
		N8N_LOG_LEVEL: 'info',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_SECURE_COOKIE: 'false',
		NODE_ENV: 'production',
		...extra,
	};
	for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
	return env;
}

/** Polls `/healthz/readiness` and `/rest/settings` until both answer (or the process exits). */
async function waitForServer(url, child, timeoutMs = 180000) {
	const deadline = Date.now() + timeoutMs;
	let exited = child && child.exitCode !== null ? `exited with ${child.exitCode}` : null;
	if (child) child.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
	while (Date.now() < deadline) {
		if (exited) return { ok: false, reason: exited };
		try {
			const r = await fetch(`${url}/healthz/readiness`);
			if (r.ok) {
				const s = await fetch(`${url}/rest/settings`);
				if (s.ok) return { ok: true };
			}
		} catch {
			/* not yet */
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	return { ok: false, reason: `not ready after ${timeoutMs} ms` };
}

/** Polls `readyUrl` until it answers 2xx (e.g. a worker's /healthz). */
async function waitForUrl(readyUrl, child, timeoutMs = 180000) {
	const deadline = Date.now() + timeoutMs;
	let exited = null;
	if (child) child.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
	while (Date.now() < deadline) {
		if (exited) return { ok: false, reason: exited };
		try {
			if ((await fetch(readyUrl)).ok) return { ok: true };
		} catch {
			/* not yet */
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	return { ok: false, reason: `${readyUrl} not ready after ${timeoutMs} ms` };
}

/** SIGTERM to the process group of `child` (spawned detached), SIGKILL after `graceMs`. */
async function stopServer(child, graceMs = 20000) {
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	const done = new Promise((resolve) => child.once('exit', resolve));
	try {
		process.kill(-child.pid, 'SIGTERM');
	} catch {
		child.kill('SIGTERM');
	}
	const t = setTimeout(() => {
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {
			/* gone */
		}
	}, graceMs);
	await done;
	clearTimeout(t);
}

/** Synchronous last resort (process exit handlers): SIGKILL the process group. */
function killNow(child) {
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, 'SIGKILL');
	} catch {
		/* already gone */
	}
}

/**
 * Sets the owner up through the REST API if nobody has yet. Returns whether it did.
 * @param {string} url
 * @param {Partial<Owner>} [owner]
 */
async function setupOwner(url, owner = DEFAULT_OWNER) {
	const settings = await (await fetch(`${url}/rest/settings`)).json();
	const um = settings.data && settings.data.userManagement;
	if (um && um.showSetupOnFirstLoad) {
		const r = await fetch(`${url}/rest/owner/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(owner) });
		if (!r.ok) throw new Error(`owner set-up via REST failed: ${r.status} ${await r.text()}`);
		return true;
	}
	return false;
}

/**
 * Sets the owner up if needed, then signs in; returns the session cookie header.
 * @param {string} url
 * @param {Partial<Owner>} [owner]
 */
async function ownerSession(url, owner = DEFAULT_OWNER) {
	await setupOwner(url, owner);
	const r = await fetch(`${url}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
	});
	if (!r.ok) throw new Error(`sign-in via REST failed: ${r.status} ${(await r.text()).slice(0, 200)}`);
	return r.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.join('; ');
}

/**
 * One n8n installation (Node 24 + n8n bin from ensureN8n()) with one user folder.
 * - `cli(args)`: runs `n8n <args>` to completion ({ status, stdout, stderr, ms }).
 * - `importCredentials(list)` / `importWorkflows(list)`: writes them to JSON files and runs
 *   `n8n import:credentials` / `n8n import:workflow` (throws with n8n's output on failure).
 * - `start({ port, command, args, env, log, ready })`: spawns `n8n start` (or `command`, e.g.
 *   'worker') detached in its own process group, waits for readiness (`/healthz/readiness` +
 *   `/rest/settings` for `start`; `ready` = a URL to poll, or false), returns
 *   { child, url, port, ok, reason, ms, stop() }.
 */
function createN8n({ env: installEnv, userFolder, brokerPort, extraEnv = {}, timeoutMs = 180000 }) {
	const node24 = installEnv.E2E_NODE24;
	const n8nBin = installEnv.E2E_N8N_BIN;
	const env = n8nEnvironment({ node24, userFolder, brokerPort, extra: extraEnv });
	const processes = new Set();
	const inst = {
		node24,
		n8nBin,
		env,
		userFolder,
		processes,
		cli(args, extra = {}) {
			return runAsync(node24, [n8nBin, ...args], { env: extra.env || env, cwd: userFolder, timeout: timeoutMs, ...extra });
		},
		async importCredentials(creds, file = path.join(userFolder, 'import-credentials.json')) {
			fs.writeFileSync(file, JSON.stringify(creds, null, 2));
			const res = await inst.cli(['import:credentials', `--input=${file}`]);
			if (res.status !== 0) throw new Error(`n8n import:credentials failed:\n${res.stdout.slice(-2000)}\n${res.stderr.slice(-2000)}`);
			return res;
		},
		async importWorkflows(workflows, file = path.join(userFolder, 'import-workflows.json')) {
			fs.writeFileSync(file, JSON.stringify(workflows, null, 2));
			const res = await inst.cli(['import:workflow', `--input=${file}`]);
			if (res.status !== 0) throw new Error(`n8n import:workflow failed:\n${res.stdout.slice(-2000)}\n${res.stderr.slice(-2000)}`);
			return res;
		},
		async start(options = {}) {
			const command = options.command || 'start';
			const port = options.port || (await freePort());
			const url = `http://127.0.0.1:${port}`;
			const t = Date.now();
			const child = spawn(node24, [n8nBin, command, ...(options.args || [])], {
				env: {
					...env,
					N8N_PORT: String(port),
					N8N_LISTEN_ADDRESS: '127.0.0.1',
					N8N_HOST: '127.0.0.1',
					N8N_PROTOCOL: 'http',
					N8N_EDITOR_BASE_URL: `${url}/`,
					WEBHOOK_URL: `${url}/`,
					N8N_RUNNERS_BROKER_PORT: String(options.brokerPort || (await freePort())),
					...(options.env || {}),
				},
				cwd: userFolder,
				stdio: ['ignore', 'pipe', 'pipe'],
				detached: true,
			});
			processes.add(child);
			child.once('exit', () => processes.delete(child));
			if (options.log) {
				child.stdout.pipe(options.log, { end: false });
				child.stderr.pipe(options.log, { end: false });
			} else {
				child.stdout.resume();
				child.stderr.resume();
			}
			const server = { child, url, port, command, stop: () => stopServer(child, options.graceMs) };
			let ready;
			if (options.ready === false) ready = { ok: true };
			else if (typeof options.ready === 'string') ready = await waitForUrl(options.ready, child, options.timeoutMs || timeoutMs);
			else ready = await waitForServer(url, child, options.timeoutMs || timeoutMs);
			Object.assign(server, ready, { ms: Date.now() - t });
			return server;
		},
		/** Stops every process start() spawned that still runs. */
		async stopAll() {
			await Promise.all([...processes].map((c) => stopServer(c)));
		},
		killAll() {
			for (const c of processes) killNow(c);
		},
	};
	return inst;
}

/** `n8n execute --rawOutput` prints logs (JSON lines with N8N_LOG_FORMAT=json) and the run as pretty JSON. */
function parseExecuteOutput(stdout) {
	const lines = stdout.split('\n');
	const start = lines.findIndex((l) => l === '{');
	if (start >= 0) {
		const end = lines.findIndex((l, i) => i > start && l === '}');
		if (end > start) {
			try {
				return JSON.parse(lines.slice(start, end + 1).join('\n'));
			} catch {
				/* fall through */
			}
		}
	}
	for (const l of lines) {
		if (!l.startsWith('{"level"')) continue;
		try {
			const o = JSON.parse(l);
			if (typeof o.message === 'string' && o.message.trim().startsWith('{')) {
				const run = JSON.parse(o.message);
				if (run && run.data && run.data.resultData) return run;
			}
		} catch {
			/* not a log line */
		}
	}
	return null;
}

/**
 * n8n's own Webhook node (v2) as a workflow holds it, answering when the last node has run; `extra`
 * adds to its parameters (e.g. responseData, authentication), `credentials` to the node.
 * @param {string} webhookPath
 * @param {{ method?: string, extra?: Record<string, unknown>, credentials?: Record<string, { id: string, name: string }> }} [options]
 */
function webhookNode(webhookPath, { method = 'POST', extra = {}, credentials } = {}) {
	return {
		id: crypto.randomUUID(),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: crypto.randomUUID(),
		parameters: { httpMethod: method, path: webhookPath, responseMode: 'lastNode', options: {}, ...extra },
		...(credentials ? { credentials } : {}),
	};
}

module.exports = {
	parseExecuteOutput,
	webhookNode,
	REPO,
	CACHE,
	PACKAGE_NAME,
	DEFAULT_OWNER,
	readEnvFile,
	ensureN8n,
	ensureN8nAsync,
	freePort,
	portInUse,
	run,
	runAsync,
	pathWithoutNode24,
	buildPackage,
	packPackage,
	makeUserFolder,
	installPackage,
	n8nEnvironment,
	waitForServer,
	waitForUrl,
	stopServer,
	killNow,
	setupOwner,
	ownerSession,
	createN8n,
};
