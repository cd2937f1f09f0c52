'use strict';
/**
 * The 3CX Trigger in the editor, as steps of e2e/browser.js: the node panel of a new workflow
 * lists 3CX's triggers (n8n shows each Event as "On …" under "Triggers" instead of "No 3CX
 * Triggers available"), the trigger opens from "On missed call", and Fetch Test Event shows the
 * latest missed call of the simulator (one is added through its control API first).
 * README screenshots: docs/screenshots/trigger-node-creator.png, trigger-test-event.png.
 */

async function addMissedCall(fake) {
	const clock = await (await fetch(`${fake}/__sim/clock`)).json();
	const now = Date.parse(clock.now);
	// Fetch Test Event shows the newest missed call whose legs have settled (ended 60 s ago): this one
	// ended 65 s before now, so it is settled by the fetch and newer than every call an earlier e2e
	// step placed in the same simulator (e2e/trigger-calls.js ends with a whole quiet poll interval).
	const segment = {
		CallId: 990001,
		SegmentStartTime: new Date(now - 75_000).toISOString(),
		SegmentEndTime: new Date(now - 65_000).toISOString(),
		SrcExternal: true,
		SrcDn: '10000',
		SrcCallerNumber: '+4930555123',
		SrcDisplayName: 'Ann Caller',
		SrcDnType: 0,
		DstDn: '800',
		DstDisplayName: 'Support Queue',
		DstDnType: 4,
		CallAnswered: false,
	};
	const r = await fetch(`${fake}/__sim/records/CallHistoryView`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify([segment]),
	});
	if (r.status !== 201) throw new Error(`the simulator did not take the missed call: ${r.status} ${await r.text()}`);
	return segment;
}

/** `page` is signed in; `shot(name, readme)` and `step(msg)` are browser.js's. */
async function triggerSteps({ page, shot, step, n8nUrl, fakeUrl, credentialName }) {
	const call = await addMissedCall(fakeUrl);
	step(`simulator: missed call from ${call.SrcCallerNumber} to queue ${call.DstDn} added`);
	await page.goto(`${n8nUrl}/workflow/new`, { waitUntil: 'domcontentloaded' });
	await page.getByText('Add first step').waitFor({ timeout: 120000 });
	await page.click('[data-test-id=node-creator-plus-button]');
	await page.fill('[data-test-id=node-creator-search-bar]', '3CX');
	const app = page.locator('[data-test-id=node-creator-item-name]', { hasText: /^3CX$/ }).first();
	await app.waitFor();
	await app.click();
	const triggers = page.getByText(/^Triggers \(\d+\)$/).first();
	await triggers.waitFor({ timeout: 30000 });
	const triggersText = (await triggers.textContent()).trim();
	if (await page.getByText(/No 3CX Triggers available/i).count()) throw new Error('the node panel still says "No 3CX Triggers available"');
	const onMissed = page.locator('[data-test-id=node-creator-item-name]', { hasText: /^On missed call$/ }).first();
	await onMissed.waitFor();
	const names = await page.locator('[data-test-id=node-creator-item-name]').allTextContents();
	await page.waitForTimeout(500);
	await shot('trigger-node-creator', 'trigger-node-creator');
	step(`node panel: ${triggersText}: ${names.filter((t) => /^On /.test(t.trim())).join(', ')}`);

	await onMissed.click();
	await page.waitForSelector('[data-test-id=ndv]', { timeout: 90000 });
	const title = await page.locator('[data-test-id=ndv]').getByText('3CX Trigger').first().textContent();
	step(`opened "${title.trim()}"`);
	// pick the credential that talks to the simulator
	await page.click('[data-test-id=node-credentials-select]');
	const option = page.locator('[data-test-id=node-credentials-select-item]', { hasText: credentialName }).first();
	if (await option.count()) await option.click();
	else await page.keyboard.press('Escape');
	await page.waitForTimeout(500);
	const mark = (await (await fetch(`${fakeUrl}/__sim/requests`)).json()).length;
	const fetchButton = page.locator('[data-test-id=node-execute-button]', { hasText: /Fetch Test Event/ }).first();
	await fetchButton.click();
	step('pressed Fetch Test Event');
	await page.getByText(call.SrcCallerNumber, { exact: false }).first().waitFor({ timeout: 90000 });
	const jsonButtons = page.getByRole('radio', { name: 'JSON' });
	if ((await jsonButtons.count()) > 0) await jsonButtons.last().click().catch(() => {});
	await page.waitForTimeout(800);
	await shot('trigger-test-event', 'trigger-test-event');
	const reqs = (await (await fetch(`${fakeUrl}/__sim/requests`)).json()).slice(mark).filter((r) => r.kind === 'api');
	step(`output shows the missed call from ${call.SrcCallerNumber}; simulator saw: ${reqs.map((r) => `${r.method} ${r.path.split('(')[0]} -> ${r.status}`).join(' ; ')}`);
	if (!reqs.some((r) => /GetCallLogData/.test(r.path) && r.status === 200)) throw new Error('Fetch Test Event did not read the call log');
	return { triggers: triggersText };
}

module.exports = { triggerSteps };
