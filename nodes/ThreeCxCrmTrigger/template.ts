/**
 * The 3CX CRM template this trigger hands to the admin: pure string building, no XML library.
 *
 * Every element and attribute below is one that 3CX's "CRM template XML description"
 * (www.3cx.com/docs/server-side-crm-template-xml-description/) names, in the form public templates
 * that ran on live PBXs use it (docs/crm.md lists the sources per element):
 * - `<Crm Country Name Version SupportsEmojis>`, `<Number Prefix MaxLength>`,
 *   `<Connection MaxConcurrentRequests>` (all templates; MaxLength="" = "number not changed");
 * - `<Parameter Name Type Parent Editor Title Default>`, Type Password/Boolean (numbers.online,
 *   tierklinik-dobersberg/3cx-support);
 * - `<Authentication Type="Basic"><Value>user:[Param]</Value>` (tierklinik `token:[APIkey]`,
 *   renuo/redmine_3cx `[ApiKey]:x`): 3CX sends `Authorization: Basic` on every request;
 * - a literal value in PostValues (`<Value Key="event">newCall</Value>`, Zammad_3CX) tells the
 *   trigger's one URL which event a request is;
 * - lookup scenario `Id=""` with `<Rules><Rule Type="Any">contacts.id</Rule>` and variable paths
 *   into a `contacts` array (renuo/redmine_3cx, whose server answers `{contacts: [...]}`);
 * - `ReportCall` with `RequestEncoding="Json" RequestType="Post"`, `<PostValues Key="">`,
 *   `<Value Key Passes Type>`, `SkipIf="[ReportCallEnabled]!=True"`,
 *   `[[[DurationTimespan].get_TotalSeconds()].ToString("F0")]`, `[Contact::ContactID]`
 *   (tierklinik), `[[CallStartTimeUTC].ToString("yyyy-MM-ddTHH:mm:ssZ")]` (Zammad_3CX,
 *   Transfact templates), `[CallEstablishedTimeUTC]`, `[QueueExtension]`, `[AgentEmail]`,
 *   `[RecordingUrl]` (public V20 templates).
 */

/** The contact shape the workflow answers with, one entry of `contacts`, mapped to 3CX's outputs. */
export const CONTACT_FIELDS: ReadonlyArray<{ field: string; output: string; description: string }> = [
	{ field: 'id', output: 'ContactID', description: 'Your CRM\'s ID of the contact (3CX returns it in the call journal)' },
	{ field: 'firstName', output: 'FirstName', description: 'First name' },
	{ field: 'lastName', output: 'LastName', description: 'Last name' },
	{ field: 'company', output: 'CompanyName', description: 'Company' },
	{ field: 'email', output: 'Email', description: 'Email address' },
	{ field: 'phoneBusiness', output: 'PhoneBusiness', description: 'Business phone' },
	{ field: 'phoneBusiness2', output: 'PhoneBusiness2', description: 'Second business phone' },
	{ field: 'phoneMobile', output: 'PhoneMobile', description: 'Mobile phone' },
	{ field: 'phoneMobile2', output: 'PhoneMobile2', description: 'Second mobile phone' },
	{ field: 'phoneHome', output: 'PhoneHome', description: 'Home phone' },
	{ field: 'phoneOther', output: 'PhoneOther', description: 'Other phone' },
	{ field: 'faxBusiness', output: 'FaxBusiness', description: 'Business fax' },
	{ field: 'url', output: 'ContactUrl', description: 'Link the 3CX apps open for this contact' },
];

/** The call journal body 3CX posts: our key, the 3CX expression that fills it. */
export const JOURNAL_VALUES: ReadonlyArray<{ key: string; expression: string }> = [
	{ key: 'callType', expression: '[CallType]' },
	{ key: 'callDirection', expression: '[CallDirection]' },
	{ key: 'number', expression: '[Number]' },
	{ key: 'contactId', expression: '[Contact::ContactID]' },
	{ key: 'agent', expression: '[Agent]' },
	{ key: 'agentFirstName', expression: '[AgentFirstName]' },
	{ key: 'agentLastName', expression: '[AgentLastName]' },
	{ key: 'agentEmail', expression: '[AgentEmail]' },
	{ key: 'queueExtension', expression: '[QueueExtension]' },
	{ key: 'duration', expression: '[Duration]' },
	{ key: 'durationSeconds', expression: '[[[DurationTimespan].get_TotalSeconds()].ToString("F0")]' },
	{ key: 'dateTime', expression: '[DateTime]' },
	{ key: 'callStartTimeUtc', expression: '[[CallStartTimeUTC].ToString("yyyy-MM-ddTHH:mm:ssZ")]' },
	{ key: 'callEstablishedTimeUtc', expression: '[[CallEstablishedTimeUTC].ToString("yyyy-MM-ddTHH:mm:ssZ")]' },
	{ key: 'callEndTimeUtc', expression: '[[CallEndTimeUTC].ToString("yyyy-MM-ddTHH:mm:ssZ")]' },
	{ key: 'recordingUrl', expression: '[RecordingUrl]' },
];

/** The user name of the Basic authentication 3CX sends; the password is the secret. */
export const BASIC_USER = 'n8n';

/** What the generator needs: the webhook URLs of this trigger and the switches. */
export interface TemplateOptions {
	/** Template name shown in the 3CX console. */
	name: string;
	secret: string;
	lookupUrl: string;
	/** Contact search from the 3CX apps (`SearchContacts` scenario); omitted when undefined. */
	searchUrl?: string;
	/** Lookup by email (`LookupByEmail` scenario); omitted when undefined. */
	emailUrl?: string;
	/** Call journal (`ReportCall` scenario); omitted when undefined. */
	journalUrl?: string;
	/** Default of the console's "Enable Call Journaling" switch. */
	journalEnabled?: boolean;
	/** Default of the console's "Journal Missed and Unanswered Calls" switch (SkipIf on [CallType]). */
	journalMissed?: boolean;
	/** `Version` of the template (3CX uses it for updates). */
	version?: number;
}

/** The secret goes into an XML attribute and a 3CX expression: letters, digits and `-._~` only. */
export const SECRET_PATTERN = /^[A-Za-z0-9._~-]{16,200}$/;

/** Escape text for an XML attribute or element. */
export function xmlEscape(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&apos;');
}

function attributes(pairs: Array<[string, string]>): string {
	return pairs.map(([k, v]) => ` ${k}="${xmlEscape(v)}"`).join('');
}

function urlProblem(field: string, url: string | undefined): string | undefined {
	if (url === undefined) return undefined;
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return `${field}: "${url}" is not an absolute URL`;
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		return `${field}: 3CX calls http(s) URLs only, not ${parsed.protocol}`;
	}
	// `[` and `]` start 3CX expressions inside Url.
	if (/[[\]\s]/.test(url)) return `${field}: the URL must not contain spaces, "[" or "]"`;
	return undefined;
}

/** What is wrong with the options, naming the field; undefined when they make a template. */
export function templateProblem(options: TemplateOptions): string | undefined {
	if (!SECRET_PATTERN.test(options.secret)) {
		return 'Secret: use 16 to 200 letters, digits, "-", ".", "_" or "~" (it goes into the template and a Basic authentication header)';
	}
	const url =
		urlProblem('Lookup URL', options.lookupUrl) ??
		urlProblem('Search URL', options.searchUrl) ??
		urlProblem('Email URL', options.emailUrl) ??
		urlProblem('Journal URL', options.journalUrl);
	if (url) return url;
	if (/[[\]]/.test(options.name)) return 'Template Name: must not contain "[" or "]"';
	const version = options.version ?? 1;
	if (!Number.isInteger(version) || version < 1) return 'Version: a whole number from 1';
	return undefined;
}

function literal(key: string, value: string, indent: string): string {
	return `${indent}<Value${attributes([['Key', key], ['Passes', '1'], ['Type', 'String']])}>${xmlEscape(value)}</Value>`;
}

function contactScenario(id: string, event: string, url: string, valueKey: string, expression: string, indent: string): string {
	const i = indent;
	const lines: string[] = [];
	lines.push(`${i}<Scenario${attributes([['Id', id], ['Type', 'REST']])}>`);
	lines.push(
		`${i}  <Request${attributes([
			['SkipIf', ''],
			['Url', url],
			['MessagePasses', '0'],
			['RequestContentType', 'application/json'],
			['RequestEncoding', 'Json'],
			['RequestType', 'Post'],
			['ResponseType', 'Json'],
		])}>`,
	);
	lines.push(`${i}    <PostValues Key="">`);
	lines.push(literal('event', event, `${i}      `));
	lines.push(`${i}      <Value${attributes([['Key', valueKey], ['Passes', '1'], ['Type', 'String']])}>${xmlEscape(expression)}</Value>`);
	lines.push(`${i}    </PostValues>`);
	lines.push(`${i}  </Request>`);
	lines.push(`${i}  <Rules>`);
	lines.push(`${i}    <Rule Type="Any">contacts.id</Rule>`);
	lines.push(`${i}  </Rules>`);
	lines.push(`${i}  <Variables>`);
	for (const f of CONTACT_FIELDS) {
		lines.push(`${i}    <Variable${attributes([['Name', f.output], ['Path', `contacts.${f.field}`]])}>`);
		lines.push(`${i}      <Filter />`);
		lines.push(`${i}    </Variable>`);
	}
	lines.push(`${i}  </Variables>`);
	lines.push(`${i}  <Outputs AllowEmpty="false">`);
	for (const f of CONTACT_FIELDS) {
		lines.push(`${i}    <Output${attributes([['Type', f.output], ['Passes', '0'], ['Value', `[${f.output}]`]])} />`);
	}
	lines.push(`${i}    <Output Type="EntityId" Passes="0" Value="[ContactID]" />`);
	lines.push(`${i}    <Output Type="EntityType" Passes="0" Value="Contacts" />`);
	lines.push(`${i}  </Outputs>`);
	lines.push(`${i}</Scenario>`);
	return lines.join('\n');
}

/**
 * The template XML, or what is wrong with the options. Deterministic: the same options give the
 * same bytes.
 */
export function buildCrmTemplate(options: TemplateOptions): { xml: string; problem?: undefined } | { xml?: undefined; problem: string } {
	const problem = templateProblem(options);
	if (problem) return { problem };
	const name = options.name.trim() || 'n8n';
	const version = options.version ?? 1;

	const out: string[] = [];
	out.push('<?xml version="1.0" encoding="utf-8"?>');
	out.push(
		`<Crm${attributes([
			['Country', 'US'],
			['Name', name],
			['Version', String(version)],
			['SupportsEmojis', 'true'],
		])}>`,
	);
	out.push('  <Number Prefix="AsIs" MaxLength="" />');
	out.push('  <Connection MaxConcurrentRequests="16" />');
	out.push('  <Parameters>');
	out.push(
		`    <Parameter${attributes([
			['Name', 'Secret'],
			['Type', 'Password'],
			['Parent', 'General Configuration'],
			['Editor', 'String'],
			['Title', 'n8n Webhook Secret:'],
			['Default', options.secret],
		])} />`,
	);
	if (options.journalUrl !== undefined) {
		out.push(
			`    <Parameter${attributes([
				['Name', 'ReportCallEnabled'],
				['Type', 'Boolean'],
				['Editor', 'String'],
				['Title', 'Enable Call Journaling'],
				['Default', options.journalEnabled === false ? 'False' : 'True'],
			])} />`,
		);
		out.push(
			`    <Parameter${attributes([
				['Name', 'ReportMissedEnabled'],
				['Type', 'Boolean'],
				['Parent', 'ReportCallEnabled'],
				['Editor', 'String'],
				['Title', 'Journal Missed and Unanswered Calls'],
				['Default', options.journalMissed === false ? 'False' : 'True'],
			])} />`,
		);
	}
	out.push('  </Parameters>');
	out.push('  <Authentication Type="Basic">');
	out.push(`    <Value>${BASIC_USER}:[Secret]</Value>`);
	out.push('  </Authentication>');
	out.push('  <Scenarios>');
	out.push(contactScenario('', 'lookup', options.lookupUrl, 'number', '[Number]', '    '));
	if (options.searchUrl !== undefined) {
		out.push(contactScenario('SearchContacts', 'search', options.searchUrl, 'searchText', '[SearchText]', '    '));
	}
	if (options.emailUrl !== undefined) {
		out.push(contactScenario('LookupByEmail', 'email', options.emailUrl, 'email', '[Email]', '    '));
	}
	if (options.journalUrl !== undefined) {
		out.push(
			`    <Scenario Id="ReportCall" Type="REST">`,
			`      <Request${attributes([
				[
					'SkipIf',
					'[ReportCallEnabled]!=True||[IIf([ReportMissedEnabled]!=True,[IIf([CallType]==Missed||[CallType]==Notanswered,True,False)],False)]==True',
				],
				['Url', options.journalUrl],
				['MessagePasses', '0'],
				['RequestContentType', 'application/json'],
				['RequestEncoding', 'Json'],
				['RequestType', 'Post'],
				['ResponseType', 'Json'],
			])}>`,
			'        <PostValues Key="">',
			literal('event', 'callJournal', '          '),
		);
		for (const v of JOURNAL_VALUES) {
			out.push(`          <Value${attributes([['Key', v.key], ['Passes', '1'], ['Type', 'String']])}>${xmlEscape(v.expression)}</Value>`);
		}
		out.push('        </PostValues>', '      </Request>', '      <Variables />', '      <Outputs AllowEmpty="true" />', '    </Scenario>');
	}
	out.push('  </Scenarios>');
	out.push('</Crm>');
	return { xml: out.join('\n') + '\n' };
}
