'use strict';
/**
 * Variants of the shared spec made in the test (never committed): the generator's model of a spec
 * document changed the way older 3CX builds differ, read in a child process (the OpenAPI parser is
 * an ES module that jest's module system does not load).
 */
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const YAML = require('yaml');
const { ROOT, SPEC, writeTempSpec } = require('./spec-files');

/**
 * The spec as 20.0.4–20.0.7 have the user lookup: `GET /Users/Pbx.GetByNumber(number={number})`, a
 * bound function with a lower-case parameter, instead of the `(Number={Number})` alternate key.
 */
function specWithOldUserLookup(operationId = 'GetUserByNumber') {
	const doc = YAML.parse(fs.readFileSync(SPEC, 'utf8'), { maxAliasCount: -1 });
	const item = doc.paths['/Users(Number={Number})'];
	if (!item || !item.get) throw new Error('the spec has no /Users(Number={Number}) to replace');
	delete doc.paths['/Users(Number={Number})'];
	const get = { ...item.get, operationId, summary: 'Invoke function GetByNumber' };
	get.parameters = [
		{ name: 'number', in: 'path', description: 'Usage: number={number}', required: true, schema: { type: 'string', nullable: true } },
	];
	doc.paths['/Users/Pbx.GetByNumber(number={number})'] = { description: item.description, get };
	return writeTempSpec(doc);
}

/**
 * Operation texts of one resource as the generator models them for the spec at specPath.
 * @param {string} specPath
 * @param {string} resource
 * @returns {Array<{ value: string, path: string, name: string, action: string, description: string }>}
 */
function operationTexts(specPath, resource) {
	const script = `
		const { loadSpec } = require(${JSON.stringify(path.join(ROOT, 'generator', 'spec'))});
		const { buildModel } = require(${JSON.stringify(path.join(ROOT, 'generator', 'model'))});
		loadSpec(${JSON.stringify(specPath)}).then((spec) => {
			const r = buildModel(spec).resources.find((x) => x.value === ${JSON.stringify(resource)});
			const ops = r.operations.map((o) => ({ value: o.value, path: o.path, name: o.name, action: o.action, description: o.description }));
			process.stdout.write(JSON.stringify(ops));
		});`;
	const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
	return JSON.parse(out);
}

/** Removes a spec written by writeTempSpec (its temporary folder). */
function removeSpec(file) {
	fs.rmSync(path.dirname(file), { recursive: true, force: true });
}

module.exports = { specWithOldUserLookup, operationTexts, removeSpec };
