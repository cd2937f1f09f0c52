'use strict';
/**
 * Part of `npm run bench`: peak memory of the node while it downloads a 50 MB recording through
 * n8n-core's RoutingNode (raw bytes in, n8n binary data out), sampled every 5 ms.
 */
const SIZE = 50 * 1024 * 1024;

function mb(bytes) {
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function benchDownload({ row, ThreeCx }) {
	const { runNode, xapiCredentials, CredentialStore } = require('../test/helpers/harness.ts');
	const { createXapiServer, binary } = require('../simulator');
	const server = createXapiServer();
	await server.start();
	const payload = Buffer.alloc(SIZE, 7);
	try {
		server.get(/DownloadRecording/, binary(payload, 'audio/wav', { filename: 'big.wav' }));
		const store = new CredentialStore(xapiCredentials(server));
		const nodeType = new ThreeCx();
		const parameters = { resource: 'recordings', operation: 'downloadRecording', recId: 1 };
		// warm up with a small file so module loading is not counted
		server.get(/DownloadRecording/, binary(Buffer.alloc(1024), 'audio/wav', { filename: 'small.wav' }), { times: 1 });
		await runNode({ parameters, credentialStore: store, nodeType });
		if (global.gc) global.gc();
		const base = process.memoryUsage();
		let peakRss = base.rss;
		let peakExternal = base.external + base.arrayBuffers;
		let peakHeap = base.heapUsed;
		const timer = setInterval(() => {
			const m = process.memoryUsage();
			peakRss = Math.max(peakRss, m.rss);
			peakExternal = Math.max(peakExternal, m.external + m.arrayBuffers);
			peakHeap = Math.max(peakHeap, m.heapUsed);
		}, 5);
		const started = Date.now();
		const result = await runNode({ parameters, credentialStore: store, nodeType });
		const took = Date.now() - started;
		clearInterval(timer);
		if (result.error) throw result.error;
		const file = result.items[0].binary.data;
		row('50 MB download (recording) through RoutingNode', `${took} ms, file ${mb(Number(result.items[0].json.fileSize))}`);
		row('  peak RSS above the start', mb(peakRss - base.rss));
		row('  peak heap / external+ArrayBuffer above the start', `${mb(peakHeap - base.heapUsed)} / ${mb(peakExternal - base.external - base.arrayBuffers)}`);
		row('  binary data kept by n8n (in-memory mode: base64)', mb(Buffer.byteLength(file.data ?? '')));
	} finally {
		await server.stop();
	}
}

module.exports = { benchDownload };
