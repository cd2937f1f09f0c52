'use strict';
/**
 * Per item, the 3CX node against the floor (issue 16): a 100-item Get through n8n-core's
 * RoutingNode against the simulator, next to a one-property declarative node doing the same GET
 * on the same credential, interleaved in one process (nine rounds, the median of the ratios), in
 * wall time and in this process's CPU time.
 *
 * One process is not enough: V8 compiles n8n-core's parameter walk differently from one process
 * to the next (the same code measured 1.22x to 1.36x in five fresh processes), so `npm run bench`
 * runs this file in three fresh processes and prints each ratio and their median
 * (`perItemAcrossProcesses`). Run alone (`node scripts/bench-per-item.js`) it prints one JSON line.
 */
const { spawnSync } = require('child_process');
const path = require('path');

const ROUNDS = 9;
const ITEMS = 100;

const { median } = require('./bench-stats');

/** A minimal declarative node doing the same GET: what RoutingNode and HTTP cost without our 404 properties. */
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

/** The 100-item Get of both nodes: what to run, on a simulator that answers it. */
async function perItemSetup() {
	require('./ts-register');
	const { ThreeCx } = require('../nodes/ThreeCx/ThreeCx.node.ts');
	const { runNode, xapiCredentials, CredentialStore } = require('../test/helpers/harness.ts');
	const { createXapiServer, json } = require('../simulator');
	const server = createXapiServer();
	await server.start();
	server.get(/Users/, json({ Id: 29, Number: '100', FirstName: 'Ann' }));
	const store = new CredentialStore(xapiCredentials(server));
	const items = Array.from({ length: ITEMS }, (_, i) => ({ json: { i } }));
	const ours = {
		nodeType: new ThreeCx(),
		parameters: { resource: 'users', operation: 'getUser', userKey: { __rl: true, mode: 'id', value: '={{ $json.i + 1 }}' } },
	};
	const floor = { nodeType: minimalNode(), parameters: { Id: '={{ $json.i + 1 }}' } };
	/** One run of `which`: its wall time (n8n's) and this process's CPU time, in ms. */
	const run = async (which) => {
		const before = process.cpuUsage();
		const result = await runNode({ parameters: which.parameters, items, credentialStore: store, nodeType: which.nodeType });
		const used = process.cpuUsage(before);
		if (result.error) throw result.error;
		if (result.items.length !== items.length) throw new Error(`expected ${items.length} items, got ${result.items.length}`);
		return { wall: result.durationMs, cpu: (used.user + used.system) / 1000 };
	};
	return { server, ours, floor, run };
}

/**
 * Nine interleaved rounds (ours, then the floor, back to back, so that a busy machine slows both
 * alike) after three warm-up runs of each; the medians of the per-round ratios. CPU time is this
 * process's (the simulator runs in it, the same for both), which other processes do not disturb.
 */
async function perItemRounds() {
	const { server, ours, floor, run } = await perItemSetup();
	try {
		for (let i = 0; i < 3; i++) {
			await run(ours);
			await run(floor);
		}
		const wall = [];
		const cpu = [];
		for (let round = 0; round < ROUNDS; round++) {
			const a = await run(ours);
			const b = await run(floor);
			wall.push(a.wall / b.wall);
			cpu.push(a.cpu / b.cpu);
		}
		return { wall: median(wall), cpu: median(cpu) };
	} finally {
		await server.stop();
	}
}

/** perItemRounds in `processes` fresh processes of this Node: each one's ratios and the medians. */
function perItemAcrossProcesses(processes = 3) {
	const runs = [];
	for (let i = 0; i < processes; i++) {
		const child = spawnSync(process.execPath, [__filename], { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' });
		const line = (child.stdout || '').trim().split('\n').pop();
		if (child.status !== 0 || !line) throw new Error(`bench-per-item.js failed: ${child.stderr || child.stdout}`);
		runs.push(JSON.parse(line));
	}
	return { runs, wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)) };
}

module.exports = { minimalNode, perItemSetup, perItemRounds, perItemAcrossProcesses };

if (require.main === module) {
	perItemRounds().then(
		(ratios) => {
			console.log(JSON.stringify(ratios));
			process.exit(0);
		},
		(error) => {
			console.error(error);
			process.exit(1);
		},
	);
}
