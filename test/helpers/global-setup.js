'use strict';
/**
 * Jest's global set-up: without 3CX's spec (a fresh clone), says in one line which tests skip and
 * how to enable them. The tests themselves read the spec only when they run.
 */
const { specAvailable, specSkipLine } = require('./spec-files');

module.exports = async function globalSetup() {
	if (!specAvailable()) process.stdout.write(`\n${specSkipLine()}\n`);
};
