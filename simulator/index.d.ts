/* Types for simulator/index.js: the simulated 3CX (token endpoint, PKCE sign-in, XAPI over HTTP/HTTPS, demo data, spec checks). */

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'HEAD' | 'OPTIONS' | string;

export interface XapiServerOptions {
	/** Client ID the token endpoint accepts. Default `'900'`. */
	clientId?: string;
	/** Client secret ("API key") the token endpoint accepts. Default `'test-api-key'`. */
	clientSecret?: string;
	/** Serve HTTPS with a self-signed certificate for 127.0.0.1 (generated with openssl). Default false. */
	https?: boolean;
	/** `expires_in` (seconds) in token responses, and the server-side lifetime. Default 3600. */
	expiresIn?: number;
	/** Like real 3CX: issuing a token invalidates all earlier ones. Default true. */
	invalidatePreviousTokens?: boolean;
	/** Reject tokens older than `expiresIn`. Default true. */
	enforceExpiry?: boolean;
	/** `/xapi/v1/*` needs a valid bearer token. Default true. */
	requireAuth?: boolean;
	/** Where the token endpoint reads client id/secret: form body (3CX), Basic header, or both. Default 'body'. */
	tokenAuth?: 'body' | 'header' | 'both';
	/** Value of the `X-3CX-Version` header on API responses (falsy = none). Default '20.0.10.1000'. */
	version?: string | false;
	/**
	 * Serve 3CX under this path, like a reverse proxy publishing it at `https://host/pbx` (e.g. '/pbx').
	 * Requests outside it are 'other' (404). Recorded paths have the prefix removed. Default '' (none).
	 */
	basePath?: string;
	/** Node's `maxHeaderSize` for the server (request line + headers), e.g. 64 KB for very long keys. 0 = Node's default (16 KB). */
	maxHeaderSize?: number;
	/** 'jwt' (default): signed-looking JWTs with `iat`/`exp`; 'opaque': random strings without claims. */
	tokenFormat?: 'jwt' | 'opaque';
	/** Unit of `expires_in` in token answers: 'seconds' (3CX 20.0.9 and later, default) or 'minutes' (before). */
	expiresInUnit?: 'seconds' | 'minutes';
	/** The server's clock is this many ms ahead (negative: behind): JWT `iat`/`exp` claims and the `Date` header. Default 0. */
	clockSkewMs?: number;
	/** Port on 127.0.0.1 (0 = a free one). Default 0. */
	port?: number;
	/** Load the demo data (simulator/demo-data.js); an object sets its seed and anchor time. Default false. */
	demo?: boolean | DemoOptions;
	/** Entity sets to serve (merged over the demo data): `{ Users: [...] }` or `{ sets: {...}, files: { name: Buffer } }`. */
	data?: Record<string, object[]> | { sets: Record<string, object[]>; files?: Record<string, Buffer> };
	/** Check every API request against 3CX's spec: true (default file) or a spec file path. Default false. */
	specCheck?: boolean | string;
	/** client_id allowed at /connect/authorize (PKCE). Default: `clientId`. */
	pkceClientId?: string;
	/** Users who can sign in at /connect/authorize; the first is auto-approved. */
	users?: SimUser[];
	/** /connect/authorize approves the first user at once (true) or shows a login form (false). Default true. */
	autoApprove?: boolean;
	/** Serve the control API under /__sim/ (loopback only). Default true. */
	control?: boolean;
	/** Log each request to stderr. Default false. */
	log?: boolean;
}

export interface DemoOptions {
	/** PRNG seed. Default 3. */
	seed?: number;
	/** The anchor time ("now") the week of history ends at, ISO-8601 or ms. Default: the current minute. */
	now?: string | number;
	/** Days of history. Default 7. */
	days?: number;
}

export interface SimUser {
	username: string;
	password: string;
	sub?: string;
	email?: string;
	name?: string;
}

export interface SpecInfo {
	available: boolean;
	/** One line: "loaded 601 operations in … ms" or "spec not found at …; spec checks SKIPPED (…)". */
	status: string;
	file?: string;
}

/** What a test returns to script a response. */
export interface XapiResponse {
	status?: number;
	headers?: Record<string, string>;
	/** Buffer/Uint8Array = raw bytes; string = text; other values are JSON-encoded; undefined = empty body. */
	body?: unknown;
	/** Wait this long before answering (for concurrency tests); `stop()` cuts the wait short and drops the answer. */
	delayMs?: number;
	/** Destroy the socket instead of answering (connection reset). */
	destroy?: boolean;
}

export interface RecordedResponse {
	status: number;
	headers: Record<string, string>;
	body?: Buffer;
	bodyText: string;
	destroyed?: boolean;
}

/** One request exactly as the server received it. */
export interface RecordedRequest {
	seq: number;
	time: number;
	/** 'token' = /connect/token, 'authorize' = /connect/authorize, 'api' = /xapi/v1/..., 'other' = anything else. */
	kind: 'token' | 'authorize' | 'api' | 'control' | 'other' | 'callcontrol' | 'callcontrol-ws';
	method: string;
	/** The raw request target, e.g. `/xapi/v1/Users(Number='100')?%24top=5`. */
	url: string;
	/** Path exactly as received (percent-encoding preserved), without the query. */
	rawPath: string;
	/** `rawPath` percent-decoded. */
	path: string;
	/** Decoded path without `/xapi/v1` (api requests only), e.g. `/Users(29)`. */
	apiPath?: string;
	/** Raw path without `/xapi/v1` (api requests only). */
	rawApiPath?: string;
	/** Query string exactly as received, without `?`. */
	rawQuery: string;
	/** Parsed query (URLSearchParams semantics: `+` = space); repeated keys become arrays. */
	query: Record<string, string | string[]>;
	/** Lower-cased header names. */
	headers: Record<string, string | string[] | undefined>;
	rawHeaders: string[];
	contentType?: string;
	body: Buffer;
	bodyText: string;
	/** Body parsed as JSON, if it parses (compare with toEqual, or cast). */
	json?: unknown;
	/** Body parsed as a form, for `application/x-www-form-urlencoded`. */
	form?: Record<string, string | string[]>;
	/** Bearer token from the Authorization header. */
	token?: string;
	/** Whether `token` was valid when the request arrived. */
	authorized: boolean;
	/** `<baseUrl>/xapi/v1/$metadata#<EntitySet>` for api requests. */
	odataContext?: string;
	/** Token issued by this request (token requests that succeeded). */
	issuedToken?: string;
	/** Token requests: client id, grant type, where the secret came from ('body' | 'basic' | 'none'), last 8 chars of the issued token. */
	tokenInfo?: { clientId?: string; grantType?: string; via: string; issued?: string };
	/** API requests: 'valid' | 'revoked-or-unknown' | 'not-bearer' | 'missing' | 'expired-now'. */
	auth?: string;
	/** The spec's operationId (spec checks on) or the simulator's own routing. */
	operationId?: string | null;
	/** What the spec checks found wrong (empty without the spec). */
	specProblems: string[];
	/** authorization_code grants whose code_verifier matched the challenge. */
	pkceVerified?: boolean;
	/** /connect/authorize requests that issued a code. */
	authorizeInfo?: { clientId: string; codeChallenge: string; scope: string; user: string };
	/** The response that was sent (set once answered). */
	response?: RecordedResponse;
	route?: XapiRoute;
}

export type Responder =
	| XapiResponse
	| ((req: RecordedRequest) => XapiResponse | undefined | void | Promise<XapiResponse | undefined | void>);

export type PathMatcher = string | RegExp | ((req: RecordedRequest) => boolean);

export interface RouteOptions {
	/** Use the route this many times, then skip it. */
	times?: number;
	/** Override the bearer-token check for this route. */
	auth?: boolean;
}

export interface XapiRoute {
	method: string;
	matcher: PathMatcher;
	responder: Responder;
	times?: number;
	auth?: boolean;
	/** How often the route answered. */
	calls: number;
}

export declare class XapiServer {
	constructor(options?: XapiServerOptions);
	/** 3CX's Call Control API: `/callcontrol` REST, `/callcontrol/ws`, `/__sim/callcontrol/*` (call-control.js). */
	readonly callControl: import('./call-control').CallControl;
	readonly options: Required<XapiServerOptions>;
	/** e.g. `http://127.0.0.1:40123` (set by start()). */
	readonly baseUrl: string;
	readonly port: number;
	/** Every request (token, api, other) in arrival order. */
	readonly requests: RecordedRequest[];
	readonly apiRequests: RecordedRequest[];
	readonly tokenRequests: RecordedRequest[];
	readonly tokenRequestCount: number;
	/** Number of tokens successfully issued. */
	readonly tokensIssued: number;
	readonly issuedTokens: string[];
	/** Latest issued token if still valid. */
	readonly currentToken: string | undefined;
	readonly lastRequest: RecordedRequest | undefined;
	readonly lastApiRequest: RecordedRequest | undefined;
	readonly routes: XapiRoute[];
	/** The loaded spec checker (specCheck), or null. */
	readonly spec: unknown;
	readonly specInfo: SpecInfo;
	/** Pending authorization codes (PKCE). */
	readonly authCodes: Map<string, { clientId: string; redirectUri: string; challenge: string; scope: string; used: boolean }>;

	start(): Promise<{ baseUrl: string; port: number }>;
	stop(): Promise<void>;
	/** Clear requests, routes, handlers, tokens; restore constructor options and data. */
	reset(): this;
	/** Restore the data as constructed; keep tokens, routes and the request log. */
	resetData(): this;
	/** Load the spec for the checks (start() does when `specCheck`). */
	loadSpec(): Promise<SpecInfo>;
	/** The simulated PBX clock in ms (real time + clockSkewMs); the `Date` header of every answer. */
	now(): number;
	/** Add records to an entity set (created if missing; integer `Id` assigned when absent). Returns the stored copies. */
	addRecords(set: string, records: object | object[]): Array<Record<string, unknown>>;
	/** Rows of a set (live array); 'ReportCallLogData' gives the call log computed from CallHistoryView. */
	records<T extends object = Record<string, unknown>>(set: string): T[];
	/** Revoke the tokens after `n` more authorised API requests. */
	expireTokenAfter(n: number): this;
	/** Change options at runtime (not `https`). */
	configure(options: Omit<XapiServerOptions, 'https'>): this;
	/** `baseUrl + path`. */
	url(path?: string): string;

	isTokenValid(token: string | undefined): boolean;
	/** Invalidate every token (next API call answers 401). */
	revokeTokens(): this;
	/** Alias of revokeTokens(). */
	expireToken(): this;
	revokeToken(token: string): this;
	/** Make a valid token without an HTTP request (respects invalidatePreviousTokens per subject; default the API client). */
	issueToken(subject?: string): string;
	/** `expires_in` as the token endpoint writes it (`expiresIn` in seconds or minutes, see `expiresInUnit`). */
	expiresInField(): number;
	/** Override /connect/token; return undefined for the default behaviour. */
	setTokenHandler(fn: ((req: RecordedRequest) => XapiResponse | undefined | void | Promise<XapiResponse | undefined | void>) | undefined): this;

	/**
	 * Add a route; the NEWEST matching route wins (override beforeEach routes in a test).
	 * String paths match the decoded or raw path; a path not starting with `/xapi/v1`
	 * is relative to it (`'/Users(29)'`).
	 */
	route(method: HttpMethod | '*', matcher: PathMatcher, responder: Responder, options?: RouteOptions): XapiRoute;
	get(matcher: PathMatcher, responder: Responder, options?: RouteOptions): XapiRoute;
	post(matcher: PathMatcher, responder: Responder, options?: RouteOptions): XapiRoute;
	patch(matcher: PathMatcher, responder: Responder, options?: RouteOptions): XapiRoute;
	put(matcher: PathMatcher, responder: Responder, options?: RouteOptions): XapiRoute;
	delete(matcher: PathMatcher, responder: Responder, options?: RouteOptions): XapiRoute;
	/** Fallback for unmatched requests; undefined result = default (200 empty collection under /xapi/v1, else 404). */
	setHandler(fn: ((req: RecordedRequest) => XapiResponse | undefined | void | Promise<XapiResponse | undefined | void>) | undefined): this;
}

export declare function createXapiServer(options?: XapiServerOptions): XapiServer;
/** The simulator with demo data on (`demo: true` unless given). */
export declare function createSimulator(options?: XapiServerOptions): XapiServer;
export declare const Simulator: typeof XapiServer;
/** A PKCE pair: random code_verifier (or the one given) and its S256 code_challenge. */
export declare function pkcePair(verifier?: string): { verifier: string; challenge: string; method: 'S256' };

/** Self-signed certificate (PEM) for 127.0.0.1/localhost, generated once with openssl. */
export declare function selfSignedCertificate(): { key: string; cert: string };

/** JSON response with the OData content type. */
export declare function json(body: unknown, status?: number, headers?: Record<string, string>): XapiResponse;
/** 201 + entity. */
export declare function created(entity: unknown, headers?: Record<string, string>): XapiResponse;
/** 204, no body. */
export declare function noContent(headers?: Record<string, string>): XapiResponse;
/** Any status, no body. */
export declare function empty(status: number, headers?: Record<string, string>): XapiResponse;
/** Raw text/bytes with a content type. */
export declare function raw(body: string | Buffer, contentType?: string, status?: number, headers?: Record<string, string>): XapiResponse;
/** HTML page. */
export declare function html(text: string, status?: number, headers?: Record<string, string>): XapiResponse;
/** File download. */
export declare function binary(
	buffer: Buffer | Uint8Array | string,
	contentType?: string,
	options?: { filename?: string; status?: number; headers?: Record<string, string> },
): XapiResponse;

export interface ODataErrorDetail {
	message: string;
	target?: string;
	code?: string;
}
/** `{"error":{"code":"","message":...,"details":[...]}}`; `details: null` omits the array. */
export declare function odataError(
	status: number,
	message: string,
	details?: Array<ODataErrorDetail | string> | null,
	options?: { code?: string; headers?: Record<string, string> },
): XapiResponse;
/** 3CX validation warning, e.g. `xapiWarning('WARNINGS.XAPI.DUPLICATE', { target: 'Name' })` (400). */
export declare function xapiWarning(code: string, options?: { target?: string; status?: number; message?: string }): XapiResponse;
/** `{"@odata.context": context, ...extra, "value": value}` (a body, not a response). */
export declare function odataCollection<T>(value: T[], context?: string, extra?: Record<string, unknown>): {
	'@odata.context'?: string;
	value: T[];
	[key: string]: unknown;
};
/**
 * Responder serving `entities` with `$skip`, `$top` (max `maxTop`, default 100, null = unlimited),
 * `$count=true`, `$select`.
 */
export declare function collection<T extends object>(
	entities: T[] | ((req: RecordedRequest) => T[]),
	options?: { maxTop?: number | null; context?: string; pageSize?: number },
): ((req: RecordedRequest) => XapiResponse) & { entities: T[] | ((req: RecordedRequest) => T[]) };
/** Answers with each responder in turn; the last one repeats. `calls` counts uses. */
export declare function sequence(...responders: Responder[]): ((req: RecordedRequest) => Promise<XapiResponse | undefined | void>) & {
	readonly calls: number;
};
/** `n` entities, default `{ Id: i + 1, Name: 'Item i+1' }`. */
export declare function makeEntities<T = { Id: number; Name: string }>(n: number, make?: (i: number) => T): T[];

export declare const helpers: {
	json: typeof json;
	created: typeof created;
	noContent: typeof noContent;
	empty: typeof empty;
	raw: typeof raw;
	html: typeof html;
	binary: typeof binary;
	odataError: typeof odataError;
	xapiWarning: typeof xapiWarning;
	odataCollection: typeof odataCollection;
	collection: typeof collection;
	sequence: typeof sequence;
	makeEntities: typeof makeEntities;
};

export declare const TOKEN_PATH: '/connect/token';
export declare const AUTHORIZE_PATH: '/connect/authorize';
export declare const CONTROL_PREFIX: '/__sim/';
export declare const API_PREFIX: '/xapi/v1';
export declare const ODATA_JSON: string;
export declare const DEFAULT_OPTIONS: Readonly<Required<XapiServerOptions>>;
