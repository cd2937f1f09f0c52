'use strict';
/**
 * Part of `npm run bench`: the 3CX Trigger's poll figures, through n8n-core's poll executor
 * (test/helpers/poll-harness.ts) against the simulated 3CX (simulator/, records added with addRecords):
 *
 *   requests per empty poll (event log; call log with 300 calls of the look-back window already seen)
 *   requests and time for a poll that finds 1,000 new calls (the V20 call log: one row per leg),
 *   in pages of 500 after the first 100 (what the trigger does) and in pages of 100
 *   time per empty poll (median of 20)
 *   baseline: n8n's own RSS Feed Trigger (n8n-nodes-base, from the e2e cache when it is there)
 *     polling a local feed through the same executor, median of 20
 *
 * The tests (test/trigger.test.ts) assert the request counts; this prints them with times.
 */
const os = require('os');
const path = require('path');
const fs = require('fs');

const { median } = require('./bench-stats');

function ms(n) {
	return `${n.toFixed(n < 10 ? 2 : 1)} ms`;
}

async function timed(fn) {
	const t = process.hrtime.bigint();
	const result = await fn();
	return { result, ms: Number(process.hrtime.bigint() - t) / 1e6 };
}

/** n8n-nodes-base's RssFeedReadTrigger from the e2e cache (n8n 2.41.1), or undefined. */
function rssTrigger() {
	const cache = process.env.N8N_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-3cx-e2e');
	let file;
	try {
		const dirs = fs.readdirSync(cache).filter((d) => /^n8n-\d/.test(d));
		for (const d of dirs) {
			const candidate = path.join(cache, d, 'node_modules', 'n8n-nodes-base', 'dist', 'nodes', 'RssFeedRead', 'RssFeedReadTrigger.node.js');
			if (fs.existsSync(candidate)) file = candidate;
		}
	} catch {
		return undefined;
	}
	if (!file) return undefined;
	try {
		return new (require(file).RssFeedReadTrigger)();
	} catch {
		return undefined;
	}
}

function rss(items) {
	const entries = items
		.map((i) => `<item><title>Item ${i.id}</title><link>http://127.0.0.1/${i.id}</link><guid>${i.id}</guid><pubDate>${new Date(i.time).toUTCString()}</pubDate></item>`)
		.join('');
	return `<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title><link>http://127.0.0.1/</link><description>b</description>${entries}</channel></rss>`;
}

async function benchPoll({ row }) {
	const { createTriggerHarness } = require('../test/helpers/poll-harness.ts');
	const { xapiCredentials } = require('../test/helpers/harness.ts');
	const { createXapiServer, raw } = require('../simulator');
	// explicit .ts: plain node would find ThreeCxTrigger.node.json (the codex) first
	const { ThreeCxTrigger } = require('../nodes/ThreeCxTrigger/ThreeCxTrigger.node.ts');
	const ours = (parameters) => createTriggerHarness({ parameters, credentials: xapiCredentials(server), nodeType: new ThreeCxTrigger() });
	const server = createXapiServer();
	await server.start();
	try {
		const events = { add: (set, records) => server.addRecords(set, records) };
		const now = () => Date.now();
		let id = 1;
		const log = (time) => ({ Id: id++, TimeGenerated: new Date(time).toISOString(), Type: 'Info', Message: 'x' });
		const count = () => server.apiRequests.length;

		// event log: empty polls
		const logs = ours({ event: 'newEventLogEntry' });
		events.add('EventLogs', [log(now() - 5000), log(now() - 1000)]);
		await logs.activate();
		await logs.tick();
		let before = count();
		const emptyTimes = [];
		for (let i = 0; i < 20; i++) {
			const tick = await timed(() => logs.tick());
			if (tick.result.error) throw tick.result.error;
			emptyTimes.push(tick.ms);
		}
		row('3CX Trigger: requests per empty poll (New Event Log Entry)', (count() - before) / 20);
		row('3CX Trigger: time per empty poll (median of 20)', ms(median(emptyTimes)));

		// call log as live V20 servers send it (one row per leg: simulator/call-log.js): 300 calls of
		// the look-back hour already seen, then 1,000 new calls (1,333 legs), read in pages of 500 after
		// the first 100 (the call log function takes $top above 100), and again in pages of 100
		const { eventByValue } = require('../nodes/ThreeCxTrigger/events.ts');
		const callEnded = eventByValue('callEnded');
		const pageSize = callEnded.pageSize;
		server.placeCall('burst', { count: 300, at: now() - 50 * 60_000 });
		const calls = ours({ event: 'callEnded' });
		await calls.activate();
		await calls.tick();
		before = count();
		for (let i = 0; i < 5; i++) await calls.tick();
		row('3CX Trigger: requests per empty poll (Call Ended, 300 calls / 400 legs in the look-back window)', (count() - before) / 5);
		for (const size of [pageSize, 100]) {
			callEnded.pageSize = size;
			// the same log for both: 300 calls already seen, then 1,000 new ones
			server.resetData();
			server.placeCall('burst', { count: 300, at: now() - 50 * 60_000 });
			const t = ours({ event: 'callEnded' });
			await t.activate();
			await t.tick();
			server.placeCall('burst', { count: 1000, at: now() - 10 * 60_000 });
			before = count();
			const burst = await timed(() => t.tick());
			if (!burst.result.items || burst.result.items.length !== 1000) throw new Error(`expected 1,000 items, got ${burst.result.items ? burst.result.items.length : 0}`);
			row(`3CX Trigger: requests for a poll with 1,000 new calls (pages of ${size} after the first 100)`, count() - before);
			row(`3CX Trigger: time for that poll (1,000 items, pages of ${size})`, ms(burst.ms));
		}
		callEnded.pageSize = pageSize;

		// baseline: n8n's own polling trigger through the same executor
		const rssNode = rssTrigger();
		if (!rssNode) {
			row("baseline: n8n's RSS Feed Trigger, empty poll", 'skipped (no n8n-nodes-base in the e2e cache: bash e2e/install-n8n.sh)');
		} else {
			const feed = [1, 2, 3].map((n) => ({ id: n, time: now() - n * 60_000 }));
			server.route('GET', '/feed.xml', () => raw(rss(feed), 'application/rss+xml'), { auth: false });
			const t = createTriggerHarness({
				parameters: { feedUrl: `${server.baseUrl}/feed.xml` },
				nodeType: rssNode,
				nodeTypeName: 'n8n-nodes-base.rssFeedReadTrigger',
			});
			await t.activate();
			await t.tick();
			const times = [];
			for (let i = 0; i < 20; i++) {
				const tick = await timed(() => t.tick());
				if (tick.result.error) throw tick.result.error;
				times.push(tick.ms);
			}
			row("baseline: n8n's RSS Feed Trigger, empty poll of a local feed (median of 20)", ms(median(times)));
		}
	} finally {
		await server.stop();
	}
}

module.exports = { benchPoll };
