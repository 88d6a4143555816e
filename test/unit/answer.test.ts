/**
 * Unit tests of the waiting operations' pure parts: the answer report (nodes/Samespace/flow/
 * answer.ts: its address, the flow that sends it, reading it back), the "answer" step in the flow
 * check (flow/check.ts, flow/graph.ts) and the step list (flow/step-list.ts), and the wait itself (helpers/resume.ts: local hosts, the masked signature,
 * when the wait ends). Pure functions: no I/O, no timers.
 */
import {
	NodeOperationError,
	WAIT_INDEFINITELY,
	type IExecuteFunctions,
	type INode,
} from 'n8n-workflow';

import {
	DEFAULT_WAIT_MINUTES,
	hidingSignatures,
	isLocalHost,
	waitUntil,
} from '../../nodes/Samespace/helpers/resume';
import {
	answerReportUrl,
	maxDigitsOf,
	readAnswerReport,
	withAnswerReports,
} from '../../nodes/Samespace/flow/answer-step';
import { checkFlow, describeProblem, type FlowProblem } from '../../nodes/Samespace/flow/check';
import { readFlowPaths, variablesBefore } from '../../nodes/Samespace/flow/graph';
import { REPORT_PAUSE_TEXT, REPORT_RETRIES } from '../../nodes/Samespace/flow/report-retry';
import type { CallFlow } from '../../nodes/Samespace/flow/schema';
import {
	buildFlowFromStepList,
	stepListLabel,
	type StepListEntry,
} from '../../nodes/Samespace/flow/step-list';

type Raw = Record<string, unknown>;

const RESUME = 'https://n8n.example.com/webhook-waiting/42/node-1';
const SIGNED = `${RESUME}?signature=abc123`;
const REF = 'r3f';
const NOW = Date.parse('2025-03-01T12:00:00Z');

const FORBIDDEN =
	'a Send Answer to Workflow step works only with the operation "Call and Wait for Answer": choose that operation, or remove this step';
const NONE =
	'has no Send Answer to Workflow step, so the call could never report back: add one after the Gather Digits steps whose keys the workflow needs';
const UNREACHABLE =
	'can never be reached from the first step, so the call could never report back: point a next step or route at it';

const call = (over: Raw = {}): Raw => ({
	id: 'c',
	type: 'call',
	number: '14155550123',
	caller_id: '14155550100',
	...over,
});
const play = (id: string, over: Raw = {}): Raw => ({ id, type: 'play', text: 'Hi', ...over });
const digits = (id: string, variable: string, next: Raw): Raw => ({
	id,
	type: 'digits',
	count: 1,
	variable,
	next_step: next,
});
const answer = (id: string, success = 'bye', fail = success): Raw => ({
	id,
	type: 'answer',
	next_step: { success, fail },
});

const summary = (problems: FlowProblem[]) =>
	problems.map(({ severity, stepIndex, stepId, stepType, field, message }) => ({
		severity,
		stepIndex,
		stepId,
		stepType,
		field,
		message,
	}));

/** A flow with branches: what each answer step can report is known by hand. */
const BRANCHES: Raw[] = [
	call({ next_step: 'menu' }),
	digits('menu', 'choice', { '1': 'pin', '2': 'acct', '*': 'send' }),
	digits('pin', 'pin', { '*': 'send' }),
	// Another branch: it only reaches send2, never send.
	digits('acct', 'account', { '*': 'send2' }),
	answer('send'),
	answer('send2'),
	play('bye', { next_step: 'late' }),
	// Listed after both answer steps, reachable, but leads to neither.
	digits('late', 'late', { '*': 'end' }),
	play('end'),
];

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

describe('variablesBefore', () => {
	const paths = readFlowPaths(BRANCHES);
	const before = (index: number, raw: readonly unknown[] = BRANCHES) =>
		variablesBefore(raw, readFlowPaths(raw), index);

	test.each<[string, number, string[]]>([
		['the call step: nothing', 0, []],
		['the first digits step: nothing (it stores its own variable only after it)', 1, []],
		['a step after the menu', 2, ['choice']],
		[
			'send: the menu and pin lead to it, acct (another branch) and late (listed after) do not',
			4,
			['choice', 'pin'],
		],
		['send2: the menu and acct lead to it', 5, ['choice', 'account']],
		['bye: every digits step listed before it can lead to it', 6, ['choice', 'pin', 'account']],
		['end: every digits step, in list order', 8, ['choice', 'pin', 'account', 'late']],
	])('%s', (_name, index, expected) => {
		expect(variablesBefore(BRANCHES, paths, index)).toEqual(expected);
	});

	test('a loop back to an earlier step: the digits step after it can come before it', () => {
		const raw = [
			call({ next_step: 'ask' }),
			play('ask', { next_step: 'send' }),
			answer('send', 'again'),
			digits('again', 'retry', { '*': 'ask' }),
		];
		expect(before(2, raw)).toEqual(['retry']);
	});

	test('a step the first step cannot reach: the digits steps listed above it', () => {
		const raw = [
			call({ next_step: 'p' }),
			play('p'),
			digits('d', 'orphan_above', { '*': 'p' }),
			answer('lost', 'p'),
			digits('e', 'orphan_below', { '*': 'p' }),
		];
		expect(before(3, raw)).toEqual(['orphan_above']);
	});

	test('names are trimmed and listed once; blank or non-text variables are left out', () => {
		const raw = [
			call({ next_step: 'a' }),
			digits('a', ' pin ', { '*': 'b' }),
			digits('b', 'pin', { '*': 'c' }),
			digits('c', '  ', { '*': 'd' }),
			{ id: 'd', type: 'digits', count: 1, variable: 7, next_step: { '*': 'send' } },
			answer('send', 'a'),
		];
		expect(before(5, raw)).toEqual(['pin']);
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

describe('checkFlow and the Send Answer to Workflow step', () => {
	test('forbidden (the default): an error on the type of each answer step', () => {
		const raw = [
			call({ next_step: 'send' }),
			answer('send', 'again'),
			answer('again', 'bye'),
			play('bye'),
		];
		for (const result of [checkFlow(raw), checkFlow(raw, 'forbidden')]) {
			expect(result.flow).toBeUndefined();
			expect(summary(result.errors)).toEqual([
				{
					severity: 'error',
					stepIndex: 1,
					stepId: 'send',
					stepType: 'answer',
					field: 'type',
					message: FORBIDDEN,
				},
				{
					severity: 'error',
					stepIndex: 2,
					stepId: 'again',
					stepType: 'answer',
					field: 'type',
					message: FORBIDDEN,
				},
			]);
			expect(result.warnings).toEqual([]);
		}
	});

	test('forbidden: a flow without answer steps is fine', () => {
		const result = checkFlow([call({ next_step: 'p' }), play('p')], 'forbidden');
		expect(result.errors).toEqual([]);
		expect(result.flow).toHaveLength(2);
	});

	test('required: a reachable answer step is fine and kept as it is', () => {
		const result = checkFlow(
			[call({ next_step: 'send' }), answer('send', 'bye', 'sorry'), play('bye'), play('sorry')],
			'required',
		);
		expect(result.errors).toEqual([]);
		expect(result.warnings).toEqual([]);
		expect(result.flow?.[1]).toEqual({
			id: 'send',
			type: 'answer',
			next_step: { success: 'bye', fail: 'sorry' },
		});
	});

	test('required: no answer step is one error of the whole flow', () => {
		const result = checkFlow([call({ next_step: 'p' }), play('p')], 'required');
		expect(result.flow).toBeUndefined();
		expect(result.errors).toHaveLength(1);
		expect(result.errors[0]).toEqual({ severity: 'error', message: NONE });
		expect(result.errors[0].stepIndex).toBeUndefined();
		expect(result.errors[0].field).toBeUndefined();
		expect(describeProblem(result.errors[0])).toBe(`flow: ${NONE}`);
	});

	test('required: answer steps that can never be reached are each an error', () => {
		const result = checkFlow(
			[call({ next_step: 'bye' }), play('bye'), answer('send', 'bye'), answer('send2', 'bye')],
			'required',
		);
		expect(result.flow).toBeUndefined();
		expect(summary(result.errors)).toEqual([
			{
				severity: 'error',
				stepIndex: 2,
				stepId: 'send',
				stepType: 'answer',
				field: undefined,
				message: UNREACHABLE,
			},
			{
				severity: 'error',
				stepIndex: 3,
				stepId: 'send2',
				stepType: 'answer',
				field: undefined,
				message: UNREACHABLE,
			},
		]);
		expect(result.warnings.map((w) => w.stepIndex)).toEqual([2, 3]);
		expect(describeProblem(result.errors[0])).toBe(`step 3 (id "send", answer): ${UNREACHABLE}`);
	});

	test('required: one reachable answer step is enough; an unreachable one is only a warning', () => {
		const result = checkFlow(
			[call({ next_step: 'send' }), answer('send', 'bye'), play('bye'), answer('spare', 'bye')],
			'required',
		);
		expect(result.errors).toEqual([]);
		expect(result.flow).toHaveLength(4);
		expect(summary(result.warnings)).toEqual([
			{
				severity: 'warning',
				stepIndex: 3,
				stepId: 'spare',
				stepType: 'answer',
				field: undefined,
				message:
					'can never be reached from the first step: point a next step or route at it, or remove it',
			},
		]);
	});

	test('required: the answer mode errors come with the schema errors, in step order', () => {
		const result = checkFlow(
			[call({ next_step: 'p', number: '' }), play('p'), answer('lost', 'p')],
			'required',
		);
		expect(result.errors.map((e) => [e.stepIndex, e.field])).toEqual([
			[0, 'number'],
			[2, undefined],
		]);
	});

	test('an answer step routes like an http step: on success and fail only', () => {
		const result = checkFlow(
			[
				call({ next_step: 'send' }),
				{ id: 'send', type: 'answer', next_step: { success: 'p', fail: 'p', '1': 'p' } },
				play('p'),
			],
			'required',
		);
		expect(summary(result.errors)).toEqual([
			{
				severity: 'error',
				stepIndex: 1,
				stepId: 'send',
				stepType: 'answer',
				field: 'next_step.1',
				message:
					'unknown field "1": a Send Answer to Workflow step routes only on "success" and "fail"',
			},
		]);
	});
});

describe('buildFlowFromStepList with Send Answer to Workflow entries', () => {
	const CALL: StepListEntry = { type: 'call', number: '14155550123', callerId: '14155550100' };

	test('success and failure default to the next step; nothing else is kept', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ type: 'answer', url: 'https://ignored.example', method: 'POST', text: 'x' },
			{ type: 'play', text: 'Bye' },
		]);
		expect(built.errors).toEqual([]);
		expect(built.warnings).toEqual([]);
		expect(built.steps[1]).toEqual({
			id: '2',
			type: 'answer',
			next_step: { success: '3', fail: '3' },
		});
	});

	test('explicit success or failure with the other blank', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ type: 'answer', stepId: ' send ', onFailure: ' sorry ' },
			{ type: 'play', text: 'Bye' },
			{ type: 'play', text: 'Sorry', stepId: 'sorry' },
		]);
		expect(built.steps[1]).toEqual({
			id: 'send',
			type: 'answer',
			next_step: { success: '3', fail: 'sorry' },
		});
	});

	test('as the last step it has no next_step', () => {
		const built = buildFlowFromStepList([CALL, { type: 'answer' }]);
		expect(built.steps[1]).toEqual({ id: '2', type: 'answer' });
		expect('next_step' in built.steps[1]).toBe(false);
	});

	test('as the last step with only a failure step, success is left missing', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ type: 'play', text: 'Bye', stepId: 'bye' },
			{ type: 'answer', onFailure: 'bye' },
		]);
		expect(built.steps[2]).toEqual({
			id: '3',
			type: 'answer',
			next_step: { success: undefined, fail: 'bye' },
		});
	});

	test('a success or failure step written as the position of a step without a Step ID is a warning', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ type: 'play', text: 'Menu' },
			{ type: 'answer', onSuccess: '2', onFailure: 2 },
			{ type: 'play', text: 'x', stepId: 'named' },
		]);
		expect(built.errors).toEqual([]);
		expect(built.warnings.map((w) => [w.stepIndex, w.stepId, w.stepType, w.field])).toEqual([
			[2, '3', 'answer', 'next_step.success'],
			[2, '3', 'answer', 'next_step.fail'],
		]);
		expect(built.warnings[0].message).toBe(
			'goes to "2", the position of step 2, which has no Step ID: if steps are moved, this leads to a different step. Give step 2 a Step ID (e.g. "menu") and use it here',
		);
	});

	test('no such warning for a step with a Step ID', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ type: 'play', text: 'Menu', stepId: '2' },
			{ type: 'answer', onSuccess: '2', onFailure: '2' },
		]);
		expect(built.warnings).toEqual([]);
	});

	test('a step list with digits and an answer step passes the check in the required mode', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ type: 'play', text: 'Enter your PIN' },
			{ type: 'digits', count: 4, variable: 'pin' },
			{ type: 'answer', stepId: 'send', onFailure: 'sorry' },
			{ type: 'play', text: 'Thanks', endCall: true },
			{ type: 'play', text: 'Sorry', stepId: 'sorry' },
		]);
		const checked = checkFlow(built.steps, 'required');
		expect(checked.errors).toEqual([]);
		expect(checked.warnings).toEqual([]);
		const paths = readFlowPaths(built.steps);
		expect(variablesBefore(built.steps, paths, 3)).toEqual(['pin']);
	});

	test.each<[string, string | undefined, string]>([
		['next_step', 'answer', '"On Success Go To" and "On Failure Go To"'],
		['next_step.success', 'answer', '"On Success Go To"'],
		['next_step.fail', 'answer', '"On Failure Go To"'],
		['type', 'answer', '"Type"'],
		['id', 'answer', '"Step ID"'],
	])('stepListLabel %s (%s) -> %s', (field, type, label) => {
		expect(stepListLabel(field, type)).toBe(label);
	});
});

// -------------------------------------------------------------------------------------------------
// Waiting
// -------------------------------------------------------------------------------------------------

describe('isLocalHost', () => {
	test.each<[string, boolean]>([
		['localhost', true],
		['LOCALHOST', true],
		['n8n.localhost', true],
		['printer.local', true],
		['n8n.internal', true],
		['127.0.0.1', true],
		['127.1.2.3', true],
		['10.0.0.5', true],
		['172.16.0.1', true],
		['172.20.1.1', true],
		['172.31.255.255', true],
		['172.15.0.1', false],
		['172.32.0.1', false],
		['192.168.1.10', true],
		['192.169.1.10', false],
		['169.254.169.254', true],
		['100.64.0.1', true],
		['100.127.255.255', true],
		['100.63.255.255', false],
		['100.128.0.1', false],
		['0.0.0.0', true],
		['::1', true],
		['[::1]', true],
		['::', true],
		['fc00::1', true],
		['fd12::', true],
		['[fd12:3456::1]', true],
		['fe80::1', true],
		['::ffff:127.0.0.1', true],
		['::ffff:192.168.0.1', true],
		['n8n', true],
		['api.samespace.com', false],
		['8.8.8.8', false],
		['2001:db8::1', false],
		['2606:4700::1111', false],
		['n8n.example.com', false],
		['localhost.example.com', false],
		['local', true],
	])('%s -> %p', (host, local) => {
		expect(isLocalHost(host)).toBe(local);
	});

	// The node asks with `new URL(resumeUrl).hostname`: the host as the URL parser writes it.
	test.each<[string, boolean]>([
		['http://localhost:5678/webhook-waiting/1', true],
		['http://[::1]:5678/webhook-waiting/1', true],
		['http://127.0.0.1:5678/webhook-waiting/1', true],
		['http://2130706433:5678/webhook-waiting/1', true],
		['http://n8n:5678/webhook-waiting/1', true],
		['http://[fe80::1]/webhook-waiting/1', true],
		['https://n8n.example.com/webhook-waiting/1', false],
		['https://api.samespace.com/api/public/v1/call/flow', false],
	])('hostname of %s -> %p', (url, local) => {
		expect(isLocalHost(new URL(url).hostname)).toBe(local);
	});

	// The URL parser writes an IPv4-mapped IPv6 address in hex ([::ffff:7f00:1]), not as ::ffff:127.0.0.1.
	test.each<[string]>([
		['http://[::ffff:127.0.0.1]:5678/'],
		['http://[::ffff:10.0.0.1]:5678/'],
		['http://[::ffff:192.168.0.1]/'],
	])('hostname of %s (IPv4-mapped, as the URL parser writes it) is local', (url) => {
		expect(isLocalHost(new URL(url).hostname)).toBe(true);
	});
});

describe('hidingSignatures', () => {
	const SIGNATURE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
	const hide = hidingSignatures([
		`${RESUME}?approved=true&ref=r&signature=${SIGNATURE}`,
		`${RESUME}?signature=0f9e8d7c6b5a49382716`,
	]);

	test.each<[string, unknown, unknown]>([
		['in a URL', `${RESUME}?signature=${SIGNATURE}&ref=r`, `${RESUME}?signature=********&ref=r`],
		["the second URL's", `x 0f9e8d7c6b5a49382716 y`, 'x ******** y'],
		[
			'JSON-escaped inside an object, and in keys',
			{ flow: [{ url: `…${SIGNATURE}…` }], [SIGNATURE]: 1 },
			{ flow: [{ url: '…********…' }], '********': 1 },
		],
		['nothing to hide', { a: 'signature=other' }, { a: 'signature=other' }],
	])('%s', (_name, value, masked) => {
		expect(hide(value)).toEqual(masked);
	});

	test("after the redactor it is given (the token's)", () => {
		const both = hidingSignatures([`${RESUME}?signature=${SIGNATURE}`], (value) =>
			JSON.parse(JSON.stringify(value).split('tok_secret_123').join('[token]')),
		);
		expect(both({ error: `tok_secret_123 at ${RESUME}?signature=${SIGNATURE}` })).toEqual({
			error: `[token] at ${RESUME}?signature=********`,
		});
	});

	test('a URL without a signature hides nothing', () => {
		expect(hidingSignatures([`${RESUME}?ref=r`])('anything ref=r')).toBe('anything ref=r');
	});
});

describe('waitUntil', () => {
	const NODE: INode = {
		id: 'node-1',
		name: 'Samespace',
		type: 'n8n-nodes-samespace.samespace',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};

	/** What waitUntil reads of the node: the Limit Wait Time values, or nothing (the fallback). */
	function ctx(values?: Record<string, unknown>): IExecuteFunctions {
		const stub = {
			getNodeParameter: (name: string, index: number, fallback?: unknown) => {
				expect(name).toBe('options.limitWaitTime.values');
				expect(index).toBe(0);
				return values ?? fallback;
			},
			getNode: () => NODE,
		};
		return stub as unknown as IExecuteFunctions;
	}

	test('without the option: the default, 15 minutes from now', () => {
		expect(DEFAULT_WAIT_MINUTES).toBe(15);
		expect(waitUntil(ctx(), NOW)).toEqual(new Date(NOW + 15 * 60_000));
	});

	test.each<[string, number, number]>([
		['seconds', 30, 30_000],
		['minutes', 5, 5 * 60_000],
		['hours', 2, 2 * 3_600_000],
		['days', 1, 86_400_000],
		['hours', 1.5, 90 * 60_000],
	])('after a time interval in %s (%p)', (unit, amount, ms) => {
		expect(
			waitUntil(
				ctx({ limitType: 'afterTimeInterval', resumeAmount: amount, resumeUnit: unit }),
				NOW,
			),
		).toEqual(new Date(NOW + ms));
	});

	test('an amount without a unit is in minutes; an unknown unit is minutes', () => {
		expect(waitUntil(ctx({ limitType: 'afterTimeInterval', resumeAmount: 3 }), NOW)).toEqual(
			new Date(NOW + 3 * 60_000),
		);
		expect(
			waitUntil(ctx({ limitType: 'afterTimeInterval', resumeAmount: 3, resumeUnit: 'weeks' }), NOW),
		).toEqual(new Date(NOW + 3 * 60_000));
	});

	test('a unit without an amount (or an amount that is not a number) waits the default time', () => {
		expect(waitUntil(ctx({ limitType: 'afterTimeInterval', resumeUnit: 'hours' }), NOW)).toEqual(
			new Date(NOW + 15 * 3_600_000),
		);
		expect(waitUntil(ctx({ resumeAmount: Number.NaN }), NOW)).toEqual(new Date(NOW + 15 * 60_000));
	});

	test('at a specified time: that date and time', () => {
		expect(
			waitUntil(ctx({ limitType: 'atSpecifiedTime', maxDateAndTime: '2026-12-01T18:00:00Z' }), NOW),
		).toEqual(new Date('2026-12-01T18:00:00Z'));
	});

	test.each<[string, unknown]>([
		['not a date', 'tomorrow-ish'],
		['empty', ''],
		['missing', undefined],
	])(
		'at a specified time that is %s: a NodeOperationError that names "Max Date and Time"',
		(_name, maxDateAndTime) => {
			const run = () => waitUntil(ctx({ limitType: 'atSpecifiedTime', maxDateAndTime }), NOW);
			expect(run).toThrow(NodeOperationError);
			expect(run).toThrow(/"Max Date and Time"/);
			try {
				run();
			} catch (error) {
				expect((error as NodeOperationError).description).toMatch(/^No call was placed\./);
			}
		},
	);

	test('a huge amount waits indefinitely', () => {
		expect(
			waitUntil(
				ctx({ limitType: 'afterTimeInterval', resumeAmount: 1e9, resumeUnit: 'days' }),
				NOW,
			),
		).toBe(WAIT_INDEFINITELY);
		expect(waitUntil(ctx({ resumeAmount: Number.MAX_VALUE, resumeUnit: 'seconds' }), NOW)).toBe(
			WAIT_INDEFINITELY,
		);
	});

	test.each([0, -5])(
		'an amount of %i is refused before the call (the wait would end at once)',
		(amount) => {
			expect(() =>
				waitUntil(
					ctx({ limitType: 'afterTimeInterval', resumeAmount: amount, resumeUnit: 'hours' }),
					NOW,
				),
			).toThrow(new RegExp(`^Limit Wait Time: the amount is ${amount}$`));
		},
	);

	test('a date that has passed is refused before the call', () => {
		expect(() =>
			waitUntil(
				ctx({ limitType: 'atSpecifiedTime', maxDateAndTime: new Date(NOW - 1000).toISOString() }),
				NOW,
			),
		).toThrow('Limit Wait Time: "Max Date and Time" has passed');
	});
});
