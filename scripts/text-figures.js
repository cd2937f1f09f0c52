'use strict';
/**
 * node scripts/text-figures.js [--list]: the text figures of issue 12 counted on the node's
 * description (stuttering names, raw operationId fragments, "(resource)" descriptions, actions
 * without the resource noun, duplicate actions, JSON fields without a shape, parameters that say
 * nothing beyond their label, booleans without "Whether", file downloads with Return All).
 */
const path = require('path');

require('./ts-register');
const { auditTexts } = require('../test/helpers/text-audit');

const ROOT = path.resolve(__dirname, '..');
const { ThreeCx } = require(path.join(ROOT, 'nodes', 'ThreeCx', 'ThreeCx.node.ts'));
const { operations } = require(path.join(ROOT, 'nodes', 'ThreeCx', 'generated', 'operations.ts'));

const list = process.argv.includes('--list');
const a = auditTexts(new ThreeCx().description, operations);
const show = (label, entries, total, format) => {
	console.log(`${label.padEnd(62)} ${entries.length}${total === undefined ? '' : ` of ${total}`}`);
	if (list) for (const e of entries.slice(0, 400)) console.log(`    ${format(e)}`);
};
const op = (o) => `${o.resource} / ${o.value}: ${o.name} | ${o.action} | ${o.description}`;
const field = (p) => `${p.parent ? `${p.parent.name} > ` : ''}${p.name} (${p.displayName}, ${p.type}): ${p.description || ''}`;
console.log(`n8n-nodes-3cx text figures: ${a.operations} operations, ${a.parameters} parameters`);
show('operation names repeating a word', a.stutter, a.operations, op);
show('names or actions with a raw operationId fragment', a.raw, a.operations, op);
show('descriptions ending in "(...)"', a.parenthesised, a.operations, op);
show('actions without the resource noun', a.noNoun, a.operations, op);
show('actions duplicating another of the same resource', a.duplicateInResource, a.operations, op);
show('actions duplicating another anywhere in the node', a.duplicateInNode, a.operations, op);
show('JSON fields without a shape', a.jsonWithoutShape, a.json, field);
show('optional JSON fields with a default that is sent', a.jsonWithDefault, a.json, field);
show('parameters with no description beyond their label', a.labelOnly, a.parameters, field);
show('booleans without a "Whether" description', a.booleansWithoutWhether, a.booleans, field);
show('file downloads with Return All / Limit', a.downloadsWithReturnAll, a.downloads, (v) => v);
