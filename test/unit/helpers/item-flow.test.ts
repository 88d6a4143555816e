/**
 * Unit tests of reading and checking one item's flow (nodes/Samespace/helpers/item-flow.ts): from
 * the step list or from JSON (a value, JSON text, a whole pasted payload), with problems numbered
 * and named as the editor labels them.
 */
import type { IExecuteFunctions, INode } from 'n8n-workflow';

import {
	checkItemFlow,
	nodeFlowSettings,
	readItemFlow,
	readJsonFlow,
	type ItemFlow,
	type RejectedCall,
} from '../../../nodes/Samespace/helpers/item-flow';
import { type StepListEntry } from '../../../nodes/Samespace/flow/step-list';
import samplePayload from '../../fixtures/document-sample-payload.json';

const CALL: StepListEntry = { type: 'call', number: '+1 (415) 555-0123', callerId: '14155550100' };
const CONNECT: StepListEntry = { type: 'connect', number: '5263', callerId: '14155550100' };

function rejected(result: ItemFlow): RejectedCall {
	expect(result.ok).toBe(false);
	if (result.ok) throw new Error('expected the flow to be rejected');
	return result;
}

describe('checkItemFlow with the step list', () => {
	test('the straight flow call, play, connect needs no wiring and is valid', () => {
		const result = checkItemFlow(
			'steps',
			[CALL, { type: 'play', text: 'Connecting you now' }, CONNECT],
			true,
		);
		expect(result).toEqual({
			ok: true,
			record: true,
			warnings: [],
			flow: [
				{ id: '1', type: 'call', number: '14155550123', caller_id: '14155550100', next_step: '2' },
				{ id: '2', type: 'play', text: 'Connecting you now', next_step: '3' },
				{ id: '3', type: 'connect', number: '5263', caller_id: '14155550100' },
			],
		});
	});

	test('a menu built from the step list validates, with http defaulting to GET', () => {
		const result = checkItemFlow(
			'steps',
			[
				CALL,
				{
					type: 'digits',
					stepId: 'menu',
					count: 4,
					variable: 'account_id',
					routes: { route: [{ key: '0', step: 'agent' }] },
				},
				{ type: 'http', url: 'https://crm.example.com/{{account_id}}', onFailure: 'agent' },
				{ type: 'play', text: 'Thanks', nextStep: 'agent' },
				{ ...CONNECT, stepId: 'agent' },
			],
			false,
		);
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.record).toBe(false);
		expect(result.warnings).toEqual([]);
		expect(result.flow[1].next_step).toEqual({ '0': 'agent', '*': '3' });
		expect(result.flow[2]).toEqual({
			id: '3',
			type: 'http',
			url: 'https://crm.example.com/{{account_id}}',
			method: 'GET',
			next_step: { success: '4', fail: 'agent' },
		});
	});

	test('problems name fields with the step list labels', () => {
		const result = rejected(checkItemFlow('steps', [{ ...CALL, callerId: '91750XXXX' }], false));
		expect(result.problems).toEqual([
			expect.stringMatching(
				/^step 1 \(Call\), "Caller ID": "91750XXXX" still has "X" placeholders/,
			),
		]);
	});

	test('route, next-step and type problems use step list labels', () => {
		const result = rejected(
			checkItemFlow(
				'steps',
				[
					{ ...CALL, nextStep: 'nowhere' },
					{
						type: 'digits',
						count: 1,
						variable: 'v',
						routes: { route: [{ key: '5', step: 'gone' }] },
						anyInput: 'lost',
					},
					{ type: 'play', audioUrl: 'greeting.mp3' },
					{ type: 'http', url: 'https://a.example', onSuccess: 'x' },
					{ text: 'no type' },
				],
				false,
			),
		);
		const text = result.problems.join('\n');
		expect(text).toContain('step 1 (Call), "Next Step": points to step "nowhere"');
		expect(text).toContain('step 2 (Gather Digits), the route for key "5": points to step "gone"');
		expect(text).toContain(
			'step 2 (Gather Digits), "Any Other Input Goes To": points to step "lost"',
		);
		expect(text).toContain('step 3 (Play), "Audio URL": "greeting.mp3" is not a full web address');
		expect(text).toContain('step 4 (HTTP Request), "On Success Go To": points to step "x"');
		expect(text).toContain('step 5, "Type": is missing: say what the step does');
	});

	test('step-list build errors are merged with the schema errors, in step order', () => {
		const result = rejected(
			checkItemFlow(
				'steps',
				[
					{ ...CALL, number: '' },
					{
						type: 'digits',
						count: 0,
						variable: 'v',
						routes: {
							route: [
								{ key: '1', step: '1' },
								{ key: '1', step: '3' },
							],
						},
					},
					{ type: 'play' },
				],
				false,
			),
		);
		expect(result.problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual([
			'step 1 (Call), "Phone Number"',
			'step 2 (Gather Digits), "Routes"',
			'step 2 (Gather Digits), "Digits to Gather"',
			'step 3 (Play), "Text to Speak"',
		]);
	});

	test('an explicit id equal to a position collides with a blank id', () => {
		const result = rejected(
			checkItemFlow(
				'steps',
				[
					{ ...CALL, stepId: '2' },
					{ type: 'play', text: 'x' },
				],
				false,
			),
		);
		expect(result.problems).toEqual([
			expect.stringMatching(/^step 2 \(Play\), "Step ID": "2" is already the id of step 1/),
		]);
	});

	test('a digits step left without routes names the fields the step list shows', () => {
		const result = rejected(
			checkItemFlow('steps', [CALL, { type: 'digits', count: 1, variable: 'v' }], false),
		);
		expect(result.problems).toEqual([
			expect.stringMatching(
				/^step 2 \(Gather Digits\), "Routes" and "Any Other Input Goes To": has no routes/,
			),
		]);
	});

	test('an http step as the last step has nowhere to go and is rejected, naming both step-list fields', () => {
		const result = rejected(
			checkItemFlow('steps', [CALL, { type: 'http', url: 'https://a.example' }], false),
		);
		expect(result.problems).toEqual([
			expect.stringMatching(
				/^step 2 \(HTTP Request\), "On Success Go To" and "On Failure Go To": is missing: /,
			),
		]);
	});

	test('an http step as the last step with only a failure step names the missing success step', () => {
		const result = rejected(
			checkItemFlow(
				'steps',
				[
					{ ...CALL, nextStep: 'h' },
					{ type: 'play', text: 'bye', stepId: 'bye' },
					{ type: 'http', stepId: 'h', url: 'https://a.example', onFailure: 'bye' },
				],
				false,
			),
		);
		expect(result.problems).toEqual([
			expect.stringMatching(
				/^step 3 \(HTTP Request, Step ID "h"\), "On Success Go To": is missing: give the id of the step after a successful request/,
			),
		]);
	});

	test('steps are named by position and type as the Type dropdown names them, with the Step ID only when the user gave one', () => {
		const result = rejected(
			checkItemFlow(
				'steps',
				[
					{ ...CALL, callerId: '' },
					{ type: 'play', stepId: 'greeting' },
					{ type: 'digits', variable: 'v', anyInput: 'agent' },
					{ type: 'http', stepId: 'lookup', url: 'crm', onSuccess: 'agent', onFailure: 'agent' },
					{ type: 'answer' },
					{ ...CONNECT, number: '', stepId: 'agent' },
				],
				false,
			),
		);
		expect(result.problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual([
			'step 1 (Call), "Caller ID"',
			'step 2 (Play, Step ID "greeting"), "Text to Speak"',
			'step 3 (Gather Digits), "Digits to Gather"',
			'step 4 (HTTP Request, Step ID "lookup"), "URL"',
			'step 5 (Send Answer to Workflow), "Type"',
			'step 6 (Connect, Step ID "agent"), "Connect To"',
		]);
		// No id the editor never shows: the positions that blank Step IDs became are not named.
		expect(result.problems.join('\n')).not.toMatch(/\(id "/);
	});

	test('a Step ID that is a number is named as the user wrote it', () => {
		const result = rejected(
			checkItemFlow('steps', [CALL, { type: 'digits', stepId: 7, variable: 'v' }], false),
		);
		expect(result.message).toMatch(/^step 2 \(Gather Digits, Step ID "7"\), /);
	});

	test('warnings name steps the same way', () => {
		const result = checkItemFlow(
			'steps',
			[
				{ ...CALL, nextStep: 'end' },
				{ type: 'play', text: 'never' },
				{ type: 'play', text: 'Bye', stepId: 'end' },
			],
			false,
		);
		expect(result.ok).toBe(true);
		expect(result.warnings).toEqual([
			expect.stringMatching(/^step 2 \(Play\): can never be reached/),
		]);
	});

	test('several problems: the headline names the first, the description the others, numbered on from it', () => {
		const result = rejected(
			checkItemFlow(
				'steps',
				[
					{ ...CALL, number: '', callerId: '' },
					{ type: 'play', stepId: 'bye' },
				],
				false,
			),
		);
		expect(result.problems).toHaveLength(3);
		expect(result.message).toBe(`${result.problems[0]} (and 2 more problems)`);
		expect(result.message).toMatch(/^step 1 \(Call\), "Phone Number": is empty/);
		expect(result.description).toBe(
			[
				'Nothing was sent for this item.',
				'Also fix these 2:',
				`2. ${result.problems[1]}`,
				`3. ${result.problems[2]}`,
			].join('\n'),
		);
		expect(result.description).not.toContain(result.problems[0]);
		expect(result.problems[2]).toMatch(/^step 2 \(Play, Step ID "bye"\), "Text to Speak": /);
	});

	test('an empty step list', () => {
		for (const parameter of [[], undefined, {}, 'steps']) {
			const result = rejected(checkItemFlow('steps', parameter, false));
			expect(result.message).toBe(
				'The step list is empty: add a Call step, then what should happen in the call',
			);
			expect(result.problems).toEqual([result.message]);
			expect(result.warnings).toEqual([]);
		}
	});
});

describe('checkItemFlow with JSON', () => {
	const jsonFlow = [
		{ id: 'a', type: 'call', number: '14155550123', caller_id: '14155550100', next_step: 'b' },
		{ id: 'b', type: 'play', text: 'Hi' },
	];

	test('JSON text', () => {
		const result = checkItemFlow('json', JSON.stringify(jsonFlow, null, 2), true);
		expect(result).toEqual({ ok: true, record: true, flow: jsonFlow, warnings: [] });
	});

	test('the flow array itself', () => {
		expect(checkItemFlow('json', jsonFlow, false)).toEqual({
			ok: true,
			record: false,
			flow: jsonFlow,
			warnings: [],
		});
	});

	test('a whole pasted payload object {cloud_id, auth_token, flow}, as an object or as text', () => {
		const payload = { cloud_id: 'C', auth_token: 'T', record: true, flow: jsonFlow };
		expect(checkItemFlow('json', payload, false)).toEqual({
			ok: true,
			record: false,
			flow: jsonFlow,
			warnings: [],
		});
		expect(checkItemFlow('json', JSON.stringify(payload), false)).toMatchObject({
			ok: true,
			flow: jsonFlow,
		});
	});

	test('problems use the API field names', () => {
		const result = rejected(
			checkItemFlow('json', [{ ...jsonFlow[0], caller_id: '1XX' }, jsonFlow[1]], false),
		);
		expect(result.problems).toEqual([
			expect.stringMatching(
				/^step 1 \(id "a", call\), caller_id: "1XX" still has "X" placeholders/,
			),
		]);
	});

	test('steps are named by the ids and types the JSON writes, as before', () => {
		const result = rejected(
			checkItemFlow(
				'json',
				[
					{ ...jsonFlow[0], next_step: '5' },
					{ id: '5', type: 'digits', variable: 'v', next_step: { '*': 'b' } },
					jsonFlow[1],
				],
				false,
			),
		);
		expect(result.problems).toEqual([expect.stringMatching(/^step 2 \(id "5", digits\), count: /)]);
	});

	test('empty JSON text', () => {
		for (const text of ['', '  \n ']) {
			const result = rejected(checkItemFlow('json', text, false));
			expect(result.message).toBe(
				'The flow JSON is empty: give the flow array, e.g. [{"id": "1", "type": "call", ...}]',
			);
			// The headline names the only problem: the description does not repeat it.
			expect(result.description).toBe('Nothing was sent for this item.');
		}
	});

	test('JSON syntax errors are passed on', () => {
		const result = rejected(checkItemFlow('json', '[{"id": 1,}]', false));
		expect(result.message).toMatch(
			/^The flow JSON is not valid at line 1, column 11 .*remove the trailing comma/,
		);
	});

	test('a flow that is not a list', () => {
		const result = rejected(checkItemFlow('json', '{"id": 1}', false));
		expect(result.message).toMatch(/^flow: is an object: the flow must be a list of steps/);
	});

	test("the document's sample payload, pasted whole, is rejected: the first problem in the headline, the others numbered on from it, and the warnings listed", () => {
		const result = rejected(checkItemFlow('json', JSON.stringify(samplePayload), false));
		expect(result.problems).toHaveLength(3);
		expect(result.message).toBe(`${result.problems[0]} (and 2 more problems)`);
		expect(result.message).toMatch(
			/^step 4 \(id "5", http\), next_step\.success: points to step "10"/,
		);
		expect(result.problems[1]).toMatch(/^step 5 \(id "3", connect\), number: "16468107XXX"/);
		expect(result.problems[2]).toMatch(/^step 6 \(id "4", connect\), caller_id: "917507XXXXX"/);
		expect(result.warnings).toEqual([
			expect.stringMatching(/^step 5 \(id "3", connect\): can never be reached/),
			expect.stringMatching(/^flow, id: some ids are numbers and some are text/),
		]);
		expect(result.description).toBe(
			[
				'Nothing was sent for this item.',
				'Also fix these 2:',
				`2. ${result.problems[1]}`,
				`3. ${result.problems[2]}`,
				'Also worth a look:',
				`- ${result.warnings[0]}`,
				`- ${result.warnings[1]}`,
			].join('\n'),
		);
	});

	test('"(and 1 more problem)" for two problems, nothing for one; the description never repeats the headline', () => {
		const two = rejected(
			checkItemFlow('json', [{ ...jsonFlow[0], number: '', caller_id: '' }, jsonFlow[1]], false),
		);
		expect(two.problems).toHaveLength(2);
		expect(two.message).toBe(`${two.problems[0]} (and 1 more problem)`);
		expect(two.description).toBe(
			`Nothing was sent for this item.\nAlso fix this one:\n2. ${two.problems[1]}`,
		);
		expect(two.description).not.toContain(two.problems[0]);
		const one = rejected(
			checkItemFlow('json', [{ ...jsonFlow[0], number: '' }, jsonFlow[1]], false),
		);
		expect(one.message).toBe(one.problems[0]);
		expect(one.message).not.toContain('more problem');
		expect(one.description).toBe('Nothing was sent for this item.');
	});

	test('a valid flow with warnings is accepted and the warnings are described', () => {
		const result = checkItemFlow(
			'json',
			[jsonFlow[0], jsonFlow[1], { id: 'c', type: 'play', text: 'never' }],
			false,
		);
		expect(result.ok).toBe(true);
		expect(result.warnings).toEqual([
			'step 3 (id "c", play): can never be reached from the first step: point a next step or route at it, or remove it',
		]);
	});
});

describe('readJsonFlow', () => {
	test('text is parsed; a payload object gives its flow; anything else is passed on', () => {
		expect(readJsonFlow('[1]')).toEqual({ flow: [1] });
		expect(readJsonFlow('{"cloud_id": "C", "auth_token": "T", "flow": [2]}')).toEqual({
			flow: [2],
		});
		expect(readJsonFlow({ cloud_id: 'C', auth_token: 'T', flow: [3] })).toEqual({ flow: [3] });
		expect(readJsonFlow([4])).toEqual({ flow: [4] });
		expect(readJsonFlow({ id: 1 })).toEqual({ flow: { id: 1 } });
		expect(readJsonFlow(null)).toEqual({ flow: null });
	});

	test('empty text and invalid JSON give a problem and no flow', () => {
		expect(readJsonFlow('   ')).toEqual({
			problem: expect.stringMatching(/^The flow JSON is empty/),
		});
		const read = readJsonFlow('{“record”: true}');
		expect(read.flow).toBeUndefined();
		expect(read.problem).toMatch(/typographic quote/);
	});
});

describe('readItemFlow', () => {
	// A version 1.1 node: the call's Caller ID above the steps, the Connect step with its own.
	const stored = {
		source: 'steps',
		callerId: '14155550100',
		steps: {
			step: [
				{ type: 'call', number: '={{ $json.phone }}' },
				{ type: 'connect', number: '5263', callerId: '14155550199' },
			],
		},
	};
	const node = { typeVersion: 1.1, parameters: stored } as unknown as INode;
	const phones = ['14155550123', '14155550124', '14155550125'];
	const context = () => {
		let nodeReads = 0;
		const ctx = {
			getNode: () => {
				nodeReads++;
				return structuredClone(node);
			},
			getNodeParameter: (name: string, itemIndex: number, fallback: unknown) => {
				if (name === 'steps.step')
					return [{ ...stored.steps.step[0], number: phones[itemIndex] }, stored.steps.step[1]];
				return name in stored ? stored[name as keyof typeof stored] : fallback;
			},
		} as unknown as IExecuteFunctions;
		return { ctx, nodeReads: () => nodeReads };
	};

	test('reads the node (a deep copy in n8n) once for a whole list when given its settings', () => {
		const { ctx, nodeReads } = context();
		const settings = nodeFlowSettings(ctx.getNode());
		const flows = phones.map((_phone, itemIndex) =>
			readItemFlow(ctx, itemIndex, 'forbidden', settings),
		);
		expect(nodeReads()).toBe(1);
		expect(flows.map((flow) => (flow.ok ? flow.flow : flow.message))).toEqual(
			phones.map((phone) => [
				{ id: '1', type: 'call', number: phone, caller_id: '14155550100', next_step: '2' },
				{ id: '2', type: 'connect', number: '5263', caller_id: '14155550199' },
			]),
		);
	});

	test('without settings, reads them from the node itself, with the same result', () => {
		const { ctx, nodeReads } = context();
		const settings = nodeFlowSettings(ctx.getNode());
		expect(readItemFlow(ctx, 1)).toEqual(readItemFlow(ctx, 1, 'forbidden', settings));
		expect(nodeReads()).toBe(2);
		expect(settings).toEqual({ version: 1.1, ownCallerIds: [false, true] });
	});
});
