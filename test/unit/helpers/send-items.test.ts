/**
 * What Place Call and the Voice API operations share once every item is checked
 * (nodes/Samespace/helpers/send-items.ts): nothing to send sends nothing, and a repeated run is
 * refused before any request. Sending itself is tested through n8n's engine (test/engine).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { sendPendingItems } from '../../../nodes/Samespace/helpers/send-items';
import type { SendOptions } from '../../../nodes/Samespace/helpers/send-options';
import type { CallSettings } from '../../../nodes/Samespace/sending/send-calls';

const settings = (options: Partial<SendOptions>): CallSettings => ({
	options: options as SendOptions,
	continueOnFail: false,
	redact: (value) => value,
});

function context(mode: string) {
	const requests: unknown[] = [];
	const ctx = {
		getMode: () => mode,
		getNode: () => ({ name: 'Samespace', type: 'samespace', typeVersion: 1, parameters: {} }),
		helpers: {
			httpRequest: (options: unknown) => requests.push(options),
			httpRequestWithAuthentication: (_type: string, options: unknown) => requests.push(options),
		},
	} as unknown as IExecuteFunctions;
	return { ctx, requests };
}

const pending = [
	{ itemIndex: 1, request: { url: 'https://in.samespace.com/x', body: () => ({}) } },
];

test('with nothing to send, the output is returned as it is and no run is refused', async () => {
	const { ctx, requests } = context('retry');
	const output: INodeExecutionData[] = [{ json: { valid: true } }];
	await expect(sendPendingItems(ctx, output, [], settings({}), () => undefined)).resolves.toEqual([
		output,
	]);
	expect(requests).toHaveLength(0);
});

test("n8n's Retry of a failed execution is refused before any request, unless calls are wanted on retry", async () => {
	const { ctx, requests } = context('retry');
	await expect(
		sendPendingItems(ctx, [], pending, settings({ callsOnRetry: false }), () => undefined),
	).rejects.toThrow(/This is a retry of a failed execution/);
	expect(requests).toHaveLength(0);
});
