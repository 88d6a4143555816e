/**
 * Call and Wait for Answer (nodes/Samespace/actions/callFlow/callAndWait.operation.ts) through
 * n8n's engine: the execution waits, the emulator's call simulator plays the call out and its Send
 * Answer to Workflow step (an http step to the resume URL) reaches n8n's waiting-webhook endpoint
 * (dev/waiting.ts, as n8n 2.41 handles it), and the node outputs the keys pressed. Also what must
 * never end or corrupt a wait: forged, malformed, late and repeated reports.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { WorkflowRunResult } from '../../../dev/engine';
import { REPORT_RETRIES } from '../../../nodes/Samespace/flow/report-retry';
import { json, startServer } from '../../support/hostile-server';
import {
	expectNoSecret,
	outputJson,
	runSamespace,
	SECRET_TOKEN,
	useCallSimulation,
} from '../../support/samespace';

const { emulator, waits } = useCallSimulation();
const LEAD = { phone: '14155550123' };

/** Confirm an appointment: 1 to confirm, 2 to reschedule; then the answer goes to the workflow. */
const reminder = (extra: INodeParameters = {}): INodeParameters => ({
	operation: 'callAndWait',
	steps: {
		step: [
			{ type: 'call', number: '={{ $json.phone }}', callerId: '14155550100' },
			{
				type: 'play',
				text: 'Your appointment is tomorrow at 10. Press 1 to confirm, 2 to reschedule.',
			},
			{ type: 'digits', count: 1, variable: 'choice' },
			{ type: 'answer', onFailure: 'sorry' },
			{ type: 'play', text: 'Thank you.', endCall: true },
			{ type: 'play', text: 'Sorry, we could not record your answer.', stepId: 'sorry' },
		],
	},
	...extra,
});

async function callAndWait(
	parameters: INodeParameters,
	options: Parameters<typeof runSamespace>[2] = {},
): Promise<WorkflowRunResult> {
	return await runSamespace(emulator, parameters, {
		items: [LEAD],
		webhookWaitingBaseUrl: waits.baseUrl,
		...options,
	});
}

/** The report address the call was given (its http step, from the flow Samespace received). */
const reportStep = () =>
	(
		emulator.placedCalls[0].body.flow as Array<{
			type: string;
			url: string;
			method: string;
			next_step: unknown;
		}>
	).find((step) => step.type === 'http');

test('the execution waits; the call reports the key pressed; the node outputs it and the call hears "thank you"', async () => {
	emulator.simulator?.pressKeys(LEAD.phone, ['2']);
	const result = await callAndWait(reminder());

	expect(result.status).toBe('waiting');
	const [waiting] = outputJson(result);
	expect(waiting).toEqual(
		expect.objectContaining({ waiting: true, call_id: emulator.placedCalls[0].call_id }),
	);
	const execution = waits.register(result);
	await emulator.simulator?.idle();

	expect(execution.result?.status).toBe('success');
	const [answer] = outputJson(execution.result as WorkflowRunResult);
	expect(answer).toEqual(
		expect.objectContaining({
			answered: true,
			digits: { choice: '2' },
			complete: true,
			call_id: emulator.placedCalls[0].call_id,
		}),
	);
	expect(emulator.simulator?.calls[0].path.map((step) => step.id)).toEqual([
		'1',
		'2',
		'3',
		'4',
		'5',
	]);
	expect(emulator.placedCalls).toHaveLength(1);
	expectNoSecret(result);
	expectNoSecret(execution.result as WorkflowRunResult);
});

test("the answer step becomes an http step to this execution's resume URL, with every variable gathered before it", async () => {
	const result = await callAndWait(
		reminder({
			steps: {
				step: [
					{ type: 'call', number: '={{ $json.phone }}', callerId: '14155550100' },
					{ type: 'digits', count: 4, variable: 'account' },
					{ type: 'digits', count: 1, variable: 'choice' },
					{ type: 'answer', stepId: 'report', onSuccess: 'thanks', onFailure: 'sorry' },
					{ type: 'digits', count: 1, variable: 'later' },
					{ type: 'play', text: 'Thank you.', stepId: 'thanks', endCall: true },
					{ type: 'play', text: 'Sorry.', stepId: 'sorry' },
				],
			},
		}),
	);

	const step = reportStep();
	const id = result.waiting?.executionId;
	expect(step).toEqual({
		id: 'report',
		type: 'http',
		method: 'GET',
		url: expect.stringMatching(
			new RegExp(
				`^${waits.baseUrl}/${id}/samespace-node\\?signature=[0-9a-f]+&ref=[A-Za-z0-9]+&key_account=\\{\\{account\\}\\}&key_choice=\\{\\{choice\\}\\}&end=1$`,
			),
		),
		next_step: { success: 'thanks', fail: 'report-pause-1' },
	});
	waits.register(result);
	await emulator.simulator?.idle();
	expect(outputJson(result.waiting?.result as WorkflowRunResult)[0].digits).toEqual({
		account: '1234',
		choice: '1',
	});
});

test('nothing within Limit Wait Time (15 minutes unless set): answered: false, reason "timeout"; a late report gets 409', async () => {
	const before = Date.now();
	// Not registered with the waiting-webhook server: the simulated call's own report finds nothing (404).
	const result = await callAndWait(reminder());
	const execution = result.waiting;
	expect(execution?.waitTill?.getTime()).toBeGreaterThanOrEqual(before + 15 * 60_000);
	expect(execution?.waitTill?.getTime()).toBeLessThanOrEqual(Date.now() + 15 * 60_000);

	const timedOut = await (execution as NonNullable<typeof execution>).timeOut();
	expect(outputJson(timedOut)[0]).toEqual(
		expect.objectContaining({
			answered: false,
			reason: 'timeout',
			digits: {},
			call_id: emulator.placedCalls[0].call_id,
		}),
	);
	const late = (reportStep()?.url ?? '').replace('{{choice}}', '1');
	expect((await execution?.receive('GET', late))?.status).toBe(409);
});

test('Limit Wait Time after an interval, or at a date', async () => {
	const before = Date.now();
	const interval = await callAndWait(
		reminder({
			options: {
				limitWaitTime: {
					values: { limitType: 'afterTimeInterval', resumeAmount: 2, resumeUnit: 'hours' },
				},
			},
		}),
	);
	expect(interval.waiting?.waitTill?.getTime()).toBeGreaterThanOrEqual(before + 2 * 3_600_000);
	const at = await callAndWait(
		reminder({
			options: {
				limitWaitTime: {
					values: { limitType: 'atSpecifiedTime', maxDateAndTime: '2031-01-02T03:04:05.000Z' },
				},
			},
		}),
	);
	expect(at.waiting?.waitTill?.toISOString()).toBe('2031-01-02T03:04:05.000Z');
});

describe('reports that must never end or corrupt the wait', () => {
	/**
	 * A run that waits, with its report URL filled in by hand. It is not registered with the
	 * waiting-webhook server, so only the test's own requests reach it (the simulated call's gets 404).
	 */
	async function waitingRun() {
		emulator.simulator?.pressKeys(LEAD.phone, ['1']);
		const result = await callAndWait(reminder());
		const execution = result.waiting;
		if (!execution) throw new Error(`not waiting: ${result.error?.message}`);
		const url = (reportStep()?.url ?? '').replace('{{choice}}', '1');
		return { execution, url: new URL(url).pathname + new URL(url).search };
	}

	test('a forged signature: 401, still waiting; then the real report resumes it', async () => {
		const { execution, url } = await waitingRun();
		expect(
			await execution.receive('GET', url.replace(/signature=[0-9a-f]+/, 'signature=forged')),
		).toEqual({ status: 401, body: { error: 'Invalid token' } });
		expect(await execution.receive('GET', url.replace(/signature=[0-9a-f]+&/, ''))).toEqual({
			status: 401,
			body: { error: 'Invalid token' },
		});
		expect(execution.result).toBeUndefined();
		expect(await execution.receive('GET', url)).toEqual({ status: 200, body: { received: true } });
		expect(outputJson(execution.result as WorkflowRunResult)[0].digits).toEqual({ choice: '1' });
	});

	test('a report for another call (another wait of this node): 409, still waiting', async () => {
		const { execution, url } = await waitingRun();
		const late = url.replace(/ref=[A-Za-z0-9]+/, 'ref=EarlierCallRef00');
		expect(await execution.receive('GET', late)).toEqual({
			status: 409,
			body: {
				received: false,
				error: 'This report answers another call (an earlier one, or a copy of this one)',
			},
		});
		expect(await execution.receive('GET', url.replace(/&ref=[A-Za-z0-9]+/, ''))).toEqual({
			status: 400,
			body: { received: false, error: 'The report carries no reference of the call it answers' },
		});
		expect(execution.result).toBeUndefined();
		expect((await execution.receive('GET', url)).status).toBe(200);
	});

	test('a value longer than the call could gather (10,240 keys for a step of 1 digit): 400, still waiting; the genuine report then resumes it', async () => {
		const { execution, url } = await waitingRun();
		const oversized = await execution.receive(
			'GET',
			url.replace('key_choice=1', `key_choice=${'1'.repeat(10_240)}`),
		);
		expect(oversized).toEqual({
			status: 400,
			body: {
				received: false,
				error:
					'The report\'s value for "choice" has 10240 keys, more than this call\'s Gather Digits step could gather (1)',
			},
		});
		for (const bad of ['key_choice=12', 'key_choice=1&key_other=2']) {
			expect((await execution.receive('GET', url.replace('key_choice=1', bad))).status).toBe(400);
		}
		expect(execution.result).toBeUndefined();
		expect((await execution.receive('GET', url)).status).toBe(200);
		expect(outputJson(execution.result as WorkflowRunResult)[0]).toEqual(
			expect.objectContaining({
				answered: true,
				digits: { choice: '1' },
				maxDigits: { choice: 1 },
			}),
		);
	});

	test('values that are not keypad keys: 400, still waiting', async () => {
		const { execution, url } = await waitingRun();
		for (const bad of ['key_choice=<script>', 'key_choice=1&key_choice=2', 'key_choice=12a']) {
			const answer = await execution.receive('GET', url.replace('key_choice=1', bad));
			expect(answer.status).toBe(400);
		}
		expect(execution.result).toBeUndefined();
		expect((await execution.receive('GET', url)).status).toBe(200);
	});

	test('a second report after the resume: 409 from n8n, the output stays the first', async () => {
		const { execution, url } = await waitingRun();
		expect((await execution.receive('GET', url)).status).toBe(200);
		const first = outputJson(execution.result as WorkflowRunResult)[0];
		expect(
			(await execution.receive('GET', url.replace('key_choice=1', 'key_choice=2'))).status,
		).toBe(409);
		expect(outputJson(execution.result as WorkflowRunResult)[0]).toEqual(first);
	});
});

describe('a report that comes before n8n has saved the execution as waiting (409 "running already")', () => {
	const pathOf = () => emulator.simulator?.calls.at(-1)?.path.map((step) => step.id) ?? [];

	test('is tried again after "One moment, please." and arrives: the execution resumes with the keys', async () => {
		emulator.simulator?.pressKeys(LEAD.phone, ['2']);
		waits.answerAsRunning(2);
		const result = await callAndWait(reminder());
		const execution = waits.register(result);
		await emulator.simulator?.idle();

		expect(pathOf()).toEqual([
			'1',
			'2',
			'3',
			'4',
			'4-pause-1',
			'4-retry-1',
			'4-pause-2',
			'4-retry-2',
			'5',
		]);
		const reports = waits.received.filter((r) => r.url.includes(`/${execution.executionId}/`));
		expect(reports.map((r) => r.status)).toEqual([409, 409, 200]);
		expect(outputJson(execution.result as WorkflowRunResult)[0]).toEqual(
			expect.objectContaining({ answered: true, digits: { choice: '2' }, complete: true }),
		);
	});

	test(`refused on every try (1 + ${REPORT_RETRIES}): the step's own failure branch, and the execution goes on waiting`, async () => {
		waits.answerAsRunning(REPORT_RETRIES + 1);
		const result = await callAndWait(reminder());
		const execution = waits.register(result);
		await emulator.simulator?.idle();

		expect(pathOf().slice(3)).toEqual([
			'4',
			...Array.from({ length: REPORT_RETRIES }, (_v, n) => [
				`4-pause-${n + 1}`,
				`4-retry-${n + 1}`,
			]).flat(),
			'sorry',
		]);
		expect(execution.result).toBeUndefined();
	});

	test('a report after the execution ended (409 "finished already") still reaches the failure branch, after the same tries', async () => {
		const result = await callAndWait(reminder());
		const execution = result.waiting as NonNullable<WorkflowRunResult['waiting']>;
		await execution.timeOut();
		emulator.simulator?.reset();
		waits.register(result);
		// The same flow played once more, as a call still running after the time-out would.
		const replay = emulator.simulator?.play('late-call', emulator.placedCalls[0].body.flow);
		await replay?.done;
		expect(replay?.path.at(-1)?.id).toBe('sorry');
		expect(replay?.path.filter((step) => step.type === 'http')).toHaveLength(REPORT_RETRIES + 1);
		expect(outputJson(execution.result as WorkflowRunResult)[0]).toEqual(
			expect.objectContaining({ answered: false, reason: 'timeout' }),
		);
	});
});

test('a "#" put into the report URL as it is cuts the rest: the node says which variable held it', async () => {
	emulator.simulator?.pressKeys(LEAD.phone, ['12#', '1']);
	const result = await callAndWait(
		reminder({
			steps: {
				step: [
					{ type: 'call', number: '={{ $json.phone }}', callerId: '14155550100' },
					{ type: 'digits', count: 3, variable: 'account' },
					{ type: 'digits', count: 1, variable: 'choice' },
					{ type: 'answer', onFailure: 'sorry' },
					{ type: 'play', text: 'Thank you.', endCall: true },
					{ type: 'play', text: 'Sorry.', stepId: 'sorry' },
				],
			},
		}),
	);
	const execution = waits.register(result);
	await emulator.simulator?.idle();

	expect(outputJson(execution.result as WorkflowRunResult)[0]).toEqual(
		expect.objectContaining({
			answered: true,
			digits: { account: '12' },
			complete: false,
			cutAt: 'account',
		}),
	);
});

describe('refused before any call', () => {
	test('several items: one call per execution, and how to call a list', async () => {
		const result = await runSamespace(emulator, reminder(), {
			items: [LEAD, LEAD],
			webhookWaitingBaseUrl: waits.baseUrl,
		});
		expect(result.error?.message).toBe(
			'Call and Wait for Answer places one call per execution, and this node got 2 items',
		);
		expect(result.error?.description).toContain('Loop Over Items');
		expect(emulator.requests).toHaveLength(0);
	});

	test('a flow without a Send Answer to Workflow step', async () => {
		const result = await callAndWait({
			operation: 'callAndWait',
			steps: {
				step: [
					{ type: 'call', number: '={{ $json.phone }}', callerId: '14155550100' },
					{ type: 'play', text: 'Hi' },
				],
			},
		});
		expect(result.error?.message).toBe(
			'Item 1: invalid call flow: flow: has no Send Answer to Workflow step, so the call could never report back: add one after the Gather Digits steps whose keys the workflow needs',
		);
		expect(emulator.requests).toHaveLength(0);
	});

	test('a Send Answer to Workflow step that can never run', async () => {
		const result = await callAndWait({
			operation: 'callAndWait',
			steps: {
				step: [
					{ type: 'call', number: '={{ $json.phone }}', callerId: '14155550100' },
					{ type: 'play', text: 'Goodbye', endCall: true },
					{ type: 'answer', stepId: 'never', onFailure: 'bye' },
					{ type: 'play', text: 'Bye', stepId: 'bye' },
				],
			},
		});
		expect(result.error?.message).toMatch(
			/step 3 \(Send Answer to Workflow, Step ID "never"\): can never be reached from the first step, so the call could never report back/,
		);
		expect(emulator.requests).toHaveLength(0);
	});

	test('a Send Answer to Workflow step with Place Call', async () => {
		const result = await callAndWait({ ...reminder(), operation: 'placeCall' });
		expect(result.error?.message).toMatch(
			/step 4 \(Send Answer to Workflow\), "Type": a Send Answer to Workflow step works only with the operation "Call and Wait for Answer"/,
		);
		expect(emulator.requests).toHaveLength(0);
	});

	test("n8n's webhook address is local while the calls go to a public API: which setting to change", async () => {
		const result = await runSamespace(
			{ baseUrl: 'https://api.samespace.com/api/public/v1' },
			reminder(),
			{ items: [LEAD] },
		);
		expect(result.error?.message).toBe(
			"Samespace could not reach this n8n to report the answer: n8n's webhook address is http://localhost:5678",
		);
		expect(result.error?.description).toContain('N8N_WEBHOOK_URL');
		expect(result.error?.description).toContain('No call was placed.');
	});

	test('a retried execution', async () => {
		const result = await callAndWait(reminder(), { mode: 'retry' });
		expect(result.error?.message).toBe(
			'This is a retry of a failed execution. No call was placed, so nobody is called twice.',
		);
		expect(emulator.requests).toHaveLength(0);
	});
});

test("Validate Only shows the flow that would be sent, the resume URL's signature masked; nothing is sent", async () => {
	const result = await callAndWait(reminder({ options: { validateOnly: true } }));

	expect(result.status).toBe('success');
	const [preview] = outputJson(result);
	const flow = (preview.request as { body: { flow: Array<{ type: string; url?: string }> } }).body
		.flow;
	expect(flow.find((step) => step.type === 'http')?.url).toMatch(
		/\/samespace-node\?signature=\*{8}&ref=[A-Za-z0-9]+&key_choice=\{\{choice\}\}&end=1$/,
	);
	expect(JSON.stringify(preview)).not.toContain(SECRET_TOKEN);
	expect(emulator.requests).toHaveLength(0);
});

test('with Continue On Fail, a call Samespace refuses gives its error item and no wait', async () => {
	emulator.inject(400);
	const result = await callAndWait(reminder(), { continueOnFail: true });
	expect(result.status).toBe('success');
	expect(outputJson(result)[0]).toEqual(
		expect.objectContaining({ outcome: 'refused', callMayHaveBeenPlaced: false }),
	);
	expect(result.waiting).toBeUndefined();
});

test("the resume URL's signature never reaches an output item: not in Include Submitted Flow, not in an answer that echoes the flow", async () => {
	const echoing = await startServer((request, response) => {
		const text = JSON.stringify({
			success: true,
			call_id: 'echo-1',
			echo: JSON.parse(request.body),
		});
		response.writeHead(200, { 'content-type': 'application/json' });
		response.end(text);
	});
	try {
		const result = await runSamespace(echoing, reminder({ options: { includeFlow: true } }), {
			items: [LEAD],
			webhookWaitingBaseUrl: waits.baseUrl,
		});
		expect(result.status).toBe('waiting');
		const signature = /signature=([0-9a-f]+)/.exec(echoing.received[0].body)?.[1];
		expect(signature).toMatch(/^[0-9a-f]{32,}$/);
		const shown = JSON.stringify(outputJson(result));
		expect(shown).toContain('signature=********');
		expect(shown).not.toContain(String(signature));
		expect(
			JSON.stringify(result.waiting ? await result.waiting.timeOut().then(outputJson) : []),
		).not.toContain(String(signature));
	} finally {
		await echoing.close();
	}
});

test('a refusal that quotes the flow shows no signature: in the error, the error item, or a cut quote', async () => {
	const quoting = await startServer((request, response) => {
		const flow = JSON.stringify(JSON.parse(request.body).flow);
		// Once as Samespace's message, once as plain text cut by the node after 80 characters.
		json(response, 400, { success: false, message: `bad flow ${flow}` });
	});
	const cutting = await startServer((request, response) => {
		const url =
			(JSON.parse(request.body).flow as Array<{ type: string; url?: string }>).find(
				(step) => step.type === 'http',
			)?.url ?? '';
		response.writeHead(502, { 'content-type': 'text/plain' });
		response.end(`${'x'.repeat(40)} ${url.slice(url.indexOf('signature='))}`);
	});
	try {
		for (const server of [quoting, cutting]) {
			for (const continueOnFail of [false, true]) {
				const result = await runSamespace(server, reminder(), {
					items: [LEAD],
					webhookWaitingBaseUrl: waits.baseUrl,
					continueOnFail,
				});
				const signature =
					/signature=([0-9a-f]+)/.exec(server.received.at(-1)?.body ?? '')?.[1] ?? 'missing';
				const shown = `${JSON.stringify(outputJson(result))} ${result.error?.message} ${result.error?.description}`;
				expect(shown).toMatch(/signature=\*{8}|HTTP/);
				for (let at = 0; at + 12 <= signature.length; at += 4)
					expect(shown).not.toContain(signature.slice(at, at + 12));
			}
		}
	} finally {
		await quoting.close();
		await cutting.close();
	}
});

test('a Limit Wait Time that would end at once is refused before the call', async () => {
	for (const values of [
		{ limitType: 'afterTimeInterval', resumeAmount: 0, resumeUnit: 'minutes' },
		{ limitType: 'atSpecifiedTime', maxDateAndTime: '2020-01-01T00:00:00.000Z' },
		{ limitType: 'atSpecifiedTime', maxDateAndTime: 'next tuesday-ish' },
	]) {
		const result = await callAndWait(reminder({ options: { limitWaitTime: { values } } }), {
			continueOnFail: false,
		});
		expect(result.error?.message).toMatch(/^Limit Wait Time: /);
		expect(result.error?.description).toMatch(/^No call was placed\./);
	}
	expect(emulator.requests).toHaveLength(0);
});

test('a variable no Gather Digits step filled on the path taken reports as no keys', async () => {
	// 1 asks for a PIN; any other key goes straight to the report, whose {{pin}} Samespace leaves as it is.
	emulator.simulator?.pressKeys(LEAD.phone, ['9']);
	const result = await callAndWait(
		reminder({
			steps: {
				step: [
					{ type: 'call', number: '={{ $json.phone }}', callerId: '14155550100' },
					{
						type: 'digits',
						count: 1,
						variable: 'choice',
						routes: { route: [{ key: '1', step: 'pin' }] },
						anyInput: 'report',
					},
					{ type: 'digits', count: 4, variable: 'pin', stepId: 'pin' },
					{ type: 'answer', stepId: 'report', onFailure: 'sorry' },
					{ type: 'play', text: 'Thank you.', endCall: true },
					{ type: 'play', text: 'Sorry.', stepId: 'sorry' },
				],
			},
		}),
	);
	const execution = waits.register(result);
	await emulator.simulator?.idle();
	expect(
		emulator.simulator?.calls.at(-1)?.path.find((step) => step.type === 'http')?.request?.url,
	).toContain('key_pin={{pin}}');
	expect(outputJson(execution.result as WorkflowRunResult)[0]).toEqual(
		expect.objectContaining({ answered: true, digits: { choice: '9', pin: '' }, complete: true }),
	);
});
