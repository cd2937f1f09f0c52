'use strict';
/**
 * The generator: reads an XAPI OpenAPI spec and writes the 3CX node's generated descriptions.
 *
 *   node generator [--spec <path to xapi yaml>] [--out <dir>] [--check]
 *
 * --check writes nothing and exits 1 when the files on disk differ from what the spec gives.
 */
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { loadSpec } = require('./spec');
const { buildModel } = require('./model');
const { emitDescription, emitOperations } = require('./emit');

const ROOT = path.resolve(__dirname, '..');
const DEFAULT_SPEC = path.resolve(ROOT, '..', 'shared', 'xapi-spec', 'xapi-20.0.10.yaml');
const DEFAULT_OUT = path.join(ROOT, 'nodes', 'ThreeCx', 'generated');

/** Returns { files: { relativeName: content }, model } for the spec at specPath. */
async function generate(specPath = DEFAULT_SPEC) {
	const absolute = path.resolve(specPath);
	if (!fs.existsSync(absolute)) throw new Error(`Spec file not found: ${absolute}`);
	const spec = await loadSpec(absolute);
	const model = buildModel(spec);
	const source = {
		file: path.basename(absolute),
		title: (spec.api.info && spec.api.info.title) || 'OpenAPI',
		version: (spec.api.info && spec.api.info.version) || '',
		sha256: crypto.createHash('sha256').update(fs.readFileSync(absolute)).digest('hex'),
	};
	return {
		model,
		files: {
			'description.ts': emitDescription(model, source),
			'operations.ts': emitOperations(model, source),
		},
	};
}

function writeFiles(files, outDir) {
	fs.mkdirSync(outDir, { recursive: true });
	for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(outDir, name), content);
}

function differences(files, outDir) {
	return Object.entries(files)
		.filter(([name, content]) => {
			const file = path.join(outDir, name);
			return !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== content;
		})
		.map(([name]) => name);
}

function parseArgs(argv) {
	const args = { spec: process.env.XAPI_SPEC || DEFAULT_SPEC, out: DEFAULT_OUT, check: false };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--spec') args.spec = argv[++i];
		else if (a.startsWith('--spec=')) args.spec = a.slice(7);
		else if (a === '--out') args.out = path.resolve(argv[++i]);
		else if (a.startsWith('--out=')) args.out = path.resolve(a.slice(6));
		else if (a === '--check') args.check = true;
		else throw new Error(`Unknown argument ${a} (expected --spec <file>, --out <dir>, --check)`);
	}
	return args;
}

async function main(argv) {
	const args = parseArgs(argv);
	const { files, model } = await generate(args.spec);
	const ops = Object.keys(model.runtime).length;
	if (args.check) {
		const stale = differences(files, args.out);
		if (stale.length) {
			console.error(`Generated files are out of date: ${stale.join(', ')}. Run npm run generate.`);
			return 1;
		}
		console.log(`Generated files match ${args.spec} (${ops} operations).`);
		return 0;
	}
	writeFiles(files, args.out);
	console.log(
		`Wrote ${Object.keys(files).length} files to ${path.relative(process.cwd(), args.out) || '.'}: ` +
			`${model.resources.length} resources, ${ops} operations, ${model.fields.length} shared fields, ` +
			`${model.bodyCollections.length} body collections.`,
	);
	return 0;
}

if (require.main === module) {
	main(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(error) => {
			console.error(error.message);
			process.exit(1);
		},
	);
}

module.exports = { generate, writeFiles, differences, DEFAULT_SPEC, DEFAULT_OUT, main };
