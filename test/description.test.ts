import { NodeHelpers, type INode, type INodeParameters, type INodeProperties, type INodePropertyOptions } from 'n8n-workflow';

import { CUSTOM_RESOURCE, customProperties } from '../nodes/ThreeCx/resources/customApiCall';
import { operations } from '../nodes/ThreeCx/generated/operations';
import { CALL_CONTROL_RESOURCE, callControlProperties } from '../nodes/ThreeCx/resources/callControl';
import { ThreeCx } from '../nodes/ThreeCx/ThreeCx.node';
import { DESCRIPTION_KB_BUDGET, PROPERTY_BUDGET } from './helpers/budgets';
import { extraOperations, SPEC, specAvailable, specOperations } from './helpers/spec-files';

const description = new ThreeCx().description;
const properties = description.properties;
const lowerFirst = (s: string) => s[0].toLowerCase() + s.slice(1);

function operationProperty(resource: string): INodeProperties | undefined {
	return properties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource));
}

function shownFor(property: INodeProperties, operation: string): boolean {
	const ops = property.displayOptions?.show?.operation as string[] | undefined;
	return !!ops && ops.includes(operation);
}

// The spec is read when a test runs, never while the file loads (a describe.skip body runs too).
const withSpec = specAvailable() ? describe : describe.skip;

withSpec(`every operation of the spec${specAvailable() ? '' : ` (skipped: no XAPI spec at ${SPEC}; set XAPI_SPEC)`}`, () => {
	it('has one resource per tag of the spec', () => {
		const tags = new Set(specOperations().map(([tag]) => lowerFirst(tag)));
		// the Custom API Call and Call Control are the resources that are not tags (written by hand: resources/customApiCall.ts, resources/callControl.ts)
		const resourceValues = (properties[0].options as INodePropertyOptions[])
			.map((o) => o.value)
			.filter((v) => v !== CUSTOM_RESOURCE && v !== CALL_CONTROL_RESOURCE);
		expect([...resourceValues].sort()).toEqual([...tags].sort());
	});

	it('exists as an operation of its resource, with the right method and path template', () => {
		const specOps = specOperations();
		const resourceValues = (properties[0].options as INodePropertyOptions[]).map((o) => o.value);
		const problems: string[] = [];
		for (const [tag, operationId, method, path] of specOps) {
			const resource = lowerFirst(tag);
			const value = lowerFirst(operationId);
			if (!resourceValues.includes(resource)) problems.push(`${tag}: no resource ${resource}`);
			const options = (operationProperty(resource)?.options ?? []) as INodePropertyOptions[];
			if (!options.some((o) => o.value === value)) problems.push(`${operationId}: not an operation of ${resource}`);
			const spec = operations[value];
			if (!spec) problems.push(`${operationId}: not in the runtime table`);
			else if (spec.method !== method || spec.path !== path || spec.resource !== resource) {
				problems.push(`${operationId}: ${spec.method} ${spec.path} instead of ${method} ${path}`);
			}
		}
		expect(problems).toEqual([]);
		// The spec's operations, plus the ones it does not describe (Upload prompt, Download backup).
		const extras = Object.entries(operations).filter(([, s]) => s.extra).map(([v]) => v).sort();
		expect(extras).toEqual(extraOperations());
		expect(Object.keys(operations)).toHaveLength(specOps.length + extras.length);
	});
});

describe('node description', () => {
	it(`stays within the size budget: ${DESCRIPTION_KB_BUDGET} KB of JSON and ${PROPERTY_BUDGET} top-level properties`, () => {
		const bytes = Buffer.byteLength(JSON.stringify(description));
		expect(bytes).toBeLessThanOrEqual(DESCRIPTION_KB_BUDGET * 1024);
		expect(properties.length).toBeLessThanOrEqual(PROPERTY_BUDGET);
	});

	it('gives every operation a value no other resource uses (generated fields name operations, not resources)', () => {
		// Generated fields say where they show by operation value alone (generator/emit.js, show()), so a
		// hand-written resource reusing a generated value shows that operation's fields too: Call Control's
		// Make Call was `makeCall` like Users > Make Call and showed its DN field beside Call Control's own.
		const owners = new Map<string, string[]>();
		for (const p of properties.filter((q) => q.name === 'operation')) {
			for (const o of p.options as INodePropertyOptions[]) {
				owners.set(o.value as string, [...(owners.get(o.value as string) ?? []), p.displayOptions!.show!.resource![0] as string]);
			}
		}
		expect(owners.size).toBeGreaterThan(600);
		expect([...owners].filter(([, resources]) => resources.length > 1)).toEqual([]);
	});

	it('shows each field on exactly the operations it lists, by n8n\'s own reading of the display options', () => {
		// n8n's own verdict (NodeHelpers.displayParameter, what the editor and the engine ask) for every
		// property on every operation, against the operation lists alone; the parameters are what n8n
		// builds for a node left at its defaults (NodeHelpers.getNodeParameters), so Limit sees Return All.
		const node: INode = { id: '1', name: '3CX', type: 'threeCx', typeVersion: 1, position: [0, 0], parameters: {} };
		const problems: string[] = [];
		let checked = 0;
		for (const resource of properties[0].options as INodePropertyOptions[]) {
			for (const option of operationProperty(resource.value as string)!.options as INodePropertyOptions[]) {
				const chosen = { resource: resource.value, operation: option.value } as INodeParameters;
				const values = NodeHelpers.getNodeParameters(properties, chosen, true, false, node, description)!;
				for (const p of properties) {
					if (p.name === 'resource') continue;
					// with an operation list, a resource list must not matter (operation values are unique)
					const show = (p.displayOptions?.show ?? {}) as Record<string, unknown[]>;
					const conditions = Object.entries(show).filter(([key]) => !(show.operation && key === 'resource'));
					const listed = conditions.every(([key, list]) => list.includes(values[key]));
					if (NodeHelpers.displayParameter(values, p, node, description, values) !== listed) {
						problems.push(`${option.value}: ${p.name} ${listed ? 'hidden' : 'shown'} against its lists`);
					}
					checked++;
				}
			}
		}
		expect(problems).toEqual([]);
		expect(checked).toBeGreaterThan(200_000);
	});

	it('never shows two properties of one name for the same operation', () => {
		// Field names are the spec's parameter names, so two operations may have different fields of
		// one name (Id: an integer on Drop Call, a GUID on Get OAuth Client); n8n reads the one shown.
		const shown = new Map<string, string>();
		const clashes: string[] = [];
		for (const p of properties) {
			if (p.name === 'operation' || p.name === 'resource') continue;
			for (const op of (p.displayOptions?.show?.operation ?? []) as string[]) {
				const key = `${op}/${p.name}`;
				if (shown.has(key)) clashes.push(`${key}: ${shown.get(key)} and ${p.type}`);
				shown.set(key, p.type);
			}
		}
		expect(clashes).toEqual([]);
	});

	it('has one Operation property per resource, sorted, each operation with an action and a plain description', () => {
		const resources = properties[0].options as INodePropertyOptions[];
		const names = resources.map((r) => r.name);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
		for (const resource of resources) {
			const property = operationProperty(resource.value as string);
			expect(property).toBeDefined();
			const options = property!.options as INodePropertyOptions[];
			expect(options.map((o) => o.name)).toEqual(options.map((o) => o.name).sort((a, b) => a.localeCompare(b, 'en')));
			expect(options.some((o) => o.value === property!.default)).toBe(true);
			for (const option of options) {
				expect(option.action).toMatch(/^[A-Z]/);
				expect(option.description).toBeTruthy();
				expect(`${option.action} ${option.description}`).not.toMatch(/Invoke (action|function)|entities from|entity in/);
			}
		}
	});

	it('shows every field the request builder reads for that operation, and no field for nothing', () => {
		const problems: string[] = [];
		const used = new Set<string>();
		for (const [value, spec] of Object.entries(operations)) {
			const placeholders = [...spec.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
			expect(spec.params.map(([placeholder]) => placeholder)).toEqual(placeholders);
			const fields = [
				...spec.params.map((p) => p[1]),
				...(spec.body && 'params' in spec.body ? spec.body.params.map((p) => p[1]) : []),
				...(spec.body && 'collection' in spec.body ? [spec.body.collection] : []),
			];
			for (const field of fields) {
				used.add(field);
				const property = properties.find((p) => p.name === field && shownFor(p, value));
				if (!property) problems.push(`${value}: field ${field} is not shown`);
			}
		}
		const fieldNames = properties
			.filter(
				(p) =>
					!['resource', 'operation', 'returnAll', 'limit', 'binaryPropertyName', 'binaryPropertyOutput'].includes(p.name) &&
					p.type !== 'collection',
			)
			.map((p) => p.name);
		// the Custom API Call's fields are read by its own builder (resources/customApiCall.ts; test/custom.test.ts)
		for (const property of customProperties) used.add(property.name);
		// Call Control's fields too (resources/callControl.ts; test/call-control.test.ts)
		for (const property of callControlProperties) used.add(property.name);
		for (const name of fieldNames) if (!used.has(name)) problems.push(`${name} is shown but never sent`);
		expect(problems).toEqual([]);
	});

	it('offers Return All and Limit (default 50) on every paged collection read', () => {
		const returnAll = properties.find((p) => p.name === 'returnAll')!;
		const limit = properties.find((p) => p.name === 'limit')!;
		expect(limit.default).toBe(50);
		const paged = Object.entries(operations).filter(([, s]) => s.paged).map(([v]) => v);
		expect(paged.length).toBeGreaterThan(100);
		for (const value of paged) {
			expect(shownFor(returnAll, value)).toBe(true);
			expect(shownFor(limit, value)).toBe(true);
		}
	});

	it('names alternate-key reads and function imports apart', () => {
		const option = (value: string) =>
			properties
				.filter((p) => p.name === 'operation')
				.flatMap((p) => p.options as INodePropertyOptions[])
				.find((o) => o.value === value);
		// The alternate-key reads this build has (GET /Users(Number={Number}) ...), read from the table.
		const byNumber = Object.entries(operations).filter(([, s]) => s.method === 'GET' && /^\/\w+\(Number=\{Number\}\)$/.test(s.path));
		for (const [value] of byNumber) {
			expect(option(value)).toMatchObject({ name: 'Get by Number', action: expect.stringMatching(/^Get an? [a-z ]+ by number$/) });
		}
		if (operations.getUserByNumber) expect(option('getUserByNumber')).toMatchObject({ action: 'Get a user by number' });
		if (operations.getUpdateDetails) expect(option('getUpdateDetails')).toMatchObject({ name: 'Get Update Details' });
	});

	it('keeps required fields typed from their schema', () => {
		const byName = (name: string) => properties.find((p) => p.name === name)!;
		expect(byName('Id')).toMatchObject({ type: 'number', required: true });
		expect(byName('userKey')).toMatchObject({ type: 'resourceLocator', required: true });
		expect(byName('periodFrom')).toMatchObject({ type: 'dateTime', required: true });
		expect(byName('includeQueueCalls')).toMatchObject({ type: 'boolean' });
		expect(byName('backupKey')).toMatchObject({ type: 'resourceLocator' });
		expect(byName('Filename')).toMatchObject({ type: 'string', required: true });
	});
});
