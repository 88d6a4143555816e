/**
 * The trail in n8n's log, through n8n's engine: the node logs one line per call that Samespace
 * accepted (info) or may have placed (warn), as soon as the call's outcome is known, and nothing
 * for an item whose call was not placed. It is what is left of a run after its process died
 * (a queue-mode worker killed mid-run): n8n then saves nothing of the node.
 *
 * The harness (dev/engine.ts) puts a capturing logger where n8n-core's node contexts take
 * `this.logger` from (the `Logger` of @n8n/backend-common in n8n-core's DI container) and keeps
 * every call, structured (`logEntries`) and as lines (`logs`); `onLog` sees each as it happens.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { LogEntry, WorkflowRunResult } from '../../dev/engine';
import { callsNumber } from '../../dev/emulator';
import {
	acceptCall,
	calledNumber,
	json,
	startServer,
	type Received,
} from '../support/hostile-server';
import {
	CLOUD_ID,
	outputJson,
	runSamespace,
	SECRET_TOKEN,
	straightSteps,
	useCallSimulation,
	useEmulator,
} from '../support/samespace';

/** The documented messages (docs/reference.md): operators search for them. */
const ACCEPTED = 'Samespace call accepted';
const MAY_HAVE_PLACED = 'Samespace call may have been placed';

const phone = (index: number) => `141555501${String(index + 1).padStart(2, '0')}`;
const leads = (count: number) =>
	Array.from({ length: count }, (_v, index) => ({ phone: phone(index) }));
const FAST = { retries: 3, maxRetryWait: 0.05, timeout: 5 };

/** The node's own lines: the trail. */
const trail = (result: WorkflowRunResult) =>
	result.logEntries.filter(
		(entry) => entry.message.startsWith(ACCEPTED) || entry.message.startsWith(MAY_HAVE_PLACED),
	);
const linesFor = (result: WorkflowRunResult, itemIndex: number) =>
	trail(result).filter((entry) => entry.metadata.itemIndex === itemIndex);

function expectRunFields(result: WorkflowRunResult, entry: LogEntry) {
	expect(entry.metadata).toMatchObject({
		executionId: result.executionId,
		workflowId: result.workflowId,
		node: 'Samespace',
	});
	// n8n's default console format prints the message alone: it must name the run and the item too.
	expect(entry.message).toContain(
		`: executionId=${result.executionId} workflowId=${result.workflowId} node=Samespace itemIndex=${String(entry.metadata.itemIndex)} `,
	);
}

describe('against the emulator', () => {
	const emulator = useEmulator();
	const itemOfNumber = (number: string | undefined) => Number(number?.slice(-2)) - 1;

	test('every accepted call: one info line with its item and the call id Samespace gave it', async () => {
		const result = await runSamespace(
			emulator,
			{ steps: straightSteps(), options: { ...FAST, concurrency: 3 } },
			{ items: leads(7) },
		);

		expect(result.status).toBe('success');
		expect(emulator.placedCalls).toHaveLength(7);
		const lines = trail(result);
		expect(lines).toHaveLength(7);
		for (const line of lines) {
			expect(line.level).toBe('info');
			expect(line.message.startsWith(`${ACCEPTED}: `)).toBe(true);
			expectRunFields(result, line);
		}
		const logged = lines
			.map((line) => ({ itemIndex: line.metadata.itemIndex, callId: line.metadata.callId }))
			.sort((a, b) => Number(a.itemIndex) - Number(b.itemIndex));
		const placed = emulator.placedCalls
			.map((call) => ({ itemIndex: itemOfNumber(call.number), callId: call.call_id }))
			.sort((a, b) => a.itemIndex - b.itemIndex);
		expect(logged).toEqual(placed);
		expect(logged.map((line) => line.itemIndex)).toEqual([0, 1, 2, 3, 4, 5, 6]);
		for (const line of lines)
			expect(line.message.endsWith(` callId=${String(line.metadata.callId)}`)).toBe(true);
	});

	test('continue on fail: a warn line for a 500 and a reset, none for a 400 or a 401, one line for a 429 then accepted', async () => {
		emulator.inject(
			{ kind: 'status', status: 500, message: 'database down' },
			{ when: callsNumber(phone(1)) },
		);
		emulator.inject(
			{ kind: 'status', status: 400, message: 'number is blocked' },
			{ when: callsNumber(phone(2)) },
		);
		emulator.inject(401, { when: callsNumber(phone(3)) });
		emulator.inject('resetBeforeResponse', { when: callsNumber(phone(4)) });
		emulator.inject(
			{ kind: 'status', status: 429, retryAfter: 0 },
			{ when: callsNumber(phone(5)) },
		);

		const result = await runSamespace(
			emulator,
			{ steps: straightSteps(), options: { ...FAST, concurrency: 3 } },
			{ items: leads(6), continueOnFail: true },
		);

		const outputs = outputJson(result);
		expect(outputs.map((item) => item.outcome ?? 'accepted')).toEqual([
			'accepted',
			'uncertain',
			'refused',
			'refused',
			'uncertain',
			'accepted',
		]);
		const summary = trail(result)
			.map((line) => [
				line.metadata.itemIndex,
				line.level,
				line.metadata.reason ?? line.metadata.callId,
			])
			.sort((a, b) => Number(a[0]) - Number(b[0]));
		expect(summary).toEqual([
			[0, 'info', outputs[0].call_id],
			[1, 'warn', 'HTTP 500'],
			[4, 'warn', 'the connection broke before the answer arrived (ECONNRESET)'],
			[5, 'info', outputs[5].call_id],
		]);
		// The 429 was sent twice and placed once: one line, with the call id of the placed call.
		expect(emulator.requests.filter((request) => callsNumber(phone(5))(request.body))).toHaveLength(
			2,
		);
		expect(emulator.placedCalls.filter((call) => call.number === phone(5))).toEqual([
			expect.objectContaining({ call_id: outputs[5].call_id }),
		]);
		for (const line of trail(result)) expectRunFields(result, line);
		const warn = linesFor(result, 1)[0];
		expect(warn.message).toBe(
			`${MAY_HAVE_PLACED}: executionId=${result.executionId} workflowId=${result.workflowId} node=Samespace itemIndex=1 reason="HTTP 500"`,
		);
		// Samespace's words for the 500 are in the output, never in the log.
		expect(String(outputs[1].error)).toContain('database down');
		expect(result.logs.join('\n')).not.toMatch(/database down|number is blocked/);
	});

	test('the first failure stops the run: lines for the calls that went out, none for the items never sent', async () => {
		emulator.inject({ kind: 'status', status: 500 }, { when: callsNumber(phone(3)) });
		const result = await runSamespace(
			emulator,
			{ steps: straightSteps(), options: { ...FAST, concurrency: 1 } },
			{ items: leads(10) },
		);

		expect(result.error?.description).toContain('Accepted by Samespace: 3 calls (items 1-3).');
		expect(result.error?.description).toContain(
			'Not placed, safe to send again: 6 items (items 5-10).',
		);
		expect(trail(result).map((line) => [line.metadata.itemIndex, line.level])).toEqual([
			[0, 'info'],
			[1, 'info'],
			[2, 'info'],
			[3, 'warn'],
		]);
	});

	test('no line holds the auth token, the Cloud ID, a phone number or the flow, in any encoding', async () => {
		emulator.inject({ kind: 'status', status: 502 }, { when: callsNumber(phone(1)) });
		emulator.inject('truncatedJson', { when: callsNumber(phone(2)) });
		const result = await runSamespace(
			emulator,
			{ steps: straightSteps(), options: { ...FAST, concurrency: 2 } },
			{ items: leads(4), continueOnFail: true },
		);

		expect(
			trail(result)
				.map((line) => line.level)
				.sort(),
		).toEqual(['info', 'info', 'warn', 'warn']);
		const numbers = [...leads(4).map((lead) => lead.phone), '14155550100'];
		expectNothingPersonal(result, numbers, ['Hello from Acme.']);
	});
});

describe('against answers that echo everything they were sent', () => {
	test('the log quotes none of it: not the token, the Cloud ID, the number or the flow', async () => {
		// Each answer repeats the whole request (cloud_id, auth_token, the flow with its numbers),
		// as a debugging proxy or a careless API might.
		const server = await startServer((request: Received, response) => {
			const number = calledNumber(request) ?? '';
			const echo = `${request.body} ${number}`;
			if (number === phone(0)) return acceptCall(response, 'call-ok-1');
			if (number === phone(1)) return json(response, 500, { success: false, message: echo });
			if (number === phone(2)) {
				response.writeHead(200, { 'content-type': 'text/html' });
				response.end(`<html><title>${echo}</title></html>`);
				return;
			}
			if (number === phone(3)) {
				response.writeHead(302, { location: `https://x.example/?r=${encodeURIComponent(echo)}` });
				response.end();
				return;
			}
			return json(response, 400, { success: false, message: echo });
		});
		try {
			const result = await runSamespace(
				server,
				{ steps: straightSteps(), options: { ...FAST, concurrency: 1 } },
				{ items: leads(5), continueOnFail: true },
			);

			expect(server.sawText(SECRET_TOKEN)).toBe(true); // the echo did carry the secrets
			expect(trail(result).map((line) => [line.metadata.itemIndex, line.level])).toEqual([
				[0, 'info'],
				[1, 'warn'],
				[2, 'warn'],
				[3, 'warn'],
			]);
			expect(trail(result).map((line) => line.metadata.reason ?? line.metadata.callId)).toEqual([
				'call-ok-1',
				'HTTP 500',
				'HTTP 200 with an HTML page instead of JSON',
				'HTTP 302 redirect, not followed',
			]);
			const numbers = [...leads(5).map((lead) => lead.phone), '14155550100'];
			expectNothingPersonal(result, numbers, ['Hello from Acme.']);
		} finally {
			await server.close();
		}
	});
});

test('a line is written as soon as its call is accepted, while the run is still going', async () => {
	const seen: LogEntry[] = [];
	const stop = new AbortController();
	let seenWhenSecondArrived: LogEntry[] | undefined;
	const server = await startServer((request, response) => {
		if (calledNumber(request) === phone(0)) return acceptCall(response, 'call-first');
		// The second call is held: the run cannot end until the test stops it.
		seenWhenSecondArrived = [...seen];
		setTimeout(() => stop.abort(), 50);
	});
	try {
		const result = await runSamespace(
			server,
			{ steps: straightSteps(), options: { ...FAST, concurrency: 1, timeout: 30 } },
			{ items: leads(3), signal: stop.signal, onLog: (entry) => seen.push(entry) },
		);

		expect(result.status).toBe('canceled');
		const first = seenWhenSecondArrived?.filter((entry) => entry.message.startsWith(ACCEPTED));
		expect(first).toEqual([
			expect.objectContaining({
				level: 'info',
				metadata: expect.objectContaining({ itemIndex: 0, callId: 'call-first' }),
			}),
		]);
		// The held call was cut off by the stop: it may have been placed. Item 3 was never sent.
		expect(
			trail(result).map((line) => [line.metadata.itemIndex, line.level, line.metadata.reason]),
		).toEqual([
			[0, 'info', undefined],
			[1, 'warn', 'the execution was stopped while the request was out'],
		]);
	} finally {
		await server.close();
	}
});

describe('the waiting operations place their call through the same path: one line each', () => {
	const { emulator, waits } = useCallSimulation();
	const LEAD = '14155550123';

	test('Call and Wait for Answer: one info line when the call is accepted, none when the answer comes', async () => {
		emulator.simulator?.pressKeys(LEAD, ['1']);
		const parameters: INodeParameters = {
			operation: 'callAndWait',
			steps: {
				step: [
					{ type: 'call', number: '={{ $json.phone }}', callerId: '14155550100' },
					{ type: 'play', text: 'Press 1 to confirm.' },
					{ type: 'digits', count: 1, variable: 'choice' },
					{ type: 'answer', onFailure: 'sorry' },
					{ type: 'play', text: 'Thank you.', endCall: true },
					{ type: 'play', text: 'Sorry.', stepId: 'sorry' },
				],
			},
		};
		const result = await runSamespace(emulator, parameters, {
			items: [{ phone: LEAD }],
			webhookWaitingBaseUrl: waits.baseUrl,
		});
		expect(result.status).toBe('waiting');
		expect(trail(result)).toEqual([
			expect.objectContaining({
				level: 'info',
				metadata: expect.objectContaining({
					itemIndex: 0,
					callId: emulator.placedCalls[0].call_id,
				}),
			}),
		]);
		expectRunFields(result, trail(result)[0]);

		const execution = waits.register(result);
		await emulator.simulator?.idle();
		const resumed = execution.result as WorkflowRunResult;
		expect(resumed.status).toBe('success');
		expect(outputJson(resumed)[0].digits).toEqual({ choice: '1' });
		expect(trail(resumed)).toHaveLength(1);
		expect(emulator.placedCalls).toHaveLength(1);
		expectNothingPersonal(resumed, [LEAD, '14155550100'], ['Press 1 to confirm.']);
	});

	const approval = {
		operation: 'sendAndWait',
		number: LEAD,
		callerId: '14155550100',
		message: 'A refund of 120 dollars for order 1042 is waiting.',
	};

	test('Call and Wait for Approval: one info line', async () => {
		emulator.simulator?.pressKeys(LEAD, ['1']);
		const result = await runSamespace(emulator, approval, { webhookWaitingBaseUrl: waits.baseUrl });
		const execution = waits.register(result);
		await emulator.simulator?.idle();
		const resumed = execution.result as WorkflowRunResult;

		expect(outputJson(resumed)[0].data).toEqual({ approved: true });
		expect(trail(resumed)).toEqual([
			expect.objectContaining({
				level: 'info',
				metadata: expect.objectContaining({
					itemIndex: 0,
					callId: emulator.placedCalls[0].call_id,
				}),
			}),
		]);
		expectNothingPersonal(resumed, [LEAD, '14155550100'], ['A refund of 120 dollars']);
	});

	test.each([
		['a 502: may have been placed', 502, ['warn']],
		['a 403: refused', 403, []],
	])("as an AI Agent's human review, %s", async (_name, status, levels) => {
		emulator.inject({ kind: 'status', status, body: 'nope', contentType: 'text/plain' });
		const result = await runSamespace(emulator, approval, {
			items: [{ tool: 'Refund_order', toolParameters: { order_id: 1042 }, toolCallId: 'call_1' }],
			settings: { type: 'n8n-nodes-samespace.samespaceHitlTool' },
			webhookWaitingBaseUrl: waits.baseUrl,
		});
		expect(outputJson(result)[0].data).toEqual(expect.objectContaining({ approved: false }));
		expect(trail(result).map((line) => line.level)).toEqual(levels);
	});
});

// -------------------------------------------------------------------------------------------------

const base64 = (text: string) => Buffer.from(text).toString('base64');
const base64url = (text: string) => Buffer.from(text).toString('base64url');

/** Every shape in which a value could be written into a log line. */
function shapesOf(value: string): string[] {
	return [value, value.trim()].flatMap((text) => [
		text,
		JSON.stringify(text).slice(1, -1),
		encodeURIComponent(text),
		encodeURIComponent(text).replace(/%20/g, '+'),
		base64(text),
		base64(text).replace(/=+$/, ''),
		base64url(text),
	]);
}

/** A phone number's shapes: as given, digits only, with a +, without the country code, each encoded. */
function numberShapes(number: string): string[] {
	const digits = number.replace(/\D/g, '');
	return [number, digits, `+${digits}`, digits.slice(1)].flatMap(shapesOf);
}

/**
 * No log line of the run (the node's and the engine's) holds the auth token, the Cloud ID, a
 * phone number or text of the flow, raw, digits only, with a +, JSON-escaped, URL-encoded or
 * base64 (standard, unpadded, URL-safe); nor any 12-character piece of the token.
 */
function expectNothingPersonal(result: WorkflowRunResult, numbers: string[], flowTexts: string[]) {
	expect(trail(result).length).toBeGreaterThan(0);
	const text = result.logs.join('\n');
	const pieces = Array.from({ length: SECRET_TOKEN.length - 11 }, (_v, start) =>
		SECRET_TOKEN.slice(start, start + 12),
	);
	const forbidden = [
		...shapesOf(SECRET_TOKEN),
		...pieces,
		...shapesOf(CLOUD_ID),
		...numbers.flatMap(numberShapes),
		...flowTexts.flatMap(shapesOf),
	];
	expect(forbidden.filter((shape) => text.includes(shape))).toEqual([]);
}
