'use strict';
/**
 * The simulated 3CX as the end-to-end tests start it (e2e/run.js, e2e/queue.js): spec checks on
 * when the spec is there (generator/spec-location.js), Basic or form client credentials, and the
 * e2e's data: 250 users `First1 Last1` … numbered from 100, an empty backup set. It is the one
 * simulator (simulator/index.js) with other options, not a server of its own.
 */
const { XapiServer } = require('./index');

/** `count` users: Id 1…, Number '100'…, First<n> Last<n>. */
function makeUsers(count) {
	const users = [];
	for (let id = 1; id <= count; id++) {
		users.push({ Id: id, Number: String(99 + id), FirstName: `First${id}`, LastName: `Last${id}`, EmailAddress: `user${id}@example.invalid`, Enabled: true });
	}
	return users;
}

/**
 * @param {{ clientId?: string, clientSecret?: string, port?: number, userCount?: number, specCheck?: boolean | string, log?: boolean } & import('./index').XapiServerOptions} [options]
 * @returns {XapiServer}
 */
function createE2eSimulator(options = {}) {
	const { userCount = 250, ...rest } = options;
	return new XapiServer({
		clientId: '900',
		clientSecret: 'fake-secret',
		tokenAuth: 'both',
		version: '20.0.10.000',
		specCheck: true,
		data: { sets: { Users: makeUsers(userCount), Backups: [] } },
		...rest,
	});
}

module.exports = { createE2eSimulator, makeUsers };
