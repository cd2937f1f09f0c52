'use strict';
/**
 * Part of `npm run bench`: issue 6's load figures. One execution with 1,000 input items through
 * n8n-core's RoutingNode against the local fake 3CX server (each item reads its own user): first
 * with an empty credential (the token is fetched), then again with the token stored, then with 3CX
 * invalidating the token halfway. Prints time, API requests (401s among them), token requests,
 * items answered, and memory.
 *
 * Memory: runs in a child process with --expose-gc, so "before", "holding the output" (the 1,000
 * output items still referenced) and "after" are heap in use after a full GC; "peak" is sampled
 * every 5 ms (the RoutingNode item loop is synchronous, so samples land before and after it, while
 * the requests are in flight) and includes the fake server, which runs in the same process and
 * records every request and answer of the run (emptied before "holding").
 *
 * The test (test/reliability/load.test.ts) asserts the counts; only this prints times.
 */
const { execFileSync } = require('child_process');

const N = 1000;

function mb(bytes) {
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function sampler() {
	const peak = { heapUsed: 0, rss: 0 };
	const sample = () => {
		const m = process.memoryUsage();
		peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
		peak.rss = Math.max(peak.rss, m.rss);
	};
	sample();
	const timer = setInterval(sample, 5);
	return {
		stop() {
			clearInterval(timer);
			sample();
			return peak;
		},
	};
}

function collect() {
	if (global.gc) {
		global.gc();
		global.gc();
	}
	return process.memoryUsage().heapUsed;
}

async function runLoad(row, ThreeCx) {
	const { runNode, xapiCredentials, CredentialStore } = require('../test/helpers/harness.ts');
	const { createXapiServer, json } = require('../simulator');
	const server = createXapiServer();
	await server.start();
	try {
		let answered = 0;
		let revokeAt = 0;
		server.get(/Users\(\d+\)/, (req) => {
			answered += 1;
			if (answered === revokeAt) server.revokeTokens();
			const id = Number(/\((\d+)\)/.exec(req.path)[1]);
			return json({ Id: id, Number: String(100 + id), FirstName: 'Ann', LastName: 'Lee', EmailAddress: `u${id}@example.com` });
		});
		const nodeType = new ThreeCx();
		const parameters = {
			resource: 'users',
			operation: 'getUser',
			userKey: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
		};
		const items = Array.from({ length: N }, (_, i) => ({ json: { id: i + 1 } }));
		// warm up module loading and the expression engine with a few items on a throw-away credential
		await runNode({ parameters, items: items.slice(0, 5), credentials: xapiCredentials(server), nodeType });

		const store = new CredentialStore(xapiCredentials(server));
		/** @type {Array<[string, number]>} */
		const runs = [
			['1,000-item execution, no token stored', 0],
			['1,000-item execution, token stored (next execution)', 0],
			['1,000-item execution, 3CX invalidates the token halfway', N / 2],
		];
		for (const [label, revoke] of runs) {
			answered = 0;
			revokeAt = revoke;
			server.requests.length = 0;
			const before = collect();
			const memory = sampler();
			let result = await runNode({ parameters, items, credentialStore: store, nodeType });
			const peak = memory.stop();
			if (result.error) throw result.error;
			const answeredItems = result.items.filter((i) => !i.error && i.json && i.json.Id !== undefined).length;
			const api = server.apiRequests.length;
			const unauthorized = server.apiRequests.filter((r) => r.response && r.response.status === 401).length;
			const tokens = server.tokenRequestCount;
			server.requests.length = 0;
			const holding = collect();
			const duration = result.durationMs;
			result = undefined;
			const after = collect();
			row(label, `${duration} ms, ${(duration / N).toFixed(2)} ms per item`);
			row('  API requests (401s among them) / token requests', `${api} (${unauthorized}) / ${tokens}`);
			row('  items answered', `${answeredItems} of ${N}`);
			row('  heap: before / peak (with the fake server) / holding the output / after', `${mb(before)} / ${mb(peak.heapUsed)} / ${mb(holding)} / ${mb(after)}`);
			row('  peak RSS of the process', mb(peak.rss));
		}
	} finally {
		await server.stop();
	}
}

/** From bench.js: runs this file in a child process with --expose-gc and prints its rows. */
async function benchLoad() {
	execFileSync(process.execPath, ['--expose-gc', __filename], { stdio: 'inherit' });
}

if (require.main === module) {
	require('./ts-register');
	const { ThreeCx } = require('../nodes/ThreeCx/ThreeCx.node.ts');
	const row = (label, value) => console.log(`${label.padEnd(58)} ${value}`);
	runLoad(row, ThreeCx).then(
		() => process.exit(0),
		(error) => {
			console.error(error);
			process.exit(1);
		},
	);
}

module.exports = { benchLoad };
