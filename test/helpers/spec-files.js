'use strict';
/**
 * File-system access for tests (n8n's lint rules keep Node builtins out of .ts test files):
 * the generator run against the spec, the committed generated files, and facts of the spec read
 * independently of the generator, with the YAML library.
 *
 * The spec is where the one spec locator says (generator/spec-location.js: XAPI_SPEC, else
 * ../shared/xapi-spec/xapi-20.0.10.yaml beside the repository), for the generator, the simulator
 * and the tests alike. Nothing here reads it when a test file is loaded, only when a test runs;
 * without it, the tests that need it skip (test/helpers/global-setup.js says so in one line). A
 * spec named in XAPI_SPEC must exist: then its absence fails instead of skipping.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFile, execFileSync } = require('child_process');
const YAML = require('yaml');

const ROOT = path.resolve(__dirname, '..', '..');
const { SPEC_ENV, specLocation, specAvailable } = require('../../generator/spec-location');
const SPEC = specLocation().file;
const { DEFAULT_OUT, OWNED } = require('../../generator/layout');

/** The one line that says what is skipped without the spec and how to enable it. */
function specSkipLine() {
	return (
		`Skipped: the tests that need 3CX's XAPI spec (generated files equal the generator's output, every spec ` +
		`operation is in the node, spec-derived expectations): no spec at ${SPEC}. Put the spec there or set ` +
		`${SPEC_ENV}=<file> (npm run generate -- --server <url> fetches a PBX's spec).`
	);
}

/**
 * The generated node as the rename report reads it: the runtime table and the properties.
 * @typedef {object} GeneratedNode
 * @property {Record<string, { resource: string, method: string, path: string, params: Array<[string, string, string, number]>, body?: { collection: string } | { params: Array<[string, string, string, number]> }, query?: Array<[string, string, string, number]>, options?: string, [key: string]: unknown }>} operations
 * @property {Array<{ name: string, type: string, options?: Array<{ name: string, value?: unknown }>, displayOptions?: { show?: Record<string, unknown[]> } }>} properties
 */

/**
 * The generator's folders below dir (generator/layout.js OWNED): relative path -> content.
 * @param {string} dir
 * @returns {Record<string, string>}
 */
function readDir(dir) {
	/** @type {Record<string, string>} */
	const out = {};
	const walk = (sub) => {
		const full = path.join(dir, sub);
		if (!fs.existsSync(full)) return;
		for (const entry of fs.readdirSync(full, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
			const rel = sub ? `${sub}/${entry.name}` : entry.name;
			if (entry.isDirectory()) walk(rel);
			else out[rel] = fs.readFileSync(path.join(dir, rel), 'utf8');
		}
	};
	for (const owned of OWNED) walk(owned);
	return out;
}

/**
 * Runs the generator's command line (as `npm run generate` does) into a temporary folder and
 * returns what it wrote. A child process, because the OpenAPI parser is an ES module that jest's
 * module system does not load.
 * @returns {Promise<{ files: Record<string, string>, log: string, operationCount: number, resourceCount: number }>}
 */
async function regenerate(specPath = SPEC) {
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'generated-'));
	const log = execFileSync(process.execPath, [path.join(ROOT, 'generator'), '--spec', specPath, '--out', out], {
		encoding: 'utf8',
	});
	const match = /(\d+) resources, (\d+) operations/.exec(log);
	const files = readDir(out);
	fs.rmSync(out, { recursive: true, force: true });
	return { files, log, resourceCount: Number(match[1]), operationCount: Number(match[2]) };
}

/** @returns {Record<string, string>} */
function committedFiles() {
	return readDir(DEFAULT_OUT);
}

const parsed = new Map();

/** Temporary folders made here, removed when the test process ends. */
const temporary = [];

/** Removes the temporary folders made so far (call it in afterAll). */
function removeTemporary() {
	for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The spec document, parsed with the yaml package (once per file and test process). */
/** @returns {any} */
function specDocument(specPath = SPEC) {
	if (!parsed.has(specPath)) parsed.set(specPath, YAML.parse(fs.readFileSync(specPath, 'utf8'), { maxAliasCount: -1 }));
	return parsed.get(specPath);
}

/** Entity sets with a `GET /Set(Number={Number})` alternate-key read in the spec. */
function alternateKeySets(specPath = SPEC) {
	return Object.entries(specDocument(specPath).paths)
		.filter(([p, item]) => item.get && /^\/[A-Za-z0-9]+\(Number=\{Number\}\)$/.test(p))
		.map(([p]) => p.slice(1, p.indexOf('(')))
		.sort();
}

/** Every operation of the spec as [tag, operationId, METHOD, path], read with the yaml package. */
/** @returns {Array<[tag: string, operationId: string, method: string, path: string]>} */
function specOperations(specPath = SPEC) {
	const doc = specDocument(specPath);
	/** @type {Array<[tag: string, operationId: string, method: string, path: string]>} */
	const ops = [];
	for (const [p, item] of Object.entries(doc.paths)) {
		for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
			if (item[method]) ops.push([(item[method].tags || ['Other'])[0], item[method].operationId, method.toUpperCase(), p]);
		}
	}
	return ops;
}

/** Writes a spec document (an object) to a temporary YAML file and returns its path. */
/**
 * @param {object} doc
 * @param {string} [name]
 */
function writeTempSpec(doc, name = 'xapi-test.yaml') {
	const dir = tempDir('xapi-spec-');
	const file = path.join(dir, name);
	// JSON is YAML too, and quick to write for a copy of the whole spec.
	fs.writeFileSync(file, JSON.stringify(doc));
	return file;
}

/** The operations the generator adds to the spec's (generator/extras.js) whose resource the spec has. */
function extraOperations(specPath = SPEC) {
	const tags = new Set(specOperations(specPath).map(([tag]) => tag));
	const { EXTRA_OPERATIONS } = require(path.join(ROOT, 'generator', 'extras'));
	return EXTRA_OPERATIONS.filter((x) => tags.has(x.tag)).map((x) => x.operationId[0].toLowerCase() + x.operationId.slice(1)).sort();
}

/** A deep copy of the spec document, to modify in a test (never written into the repository). */
/** @returns {any} */
function specCopy(specPath = SPEC) {
	return structuredClone(specDocument(specPath));
}

/** The generated node of files ({ operations, properties }), read as the rename report reads it. */
/**
 * @param {Record<string, string>} files
 * @returns {GeneratedNode}
 */
function nodeOf(files) {
	return require(path.join(ROOT, 'generator', 'report')).readGenerated(files);
}

/** The rename report between two generated nodes, as lines. */
/**
 * @param {Record<string, string>} beforeFiles
 * @param {Record<string, string>} afterFiles
 * @returns {string[]}
 */
function renameReport(beforeFiles, afterFiles) {
	const report = require(path.join(ROOT, 'generator', 'report'));
	return report.formatReport(report.compare(nodeOf(beforeFiles), nodeOf(afterFiles)));
}

/**
 * Runs the generator's command line asynchronously (a local server in this process can answer
 * it). Resolves { code, stdout, stderr }.
 */
/**
 * @param {string[]} args
 * @param {Record<string, string>} [env]
 * @param {string} [script]
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
function runGenerator(args, env = {}, script = path.join(ROOT, 'generator')) {
	return new Promise((resolve) => {
		execFile(
			process.execPath,
			[script, ...args],
			{ encoding: 'utf8', env: { ...process.env, XAPI_SPEC: '', ...env }, timeout: 120000 },
			(error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
		);
	});
}

/** A temporary folder, and the generated files in it. */
function tempDir(prefix = 'generated-') {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	temporary.push(dir);
	return dir;
}

/** @param {string} dir */
function readGeneratedDir(dir) {
	return readDir(dir);
}

/**
 * A copy of the generator in a temporary repository with no ../shared beside it (a fresh clone),
 * sharing this repository's node_modules. Returns the path of its generator folder.
 */
function generatorWithoutSpec() {
	const repo = path.join(tempDir('fresh-clone-'), 'repo');
	fs.mkdirSync(path.join(repo, 'nodes', 'ThreeCx'), { recursive: true });
	fs.cpSync(path.join(ROOT, 'generator'), path.join(repo, 'generator'), { recursive: true });
	fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(repo, 'node_modules'), 'dir');
	return path.join(repo, 'generator');
}

module.exports = {
	ROOT,
	SPEC,
	specAvailable,
	specSkipLine,
	regenerate,
	committedFiles,
	specOperations,
	specDocument,
	alternateKeySets,
	extraOperations,
	specCopy,
	writeTempSpec,
	nodeOf,
	renameReport,
	runGenerator,
	tempDir,
	readGeneratedDir,
	generatorWithoutSpec,
	removeTemporary,
};
