'use strict';
/** Where the generator writes: its files inside the package's nodes/ folder, and what it owns there. */
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
/** The output folder: the package's nodes/ (--out overrides it). */
const DEFAULT_OUT = path.join(ROOT, 'nodes');
/** Where the generated files go, relative to the output folder. */
const FILES = {
	description: 'ThreeCx/generated/description.ts',
	operations: 'ThreeCx/generated/operations.ts',
	/** n8n's output schemas: <schemas>/v1.0.0/<resource>/<operation>.json */
	schemas: 'ThreeCx/__schema__',
	constants: 'client/generated/constants.ts',
};
/** What the generator owns inside the output folder: everything else there is hand-written. */
const OWNED = ['ThreeCx/generated', FILES.schemas, 'client/generated'];

module.exports = { ROOT, DEFAULT_OUT, FILES, OWNED };
