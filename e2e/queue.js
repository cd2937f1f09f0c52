#!/usr/bin/env node
'use strict';
/**
 * The package in a real n8n in queue mode: one main process, two workers, Redis, Postgres (issue 13).
 *
 *   npm run test:queue                 (= node e2e/queue.js)
 *   node e2e/queue.js --help
 *
 * Starts Debian's redis-server and postgresql on 127.0.0.1 ports of their own (data in a temporary
 * folder, installed with apt-get when missing), the cached n8n 2.41.1 (e2e/install-n8n.sh) as
 * `n8n start` plus two `n8n worker --concurrency=10` with EXECUTIONS_MODE=queue, installs the packed
 * package into each of them the way n8n installs community packages, imports a credential and a
 * webhook workflow (Webhook -> 3CX Users > Get, answer when the last node finishes) with n8n's CLI and
 * publishes it. Then sends waves of webhook requests against the fake 3CX (simulator/e2e-preset.js, which
 * keeps one valid token per client like a real 3CX):
 *   cold     no token stored, the fake holds none either: exactly one token may be fetched
 *   after50  the fake revokes the token after 50 API requests: exactly one new token
 *   every2s  the fake revokes each token 2 s after it was issued: exactly one new token per revocation
 * Passes when every execution succeeds and the token counts are exact in every wave. Prints a table
 * per wave; report.json, tables.md and every process's log go to e2e/artifacts/queue/ (gitignored).
 * Every process it starts is stopped by PID at the end, also on failure or Ctrl+C.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const readline = require('node:readline');
const crypto = require('node:crypto');
const { PassThrough } = require('node:stream');
const { spawn } = require('node:child_process');
const inst = require('./n8n-instance');
const liveCase = require('./live-queue'); // issue 18: live calls in queue mode

const E2E_DIR = __dirname;
const REPO = inst.REPO;
const ARTIFACTS = process.env.E2E_QUEUE_ARTIFACTS || path.join(E2E_DIR, 'artifacts', 'queue');
const CLIENT_ID = '900';
const CLIENT_SECRET = 'e2e-queue-client-secret';
const ENCRYPTION_KEY = 'n8n-nodes-3cx-e2e-queue-not-a-secret';
const PG_PASSWORD = 'e2e-queue-postgres';
const CREDENTIAL_ID = 'queue3cxCred0001';
const WORKFLOW_3CX = { id: 'queue3cxWf000001', path: 'queue-3cx-node' };
const WORKFLOW_HTTP = { id: 'queue3cxWfHttp01', path: 'queue-http-request-node' };
const WORKERS = 2;
const WORKER_CONCURRENCY = 10;
const REVOKE_EVERY_MS = 2000;

const HELP = `usage: node e2e/queue.js [options]
  --no-build            do not run "npm run build" first (use the existing dist/)
  --repeat <n>          repetitions of each wave with the 3CX node (default 5; at least 5 to pass)
  --requests <n>        webhook requests per wave (default 200)
  --concurrency <n>     requests in flight at once (default 50)
  --waves <list>        which waves, comma-separated: cold,after50,every2s (default all)
  --http-request-node   also run the waves with n8n's HTTP Request node on the same credential
                        (for comparison; never a pass condition)
  --http-repeat <n>     repetitions of each HTTP Request node wave (default 2)
  --budget <minutes>    stop starting waves after this long (default 10; the waves not run fail the test)
  --keep                keep the temporary folder (Postgres data, n8n user folders)`;

const argv = process.argv.slice(2);
const flag = (n) => argv.includes(n);
const opt = (n, d) => {
	const i = argv.indexOf(n);
	return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : d;
};
const intOpt = (n, d) => {
	const v = Number(opt(n, d));
	if (!Number.isInteger(v) || v < 1) {
		console.error(`[queue] ${n} needs a positive whole number, got ${opt(n, d)}`);
		process.exit(2);
	}
	return v;
};
if (flag('--help') || flag('-h')) {
	console.log(HELP);
	process.exit(0);
}
const REPEAT = intOpt('--repeat', 5);
const REQUESTS = intOpt('--requests', 200);
const CONCURRENCY = intOpt('--concurrency', 50);
const HTTP_REPEAT = intOpt('--http-repeat', 2);
const BUDGET_MS = intOpt('--budget', 10) * 60 * 1000;
const WAVES = opt('--waves', 'cold,after50,every2s').split(',').filter(Boolean);
for (const w of WAVES) {
	if (!['cold', 'after50', 'every2s'].includes(w)) {
		console.error(`[queue] unknown wave "${w}" (cold, after50, every2s)`);
		process.exit(2);
	}
}

const T0 = Date.now();
const log = (...a) => console.log(`[queue ${((Date.now() - T0) / 1000).toFixed(0).padStart(3)} s]`, ...a);
const sleep = (msTime) => new Promise((resolve) => setTimeout(resolve, msTime));
const seconds = (msTime) => `${(msTime / 1000).toFixed(1)} s`;

/* ------------------------------------------------------------------ processes we started */

/**
 * Everything this script started, stopped by PID: Redis, Postgres and n8n CLI runs here; the n8n
 * processes (each with its task runner, in a process group of its own) through n8n-instance.js.
 */
const started = [];
const n8nInstances = [];
let tempDir = null;
let stopping = null;

function track(name, child, { signal = 'SIGTERM', group = false } = {}) {
	const entry = { name, child, signal, group, exited: false };
	child.once('exit', () => (entry.exited = true));
	started.push(entry);
	return entry;
}

function killEverything() {
	for (const n of n8nInstances) n.killAll();
	for (const e of started) signalEntry(e, 'SIGKILL');
}

function signalEntry(entry, signal) {
	if (entry.exited) return;
	try {
		if (entry.group) process.kill(-entry.child.pid, signal);
		else process.kill(entry.child.pid, signal);
	} catch {
		/* already gone */
	}
}

async function stopEntry(entry, timeoutMs = 20000) {
	if (entry.exited) return;
	const done = new Promise((resolve) => entry.child.once('exit', resolve));
	signalEntry(entry, entry.signal);
	const deadline = sleep(timeoutMs).then(() => 'timeout');
	if ((await Promise.race([done, deadline])) === 'timeout') {
		log(`${entry.name} (pid ${entry.child.pid}) did not stop in ${seconds(timeoutMs)}: SIGKILL`);
		signalEntry(entry, 'SIGKILL');
		await Promise.race([done, sleep(5000)]);
	}
}

/** n8n first (it holds connections to Redis and Postgres), then Redis and Postgres. */
async function stopAll() {
	if (!stopping) {
		stopping = (async () => {
			await Promise.all([...n8nInstances.map((n) => n.stopAll()), ...started.filter((e) => e.name.startsWith('n8n')).map((e) => stopEntry(e))]);
			await Promise.all(started.filter((e) => !e.name.startsWith('n8n')).map((e) => stopEntry(e)));
			if (tempDir && !flag('--keep')) fs.rmSync(tempDir, { recursive: true, force: true });
			else if (tempDir) log(`kept ${tempDir}`);
		})();
	}
	return stopping;
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.on(sig, () => {
		if (stopping) {
			killEverything();
			process.exit(130);
		}
		console.error(`\n[queue] ${sig}: stopping n8n, Redis and Postgres (again to kill them at once)`);
		stopAll().finally(() => process.exit(130));
	});
}
// last resort (an exception after the fact, process.exit elsewhere): nothing outlives this process
process.on('exit', killEverything);

/* ------------------------------------------------------------------ small helpers */

const { freePort, run } = inst;

function runAsync(cmd, args, options = {}) {
	return new Promise((resolve) => {
		const t = Date.now();
		const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		const entry = track(`n8n cli ${args[1] || args[0]}`, child, { group: true });
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (out += d));
		const timer = setTimeout(() => signalEntry(entry, 'SIGKILL'), options.timeout || 180000);
		child.on('close', (status, signal) => {
			clearTimeout(timer);
			started.splice(started.indexOf(entry), 1);
			resolve({ status, signal, out, ms: Date.now() - t });
		});
	});
}

function fill(template, vars) {
	return JSON.parse(JSON.stringify(template).replace(/\{\{(\w+)\}\}/g, (_, k) => (k in vars ? String(vars[k]) : `{{${k}}}`)));
}

/** uid/gid of a system user, or undefined when there is none. */
function userIds(name) {
	const u = run('id', ['-u', name]);
	const g = run('id', ['-g', name]);
	if (u.status !== 0 || g.status !== 0) return undefined;
	return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()), name };
}

/** Waits for `check` (async, true when ready) until `timeoutMs`; fails early when `child` exits. */
async function waitFor(what, check, { timeoutMs, child, logFile }) {
	const deadline = Date.now() + timeoutMs;
	let exited = null;
	if (child) child.once('exit', (code, signal) => (exited = code ?? signal));
	while (Date.now() < deadline) {
		if (exited !== null) throw new Error(`${what} exited (${exited}) before it was ready${logFile ? `; see ${logFile}` : ''}`);
		try {
			if (await check()) return;
		} catch {
			/* not yet */
		}
		await sleep(250);
	}
	throw new Error(`${what} was not ready after ${seconds(timeoutMs)}${logFile ? `; see ${logFile}` : ''}`);
}

/* ------------------------------------------------------------------ Redis and Postgres */

function findPostgresBin() {
	const base = '/usr/lib/postgresql';
	if (fs.existsSync(base)) {
		const versions = fs
			.readdirSync(base)
			.filter((v) => fs.existsSync(path.join(base, v, 'bin', 'postgres')))
			.sort((a, b) => Number(b) - Number(a));
		if (versions.length) return path.join(base, versions[0], 'bin');
	}
	const which = run('sh', ['-c', 'command -v postgres']);
	return which.status === 0 ? path.dirname(fs.realpathSync(which.stdout.trim())) : null;
}

function findRedis() {
	const which = run('sh', ['-c', 'command -v redis-server']);
	return which.status === 0 ? which.stdout.trim() : null;
}

/** Installs Debian's redis-server / postgresql when missing (needs root and apt-get). */
function ensureServices() {
	const missing = [];
	if (!findRedis()) missing.push('redis-server');
	if (!findPostgresBin()) missing.push('postgresql');
	if (!missing.length) return;
	if (process.getuid() !== 0 || run('sh', ['-c', 'command -v apt-get']).status !== 0) {
		throw new Error(`${missing.join(' and ')} missing: install Debian's packages (apt-get install ${missing.join(' ')})`);
	}
	log(`installing ${missing.join(', ')} with apt-get ...`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	let r = run('apt-get', ['update', '-qq'], { env });
	if (r.status !== 0) throw new Error(`apt-get update failed: ${r.stderr.slice(-1500)}`);
	r = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
	if (r.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed: ${r.stderr.slice(-1500)}`);
	log(`installed ${missing.join(', ')} (${seconds(r.ms)})`);
	if (!findRedis() || !findPostgresBin()) throw new Error('redis-server or postgres still not found after apt-get install');
}

/** As whom a server runs: postgres refuses root, so as root we use the system user of the package. */
function serviceUser(name) {
	if (process.getuid() !== 0) return undefined;
	const ids = userIds(name);
	if (!ids && name === 'postgres') throw new Error('running as root but there is no "postgres" user to run Postgres as');
	return ids;
}

function ownedDir(dir, user) {
	fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
	if (user) fs.chownSync(dir, user.uid, user.gid);
	return dir;
}

async function startPostgres(base) {
	const bin = findPostgresBin();
	const user = serviceUser('postgres');
	const home = ownedDir(path.join(base, 'postgres'), user);
	const data = path.join(home, 'data');
	const pwfile = path.join(home, 'pwfile');
	fs.writeFileSync(pwfile, PG_PASSWORD + '\n', { mode: 0o600 });
	if (user) fs.chownSync(pwfile, user.uid, user.gid);
	const asUser = user ? { uid: user.uid, gid: user.gid } : {};
	const env = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
	const init = run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync'], {
		...asUser,
		env,
		cwd: home,
	});
	if (init.status !== 0) throw new Error(`initdb failed: ${init.stdout.slice(-1500)}${init.stderr.slice(-1500)}`);
	const port = await freePort();
	const logFile = path.join(ARTIFACTS, 'postgres.log');
	const out = fs.openSync(logFile, 'w');
	// a test database: durability off, loopback TCP only, no Unix socket
	const child = spawn(
		path.join(bin, 'postgres'),
		['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
		{ ...asUser, env, cwd: home, stdio: ['ignore', out, out] },
	);
	fs.closeSync(out);
	track('postgres', child, { signal: 'SIGINT' }); // SIGINT: "fast" shutdown
	const pg = require(path.join(n8nModules(), 'pg'));
	const connect = async (database) => {
		const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: PG_PASSWORD, database });
		await client.connect();
		return client;
	};
	await waitFor('Postgres', async () => (await connect('postgres')).end().then(() => true), { timeoutMs: 60000, child, logFile });
	const admin = await connect('postgres');
	await admin.query('CREATE DATABASE n8n');
	await admin.end();
	const db = await connect('n8n');
	db.on('error', () => {}); // Postgres going away at the end (or on Ctrl+C) is expected
	log(`Postgres ${path.basename(path.dirname(bin))} on 127.0.0.1:${port} (pid ${child.pid}${user ? `, user ${user.name}` : ''}, data in ${data})`);
	return { port, db, pid: child.pid };
}

async function redisPing(port) {
	return await new Promise((resolve) => {
		const s = net.connect({ host: '127.0.0.1', port }, () => s.write('PING\r\n'));
		s.setTimeout(2000, () => (s.destroy(), resolve(false)));
		s.on('data', (d) => (s.end(), resolve(String(d).startsWith('+PONG'))));
		s.on('error', () => resolve(false));
	});
}

async function startRedis(base) {
	const user = serviceUser('redis');
	const dir = ownedDir(path.join(base, 'redis'), user);
	const port = await freePort();
	const logFile = path.join(ARTIFACTS, 'redis.log');
	const out = fs.openSync(logFile, 'w');
	const child = spawn(
		findRedis(),
		['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes'],
		{ ...(user ? { uid: user.uid, gid: user.gid } : {}), cwd: dir, stdio: ['ignore', out, out], env: { PATH: process.env.PATH, HOME: dir } },
	);
	fs.closeSync(out);
	track('redis', child);
	await waitFor('Redis', () => redisPing(port), { timeoutMs: 30000, child, logFile });
	log(`Redis on 127.0.0.1:${port} (pid ${child.pid}${user ? `, user ${user.name}` : ''})`);
	return { port, pid: child.pid };
}

/* ------------------------------------------------------------------ n8n and the package */

let ENV = null; // from install-n8n.sh (via n8n-instance.js)
const n8nModules = () => path.resolve(ENV.E2E_N8N_BIN, '..', '..', '..');

function installN8n() {
	const lines = [];
	ENV = inst.ensureN8n({ browser: false, onLine: (l) => lines.push(l) });
	fs.writeFileSync(path.join(ARTIFACTS, 'install-n8n.log'), lines.join('\n') + '\n');
	log(`n8n ${ENV.E2E_N8N_VERSION} and Node 24 from ${ENV.E2E_CACHE} (${seconds(ENV.ms)})`);
}

function buildAndPack(base) {
	if (!flag('--no-build')) {
		const r = inst.buildPackage();
		fs.writeFileSync(path.join(ARTIFACTS, 'build.log'), `${r.stdout}\n${r.stderr}`);
		if (r.status !== 0) throw new Error('npm run build failed (see e2e/artifacts/queue/build.log)');
		log(`npm run build (${seconds(r.ms)})`);
	}
	return inst.packPackage(REPO, fs.mkdtempSync(path.join(base, 'pack-'))).tarball;
}

/** What every n8n process of this instance shares: queue mode, Redis, Postgres, one encryption key. */
function queueEnv({ redis, postgres }) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: 'n8n',
		DB_POSTGRESDB_USER: 'postgres',
		DB_POSTGRESDB_PASSWORD: PG_PASSWORD,
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
	};
}

/**
 * Starts one n8n process (`n8n start` or `n8n worker`) through n8n-instance.js with its own user
 * folder and task broker port; logs to a file and collects the executions a worker starts.
 */
/**
 * @param {string} name
 * @param {string} userFolder
 * @param {Record<string, string>} shared
 * @param {{ command?: string, args?: string[], env?: Record<string, string>, ready?: string }} [options]
 */
async function startN8n(name, userFolder, shared, { command = 'start', args = [], env = {}, ready } = {}) {
	const n8n = inst.createN8n({ env: ENV, userFolder, brokerPort: await freePort(), extraEnv: shared, timeoutMs: 240000 });
	n8nInstances.push(n8n);
	const logFile = path.join(ARTIFACTS, `${name}.log`);
	const stream = new PassThrough();
	stream.pipe(fs.createWriteStream(logFile));
	const proc = { name, logFile, executions: [], errors: [], pid: null };
	readline.createInterface({ input: stream }).on('line', (line) => {
		const m = /Worker started execution (\d+)/.exec(line);
		if (m) proc.executions.push(Number(m[1]));
		// (n8n's calls to api.n8n.io fail offline: not ours)
		else if (/"level":"error"/.test(line) && !/api\.n8n\.io/.test(line) && proc.errors.length < 200) proc.errors.push(line.slice(0, 500));
	});
	const server = await n8n.start({ command, args, env, ready, log: stream, brokerPort: n8n.env.N8N_RUNNERS_BROKER_PORT });
	if (!server.ok) throw new Error(`n8n ${name} did not become ready: ${server.reason}; see ${logFile}`);
	return Object.assign(proc, { child: server.child, pid: server.child.pid, url: server.url, ms: server.ms });
}

/* ------------------------------------------------------------------ workflows */

function workflow3cx(nodeCfg, getCase) {
	return {
		id: WORKFLOW_3CX.id,
		name: 'queue: Webhook -> 3CX Users > Get',
		active: false,
		nodes: [
			inst.webhookNode(WORKFLOW_3CX.path, { method: 'GET' }),
			{
				id: crypto.randomUUID(),
				name: nodeCfg.nodeName,
				type: nodeCfg.nodeType,
				typeVersion: nodeCfg.typeVersion,
				position: [240, 0],
				parameters: getCase.parameters,
				credentials: { [nodeCfg.credentialType]: { id: CREDENTIAL_ID, name: '3CX (fake server, queue)' } },
			},
		],
		connections: { Webhook: { main: [[{ node: nodeCfg.nodeName, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

function workflowHttp(nodeCfg, fakeUrl, userPath) {
	return {
		id: WORKFLOW_HTTP.id,
		name: 'queue: Webhook -> HTTP Request (3CX OAuth2 API credential)',
		active: false,
		nodes: [
			inst.webhookNode(WORKFLOW_HTTP.path, { method: 'GET' }),
			{
				id: crypto.randomUUID(),
				name: 'HTTP Request',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [240, 0],
				parameters: { url: `${fakeUrl}${userPath}`, authentication: 'predefinedCredentialType', nodeCredentialType: nodeCfg.credentialType, options: {} },
				credentials: { [nodeCfg.credentialType]: { id: CREDENTIAL_ID, name: '3CX (fake server, queue)' } },
			},
		],
		connections: { Webhook: { main: [[{ node: 'HTTP Request', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/* ------------------------------------------------------------------ waves */

const WAVE_TITLES = {
	cold: 'cold start (no stored token)',
	after50: 'token revoked after 50 requests',
	every2s: 'token revoked 2 s after it was issued',
};

/** Runs `count` jobs, at most `limit` at once. */
async function pool(count, limit, job) {
	const results = new Array(count);
	let next = 0;
	const lane = async () => {
		while (next < count) {
			const i = next++;
			results[i] = await job(i);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
	return results;
}

async function callWebhook(url, expectId) {
	const t = Date.now();
	try {
		const r = await fetch(url, { signal: AbortSignal.timeout(120000) });
		const text = await r.text();
		let body = null;
		try {
			body = JSON.parse(text);
		} catch {
			/* not JSON */
		}
		const ok = r.status === 200 && body !== null && body.Id === expectId;
		return { ok, status: r.status, ms: Date.now() - t, text: ok ? '' : text.slice(0, 300) };
	} catch (e) {
		return { ok: false, status: 0, ms: Date.now() - t, text: String(e.cause?.code || e.name || e.message) };
	}
}

/** CPU time (user + system) a process has used so far, in seconds (Linux /proc; 0 elsewhere). */
function cpuSeconds(pid) {
	try {
		const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
		return (Number(fields[11]) + Number(fields[12])) / 100;
	} catch {
		return 0;
	}
}

async function maxExecutionId(db) {
	const r = await db.query('SELECT COALESCE(MAX(id), 0)::int AS id FROM execution_entity');
	return r.rows[0].id;
}

/** Waits (bounded) until every execution after `fromId` of the workflow has finished; returns counts by status. */
async function settledExecutions(db, workflowId, fromId, expected) {
	const deadline = Date.now() + 60000;
	let rows = [];
	while (Date.now() < deadline) {
		rows = (await db.query('SELECT id, status FROM execution_entity WHERE id > $1 AND "workflowId" = $2', [fromId, workflowId])).rows;
		const open = rows.filter((r) => ['new', 'running', 'waiting'].includes(r.status));
		if (rows.length >= expected && !open.length) break;
		await sleep(250);
	}
	const byStatus = {};
	for (const r of rows) byStatus[r.status] = (byStatus[r.status] || 0) + 1;
	return { rows, byStatus };
}

/** The error messages of up to `limit` failed executions (n8n stores run data as `flatted` JSON). */
async function failureMessages(db, ids, limit = 20) {
	if (!ids.length) return {};
	const { parse } = require(path.join(n8nModules(), 'flatted'));
	const r = await db.query('SELECT "executionId", data FROM execution_data WHERE "executionId" = ANY($1::int[]) LIMIT $2', [ids, limit]);
	const counts = {};
	for (const row of r.rows) {
		let message = 'unknown error';
		try {
			const run = parse(row.data);
			const e = run.resultData && run.resultData.error;
			if (e) message = [e.message, e.description].filter(Boolean).join(' — ');
		} catch {
			/* unreadable */
		}
		message = message.slice(0, 240);
		counts[message] = (counts[message] || 0) + 1;
	}
	return counts;
}

async function runWave(ctx, { kind, node, index }) {
	const { fake, db, workers, main, wf, expectId } = ctx;
	const url = `${main.url}/webhook/${wf.path}`;
	let primer = null;
	if (kind === 'cold') {
		// no token stored in n8n (the credential as imported) and none valid at the fake
		await db.query('UPDATE credentials_entity SET data = $1 WHERE id = $2', [ctx.importedCredentialData, CREDENTIAL_ID]);
		fake.expireToken();
	} else {
		// start from a stored token that works, whatever the wave before left behind
		const mark = fake.mark();
		const from = await maxExecutionId(db);
		const r = await callWebhook(url, expectId);
		await settledExecutions(db, wf.id, from, 1);
		const reqs = fake.requestsSince(mark);
		primer = { ok: r.ok, tokens: reqs.filter((x) => x.kind === 'token' && x.status === 200).length };
	}
	fake.resetData();
	const fromId = await maxExecutionId(db);
	const mark = fake.mark();
	const workerMarks = workers.map((w) => w.executions.length);
	const cpuBefore = [main, ...workers].map((p) => cpuSeconds(p.pid));
	const revocations = [];
	let timer = null;
	if (kind === 'after50') fake.expireTokenAfter(50);
	const t = Date.now();
	if (kind === 'every2s') {
		// every token is revoked 2 s after it was issued (the one the wave starts with: 2 s into the
		// wave), so a revocation never hits a token before anyone could use it
		let since = mark;
		timer = setInterval(() => {
			const issued = fake.requestsSince(since).filter((x) => x.kind === 'token' && x.status === 200);
			const bornAt = issued.length ? Date.parse(issued[issued.length - 1].time) : revocations.length ? null : t;
			if (bornAt === null || Date.now() - bornAt < REVOKE_EVERY_MS) return;
			fake.expireToken();
			since = fake.mark();
			revocations.push({ at: since, ms: Date.now() - t });
		}, 50);
	}
	const results = await pool(REQUESTS, CONCURRENCY, () => callWebhook(url, expectId));
	const wallMs = Date.now() - t;
	if (timer) clearInterval(timer);
	fake.resetData(); // clears a pending expiry
	const { rows, byStatus } = await settledExecutions(db, wf.id, fromId, REQUESTS);
	const reqs = fake.requestsSince(mark);
	const api = reqs.filter((x) => x.kind === 'api');
	const tokens = reqs.filter((x) => x.kind === 'token' && x.status === 200).length;
	const tokenRequests = reqs.filter((x) => x.kind === 'token').length;
	const unauthorized = api.filter((x) => x.status === 401).length;
	// a revocation needs a new token when it revoked a live token and API requests came after it
	let expectedTokens;
	let revoked;
	if (kind === 'cold') {
		revoked = 0;
		expectedTokens = 1;
	} else if (kind === 'after50') {
		revoked = api.length > 50 ? 1 : 0;
		expectedTokens = revoked;
	} else {
		revoked = revocations.filter((rv) => fake.requestsSince(rv.at).some((x) => x.kind === 'api')).length;
		expectedTokens = revoked;
	}
	const httpOk = results.filter((r) => r.ok).length;
	const failedIds = rows.filter((r) => r.status !== 'success').map((r) => Number(r.id));
	const dbSuccess = byStatus.success || 0;
	const succeeded = Math.min(httpOk, dbSuccess);
	const failed = REQUESTS - succeeded;
	const httpFailures = {};
	for (const r of results.filter((x) => !x.ok)) {
		const k = `HTTP ${r.status} ${r.text}`.slice(0, 160);
		httpFailures[k] = (httpFailures[k] || 0) + 1;
	}
	const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
	const row = {
		node,
		kind,
		index,
		requests: REQUESTS,
		succeeded,
		failed,
		httpOk,
		executions: rows.length,
		executionStatus: byStatus,
		tokens,
		tokenRequests,
		expectedTokens,
		revocations: kind === 'every2s' ? revocations.length : revoked,
		effectiveRevocations: revoked,
		unauthorized,
		apiRequests: api.length,
		wallMs,
		p50Ms: latencies[Math.floor(latencies.length / 2)],
		p95Ms: latencies[Math.floor(latencies.length * 0.95)],
		perWorker: workers.map((w, i) => w.executions.length - workerMarks[i]),
		cpuSeconds: [main, ...workers].map((p, i) => Number((cpuSeconds(p.pid) - cpuBefore[i]).toFixed(1))),
		primer,
		errors: await failureMessages(db, failedIds),
		httpFailures,
	};
	row.pass = row.failed === 0 && row.tokens === row.expectedTokens;
	const slug = `${node.split(' ')[0].toLowerCase()}-${kind}-${index}`;
	const compact = reqs.map((x) => ({ seq: x.seq, time: x.time, kind: x.kind, status: x.status, auth: x.auth, token: x.token && x.token.issued, bearer: x.headers && x.headers.authorization }));
	// revocationsAt[].ms counts from startedAt
	fs.writeFileSync(path.join(ARTIFACTS, `wave-${slug}.json`), JSON.stringify({ ...row, startedAt: new Date(t).toISOString(), revocationsAt: revocations, fakeRequests: compact }, null, 1));
	return row;
}

/* ------------------------------------------------------------------ tables */

function waveTable(rows) {
	const head = '| run | requests | succeeded | failed | tokens issued (expected) | 401s | wall time | executions per worker | result |';
	const sep = '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |';
	const lines = rows.map(
		(r) =>
			`| ${r.index} | ${r.requests} | ${r.succeeded} | ${r.failed} | ${r.tokens} (${r.expectedTokens}) | ${r.unauthorized} | ${seconds(r.wallMs)} | ${r.perWorker.join(' / ')} | ${r.pass ? 'ok' : 'FAIL'} |`,
	);
	return [head, sep, ...lines].join('\n');
}

function summaryTable(rows) {
	const groups = new Map();
	for (const r of rows) {
		const key = `${r.node}|${r.kind}`;
		if (!groups.has(key)) groups.set(key, []);
		groups.get(key).push(r);
	}
	const lines = ['| setup | waves | waves with a token count other than expected | failed executions | 401s | median wall time |', '| --- | ---: | ---: | ---: | ---: | ---: |'];
	for (const [key, rs] of groups) {
		const [node, kind] = key.split('|');
		const walls = rs.map((r) => r.wallMs).sort((a, b) => a - b);
		lines.push(
			`| ${node}, ${WAVE_TITLES[kind]} | ${rs.length} | ${rs.filter((r) => r.tokens !== r.expectedTokens).length} | ${rs.reduce((s, r) => s + r.failed, 0)} | ${rs.reduce((s, r) => s + r.unauthorized, 0)} | ${seconds(walls[Math.floor(walls.length / 2)])} |`,
		);
	}
	return lines.join('\n');
}

/* ------------------------------------------------------------------ main */

async function main() {
	fs.rmSync(ARTIFACTS, { recursive: true, force: true });
	fs.mkdirSync(ARTIFACTS, { recursive: true });
	const timings = {};
	let t = Date.now();
	installN8n();
	ensureServices();
	tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-3cx-queue-'));
	fs.chmodSync(tempDir, 0o755); // the postgres and redis users need to reach their folders inside
	const tarball = buildAndPack(tempDir);
	const folders = ['main', ...Array.from({ length: WORKERS }, (_, i) => `worker${i + 1}`)].map((n) => ({ name: n, dir: path.join(tempDir, n) }));
	for (const f of folders) fs.mkdirSync(path.join(f.dir, 'tmp'), { recursive: true });
	inst.installPackage(tarball, folders[0].dir);
	for (const f of folders.slice(1)) fs.cpSync(path.join(folders[0].dir, '.n8n'), path.join(f.dir, '.n8n'), { recursive: true });
	timings.package = Date.now() - t;
	log(`package ${path.basename(tarball)} installed into ${folders.length} n8n user folders (${seconds(timings.package)})`);

	t = Date.now();
	const [postgres, redis] = await Promise.all([startPostgres(tempDir), startRedis(tempDir)]);
	timings.services = Date.now() - t;

	const { createE2eSimulator } = require('../simulator/e2e-preset');
	// no spec checks here (e2e/run.js does them): this test is about tokens, and the fake shares our CPU
	const fake = createE2eSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, specCheck: false });
	await fake.start();
	log(`fake 3CX on ${fake.baseUrl}`);

	// ---------------------------------------------------------------- import with n8n's CLI, publish
	const nodeCfg = JSON.parse(fs.readFileSync(path.join(E2E_DIR, 'fixtures', 'node.json'), 'utf8'));
	const caseFile = fs.readdirSync(path.join(E2E_DIR, 'fixtures', 'cases')).find((f) => f.startsWith('01-'));
	const getCase = JSON.parse(fs.readFileSync(path.join(E2E_DIR, 'fixtures', 'cases', caseFile), 'utf8'));
	const expectId = getCase.expect.output[0].Id;
	const userPath = getCase.expect.requests[0].path.replace(/^\/xapi\/v1/, '');
	const credentials = [{ id: CREDENTIAL_ID, name: '3CX (fake server, queue)', type: nodeCfg.credentialType, data: fill(nodeCfg.credentials.good.data, { fakeUrl: fake.baseUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }) }];
	const workflows = [workflow3cx(nodeCfg, getCase), workflowHttp(nodeCfg, fake.baseUrl, `/xapi/v1${userPath}`), liveCase.liveWorkflow(nodeCfg.credentialType, credentials[0])];
	const credFile = path.join(tempDir, 'credentials.json');
	const wfFile = path.join(ARTIFACTS, 'workflows.json');
	fs.writeFileSync(credFile, JSON.stringify(credentials, null, 2));
	fs.writeFileSync(wfFile, JSON.stringify(workflows, null, 2));

	const shared = queueEnv({ redis, postgres });
	const cliEnv = inst.n8nEnvironment({ node24: ENV.E2E_NODE24, userFolder: folders[0].dir, brokerPort: await freePort(), extra: shared });
	const cli = async (args) => {
		const r = await runAsync(ENV.E2E_NODE24, [ENV.E2E_N8N_BIN, ...args], { env: cliEnv, cwd: folders[0].dir });
		fs.appendFileSync(path.join(ARTIFACTS, 'cli.log'), `\n$ n8n ${args.join(' ')}  (exit ${r.status}, ${seconds(r.ms)})\n${r.out}`);
		if (r.status !== 0) throw new Error(`n8n ${args.join(' ')} failed (exit ${r.status}); see e2e/artifacts/queue/cli.log\n${r.out.slice(-1500)}`);
		return r;
	};
	t = Date.now();
	let r = await cli(['import:credentials', `--input=${credFile}`]);
	log(`n8n import:credentials (includes n8n's migrations on the empty Postgres): ${seconds(r.ms)}`);
	r = await cli(['import:workflow', `--input=${wfFile}`]);
	log(`n8n import:workflow: ${seconds(r.ms)}`);
	// (import:workflow --activeState=fromJson would need an owner who may activate; publish:workflow does not)
	const used = [WORKFLOW_3CX, ...(flag('--http-request-node') ? [WORKFLOW_HTTP] : [])];
	for (const w of used) {
		r = await cli(['publish:workflow', `--id=${w.id}`]);
		log(`n8n publish:workflow --id=${w.id}: ${seconds(r.ms)}`);
	}
	r = await cli(['publish:workflow', `--id=${liveCase.LIVE_WORKFLOW_ID}`]); // issue 18
	log(`n8n publish:workflow --id=${liveCase.LIVE_WORKFLOW_ID}: ${seconds(r.ms)}`);
	const published = await postgres.db.query('SELECT id FROM workflow_entity WHERE "activeVersionId" IS NOT NULL');
	for (const w of used) if (!published.rows.some((x) => x.id === w.id)) throw new Error(`workflow ${w.id} is not published after n8n publish:workflow`);
	timings.import = Date.now() - t;
	const credRow = await postgres.db.query('SELECT data FROM credentials_entity WHERE id = $1', [CREDENTIAL_ID]);
	if (!credRow.rows.length) throw new Error(`credential ${CREDENTIAL_ID} is not in Postgres after import:credentials`);
	const importedCredentialData = credRow.rows[0].data;

	// ---------------------------------------------------------------- main + workers
	t = Date.now();
	const workerHealthPorts = [];
	for (let i = 0; i < WORKERS; i++) workerHealthPorts.push(await freePort());
	const [main, ...workers] = await Promise.all([
		startN8n('main', folders[0].dir, shared),
		...workerHealthPorts.map((healthPort, i) =>
			startN8n(folders[i + 1].name, folders[i + 1].dir, shared, {
				command: 'worker',
				args: [`--concurrency=${WORKER_CONCURRENCY}`],
				env: { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' },
				ready: `http://127.0.0.1:${healthPort}/healthz/readiness`,
			}),
		),
	]);
	const mainUrl = main.url;
	timings.n8nStart = Date.now() - t;
	log(`n8n main on ${mainUrl} + ${workers.length} workers ready (${seconds(timings.n8nStart)}; pids ${[main, ...workers].map((w) => w.pid).join(', ')})`);

	// the webhooks answer (production webhooks registered by the published workflows), both workers take jobs
	const ctxBase = { fake, db: postgres.db, workers, main, expectId, importedCredentialData };
	for (const wf of used) {
		const registered = async () => (await postgres.db.query('SELECT 1 FROM webhook_entity WHERE "webhookPath" = $1', [wf.path])).rows.length > 0;
		await waitFor(`the production webhook /webhook/${wf.path}`, registered, { timeoutMs: 60000, child: main.child, logFile: main.logFile });
	}
	const warm = await pool(2 * WORKERS * WORKER_CONCURRENCY, 2 * WORKERS * WORKER_CONCURRENCY, () => callWebhook(`${mainUrl}/webhook/${WORKFLOW_3CX.path}`, expectId));
	await settledExecutions(postgres.db, WORKFLOW_3CX.id, 0, warm.length);
	log(`warm-up: ${warm.filter((x) => x.ok).length}/${warm.length} webhook calls answered with the user; executions per worker ${workers.map((w) => w.executions.length).join(' / ')}`);
	if (!warm.some((x) => x.ok)) throw new Error(`the webhook workflow does not work at all: ${warm[0].status} ${warm[0].text}`);

	// ---------------------------------------------------------------- waves
	const rows = [];
	const plan = [];
	for (let i = 1; i <= REPEAT; i++) for (const kind of WAVES) plan.push({ node: '3CX node', kind, index: i, wf: WORKFLOW_3CX });
	if (flag('--http-request-node')) for (let i = 1; i <= HTTP_REPEAT; i++) for (const kind of WAVES) plan.push({ node: 'HTTP Request node', kind, index: i, wf: WORKFLOW_HTTP });
	const problems = [];
	for (const step of plan) {
		if (Date.now() - T0 > BUDGET_MS) {
			problems.push(`time budget of ${seconds(BUDGET_MS)} used up: ${plan.length - rows.length} wave(s) not run`);
			break;
		}
		const row = await runWave({ ...ctxBase, wf: step.wf }, step);
		rows.push(row);
		log(
			`${row.node}, ${WAVE_TITLES[row.kind]} #${row.index}: ${row.succeeded}/${row.requests} ok, tokens ${row.tokens} (expected ${row.expectedTokens}), 401s ${row.unauthorized}, ${seconds(row.wallMs)}, per worker ${row.perWorker.join('/')}` +
				(row.primer && row.primer.tokens ? `, primer fetched ${row.primer.tokens} token(s)` : '') +
				`, n8n CPU ${row.cpuSeconds.reduce((a, b) => a + b, 0).toFixed(1)} s` +
				(row.pass ? '' : '  <-- FAIL'),
		);
		const sampled = Object.values(row.errors).reduce((x, y) => x + y, 0);
		for (const [m, n] of Object.entries(row.errors)) log(`    ${n} of ${sampled} failed executions read: ${m}`);
	}
	timings.waves = rows.reduce((s, x) => s + x.wallMs, 0);
	// issue 18: live calls: one socket on main, executions on the workers
	const live = await liveCase.runLiveCalls({ fake, db: postgres.db, workers, main, log });
	problems.push(...live.problems);

	// ---------------------------------------------------------------- report
	const nodeRows = rows.filter((x) => x.node === '3CX node');
	const perWorkerTotal = workers.map((w) => w.executions.length);
	if (REPEAT < 5) problems.push(`--repeat ${REPEAT}: the pass condition needs every wave at least five times`);
	if (nodeRows.length < REPEAT * WAVES.length) problems.push(`only ${nodeRows.length} of ${REPEAT * WAVES.length} 3CX node waves ran`);
	if (perWorkerTotal.some((n) => n === 0)) problems.push(`a worker ran no execution at all (${perWorkerTotal.join(' / ')}): queue mode was not exercised`);
	for (const x of nodeRows.filter((y) => !y.pass)) problems.push(`3CX node, ${WAVE_TITLES[x.kind]} #${x.index}: ${x.failed} failed, ${x.tokens} token(s) for ${x.expectedTokens} expected`);
	const sections = [];
	for (const node of ['3CX node', 'HTTP Request node']) {
		for (const kind of WAVES) {
			const rs = rows.filter((x) => x.node === node && x.kind === kind);
			if (rs.length) sections.push(`### ${node}: ${WAVE_TITLES[kind]}\n\n${waveTable(rs)}`);
		}
	}
	const env = `n8n ${ENV.E2E_N8N_VERSION}, queue mode (main + ${workers.length} workers, concurrency ${WORKER_CONCURRENCY}), Postgres, Redis; ${REQUESTS} webhook requests per wave, ${CONCURRENCY} at once; ${os.cpus().length} CPU cores`;
	const tables = `${env}\n\n${summaryTable(rows)}\n\n${sections.join('\n\n')}\n`;
	fs.writeFileSync(path.join(ARTIFACTS, 'tables.md'), tables);
	const report = { when: new Date().toISOString(), n8n: ENV.E2E_N8N_VERSION, cpus: os.cpus().length, requests: REQUESTS, concurrency: CONCURRENCY, timings, rows, problems, totalMs: Date.now() - T0 };
	fs.writeFileSync(path.join(ARTIFACTS, 'report.json'), JSON.stringify(report, null, 2));

	console.log(`\n================ n8n-nodes-3cx queue mode ================\n${tables}`);
	const errorLines = [main, ...workers].flatMap((p) => p.errors.map((e) => `${p.name}: ${e}`));
	if (errorLines.length) console.log(`n8n logged ${errorLines.length} error line(s); first: ${errorLines.slice(0, 3).join('\n  ')}`);
	console.log(`timings: package ${seconds(timings.package)} | Redis + Postgres ${seconds(timings.services)} | CLI import + publish ${seconds(timings.import)} | n8n start ${seconds(timings.n8nStart)} | waves ${seconds(timings.waves)} | total ${seconds(Date.now() - T0)}`);
	for (const p of problems) console.log(`PROBLEM: ${p}`);
	console.log(`artifacts: ${ARTIFACTS}`);
	console.log(problems.length ? 'queue mode: FAIL' : 'queue mode: PASS');

	await postgres.db.end().catch(() => {});
	await fake.stop();
	await stopAll();
	return problems.length ? 1 : 0;
}

main()
	.then((code) => process.exit(code))
	.catch(async (e) => {
		console.error('[queue] FAILED:', e && e.stack ? e.stack : e);
		await stopAll();
		process.exit(1);
	});
