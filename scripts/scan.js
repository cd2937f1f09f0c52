#!/usr/bin/env node
'use strict';
/**
 * `npm run scan`: n8n's community-package scanner rules on this package before it is published.
 *
 * `npx @n8n/scan-community-package <name>` only scans published packages: it checks the npm
 * provenance attestation, downloads the attested source commit from GitHub and the tarball from npm,
 * then lints both with ESLint (`analyzePackage` in its scanner.mjs). Here the same `analyzePackage`
 * (the scanner itself, a devDependency, not a copy of its rules) lints what those two downloads would
 * be, without the registry:
 *   - source:  this repository's package.json + nodes/ and credentials/ sources (SOURCE_FILE_PATTERNS,
 *              what it lints in the attested source checkout);
 *   - tarball: the output of `npm pack`, unpacked: every .js file and package.json (what it lints in
 *              the downloaded tarball).
 * The provenance check cannot run before publishing; the publish workflow provides it.
 *
 *   npm run scan             human-readable result; exit code 1 when a rule fails
 *   npm run scan -- --json   the result as JSON on stdout (for test/scan.test.ts)
 *   node scripts/scan.js --dir <folder>   lint an unpacked package folder instead, with the
 *                                         tarball patterns (the test proves the rules fire with it)
 *
 * dist/ is built first (npm run build) when it is missing or older than the sources.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { pathToFileURL } = require('node:url');

const REPO = path.resolve(__dirname, '..');
// eslint-plugin-n8n-nodes-base reads NODE_ENV=test (which jest sets) as "the plugin's own test run"
// and then applies its node-file rules to every file; the scanner runs without it.
if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;
const asJson = process.argv.includes('--json');
const dirArg = process.argv.indexOf('--dir') >= 0 ? process.argv[process.argv.indexOf('--dir') + 1] : undefined;
const TARBALL_PATTERNS = ['**/*.js', 'package.json']; // analyzePackageByName's patterns for the tarball
const say = (line) => (asJson ? process.stderr : process.stdout).write(`${line}\n`);

function newest(dir) {
	let latest = 0;
	if (!fs.existsSync(dir)) return latest;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		latest = Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
	}
	return latest;
}

function ensureBuilt() {
	const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
	const outputs = [...(pkg.n8n.nodes || []), ...(pkg.n8n.credentials || [])].map((f) => path.join(REPO, f));
	const sources = Math.max(newest(path.join(REPO, 'nodes')), newest(path.join(REPO, 'credentials')));
	const built = outputs.every((f) => fs.existsSync(f)) ? Math.min(...outputs.map((f) => fs.statSync(f).mtimeMs)) : 0;
	if (built >= sources) return;
	say(`[scan] dist/ is ${built ? 'older than the sources' : 'missing'}: npm run build`);
	const r = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8' });
	if (r.status !== 0) {
		process.stderr.write(`${r.stdout}\n${r.stderr}\n`);
		throw new Error('npm run build failed');
	}
}

/** `npm pack` into a temporary folder, unpacked as the scanner unpacks a downloaded tarball. */
function packAndUnpack(tmp) {
	const r = spawnSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: REPO, encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
	const info = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')))[0];
	const dir = path.join(tmp, 'package');
	fs.mkdirSync(dir);
	const x = spawnSync('tar', ['-xzf', path.join(tmp, info.filename), '-C', dir, '--strip-components=1'], { encoding: 'utf8' });
	if (x.status !== 0) throw new Error(`tar failed: ${x.stderr}`);
	return { dir, tarball: info.filename, files: info.files.length };
}

/** Counts what ESLint will look at, with the scanner's own glob (fast-glob, its ignores). */
function countFiles(glob, dir, patterns) {
	return glob.sync(patterns, { cwd: dir, ignore: ['node_modules/**', '**/package-lock.json'] }).length;
}

async function scan() {
	const scannerDir = path.dirname(require.resolve('@n8n/scan-community-package/package.json', { paths: [REPO] }));
	const scannerVersion = JSON.parse(fs.readFileSync(path.join(scannerDir, 'package.json'), 'utf8')).version;
	// scanner.mjs makes a temporary folder when it loads; let its tmp remove it at exit
	require(require.resolve('tmp', { paths: [scannerDir] })).setGracefulCleanup();
	const glob = require(require.resolve('fast-glob', { paths: [scannerDir] }));
	const scanner = await import(pathToFileURL(path.join(scannerDir, 'scanner', 'scanner.mjs')).href);
	const scannerName = `@n8n/scan-community-package@${scannerVersion}`;
	const analyze = async (name, dir, patterns) => {
		const t = Date.now();
		const files = countFiles(glob, dir, patterns);
		const result = await scanner.analyzePackage(dir, patterns);
		return { leg: name, patterns, files, passed: result.passed === true, message: result.message, details: result.details, ms: Date.now() - t };
	};

	if (dirArg) {
		const result = await analyze('folder', path.resolve(dirArg), TARBALL_PATTERNS);
		return { scanner: scannerName, passed: result.passed, results: [result] };
	}

	ensureBuilt();
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-3cx-scan-'));
	try {
		const packed = packAndUnpack(tmp);
		const results = [await analyze('source', REPO, scanner.SOURCE_FILE_PATTERNS), await analyze('tarball', packed.dir, TARBALL_PATTERNS)];
		return { scanner: scannerName, tarball: packed.tarball, tarballFiles: packed.files, passed: results.every((r) => r.passed), results };
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

scan().then(
	(report) => {
		if (asJson) process.stdout.write(`${JSON.stringify(report)}\n`);
		else {
			console.log(`[scan] ${report.scanner}, lint analysis (the provenance check needs a published version)`);
			for (const r of report.results) {
				console.log(`[scan] ${r.leg}: ${r.files} files (${r.patterns.join(', ')}) ${r.passed ? 'passed' : `FAILED: ${r.message}`} in ${(r.ms / 1000).toFixed(1)} s`);
				if (r.details) console.log(r.details);
			}
			const what = report.tarball ? ` (tarball ${report.tarball}, ${report.tarballFiles} files)` : '';
			console.log(`[scan] ${report.passed ? "passed: n8n's scanner rules find nothing" : 'FAILED'}${what}`);
		}
		process.exit(report.passed ? 0 : 1);
	},
	(error) => {
		console.error(`[scan] could not run: ${error && error.stack ? error.stack : error}`);
		process.exit(2);
	},
);
