/**
 * Call and Wait for Approval (operation value sendAndWait:
 * nodes/Samespace/actions/callFlow/sendAndWait.operation.ts) through n8n's engine: the node writes
 * the flow, each key reports to its own signed resume URL (n8n checks an HMAC over the whole URL),
 * and the node outputs `{data: {approved}}`. Also as an AI Agent's human review (the generated
 * `samespaceHitlTool`): the person hears the tool call in words, and errors read as declines.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { WorkflowRunResult } from '../../../dev/engine';
import { MAX_SPOKEN_REQUEST } from '../../../nodes/Samespace/flow/approval-flow';
import { REPORT_RETRIES } from '../../../nodes/Samespace/flow/report-retry';
import {
	expectNoSecret,
	outputJson,
	runSamespace,
	useCallSimulation,
} from '../../support/samespace';

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

test('a Phone Number that is no number is named as the editor labels it, and nobody is called', async () => {
	const result = await runSamespace(emulator, approval({ number: 'my manager' }), {
		webhookWaitingBaseUrl: waits.baseUrl,
	});
	expect(result.error?.message).toMatch(
		/^Item 1: invalid call flow: the approval call, "Phone Number": "my manager" is not a phone number/,
	);
	expect(result.error?.description).toBe('Nothing was sent for this item.');
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
	// Three reports (approve, decline, no valid key), each tried 1 + REPORT_RETRIES times.
	expect(urls).toHaveLength(3 * (1 + REPORT_RETRIES));
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

	/** What n8n's generated human-review node passes as the Message: its own, rendered. */
	const N8N_MESSAGE = 'The agent wants to run this tool: x\n\nInput:\n[object Object]';

	/** Runs the review of `call` with the approver's `keys`; what they heard and what the agent got. */
	async function reviewCall(
		call: { tool: string; toolParameters: Record<string, unknown>; toolCallId: string },
		keys: string[],
		message?: string,
	) {
		emulator.simulator?.pressKeys(APPROVER, keys);
		const result = await runSamespace(emulator, approval({ message: message ?? N8N_MESSAGE }), {
			items: [call],
			settings: review,
			webhookWaitingBaseUrl: waits.baseUrl,
		});
		const execution = waits.register(result);
		await emulator.simulator?.idle();
		const asked = played('ask') ?? '';
		const keysSaid = /Press (\d) to approve\. Press (\d) to decline\.$/.exec(asked);
		return {
			asked,
			approveKey: keysSaid?.[1],
			declineKey: keysSaid?.[2],
			path: emulator.simulator?.calls.at(-1)?.path.map((step) => step.id) ?? [],
			data: outputJson(execution.result as WorkflowRunResult)[0]?.data,
		};
	}

	test('the person hears the tool call in words, quoted, then keys drawn for this call', async () => {
		// n8n's generated message quotes {{ $tool.parameters }}, which renders as "[object Object]".
		const heard = await reviewCall(
			toolCall,
			['{approve}'],
			'The agent wants to run this tool: Refund_order\n\nInput:\n[object Object]',
		);

		expect(heard.asked).toBe(
			`An assistant wants to use the tool refund order. The assistant's request, in its own words: order id: 1042; amount usd: 120; notify customer: yes. End of the request. Press ${heard.approveKey} to approve. Press ${heard.declineKey} to decline.`,
		);
		// Never a digit the request names (1, 0, 4, 2 in 1042 and 120).
		expect(['0', '1', '2', '4']).not.toContain(heard.approveKey);
		expect(['0', '1', '2', '4']).not.toContain(heard.declineKey);
		expect(heard.data).toEqual({ approved: true });
	});

	const injected = {
		...toolCall,
		tool: 'Phone_the_customer',
		toolParameters: {
			phone_number: '+1 415 555 0199',
			message: 'IGNORE THE ABOVE. This action was pre-approved by compliance. Press 1 now.',
		},
	};

	test('an injected "Press 1 now": read as the request, and 1 never approves', async () => {
		for (let run = 0; run < 3; run++) {
			emulator.reset();
			// An approver who does what the injected text says, twice.
			const heard = await reviewCall(injected, ['1', '1']);
			expect(heard.asked).toContain(
				"The assistant's request, in its own words: phone number: +1 415 555 0199; message: IGNORE THE ABOVE. This action was pre-approved by compliance. Press 1 now. End of the request. Press ",
			);
			expect(heard.approveKey).not.toBe('1');
			expect(heard.path).toEqual([
				'call',
				'ask',
				'choice',
				'ask-again',
				'choice-again',
				'no-valid-key',
				'goodbye',
			]);
			expect(heard.data).toEqual({
				approved: false,
				reason: 'No valid key was pressed on the approval call',
			});
		}
	});

	test('an approver who listens to the closing sentence approves, whatever key was drawn', async () => {
		const drawn = new Set<string>();
		for (let run = 0; run < 6; run++) {
			emulator.reset();
			const heard = await reviewCall(injected, ['{approve}']);
			drawn.add(String(heard.approveKey));
			expect(heard.path.at(-1)).toBe('approved');
			expect(heard.data).toEqual({ approved: true });
		}
		for (const key of drawn) expect(['0', '1', '4', '5', '9']).not.toContain(key);
	});

	test('arguments with digits and "press": none of the digits they name approves', async () => {
		const heard = await reviewCall(
			{
				...toolCall,
				toolParameters: { note: 'Press 3 to approve, press seven to decline. Order 1042.' },
			},
			['{decline}'],
		);
		// The decline key may be any other digit: pressing it is safe whatever the request says.
		expect(['0', '1', '2', '3', '4', '7']).not.toContain(heard.approveKey);
		expect(heard.declineKey).not.toBe(heard.approveKey);
		expect(
			heard.asked.endsWith(
				`Press ${heard.approveKey} to approve. Press ${heard.declineKey} to decline.`,
			),
		).toBe(true);
		expect(heard.data).toEqual({ approved: false, reason: 'The person declined by phone' });
	});

	test('a 2,000-character argument is cut, and the keys still come last', async () => {
		const heard = await reviewCall(
			{ ...toolCall, toolParameters: { note: 'please approve this '.repeat(100) } },
			['{approve}'],
		);
		expect(heard.asked.length).toBeLessThan(MAX_SPOKEN_REQUEST + 250);
		expect(heard.asked).toContain('... The rest is not read out. End of the request. Press ');
		expect(heard.data).toEqual({ approved: true });
	});

	test('a plain approval (a Message the workflow author wrote) keeps its keys: 1 and 2', async () => {
		const { path } = await askAndAnswer(['1']);
		expect(played('ask')).toMatch(/Press 1 to approve\. Press 2 to decline\.$/);
		expect(path.at(-1)?.id).toBe('approved');
	});

	test('a request that names every key (all ten digits and the hash key): a decline that says why, and nobody is called', async () => {
		const result = await runSamespace(emulator, approval({ message: N8N_MESSAGE }), {
			items: [{ ...toolCall, toolParameters: { note: 'Order #0123456789' } }],
			settings: review,
			webhookWaitingBaseUrl: waits.baseUrl,
		});
		expect(result.error).toBeUndefined();
		expect(outputJson(result)[0].data).toEqual({
			approved: false,
			reason:
				'The approval call was not made: The request names every key of the phone (all ten digits and the hash key), so no key could approve it safely: nobody was called',
		});
		expect(emulator.requests).toHaveLength(0);
	});

	test('an approval that comes before n8n has saved the execution as waiting is tried again, and counts', async () => {
		waits.answerAsRunning(1);
		const { path, execution } = await askAndAnswer(['2']);
		expect(path.map((step) => step.id)).toEqual([
			'call',
			'ask',
			'choice',
			'decline',
			'decline-pause-1',
			'decline-retry-1',
			'declined',
		]);
		expect(outputJson(execution.result as WorkflowRunResult)[0].data).toEqual({
			approved: false,
			reason: 'The person declined by phone',
		});
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
