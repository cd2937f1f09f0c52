'use strict';
/**
 * Helpers for the CRM tests (Node builtins are not allowed in .ts test files):
 * the public template fixtures, and a small recording HTTP server that plays a CRM (or n8n).
 * Types: crm.d.ts.
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'crm');

/** @param {string} name file name under test/fixtures/crm/ */
function readCrmFixture(name) {
	return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** @typedef {{ method: string, url: string, headers: Record<string, string | string[] | undefined>, body: string }} RecordedRequest */
/** @typedef {{ status?: number, json?: unknown, text?: string, delayMs?: number }} CrmAnswer */
/** @typedef {{ url: string, requests: RecordedRequest[], close(): Promise<void> }} CrmServer */
/** @typedef {{ url: string, close(): Promise<void> }} WebhookServer */

/**
 * A server on 127.0.0.1 that records each request and answers with `handler(request)`.
 * @param {(r: RecordedRequest) => CrmAnswer | Promise<CrmAnswer>} handler
 * @returns {Promise<CrmServer>}
 */
async function startCrmServer(handler) {
	/** @type {RecordedRequest[]} */
	const requests = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', async () => {
			const r = { method: req.method || 'GET', url: req.url || '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
			requests.push(r);
			const a = await handler(r);
			if (a.delayMs) await new Promise((resolve) => setTimeout(resolve, a.delayMs));
			if (res.destroyed) return;
			const body = a.json !== undefined ? JSON.stringify(a.json) : (a.text ?? '');
			res.writeHead(a.status ?? 200, { 'content-type': a.json !== undefined ? 'application/json' : 'text/plain' });
			res.end(body);
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	return {
		url: `http://127.0.0.1:${address.port}`,
		requests,
		close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve(undefined)); }),
	};
}

/** The sample template in the repository (docs/crm-template.sample.xml). */
function readSampleTemplate() {
	return fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'crm-template.sample.xml'), 'utf8');
}

/** Write the sample template (only when asked: UPDATE_CRM_SAMPLE=1). */
function writeSampleTemplate(xml) {
	fs.writeFileSync(path.join(__dirname, '..', '..', 'docs', 'crm-template.sample.xml'), xml);
}

/**
 * An HTTP server on 127.0.0.1 that hands each request to `handler` with express-like `req`/`res`
 * (what n8n's webhook server gives a node): `req.body` parsed from JSON, `res.status()`,
 * `res.json()`, `res.setHeader()`, `res.end()`. Counts what it answered.
 * @param {(req: any, res: any) => Promise<void>} handler
 * @returns {Promise<WebhookServer>}
 */
async function startWebhookServer(handler) {
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', async () => {
			const text = Buffer.concat(chunks).toString('utf8');
			const url = new URL(req.url || '/', 'http://127.0.0.1');
			let body = {};
			if (text && String(req.headers['content-type'] || '').includes('json')) {
				try {
					body = JSON.parse(text);
				} catch {
					body = {};
				}
			}
			Object.assign(req, { body, query: Object.fromEntries(url.searchParams), params: {} });
			Object.assign(res, {
				status(code) {
					res.statusCode = code;
					return res;
				},
				json(obj) {
					if (!res.headersSent) res.setHeader('content-type', 'application/json; charset=utf-8');
					res.end(JSON.stringify(obj));
					return res;
				},
				send(data) {
					res.end(typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data));
					return res;
				},
			});
			try {
				await handler(req, res);
			} catch (e) {
				if (!res.headersSent) {
					res.statusCode = 500;
					res.end(JSON.stringify({ message: 'Error in workflow' }));
				}
			}
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	return {
		url: `http://127.0.0.1:${address.port}`,
		close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve(undefined)); }),
	};
}

module.exports = { startWebhookServer, readCrmFixture, startCrmServer, readSampleTemplate, writeSampleTemplate, updateSample: process.env.UPDATE_CRM_SAMPLE === '1' };
