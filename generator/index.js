'use strict';
/**
 * The generator: reads an XAPI OpenAPI spec and writes the 3CX node's generated descriptions.
 *
 *   node generator [--spec <path to xapi yaml>] [--out <dir>] [--check]
 *   node generator --server https://pbx.example.com [--insecure] [--out <dir>] [--check]
 *
 * --out is the package's nodes/ folder (default): the generator owns ThreeCx/generated/,
 * ThreeCx/__schema__/ and client/generated/ in it (OWNED) and nothing else.
 *
 * The spec is --spec, else the one spec locator (spec-location.js: XAPI_SPEC, else
 * ../shared/xapi-spec/xapi-20.0.10.yaml beside the repository). With --server
 * the generator fetches the PBX's own spec (THREECX_CLIENT_ID / THREECX_CLIENT_SECRET from the
 * environment; --insecure accepts a self-signed certificate).
 *
 * --check writes nothing and exits 1 when the files on disk differ from what the spec gives; when
 * the default spec is not there (a fresh clone), it says so in one line and exits 0.
 * Writing prints what the new output renames or removes compared with the committed one.
 */
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { loadSpec } = require('./spec');
const { buildModel } = require('./model');
const { emitDescription, emitOperations, emitSchemas, emitConstants } = require('./emit');
const { compare, formatReport, readCommitted, readGenerated } = require('./report');
const { fetchServerSpec } = require('./server');

const { DEFAULT_SPEC, SPEC_ENV, specLocation } = require('./spec-location');

const { DEFAULT_OUT, FILES, OWNED } = require('./layout');

/** The 3CX build a spec file's name carries (xapi-20.0.10.yaml -> 20.0.10), or undefined. */
function buildFromFileName(file) {
	const match = /(\d+\.\d+\.\d+(?:\.\d+)?)/.exec(path.basename(file));
	return match ? match[1] : undefined;
}

/**
 * Returns { files: { relativeName: content }, model, source } for the spec at specPath.
 * `as` overrides what the output says it came from: { file, build } (a spec fetched from a PBX).
 */
async function generate(specPath = DEFAULT_SPEC, as = {}) {
	const absolute = path.resolve(specPath);
	if (!fs.existsSync(absolute)) throw new Error(`Spec file not found: ${absolute}`);
	const spec = await loadSpec(absolute);
	const model = buildModel(spec);
	const file = as.file || path.basename(absolute);
	const source = {
		file,
		title: (spec.api.info && spec.api.info.title) || 'OpenAPI',
		version: (spec.api.info && spec.api.info.version) || '',
		sha256: crypto.createHash('sha256').update(fs.readFileSync(absolute)).digest('hex'),
		// The 3CX build: the server's X-3CX-Version for --server, else from the file name.
		build: as.build || buildFromFileName(file),
	};
	return {
		model,
		source,
		files: {
			[FILES.description]: emitDescription(model, source),
			[FILES.operations]: emitOperations(model, source),
			...Object.fromEntries(Object.entries(emitSchemas(model, source)).map(([name, text]) => [`${FILES.schemas}/${name}`, text])),
			[FILES.constants]: emitConstants(source),
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

const USAGE = 'expected --spec <file>, --server <url>, --insecure, --out <dir>, --check';

function parseArgs(argv, env = process.env) {
	const located = specLocation(env);
	const args = {
		spec: located.file,
		specGiven: located.named,
		server: undefined,
		insecure: false,
		out: DEFAULT_OUT,
		check: false,
	};
	const value = (i, name) => {
		if (i >= argv.length || argv[i].startsWith('--')) throw new Error(`${name} needs a value (${USAGE})`);
		return argv[i];
	};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--spec') (args.spec = value(++i, a)), (args.specGiven = true);
		else if (a.startsWith('--spec=')) (args.spec = a.slice(7)), (args.specGiven = true);
		else if (a === '--server') args.server = value(++i, a);
		else if (a.startsWith('--server=')) args.server = a.slice(9);
		else if (a === '--insecure') args.insecure = true;
		else if (a === '--out') args.out = path.resolve(value(++i, a));
		else if (a.startsWith('--out=')) args.out = path.resolve(a.slice(6));
		else if (a === '--check') args.check = true;
		else throw new Error(`Unknown argument ${a} (${USAGE})`);
	}
	return args;
}

/** The one line a run without the spec prints. */
function skippedLine(spec) {
	return (
		`Skipped: generated files not checked: no XAPI spec at ${spec}. ` +
		`Put 3CX's spec there, set ${SPEC_ENV}=<file>, or pass --spec <file> or --server <url>.`
	);
}

/** Generates from args: the PBX's spec (--server) or a spec file. */
async function generateFromArgs(args, env) {
	if (!args.server) return generate(args.spec);
	const { text, build } = await fetchServerSpec(args.server, {
		clientId: env.THREECX_CLIENT_ID,
		clientSecret: env.THREECX_CLIENT_SECRET,
		insecure: args.insecure,
	});
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xapi-server-spec-'));
	const file = path.join(dir, build ? `xapi-${build}.yaml` : 'xapi.yaml');
	try {
		fs.writeFileSync(file, text);
		const result = await generate(file, { build });
		console.log(`Fetched the spec of ${args.server} (3CX ${build || 'build unknown: no X-3CX-Version header'}).`);
		return result;
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

async function main(argv, env = process.env) {
	const args = parseArgs(argv, env);
	if (!args.server && !fs.existsSync(path.resolve(args.spec))) {
		// A fresh clone has no spec (3CX's file may not be redistributed): the check has nothing to
		// compare with. A spec someone asked for by name must exist.
		if (args.check && !args.specGiven) {
			console.log(skippedLine(path.resolve(args.spec)));
			return 0;
		}
		throw new Error(
			`Spec file not found: ${path.resolve(args.spec)}. Set ${SPEC_ENV}=<file>, pass --spec <file>, or --server <url> to fetch your PBX's.`,
		);
	}
	const { files, model, source } = await generateFromArgs(args, env);
	const ops = Object.keys(model.runtime).length;
	if (args.check) {
		const stale = differences(files, args.out);
		if (stale.length) {
			const shown = stale.slice(0, 10).join(', ') + (stale.length > 10 ? `, and ${stale.length - 10} more` : '');
			console.error(`Generated files are out of date: ${shown}. Run npm run generate.`);
			return 1;
		}
		console.log(`Generated files match ${args.server || args.spec} (${ops} operations).`);
		return 0;
	}
	const before = readCommitted(args.out);
	writeFiles(files, args.out);
	console.log(
		`Wrote ${Object.keys(files).length} files to ${path.relative(process.cwd(), args.out) || '.'}: ` +
			`${model.resources.length} resources, ${ops} operations, ${model.fields.length} shared fields, ` +
			`${model.bodyCollections.length} body collections (from ${source.file}${source.build ? `, 3CX ${source.build}` : ''}).`,
	);
	if (before) {
		const after = readGenerated(files);
		for (const line of formatReport(compare(before, after))) console.log(line);
	}
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

module.exports = { generate, writeFiles, differences, existingFiles, buildFromFileName, parseArgs, main };
