/**
 * Jest for n8n-nodes-3cx.
 *
 * - ts-jest with full type-checking (language service) against test/tsconfig.json
 *   (a type error fails the test file).
 * - Test helpers that need Node builtins, `process` or timers are CommonJS .js
 *   files (n8n's community lint rules forbid them in .ts files); their types come
 *   from their JSDoc (allowJs in test/tsconfig.json; npm run typecheck checks them).
 * - n8n-core is loaded per test file (~2-4 s on a cold cache), hence the timeout.
 *
 * Binary responses: n8n-core's `prepareBinaryData(buffer)` without a MIME type
 * does `await import('file-type')`, which jest only supports when node runs with
 * `--experimental-vm-modules` (e.g. `NODE_OPTIONS=--experimental-vm-modules jest`).
 */
/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	moduleFileExtensions: ['ts', 'js', 'json'],
	testTimeout: 30_000,
	// Without 3CX's spec, one line says which tests skip and how to enable them.
	globalSetup: '<rootDir>/test/helpers/global-setup.js',
	transform: {
		'^.+\\.ts$': [
			'ts-jest',
			{
				tsconfig: '<rootDir>/test/tsconfig.json',
			},
		],
	},
};
