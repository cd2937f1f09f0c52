/**
 * Issue 10 items 2 and 3: keys are never sent wrong. A resource locator value in a mode the field
 * does not offer is refused (it used to go out as an ID: `DELETE /Groups(100)` for "number 100"),
 * and an empty key or alternate key is refused (it used to go out as `/Users(Number='')`).
 * Function parameters that 3CX lets be empty still go as `''`.
 */
import type { INodeParameters } from 'n8n-workflow';

import { runNode, xapiCredentials } from './helpers/harness';
import { useXapiServer } from './helpers/setup';
import { json, noContent, type XapiServer } from '../simulator';

// the first run of a file loads n8n-core and the node: slow on a busy machine
jest.setTimeout(120_000);

const xapi = useXapiServer();
let server: XapiServer;
beforeEach(() => {
	server = xapi();
	server.delete(/Groups/, noContent());
	server.get(/Users/, json({ Id: 1 }));
});

async function run(parameters: INodeParameters) {
	return await runNode({ parameters, credentials: xapiCredentials(server) });
}

describe('a resource locator value in a mode the field does not offer', () => {
	it.each([
		['number (Groups have no alternate key)', 'groups', 'deleteGroup', 'groupKey', 'number', 'Group', 'list, id'],
		['an unknown mode', 'users', 'getUser', 'userKey', 'url', 'User', 'list, id, number'],
		['an empty mode', 'users', 'getUser', 'userKey', '', 'User', 'list, id, number'],
	])('%s is refused, naming the field and its modes; nothing is sent', async (_label, resource, operation, field, mode, name, modes) => {
		const { error } = await run({ resource, operation, [field]: { __rl: true, mode, value: '100' } });
		expect(error?.message).toBe(
			`${name} is given in mode "${mode}", which this field does not offer (its modes: ${modes}); pick the value again`,
		);
		expect(error?.description).toMatch(/^Nothing was sent to 3CX/);
		expect(server.requests).toHaveLength(0);
	});

	it('the modes it offers still work: id and number', async () => {
		await run({ resource: 'groups', operation: 'deleteGroup', groupKey: { __rl: true, mode: 'id', value: '100' } });
		await run({ resource: 'users', operation: 'getUser', userKey: { __rl: true, mode: 'number', value: '100' } });
		expect(server.apiRequests.map((r) => r.rawApiPath)).toEqual(['/Groups(100)', "/Users(Number='100')"]);
	});
});

describe('keys are required and never empty', () => {
	it.each([
		['Get User by Number with an empty Number', { operation: 'getUserByNumber', Number: '' }, /^Number is required/],
		['Get User by Number with no Number', { operation: 'getUserByNumber', Number: null }, /^Number is required/],
		['a locator in mode number with an empty value', { operation: 'getUser', userKey: { __rl: true, mode: 'number', value: '' } }, /^User \(number\) is required/],
		['a locator in mode id with an empty value', { operation: 'getUser', userKey: { __rl: true, mode: 'id', value: '' } }, /^User is required/],
		['a locator in mode id with blanks', { operation: 'getUser', userKey: { __rl: true, mode: 'id', value: '  ' } }, /^User is required/],
	])('%s: refused, nothing sent', async (_label, parameters, message) => {
		const { error } = await run({ resource: 'users', ...parameters });
		expect(error?.message).toMatch(message);
		expect(server.requests).toHaveLength(0);
	});

	it("a string key given a value is sent quoted: /Users(Number='100')", async () => {
		const { error } = await run({ resource: 'users', operation: 'getUserByNumber', Number: '100' });
		expect(error).toBeUndefined();
		expect(server.apiRequests.map((r) => r.rawApiPath)).toEqual(["/Users(Number='100')"]);
	});
});
