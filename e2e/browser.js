#!/usr/bin/env node
'use strict';
/**
 * Browser test: a real n8n editor in Debian's Chromium, driven by playwright-core.
 * Normally started by e2e/run.js (which starts n8n and the fake 3CX). Standalone:
 *   E2E_N8N_URL=http://127.0.0.1:5678 E2E_FAKE_URL=http://127.0.0.1:4000 node e2e/browser.js
 *
 * Steps: owner set-up (or sign-in), new workflow, node creator search for "3CX", open the node
 * through one of its actions, pick a resource and an operation, create a 3CX credential against
 * the fake server (Save runs n8n's credential test), reopen it and press Retry (the Test button),
 * then execute the step and wait for the fake server's data in the output panel.
 * README screenshots go to docs/screenshots/, step screenshots to e2e/artifacts/browser/.
 */
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const REPO = path.resolve(__dirname, '..');
const N8N = (process.env.E2E_N8N_URL || 'http://127.0.0.1:5678').replace(/\/$/, '');
const FAKE = (process.env.E2E_FAKE_URL || '').replace(/\/$/, '');
const CLIENT_ID = process.env.E2E_CLIENT_ID || '900';
const CLIENT_SECRET = process.env.E2E_CLIENT_SECRET || 'e2e-client-secret';
const ARTIFACTS = path.join(process.env.E2E_ARTIFACTS || path.join(__dirname, 'artifacts'), 'browser');
const SHOTS = process.env.E2E_SCREENSHOTS || path.join(REPO, 'docs', 'screenshots');
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const OWNER = { email: 'owner@example.invalid', firstName: 'E2E', lastName: 'Owner', password: process.env.E2E_OWNER_PASSWORD || 'E2e-owner-password-1' };
const nodeJson = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'node.json'), 'utf8'));
const cfg = nodeJson.browser;
const { triggerSteps } = require('./browser-trigger');

const t0 = Date.now();
const step = (msg) => console.log(`[browser ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${msg}`);

async function main() {
	if (!FAKE) throw new Error('E2E_FAKE_URL is required');
	fs.mkdirSync(ARTIFACTS, { recursive: true });
	fs.mkdirSync(SHOTS, { recursive: true });
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
	const page = await context.newPage();
	page.setDefaultTimeout(60000);
	const consoleErrors = [];
	page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
	page.on('console', (m) => m.type() === 'error' && consoleErrors.push(`console: ${m.text().slice(0, 300)}`));
	let n = 0;
	const closeToasts = async () => {
		for (const b of await page.$$('.el-notification__closeBtn')) await b.click().catch(() => {});
		await page.waitForTimeout(400);
	};
	const shot = async (name, readme) => {
		n += 1;
		await closeToasts();
		// artifacts are JPEG: `n8n-node build` copies every **/*.{png,svg} of the repository into dist/
		await page.screenshot({ path: path.join(ARTIFACTS, `${String(n).padStart(2, '0')}-${name}.jpeg`), type: 'jpeg', quality: 80 });
		if (readme) await page.screenshot({ path: path.join(SHOTS, `${readme}.png`) });
	};
	const credentialTests = [];
	page.on('response', async (r) => {
		if (r.url().includes('/rest/credentials/test')) {
			const body = await r.json().catch(() => null);
			credentialTests.push({ status: r.status(), data: body && body.data });
		}
	});

	try {
		// ---------------------------------------------------------- owner set-up
		step(`open ${N8N}`);
		await page.goto(`${N8N}/`, { waitUntil: 'domcontentloaded' });
		let first = null;
		for (let i = 0; i < 360 && !first; i++) {
			if (await page.$('input[name=firstName]')) first = 'setup';
			else if (await page.$('input[name=password]')) first = 'signin';
			else await page.waitForTimeout(250);
		}
		if (!first) throw new Error('neither the owner set-up nor the sign-in form appeared');
		if (first === 'setup') {
			step('owner set-up form');
			await page.fill('input[name=email]', OWNER.email);
			await page.fill('input[name=firstName]', OWNER.firstName);
			await page.fill('input[name=lastName]', OWNER.lastName);
			await page.fill('input[name=password]', OWNER.password);
			await shot('owner-setup');
			await page.click('[data-test-id=form-submit-button]');
			await page.waitForURL((u) => !u.pathname.startsWith('/setup'), { timeout: 60000 });
		} else {
			step('sign in (owner already set up)');
			await page.fill('input[name=emailOrLdapLoginId], input[name=email]', OWNER.email);
			await page.fill('input[name=password]', OWNER.password);
			await page.click('[data-test-id=form-submit-button]');
			await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 60000 });
		}
		step(`signed in, at ${new URL(page.url()).pathname}`);

		// ---------------------------------------------------------- node creator
		await page.goto(`${N8N}/workflow/new`, { waitUntil: 'domcontentloaded' });
		await page.getByText('Add first step').waitFor({ timeout: 120000 });
		step('canvas ready');
		await page.click('[data-test-id=node-creator-plus-button]');
		await page.fill('[data-test-id=node-creator-search-bar]', cfg.search);
		const nodeItem = page.locator('[data-test-id=node-creator-item-name]', { hasText: new RegExp(`^${cfg.displayName}$`) }).first();
		await nodeItem.waitFor();
		await page.waitForTimeout(500);
		await shot('node-creator-search', 'node-creator-search');
		step(`node creator lists "${cfg.displayName}" for "${cfg.search}"`);
		await nodeItem.click();
		await page.getByText(/^Actions \(\d+\)$/).first().waitFor();
		const actionsText = await page.getByText(/^Actions \(\d+\)$/).first().textContent();
		await page.waitForTimeout(500);
		await shot('node-actions', 'node-actions');
		step(`actions panel: ${actionsText.trim()}`);
		// the action list is virtualised (600+ actions): filter it with the search bar, then scroll to the action
		const actionSearchBar = page.locator('[data-test-id=node-creator-search-bar]');
		if (cfg.actionSearch && (await actionSearchBar.isVisible())) {
			await actionSearchBar.fill(cfg.actionSearch);
			await page.waitForTimeout(1000);
		}
		const preferred = page.locator('[data-test-id=node-creator-item-name]', { hasText: new RegExp(cfg.action, 'i') }).first();
		// with the 3CX Trigger in the package, a new workflow's panel lists the triggers first and
		// shows the Actions category collapsed: open it
		if (!(await preferred.count())) {
			await page.getByText(/^Actions \(\d+\)$/).first().click();
			await page.waitForTimeout(1000);
		}
		for (let i = 0; i < 60 && !(await preferred.count()); i++) {
			const panel = await page.getByText(/^Actions \(\d+\)$/).first().boundingBox();
			if (panel) await page.mouse.move(panel.x + panel.width / 2, Math.min(panel.y + 200, 850));
			await page.mouse.wheel(0, 400);
			await page.waitForTimeout(150);
		}
		if (await preferred.count()) {
			await preferred.scrollIntoViewIfNeeded();
			step(`click action "${(await preferred.textContent()).trim()}"`);
			await preferred.click();
		} else {
			// fall back to the first action of the node (the items after the "Actions" category)
			const items = page.locator('[data-test-id=node-creator-action-item], [data-test-id=node-creator-item-name]');
			const texts = await items.allTextContents();
			const idx = texts.findIndex((t) => !/^On a /.test(t.trim()));
			step(`action /${cfg.action}/ not found; clicking "${texts[idx]}"`);
			await items.nth(idx).click();
		}
		const tNdv = Date.now();
		await page.waitForSelector('[data-test-id=ndv]', { timeout: 90000 });
		await page.waitForSelector('[data-test-id=parameter-input-resource]', { timeout: 90000 });
		step(`node panel open after ${((Date.now() - tNdv) / 1000).toFixed(1)} s`);

		// ---------------------------------------------------------- resource + operation
		const pick = async (param, pattern) => {
			await page.click(`[data-test-id=parameter-input-${param}]`);
			const options = page.locator('[data-test-id=parameter-input-item]:visible');
			await options.first().waitFor();
			const names = async () =>
				await options.evaluateAll((els) => els.map((e) => (e.querySelector('.option-headline') || e).textContent.trim()));
			const texts = await names();
			let idx = texts.findIndex((t) => new RegExp(pattern, 'i').test(t));
			if (idx < 0) {
				// long lists are virtualised or filtered: type to filter, then retry
				await page.keyboard.type(pattern.replace(/[\^$\\]/g, '').split('|')[0]);
				await page.waitForTimeout(500);
				const t2 = await names();
				idx = t2.findIndex((t) => new RegExp(pattern, 'i').test(t));
				if (idx < 0) throw new Error(`no ${param} option matches /${pattern}/ (options: ${t2.slice(0, 20).join(', ')})`);
				texts.splice(0, texts.length, ...t2);
			}
			await options.nth(idx).click();
			await options.first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
			step(`${param}: "${texts[idx]}" (${texts.length} options shown)`);
			return { chosen: texts[idx], count: texts.length };
		};
		const resource = await pick('resource', cfg.resource);
		const operation = await pick('operation', cfg.operation);

		// ---------------------------------------------------------- credential: create, save (tests), retry
		await page.click('[data-test-id=node-credentials-select]');
		await page.click('[data-test-id=node-credentials-select-item-new]');
		const modal = page.locator('[data-test-id=editCredential-modal]');
		await modal.waitFor();
		const field = (name) => modal.locator(`[data-test-id=parameter-input-${name}] input`).first();
		await field('baseUrl').fill(`${FAKE}/xapi/v1`);
		await field('clientId').fill(CLIENT_ID);
		await field('clientSecret').fill(CLIENT_SECRET);
		const labels = (await modal.locator('[data-test-id=credential-connection-parameter]').allTextContents()).map((t) =>
			t.replace(/Fixed|Expression|\*/g, '').trim(),
		);
		step(`credential form fields: ${labels.join(' | ')}`);
		await field('baseUrl').scrollIntoViewIfNeeded();
		await page.waitForTimeout(300);
		await shot('credential-form', 'credential-form');
		const fakeBefore = await fakeRequests();
		await modal.locator('[data-test-id=credential-save-button]').click();
		step('saved the credential (n8n tests it on save)');
		await waitFor(() => credentialTests.length >= 1, 60000, 'credential test after save');
		step(`credential test after save: ${JSON.stringify(credentialTests[0])}`);
		// the modal closes by itself on success; reopen it and press Retry (= test again)
		await modal.waitFor({ state: 'hidden', timeout: 15000 }).catch(() => {});
		if (!(await modal.isVisible())) {
			await page.click('[data-test-id=credential-edit-button]');
			await modal.waitFor();
		}
		const success = modal.locator('[data-test-id=credentials-config-container-test-success]');
		const retry = modal.getByRole('button', { name: /Retry|Test/ }).first();
		await retry.waitFor({ timeout: 60000 });
		const before = credentialTests.length;
		await retry.click();
		step('pressed Retry (credential test)');
		await waitFor(() => credentialTests.length > before, 60000, 'credential test after Retry');
		const lastTest = credentialTests[credentialTests.length - 1];
		step(`credential test after Retry: ${JSON.stringify(lastTest)}`);
		await success.waitFor({ timeout: 30000 }).catch(() => {});
		await page.waitForTimeout(300);
		await shot('credential-tested', 'credential-tested');
		const fakeAfter = await fakeRequests();
		const seen = fakeAfter.slice(fakeBefore.length).map((r) => `${r.method} ${r.path}${r.rawQuery ? '?' + decodeURIComponent(r.rawQuery) : ''} -> ${r.status}`);
		step(`fake 3CX saw: ${seen.join(' ; ')}`);
		if (!lastTest || !lastTest.data || lastTest.data.status !== 'OK') throw new Error(`credential test did not pass: ${JSON.stringify(lastTest)}`);
		if (!seen.some((s) => /^POST \/connect\/token -> 200/.test(s))) throw new Error('the credential test did not fetch a token from the fake 3CX');
		if (!seen.some((s) => /^GET \/xapi\/v1\/.* -> 200/.test(s))) throw new Error('the credential test made no authorised API request');
		await modal.locator('[data-test-id=editCredential-modal] button[aria-label=Close], .el-dialog__headerbtn').first().click().catch(() => page.keyboard.press('Escape'));
		await modal.waitFor({ state: 'hidden', timeout: 15000 }).catch(() => page.keyboard.press('Escape'));

		// ---------------------------------------------------------- parameters (after the credential: lists need it)
		if (cfg.locator) {
			const rl = page.locator(`[data-test-id=resource-locator-${cfg.locator.name}]`);
			if (cfg.locator.mode) {
				await rl.locator('[data-test-id=rlc-mode-selector]').click();
				await page.getByRole('option', { name: new RegExp(cfg.locator.mode, 'i') }).first().click();
			}
			if (!cfg.locator.mode || /list/i.test(cfg.locator.mode)) {
				const mark = (await fakeRequests()).length;
				await rl.locator('[data-test-id=rlc-input]').click();
				await page.locator('[data-test-id=rlc-item]').first().waitFor({ timeout: 60000 });
				const listed = await page.locator('[data-test-id=rlc-item]').count();
				if (cfg.locator.search) await page.keyboard.type(cfg.locator.search);
				const item = page.locator('[data-test-id=rlc-item]', { hasText: cfg.locator.pick }).first();
				await item.waitFor({ timeout: 60000 });
				await page.waitForTimeout(300);
				await shot('resource-locator-list', 'resource-locator-list');
				const label = (await item.textContent()).trim();
				await item.click();
				const seen = (await fakeRequests()).slice(mark).map((r) => `${r.method} ${r.path}?${decodeURIComponent(r.rawQuery)} -> ${r.status}`);
				step(`${cfg.locator.name}: list showed ${listed} entries, searched "${cfg.locator.search || ''}", picked "${label}"; fake 3CX saw: ${seen.join(' ; ')}`);
			} else {
				await rl.locator('[data-test-id=rlc-input]').fill(String(cfg.locator.value));
				step(`${cfg.locator.name}: ${cfg.locator.mode} = ${cfg.locator.value}`);
			}
		}
		for (const [name, value] of Object.entries(cfg.parameters || {})) {
			const input = page.locator(`[data-test-id=parameter-input-${name}] input, [data-test-id=parameter-input-${name}] textarea`).first();
			await input.fill(String(value));
			await input.press('Tab');
			step(`parameter ${name} = ${value}`);
		}
		await page.waitForTimeout(300);
		await shot('node-parameters', 'node-parameters');

		// ---------------------------------------------------------- execute the step
		if (cfg.expectOutputText) {
			const mark = (await fakeRequests()).length;
			await page.click('[data-test-id=node-execute-button]');
			step('pressed Execute step');
			await page.getByText(cfg.expectOutputText, { exact: false }).first().waitFor({ timeout: 90000 });
			// show the output as JSON (the right-most "JSON" switch belongs to the output panel)
			const jsonButtons = page.getByRole('radio', { name: 'JSON' });
			if ((await jsonButtons.count()) > 0) await jsonButtons.last().click().catch(() => {});
			await page.waitForTimeout(800);
			await shot('node-output', 'node-output');
			const reqs = (await fakeRequests()).slice(mark).map((r) => `${r.method} ${r.path} -> ${r.status}`);
			step(`output shows "${cfg.expectOutputText}"; fake 3CX saw: ${reqs.join(' ; ')}`);
		}

		// ---------------------------------------------------------- a JSON field shows its shape (README: Trunks > Set Routes)
		if (cfg.jsonField) {
			await pick('resource', cfg.jsonField.resource);
			await pick('operation', cfg.jsonField.operation);
			const json = page.locator(`[data-test-id=parameter-input-${cfg.jsonField.name}]`).first();
			await json.waitFor({ timeout: 30000 });
			await json.scrollIntoViewIfNeeded();
			// the description (where the shape is) shows as a tooltip on the field's label
			const label = page.locator('[data-test-id=parameter-item]', { has: json }).locator('label, .n8n-input-label').first();
			if (await label.count()) await label.hover().catch(() => {});
			await page.waitForTimeout(800);
			await shot('json-field', process.env.E2E_JSON_FIELD_SHOT || cfg.jsonField.screenshot);
			step(`JSON field ${cfg.jsonField.name} shown for ${cfg.jsonField.operation}`);
		}

		// ---------------------------------------------------------- the 3CX Trigger (e2e/browser-trigger.js)
		const trigger = await triggerSteps({ page, shot, step, n8nUrl: N8N, fakeUrl: FAKE, credentialName: nodeJson.credentials.good.name });

		const summary = { ok: true, resource, operation, actions: actionsText.trim(), trigger, credentialTests, consoleErrors: consoleErrors.slice(0, 20), ms: Date.now() - t0 };
		fs.writeFileSync(path.join(ARTIFACTS, 'summary.json'), JSON.stringify(summary, null, 2));
		step(`done; README screenshots in ${path.relative(REPO, SHOTS)}/`);
	} catch (e) {
		await page.screenshot({ path: path.join(ARTIFACTS, 'failure.jpeg'), type: 'jpeg', quality: 80 }).catch(() => {});
		fs.writeFileSync(path.join(ARTIFACTS, 'failure.html'), await page.content().catch(() => ''));
		fs.writeFileSync(path.join(ARTIFACTS, 'summary.json'), JSON.stringify({ ok: false, error: String(e && e.stack), credentialTests, consoleErrors }, null, 2));
		throw e;
	} finally {
		await browser.close();
	}
}

async function fakeRequests() {
	const r = await fetch(`${FAKE}/__sim/requests`);
	return r.json();
}

async function waitFor(cond, timeoutMs, what) {
	const end = Date.now() + timeoutMs;
	while (Date.now() < end) {
		if (await cond()) return;
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error(`timed out waiting for ${what}`);
}

main().catch((e) => {
	console.error(`[browser] FAILED: ${e && e.stack ? e.stack : e}`);
	process.exit(1);
});
