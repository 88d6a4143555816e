/**
 * Unit tests of the Send Answer to Workflow step (nodes/Samespace/flow/answer-step.ts): the address
 * its report goes to, the flow that is sent for it (an http step per answer step, retried after a
 * short pause), the most digits each variable can hold, and reading a report back. Pure functions:
 * no I/O, no timers.
 */
import {
	answerReportUrl,
	maxDigitsOf,
	readAnswerReport,
	withAnswerReports,
} from '../../../nodes/Samespace/flow/answer-step';
import { checkFlow } from '../../../nodes/Samespace/flow/check';
import { REPORT_PAUSE_TEXT, REPORT_RETRIES } from '../../../nodes/Samespace/flow/report-retry';
import type { CallFlow } from '../../../nodes/Samespace/flow/schema';
import { answer, BRANCHES, call, digits, play, type Raw } from '../../support/flow-steps';

const RESUME = 'https://n8n.example.com/webhook-waiting/42/node-1';
const SIGNED = `${RESUME}?signature=abc123`;
const REF = 'r3f';

function parsed(raw: Raw[], mode: 'forbidden' | 'required' = 'required'): CallFlow {
	const checked = checkFlow(raw, mode);
	expect(checked.errors).toEqual([]);
	if (!checked.flow) throw new Error('expected a valid flow');
	return checked.flow;
}

// -------------------------------------------------------------------------------------------------

describe('answerReportUrl', () => {
	test.each<[string, string, string, string[], string]>([
		['no query, no variables', RESUME, REF, [], `${RESUME}?ref=r3f&end=1`],
		['no query, one variable', RESUME, REF, ['pin'], `${RESUME}?ref=r3f&key_pin={{pin}}&end=1`],
		[
			'no query, several variables (in the order given)',
			RESUME,
			REF,
			['choice', 'pin', 'account_id'],
			`${RESUME}?ref=r3f&key_choice={{choice}}&key_pin={{pin}}&key_account_id={{account_id}}&end=1`,
		],
		['an existing query (the signature), no variables', SIGNED, REF, [], `${SIGNED}&ref=r3f&end=1`],
		[
			'an existing query, one variable',
			SIGNED,
			REF,
			['pin'],
			`${SIGNED}&ref=r3f&key_pin={{pin}}&end=1`,
		],
		[
			'an existing query, several variables',
			SIGNED,
			REF,
			['a', 'b'],
			`${SIGNED}&ref=r3f&key_a={{a}}&key_b={{b}}&end=1`,
		],
		[
			'a reference that needs encoding',
			RESUME,
			'a b&c=d#e/+?%',
			['pin'],
			`${RESUME}?ref=a%20b%26c%3Dd%23e%2F%2B%3F%25&key_pin={{pin}}&end=1`,
		],
	])('%s', (_name, resumeUrl, ref, variables, expected) => {
		expect(answerReportUrl(resumeUrl, ref, variables)).toBe(expected);
	});

	test('an encoded reference reads back as itself', () => {
		const ref = 'a b&c=d#e/+?%';
		const url = new URL(answerReportUrl(SIGNED, ref, []));
		expect(url.searchParams.get('ref')).toBe(ref);
		expect(url.searchParams.get('signature')).toBe('abc123');
		expect(url.hash).toBe('');
	});
});

describe('withAnswerReports', () => {
	const report = (variables: string[]) => answerReportUrl(SIGNED, REF, variables);
	const byId = (steps: readonly { id: string }[]) =>
		new Map(steps.map((step) => [step.id, step as Record<string, unknown>]));

	test('each answer step becomes a GET http step that reports the variables of the digits steps that can come before it', () => {
		const sent = byId(withAnswerReports(parsed(BRANCHES), report));
		expect(sent.get('send')).toEqual({
			id: 'send',
			type: 'http',
			url: report(['choice', 'pin']),
			method: 'GET',
			next_step: { success: 'bye', fail: 'send-pause-1' },
		});
		expect(sent.get('send2')).toEqual({
			id: 'send2',
			type: 'http',
			url: report(['choice', 'account']),
			method: 'GET',
			next_step: { success: 'bye', fail: 'send2-pause-1' },
		});
		expect(sent.get('send')).not.toHaveProperty('url', expect.stringContaining('account'));
		expect(sent.get('send')).not.toHaveProperty('url', expect.stringContaining('late'));
	});

	test("a report that fails is tried again after a short pause, REPORT_RETRIES times, then takes the step's own failure branch", () => {
		const flow = parsed([
			call({ next_step: 'm' }),
			digits('m', 'choice', { '*': 'send' }),
			answer('send', 'thanks', 'sorry'),
			play('thanks'),
			play('sorry'),
		]);
		const steps = withAnswerReports(flow, report);
		expect(steps).toHaveLength(flow.length + 2 * REPORT_RETRIES);
		const sent = byId(steps);
		const url = report(['choice']);
		let step = sent.get('send');
		const tries: string[] = [];
		for (;;) {
			expect(step).toMatchObject({ type: 'http', url, method: 'GET' });
			tries.push(step?.id as string);
			const { success, fail } = step?.next_step as { success: string; fail: string };
			expect(success).toBe('thanks');
			if (fail === 'sorry') break;
			expect(sent.get(fail)).toEqual({
				id: fail,
				type: 'play',
				text: REPORT_PAUSE_TEXT,
				next_step: expect.any(String),
			});
			step = sent.get(sent.get(fail)?.next_step as string);
		}
		expect(tries).toEqual(['send', 'send-retry-1', 'send-retry-2', 'send-retry-3', 'send-retry-4']);
		expect(tries).toHaveLength(REPORT_RETRIES + 1);
	});

	test("the retries' ids never collide with the flow's own", () => {
		const flow = parsed([
			call({ next_step: 'm' }),
			digits('m', 'choice', { '*': 'send' }),
			answer('send', 'send-pause-1', 'send-retry-1'),
			play('send-pause-1'),
			play('send-retry-1'),
		]);
		const steps = withAnswerReports(flow, report);
		expect(new Set(steps.map((step) => step.id)).size).toBe(steps.length);
		const sent = byId(steps);
		expect(sent.get('send-pause-1')).toBe(flow[3]);
		expect(sent.get('send')?.next_step).toEqual({
			success: 'send-pause-1',
			fail: 'send-pause-1-2',
		});
		expect(checkFlow(steps, 'forbidden').errors).toEqual([]);
	});

	test('other steps are the same objects, unchanged', () => {
		const flow = parsed(BRANCHES);
		const copy = JSON.parse(JSON.stringify(flow));
		const sent = byId(withAnswerReports(flow, report));
		for (const index of [0, 1, 2, 3, 6, 7, 8]) expect(sent.get(flow[index].id)).toBe(flow[index]);
		expect(flow).toEqual(copy);
	});

	test('the reporter is asked once per answer step, with the variables for that step', () => {
		const asked: string[][] = [];
		withAnswerReports(parsed(BRANCHES), (variables) => {
			asked.push(variables);
			return report(variables);
		});
		expect(asked).toEqual([
			['choice', 'pin'],
			['choice', 'account'],
		]);
	});

	test('an answer step with no digits step before it reports no variables', () => {
		const sent = withAnswerReports(
			parsed([call({ next_step: 'send' }), answer('send'), play('bye')]),
			report,
		);
		expect(sent[1]).toEqual({
			id: 'send',
			type: 'http',
			url: `${SIGNED}&ref=r3f&end=1`,
			method: 'GET',
			next_step: { success: 'bye', fail: 'send-pause-1' },
		});
	});

	test('what is sent is a plain Samespace flow: valid, with every {{variable}} stored before its use', () => {
		const sent = withAnswerReports(parsed(BRANCHES), report);
		const checked = checkFlow(sent, 'forbidden');
		expect(checked.errors).toEqual([]);
		expect(checked.warnings).toEqual([]);
	});

	test('a flow without answer steps is returned step for step', () => {
		const flow = parsed([call({ next_step: 'p' }), play('p')], 'forbidden');
		const sent = withAnswerReports(flow, report);
		expect(sent).toEqual(flow);
		sent.forEach((step, index) => expect(step).toBe(flow[index]));
	});
});

describe('maxDigitsOf', () => {
	test("each variable's largest count; other steps add nothing", () => {
		const flow = parsed([
			call({ next_step: 'a' }),
			{ id: 'a', type: 'digits', count: 1, variable: 'choice', next_step: { '*': 'b' } },
			{ id: 'b', type: 'digits', count: 4, variable: 'pin', next_step: { '*': 'p2' } },
			{ id: 'p2', type: 'digits', count: 6, variable: 'pin', next_step: { '*': 'd' } },
			{ id: 'd', type: 'digits', count: 2, variable: '__proto__', next_step: { '*': 'send' } },
			answer('send'),
			play('bye'),
		]);
		const most = maxDigitsOf(flow);
		expect(Object.keys(most)).toEqual(['choice', 'pin', '__proto__']);
		expect(most.choice).toBe(1);
		expect(most.pin).toBe(6);
		expect(Object.getOwnPropertyDescriptor(most, '__proto__')?.value).toBe(2);
		expect(Object.getPrototypeOf(most)).toBe(Object.prototype);
	});

	test('a flow without Gather Digits steps: none', () => {
		expect(maxDigitsOf(parsed([call({ next_step: 'send' }), answer('send'), play('bye')]))).toEqual(
			{},
		);
	});
});

describe('readAnswerReport', () => {
	describe('against what the call could gather (maxDigits)', () => {
		const MOST = { choice: 1, pin: 4 };

		test('values up to their count are taken; a "#" that ends the input may come on top', () => {
			expect(
				readAnswerReport({ ref: REF, key_choice: '1', key_pin: '1234#', end: '1' }, REF, MOST),
			).toEqual({ ok: true, digits: { choice: '1', pin: '1234#' }, complete: true });
			expect(readAnswerReport({ ref: REF, key_pin: '', end: '1' }, REF, MOST)).toMatchObject({
				ok: true,
			});
		});

		test('10,240 keys for a step of 1: refused (400), and the message says why', () => {
			expect(
				readAnswerReport({ ref: REF, key_choice: '1'.repeat(10_240), end: '1' }, REF, MOST),
			).toEqual({
				ok: false,
				status: 400,
				error:
					'The report\'s value for "choice" has 10240 keys, more than this call\'s Gather Digits step could gather (1)',
			});
		});

		test.each([
			['two keys for a step of 1', { key_choice: '12' }],
			['five digits for a PIN of 4', { key_pin: '12345' }],
			['two "#" after a full PIN', { key_pin: '1234##' }],
			['a key after the "#"', { key_pin: '123#4' }],
		])('%s: refused', (_name, values) => {
			expect(readAnswerReport({ ref: REF, ...values, end: '1' }, REF, MOST)).toMatchObject({
				ok: false,
				status: 400,
			});
		});

		test('a variable no Gather Digits step of the call stores: refused', () => {
			expect(readAnswerReport({ ref: REF, key_other: '1', end: '1' }, REF, MOST)).toEqual({
				ok: false,
				status: 400,
				error: 'The report names "other", which no Gather Digits step of this call stores',
			});
			expect(readAnswerReport({ ref: REF, key_toString: '1', end: '1' }, REF, MOST)).toMatchObject({
				ok: false,
				status: 400,
			});
		});

		test('without maxDigits (an execution that began to wait before it was kept): as before', () => {
			expect(
				readAnswerReport({ ref: REF, key_other: '1'.repeat(50), end: '1' }, REF),
			).toMatchObject({ ok: true });
		});
	});

	test('a complete report', () => {
		expect(
			readAnswerReport(
				{ signature: 'abc', ref: REF, key_choice: '1', key_pin: '1234', end: '1' },
				REF,
			),
		).toEqual({
			ok: true,
			digits: { choice: '1', pin: '1234' },
			complete: true,
		});
	});

	test('a complete report without variables', () => {
		expect(readAnswerReport({ ref: REF, end: '1' }, REF)).toEqual({
			ok: true,
			digits: {},
			complete: true,
		});
	});

	test('an empty value is "nothing gathered"', () => {
		expect(readAnswerReport({ ref: REF, key_pin: '', end: '1' }, REF)).toEqual({
			ok: true,
			digits: { pin: '' },
			complete: true,
		});
	});

	test('"*" and "#" (sent URL-encoded, read decoded) are keypad keys', () => {
		const query = Object.fromEntries(
			new URL(`${RESUME}?ref=${REF}&key_a=*1&key_b=%2312%23&end=1`).searchParams,
		);
		expect(readAnswerReport(query, REF)).toEqual({
			ok: true,
			digits: { a: '*1', b: '#12#' },
			complete: true,
		});
	});

	test('unknown parameters are ignored', () => {
		expect(
			readAnswerReport(
				{
					ref: REF,
					key_a: '5',
					signature: 'x',
					utm: ['a', 'b'],
					other: { deep: 1 },
					keya: 'zz',
					end: '1',
				},
				REF,
			),
		).toEqual({
			ok: true,
			digits: { a: '5' },
			complete: true,
		});
	});

	test('a report cut at a "#": not complete, cut at the last variable present', () => {
		// What arrives of ...&key_a=12&key_b=3#4&key_c=5&end=1 when Samespace puts "#" into the address as it is.
		const query = Object.fromEntries(
			new URL(`${RESUME}?ref=${REF}&key_a=12&key_b=3#4&key_c=5&end=1`).searchParams,
		);
		expect(readAnswerReport(query, REF)).toEqual({
			ok: true,
			digits: { a: '12', b: '3' },
			complete: false,
			cutAt: 'b',
		});
	});

	test('no keys and no end marker: not complete, cut nowhere known', () => {
		const result = readAnswerReport({ ref: REF }, REF);
		expect(result).toEqual({ ok: true, digits: {}, complete: false });
		expect(result).not.toHaveProperty('cutAt');
	});

	test('an end marker other than "1" is no end marker', () => {
		expect(readAnswerReport({ ref: REF, key_a: '1', end: '0' }, REF)).toEqual({
			ok: true,
			digits: { a: '1' },
			complete: false,
			cutAt: 'a',
		});
		expect(readAnswerReport({ ref: REF, key_a: '1', end: ['1', '1'] }, REF)).toEqual({
			ok: true,
			digits: { a: '1' },
			complete: false,
			cutAt: 'a',
		});
	});

	test("another call's reference: 409", () => {
		expect(readAnswerReport({ ref: 'other', key_a: '1', end: '1' }, REF)).toEqual({
			ok: false,
			status: 409,
			error: 'This report answers another call (an earlier one, or a copy of this one)',
		});
	});

	test.each<[string, Record<string, unknown>]>([
		['no reference', { key_a: '1', end: '1' }],
		['an empty reference', { ref: '', key_a: '1', end: '1' }],
		['a repeated reference (a list)', { ref: [REF, REF], key_a: '1', end: '1' }],
		['a reference that is not text', { ref: 5, end: '1' }],
	])('%s: 400', (_name, query) => {
		expect(readAnswerReport(query, REF)).toEqual({
			ok: false,
			status: 400,
			error: 'The report carries no reference of the call it answers',
		});
	});

	test.each<[string, Record<string, unknown>, string]>([
		['letters', { ref: REF, key_pin: '12a4', end: '1' }, 'pin'],
		['a space', { ref: REF, key_pin: '12 4', end: '1' }, 'pin'],
		['a repeated key (a list)', { ref: REF, key_pin: ['1', '2'], end: '1' }, 'pin'],
		['a number', { ref: REF, key_pin: 12, end: '1' }, 'pin'],
		['a key without a name', { ref: REF, key_: '1', end: '1' }, ''],
	])('a value that is not keypad keys (%s): 400', (_name, query, name) => {
		expect(readAnswerReport(query, REF)).toEqual({
			ok: false,
			status: 400,
			error: `The report's value for "${name}" is not keypad keys`,
		});
	});

	test('a placeholder left unfilled (no Gather Digits step on the path taken) reads as no keys', () => {
		expect(
			readAnswerReport({ ref: REF, key_choice: '2', key_pin: '{{pin}}', end: '1' }, REF),
		).toEqual({ ok: true, digits: { choice: '2', pin: '' }, complete: true });
		expect(readAnswerReport({ ref: REF, key_pin: '{{ pin }}', end: '1' }, REF)).toEqual({
			ok: true,
			digits: { pin: '' },
			complete: true,
		});
		expect(readAnswerReport({ ref: REF, key_pin: '{{pin}}x', end: '1' }, REF)).toEqual({
			ok: false,
			status: 400,
			error: 'The report\'s value for "pin" is not keypad keys',
		});
	});

	test('a variable named __proto__ is an own key of the digits', () => {
		const result = readAnswerReport({ ref: REF, key___proto__: '12', end: '1' }, REF);
		expect(result.ok && Object.getOwnPropertyNames(result.digits)).toEqual(['__proto__']);
		expect(result.ok && Object.getPrototypeOf(result.digits)).toBe(Object.prototype);
	});

	test('a long variable name is shortened in the error', () => {
		const name = 'v'.repeat(100);
		const result = readAnswerReport({ ref: REF, [`key_${name}`]: 'x' }, REF);
		expect(result).toEqual({
			ok: false,
			status: 400,
			error: `The report's value for "${'v'.repeat(40)}" is not keypad keys`,
		});
	});
});
