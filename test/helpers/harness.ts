/**
 * Runs a declarative node through n8n-core's REAL execution code, the way
 * n8n 2.41 does for a node without `execute()`:
 *
 *   Workflow (n8n-workflow, fills parameter defaults like the server does)
 *   -> ExecuteContext (n8n-core)
 *   -> RoutingNode.runNode() (n8n-core): per item ExecuteSingleContext,
 *      requestDefaults / routing evaluation, preSend, httpRequestWithAuthentication
 *      -> requestOAuth2 (client credentials, token storage, 401 refresh) -> axios
 *      -> postReceive, pagination.
 *
 * Only the server-side pieces that live in the n8n CLI package are replaced, by
 * small re-implementations of n8n 2.41.3's `CredentialsHelper` logic
 * (packages/cli/src/credentials-helper.ts): credential properties merged with
 * the parent `oAuth2Api`, defaults applied with `NodeHelpers.getNodeParameters`,
 * `=`-expressions resolved with `$self` bound to the credential data, and an
 * in-memory "database" row (`CredentialStore`) that token updates are written to.
 *
 * DI (Logger, InstanceSettings, LockService, OutboundHttp, BinaryDataService) is
 * prepared by `n8n-runtime.js`.
 */
import {
	DirectoryLoader,
	ExecuteContext,
	LoadOptionsContext,
	PollContext,
	RoutingNode,
	WorkflowExecute,
	getAdditionalKeys,
} from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialsExpressionResolveValues,
	ICredentialType,
	IDataObject,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IRunExecutionData,
	ITaskDataConnections,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	Workflow,
	createRunExecutionData,
	deepCopy,
	injectDomainRestrictionFields,
	isExpression,
} from 'n8n-workflow';

import type { LogEntry, N8nRuntime } from './n8n-runtime';
import { ThreeCxServerApi } from '../../credentials/ThreeCxServerApi.credentials';
import { loadProjectCredentialType, loadProjectNodeType, setupN8nRuntime } from './n8n-runtime';
import type { XapiServer } from '../../simulator';

/* ------------------------------------------------------------------ */
/* constants                                                           */
/* ------------------------------------------------------------------ */

/** Credential type name of the project's credential. */
export const CREDENTIAL_TYPE = 'threeCxOAuth2Api';
/** Full node type as n8n registers a community node: `<package>.<name>`. */
export const NODE_TYPE = 'n8n-nodes-3cx.threeCx';
export const PACKAGE_NAME = 'n8n-nodes-3cx';

/**
 * n8n 2.41.3 `OAUTH_PINNED_FIELDS` (cli `oauth/dcr-managed-fields`): stored values
 * of these fields are dropped when the credential type declares them `hidden`,
 * so the type's default always wins.
 */
const OAUTH_PINNED_FIELDS = [
	'useDynamicClientRegistration',
	'authUrl',
	'accessTokenUrl',
	'grantType',
	'authentication',
	'usePkce',
	'requestTokenUrl',
	'signatureMethod',
];

/**
 * The parent credential `oAuth2Api` as shipped in n8n-nodes-base 2.41.2, reduced
 * to what affects execution: each field's name, type, default and display
 * conditions (NodeHelpers.getNodeParameters only returns defaults of displayed
 * fields). Fields marked `doNotInherit` there are marked the same here, so
 * children do not inherit them (e.g. `ignoreSSLIssues`, `tokenExpiredStatusCode`).
 */
function oAuth2ApiCredentialType(): ICredentialType {
	const notDcr = { useDynamicClientRegistration: [false] };
	const field = (
		name: string,
		type: INodeProperties['type'],
		defaultValue: INodeProperties['default'],
		extra: Partial<INodeProperties> = {},
	): INodeProperties => ({ displayName: name, name, type, default: defaultValue, ...extra });
	return {
		name: 'oAuth2Api',
		displayName: 'OAuth2 API',
		genericAuth: true,
		properties: [
			field('useDynamicClientRegistration', 'hidden', false),
			field('grantType', 'options', 'authorizationCode', {
				displayOptions: { show: notDcr },
				options: [
					{ name: 'Authorization Code', value: 'authorizationCode' },
					{ name: 'Client Credentials', value: 'clientCredentials' },
					{ name: 'PKCE', value: 'pkce' },
				],
			}),
			field('serverUrl', 'string', '', { displayOptions: { show: { useDynamicClientRegistration: [true] } } }),
			field('authUrl', 'string', '', {
				displayOptions: { show: { grantType: ['authorizationCode', 'pkce'], ...notDcr } },
			}),
			field('accessTokenUrl', 'string', '', { displayOptions: { show: notDcr } }),
			field('clientId', 'string', '', { displayOptions: { show: notDcr } }),
			field('clientCredentialType', 'hidden', 'clientSecret'),
			field('clientSecret', 'string', '', { displayOptions: { show: notDcr }, typeOptions: { password: true } }),
			field('privateKey', 'hidden', ''),
			field('certificate', 'hidden', ''),
			field('scope', 'string', '', { displayOptions: { show: notDcr } }),
			field('authQueryParameters', 'string', '', {
				displayOptions: { show: { grantType: ['authorizationCode', 'pkce'], ...notDcr } },
			}),
			field('authentication', 'options', 'header', {
				displayOptions: { show: notDcr },
				options: [
					{ name: 'Body', value: 'body' },
					{ name: 'Header', value: 'header' },
				],
			}),
			field('sendAdditionalBodyProperties', 'boolean', false, {
				displayOptions: { show: { grantType: ['clientCredentials'], authentication: ['body'], ...notDcr } },
			}),
			field('additionalBodyProperties', 'json', '', {
				displayOptions: {
					show: {
						grantType: ['clientCredentials'],
						authentication: ['body'],
						sendAdditionalBodyProperties: [true],
						...notDcr,
					},
				},
			}),
			field('ignoreSSLIssues', 'boolean', false, { doNotInherit: true }),
			field('tokenExpiredStatusCode', 'number', 401, { doNotInherit: true }),
			field('jweEnabled', 'boolean', false, { doNotInherit: true }),
			field('jwksUri', 'string', '', { doNotInherit: true, displayOptions: { show: { jweEnabled: [true] } } }),
			field('inlineJwks', 'boolean', false, {
				doNotInherit: true,
				displayOptions: { show: { jweEnabled: [true], useDynamicClientRegistration: [true] } },
			}),
		],
	};
}

/* ------------------------------------------------------------------ */
/* credential types                                                    */
/* ------------------------------------------------------------------ */

/** What n8n's CredentialTypes + LoadNodesAndCredentials provide, for a handful of types. */
export class CredentialTypeRegistry {
	private readonly types = new Map<string, ICredentialType>();

	constructor(types: ICredentialType[] = []) {
		this.register(oAuth2ApiCredentialType());
		// the 3CX OAuth2 API credential's first parent (the Base URL field), as n8n loads it from the package
		this.register(new ThreeCxServerApi());
		for (const type of types) this.register(type);
	}

	/** Registers a type; like n8n's loader, injects the "Allowed HTTP Request Domains" fields. */
	register(type: ICredentialType): this {
		type.properties = injectDomainRestrictionFields(type);
		this.types.set(type.name, type);
		return this;
	}

	has(name: string): boolean {
		return this.types.has(name);
	}

	getByName(name: string): ICredentialType {
		const type = this.types.get(name);
		if (!type) throw new UnexpectedError(`Unknown credential type "${name}" (register it with the harness)`);
		return type;
	}

	/** n8n cli `CredentialTypes.getParentTypes`. */
	getParentTypes(name: string): string[] {
		const extendsArr = this.types.get(name)?.extends ?? [];
		const result = [...extendsArr];
		for (const type of extendsArr) result.push(...this.getParentTypes(type));
		return result;
	}

	/** n8n cli `CredentialsHelper.getCredentialsProperties`. */
	getCredentialsProperties(name: string): INodeProperties[] {
		const type = this.getByName(name);
		if (type.extends === undefined) {
			if (['oAuth1Api', 'oAuth2Api'].includes(name)) {
				return [
					...type.properties,
					{ displayName: 'oauthTokenData', name: 'oauthTokenData', type: 'json', required: false, default: {} },
				];
			}
			return type.properties;
		}
		const combined: INodeProperties[] = [];
		for (const parent of type.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, type.properties);
		return combined;
	}
}

/* ------------------------------------------------------------------ */
/* credential store ("the database row")                               */
/* ------------------------------------------------------------------ */

export interface CredentialStoreOptions {
	id?: string;
	name?: string;
	type?: string;
}

/**
 * The stored (decrypted) credential data, as n8n keeps it in its database.
 * `updateCredentialsOauthTokenData` writes `oauthTokenData` here, later
 * `getDecrypted` calls read it back, so a store shared between `runNode` calls
 * behaves like one credential used by several executions.
 */
export class CredentialStore {
	readonly id: string;
	readonly name: string;
	readonly type: string;
	/** The stored row (what the user saved + `oauthTokenData` written by n8n). */
	data: ICredentialDataDecryptedObject;
	/** Every `oauthTokenData` n8n wrote, in order. */
	readonly tokenUpdates: IDataObject[] = [];
	/** `getDecrypted` calls that applied defaults/expressions (one per getCredentials). */
	decryptCount = 0;
	/** `getDecrypted(..., raw = true)` calls (the OAuth2 refresh path re-reads the stored token). */
	rawDecryptCount = 0;

	constructor(data: ICredentialDataDecryptedObject = {}, options: CredentialStoreOptions = {}) {
		this.data = deepCopy(data);
		this.id = options.id ?? '1';
		this.name = options.name ?? '3CX';
		this.type = options.type ?? CREDENTIAL_TYPE;
	}

	get nodeCredentials(): INodeCredentialsDetails {
		return { id: this.id, name: this.name };
	}

	get oauthTokenData(): IDataObject | undefined {
		return this.data.oauthTokenData as IDataObject | undefined;
	}

	get accessToken(): string | undefined {
		return this.oauthTokenData?.access_token as string | undefined;
	}

	get tokenUpdateCount(): number {
		return this.tokenUpdates.length;
	}

	/** Pretend n8n already holds a token (e.g. a stale one from an earlier run). */
	setAccessToken(accessToken: string, extra: IDataObject = {}): this {
		this.data.oauthTokenData = { token_type: 'Bearer', access_token: accessToken, refresh_token: null, ...extra };
		return this;
	}

	clearToken(): this {
		delete this.data.oauthTokenData;
		return this;
	}

	/** Merge into the stored data (like the user editing the credential). */
	update(data: ICredentialDataDecryptedObject): this {
		Object.assign(this.data, deepCopy(data));
		return this;
	}
}

/* ------------------------------------------------------------------ */
/* credentials helper                                                  */
/* ------------------------------------------------------------------ */

const mockNode: INode = {
	id: 'mock',
	name: '',
	typeVersion: 1,
	type: 'mock',
	position: [0, 0],
	parameters: {},
};

const mockNodeTypes: INodeTypes = {
	getKnownTypes: () => ({}),
	getByName: () => ({ description: { properties: [] } }) as unknown as INodeType,
	getByNameAndVersion: () => ({ description: { properties: [] } }) as unknown as INodeType,
};

/**
 * Test stand-in for n8n cli's `CredentialsHelper` (2.41.3), backed by
 * `CredentialStore`s instead of the database.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	/** Calls to updateCredentialsOauthTokenData across all stores. */
	tokenUpdateCalls = 0;

	constructor(
		readonly registry: CredentialTypeRegistry,
		readonly stores: Map<string, CredentialStore> = new Map(),
	) {
		super();
	}

	addStore(store: CredentialStore): this {
		this.stores.set(store.id, store);
		return this;
	}

	private storeFor(nodeCredentials: INodeCredentialsDetails, type: string): CredentialStore {
		const store = nodeCredentials.id ? this.stores.get(nodeCredentials.id) : undefined;
		if (!store || store.type !== type) {
			throw new UnexpectedError(`Credential with ID "${nodeCredentials.id}" does not exist for type "${type}".`);
		}
		return store;
	}

	getParentTypes(name: string): string[] {
		return this.registry.getParentTypes(name);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.registry.getCredentialsProperties(type);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions as IHttpRequestOptions;
		const credentialType = this.registry.getByName(typeName);
		const { authenticate } = credentialType;
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions);
		}
		if (authenticate && authenticate.type === 'generic') {
			if (!workflow || !node) {
				throw new UnexpectedError('Workflow and node are required for declarative credential authentication');
			}
			const resolve = (value: string): string => {
				if (!isExpression(value)) return value;
				const resolved = workflow.expression.getSimpleParameterValue(
					node,
					value,
					'internal',
					{ $credentials: credentials },
					undefined,
					'',
				);
				return resolved ? String(resolved) : '';
			};
			const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				if (!target[outerKey]) target[outerKey] = {};
				for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
					target[outerKey][resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.registry.getByName(typeName);
		const expirable = credentialType.properties.find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		);
		if (expirable?.name === undefined || typeof credentialType.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		const output = await credentialType.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		const nodeCredentials = node.credentials?.[credentialType.name];
		if (nodeCredentials) {
			const store = this.storeFor(nodeCredentials, credentialType.name);
			store.update(output as ICredentialDataDecryptedObject);
			return Object.assign(credentials, output) as ICredentialDataDecryptedObject;
		}
		return undefined;
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.registry.getByName(typeName);
		if (typeof credentialType.preAuthentication !== 'function') return undefined;
		const output = await credentialType.preAuthentication.call(helpers, credentials);
		return (output as ICredentialDataDecryptedObject) ?? undefined;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const store = this.storeFor(nodeCredentials, type);
		throw new UnexpectedError(
			`getCredentials("${store.id}") is not supported by the test harness (no encryption); use getDecrypted`,
		);
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const store = this.storeFor(nodeCredentials, type);
		// a fresh copy, like decrypting the database row again
		const original = deepCopy(store.data);
		if (raw === true) {
			store.rawDecryptCount++;
			return original;
		}
		store.decryptCount++;
		return this.applyDefaultsAndOverwrites(additionalData, original, type, mode, executeData, expressionResolveValues);
	}

	/** n8n cli `CredentialsHelper.applyDefaultsAndOverwrites` (without admin overwrites, external secrets, DCR). */
	async applyDefaultsAndOverwrites(
		additionalData: IWorkflowExecuteAdditionalData,
		decryptedDataOriginal: ICredentialDataDecryptedObject,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const credentialsProperties = this.getCredentialsProperties(type);
		const storedData = { ...decryptedDataOriginal };
		for (const field of OAUTH_PINNED_FIELDS) {
			if (credentialsProperties.some((p) => p.name === field && p.type === 'hidden')) {
				delete storedData[field];
			}
		}
		let decryptedData = NodeHelpers.getNodeParameters(
			credentialsProperties,
			storedData as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (decryptedDataOriginal.oauthTokenData !== undefined) {
			decryptedData.oauthTokenData = decryptedDataOriginal.oauthTokenData;
		}
		if (decryptedData.allowedHttpRequestDomains === undefined && decryptedDataOriginal.allowedHttpRequestDomains !== undefined) {
			decryptedData.allowedHttpRequestDomains = decryptedDataOriginal.allowedHttpRequestDomains;
		}
		if (decryptedData.allowedDomains === undefined && decryptedDataOriginal.allowedDomains !== undefined) {
			decryptedData.allowedDomains = decryptedDataOriginal.allowedDomains;
		}
		const additionalKeys = getAdditionalKeys(additionalData, mode, null, { isCredential: true });
		if (expressionResolveValues) {
			// n8n appends to the message of the SAME error object and rethrows it; done
			// outside the catch block so the community lint rule does not ask for a wrapper
			let resolveError: Error | undefined;
			try {
				decryptedData = expressionResolveValues.workflow.expression.getParameterValue(
					decryptedData as INodeParameters,
					expressionResolveValues.runExecutionData,
					expressionResolveValues.runIndex,
					expressionResolveValues.itemIndex,
					expressionResolveValues.node.name,
					expressionResolveValues.connectionInputData,
					mode,
					additionalKeys,
					executeData,
					false,
					decryptedData,
				) as ICredentialDataDecryptedObject;
			} catch (e) {
				resolveError = e as Error;
			}
			if (resolveError) {
				resolveError.message += ' [Error resolving credentials]';
				throw resolveError;
			}
		} else {
			const workflow = new Workflow({ nodes: [mockNode], connections: {}, active: false, nodeTypes: mockNodeTypes });
			decryptedData = workflow.expression.getComplexParameterValue(
				mockNode,
				decryptedData as INodeParameters,
				mode,
				additionalKeys,
				undefined,
				undefined,
				decryptedData,
			) as ICredentialDataDecryptedObject;
		}
		return decryptedData;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.storeFor(nodeCredentials, type).data = deepCopy(data);
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const store = this.storeFor(nodeCredentials, type);
		const tokenData = deepCopy(data.oauthTokenData) as IDataObject;
		store.data.oauthTokenData = tokenData;
		store.tokenUpdates.push(deepCopy(tokenData));
		this.tokenUpdateCalls++;
	}
}

/* ------------------------------------------------------------------ */
/* project classes (lazy, cached per test file)                        */
/* ------------------------------------------------------------------ */

let cachedNodeType: INodeType | undefined;
let cachedCredentialType: ICredentialType | undefined;

/** The real ThreeCx node (nodes/ThreeCx/ThreeCx.node.ts), with n8n's Request Options applied. */
export function threeCxNodeType(): INodeType {
	if (!cachedNodeType) {
		cachedNodeType = loadProjectNodeType();
		DirectoryLoader.applyDeclarativeNodeOptionParameters(cachedNodeType);
	}
	return cachedNodeType;
}

/** The real ThreeCxOAuth2Api credential (credentials/ThreeCxOAuth2Api.credentials.ts). */
export function threeCxCredentialType(): ICredentialType {
	if (!cachedCredentialType) cachedCredentialType = loadProjectCredentialType();
	return cachedCredentialType;
}

/** Stored credential data that matches the fake server's client. */
export function xapiCredentials(
	server: Pick<XapiServer, 'baseUrl' | 'options'>,
	overrides: ICredentialDataDecryptedObject = {},
): ICredentialDataDecryptedObject {
	return {
		baseUrl: server.baseUrl,
		clientId: server.options.clientId,
		clientSecret: server.options.clientSecret,
		ignoreSSLIssues: false,
		...overrides,
	};
}

/* ------------------------------------------------------------------ */
/* runNode                                                             */
/* ------------------------------------------------------------------ */

export interface RunNodeOptions {
	/** Node parameters as saved in the workflow (defaults are filled in by `Workflow`, like n8n). */
	parameters: INodeParameters;
	/** Input items. Default `[{ json: {} }]`. */
	items?: INodeExecutionData[];
	/** Node type to run. Default: the real ThreeCx node. */
	nodeType?: INodeType;
	/** Full node type name. Default `n8n-nodes-3cx.<description.name>`. */
	nodeTypeName?: string;
	/** Default: highest version in the description. */
	typeVersion?: number;
	/** Stored credential data for a fresh `CredentialStore` (ignored when `credentialStore` is given). */
	credentials?: ICredentialDataDecryptedObject;
	/** Reuse a store across runs: keeps `oauthTokenData` like n8n's database. */
	credentialStore?: CredentialStore;
	/** Credential type. Default: the real ThreeCxOAuth2Api. */
	credentialType?: ICredentialType;
	/** More credential types to register (e.g. a second credential). */
	extraCredentialTypes?: ICredentialType[];
	/** Set on the node like the "Continue On Fail" setting. */
	continueOnFail?: boolean;
	/** The node's "On Error" setting. */
	onError?: INode['onError'];
	/** Default 'manual'. */
	mode?: WorkflowExecuteMode;
	/** Default 'ThreeCx'. */
	nodeName?: string;
	/** Call DirectoryLoader.applyDeclarativeNodeOptionParameters (Request Options). Default true. */
	applyRequestOptions?: boolean;
	abortSignal?: AbortSignal;
	/** Extra fields for the INode (e.g. `alwaysOutputData`). */
	nodeOverrides?: Partial<INode>;
}

export interface RunNodeResult {
	/** First main output (empty when the node threw). Items are as RoutingNode returns them (no pairedItem). */
	items: INodeExecutionData[];
	/** Error output, only with `onError: 'continueErrorOutput'` (split by n8n-core's WorkflowExecute.handleNodeErrorOutput). */
	errorItems?: INodeExecutionData[];
	/** All outputs. */
	outputs?: INodeExecutionData[][] | null;
	/** What RoutingNode threw (NodeApiError / NodeOperationError), when not continuing on fail. */
	error?: Error & { httpCode?: string | null; description?: string | null; context?: IDataObject };
	/** The credential "database row" used (pass it to the next run to keep the token). */
	store: CredentialStore;
	/** The helper, with call counters. */
	credentialsHelper: TestCredentialsHelper;
	/** What n8n-core logged during this run. */
	logs: LogEntry[];
	node: INode;
	workflow: Workflow;
	context: ExecuteContext;
	/** Wall-clock duration of runNode() in ms. */
	durationMs: number;
}

function highestVersion(nodeType: INodeType): number {
	const v = nodeType.description.version;
	return Array.isArray(v) ? Math.max(...v) : v;
}

/** The n8n-core runtime (DI); also exposes the recording logger. */
export function n8nRuntime(): N8nRuntime {
	return setupN8nRuntime();
}

/**
 * Run one node over `items` through n8n-core's RoutingNode.
 *
 * @example
 *   const server = createXapiServer(); await server.start();
 *   const store = new CredentialStore(xapiCredentials(server));
 *   const { items, error } = await runNode({ nodeType, parameters: { operation: 'getAll' }, credentialStore: store });
 */
/**
 * The additionalData n8n's server hands an execution: URLs (n8n-core builds expression variables
 * from them and needs valid ones), the credentials helper, no hooks unless given.
 */
export function testAdditionalData(
	credentialsHelper: ICredentialsHelper,
	workflowId: string,
	overrides: Partial<Record<'executionId' | 'hooks', unknown>> = {},
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper,
		executionId: 'test-execution-1',
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formBaseUrl: 'http://localhost:5678/form',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		formTestBaseUrl: 'http://localhost:5678/form-test',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		mcpBaseUrl: 'http://localhost:5678/mcp',
		mcpTestBaseUrl: 'http://localhost:5678/mcp-test',
		variables: {},
		userId: 'test-user',
		workflowId,
		evalLlmMockHandler: undefined,
		ssrfBridge: undefined,
		hooks: undefined,
		logAiEvent: () => {},
		...overrides,
	} as unknown as IWorkflowExecuteAdditionalData;
}

/**
 * The credential side every harness hands n8n-core: the store (given, or a new one holding
 * `credentials`), and n8n's credentials helper over it for the 3CX credential type (or another).
 */
export function credentialWorld(options: {
	credentialType?: ICredentialType;
	extraCredentialTypes?: ICredentialType[];
	credentialStore?: CredentialStore;
	credentials?: ICredentialDataDecryptedObject;
}): { store: CredentialStore; credentialsHelper: TestCredentialsHelper } {
	const credentialType = options.credentialType ?? threeCxCredentialType();
	const registry = new CredentialTypeRegistry([credentialType, ...(options.extraCredentialTypes ?? [])]);
	const store = options.credentialStore ?? new CredentialStore(options.credentials ?? {}, { type: credentialType.name });
	return { store, credentialsHelper: new TestCredentialsHelper(registry).addStore(store) };
}

/** n8n's node-type registry for a workflow of one node type, known under `name`. */
export function oneNodeType(nodeType: INodeType, name: string): INodeTypes {
	return {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({ [name]: { className: nodeType.constructor.name, sourcePath: '' } }),
	};
}

/** Node type, credential store, workflow and additionalData, as runNode and loadOptionsContext use them. */
function prepare(options: RunNodeOptions) {
	const runtime = setupN8nRuntime();
	runtime.logger.clear();

	const nodeType = options.nodeType ?? threeCxNodeType();
	if (options.nodeType && options.applyRequestOptions !== false) {
		DirectoryLoader.applyDeclarativeNodeOptionParameters(nodeType);
	}
	const { store, credentialsHelper } = credentialWorld(options);
	const nodeTypeName = options.nodeTypeName ?? `${PACKAGE_NAME}.${nodeType.description.name}`;
	const nodeTypes = oneNodeType(nodeType, nodeTypeName);

	const node: INode = {
		id: 'b7d2c4e0-3c00-4c3c-9c3c-000000000001',
		name: options.nodeName ?? 'ThreeCx',
		type: nodeTypeName,
		typeVersion: options.typeVersion ?? highestVersion(nodeType),
		position: [0, 0],
		parameters: deepCopy(options.parameters),
		credentials: { [store.type]: store.nodeCredentials },
		...(options.continueOnFail !== undefined ? { continueOnFail: options.continueOnFail } : {}),
		...(options.onError !== undefined ? { onError: options.onError } : {}),
		...(options.nodeOverrides ?? {}),
	};

	const workflow = new Workflow({
		id: 'test-workflow',
		name: 'Test workflow',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		settings: {},
	});
	// the Workflow constructor resolved parameter defaults into its own node object
	const workflowNode = workflow.getNode(node.name) ?? node;

	const additionalData = testAdditionalData(credentialsHelper, workflow.id);
	return { runtime, nodeType, store, credentialsHelper, workflow, workflowNode, additionalData };
}

/**
 * n8n-core's real LoadOptionsContext for the node, as the editor's list searches and option
 * loaders run (`parameters` are the node's current parameters).
 */
export function loadOptionsContext(options: RunNodeOptions): LoadOptionsContext {
	const { workflow, workflowNode, additionalData } = prepare(options);
	// the editor sends the node's current parameters with every options request
	additionalData.currentNodeParameters = deepCopy(options.parameters);
	return new LoadOptionsContext(workflow, workflowNode, additionalData, '');
}

/**
 * n8n-core's real PollContext for the node, as n8n builds it for a poll of an active workflow
 * (`mode` 'trigger', activation 'activate'); `store`/`credentialsHelper` to count what it did.
 */
export function pollContext(options: RunNodeOptions): {
	context: PollContext;
	store: CredentialStore;
	credentialsHelper: TestCredentialsHelper;
} {
	const { workflow, workflowNode, additionalData, store, credentialsHelper } = prepare(options);
	const context = new PollContext(workflow, workflowNode, additionalData, options.mode ?? 'trigger', 'activate');
	return { context, store, credentialsHelper };
}

export async function runNode(options: RunNodeOptions): Promise<RunNodeResult> {
	const { runtime, nodeType, store, credentialsHelper, workflow, workflowNode, additionalData } = prepare(options);
	const items = options.items ?? [{ json: {} }];
	const inputData: ITaskDataConnections = { main: [items] };
	const runExecutionData: IRunExecutionData = createRunExecutionData();
	const executeData: IExecuteData = { node: workflowNode, data: inputData, source: null };
	const mode = options.mode ?? 'manual';

	const context = new ExecuteContext(
		workflow,
		workflowNode,
		additionalData,
		mode,
		runExecutionData,
		0,
		items,
		inputData,
		executeData,
		[],
		options.abortSignal,
	);

	const started = Date.now();
	let outputs: INodeExecutionData[][] | null | undefined;
	let error: RunNodeResult['error'];
	try {
		outputs = (await new RoutingNode(context, nodeType).runNode()) as INodeExecutionData[][] | null | undefined;
	} catch (e) {
		error = e as RunNodeResult['error'];
	}
	if (outputs && workflowNode.onError === 'continueErrorOutput') {
		// what WorkflowExecute.processNodeOutput does after the node ran
		new WorkflowExecute(additionalData, mode, runExecutionData).handleNodeErrorOutput(workflow, executeData, outputs, 0);
	}
	return {
		items: outputs?.[0] ?? [],
		errorItems: workflowNode.onError === 'continueErrorOutput' ? (outputs?.[1] ?? []) : undefined,
		outputs,
		error,
		store,
		credentialsHelper,
		logs: [...runtime.logs],
		node: workflowNode,
		workflow,
		context,
		durationMs: Date.now() - started,
	};
}

export {
	hasProjectCredential as hasProjectCredentialClass,
	hasProjectNode as hasProjectNodeClass,
} from './n8n-runtime';
