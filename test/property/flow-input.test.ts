/**
 * Property-based tests of the check every item's flow goes through before anything is sent
 * (`checkItemFlow` in nodes/Samespace/helpers/item-flow.ts): thousands of generated valid flows are
 * accepted, and thousands of broken flows, broken JSON texts and broken step lists are rejected
 * with a message that names the problem, and never with an exception.
 *
 * Every property tries all its cases and then fails with one line per kind of failure (with the
 * shortest example found), rather than stopping at the first. Seeds are fixed: a run is repeatable.
 */
import fc from 'fast-check';

import type { StepListEntry } from '../../nodes/Samespace/flow/step-list';
import { checkItemFlow, type ItemFlow } from '../../nodes/Samespace/helpers/item-flow';
import { brokenFlow, present, validFlow } from './arbitraries/flows';
import { brokenJsonText, isValidJson } from './arbitraries/json-text';
import { deepArray, deepObject } from './arbitraries/shared';
import { brokenSteps, oddStepParameter, randomEntries, validSteps } from './arbitraries/step-lists';
import { Findings, acceptedViolations, forAll, preview, rejectionViolations } from './checks';

const SEED = 20_250_601;
const RUNS = Number(process.env.PROPERTY_RUNS ?? 3000);

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort().join();
const arrayPrototypeBefore = Object.getOwnPropertyNames(Array.prototype).sort().join();

/** Runs the check; an exception becomes a finding instead of ending the property. */
function attempt(
	findings: Findings,
	kindSuffix: string,
	input: () => unknown,
	run: () => ItemFlow,
): ItemFlow | undefined {
	try {
		return run();
	} catch (error) {
		const e = error as Error;
		if (process.env.PROPERTY_DEBUG)
			console.log('THREW', (e as Error)?.stack, String(JSON.stringify(input())).slice(0, 3000));
		findings.add(
			`threw ${e?.constructor?.name ?? typeof error}: ${String(e?.message).slice(0, 120)}${kindSuffix}`,
			input,
		);
		return undefined;
	}
}

/** Over-long lines have one cause whatever the mutation: they are one kind of failure. */
const byCause = (violation: string, suffix: string) =>
	violation.includes('longer than') ? violation : `${violation}${suffix}`;

/** The problem that shows the failure best: the longest one, or one with banned text. */
const longest = (result: ItemFlow): string => {
	if (result.ok) return 'accepted';
	const banned = result.problems.find((problem) =>
		/undefined|\[object Object\]|\[native code\]| is not a step type/.test(problem),
	);
	return banned ?? [...result.problems].sort((a, b) => b.length - a.length)[0];
};

describe('valid flows', () => {
	test('a generated valid flow (any size, every step type, branching, text and number ids) is accepted, sent with text ids and resolving references, and passes the emulator', () => {
		const findings = new Findings('valid JSON-mode flows');
		const forms = new Map<string, number>();
		forAll(findings, SEED, RUNS, (g) => {
			const { flow, ids } = validFlow(g);
			const { parameter, form } = present(g, flow, true);
			forms.set(form, (forms.get(form) ?? 0) + 1);
			const record = g(fc.boolean);
			const result = attempt(
				findings,
				'',
				() => parameter,
				() => checkItemFlow('json', parameter, record),
			);
			if (!result) return;
			if (!result.ok) {
				findings.add(
					`valid flow rejected: ${result.problems[0].replace(/"[^"]*"/g, '…').slice(0, 140)}`,
					() => parameter,
				);
				return;
			}
			if (result.record !== record) findings.add('record is not passed through', () => parameter);
			for (const violation of acceptedViolations(result, ids))
				findings.add(
					violation,
					() => parameter,
					() => preview(result.flow),
				);
		});
		findings.print(`as ${[...forms].map(([form, n]) => `${n} ${form}`).join(', ')}`);
		expect(findings.failures()).toEqual([]);
	});

	test('a generated valid step list (blank ids and next steps, formatted numbers, routes) is accepted and passes the emulator', () => {
		const findings = new Findings('valid step lists');
		forAll(findings, SEED + 1, RUNS, (g) => {
			const { entries, ids } = validSteps(g);
			const result = attempt(
				findings,
				'',
				() => entries,
				() => checkItemFlow('steps', entries, false),
			);
			if (!result) return;
			if (!result.ok) {
				findings.add(
					`valid step list rejected: ${result.problems[0].replace(/"[^"]*"/g, '…').slice(0, 140)}`,
					() => entries,
				);
				return;
			}
			for (const violation of acceptedViolations(result, ids))
				findings.add(
					violation,
					() => entries,
					() => preview(result.flow),
				);
		});
		findings.print();
		expect(findings.failures()).toEqual([]);
	});
});

describe('node version 1.1', () => {
	test('a valid step list written in version 1.1 (one Caller ID for the call, Say Text and Play Audio File) sends what version 1 sends', () => {
		const findings = new Findings('valid step lists as version 1.1');
		let split = 0;
		forAll(findings, SEED + 7, RUNS, (g) => {
			const { entries } = validSteps(g);
			// Version 1.1 has no step with both a text and a file: that one is two steps there.
			if (entries.some((e) => e.type === 'play' && e.text?.trim() && e.audioUrl?.trim())) {
				split++;
				return;
			}
			const callWide = entries.find((e) => e.type === 'call')?.callerId;
			const v11 = entries.map((entry): StepListEntry => {
				const { callerId, ...rest } = entry;
				if (entry.type === 'play')
					return entry.audioUrl?.trim()
						? { ...rest, type: 'playAudio', text: undefined }
						: { ...rest, audioUrl: undefined };
				const own = String(callerId ?? '').trim() !== String(callWide ?? '').trim();
				return own ? entry : rest;
			});
			const v1 = checkItemFlow('steps', entries, false);
			const result = attempt(
				findings,
				'',
				() => v11,
				() => checkItemFlow('steps', v11, false, 'forbidden', { version: 1.1, callerId: callWide }),
			);
			if (!result) return;
			// The same flow and as many warnings (which name steps by the version's Type names).
			const same = (a: ItemFlow, b: ItemFlow) =>
				a.ok && b.ok
					? JSON.stringify(a.flow) === JSON.stringify(b.flow) &&
						a.warnings.length === b.warnings.length
					: a.ok === b.ok;
			if (!v1.ok || !same(result, v1))
				findings.add(
					'version 1.1 differs from version 1',
					() => v11,
					() =>
						`${preview(result.ok ? result.flow : result.problems)} vs ${preview(v1.ok ? v1.flow : v1.problems)}`,
				);
		});
		findings.print(`${split} lists with a text and a file in one Play left out`);
		expect(findings.failures()).toEqual([]);
		// Most lists must be compared, or the property tests little.
		expect(split).toBeLessThan(RUNS / 2);
	});
});

describe('broken flows', () => {
	test('a broken JSON-mode flow (missing fields, wrong types, unknown types and fields, dangling and duplicate ids, non-objects, non-lists, huge and deep values, __proto__ keys) is rejected with a message naming the problem', () => {
		const findings = new Findings('broken JSON-mode flows');
		const mutations = new Map<string, number>();
		forAll(findings, SEED + 2, Math.round(RUNS * 1.5), (g) => {
			const broken = brokenFlow(g);
			const { parameter, form } = present(g, broken.flow, broken.jsonSafe);
			for (const label of broken.labels) {
				const family = label.replace(/:.*|\(.*\)|".*"/g, '').trim();
				mutations.set(family, (mutations.get(family) ?? 0) + 1);
			}
			const suffix =
				broken.labels.length === 1 ? ` (after: ${broken.labels[0]})` : ' (after several mutations)';
			const input = () => ({ mutations: broken.labels, form, parameter });
			const result = attempt(findings, suffix, input, () =>
				checkItemFlow('json', parameter, false),
			);
			if (!result) return;
			if (result.ok) {
				findings.add(`broken flow accepted${suffix}`, input, () => preview(result.flow));
				return;
			}
			const length = Array.isArray(broken.flow) ? broken.flow.length : undefined;
			for (const violation of rejectionViolations(result, length))
				findings.add(byCause(violation, suffix), input, () => longest(result).slice(0, 300));
			const missing = broken.expect(result.problems);
			if (missing)
				findings.add(
					`${missing.replace(/\d+/g, 'N').replace(/"[^"]*"/g, '…')}${suffix}`,
					input,
					() => result.problems.join(' | ').slice(0, 400),
				);
		});
		findings.print(
			`mutations applied: ${[...mutations].map(([name, n]) => `${name} ${n}`).join(', ')}`,
		);
		expect(findings.failures()).toEqual([]);
	});

	test('broken JSON text (truncated, junk inserted, typographic quotes, comments, trailing commas, single quotes) is rejected with the line and column', () => {
		const findings = new Findings('broken JSON texts');
		const corruptions = new Map<string, number>();
		fc.assert(
			fc.property(fc.gen(), (g) => {
				const { text, corruption } = brokenJsonText(g);
				findings.cases++;
				corruptions.set(corruption, (corruptions.get(corruption) ?? 0) + 1);
				const suffix = ` (after: ${corruption})`;
				const result = attempt(
					findings,
					suffix,
					() => text,
					() => checkItemFlow('json', text, false),
				);
				if (!result) return true;
				if (isValidJson(text)) findings.add('generator made valid JSON', () => text);
				if (result.ok) {
					findings.add(`invalid JSON accepted${suffix}`, () => text);
					return true;
				}
				for (const violation of rejectionViolations(result))
					findings.add(
						`${violation}${suffix}`,
						() => text,
						() => result.message.slice(0, 300),
					);
				if (result.problems.length !== 1)
					findings.add(`more than one problem for unreadable JSON${suffix}`, () => text);
				const { message } = result;
				if (text.trim() === '') {
					if (!message.startsWith('The flow JSON is empty'))
						findings.add(
							'empty text not called empty',
							() => text,
							() => message,
						);
					return true;
				}
				if (!message.startsWith('The flow JSON'))
					findings.add(
						`message does not start with "The flow JSON"${suffix}`,
						() => text,
						() => message,
					);
				const where = /at line (\d+), column (\d+)/.exec(message);
				if (!where)
					findings.add(
						`no line and column${suffix}`,
						() => text,
						() => message,
					);
				else {
					const lines = text.replace(/^\uFEFF/, '').split('\n');
					const [line, column] = [Number(where[1]), Number(where[2])];
					if (line < 1 || line > lines.length || column < 1 || column > lines[line - 1].length + 1)
						findings.add(
							`line/column outside the text${suffix}`,
							() => text,
							() => message,
						);
				}
				if (corruption === 'typographic quotes' && !/typographic quote/.test(message))
					findings.add(
						'typographic quotes not named',
						() => text,
						() => message,
					);
				if (corruption === 'comment' && /^(#|\/\/)/m.test(text) && !/comment/.test(message))
					findings.add(
						'comment not named',
						() => text,
						() => message,
					);
				return true;
			}),
			{ seed: SEED + 3, numRuns: RUNS },
		);
		findings.print(
			`corruptions: ${[...corruptions].map(([name, n]) => `${name} ${n}`).join(', ')}`,
		);
		expect(findings.failures()).toEqual([]);
	});

	test('deeply nested JSON (1,000 to 100,000 levels, as text and as data) is rejected without a stack overflow escaping', () => {
		const findings = new Findings('deeply nested JSON');
		fc.assert(
			fc.property(
				fc.integer({ min: 1000, max: 100_000 }),
				fc.constantFrom('array', 'object', 'flow object', 'in a step field'),
				fc.constantFrom('valid JSON', 'one bracket missing', 'junk at the bottom', 'as data'),
				(depth, shape, variant) => {
					findings.cases++;
					let parameter: unknown;
					const open =
						shape === 'array'
							? '['.repeat(depth)
							: shape === 'in a step field'
								? `[{"id":"1","type":"call","number":"14155550123","caller_id":"14155550100","next_step":${'['.repeat(depth)}`
								: '{"flow":'.repeat(depth);
					const close =
						shape === 'array'
							? ']'.repeat(depth)
							: shape === 'in a step field'
								? `${']'.repeat(depth)}}]`
								: '}'.repeat(depth);
					const leaf = shape === 'array' || shape === 'in a step field' ? '1' : 'null';
					if (variant === 'as data') {
						if (depth > 20_000) return true; // building it as data is the slow part; text covers the deep end
						parameter =
							shape === 'array'
								? deepArray(depth)
								: shape === 'in a step field'
									? [
											{
												id: '1',
												type: 'call',
												number: '14155550123',
												caller_id: '14155550100',
												next_step: deepArray(depth),
											},
										]
									: deepObject(depth, 'flow', null);
					} else if (variant === 'valid JSON') parameter = open + leaf + close;
					else if (variant === 'one bracket missing') parameter = open + leaf + close.slice(1);
					else parameter = `${open}${leaf} x${close}`;
					const label = ` (${shape}, ${variant})`;
					const input = () => `${variant} ${shape} ${depth} deep`;
					const result = attempt(findings, label, input, () =>
						checkItemFlow('json', parameter, false),
					);
					if (!result) return true;
					if (result.ok) findings.add(`deep value accepted${label}`, input);
					else
						for (const violation of rejectionViolations(result))
							findings.add(`${violation}${label}`, input, () => result.message.slice(0, 200));
					return true;
				},
			),
			{ seed: SEED + 4, numRuns: 80 },
		);
		findings.print();
		expect(findings.failures()).toEqual([]);
	});
});

describe('broken step lists', () => {
	test('a broken step list (bad or missing type, wrong field values, junk routes, dangling and duplicate ids) is rejected naming the step and the field as the editor labels it', () => {
		const findings = new Findings('broken step lists');
		forAll(findings, SEED + 5, RUNS, (g) => {
			const broken = brokenSteps(g);
			const suffix =
				broken.labels.length === 1 ? ` (after: ${broken.labels[0]})` : ' (after several mutations)';
			const input = () => ({ mutations: broken.labels, entries: broken.entries });
			const result = attempt(findings, suffix, input, () =>
				checkItemFlow('steps', broken.entries, false),
			);
			if (!result) return;
			if (result.ok) {
				findings.add(`broken step list accepted${suffix}`, input, () => preview(result.flow));
				return;
			}
			for (const violation of rejectionViolations(result, broken.entries.length))
				findings.add(byCause(violation, suffix), input, () => longest(result).slice(0, 300));
			const missing = broken.expect(result.problems);
			if (missing)
				findings.add(`${missing.replace(/\d+/g, 'N')}${suffix}`, input, () =>
					result.problems.join(' | ').slice(0, 400),
				);
		});
		findings.print();
		expect(findings.failures()).toEqual([]);
	});

	test('step-list entries with random values of any type in every field never make the check throw; a rejection is clear, an acceptance passes the emulator', () => {
		const findings = new Findings('random step-list values');
		let accepted = 0;
		fc.assert(
			fc.property(randomEntries, (entries) => {
				findings.cases++;
				const result = attempt(
					findings,
					'',
					() => entries,
					() => checkItemFlow('steps', entries, false),
				);
				if (!result) return true;
				if (result.ok) {
					accepted++;
					for (const violation of acceptedViolations(result))
						findings.add(
							`accepted, but ${violation}`,
							() => entries,
							() => preview(result.flow),
						);
				} else
					for (const violation of rejectionViolations(result, entries.length))
						findings.add(
							violation,
							() => entries,
							() => longest(result).slice(0, 300),
						);
				return true;
			}),
			{ seed: SEED + 6, numRuns: RUNS },
		);
		findings.print(`${accepted} accepted`);
		expect(findings.failures()).toEqual([]);
	});

	test('step-list parameters of shapes the editor never produces (entries that are not objects, routes that are not lists) do not make the check throw', () => {
		const findings = new Findings('odd step-list shapes');
		fc.assert(
			fc.property(oddStepParameter, ({ parameter, label }) => {
				findings.cases++;
				const result = attempt(
					findings,
					` (${label})`,
					() => parameter,
					() => checkItemFlow('steps', parameter, false),
				);
				if (result && !result.ok)
					for (const violation of rejectionViolations(result))
						findings.add(
							`${violation} (${label})`,
							() => parameter,
							() => result.message,
						);
				if (result?.ok)
					for (const violation of acceptedViolations(result))
						findings.add(`accepted, but ${violation} (${label})`, () => parameter);
				return true;
			}),
			{ seed: SEED + 7, numRuns: 300 },
		);
		findings.print();
		expect(findings.failures()).toEqual([]);
	});
});

describe('anything at all', () => {
	test('any JSON value, text, or JS value with holes, NaN or undefined as the JSON parameter never makes the check throw; a rejection is clear, an acceptance passes the emulator', () => {
		const findings = new Findings('arbitrary JSON parameters');
		const value = fc.oneof(
			{ weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
			{ weight: 1, arbitrary: fc.sparseArray(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }) },
			{
				weight: 1,
				arbitrary: fc.array(
					fc.dictionary(
						fc.constantFrom(
							'id',
							'type',
							'next_step',
							'number',
							'caller_id',
							'text',
							'url',
							'__proto__',
							'constructor',
							'flow',
						),
						fc.jsonValue({ maxDepth: 2 }),
					),
					{ maxLength: 4 },
				),
			},
			{
				weight: 1,
				arbitrary: fc.constantFrom(
					undefined,
					NaN,
					Infinity,
					-0,
					'',
					' ',
					'\uFEFF[]',
					'null',
					'[null]',
					'{"flow":"[]"}',
				),
			},
			{ weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
		);
		fc.assert(
			fc.property(value, fc.boolean(), (parameter, asText) => {
				findings.cases++;
				const given =
					asText && parameter !== undefined ? (JSON.stringify(parameter) ?? 'null') : parameter;
				const result = attempt(
					findings,
					'',
					() => given,
					() => checkItemFlow('json', given, false),
				);
				if (!result) return true;
				if (result.ok)
					for (const violation of acceptedViolations(result))
						findings.add(
							`accepted, but ${violation}`,
							() => given,
							() => preview(result.flow),
						);
				else
					for (const violation of rejectionViolations(
						result,
						Array.isArray(given) ? given.length : undefined,
					))
						findings.add(
							violation,
							() => given,
							() => longest(result).slice(0, 300),
						);
				return true;
			}),
			{ seed: SEED + 8, numRuns: RUNS },
		);
		findings.print();
		expect(findings.failures()).toEqual([]);
	});
});

test('after every run above, Object.prototype and Array.prototype are untouched (no __proto__ or constructor payload polluted them)', () => {
	expect(Object.getOwnPropertyNames(Object.prototype).sort().join()).toBe(prototypeBefore);
	expect(Object.getOwnPropertyNames(Array.prototype).sort().join()).toBe(arrayPrototypeBefore);
	const probe: Record<string, unknown> = {};
	for (const key of ['polluted', 'type', 'flow', 'number', 'isAdmin'])
		expect(probe[key]).toBeUndefined();
	expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
	console.log(
		'property: prototype pollution check passed after all generated __proto__/constructor payloads',
	);
});
