#!/usr/bin/env node
'use strict';
/**
 * `npm run test:live-browser`: the 3CX Live Call Trigger in a real n8n editor (Debian's Chromium,
 * playwright-core), standalone: starts the simulator and `n8n start` with the packed package (as
 * e2e/live-calls.js does), signs in, adds the trigger from the node panel, picks the credential,
 * presses "Listen for test event", places a simulated ringing call and waits until the output shows
 * it. Screenshots: docs/screenshots/live-trigger-node-creator.png, live-trigger-events.png and
 * live-trigger-test-event.png.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const inst = require('./n8n-instance');
const { createXapiServer } = require('../simulator');

const REPO = inst.REPO;
const SHOTS = process.env.E2E_SCREENSHOTS || path.join(REPO, 'docs', 'screenshots');
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const CREDENTIAL = { id: 'e2eCredLiveBrw01', name: '3CX (simulator, live calls)' };
const CALLER = '+4930777123';
const t0 = Date.now();
const step = (msg) => console.log(`[live-browser ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${msg}`);

async function main() {
	const sim = createXapiServer();
	await sim.start();
	const userFolder = inst.makeUserFolder('n8n-3cx-live-browser-');
	let instance;
	let browser;
	let ok = false;
	try {
		const env = inst.ensureN8n({ onLine: () => {} });
		if (!process.argv.includes('--no-build')) {
			const build = inst.buildPackage();
			if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr.slice(-2000)}`);
		}
		const pack = inst.packPackage(REPO, fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-3cx-live-browser-pack-')));
		inst.installPackage(pack.tarball, userFolder);
		instance = inst.createN8n({ env, userFolder, brokerPort: await inst.freePort() });
		await instance.importCredentials([
			{ ...CREDENTIAL, type: 'threeCxOAuth2Api', data: { baseUrl: sim.baseUrl, clientId: sim.options.clientId, clientSecret: sim.options.clientSecret, ignoreSSLIssues: false } },
		]);
		const server = await instance.start({ log: fs.createWriteStream(path.join(userFolder, 'n8n.log')) });
		if (!server.ok) throw new Error(`n8n did not start: ${server.reason}`);
		step(`n8n at ${server.url}`);
		await inst.setupOwner(server.url);

		fs.mkdirSync(SHOTS, { recursive: true });
		browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
		const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
		page.setDefaultTimeout(60000);
		await page.goto(`${server.url}/signin`, { waitUntil: 'domcontentloaded' });
		await page.fill('input[name=emailOrLdapLoginId], input[name=email]', inst.DEFAULT_OWNER.email);
		await page.fill('input[name=password]', inst.DEFAULT_OWNER.password);
		await page.click('[data-test-id=form-submit-button]');
		await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 60000 });
		step('signed in');

		await page.goto(`${server.url}/workflow/new`, { waitUntil: 'domcontentloaded' });
		await page.getByText('Add first step').waitFor({ timeout: 120000 });
		await page.click('[data-test-id=node-creator-plus-button]');
		await page.fill('[data-test-id=node-creator-search-bar]', '3CX');
		await page.waitForTimeout(1500);
		step(`node panel for "3CX": ${(await page.locator('[data-test-id=node-creator-item-name]').allTextContents()).map((t) => t.trim()).join(' | ')}`);
		// n8n lists "3CX" (the action node and the polling 3CX Trigger) and, apart, "3CX Live Call" (this trigger)
		const item = page.locator('[data-test-id=node-creator-item-name]', { hasText: /^3CX Live Call/ }).first();
		await item.waitFor({ timeout: 30000 });
		await page.waitForTimeout(500);
		await page.screenshot({ path: path.join(SHOTS, 'live-trigger-node-creator.png') });
		step('node panel lists "3CX Live Call" beside "3CX"');
		await item.click();
		// n8n offers one entry per Event: "On call ringing", "On call answered", …
		const onRinging = page.locator('[data-test-id=node-creator-item-name]', { hasText: /^On call ringing$/ }).first();
		await onRinging.waitFor({ timeout: 30000 });
		await page.waitForTimeout(500);
		await page.screenshot({ path: path.join(SHOTS, 'live-trigger-events.png') });
		step(`its triggers: ${(await page.locator('[data-test-id=node-creator-item-name]').allTextContents()).map((t) => t.trim()).join(', ')}`);
		await onRinging.click();
		await page.waitForSelector('[data-test-id=ndv]', { timeout: 90000 });
		step('opened the trigger');
		await page.click('[data-test-id=node-credentials-select]').catch(() => {});
		const option = page.locator('[data-test-id=node-credentials-select-item]', { hasText: CREDENTIAL.name }).first();
		if (await option.count()) await option.click();
		else await page.keyboard.press('Escape');
		await page.waitForTimeout(500);
		const listen = page.locator('[data-test-id=node-execute-button]').first();
		await listen.click();
		step(`pressed "${((await listen.textContent()) || '').trim()}"`);
		const socket = await (async () => {
			for (let i = 0; i < 120; i++) {
				if (sim.callControl.clients.size > 0) return true;
				await page.waitForTimeout(250);
			}
			return false;
		})();
		if (!socket) throw new Error('Listen for test event opened no Call Control socket within 30 s');
		sim.callControl.placeCall({ scenario: 'unanswered', to: '100', from: CALLER, name: 'ACME Corp', ringMs: 60000 });
		step(`simulator: a call from ${CALLER} rings at 100`);
		await page.getByText(CALLER, { exact: false }).first().waitFor({ timeout: 90000 });
		const jsonButtons = page.getByRole('radio', { name: 'JSON' });
		if ((await jsonButtons.count()) > 0) await jsonButtons.last().click().catch(() => {});
		await page.waitForTimeout(800);
		await page.screenshot({ path: path.join(SHOTS, 'live-trigger-test-event.png') });
		step('the output shows the ringing call; screenshots in docs/screenshots/');
		ok = true;
	} catch (error) {
		if (browser) {
			const pages = browser.contexts().flatMap((c) => c.pages());
			if (pages[0]) await pages[0].screenshot({ path: path.join(os.tmpdir(), 'live-browser-failure.png') }).catch(() => {});
		}
		throw error;
	} finally {
		if (browser) await browser.close().catch(() => {});
		if (instance) await instance.stopAll();
		await sim.stop();
		fs.rmSync(userFolder, { recursive: true, force: true });
	}
	return ok;
}

main().then(
	(ok) => {
		step(ok ? 'ok' : 'FAILED');
		process.exitCode = ok ? 0 : 1;
	},
	(error) => {
		console.error(`[live-browser] FAILED: ${error && error.stack ? error.stack : error}`);
		process.exitCode = 1;
	},
);
