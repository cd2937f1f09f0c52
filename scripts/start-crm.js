'use strict';
/**
 * npm start, issue 19: a 3CX CRM Trigger workflow (Contact Lookup + Call Journal) against the
 * simulated 3CX. Creates the 3CX CRM Webhook API credential and the workflow through n8n's REST
 * API, activates it, fetches the template from the trigger's own URL and loads it into the
 * simulator's CRM engine, so `POST /__sim/crm/calls` places calls that n8n answers and journals.
 */
const crypto = require('node:crypto');

const { crmWorkflow, WEBHOOK_ID } = require('../e2e/crm');

/**
 * @param {{ n8nUrl: string, cookie: string, sim?: { baseUrl: string }, info: (line: string) => void }} o
 * @returns {Promise<{ name: string, webhookUrl: string, secret: string } | undefined>}
 */
async function setupCrm({ n8nUrl, cookie, sim, info }) {
	const rest = async (method, p, body) => {
		const r = await fetch(`${n8nUrl}/rest${p}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
		const text = await r.text();
		if (!r.ok) throw new Error(`${method} /rest${p}: ${r.status} ${text.slice(0, 300)}`);
		return text ? JSON.parse(text).data : undefined;
	};
	const secret = crypto.randomBytes(24).toString('base64url');
	const cred = await rest('POST', '/credentials', { name: '3CX CRM Webhook (simulated PBX)', type: 'threeCxCrmApi', data: { secret } });
	const { id: _id, active: _active, ...workflow } = crmWorkflow(undefined, { id: cred.id, name: cred.name });
	workflow.name = '3CX CRM: contact lookup + call journal';
	const created = await rest('POST', '/workflows', workflow);
	await rest('POST', `/workflows/${created.id}/activate`, { versionId: created.versionId });
	const webhookUrl = `${n8nUrl}/webhook/${WEBHOOK_ID}/crm`;
	const auth = `Basic ${Buffer.from(`n8n:${secret}`).toString('base64')}`;
	let xml = '';
	for (let i = 0; i < 40 && !xml; i++) {
		const r = await fetch(webhookUrl, { headers: { authorization: auth } });
		if (r.ok) xml = await r.text();
		else await new Promise((resolve) => setTimeout(resolve, 250));
	}
	if (!xml) throw new Error(`the trigger's template URL ${webhookUrl} did not answer`);
	if (sim) {
		const r = await fetch(`${sim.baseUrl}/__sim/crm/template`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml });
		if (!r.ok) throw new Error(`/__sim/crm/template: ${r.status} ${await r.text()}`);
	}
	info(`"${workflow.name}" active; template ${webhookUrl} (user n8n, the credential's secret)${sim ? ', loaded into the simulator' : ''}`);
	return { name: workflow.name, webhookUrl, secret };
}

module.exports = { setupCrm };
