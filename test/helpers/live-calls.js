'use strict';
/**
 * What the live-call tests need that n8n's lint rules keep out of .ts test files (globals, timers):
 * - `ensureWebSocket()`: Node 22+ has a global, standard WebSocket (undici) that takes `{ headers }`,
 *   and the trigger uses it. Node 20 (where the unit tests also run) has none, so there the tests
 *   lend it the `ws` package's client (a dev dependency), which takes the same `(url, { headers })`
 *   and speaks the same EventTarget API. Nothing is passed for TLS, so `ws` verifies certificates
 *   the way Node's own WebSocket does. Under `npm run test:node24` Node's own WebSocket is used.
 * Types: from this file's JSDoc.
 */
function ensureWebSocket() {
	if (typeof globalThis.WebSocket === 'function') return 'node';
	globalThis.WebSocket = /** @type {any} */ (require('ws').WebSocket);
	return 'ws';
}

/** Which client the tests use ('node' or 'ws'). */
function webSocketKind() {
	return globalThis.WebSocket && /** @type {unknown} */ (globalThis.WebSocket) === require('ws').WebSocket ? 'ws' : 'node';
}

module.exports = { ensureWebSocket, webSocketKind };
