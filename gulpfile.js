'use strict';
/**
 * gulp tasks. `gulp generate` regenerates the node's descriptions from an XAPI spec:
 *
 *   npx gulp generate                                  # ../shared/xapi-spec/xapi-20.0.10.yaml
 *   npx gulp generate --spec /path/to/xapi.yaml        # your own 3CX version's spec
 *   npx gulp generate --server https://pbx.example.com # your PBX's spec (THREECX_CLIENT_ID/SECRET)
 *   npx gulp check                                     # fails when the committed output is stale
 *
 * `n8n-node build` compiles and copies icons; `gulp build:icons` is kept for the legacy starter flow.
 */
const path = require('path');
const { src, dest } = require('gulp');
const generator = require('./generator');

function argsAfterTask() {
	const argv = process.argv;
	const out = [];
	for (let i = 0; i < argv.length; i++) {
		if (['--spec', '--out', '--server'].includes(argv[i])) out.push(argv[i], argv[++i]);
		else if (/^--(spec|out|server)=/.test(argv[i]) || argv[i] === '--insecure') out.push(argv[i]);
	}
	return out;
}

async function generate() {
	const code = await generator.main(argsAfterTask());
	if (code) throw new Error('generation failed');
}
generate.description = 'Generate nodes/ThreeCx/generated, __schema__ and nodes/client/generated from an XAPI OpenAPI spec (--spec <file>)';

async function check() {
	const code = await generator.main([...argsAfterTask(), '--check']);
	if (code) throw new Error('generated files are out of date');
}
check.description = 'Check that the committed generated files match the spec';

function buildIcons() {
	return src(path.join('icons', '*.{png,svg}')).pipe(dest(path.join('dist', 'icons')));
}

exports.generate = generate;
exports.check = check;
exports['build:icons'] = buildIcons;
