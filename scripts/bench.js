'use strict';
/**
 * npm run bench: size and speed of the 3CX node, printed as figures.
 *
 *   description JSON bytes (and gzip), top-level properties, distinct property names
 *   module load time of the built node (fresh process, median of 5)
 *   NodeHelpers.getNodeParameters per call for five representative operations
 *     (what the editor runs on every change and the engine per item)
 *   per-item time of a 100-item execution through n8n-core's RoutingNode against a local server
 *   1,000 items in one execution: time, API and token requests, peak memory (bench-load.js)
 *
 * Budgets that are tests (300 KB, 400 properties) live in test/description.test.ts; this only prints.
 */
const { execFileSync } = require('child_process');
const path = require('path');
const zlib = require('zlib');

require('./ts-register');
const { benchDownload } = require('./bench-download');
const { benchLoad } = require('./bench-load');

const ROOT = path.resolve(__dirname, '..');
const DIST_NODE = path.join(ROOT, 'dist', 'nodes', 'ThreeCx', 'ThreeCx.node.js');

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

function ms(n) {
	return `${n.toFixed(n < 10 ? 3 : 1)} ms`;
}

function row(label, value) {
	console.log(`${label.padEnd(58)} ${value}`);
}

function descriptionFigures(description) {
	const json = JSON.stringify(description);
	const names = new Set(description.properties.map((p) => p.name));
	row('description JSON', `${Buffer.byteLength(json)} bytes (${(Buffer.byteLength(json) / 1024).toFixed(1)} KB)`);
	row('description JSON, gzip', `${zlib.gzipSync(json).length} bytes`);
	row('top-level properties', description.properties.length);
	row('distinct top-level property names', names.size);
	const ops = description.properties
		.filter((p) => p.name === 'operation')
		.reduce((n, p) => n + p.options.length, 0);
	row('resources / operations', `${description.properties[0].options.length} / ${ops}`);
}

/** Milliseconds to require `file` in a fresh process after n8n-workflow (n8n has it loaded already). */
function loadTime() {
	const script =
		"require('n8n-workflow');const t=process.hrtime.bigint();" +
		`require(${JSON.stringify(DIST_NODE)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
	const runs = Array.from({ length: 5 }, () =>
		Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: ROOT })),
	);
	row('module load of the built node, n8n-workflow preloaded (median of 5)', ms(median(runs)));
}

const SAMPLES = {
	'users / listUser (Get Many, options)': {
		resource: 'users',
		operation: 'listUser',
		limit: 20,
		queryOptions: { filter: "Number eq '100'", select: 'Id,Number' },
	},
	'users / getUser (Get by ID)': { resource: 'users', operation: 'getUser', userKey: { __rl: true, mode: 'id', value: '29' } },
	'users / updateUser (3 fields)': {
		resource: 'users',
		operation: 'updateUser',
		userKey: { __rl: true, mode: 'list', value: '29' },
		userFields: { FirstName: 'Ann', LastName: 'Lee', Require2FA: true },
	},
	'reportCallLogData / getCallLogData (11 parameters)': {
		resource: 'reportCallLogData',
		operation: 'getCallLogData',
		periodFrom: '2025-01-01T00:00:00Z',
		periodTo: '2025-01-31T00:00:00Z',
		hidePcalls: true,
	},
	'activeCalls / dropCall (action)': { resource: 'activeCalls', operation: 'dropCall', Id: 5 },
};

function parameterResolution(description) {
	const { NodeHelpers } = require('n8n-workflow');
	const node = { typeVersion: 1 };
	for (const [label, values] of Object.entries(SAMPLES)) {
		const call = () => NodeHelpers.getNodeParameters(description.properties, values, true, false, node, description);
		for (let i = 0; i < 20; i++) call();
		const n = 200;
		const t = process.hrtime.bigint();
		for (let i = 0; i < n; i++) call();
		row(`getNodeParameters ${label}`, `${ms(Number(process.hrtime.bigint() - t) / 1e6 / n)} per call`);
	}
}

/** A minimal declarative node doing the same GET: what RoutingNode and HTTP cost without our 346 properties. */
function minimalNode() {
	return {
		description: {
			displayName: 'Minimal',
			name: 'minimal',
			group: ['transform'],
			version: 1,
			description: 'Baseline for the bench',
			defaults: { name: 'Minimal' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'threeCxOAuth2Api', required: true }],
			requestDefaults: { baseURL: '={{ $credentials.baseUrl }}/xapi/v1', headers: { Accept: 'application/json' } },
			properties: [
				{
					displayName: 'ID',
					name: 'Id',
					type: 'number',
					default: 0,
					routing: { request: { method: 'GET', url: '=/Users({{ $value }})' } },
				},
			],
		},
	};
}

async function timeRuns(runNode, store, nodeType, parameters, items, server) {
	await runNode({ parameters, items: items.slice(0, 5), credentialStore: store, nodeType });
	const times = [];
	let requests = 0;
	let tokens = 0;
	for (let r = 0; r < 3; r++) {
		const before = [server.apiRequests.length, server.tokenRequests.length];
		const result = await runNode({ parameters, items, credentialStore: store, nodeType });
		if (result.error) throw result.error;
		if (result.items.length !== items.length) throw new Error(`expected ${items.length} items, got ${result.items.length}`);
		times.push(result.durationMs);
		requests = server.apiRequests.length - before[0];
		tokens = server.tokenRequests.length - before[1];
	}
	return { time: median(times), requests, tokens };
}

async function execution(ThreeCx) {
	const { runNode, xapiCredentials, CredentialStore } = require('../test/helpers/harness.ts');
	const { createXapiServer, json } = require('../test/helpers/xapi-server.js');
	const server = createXapiServer();
	await server.start();
	try {
		server.get(/Users/, json({ Id: 29, Number: '100', FirstName: 'Ann' }));
		const store = new CredentialStore(xapiCredentials(server));
		const items = Array.from({ length: 100 }, (_, i) => ({ json: { i } }));
		const parameters = {
			resource: 'users',
			operation: 'getUser',
			userKey: { __rl: true, mode: 'id', value: '={{ $json.i + 1 }}' },
		};
		const ours = await timeRuns(runNode, store, new ThreeCx(), parameters, items, server);
		row('100-item execution through RoutingNode (median of 3)', `${ms(ours.time)} total, ${ms(ours.time / 100)} per item`);
		row('  API requests / token requests in the last run', `${ours.requests} / ${ours.tokens}`);
		const base = await timeRuns(runNode, store, minimalNode(), { Id: '={{ $json.i + 1 }}' }, items, server);
		row('  baseline: a one-property declarative node, same GET', `${ms(base.time)} total, ${ms(base.time / 100)} per item`);
	} finally {
		await server.stop();
	}
}

async function main() {
	const started = Date.now();
	const { ThreeCx } = require('../nodes/ThreeCx/ThreeCx.node.ts');
	const description = new ThreeCx().description;
	console.log(`n8n-nodes-3cx bench (node ${process.version})`);
	descriptionFigures(description);
	loadTime();
	parameterResolution(description);
	await execution(ThreeCx);
	await benchDownload({ row, ThreeCx });
	// issue 6: 1,000 items in one execution (time, requests, tokens, peak memory)
	await benchLoad();
	console.log(`bench took ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
