/**
 * Call and Wait for Approval (operation value sendAndWait) through n8n's engine: the node writes
 * the flow, each key reports to its own signed resume URL (n8n checks an HMAC over the whole URL),
 * and the node outputs `{data: {approved}}`. Also as an AI Agent's human review (the generated
 * `samespaceHitlTool`): the person hears the tool call in words, and errors read as declines.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { WorkflowRunResult } from '../../dev/engine';
import { expectNoSecret, outputJson, runSamespace, useCallSimulation } from '../support/samespace';

const { emulator, waits } = useCallSimulation();
const APPROVER = '14155550177';

const approval = (extra: INodeParameters = {}): INodeParameters => ({
	operation: 'sendAndWait',
	number: APPROVER,
	callerId: '14155550100',
	message: 'A refund of 120 dollars for order 1042 is waiting.',
	...extra,
});

async function askAndAnswer(keys: string[], parameters = approval()) {
	emulator.simulator?.pressKeys(APPROVER, keys);
	const result = await runSamespace(emulator, parameters, { webhookWaitingBaseUrl: waits.baseUrl });
	const execution = waits.register(result);
	await emulator.simulator?.idle();
	return { result, execution, path: emulator.simulator?.calls.at(-1)?.path ?? [] };
}

const played = (id: string) =>
	(emulator.placedCalls.at(-1)?.body.flow as Array<{ id: string; text?: string }>).find(
		(step) => step.id === id,
	)?.text;

test('the flow the node writes: the message, the keys to press, a report per key, a confirmation', async () => {
	const { path, execution } = await askAndAnswer(['1']);

	expect(played('ask')).toBe(
		'A refund of 120 dollars for order 1042 is waiting. Press 1 to approve. Press 2 to decline.',
	);
	expect(path.map((step) => step.id)).toEqual(['call', 'ask', 'choice', 'approve', 'approved']);
	expect(played('approved')).toBe('You chose to approve. Thank you, goodbye.');
	const [answer] = outputJson(execution.result as WorkflowRunResult);
	expect(answer).toEqual(
		expect.objectContaining({
			data: { approved: true },
			call_id: emulator.placedCalls.at(-1)?.call_id,
		}),
	);
	expectNoSecret(execution.result as WorkflowRunResult);
});

test.each([
	[
		'the decline key',
		['2'],
		['call', 'ask', 'choice', 'decline', 'declined'],
		{ approved: false, reason: 'The person declined by phone' },
	],
	[
		'a wrong key, then the approve key',
		['7', '1'],
		['call', 'ask', 'choice', 'ask-again', 'choice-again', 'approve', 'approved'],
		{ approved: true },
	],
	[
		'two wrong keys',
		['7', ''],
		['call', 'ask', 'choice', 'ask-again', 'choice-again', 'no-valid-key', 'goodbye'],
		{ approved: false, reason: 'No valid key was pressed on the approval call' },
	],
])('%s', async (_name, keys, steps, data) => {
	const { path, execution } = await askAndAnswer(keys);
	expect(path.map((step) => step.id)).toEqual(steps);
	expect(outputJson(execution.result as WorkflowRunResult)[0].data).toEqual(data);
});

test('other keys and labels, "#" among them', async () => {
	const { path, execution } = await askAndAnswer(
		['#'],
		approval({
			approvalOptions: {
				values: {
					approveKey: '9',
					approveLabel: 'send the refund',
					disapproveKey: '#',
					disapproveLabel: 'stop it',
				},
			},
		}),
	);
	expect(played('ask')).toContain('Press 9 to send the refund. Press the hash key to stop it.');
	expect(path.at(-1)?.id).toBe('declined');
	expect(played('declined')).toBe('You chose to stop it. Thank you, goodbye.');
	expect(outputJson(execution.result as WorkflowRunResult)[0].data).toEqual({
		approved: false,
		reason: 'The person declined by phone',
	});
});

test('no answer in time: a decline that says so; a key pressed later changes nothing (n8n answers "no action required")', async () => {
	const result = await runSamespace(emulator, approval(), { webhookWaitingBaseUrl: waits.baseUrl });
	const execution = result.waiting as NonNullable<WorkflowRunResult['waiting']>;
	const timedOut = await execution.timeOut();
	expect(outputJson(timedOut)[0]).toEqual(
		expect.objectContaining({
			data: { approved: false, reason: 'Nobody answered the approval call in time' },
			chatInput: 'Nobody answered the approval call in time',
		}),
	);
	const approve = new URL(
		String(
			(emulator.placedCalls.at(-1)?.body.flow as Array<{ id: string; url?: string }>).find(
				(step) => step.id === 'approve',
			)?.url,
		),
	);
	expect(await execution.receive('GET', approve.pathname + approve.search)).toEqual({
		status: 200,
		body: 'No action required',
	});
	expect(outputJson(execution.result as WorkflowRunResult)[0].data).toEqual({
		approved: false,
		reason: 'Nobody answered the approval call in time',
	});
});

describe('the signed report URLs', () => {
	async function waitingApproval() {
		const result = await runSamespace(emulator, approval(), {
			webhookWaitingBaseUrl: waits.baseUrl,
		});
		const flow = emulator.placedCalls.at(-1)?.body.flow as Array<{ id: string; url?: string }>;
		const url = (id: string) => {
			const full = new URL(String(flow.find((step) => step.id === id)?.url));
			return full.pathname + full.search;
		};
		return { execution: result.waiting as NonNullable<WorkflowRunResult['waiting']>, url };
	}

	test('a URL changed in any way (a decline turned into an approval): 401, still waiting', async () => {
		const { execution, url } = await waitingApproval();
		expect(
			(await execution.receive('GET', url('decline').replace('approved=false', 'approved=true')))
				.status,
		).toBe(401);
		expect((await execution.receive('GET', `${url('approve')}&extra=1`)).status).toBe(401);
		expect(execution.result).toBeUndefined();
		expect((await execution.receive('GET', url('decline'))).status).toBe(200);
		expect(outputJson(execution.result as WorkflowRunResult)[0].data).toEqual({
			approved: false,
			reason: 'The person declined by phone',
		});
	});

	test('a key pressed on an earlier approval call of this node can never answer a later one: 409', async () => {
		const { execution, url } = await waitingApproval();
		// n8n signs the same URLs for every wait of a node in one execution: only the reference differs.
		const earlier = execution.signed(
			url('approve').replace(/ref=[A-Za-z0-9]+/, 'ref=EarlierWaitRef00'),
		);
		expect(await execution.receive('GET', earlier)).toEqual({
			status: 409,
			body: { received: false, error: 'This answer belongs to another approval call' },
		});
		expect(execution.result).toBeUndefined();
		// Another execution's URL: another signature.
		const other = await waitingApproval();
		expect(
			(
				await execution.receive(
					'GET',
					other.url('approve').replace(other.execution.executionId, execution.executionId),
				)
			).status,
		).toBe(401);
		expect((await execution.receive('GET', url('approve'))).status).toBe(200);
	});
});

test('the same key for approve and decline is refused before any call', async () => {
	const result = await runSamespace(
		emulator,
		approval({ approvalOptions: { values: { approveKey: '1', disapproveKey: '1' } } }),
		{
			webhookWaitingBaseUrl: waits.baseUrl,
		},
	);
	expect(result.error?.message).toBe(
		'The keys to approve and to decline are both "1": choose two different keys',
	);
	expect(emulator.requests).toHaveLength(0);
});

test('Validate Only: the flow with its signatures masked, and no call', async () => {
	const result = await runSamespace(emulator, approval({ options: { validateOnly: true } }), {
		webhookWaitingBaseUrl: waits.baseUrl,
	});
	const flow = (
		outputJson(result)[0].request as { body: { flow: Array<{ type: string; url?: string }> } }
	).body.flow;
	const urls = flow.filter((step) => step.type === 'http').map((step) => step.url);
	expect(urls).toHaveLength(3);
	for (const url of urls) expect(url).toMatch(/[?&]signature=\*{8}$/);
	expect(emulator.requests).toHaveLength(0);
});

describe("as an AI Agent's human review (samespaceHitlTool)", () => {
	const review = { type: 'n8n-nodes-samespace.samespaceHitlTool' };
	const toolCall = {
		tool: 'Refund_order',
		toolParameters: { order_id: 1042, amount_usd: 120, notify_customer: true },
		toolCallId: 'call_1',
	};

	test('the person hears the tool call in words, not "[object Object]"', async () => {
		// n8n's generated message quotes {{ $tool.parameters }}, which renders as "[object Object]".
		const parameters = approval({
			message: 'The agent wants to run this tool: Refund_order\n\nInput:\n[object Object]',
		});
		emulator.simulator?.pressKeys(APPROVER, ['1']);
		const result = await runSamespace(emulator, parameters, {
			items: [toolCall],
			settings: review,
			webhookWaitingBaseUrl: waits.baseUrl,
		});
		const execution = waits.register(result);
		await emulator.simulator?.idle();

		expect(played('ask')).toBe(
			'An assistant wants to use the tool refund order, with order id: 1042; amount usd: 120; notify customer: yes. Press 1 to approve. Press 2 to decline.',
		);
		expect(outputJson(execution.result as WorkflowRunResult)[0].data).toEqual({ approved: true });
	});

	test('a call that cannot be placed is a decline with its reason, not an error', async () => {
		emulator.inject({ kind: 'status', status: 403, message: 'not allowed' });
		const result = await runSamespace(emulator, approval(), {
			items: [toolCall],
			settings: review,
			webhookWaitingBaseUrl: waits.baseUrl,
		});
		expect(result.error).toBeUndefined();
		const reason =
			'The approval call could not be placed: Samespace refused access: check that the Auth Token may create call flows in this cloud (HTTP 403)';
		expect(outputJson(result)[0]).toEqual({ data: { approved: false, reason }, chatInput: reason });
	});

	test('a call that may have been placed is a decline that says not to ask again', async () => {
		emulator.inject({
			kind: 'status',
			status: 502,
			body: 'bad gateway',
			contentType: 'text/plain',
		});
		const result = await runSamespace(emulator, approval(), {
			items: [toolCall],
			settings: review,
			webhookWaitingBaseUrl: waits.baseUrl,
		});
		expect(outputJson(result)[0].data).toEqual({
			approved: false,
			reason:
				'The approval call may have been placed, but its answer was lost (Samespace failed with HTTP 502: text instead of JSON: "bad gateway"): do not ask again for this tool call',
		});
	});
});
