'use strict';
/**
 * The project's own documents, read for the tests that keep their figures true
 * (test/readme.test.ts). CommonJS because it reads files (n8n's lint rules keep fs out of .ts tests).
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/** The README's text. */
function readme() {
	return fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
}

/** How many end-to-end cases e2e/run.js runs (one workflow per file in e2e/fixtures/cases). */
function e2eCaseCount() {
	return fs.readdirSync(path.join(ROOT, 'e2e', 'fixtures', 'cases')).filter((f) => f.endsWith('.json')).length;
}

module.exports = { readme, e2eCaseCount };
