'use strict';
/**
 * Timers and process figures for the reliability tests: n8n's community lint rules forbid timers
 * and `process` in .ts files, so the few places that need them call these. Types: timing.d.ts.
 * Nothing here asserts on time; waits are bounded and only order events.
 */

/** Resolves after `ms` milliseconds (an unref'd timer: never keeps jest alive). */
function sleep(ms) {
	return new Promise((resolve) => {
		const timer = setTimeout(resolve, ms);
		if (typeof timer.unref === 'function') timer.unref();
	});
}

/** Polls `predicate` every 5 ms until it is true; rejects after `timeoutMs` (default 10 s). */
async function waitFor(predicate, timeoutMs = 10000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await predicate()) return;
		if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
		await sleep(5);
	}
}

/** Heap and resident memory in bytes (what `npm run bench` reports). */
function memory() {
	const { heapUsed, rss } = process.memoryUsage();
	return { heapUsed, rss };
}

module.exports = { sleep, waitFor, memory };
