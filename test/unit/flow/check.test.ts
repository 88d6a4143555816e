/**
 * Unit tests of the flow check (nodes/Samespace/flow/check.ts): the flow as a whole (its first
 * step, ids, routes to steps that exist), the warnings (steps never reached, {{placeholders}} no
 * digits step fills, mixed ids), the Samespace document's own sample payload, how a problem is
 * described, and the Send Answer to Workflow step (forbidden or required, as the operation says).
 */
import {
	checkFlow,
	describeProblem,
	stepAsWritten,
	type FlowProblem,
} from '../../../nodes/Samespace/flow/check';
import samplePayload from '../../fixtures/document-sample-payload.json';
import { answer, call, play, type Raw } from '../../support/flow-steps';

const summary = (problems: FlowProblem[]) =>
	problems.map(({ severity, stepIndex, stepId, field }) => ({
		severity,
		stepIndex,
		stepId,
		field,
	}));

const FORBIDDEN =
	'a Send Answer to Workflow step works only with the operation "Call and Wait for Answer": choose that operation, or remove this step';
const NONE =
	'has no Send Answer to Workflow step, so the call could never report back: add one after the Gather Digits steps whose keys the workflow needs';
const UNREACHABLE =
	'can never be reached from the first step, so the call could never report back: point a next step or route at it';

const summaryWithMessages = (problems: FlowProblem[]) =>
	problems.map(({ severity, stepIndex, stepId, stepType, field, message }) => ({
		severity,
		stepIndex,
		stepId,
		stepType,
		field,
		message,
	}));

// -------------------------------------------------------------------------------------------------

describe('the flow as a whole', () => {
	test('empty flow', () => {
		const result = checkFlow([]);
		expect(result.flow).toBeUndefined();
		expect(result.errors).toEqual([
			{
				severity: 'error',
				field: undefined,
				message: 'is empty: a flow needs at least a call step',
			},
		]);
		expect(result.warnings).toEqual([]);
	});

	test.each<[unknown, string]>([
		[{ flow: [] }, 'is an object: the flow must be a list of steps'],
		['[]', 'is the text "[]": the flow must be a list of steps'],
		[null, 'is null: the flow must be a list of steps'],
		[undefined, 'the flow must be a list of steps'],
		[42, 'is the number 42: the flow must be a list of steps'],
	])('non-array flow %p', (flow, message) => {
		const result = checkFlow(flow);
		expect(result.flow).toBeUndefined();
		expect(result.errors).toHaveLength(1);
		expect(result.errors[0].stepIndex).toBeUndefined();
		expect(result.errors[0].message).toContain(message);
		expect(result.warnings).toEqual([]);
		expect(describeProblem(result.errors[0])).toMatch(/^flow: /);
	});

	test('first step not a call, with a call further down: says which step to move', () => {
		const result = checkFlow([
			{ id: 'p', type: 'play', text: 'x', next_step: 'c' },
			call({ id: 'c' }),
		]);
		expect(result.errors).toEqual([
			{
				severity: 'error',
				stepIndex: 0,
				stepId: 'p',
				stepType: 'play',
				field: 'type',
				message:
					'the first step must be a call step, because the flow starts by placing the call: move step 2 (the call) to the top',
			},
		]);
	});

	test('first step not a call, and no call anywhere', () => {
		const result = checkFlow([{ id: 'x', type: 'connect', number: '5263', caller_id: '12' }]);
		expect(result.errors.map((e) => e.message)).toEqual([
			'the first step must be a call step, because the flow starts by placing the call: add a call step at the top',
		]);
	});

	test('duplicate ids, including 1 and "1"', () => {
		const result = checkFlow([
			call({ id: 1, next_step: 2 }),
			{ id: '1', type: 'play', text: 'x' },
			{ id: 2, type: 'play', text: 'y', next_step: '1' },
			{ id: ' 2 ', type: 'play', text: 'z' },
		]);
		const dupes = result.errors.filter((e) => e.field === 'id');
		expect(dupes).toEqual([
			expect.objectContaining({
				stepIndex: 1,
				stepId: '1',
				message: expect.stringMatching(
					/^"1" is already the id of step 1: give every step its own id \(1 and "1" count as the same/,
				),
			}),
			expect.objectContaining({
				stepIndex: 3,
				message: expect.stringMatching(/^"2" is already the id of step 3/),
			}),
		]);
	});

	test('a dangling next_step', () => {
		const result = checkFlow([
			call({ next_step: 'nowhere' }),
			{ id: 'x', type: 'play', text: 'x' },
		]);
		expect(result.errors).toEqual([
			expect.objectContaining({
				stepIndex: 0,
				field: 'next_step',
				message:
					'points to step "nowhere", which is not in this flow: use the id of an existing step ("c", "x") or remove this route',
			}),
		]);
	});

	test('dangling digit routes and http success/fail are each reported', () => {
		const result = checkFlow([
			call({ next_step: 'd' }),
			{
				id: 'd',
				type: 'digits',
				count: 1,
				variable: 'v',
				next_step: { '1': 'h', '2': 'gone', '*': 9 },
			},
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example',
				next_step: { success: 'ok', fail: 'bad' },
			},
		]);
		expect(
			result.errors.map((e) => [e.stepIndex, e.field, e.message.slice(0, e.message.indexOf(','))]),
		).toEqual([
			[1, 'next_step.2', 'points to step "gone"'],
			[1, 'next_step.*', 'points to step "9"'],
			[2, 'next_step.success', 'points to step "ok"'],
			[2, 'next_step.fail', 'points to step "bad"'],
		]);
	});

	test('a list of existing ids longer than 12 is cut short', () => {
		const plays = Array.from({ length: 14 }, (_, i) => ({
			id: `p${i}`,
			type: 'play',
			text: 'x',
			next_step: i === 13 ? undefined : `p${i + 1}`,
		}));
		const result = checkFlow([call({ next_step: 'zzz' }), ...plays]);
		expect(result.errors).toHaveLength(1);
		expect(result.errors[0].message).toContain('"p10", … (15 in all)');
		expect(result.errors[0].message).not.toContain('"p11"');
	});

	test('all problems of a flow are reported at once', () => {
		const result = checkFlow([
			{ id: 'a', type: 'play', next_step: 'b' }, // not a call; nothing to play
			{ id: 'b', type: 'digits', count: '2', variable: 'x y', next_step: { '11': 'c' } },
			{
				id: 'c',
				type: 'http',
				url: 'example.com',
				method: 'SEND',
				next_step: { success: 'missing', fail: 'a' },
			},
			{ id: 'c', type: 'connect', number: '12XX', caller_id: '' },
			{ id: 'e', type: 'callback' },
			'oops',
		]);
		expect(result.flow).toBeUndefined();
		const found = result.errors.map((e) => `${e.stepIndex}:${e.field}`);
		expect(found.sort()).toEqual(
			[
				'0:text',
				'0:type',
				'1:count',
				'1:variable',
				'1:next_step.11',
				'2:url',
				'2:method',
				'2:next_step.success',
				'3:id',
				'3:number',
				'3:caller_id',
				'4:type',
				'5:undefined',
			].sort(),
		);
		// sorted by step position
		const indexes = result.errors.map((e) => e.stepIndex as number);
		expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
		expect(result.errors.every((e) => e.severity === 'error')).toBe(true);
	});

	test('problems carry the step position, id and type', () => {
		const result = checkFlow([call(), { id: 7, type: 'play' }]);
		const problem = result.errors.find((e) => e.stepIndex === 1);
		expect(problem).toMatchObject({
			severity: 'error',
			stepIndex: 1,
			stepId: '7',
			stepType: 'play',
			field: 'text',
		});
	});
});

// -------------------------------------------------------------------------------------------------

describe('warnings', () => {
	test('unreachable steps are warned about, and a valid flow with a warning still passes', () => {
		const result = checkFlow([
			call({ next_step: 'a' }),
			{ id: 'a', type: 'play', text: 'x' },
			{ id: 'lost', type: 'play', text: 'y', next_step: 'a' },
		]);
		expect(result.errors).toEqual([]);
		expect(result.flow).toHaveLength(3);
		expect(result.warnings).toEqual([
			{
				severity: 'warning',
				stepIndex: 2,
				stepId: 'lost',
				stepType: 'play',
				field: undefined,
				message:
					'can never be reached from the first step: point a next step or route at it, or remove it',
			},
		]);
	});

	test('steps reached through digit routes and http success/fail are reachable', () => {
		const result = checkFlow([
			call({ next_step: 'd' }),
			{ id: 'd', type: 'digits', count: 1, variable: 'v', next_step: { '1': 'h', '#': 'p' } },
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example/{{v}}',
				next_step: { success: 'ok', fail: 'ko' },
			},
			{ id: 'p', type: 'play', text: 'x', next_step: 'd' },
			{ id: 'ok', type: 'connect', number: '5263', caller_id: '12' },
			{ id: 'ko', type: 'play', text: 'sorry' },
		]);
		expect(result.errors).toEqual([]);
		expect(result.warnings).toEqual([]);
	});

	test('a {{placeholder}} with no earlier digits step is warned about', () => {
		const result = checkFlow([
			call({ next_step: 'h' }),
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example/{{account_id}}/{{pin}}',
				next_step: { success: 'c', fail: 'c' },
			},
		]);
		expect(result.errors).toEqual([]);
		expect(result.warnings.map((w) => [w.stepIndex, w.field, w.message])).toEqual([
			[
				1,
				'url',
				expect.stringMatching(
					/^uses \{\{account_id\}\}, but no digits step before it stores a variable "account_id": .*Add a digits step with variable "account_id", or fix the name/,
				),
			],
			[1, 'url', expect.stringMatching(/^uses \{\{pin\}\}/)],
		]);
	});

	test('a digits step that comes after the http step in the call does not count', () => {
		const result = checkFlow([
			call({ next_step: 'h' }),
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example/{{pin}}',
				next_step: { success: 'd', fail: 'end' },
			},
			{ id: 'd', type: 'digits', count: 4, variable: 'pin', next_step: { '*': 'end' } },
			{ id: 'end', type: 'play', text: 'Bye' },
		]);
		expect(result.errors).toEqual([]);
		expect(result.warnings.map((w) => [w.stepIndex, w.field])).toEqual([[1, 'url']]);
	});

	test('a variable stored later in a loop that returns to an earlier step counts (it may have been stored)', () => {
		const result = checkFlow([
			call({ next_step: 'h' }),
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example/{{pin}}',
				next_step: { success: 'd', fail: 'd' },
			},
			{ id: 'd', type: 'digits', count: 4, variable: 'pin', next_step: { '*': 'h' } },
		]);
		expect(result.warnings).toEqual([]);
	});

	test('a differently named variable still gets the warning', () => {
		const result = checkFlow([
			call({ next_step: 'd' }),
			{ id: 'd', type: 'digits', count: 4, variable: 'pin', next_step: { '*': 'h' } },
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example/{{PIN}}',
				next_step: { success: 'c', fail: 'c' },
			},
		]);
		expect(result.warnings.map((w) => w.message)).toEqual([expect.stringContaining('{{PIN}}')]);
	});

	test('no warning when a digits step defines the variable earlier', () => {
		const result = checkFlow([
			call({ next_step: 'd' }),
			{ id: 'd', type: 'digits', count: 4, variable: 'pin', next_step: { '*': 'h' } },
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example/{{ pin }}',
				next_step: { success: 'c', fail: 'c' },
			},
		]);
		expect(result.warnings).toEqual([]);
	});

	test('no warning when the digits step is reached through a branch, even if listed below', () => {
		const result = checkFlow([
			call({ next_step: 'menu' }),
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example/{{pin}}',
				next_step: { success: 'bye', fail: 'bye' },
			},
			{
				id: 'menu',
				type: 'digits',
				count: 1,
				variable: 'choice',
				next_step: { '1': 'ask', '*': 'bye' },
			},
			{ id: 'ask', type: 'digits', count: 4, variable: 'pin', next_step: { '*': 'h' } },
			{ id: 'bye', type: 'play', text: 'Bye' },
		]);
		expect(result.errors).toEqual([]);
		expect(result.warnings).toEqual([]);
	});

	test('http steps in play urls are not placeholder-checked, only http urls', () => {
		const result = checkFlow([
			call({ next_step: 'p' }),
			{ id: 'p', type: 'play', url: 'https://a.example/{{nothing}}.mp3' },
		]);
		expect(result.warnings).toEqual([]);
	});

	test('mixed id types', () => {
		const result = checkFlow([call({ id: '1', next_step: 2 }), { id: 2, type: 'play', text: 'x' }]);
		expect(result.errors).toEqual([]);
		expect(result.warnings).toEqual([
			{
				severity: 'warning',
				field: 'id',
				message:
					'some ids are numbers and some are text: all are sent as text ("1"), as Samespace documents them',
			},
		]);
		expect(describeProblem(result.warnings[0])).toBe(
			'flow, id: some ids are numbers and some are text: all are sent as text ("1"), as Samespace documents them',
		);
	});

	test('no mixed-id warning when all ids are numbers, or all text', () => {
		expect(
			checkFlow([call({ id: 1, next_step: 2 }), { id: 2, type: 'play', text: 'x' }]).warnings,
		).toEqual([]);
		expect(
			checkFlow([call({ id: '1', next_step: '2' }), { id: '2', type: 'play', text: 'x' }]).warnings,
		).toEqual([]);
	});

	test('warnings are reported alongside errors', () => {
		const result = checkFlow([
			call({ id: 1, next_step: 'x' }),
			{ id: 'y', type: 'play', text: 'x' },
		]);
		expect(result.errors).toHaveLength(1);
		expect(result.warnings.map((w) => w.stepIndex ?? 'flow')).toEqual([1, 'flow']);
	});
});

// -------------------------------------------------------------------------------------------------

describe("the Samespace document's own sample payload", () => {
	const result = checkFlow(samplePayload.flow);

	test('is rejected', () => {
		expect(result.flow).toBeUndefined();
	});

	test('with exactly these errors', () => {
		expect(summary(result.errors)).toEqual([
			{ severity: 'error', stepIndex: 3, stepId: '5', field: 'next_step.success' },
			{ severity: 'error', stepIndex: 4, stepId: '3', field: 'number' },
			{ severity: 'error', stepIndex: 5, stepId: '4', field: 'caller_id' },
		]);
		expect(result.errors.map((e) => e.stepType)).toEqual(['http', 'connect', 'connect']);
	});

	test('and exactly these warnings', () => {
		expect(summary(result.warnings)).toEqual([
			{ severity: 'warning', stepIndex: 4, stepId: '3', field: undefined },
			{ severity: 'warning', stepIndex: undefined, stepId: undefined, field: 'id' },
		]);
	});

	test('whose messages name the fix', () => {
		const [missing, number, callerId] = result.errors.map((e) => e.message);
		expect(missing).toBe(
			'points to step "10", which is not in this flow: use the id of an existing step ("0", "1", "2", "5", "3", "4") or remove this route',
		);
		expect(number).toBe(
			'"16468107XXX" still has "X" placeholders (as in the Samespace document\'s examples): put the real digits of the number to connect to',
		);
		expect(callerId).toContain('"917507XXXXX" still has "X" placeholders');
		expect(callerId).toContain('put the real digits of the caller ID');
		const [unreachable, mixed] = result.warnings.map((w) => w.message);
		expect(unreachable).toContain(
			'can never be reached from the first step: point a next step or route at it, or remove it',
		);
		expect(mixed).toContain('all are sent as text');
	});

	test('describeProblem names step position, id, type and field', () => {
		expect(describeProblem(result.errors[0])).toBe(
			'step 4 (id "5", http), next_step.success: points to step "10", which is not in this flow: use the id of an existing step ("0", "1", "2", "5", "3", "4") or remove this route',
		);
		expect(describeProblem(result.warnings[0])).toBe(
			'step 5 (id "3", connect): can never be reached from the first step: point a next step or route at it, or remove it',
		);
	});

	test('once its defects are fixed, it passes with only the mixed-id warning', () => {
		const fixed = JSON.parse(JSON.stringify(samplePayload.flow)) as Raw[];
		(fixed[3].next_step as Raw).success = 3;
		fixed[4].number = '16468107123';
		fixed[5].caller_id = '917507123456';
		const check = checkFlow(fixed);
		expect(check.errors).toEqual([]);
		expect(check.warnings.map((w) => w.field)).toEqual(['id']);
		expect(check.flow?.map((s) => s.id)).toEqual(['0', '1', '2', '5', '3', '4']);
		expect(check.flow?.[3]).toEqual({
			id: '5',
			type: 'http',
			url: 'https://subdoomain.domain.com/api/test/{{account_id}}',
			method: 'GET',
			next_step: { success: '3', fail: '4' },
		});
	});
});

describe('describeProblem', () => {
	test('uses the label function for the field, with the step type', () => {
		const seen: Array<[string, string | undefined]> = [];
		const text = describeProblem(
			{
				severity: 'error',
				stepIndex: 0,
				stepId: 'a',
				stepType: 'call',
				field: 'caller_id',
				message: 'is missing',
			},
			(field, type) => {
				seen.push([field, type]);
				return '"Caller ID"';
			},
		);
		expect(text).toBe('step 1 (id "a", call), "Caller ID": is missing');
		expect(seen).toEqual([['caller_id', 'call']]);
	});

	test('a step without id or type, and a problem without a field', () => {
		expect(describeProblem({ severity: 'error', stepIndex: 2, message: 'is null' })).toBe(
			'step 3 (no id): is null',
		);
		expect(
			describeProblem({ severity: 'error', stepIndex: 0, stepType: 'play', message: 'm' }),
		).toBe('step 1 (no id, play): m');
		expect(describeProblem({ severity: 'error', message: 'is empty' })).toBe('flow: is empty');
	});

	test('the step is named by the namer given, the field still by the labeler; the flow stays "flow"', () => {
		const named: number[] = [];
		const name = ({ stepIndex }: FlowProblem & { stepIndex: number }) => {
			named.push(stepIndex);
			return `step ${stepIndex + 1} (Gather Digits)`;
		};
		const label = () => '"Digits to Gather"';
		expect(
			describeProblem(
				{
					severity: 'error',
					stepIndex: 3,
					stepId: '4',
					stepType: 'digits',
					field: 'count',
					message: 'is missing',
				},
				label,
				name,
			),
		).toBe('step 4 (Gather Digits), "Digits to Gather": is missing');
		expect(describeProblem({ severity: 'error', message: 'is empty' }, label, name)).toBe(
			'flow: is empty',
		);
		expect(named).toEqual([3]);
	});

	test('stepAsWritten, the default namer, names a step by position, id and type as a flow JSON writes them', () => {
		expect(
			stepAsWritten({
				severity: 'error',
				stepIndex: 3,
				stepId: '5',
				stepType: 'digits',
				message: 'm',
			}),
		).toBe('step 4 (id "5", digits)');
	});
});

// -------------------------------------------------------------------------------------------------

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
			expect(summaryWithMessages(result.errors)).toEqual([
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
		expect(summaryWithMessages(result.errors)).toEqual([
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
		expect(summaryWithMessages(result.warnings)).toEqual([
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
		expect(summaryWithMessages(result.errors)).toEqual([
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
