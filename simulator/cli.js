#!/usr/bin/env node
'use strict';
/**
 * The simulated 3CX on its own, with demo data:
 *
 *   node simulator/cli.js [--port 5001] [--client-id 900] [--client-secret demo-secret]
 *                         [--seed 3] [--spec-check] [--log]
 *
 * Prints the base URL and the API client's id and secret; Ctrl-C stops it. Control API (loopback
 * only): POST /__sim/records/<Set> with a JSON record or array, GET /__sim/info, … (simulator/index.js).
 */
const { createSimulator } = require('./index');

const HELP = `usage: node simulator/cli.js [--port N] [--client-id ID] [--client-secret SECRET] [--seed N] [--spec-check] [--log]`;

async function main(argv) {
	if (argv.includes('--help') || argv.includes('-h')) {
		console.log(HELP);
		return;
	}
	const get = (name, def) => {
		const i = argv.indexOf(name);
		return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
	};
	const sim = createSimulator({
		port: Number(get('--port', process.env.SIM_3CX_PORT || 0)),
		clientId: get('--client-id', '900'),
		clientSecret: get('--client-secret', 'demo-secret'),
		demo: { seed: Number(get('--seed', 3)) },
		specCheck: argv.includes('--spec-check'),
		log: argv.includes('--log'),
	});
	await sim.start();
	console.log(`simulated 3CX on ${sim.baseUrl} (client id ${sim.options.clientId}, secret ${sim.options.clientSecret})`);
	if (sim.options.specCheck) console.log(`spec: ${sim.specInfo.status}`);
	const stop = async () => {
		await sim.stop();
		process.exit(0);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

if (require.main === module) {
	main(process.argv.slice(2)).catch((e) => {
		console.error(e && e.stack ? e.stack : e);
		process.exit(1);
	});
}

module.exports = { main };
