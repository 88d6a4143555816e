/**
 * Unit tests of the editor's step list (nodes/Samespace/flow/step-list.ts): the flow built from its
 * entries (ids and next steps filled in, routes, Send Answer to Workflow entries) and the labels
 * its problems use.
 */
import { checkFlow } from '../../../nodes/Samespace/flow/check';
import { readFlowPaths, variablesBefore } from '../../../nodes/Samespace/flow/graph';
import {
	buildFlowFromStepList,
	fromVersion11,
	ownCallerIds,
	stepListLabel,
	type StepListEntry,
} from '../../../nodes/Samespace/flow/step-list';
import { checkItemFlow } from '../../../nodes/Samespace/helpers/item-flow';

const CALL: StepListEntry = { type: 'call', number: '+1 (415) 555-0123', callerId: '14155550100' };
const CONNECT: StepListEntry = { type: 'connect', number: '5263', callerId: '14155550100' };

describe('buildFlowFromStepList', () => {
	test('blank ids become positions counted from 1, blank next steps the next step, the last step ends', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ type: 'play', text: 'Hello', stepId: '  ' },
			CONNECT,
		]);
		expect(built.errors).toEqual([]);
		expect(built.steps).toEqual([
			{
				id: '1',
				type: 'call',
				number: '+1 (415) 555-0123',
				caller_id: '14155550100',
				next_step: '2',
			},
			{ id: '2', type: 'play', text: 'Hello', next_step: '3' },
			{ id: '3', type: 'connect', number: '5263', caller_id: '14155550100' },
		]);
		expect('next_step' in built.steps[2]).toBe(false);
	});

	test("explicit ids are kept (trimmed, as text) and blank next steps use the next step's id", () => {
		const built = buildFlowFromStepList([
			{ ...CALL, stepId: ' start ' },
			{ type: 'play', text: 'Hi', stepId: 7 },
			{ type: 'play', text: 'Bye' },
		]);
		expect(built.steps.map((s) => [s.id, s.next_step])).toEqual([
			['start', '7'],
			['7', '3'],
			['3', undefined],
		]);
	});

	test('an explicit next step is kept as given', () => {
		const built = buildFlowFromStepList([
			{ ...CALL, nextStep: 'end' },
			{ type: 'play', text: 'skipped' },
			{ ...CONNECT, stepId: 'end', nextStep: 1 },
		]);
		expect(built.steps.map((s) => s.next_step)).toEqual(['end', 'end', '1']);
	});

	test('"End Call After This Step" ends the call there, even over a Next Step the editor still holds', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ ...CONNECT, stepId: 'sales', endCall: true },
			{ type: 'play', text: 'Goodbye', endCall: true, nextStep: 'sales' },
			{ type: 'play', text: 'never reached' },
		]);
		expect(built.steps.map((s) => s.next_step)).toEqual(['sales', undefined, undefined, undefined]);
		expect(built.warnings).toEqual([]);
	});

	test('a Call step has no "End Call After This Step": a stray value does not stop the call from going on', () => {
		const built = buildFlowFromStepList([
			{ ...CALL, endCall: true },
			{ type: 'play', text: 'Hi' },
		]);
		expect(built.steps[0].next_step).toBe('2');
	});

	test('going to a step by the position of a step without a Step ID is a warning that says how to fix it', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ type: 'play', text: 'Menu' },
			{
				type: 'digits',
				count: 1,
				variable: 'choice',
				routes: {
					route: [
						{ key: '1', step: '2' },
						{ key: '2', step: 'sales' },
					],
				},
				anyInput: '2',
			},
			{ type: 'http', url: 'https://a.example/x', onSuccess: '5', onFailure: 'sales' },
			{ type: 'play', text: 'Found you', nextStep: 2 },
			{ ...CONNECT, stepId: 'sales' },
		]);
		expect(built.errors).toEqual([]);
		expect(built.warnings.map((w) => [w.stepIndex, w.field])).toEqual([
			[2, 'next_step.1'],
			[2, 'next_step.*'],
			[3, 'next_step.success'],
			[4, 'next_step'],
		]);
		expect(built.warnings[0].message).toBe(
			'goes to "2", the position of step 2, which has no Step ID: if steps are moved, this leads to a different step. Give step 2 a Step ID (e.g. "menu") and use it here',
		);
		const checked = checkItemFlow(
			'steps',
			[CALL, { type: 'play', text: 'Again?' }, { type: 'play', text: 'Loop', nextStep: '2' }],
			false,
		);
		expect(checked.ok).toBe(true);
		expect(checked.warnings).toEqual([
			'step 3 (Play), "Next Step": goes to "2", the position of step 2, which has no Step ID: if steps are moved, this leads to a different step. Give step 2 a Step ID (e.g. "menu") and use it here',
		]);
	});

	test('no such warning when the step gone to has a Step ID, even if it is a number', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ type: 'play', text: 'Menu', stepId: '2' },
			{ type: 'play', text: 'Loop', nextStep: '2' },
		]);
		expect(built.warnings).toEqual([]);
	});

	test('play: blank text and audio URL are left out; the audio URL becomes url', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ type: 'play', text: ' ', audioUrl: 'https://example.com/a.mp3' },
		]);
		expect(built.steps[1]).toEqual({ id: '2', type: 'play', url: 'https://example.com/a.mp3' });
	});

	test('call and connect: missing number and caller ID become empty text (so the schema says "is empty")', () => {
		const built = buildFlowFromStepList([{ type: 'call' }]);
		expect(built.steps).toEqual([{ id: '1', type: 'call', number: '', caller_id: '' }]);
	});

	test('digits: routes become next_step keys; "any input" becomes "*"', () => {
		const built = buildFlowFromStepList([
			CALL,
			{
				type: 'digits',
				count: 1,
				variable: 'choice',
				routes: {
					route: [
						{ key: '1', step: 'sales' },
						{ key: '#', step: 2 },
					],
				},
				anyInput: 'menu',
			},
		]);
		expect(built.errors).toEqual([]);
		expect(built.steps[1]).toEqual({
			id: '2',
			type: 'digits',
			count: 1,
			variable: 'choice',
			next_step: { '1': 'sales', '#': '2', '*': 'menu' },
		});
	});

	test('digits: blank "any input" goes to the next step', () => {
		const built = buildFlowFromStepList([
			CALL,
			{
				type: 'digits',
				count: 4,
				variable: 'pin',
				routes: { route: [{ key: '1', step: 'x' }] },
				anyInput: ' ',
			},
			{ type: 'play', text: 'ok', stepId: 'after' },
		]);
		expect(built.steps[1].next_step).toEqual({ '1': 'x', '*': 'after' });
	});

	test('digits: no routes and blank "any input" route everything to the next step', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ type: 'digits', count: 4, variable: 'pin' },
			CONNECT,
		]);
		expect(built.steps[1].next_step).toEqual({ '*': '3' });
	});

	test('digits as the last step without routes has no routes at all', () => {
		const built = buildFlowFromStepList([CALL, { type: 'digits', count: 4, variable: 'pin' }]);
		expect(built.errors).toEqual([]);
		expect(built.steps[1].next_step).toEqual({});
	});

	test('digits: an explicit "*" route wins over a blank "any input"', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ type: 'digits', count: 1, variable: 'v', routes: { route: [{ key: '*', step: 'x' }] } },
			CONNECT,
		]);
		expect(built.errors).toEqual([]);
		expect(built.steps[1].next_step).toEqual({ '*': 'x' });
	});

	test('digits: an explicit "*" route equal to "any input" is fine', () => {
		const built = buildFlowFromStepList([
			CALL,
			{
				type: 'digits',
				count: 1,
				variable: 'v',
				routes: { route: [{ key: '*', step: 3 }] },
				anyInput: '3',
			},
			CONNECT,
		]);
		expect(built.errors).toEqual([]);
		expect(built.steps[1].next_step).toEqual({ '*': '3' });
	});

	test('digits: a "*" route that conflicts with "any input" is an error', () => {
		const built = buildFlowFromStepList([
			CALL,
			{
				stepId: 'menu',
				type: 'digits',
				count: 1,
				variable: 'v',
				routes: { route: [{ key: '*', step: 'a' }] },
				anyInput: 'b',
			},
		]);
		expect(built.errors).toEqual([
			{
				severity: 'error',
				stepIndex: 1,
				stepId: 'menu',
				stepType: 'digits',
				field: 'routes',
				message:
					'the route for "*" and "Any Other Input Goes To" lead to different steps ("a" and "b"): Samespace uses "*" for any input, so keep one',
			},
		]);
		expect(built.steps[1].next_step).toEqual({ '*': 'a' });
	});

	test('digits: a duplicate key is an error and the first route is kept', () => {
		const built = buildFlowFromStepList([
			CALL,
			{
				type: 'digits',
				count: 1,
				variable: 'v',
				routes: {
					route: [
						{ key: '1', step: 'a' },
						{ key: '1', step: 'b' },
					],
				},
			},
			CONNECT,
		]);
		expect(built.errors.map((e) => [e.stepIndex, e.field, e.message])).toEqual([
			[1, 'routes', 'key "1" has two routes: keep one'],
		]);
		expect(built.steps[1].next_step).toEqual({ '1': 'a', '*': '3' });
	});

	test('digits: a route without a key or a step is an error', () => {
		const built = buildFlowFromStepList([
			CALL,
			{
				type: 'digits',
				count: 1,
				variable: 'v',
				routes: { route: [{ key: '1' }, { step: 'x' }, { key: '2', step: '  ' }] },
			},
			CONNECT,
		]);
		expect(built.errors).toHaveLength(3);
		for (const error of built.errors) {
			expect(error).toMatchObject({ stepIndex: 1, field: 'routes' });
			expect(error.message).toMatch(/^route \d has no key or no step: /);
		}
		expect(built.steps[1].next_step).toEqual({ '*': '3' });
	});

	test('http: success and failure default to the next step; method left blank stays out (the schema makes it GET)', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ type: 'http', url: 'https://a.example' },
			CONNECT,
		]);
		expect(built.steps[1]).toEqual({
			id: '2',
			type: 'http',
			url: 'https://a.example',
			next_step: { success: '3', fail: '3' },
		});
	});

	test('http: explicit success or failure with the other blank', () => {
		const built = buildFlowFromStepList([
			CALL,
			{ type: 'http', url: 'https://a.example', method: 'POST', onFailure: 'sorry' },
			CONNECT,
		]);
		expect(built.steps[1]).toEqual({
			id: '2',
			type: 'http',
			url: 'https://a.example',
			method: 'POST',
			next_step: { success: '3', fail: 'sorry' },
		});
	});

	test('http as the last step has no next_step', () => {
		const built = buildFlowFromStepList([CALL, { type: 'http', url: 'https://a.example' }]);
		expect(built.steps[1]).toEqual({ id: '2', type: 'http', url: 'https://a.example' });
	});

	test('an entry without a type keeps only its id and type', () => {
		const built = buildFlowFromStepList([CALL, { text: 'orphan' }]);
		expect(built.steps[1]).toEqual({ id: '2' });
	});
});

describe('stepListLabel', () => {
	test.each<[string, string | undefined, string]>([
		['id', 'call', '"Step ID"'],
		['type', undefined, '"Type"'],
		['number', 'connect', '"Connect To"'],
		['caller_id', 'call', '"Caller ID"'],
		['text', 'play', '"Text to Speak"'],
		['url', 'play', '"Audio URL"'],
		['url', 'http', '"URL"'],
		['count', 'digits', '"Digits to Gather"'],
		['variable', 'digits', '"Save Digits As"'],
		['method', 'http', '"Method"'],
		['routes', 'digits', '"Routes"'],
		['next_step', 'play', '"Next Step"'],
		['next_step', 'call', '"Next Step"'],
		['next_step', 'http', '"On Success Go To" and "On Failure Go To"'],
		['next_step', 'digits', '"Routes" and "Any Other Input Goes To"'],
		['next_step.success', 'http', '"On Success Go To"'],
		['next_step.fail', 'http', '"On Failure Go To"'],
		['next_step.*', 'digits', '"Any Other Input Goes To"'],
		['next_step.4', 'digits', 'the route for key "4"'],
		['next_step.#', 'digits', 'the route for key "#"'],
		['something', 'play', '"something"'],
	])('%s (%s) -> %s', (field, type, label) => {
		expect(stepListLabel(field, type)).toBe(label);
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

describe('version 1.1', () => {
	test("the call's Caller ID goes into Call and Connect steps without their own", () => {
		const entries: StepListEntry[] = [
			{ type: 'call', number: '1' },
			{ type: 'connect', number: '2', callerId: ' ' },
			{ type: 'connect', number: '3', callerId: '99' },
			{ type: 'digits', count: 1 },
		];
		expect(ownCallerIds(entries)).toEqual([false, false, true, false]);
		expect(fromVersion11(entries, '100', ownCallerIds(entries))).toEqual([
			{ type: 'call', number: '1', callerId: '100' },
			{ type: 'connect', number: '2', callerId: '100' },
			{ type: 'connect', number: '3', callerId: '99' },
			{ type: 'digits', count: 1 },
		]);
	});

	test("a step's own Caller ID whose expression found nothing stays its own: reported empty, not replaced", () => {
		const stored = [
			{ type: 'call', number: '1', callerId: '={{ $json.line }}' },
			{ type: 'play', text: 'Hi' },
		];
		const resolved: StepListEntry[] = [
			{ type: 'call', number: '14155550123', callerId: '' },
			{ type: 'play', text: 'Hi' },
		];
		const checked = checkItemFlow('steps', resolved, false, 'forbidden', {
			version: 1.1,
			callerId: '14155550100',
			ownCallerIds: ownCallerIds(stored),
		});
		expect(checked.ok ? [] : checked.problems).toEqual([
			expect.stringMatching(/^step 1 \(Call\), "Caller ID for This Step": is empty/),
		]);
		// Without the stored parameters, a blank resolved value reads as "not given".
		expect(
			checkItemFlow('steps', resolved, false, 'forbidden', {
				version: 1.1,
				callerId: '14155550100',
			}).ok,
		).toBe(true);
	});

	test('version 1.1: Say Text and Play Audio File send only their own field', () => {
		const built = buildFlowFromStepList(
			[
				{ type: 'call' },
				// Values a step kept from its other type: hidden in the editor, so not sent.
				{ type: 'play', text: 'hi', audioUrl: 'https://a/x.mp3' },
				{ type: 'playAudio', text: 'hi', audioUrl: 'https://a/x.mp3' },
			],
			1.1,
		);
		expect(built.steps.slice(1)).toEqual([
			{ id: '2', type: 'play', text: 'hi', next_step: '3' },
			{ id: '3', type: 'play', url: 'https://a/x.mp3' },
		]);
	});

	test.each([
		[
			1.1,
			{ type: 'play', audioUrl: 'https://a/x.mp3' },
			/^step 2 \(Say Text\), "Text to Speak": is empty: add the text to speak/,
		],
		[1.1, { type: 'playAudio', text: 'hi' }, /^step 2 \(Play Audio File\), "Audio URL": is empty/],
		[1, { type: 'play' }, /^step 2 \(Play\), "Text to Speak": needs something to play/],
	])('version %s: %j with its field empty is named by that field', (version, entry, message) => {
		const checked = checkItemFlow('steps', [{ ...CALL }, entry], false, 'forbidden', { version });
		expect(checked.ok ? [] : checked.problems).toEqual([expect.stringMatching(message)]);
	});
});
