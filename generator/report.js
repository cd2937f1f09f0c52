'use strict';
/**
 * What a regeneration breaks: the committed generated node compared with the new one.
 *
 * Saved workflows hold a resource, an operation value and field values under field names. When
 * `npm run generate` replaces the committed output, this lists every operation that is gone, got
 * another value (same method and path) or moved to another resource, and per operation every field
 * that was renamed, removed or changed its type, and every option that left a collection, so that
 * nobody ships a silent break. Both sides are read from the generated files themselves.
 */
const fs = require('fs');
const path = require('path');
const { FILES } = require('./layout');

/** The value of `export const <name>: <Type> = <literal>;` in generated TypeScript. */
function exported(text, name) {
	const start = new RegExp(`^export const ${name}(?::[^=]+)? = `, 'm').exec(text);
	if (!start) return undefined;
	const from = start.index + start[0].length;
	const end = text.indexOf(';\n', from);
	// The generator writes plain data literals (emit.js ts()), so they evaluate as JavaScript.
	return new Function(`return (${text.slice(from, end)});`)();
}

/** { operations, properties } of generated files (relative name -> content), or undefined. */
function readGenerated(files) {
	const operationsTs = files[FILES.operations];
	const descriptionTs = files[FILES.description];
	if (!operationsTs || !descriptionTs) return undefined;
	try {
		const operations = exported(operationsTs, 'operations');
		const properties = exported(descriptionTs, 'generatedProperties');
		return operations && properties ? { operations, properties } : undefined;
	} catch {
		return undefined;
	}
}

/** The committed generated files in outDir, read as readGenerated does, or undefined. */
function readCommitted(outDir) {
	const files = {};
	for (const name of [FILES.operations, FILES.description]) {
		const file = path.join(outDir, name);
		if (fs.existsSync(file)) files[name] = fs.readFileSync(file, 'utf8');
	}
	return readGenerated(files);
}

/** Per operation: property name -> { type, children (option names of a collection) }. */
function fieldsByOperation(properties) {
	const out = new Map();
	for (const p of properties) {
		if (p.name === 'operation') continue;
		for (const op of (p.displayOptions && p.displayOptions.show && p.displayOptions.show.operation) || []) {
			if (!out.has(op)) out.set(op, new Map());
			out.get(op).set(p.name, { type: p.type, children: p.type === 'collection' ? (p.options || []).map((o) => o.name) : undefined });
		}
	}
	return out;
}

/** The table's field references of one operation: role (e.g. "path Id") -> field name. */
function roles(spec) {
	const out = new Map();
	for (const [placeholder, field] of spec.params || []) out.set(`path parameter ${placeholder}`, field);
	if (spec.body && spec.body.collection) out.set('body', spec.body.collection);
	for (const [key, field] of (spec.body && spec.body.params) || []) out.set(`body parameter ${key}`, field);
	for (const [key, field] of spec.query || []) out.set(`query parameter ${key}`, field);
	if (spec.options) out.set('options', spec.options);
	return out;
}

/**
 * Compares two generated nodes ({ operations, properties }). Returns
 * { removed: [{value, method, path}], renamed: [{from, to, method, path}], moved: [{value, from, to}],
 *   fields: [{operation, changes: [text]}] }.
 */
function compare(before, after) {
	const report = { removed: [], renamed: [], moved: [], fields: [], added: [] };
	const afterByRoute = new Map();
	for (const [value, spec] of Object.entries(after.operations)) afterByRoute.set(`${spec.method} ${spec.path}`, value);
	const oldFields = fieldsByOperation(before.properties);
	const newFields = fieldsByOperation(after.properties);
	for (const [value, spec] of Object.entries(before.operations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
		let now = value;
		if (!after.operations[value]) {
			const same = afterByRoute.get(`${spec.method} ${spec.path}`);
			if (!same || before.operations[same]) {
				report.removed.push({ value, method: spec.method, path: spec.path, resource: spec.resource });
				continue;
			}
			report.renamed.push({ from: value, to: same, method: spec.method, path: spec.path });
			now = same;
		}
		const next = after.operations[now];
		if (next.resource !== spec.resource) report.moved.push({ value: now, from: spec.resource, to: next.resource });
		const changes = [];
		const oldRoles = roles(spec);
		const newRoles = roles(next);
		const renamedFrom = new Map();
		for (const [role, field] of oldRoles) {
			const to = newRoles.get(role);
			if (to && to !== field) {
				changes.push(`${field} renamed to ${to} (${role})`);
				renamedFrom.set(field, to);
			}
		}
		const was = oldFields.get(value) || new Map();
		const is = newFields.get(now) || new Map();
		for (const [name, field] of was) {
			const target = is.has(name) ? name : renamedFrom.get(name);
			if (!target || !is.has(target)) {
				if (!renamedFrom.has(name)) changes.push(`${name} removed`);
				continue;
			}
			const nowField = is.get(target);
			if (nowField.type !== field.type) changes.push(`${target} is now ${nowField.type} (was ${field.type})`);
			if (field.children && nowField.children) {
				const gone = field.children.filter((c) => !nowField.children.includes(c));
				if (gone.length) changes.push(`${target} no longer has ${gone.join(', ')}`);
			}
		}
		if (changes.length) report.fields.push({ operation: now, changes });
	}
	// New operations break nothing, but show where a removed one may have gone (20.0.8 replaced
	// Parkings getByNumber, a function, with getParkingByNumber, an alternate key).
	const renamedTo = new Set(report.renamed.map((r) => r.to));
	for (const [value, spec] of Object.entries(after.operations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
		if (!before.operations[value] && !renamedTo.has(value)) report.added.push({ value, method: spec.method, path: spec.path, resource: spec.resource });
	}
	return report;
}

/** Whether nothing breaks (new operations break nothing). */
function isEmptyReport(report) {
	return !report.removed.length && !report.renamed.length && !report.moved.length && !report.fields.length;
}

/** The report as lines for the console: what breaks, then (breaking nothing) what is new. */
function formatReport(report) {
	const lines = [];
	if (isEmptyReport(report)) lines.push('No operation or field of the committed node was renamed, moved or removed.');
	else {
		lines.push('Saved workflows that use these break (see README, "Regenerating for another 3CX version"):');
		for (const r of report.removed) lines.push(`  operation removed: ${r.resource} > ${r.value} (${r.method} ${r.path})`);
		for (const r of report.renamed) lines.push(`  operation renamed: ${r.from} -> ${r.to} (${r.method} ${r.path})`);
		for (const r of report.moved) lines.push(`  operation moved: ${r.value} from resource ${r.from} to ${r.to}`);
		for (const f of report.fields) for (const c of f.changes) lines.push(`  field of ${f.operation}: ${c}`);
	}
	if (report.added.length) {
		lines.push(`New operations (${report.added.length}; a removed one may live on as one of these):`);
		for (const r of report.added) lines.push(`  + ${r.resource} > ${r.value} (${r.method} ${r.path})`);
	}
	return lines;
}

module.exports = { compare, formatReport, isEmptyReport, readCommitted, readGenerated };
