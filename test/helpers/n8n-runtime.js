'use strict';
/**
 * Runtime plumbing for the RoutingNode harness that `.ts` test files may not do
 * themselves (n8n's community lint rules forbid `require`, Node builtins,
 * `process`, `__dirname` and non-devDependency imports in `.ts`):
 *
 * - DI: n8n-core resolves `Logger`, `InstanceSettings`, `LockService`,
 *   `OutboundHttp`, `BinaryDataService` through `Container` from `@n8n/di`.
 *   n8n-core 2.41.1 ships its OWN nested copies of `@n8n/di` (0.17.0) and
 *   `@n8n/backend-common` (1.41.1) under node_modules/n8n-core/node_modules; the
 *   hoisted top-level `@n8n/di` is 0.16.0, a different module with a different
 *   `Container`. So everything here is resolved from n8n-core's own location.
 * - loading the project's real credential / node classes from
 *   `credentials/` and `nodes/` (which may not exist yet).
 *
 * Types: n8n-runtime.d.ts.
 */

const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');

const ROOT = path.resolve(__dirname, '..', '..');
const CORE_DIR = path.dirname(require.resolve('n8n-core/package.json', { paths: [ROOT] }));

function requireFromCore(id) {
	return require(require.resolve(id, { paths: [CORE_DIR] }));
}

/* ------------------------------------------------------------------ */
/* logger                                                              */
/* ------------------------------------------------------------------ */

/** @typedef {{ level: 'error' | 'warn' | 'info' | 'debug', message: string, metadata?: unknown }} LogEntry */
/** @typedef {{ entries: LogEntry[], error(message: string, metadata?: unknown): void, warn(message: string, metadata?: unknown): void, info(message: string, metadata?: unknown): void, debug(message: string, metadata?: unknown): void, scoped(): RecordingLogger, clear(): void }} RecordingLogger */
/**
 * @typedef {object} N8nRuntime
 * @property {{ get: <T>(type: abstract new (...args: never[]) => T) => T, set: <T>(type: abstract new (...args: never[]) => T, instance: T) => void, has: (type: unknown) => boolean }} Container n8n-core's own DI container
 * @property {RecordingLogger} logger the logger n8n-core sees
 * @property {LogEntry[]} logs everything n8n-core logged since the last logger.clear()
 * @property {unknown} lockService
 * @property {unknown} outboundHttp
 * @property {string} coreDir
 */

/**
 * A silent logger that records what n8n-core logs (e.g. "OAuth2 token ... expired. Revalidating.").
 * @param {LogEntry[]} [entries]
 * @returns {RecordingLogger}
 */
function createRecordingLogger(entries = [], echo = false) {
	const log = (level) => (message, metadata) => {
		entries.push({ level, message: String(message), metadata });
		if (echo) console.log(`[n8n ${level}] ${message}`);
	};
	const logger = {
		entries,
		error: log('error'),
		warn: log('warn'),
		info: log('info'),
		debug: log('debug'),
		scoped: () => logger,
		clear: () => {
			entries.length = 0;
		},
	};
	return logger;
}

/* ------------------------------------------------------------------ */
/* DI container                                                        */
/* ------------------------------------------------------------------ */

let runtime;

/**
 * Prepare n8n-core's DI container once per module registry (= once per jest
 * test file). Idempotent.
 *
 * - `Logger` -> recording silent logger (real one needs GlobalConfig + winston);
 * - `InstanceSettings` -> small stub (the real one reads/creates ~/.n8n/config);
 * - `LockService` (used by the OAuth2 refresh `SingleFlightLease`),
 *   `OutboundHttp` (axios stack) and `BinaryDataService` (in-memory mode
 *   because `init()` is never called) are the REAL classes, built by the container.
 * @returns {N8nRuntime}
 */
function setupN8nRuntime() {
	if (runtime) return runtime;
	const { Container } = requireFromCore('@n8n/di');
	const backendCommon = requireFromCore('@n8n/backend-common');
	const backendNetwork = requireFromCore('@n8n/backend-network');
	const core = require('n8n-core');

	const logEntries = [];
	const logger = createRecordingLogger(logEntries, false);
	Container.set(backendCommon.Logger, logger);

	const n8nFolder = path.join(os.tmpdir(), 'n8n-nodes-3cx-test-n8n-folder');
	Container.set(core.InstanceSettings, {
		instanceId: 'n8n-nodes-3cx-test-instance',
		n8nFolder,
		staticCacheDir: path.join(n8nFolder, 'cache'),
		customExtensionDir: path.join(n8nFolder, 'custom'),
		nodesDownloadDir: path.join(n8nFolder, 'nodes'),
		hmacSignatureSecret: 'n8n-nodes-3cx-test-hmac',
		encryptionKey: 'n8n-nodes-3cx-test-encryption-key',
		instanceType: 'main',
		instanceRole: 'leader',
		isLeader: true,
		isFollower: false,
		isMultiMain: false,
		isDocker: false,
	});

	// Build the real services now so that a misconfiguration fails early and loudly.
	const lockService = Container.get(backendCommon.LockService);
	const outboundHttp = Container.get(backendNetwork.OutboundHttp);

	runtime = {
		Container,
		logger,
		logs: logEntries,
		lockService,
		outboundHttp,
		coreDir: CORE_DIR,
	};
	return runtime;
}

/* ------------------------------------------------------------------ */
/* project files                                                       */
/* ------------------------------------------------------------------ */

const PROJECT_CREDENTIAL = 'credentials/ThreeCxOAuth2Api.credentials';
const PROJECT_NODE = 'nodes/ThreeCx/ThreeCx.node';

function projectFileExists(relativePath) {
	const base = path.join(ROOT, relativePath);
	return [base, `${base}.ts`, `${base}.js`].some((p) => fs.existsSync(p) && fs.statSync(p).isFile());
}

function loadExport(relativePath, exportName) {
	if (!projectFileExists(relativePath)) {
		throw new Error(`Project file ${relativePath}.ts does not exist (yet).`);
	}
	// jest runs this through ts-jest (transform covers every .ts file it requires)
	const mod = require(path.join(ROOT, relativePath));
	const Exported = mod[exportName];
	if (typeof Exported !== 'function') {
		throw new Error(`${relativePath} does not export a class named ${exportName}.`);
	}
	return Exported;
}

/**
 * `new ThreeCxOAuth2Api()` from credentials/ThreeCxOAuth2Api.credentials.ts (throws if missing).
 * @returns {import('n8n-workflow').ICredentialType}
 */
function loadProjectCredentialType() {
	const Cls = loadExport(PROJECT_CREDENTIAL, 'ThreeCxOAuth2Api');
	return new Cls();
}

/**
 * `new ThreeCx()` from nodes/ThreeCx/ThreeCx.node.ts (throws if missing).
 * @returns {import('n8n-workflow').INodeType}
 */
function loadProjectNodeType() {
	const Cls = loadExport(PROJECT_NODE, 'ThreeCx');
	return new Cls();
}

function hasProjectCredential() {
	return projectFileExists(PROJECT_CREDENTIAL);
}

function hasProjectNode() {
	return projectFileExists(PROJECT_NODE);
}

module.exports = {
	setupN8nRuntime,
	createRecordingLogger,
	loadProjectCredentialType,
	loadProjectNodeType,
	hasProjectCredential,
	hasProjectNode,
	projectFileExists,
	PROJECT_ROOT: ROOT,
};
