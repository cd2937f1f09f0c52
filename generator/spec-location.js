'use strict';
/**
 * The one place that says where 3CX's XAPI spec is, for the generator, the simulator's spec
 * checks, the tests and the scripts: the file named in XAPI_SPEC, else
 * ../shared/xapi-spec/xapi-20.0.10.yaml beside the repository. The spec is 3CX's and is never
 * copied into the repository; a fresh clone has none, and what needs it skips with one line.
 * A spec named in XAPI_SPEC must exist: its absence is an error, not a skip.
 */
const fs = require('fs');
const path = require('path');

/** The environment variable that names the spec file. */
const SPEC_ENV = 'XAPI_SPEC';
const DEFAULT_SPEC = path.resolve(__dirname, '..', '..', 'shared', 'xapi-spec', 'xapi-20.0.10.yaml');

/**
 * Where the spec is: `{ file, named, exists }`. `named`: XAPI_SPEC names it (then a missing file
 * is an error for whoever needs it); else the default beside the repository.
 * @param {Record<string, string | undefined>} [env]
 */
function specLocation(env = process.env) {
	const named = !!env[SPEC_ENV];
	const file = named ? path.resolve(String(env[SPEC_ENV])) : DEFAULT_SPEC;
	return { file, named, exists: fs.existsSync(file) };
}

/**
 * Whether the spec is there to use. Throws when XAPI_SPEC names a file that does not exist.
 * @param {Record<string, string | undefined>} [env]
 */
function specAvailable(env = process.env) {
	const { file, named, exists } = specLocation(env);
	if (!exists && named) throw new Error(`${SPEC_ENV} names ${file}, which does not exist`);
	return exists;
}

/** The one line that says a check was skipped for want of the spec, and how to enable it. */
function skippedLine(what, env = process.env) {
	return `Skipped: ${what}: no XAPI spec at ${specLocation(env).file}. Put 3CX's spec there or set ${SPEC_ENV}=<file>.`;
}

module.exports = { SPEC_ENV, DEFAULT_SPEC, specLocation, specAvailable, skippedLine };
