/**
 * n8n's own ways of running the node again with items it already sent: Retry of a failed
 * execution (mode `retry`) and the node's Retry On Fail setting. Both would phone again everyone
 * accepted the first time, so the node places no call unless the user allows it.
 */
import { acceptCall, calledNumber, json, useServers } from '../support/hostile-server';
import { runSamespace, straightSteps } from '../support/samespace';

const startServer = useServers();
const ITEMS = [{ phone: '14155550101' }, { phone: '14155550102' }, { phone: '14155550103' }];

test('a retried execution places no call and says why and how to send only what is left', async () => {
	const server = await startServer((_request, response) => acceptCall(response));
	for (const continueOnFail of [false, true]) {
		const result = await runSamespace(
			server,
			{ steps: straightSteps() },
			{ items: ITEMS, mode: 'retry', continueOnFail },
		);
		expect(result.error?.message).toBe(
			'This is a retry of a failed execution. No call was placed, so nobody is called twice.',
		);
		expect(result.error?.description).toContain(
			"this node's error there lists the items accepted by Samespace, those that may have been placed, and those not placed",
		);
		expect(result.error?.description).toContain('turn on the option "Place Calls When Retrying"');
	}
	expect(server.received).toHaveLength(0);
});

test('with "Place Calls When Retrying" on, a retried execution places its calls', async () => {
	const server = await startServer((_request, response) => acceptCall(response));
	const result = await runSamespace(
		server,
		{ steps: straightSteps(), options: { callsOnRetry: true } },
		{ items: ITEMS, mode: 'retry' },
	);

	expect(result.error).toBeUndefined();
	expect(server.flowRequests()).toBe(3);
});

test('Validate Only works in a retried execution (it places nothing)', async () => {
	const server = await startServer((_request, response) => acceptCall(response));
	const result = await runSamespace(
		server,
		{ steps: straightSteps(), options: { validateOnly: true } },
		{ items: ITEMS, mode: 'retry' },
	);

	expect(result.error).toBeUndefined();
	expect(server.received).toHaveLength(0);
});

test('Retry On Fail in the node settings is refused before any call, even when a later item would fail', async () => {
	const server = await startServer((request, response) =>
		calledNumber(request) === '14155550102'
			? json(response, 500, { success: false })
			: acceptCall(response),
	);
	const result = await runSamespace(
		server,
		{ steps: straightSteps(), options: { concurrency: 1 } },
		{ items: ITEMS, settings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 } },
	);

	expect(result.error?.message).toBe(
		'Turn off "Retry On Fail" in this node\'s Settings. No call was placed, so nobody is called twice.',
	);
	expect(server.received).toHaveLength(0);
});

test('Retry On Fail with Continue On Fail is refused too: n8n retries a node whose first item is an error item', async () => {
	const server = await startServer((request, response) =>
		calledNumber(request) === '14155550101'
			? json(response, 500, { success: false })
			: acceptCall(response),
	);
	const result = await runSamespace(
		server,
		{ steps: straightSteps(), options: { concurrency: 1 } },
		{
			items: ITEMS,
			continueOnFail: true,
			settings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 },
		},
	);

	expect(server.received).toHaveLength(0);
	// With Continue On Fail, n8n keeps the node's error in its run data and passes the input on.
	expect(result.runData.Samespace.at(-1)?.error?.message).toBe(
		'Turn off "Retry On Fail" in this node\'s Settings. No call was placed, so nobody is called twice.',
	);
});

describe('the Voice API operations (a click, a callback, a lead) are guarded the same way', () => {
	const operations = [
		{
			resource: 'agent',
			operation: 'clickToCall',
			agent: 'jane',
			phoneNumber: '={{ $json.phone }}',
		},
		{
			resource: 'team',
			operation: 'requestCallback',
			team: 'Sales',
			phoneNumber: '={{ $json.phone }}',
		},
		{
			resource: 'campaign',
			operation: 'addLead',
			campaign: 'Spring',
			team: 'Sales',
			dialList: 'Web',
			phoneNumber: '={{ $json.phone }}',
		},
	];

	test.each(operations)(
		'$operation: a retried execution, or Retry On Fail, sends nothing',
		async (parameters) => {
			const server = await startServer((_request, response) =>
				json(response, 200, { success: true }),
			);
			const voiceApi = { credentials: { voiceApiUrl: server.origin } };
			const retried = await runSamespace(server, parameters, {
				items: ITEMS,
				mode: 'retry',
				...voiceApi,
			});
			expect(retried.error?.message).toBe(
				'This is a retry of a failed execution. No call was placed, so nobody is called twice.',
			);
			const retryOnFail = await runSamespace(server, parameters, {
				items: ITEMS,
				settings: { retryOnFail: true },
				...voiceApi,
			});
			expect(retryOnFail.error?.message).toBe(
				'Turn off "Retry On Fail" in this node\'s Settings. No call was placed, so nobody is called twice.',
			);
			expect(server.received).toHaveLength(0);

			const allowed = await runSamespace(
				server,
				{ ...parameters, options: { callsOnRetry: true } },
				{ items: ITEMS, mode: 'retry', ...voiceApi },
			);
			expect(allowed.error).toBeUndefined();
			expect(server.received).toHaveLength(3);
		},
	);
});
