/**
 * n8n's community-package scanner (@n8n/scan-community-package, what n8n runs when a package is
 * submitted for verification) on this package before publishing: its own analyzePackage lints the
 * repository's nodes/ and credentials/ sources and the unpacked `npm pack` tarball (scripts/scan.js,
 * `npm run scan`). The provenance check needs a published version and is not part of this.
 */
import { makeRuleBreakingPackage, runScan } from './helpers/scan';

// npm pack, and ESLint over ~620 files on a shared 2-core machine (about 70 s there)
const SLOW = 300_000;

describe("n8n's scanner rules", () => {
	it(
		'pass on the sources and on the packed tarball',
		() => {
			const { status, report, stderr } = runScan();
			if (!report) throw new Error(`scripts/scan.js gave no report (exit ${status}): ${stderr.slice(-2000)}`);
			const failed = (report?.results ?? []).filter((leg) => !leg.passed).map((leg) => `${leg.leg}: ${leg.message}\n${leg.details ?? ''}`);
			expect(failed).toEqual([]);
			expect(status).toBe(0);
			expect(report?.passed).toBe(true);
			expect(report?.results.map((leg) => leg.leg)).toEqual(['source', 'tarball']);
			// something was actually linted: the node, the credential, package.json at least
			for (const leg of report?.results ?? []) expect(leg.files).toBeGreaterThanOrEqual(3);
			expect(report?.tarball).toMatch(/^n8n-nodes-3cx-\d+\.\d+\.\d+\.tgz$/);
			expect(stderr).not.toMatch(/could not run/);
		},
		SLOW,
	);

	it(
		'fail a package that breaks them (the rules are live, not skipped)',
		() => {
			const bad = makeRuleBreakingPackage();
			try {
				const { status, report, stderr } = runScan(['--dir', bad.dir]);
				if (!report) throw new Error(`scripts/scan.js gave no report (exit ${status}): ${stderr.slice(-2000)}`);
				expect(status).toBe(1);
				expect(report?.passed).toBe(false);
				const details = report?.results[0].details ?? '';
				for (const rule of [
					'@n8n/community-nodes/no-runtime-dependencies',
					'@n8n/community-nodes/no-restricted-imports',
					'@n8n/community-nodes/no-restricted-globals',
					'@n8n/community-nodes/no-dangerous-functions',
					'no-console',
				]) {
					expect(details).toContain(rule);
				}
			} finally {
				bad.remove();
			}
		},
		SLOW,
	);
});
