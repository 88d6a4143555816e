/**
 * Unit tests of how a step of the step list is named in messages (nodes/Samespace/flow/step-names.ts):
 * by position, by its type as the Type dropdown names it, and by the user's own Step ID only.
 */
import type { StepListEntry } from '../../../nodes/Samespace/flow/step-list';
import {
	STEP_TYPE_NAMES,
	STEP_TYPE_NAMES_V11,
	stepListEntryName,
	stepListNamer,
	stepTypeNames,
} from '../../../nodes/Samespace/flow/step-names';
import type { INodePropertyCollection, INodePropertyOptions } from 'n8n-workflow';

import {
	flowProperties,
	NODE_VERSIONS,
} from '../../../nodes/Samespace/actions/callFlow/flow.descriptions';

/** The options of the step list's Type dropdown in node version `version` (with Send Answer to Workflow, as Call and Wait offers it). */
function stepTypeOptions(version: number): INodePropertyOptions[] {
	const steps = flowProperties(true).find(
		(property) =>
			property.name === 'steps' &&
			JSON.stringify(property.displayOptions?.show?.['@version']) ===
				JSON.stringify(version === 1 ? [1] : [{ _cnd: { gte: 1.1 } }]),
	);
	const step = steps?.options?.[0] as INodePropertyCollection | undefined;
	const type = step?.values.find((property) => property.name === 'type');
	return (type?.options ?? []) as INodePropertyOptions[];
}

describe('STEP_TYPE_NAMES', () => {
	test('every type the editor offers, named as its Type dropdown names it', () => {
		expect(STEP_TYPE_NAMES).toEqual({
			call: 'Call',
			connect: 'Connect',
			digits: 'Gather Digits',
			http: 'HTTP Request',
			play: 'Play',
			answer: 'Send Answer to Workflow',
		});
		expect(STEP_TYPE_NAMES_V11).toEqual({
			...STEP_TYPE_NAMES,
			play: 'Say Text',
			playAudio: 'Play Audio File',
		});
		expect(Object.isFrozen(STEP_TYPE_NAMES)).toBe(true);
		expect(Object.isFrozen(STEP_TYPE_NAMES_V11)).toBe(true);
		expect(stepTypeNames(1)).toBe(STEP_TYPE_NAMES);
		expect(stepTypeNames(1.1)).toBe(STEP_TYPE_NAMES_V11);
	});

	test.each(NODE_VERSIONS)("version %s: the Type dropdown's names are the map's", (version) => {
		const names = stepTypeNames(version);
		const options = stepTypeOptions(version);
		expect(options.map(({ value }) => value).sort()).toEqual(Object.keys(names).sort());
		for (const { name, value } of options) expect(names[String(value)]).toBe(name);
	});
});

describe('stepListEntryName', () => {
	test.each([
		['call', 'step 1 (Call)'],
		['connect', 'step 1 (Connect)'],
		['digits', 'step 1 (Gather Digits)'],
		['http', 'step 1 (HTTP Request)'],
		['play', 'step 1 (Play)'],
		['answer', 'step 1 (Send Answer to Workflow)'],
	])('a %s step without a Step ID: %s', (type, name) => {
		expect(stepListEntryName({ type }, 0)).toBe(name);
	});

	test('the Step ID the user gave, never the position it would otherwise get', () => {
		expect(stepListEntryName({ type: 'play', stepId: 'greeting' }, 1)).toBe(
			'step 2 (Play, Step ID "greeting")',
		);
		expect(stepListEntryName({ type: 'digits', stepId: 7 }, 3)).toBe(
			'step 4 (Gather Digits, Step ID "7")',
		);
		expect(stepListEntryName({ type: 'digits', stepId: '  menu ' }, 3)).toBe(
			'step 4 (Gather Digits, Step ID "menu")',
		);
		for (const stepId of ['', '   ', undefined])
			expect(stepListEntryName({ type: 'digits', stepId }, 3)).toBe('step 4 (Gather Digits)');
	});

	test('no type chosen, an unknown type, no entry at all', () => {
		expect(stepListEntryName({ text: 'hi' }, 4)).toBe('step 5');
		expect(stepListEntryName({ stepId: 'x' }, 4)).toBe('step 5 (Step ID "x")');
		expect(stepListEntryName({ type: 'dance' }, 0)).toBe('step 1 (type "dance")');
		expect(stepListEntryName({ type: 'toString' }, 0)).toBe('step 1 (type "toString")');
		expect(stepListEntryName({ type: 'x'.repeat(100) }, 0)).toBe(
			`step 1 (type "${'x'.repeat(20)}…")`,
		);
		expect(stepListEntryName(undefined, 2)).toBe('step 3');
	});

	test("names from another version's map: the entry's own type is named", () => {
		expect(stepListEntryName({ type: 'playAudio', stepId: 'hold' }, 2, STEP_TYPE_NAMES_V11)).toBe(
			'step 3 (Play Audio File, Step ID "hold")',
		);
		expect(stepListEntryName({ type: 'play' }, 0, STEP_TYPE_NAMES_V11)).toBe('step 1 (Say Text)');
		// Version 1 has no Play Audio File: quoted as written, never named as the step it becomes.
		expect(stepListEntryName({ type: 'playAudio' }, 0)).toBe('step 1 (type "playAudio")');
	});
});

describe('stepListNamer', () => {
	const entries: StepListEntry[] = [
		{ type: 'call' },
		{ type: 'play', stepId: 'greeting' },
		null as unknown as StepListEntry,
	];

	test("names a problem's step from the entry at its position, whatever the built step says", () => {
		const name = stepListNamer(entries);
		// The built step's id is the position "1" and its type could differ: the entry decides.
		expect(
			name({ severity: 'error', stepIndex: 0, stepId: '1', stepType: 'x', message: 'm' }),
		).toBe('step 1 (Call)');
		expect(name({ severity: 'error', stepIndex: 1, stepId: 'greeting', message: 'm' })).toBe(
			'step 2 (Play, Step ID "greeting")',
		);
		expect(name({ severity: 'error', stepIndex: 2, stepId: '3', message: 'm' })).toBe('step 3');
	});

	test('with another map', () => {
		const name = stepListNamer([{ type: 'play' }], { play: 'Say' });
		expect(name({ severity: 'error', stepIndex: 0, message: 'm' })).toBe('step 1 (Say)');
	});
});
