/**
 * Keeping secrets out of messages: the client secret and every token a request carried never
 * appear in an error, whatever an answer echoes (a proxy's debug page, an OAuth error).
 */

/** Adds a token a request carried to the secrets kept out of that request's messages. */
export function keepSecret(secrets: Set<string> | undefined, secret: unknown): void {
	if (!secrets || typeof secret !== 'string' || secret.length < 4) return;
	secrets.add(secret);
}

/**
 * Removes secrets from a text: each one as it is, URL-encoded, form-encoded and JSON-escaped,
 * anything after `client_secret=` / `"client_secret":` / `"access_token":` / `Bearer`, and anything
 * that looks like a JWT.
 */
export function redact(text: string, secrets: Iterable<string> = []): string {
	let out = text;
	for (const secret of secrets) {
		if (secret.length < 4) continue;
		const encoded = encodeURIComponent(secret);
		for (const form of new Set([secret, encoded, encoded.replace(/%20/g, '+'), JSON.stringify(secret).slice(1, -1)])) {
			out = out.split(form).join('[redacted]');
		}
	}
	return out
		.replace(/(client_secret=)[^&\s"'<>]*/gi, '$1[redacted]')
		.replace(/("?(?:client_secret|access_token|refresh_token)"?\s*:\s*")[^"]*/gi, '$1[redacted]')
		.replace(/(Bearer\s+)[\w.~+/=-]+/gi, '$1[redacted]')
		.replace(/eyJ[\w-]*\.[\w-]+\.[\w-]*/g, '[redacted]');
}
