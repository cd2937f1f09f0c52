/* Types for timing.js (timers and memory figures that .ts test files may not use directly). */
export declare function sleep(ms: number): Promise<void>;
export declare function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<void>;
export declare function memory(): { heapUsed: number; rss: number };
