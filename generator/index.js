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
const { emitDescription, emitOperations, emitSchemas } = require('./emit');

const ROOT = path.resolve(__dirname, '..');
const DEFAULT_SPEC = path.resolve(ROOT, '..', 'shared', 'xapi-spec', 'xapi-20.0.10.yaml');
const DEFAULT_OUT = path.join(ROOT, 'nodes', 'ThreeCx');
/** What the generator owns inside the node folder: everything else there is hand-written. */
const OWNED = ['generated', '__schema__'];

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
			'generated/description.ts': emitDescription(model, source),
			'generated/operations.ts': emitOperations(model, source),
			...emitSchemas(model, source),
		},
	};
}

/** Every file below the generator's folders in outDir, relative to outDir. */
function existingFiles(outDir) {
	const out = [];
	const walk = (dir) => {
		if (!fs.existsSync(dir)) return;
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(full);
			else out.push(path.relative(outDir, full).split(path.sep).join('/'));
		}
	};
	for (const owned of OWNED) walk(path.join(outDir, owned));
	return out.sort();
}

/** Replaces the generator's folders in outDir with files (stale files of an older spec go). */
function writeFiles(files, outDir) {
	for (const owned of OWNED) fs.rmSync(path.join(outDir, owned), { recursive: true, force: true });
	for (const [name, content] of Object.entries(files)) {
		const file = path.join(outDir, name);
		fs.mkdirSync(path.dirname(file), { recursive: true });
		fs.writeFileSync(file, content);
	}
}

/** Names of files that differ, are missing, or should not be there. */
function differences(files, outDir) {
	const changed = Object.entries(files)
		.filter(([name, content]) => {
			const file = path.join(outDir, name);
			return !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== content;
		})
		.map(([name]) => name);
	const extra = existingFiles(outDir).filter((name) => !(name in files));
	return [...changed, ...extra];
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
			const shown = stale.slice(0, 10).join(', ') + (stale.length > 10 ? `, and ${stale.length - 10} more` : '');
			console.error(`Generated files are out of date: ${shown}. Run npm run generate.`);
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

module.exports = { generate, writeFiles, differences, existingFiles, DEFAULT_SPEC, DEFAULT_OUT, main };
