/** Shared set-up of the node tests: the local XAPI server's lifecycle, resource locator values. */
import { createXapiServer, type XapiServer, type XapiServerOptions } from '../../simulator';

/**
 * One local XAPI server per test file: started before the tests, reset before each, stopped
 * after. Returns a getter, because the server exists only once `beforeAll` ran.
 */
export function useXapiServer(options?: XapiServerOptions): () => XapiServer {
	let server: XapiServer | undefined;
	beforeAll(async () => {
		server = createXapiServer(options);
		await server.start();
	});
	afterAll(async () => await server?.stop());
	beforeEach(() => server?.reset());
	return () => {
		if (!server) throw new Error('The XAPI server starts in beforeAll; use it inside a test.');
		return server;
	};
}

/** A resource locator value "By ID" as n8n saves it in a workflow. */
export function byId(value: string | number): { __rl: true; mode: 'id'; value: string } {
	return { __rl: true, mode: 'id', value: String(value) };
}
