/**
 * The README's figures are the node's: what the intro says the node has, what the lean-description
 * section says it measures and budgets, and how many workflows the end-to-end test runs, all read
 * from the README and compared with the built description and the e2e cases. A change that moves a
 * figure fails here until the README says the new one.
 */
import type { INodePropertyOptions } from 'n8n-workflow';

import { ThreeCx } from '../nodes/ThreeCx/ThreeCx.node';
import { DESCRIPTION_KB_BUDGET, PROPERTY_BUDGET } from './helpers/budgets';
import { e2eCaseCount, readme } from './helpers/docs';

const description = new ThreeCx().description;
const text = readme().replace(/\s+/g, ' ');

/** The one number the README states in `pattern` (its first group); fails when it states none or several. */
function stated(pattern: RegExp): number {
	const found = [...text.matchAll(new RegExp(pattern.source, 'g'))].map((m) => Number(m[1].replace(/,/g, '')));
	expect({ pattern: pattern.source, found: found.length }).toEqual({ pattern: pattern.source, found: 1 });
	return found[0];
}

describe("the README's figures", () => {
	it('the intro: operations and resources of the node', () => {
		const resources = (description.properties[0].options as INodePropertyOptions[]).length;
		const operations = description.properties
			.filter((p) => p.name === 'operation')
			.reduce((n, p) => n + (p.options as INodePropertyOptions[]).length, 0);
		expect(resources).toBeGreaterThan(100);
		expect({ operations: stated(/([\d,]+) operations in \d+ resources/), resources: stated(/[\d,]+ operations in (\d+) resources/) }).toEqual({
			operations,
			resources,
		});
	});

	it('the lean description: its budgets, and its size and property count today', () => {
		const kb = Math.round(Buffer.byteLength(JSON.stringify(description)) / 1024);
		expect({
			budgetKb: stated(/under (\d+) KB of description JSON/),
			todayKb: stated(/of description JSON \((\d+) KB today\)/),
			propertyBudget: stated(/and (\d+) top-level properties/),
			propertiesToday: stated(/top-level properties \((\d+) today\)/),
		}).toEqual({ budgetKb: DESCRIPTION_KB_BUDGET, todayKb: kb, propertyBudget: PROPERTY_BUDGET, propertiesToday: description.properties.length });
	});

	it('the end-to-end test: how many workflows it runs', () => {
		expect(stated(/runs (\d+) workflows with n8n's CLI/)).toBe(e2eCaseCount());
	});
});
