/**
 * Node version 1.1 (nodes/Samespace/actions/callFlow/flow.descriptions.ts, NODE_VERSIONS), run by
 * n8n's engine against the emulator: one Caller ID for the whole call, Say Text and Play Audio
 * File, and a JSON mode that rings nobody until the user gives a number. Version 1 (saved
 * workflows) keeps its parameters and what it sends: the other engine tests run version 1.
 */
import { outputJson, runSamespace, useEmulator } from '../../support/samespace';

const emulator = useEmulator();
const v11 = { settings: { typeVersion: 1.1 } };
const sentFlow = () => (emulator.requests[0].body as { flow: unknown }).flow;

describe('version 1.1: the step list', () => {
	test('one Caller ID for the whole call; a step may show its own', async () => {
		const result = await runSamespace(
			emulator,
			{
				callerId: '14155550100',
				steps: {
					step: [
						{ type: 'call', number: '={{ $json.phone }}' },
						{ type: 'play', text: 'Connecting you now.' },
						{ type: 'connect', number: '5263' },
						{ type: 'connect', number: '5264', callerId: '14155550199' },
					],
				},
			},
			v11,
		);

		expect(result.error).toBeUndefined();
		expect(emulator.requests).toHaveLength(1);
		expect(sentFlow()).toEqual([
			{ id: '1', type: 'call', number: '14155550123', caller_id: '14155550100', next_step: '2' },
			{ id: '2', type: 'play', text: 'Connecting you now.', next_step: '3' },
			{ id: '3', type: 'connect', number: '5263', caller_id: '14155550100', next_step: '4' },
			{ id: '4', type: 'connect', number: '5264', caller_id: '14155550199' },
		]);
	});

	test('without a Caller ID nothing is sent, and the error names the field', async () => {
		const result = await runSamespace(
			emulator,
			{
				steps: {
					step: [
						{ type: 'call', number: '14155550123' },
						{ type: 'play', text: 'Hi' },
					],
				},
			},
			v11,
		);

		expect(emulator.requests).toHaveLength(0);
		expect(result.error?.message).toMatch(/"Caller ID"/);
	});

	test('Say Text says its text only; Play Audio File plays its file only', async () => {
		const result = await runSamespace(
			emulator,
			{
				callerId: '14155550100',
				steps: {
					step: [
						{ type: 'call', number: '14155550123' },
						// Values a step kept from its other type: hidden in the editor, so not sent.
						{ type: 'play', text: 'Hello.', audioUrl: 'https://example.com/old.mp3' },
						{
							type: 'playAudio',
							audioUrl: 'https://example.com/greeting.mp3',
							text: 'old text',
							endCall: true,
						},
					],
				},
			},
			v11,
		);

		expect(result.error).toBeUndefined();
		expect(sentFlow()).toEqual([
			{ id: '1', type: 'call', number: '14155550123', caller_id: '14155550100', next_step: '2' },
			{ id: '2', type: 'play', text: 'Hello.', next_step: '3' },
			{ id: '3', type: 'play', url: 'https://example.com/greeting.mp3' },
		]);
	});

	test('the default step list (what switching back from JSON leaves) sends nothing', async () => {
		const result = await runSamespace(emulator, {}, v11);

		expect(emulator.requests).toHaveLength(0);
		// n8n's own check of required fields, before the node runs.
		expect(result.error?.message).toBe(
			'The \'Samespace\' node has issues:\n- Parameter "Caller ID" is required.\n- Parameter "Phone Number" is required.\n- Parameter "Text to Speak" is required.',
		);
	});
});

describe('version 1.1: JSON mode', () => {
	test('the default JSON rings nobody: it is rejected until the user gives a number', async () => {
		const result = await runSamespace(emulator, { source: 'json' }, v11);

		expect(emulator.requests).toHaveLength(0);
		expect(result.error?.message).toMatch(/step 1\b.*number: is empty/);
	});

	test('the call-wide Caller ID does not apply to JSON: the flow is sent as written', async () => {
		const flow = [
			{ id: 'a', type: 'call', number: '14155550123', caller_id: '14155550111', next_step: 'b' },
			{ id: 'b', type: 'play', text: 'Hi' },
		];
		const result = await runSamespace(
			emulator,
			{ source: 'json', callerId: '14155550100', flowJson: JSON.stringify(flow) },
			v11,
		);

		expect(result.error).toBeUndefined();
		expect(sentFlow()).toEqual(flow);
		expect(outputJson(result)).toEqual([expect.objectContaining({ success: true })]);
	});
});

describe('version 1: saved workflows', () => {
	test("the JSON default of version 1 is still version 1's", async () => {
		const result = await runSamespace(emulator, {
			source: 'json',
			options: { validateOnly: true },
		});

		expect(result.error).toBeUndefined();
		expect(emulator.requests).toHaveLength(0);
		expect(JSON.stringify(outputJson(result))).toContain('14155550123');
	});

	test('a Caller ID the node holds is not used by version 1, whose steps have their own', async () => {
		const result = await runSamespace(emulator, {
			callerId: '14155550100',
			steps: {
				step: [
					{ type: 'call', number: '14155550123' },
					{ type: 'play', text: 'Hi' },
				],
			},
		});

		expect(emulator.requests).toHaveLength(0);
		expect(result.error?.message).toMatch(/"Caller ID"/);
	});
});

describe('errors name a step by the Type dropdown of the node version', () => {
	const steps = {
		step: [
			{ type: 'call', number: '14155550123', callerId: '14155550100' },
			// An expression that finds no data: n8n's own required check lets it through.
			{ type: 'play', text: '={{ $json.nothing }}' },
			{ type: 'playAudio', stepId: 'hold', audioUrl: 'hold.mp3' },
		],
	};

	test('version 1.1: Say Text and Play Audio File', async () => {
		const result = await runSamespace(emulator, { callerId: '14155550100', steps }, v11);

		expect(emulator.requests).toHaveLength(0);
		expect(result.error?.message).toMatch(
			/^Item 1: invalid call flow: step 2 \(Say Text\), "Text to Speak": /,
		);
		expect(result.error?.description).toMatch(
			/^2\. step 3 \(Play Audio File, Step ID "hold"\), "Audio URL": "hold\.mp3" is not a full web address/m,
		);
	});

	test('version 1: Play', async () => {
		const result = await runSamespace(emulator, {
			steps: { step: [steps.step[0], steps.step[1]] },
		});

		expect(emulator.requests).toHaveLength(0);
		expect(result.error?.message).toMatch(/^Item 1: invalid call flow: step 2 \(Play\), /);
	});
});

describe('version 1.1: Caller ID labels', () => {
	test("a step's own bad Caller ID is named as its Caller ID for This Step; the call's as Caller ID", async () => {
		const result = await runSamespace(
			emulator,
			{
				callerId: 'our main line',
				steps: {
					step: [
						{ type: 'call', number: '14155550123' },
						{ type: 'connect', number: '5263', callerId: 'the desk' },
					],
				},
			},
			{ ...v11, continueOnFail: true },
		);

		expect(emulator.requests).toHaveLength(0);
		const [item] = outputJson(result) as Array<{ problems?: string[] }>;
		expect(item.problems).toEqual([
			expect.stringMatching(/^step 1 \(Call\), "Caller ID": "our main line"/),
			expect.stringMatching(/^step 2 \(Connect\), "Caller ID for This Step": "the desk"/),
		]);
	});
});

test("version 1.1: a step's own Caller ID whose expression finds nothing is reported, not replaced by the call's", async () => {
	const result = await runSamespace(
		emulator,
		{
			callerId: '14155550100',
			steps: {
				step: [
					{ type: 'call', number: '14155550123', callerId: '={{ $json.line }}' },
					{ type: 'play', text: 'Hi' },
				],
			},
		},
		v11,
	);

	expect(emulator.requests).toHaveLength(0);
	expect(result.error?.message).toMatch(/step 1 \(Call\), "Caller ID for This Step": is empty/);
});
