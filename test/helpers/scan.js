'use strict';
/**
 * Runs scripts/scan.js (n8n's scanner rules, see there) in a child process and reads its JSON
 * report; makes a small package that breaks some of those rules, to prove they fire. CommonJS
 * because it needs child_process, fs and os (n8n's lint rules keep them out of test .ts files).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const REPO = path.resolve(__dirname, '..', '..');

/**
 * @typedef {{ leg: 'source' | 'tarball' | 'folder', patterns: string[], files: number, passed: boolean, message?: string, details?: string, ms: number }} ScanLeg
 * @typedef {{ scanner: string, tarball?: string, tarballFiles?: number, passed: boolean, results: ScanLeg[] }} ScanReport
 */

/**
 * Runs scripts/scan.js --json with `args`.
 * @param {string[]} [args]
 * @returns {{ status: number | null, report: ScanReport | undefined, stderr: string }}
 */
function runScan(args = []) {
	const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'scan.js'), '--json', ...args], {
		cwd: REPO,
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
	});
	const last = r.stdout.trim().split('\n').pop() || '';
	let report;
	try {
		report = JSON.parse(last);
	} catch {
		report = undefined;
	}
	return { status: r.status, report, stderr: r.stderr };
}

/** An unpacked package with a runtime dependency, a child_process import, console, process and eval. */
function makeRuleBreakingPackage() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-3cx-scan-bad-'));
	fs.mkdirSync(path.join(dir, 'dist', 'nodes'), { recursive: true });
	fs.writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify({
			name: 'n8n-nodes-rule-breaker',
			version: '0.0.1',
			description: 'Breaks n8n scanner rules on purpose',
			license: 'MIT',
			homepage: 'https://example.invalid',
			keywords: ['n8n-community-node-package'],
			author: { name: 'Test', email: 'test@example.invalid' },
			files: ['dist'],
			n8n: { n8nNodesApiVersion: 1, nodes: ['dist/nodes/Breaker.node.js'] },
			dependencies: { 'left-pad': '1.3.0' },
			peerDependencies: { 'n8n-workflow': '*' },
		}),
	);
	fs.writeFileSync(
		path.join(dir, 'dist', 'nodes', 'Breaker.node.js'),
		"const cp = require('child_process');\nconsole.log(process.env.HOME, cp);\nmodule.exports = { run: () => eval('1 + 1') };\n",
	);
	return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

module.exports = { runScan, makeRuleBreakingPackage };
