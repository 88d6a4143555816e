/**
 * Running the Voice API operations (Click to Call, Request Callback, Add Lead to Dial List) in
 * n8n's engine against a server written in the test, its origin as the credential's Voice API URL.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { TestServer } from './hostile-server';
import { runSamespace, type RunOptions } from './samespace';

export async function runVoice(
	server: TestServer,
	parameters: INodeParameters,
	options: RunOptions = {},
) {
	return await runSamespace(server, parameters, {
		...options,
		credentials: { voiceApiUrl: server.origin, ...options.credentials },
	});
}

/** The JSON bodies the server received on `path`. */
export const bodiesAt = (server: TestServer, path: string) =>
	server.received
		.filter((request) => request.path === path)
		.map((request) => JSON.parse(request.body) as Record<string, unknown>);
