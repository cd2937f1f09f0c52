'use strict';
/**
 * Lets plain `node` load the project's TypeScript (the harness in test/helpers, the node's
 * sources) by transpiling on require with the TypeScript compiler the project already has.
 * For scripts such as the bench; the build itself uses tsc through `n8n-node build`.
 */
const fs = require('fs');
const ts = require('typescript');

require.extensions['.ts'] = function compile(module, filename) {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, {
		fileName: filename,
		compilerOptions: {
			module: ts.ModuleKind.CommonJS,
			target: ts.ScriptTarget.ES2021,
			esModuleInterop: true,
			resolveJsonModule: true,
		},
	});
	module._compile(outputText, filename);
};
