'use strict';
/**
 * The fake 3CX of the end-to-end tests: the one simulated 3CX in `simulator/`, with its spec
 * checks on (simulator/spec-check.js) and the e2e's data and record format
 * (simulator/fake3cx.js). Kept as its own entry point so run.js, browser.js and other branches
 * keep `require('./fake-3cx')`.
 *
 * Use from code:   const { createFake3cx } = require('./fake-3cx'); const fake = await createFake3cx({...}).start();
 * Or standalone:   node e2e/fake-3cx.js [--port 0]   (prints the URL; control under /__fake/ and /__sim/)
 */
const { createFake3cx } = require('../simulator/fake3cx');
const { Spec, loadYaml, DEFAULT_SPEC } = require('../simulator/spec-check');

module.exports = { createFake3cx, Spec, loadYaml, DEFAULT_SPEC };

if (require.main === module) {
	const args = process.argv.slice(2);
	const get = (name, def) => {
		const i = args.indexOf(name);
		return i >= 0 ? args[i + 1] : def;
	};
	createFake3cx({
		port: Number(get('--port', process.env.FAKE_3CX_PORT || 0)),
		clientId: get('--client-id', '900'),
		clientSecret: get('--client-secret', 'fake-secret'),
		log: true,
	})
		.start()
		.then((fake) => {
			console.log(`fake 3CX listening on ${fake.url} (client id ${fake.options.clientId}, secret ${fake.options.clientSecret})`);
			console.log(`spec: ${fake.specInfo().status}`);
		});
}
