/* Types for live-calls.js. */
/** Lends Node 20 the `ws` client as the global WebSocket when Node has none; says which is used. */
export declare function ensureWebSocket(): 'node' | 'ws';
export declare function webSocketKind(): 'node' | 'ws';
