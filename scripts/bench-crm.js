'use strict';
/**
 * Issue 19: a caller waits while 3CX asks n8n who is calling. Latency of a contact lookup through a
 * real n8n 2.41.1 (`n8n start`, the packed package): 3CX CRM Trigger -> If -> Code (finds the
 * contact) -> the last node's answer, p50 and p99 over 200 lookups, alternating with n8n's own
 * Webhook node (without and with Basic Auth, the same secret) answering the same If -> Code in the
 * same n8n (the ratio), and the same lookup placed by the
 * simulator's CRM engine (what 3CX would wait for, template parsing and HTTP included).
 * Runs e2e/crm.js --bench (needs the e2e cache: bash e2e/install-n8n.sh); skips with a line without it.
 * BENCH_CRM=0 skips it. Prints only; nothing here is a pass condition.
 */
const fs = require('node:fs');
const path = require('node:path');

const { CACHE } = require('../e2e/n8n-instance');

/** @param {{ row?: (label: string, value: string) => void, lookups?: number }} [options] */
async function benchCrm({ row, lookups = 200 } = {}) {
	const print = row || ((label, value) => console.log(`${label.padEnd(58)} ${value}`));
	if (process.env.BENCH_CRM === '0') {
		console.log('CRM lookup latency: skipped (BENCH_CRM=0)');
		return undefined;
	}
	if (!fs.existsSync(path.join(CACHE, 'env.sh'))) {
		console.log(`CRM lookup latency: skipped (no n8n e2e cache at ${CACHE}; run bash e2e/install-n8n.sh)`);
		return undefined;
	}
	const { runCrm } = require('../e2e/crm');
	const r = await runCrm({ build: false, bench: true, lookups, log: () => {} });
	if (!r.figures.trigger) {
		console.log(`CRM lookup latency: not measured (${r.failures.join('; ').slice(0, 300)})`);
		return r;
	}
	const f = r.figures;
	const ms = (n) => `${n.toFixed(1)} ms`;
	console.log(`CRM contact lookup through n8n ${lookups}x (issue 19; 3CX's own time-out: see docs/crm.md):`);
	print('  3CX CRM Trigger -> If -> Code -> answer, p50 / p99', `${ms(f.trigger.p50)} / ${ms(f.trigger.p99)}`);
	print("  n8n's Webhook -> If -> Code -> answer, p50 / p99", `${ms(f.baseline.p50)} / ${ms(f.baseline.p99)}`);
	print("  n8n's Webhook (Basic Auth) -> If -> Code, p50 / p99", `${ms(f.baselineAuth.p50)} / ${ms(f.baselineAuth.p99)}`);
	print('  ratio of the p50s (trigger / Webhook node with Basic Auth)', `${(f.trigger.p50 / f.baselineAuth.p50).toFixed(2)}`);
	print('  placed by the simulated 3CX engine, p50 / p99', `${ms(f.engine.p50)} / ${ms(f.engine.p99)}`);
	if (!r.ok) console.log(`  (the e2e checks failed: ${r.failures.join('; ').slice(0, 300)})`);
	return r;
}

module.exports = { benchCrm };

if (require.main === module) {
	benchCrm().then(
		() => process.exit(0),
		(e) => {
			console.error(e);
			process.exit(1);
		},
	);
}
