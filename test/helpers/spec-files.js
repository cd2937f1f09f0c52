'use strict';
/**
 * File-system access for tests (n8n's lint rules keep Node builtins out of .ts test files):
 * the generator run against the shared spec, the committed generated files, and a list of the
 * spec's operations read independently of the generator, with the YAML library.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const YAML = require('yaml');

const ROOT = path.resolve(__dirname, '..', '..');
const SPEC = path.resolve(ROOT, '..', 'shared', 'xapi-spec', 'xapi-20.0.10.yaml');
const NODE_DIR = path.join(ROOT, 'nodes', 'ThreeCx');

function specAvailable() {
	return fs.existsSync(SPEC);
}

/** The generator's folders below dir ('generated', '__schema__'): relative path -> content. */
function readDir(dir) {
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
	walk('generated');
	walk('__schema__');
	return out;
}

/**
 * Runs the generator's command line (as `npm run generate` does) into a temporary folder and
 * returns what it wrote. A child process, because the OpenAPI parser is an ES module that jest's
 * module system does not load.
 */
async function regenerate(specPath = SPEC) {
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'generated-'));
	const log = execFileSync(process.execPath, [path.join(ROOT, 'generator'), '--spec', specPath, '--out', out], {
		encoding: 'utf8',
	});
	const match = /(\d+) resources, (\d+) operations/.exec(log);
	const files = readDir(out);
	fs.rmSync(out, { recursive: true, force: true });
	return { files, resourceCount: Number(match[1]), operationCount: Number(match[2]) };
}

function committedFiles() {
	return readDir(NODE_DIR);
}

/** Every operation of the spec as [tag, operationId, METHOD, path], read with the yaml package. */
function specOperations(specPath = SPEC) {
	const doc = YAML.parse(fs.readFileSync(specPath, 'utf8'), { maxAliasCount: -1 });
	const ops = [];
	for (const [p, item] of Object.entries(doc.paths)) {
		for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
			if (item[method]) ops.push([(item[method].tags || ['Other'])[0], item[method].operationId, method.toUpperCase(), p]);
		}
	}
	return ops;
}

/** Writes a spec document (an object) to a temporary YAML file and returns its path. */
function writeTempSpec(doc) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xapi-spec-'));
	const file = path.join(dir, 'xapi-test.yaml');
	fs.writeFileSync(file, YAML.stringify(doc));
	return file;
}

module.exports = { ROOT, SPEC, specAvailable, regenerate, committedFiles, specOperations, writeTempSpec };
