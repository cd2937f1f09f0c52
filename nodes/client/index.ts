/**
 * The one 3CX client every node of this package imports, from here and nowhere else: where the
 * server is (serverUrl), the authenticated request with 3CX's token discipline (xapiRequest,
 * xapiJson, token.ts), error mapping and secrets redaction (errors.ts), answer reading and files
 * (files.ts), OData literals (odata.ts) and the per-item state they share (state.ts).
 */
export * from "./errors";
export * from "./files";
export * from "./generated/constants";
export * from "./odata";
export * from "./state";
export * from "./token";
export * from "./transport";
