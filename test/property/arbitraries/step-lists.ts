/**
 * Generators of the editor's step list: valid step lists as n8n hands them over (blank ids and
 * next steps, fields as text), broken ones made from them by one or two mutations (as for flows,
 * the last mutation is the one the problems must name), entries with random values in every
 * field, and step-list parameters of shapes the editor never produces.
 */
import fc from 'fast-check';

import type { StepListEntry } from '../../../nodes/Samespace/flow/step-list';
import {
	type Gen,
	type Raw,
	TYPES,
	type Type,
	KEYS,
	isType,
	pick,
	SLUG,
	chance,
	int,
	deepArray,
	clone,
	WORDS,
	validPhone,
	validText,
	validAudioUrl,
	validHttpUrl,
	validMethod,
	validVariable,
	refTo,
	type Bad,
	bad,
	hugeString,
	NOT_PHONES,
	NOT_URLS,
	NOT_VARIABLES,
	NOT_TYPES,
	NOT_METHODS,
	type Expectation,
	namesStep,
	stepMentioned,
	some,
	all,
} from './shared';

export interface ValidSteps {
	entries: StepListEntry[];
	ids: string[];
}

function stepListId(g: Gen, index: number, used: Set<string>): string | number | undefined {
	const roll = int(g, 0, 9);
	if (roll < 5) return pick(g, [undefined, '', '  ']);
	let id: string | number;
	if (roll < 7) id = g(SLUG);
	else if (roll < 8) id = int(g, 1000, 9999);
	else if (roll < 9)
		id = `${pick(g, WORDS).slice(0, 2)}${g(fc.string, { unit: 'grapheme', maxLength: 6 })}`;
	else id = ` s${index} `;
	return used.has(String(id).trim()) || String(id).trim() === '' ? undefined : id;
}

/** A valid step list, as n8n hands it over: blank ids and next steps, fields as text. */
export function validSteps(g: Gen): ValidSteps {
	const length = int(g, 1, 10);
	const used = new Set<string>();
	const rawIds = Array.from({ length }, (_x, index) => {
		const id = stepListId(g, index, used);
		if (id !== undefined && String(id).trim() !== '') used.add(String(id).trim());
		return id;
	});
	// Explicit ids are never digits-only below 1000, so they cannot meet a position.
	const ids = rawIds.map((id, index) =>
		id === undefined || String(id).trim() === '' ? String(index + 1) : String(id).trim(),
	);
	const ref = () => {
		const target = int(g, 0, length - 1);
		return refTo(
			g,
			rawIds[target] === undefined || String(rawIds[target]).trim() === ''
				? ids[target]
				: (rawIds[target] as string | number),
		);
	};
	const blankOr = <T>(value: () => T): T | string | undefined =>
		chance(g, 50) ? pick(g, [undefined, '']) : value();
	const entries = Array.from({ length }, (_x, index): StepListEntry => {
		const type: Type = index === 0 ? 'call' : pick(g, TYPES);
		const entry: StepListEntry = { type };
		if (rawIds[index] !== undefined) entry.stepId = rawIds[index];
		const last = index === length - 1;
		switch (type) {
			case 'call':
			case 'connect':
				entry.number = validPhone(g);
				entry.callerId = validPhone(g);
				entry.nextStep = blankOr(ref) as string;
				break;
			case 'play': {
				const mode = int(g, 0, 2);
				entry.text = mode !== 1 ? validText(g) : pick(g, ['', undefined as unknown as string]);
				entry.audioUrl =
					mode !== 0 ? validAudioUrl(g) : pick(g, ['', undefined as unknown as string]);
				entry.nextStep = blankOr(ref) as string;
				break;
			}
			case 'digits': {
				entry.count = int(g, 1, 12);
				entry.variable = validVariable(g);
				const keys = g(fc.subarray, [...KEYS]);
				const route = keys.map((key) => ({ key, step: ref() }));
				entry.routes = chance(g, 20) && route.length === 0 ? {} : { route };
				const star = route.find((r) => r.key === '*');
				if (star) entry.anyInput = pick(g, ['', star.step]);
				else if (route.length === 0 && last) entry.anyInput = ref();
				else entry.anyInput = blankOr(ref) as string;
				break;
			}
			case 'http':
				entry.url = validHttpUrl(g, []);
				entry.method = pick(g, ['', validMethod(g)]);
				entry.onSuccess = (last ? ref() : blankOr(ref)) as string;
				entry.onFailure = (last ? ref() : blankOr(ref)) as string;
				break;
		}
		for (const key of Object.keys(entry) as Array<keyof StepListEntry>)
			if (entry[key] === undefined) delete entry[key];
		return entry;
	});
	return { entries, ids };
}

export interface BrokenSteps {
	entries: StepListEntry[];
	labels: string[];
	expect: Expectation;
	/** False when n8n's parameter defaults would fill what the mutation took away. */
	engineSafe: boolean;
	jsonSafe: boolean;
}

/** How the step list names a field, as a problem may quote it. */
const LABELS: Record<string, string[]> = {
	stepId: ['"Step ID"'],
	type: ['"Type"'],
	number: ['"Phone Number"', '"Connect To"'],
	callerId: ['"Caller ID"'],
	text: ['"Text to Speak"', '"Audio URL"'],
	audioUrl: ['"Audio URL"', '"Text to Speak"'],
	count: ['"Digits to Gather"'],
	variable: ['"Save Digits As"'],
	url: ['"URL"'],
	method: ['"Method"'],
	nextStep: ['"Next Step"'],
	onSuccess: ['"On Success Go To"'],
	onFailure: ['"On Failure Go To"'],
	anyInput: ['"Any Other Input Goes To"', '"Routes"', 'the route for key "*"'],
	routes: ['"Routes"', 'the route for key', '"Any Other Input Goes To"'],
};

const STEP_LIST_FIELDS: Record<Type, Array<keyof StepListEntry>> = {
	call: ['number', 'callerId', 'nextStep'],
	connect: ['number', 'callerId', 'nextStep'],
	play: ['text', 'audioUrl', 'nextStep'],
	digits: ['count', 'variable', 'anyInput'],
	http: ['url', 'method', 'onSuccess', 'onFailure'],
};

const labelMentioned = (index: number, field: string): Expectation =>
	some(
		`names step ${index + 1} and ${LABELS[field]?.[0] ?? field}`,
		(p) => namesStep(p, index) && (LABELS[field] ?? [field]).some((label) => p.includes(label)),
	);

/** A value wrong for a step-list field (the builder turns blank into defaults, so those are left out). */
function badStepListValue(g: Gen, field: keyof StepListEntry): Bad {
	const kinds = (): Bad =>
		pick(g, [
			bad({}, 'empty object'),
			bad({ a: 1 }, 'object'),
			bad(true, 'boolean'),
			bad(['x', 'y'], 'list'),
			bad(deepArray(int(g, 1000, 1500)), 'deep list'),
		]);
	if (chance(g, 3) && field !== 'text') {
		// (a huge text to speak is fine, so text gets no huge value)
		const huge =
			field === 'count'
				? hugeString(g, '9')
				: hugeString(g, field === 'url' || field === 'audioUrl' ? 'a b' : 'x y');
		return bad(huge, `huge ${field}`);
	}
	switch (field) {
		case 'number':
		case 'callerId':
			return chance(g, 70)
				? pick(g, [
						bad(pick(g, NOT_PHONES), 'not a phone'),
						bad(null, 'null'),
						bad(pick(g, [0, 7, -3, 1e20]), 'bad number'),
					])
				: kinds();
		case 'text':
			return chance(g, 40) ? pick(g, [bad(12, 'number'), bad(-0, 'number -0')]) : kinds();
		case 'audioUrl':
			return chance(g, 60)
				? pick(g, [
						bad(12, 'number'),
						bad(
							pick(
								g,
								NOT_URLS.filter((u) => u.trim() !== ''),
							),
							'not a url',
						),
					])
				: kinds();
		case 'count':
			return chance(g, 70)
				? pick(g, [
						bad(pick(g, ['1', 'four', '']), 'text'),
						bad(pick(g, [0, -1, 1.5]), 'not a positive whole number'),
						bad(null, 'null'),
						bad(NaN, 'NaN', false),
					])
				: kinds();
		case 'variable':
			return chance(g, 70)
				? pick(g, [bad(pick(g, NOT_VARIABLES), 'not a name'), bad(7, 'number')])
				: kinds();
		case 'url':
			return chance(g, 70)
				? pick(g, [bad(pick(g, NOT_URLS), 'not a url'), bad(8080, 'number')])
				: kinds();
		case 'method':
			return chance(g, 70)
				? bad(
						pick(
							g,
							NOT_METHODS.filter((m) => m !== ''),
						),
						'unknown method',
					)
				: pick(g, [bad({}, 'empty object'), bad(true, 'boolean'), bad(['GET'], 'list')]);
		default:
			// next steps: a value that is not blank and not an id
			return pick(g, [
				bad({}, 'empty object'),
				bad({ a: 1 }, 'object'),
				bad(true, 'boolean'),
				bad(['x'], 'list'),
				bad(NaN, 'NaN', false),
			]);
	}
}

const STEP_MUTATIONS: Array<
	[
		weight: number,
		mutation: (
			g: Gen,
			entries: StepListEntry[],
			ids: string[],
		) => (Omit<BrokenSteps, 'entries' | 'labels'> & { label: string }) | undefined,
	]
> = [
	[
		8,
		(g, entries) => {
			const index = int(g, 0, entries.length - 1);
			const value = pick<Bad>(g, [
				bad(undefined, 'missing'),
				bad('', 'empty'),
				bad(
					pick(
						g,
						NOT_TYPES.filter((t) => t !== ''),
					),
					'unknown',
				),
				bad(5, 'number'),
				bad(null, 'null'),
				bad({}, 'object'),
				bad(['call'], 'list'),
			]);
			if (value.value === undefined) delete entries[index].type;
			else entries[index].type = value.value as string;
			return {
				label: `type ${value.label}`,
				expect: all(stepMentioned(index), labelMentioned(index, 'type')),
				engineSafe: value.value !== undefined,
				jsonSafe: true,
			};
		},
	],
	[
		25,
		(g, entries) => {
			const index = int(g, 0, entries.length - 1);
			const entry = entries[index];
			if (!isType(entry.type)) return undefined;
			const field = pick(g, STEP_LIST_FIELDS[entry.type]);
			const value = badStepListValue(g, field);
			(entry as Raw)[field] = value.value;
			// text and audio URL: the other must be blank, or a good one would make up for it.
			if (field === 'text') entry.audioUrl = '';
			if (field === 'audioUrl') entry.text = '';
			if (field === 'anyInput' && entry.routes?.route)
				entry.routes.route = entry.routes.route.filter((r) => r.key !== '*');
			return {
				label: `${field}: ${value.label}`,
				expect: all(stepMentioned(index), labelMentioned(index, field)),
				engineSafe: value.value !== undefined,
				jsonSafe: value.jsonSafe,
			};
		},
	],
	[
		6,
		(g, entries) => {
			const index = int(g, 0, entries.length - 1);
			const value = pick<Bad>(g, [
				bad({}, 'empty object'),
				bad({ id: 'a' }, 'object'),
				bad(['a', 'b'], 'list'),
				bad(['solo'], 'list of one'),
			]);
			entries[index].stepId = value.value as string;
			return {
				label: `stepId: ${value.label}`,
				expect: stepMentioned(index),
				engineSafe: true,
				jsonSafe: true,
			};
		},
	],
	[
		12,
		(g, entries, ids) => {
			const digits = entries.flatMap((entry, index) => (entry.type === 'digits' ? [index] : []));
			if (digits.length === 0) return undefined;
			const index = pick(g, digits);
			const entry = entries[index];
			const route = entry.routes?.route ? [...entry.routes.route] : [];
			const existing = ids[int(g, 0, ids.length - 1)];
			// Keys "*" may also take from Any Other Input Goes To: leave it out.
			const free = KEYS.filter((key) => key !== '*' && !route.some((r) => String(r.key) === key));
			if (free.length === 0) return undefined;
			const key = pick(g, free);
			const junk = pick<{
				label: string;
				add: Array<{ key?: unknown; step?: unknown }>;
				expect?: Expectation;
			}>(g, [
				{ label: 'route without key', add: [{ key: '', step: existing }] },
				{ label: 'route without step', add: [{ key, step: '' }] },
				{ label: 'route with null key', add: [{ key: null, step: existing }] },
				{
					label: 'two routes for a key',
					add: [
						{ key, step: existing },
						{ key, step: existing },
					],
				},
				{ label: 'key 10', add: [{ key: '10', step: existing }] },
				{ label: 'key x', add: [{ key: 'x', step: existing }] },
				{ label: 'key 10 as number', add: [{ key: 10, step: existing }] },
				{ label: 'key object', add: [{ key: {}, step: existing }] },
				{ label: 'key __proto__', add: [{ key: '__proto__', step: existing }] },
				{ label: 'key constructor', add: [{ key: 'constructor', step: existing }] },
				{ label: 'route to object', add: [{ key, step: {} }] },
				{ label: 'route to boolean', add: [{ key, step: true }] },
				{
					label: 'route to missing step',
					add: [{ key, step: `nowhere-${int(g, 0, 9)}` }],
					expect: some('says the route points to a missing step', (p) =>
						p.includes('which is not in this flow'),
					),
				},
			]);
			entry.routes = { route: [...route, ...junk.add] as never };
			const isKeyJunk = /^key (10|x|object|__proto__|constructor)/.test(junk.label);
			return {
				label: junk.label,
				expect: all(
					stepMentioned(index),
					labelMentioned(index, 'routes'),
					junk.expect ??
						(isKeyJunk
							? some('says the key cannot be routed on', (p) =>
									p.includes('is not a key you can route on'),
								)
							: () => undefined),
				),
				engineSafe: true,
				jsonSafe: true,
			};
		},
	],
	[
		4,
		(g, entries, ids) => {
			// "*" route and "Any Other Input Goes To" leading to different steps.
			const digits = entries.flatMap((entry, index) => (entry.type === 'digits' ? [index] : []));
			if (digits.length === 0 || ids.length < 2) return undefined;
			const index = pick(g, digits);
			const entry = entries[index];
			entry.routes = {
				route: [
					...(entry.routes?.route ?? []).filter((r) => r.key !== '*'),
					{ key: '*', step: ids[0] },
				],
			};
			entry.anyInput = ids[1];
			return {
				label: 'conflicting "*" and any input',
				expect: all(
					stepMentioned(index),
					some('names the conflict', (p) => p.includes('"*"')),
				),
				engineSafe: true,
				jsonSafe: true,
			};
		},
	],
	[
		10,
		(g, entries) => {
			const index = int(g, 0, entries.length - 1);
			const entry = entries[index];
			if (!isType(entry.type)) return undefined;
			const field = pick(
				g,
				(
					{
						call: ['nextStep'],
						connect: ['nextStep'],
						play: ['nextStep'],
						digits: ['anyInput'],
						http: ['onSuccess', 'onFailure'],
					} as const
				)[entry.type],
			);
			(entry as Raw)[field] = pick(g, ['nowhere', 'Step 2', 'missing-🎉', 9999999]);
			if (field === 'anyInput' && entry.routes?.route)
				entry.routes.route = entry.routes.route.filter((r) => r.key !== '*');
			return {
				label: `dangling ${field}`,
				expect: some(
					`says step ${index + 1} points to a missing step`,
					(p) => namesStep(p, index) && p.includes('which is not in this flow'),
				),
				engineSafe: true,
				jsonSafe: true,
			};
		},
	],
	[
		10,
		(g, entries, ids) => {
			if (entries.length < 2) return undefined;
			const [from, to] = g(
				fc.shuffledSubarray,
				entries.map((_e, i) => i),
				{ minLength: 2, maxLength: 2 },
			);
			// An id that is not text (an earlier mutation) has no text twin to duplicate.
			const source = entries[from].stepId;
			if (typeof source === 'object' && source !== null) return undefined;
			const id = ids[from];
			const twins: Array<string | number> = [id, ` ${id} `];
			if (/^\d+$/.test(id) && String(Number(id)) === id) twins.push(Number(id));
			entries[to].stepId = pick(g, twins);
			return {
				label: 'duplicate step id',
				expect: some('says an id is used twice', (p) => p.includes('is already the id of step')),
				engineSafe: true,
				jsonSafe: true,
			};
		},
	],
	[
		5,
		(g, entries) => {
			const movable = entries.flatMap((entry, index) =>
				index > 0 && isType(entry.type) && entry.type !== 'call' ? [index] : [],
			);
			if (movable.length === 0) entries.unshift({ type: 'play', text: 'Hello first' });
			else entries.unshift(...entries.splice(pick(g, movable), 1));
			return {
				label: 'first step not a call',
				expect: some(
					'says the first step must be a call',
					(p) => p.startsWith('step 1 (') && p.includes('the first step must be a call step'),
				),
				engineSafe: true,
				jsonSafe: true,
			};
		},
	],
];

const STEP_TOTAL = STEP_MUTATIONS.reduce((sum, [weight]) => sum + weight, 0);

/** A valid step list broken by one or two mutations. */
export function brokenSteps(g: Gen): BrokenSteps {
	const valid = validSteps(g);
	const entries = clone(valid.entries);
	if (chance(g, 3))
		return {
			entries: [],
			labels: ['empty step list'],
			expect: some('says the list is empty', (p) => p.startsWith('The step list is empty')),
			engineSafe: false,
			jsonSafe: true,
		};
	const labels: string[] = [];
	let expect: Expectation = () => undefined;
	let engineSafe = true;
	let jsonSafe = true;
	for (let i = 0, n = pick(g, [1, 1, 2]); i < n; i++) {
		// ids as the builder computes them now
		const ids = entries.map((entry, index) =>
			entry.stepId === undefined || entry.stepId === null || String(entry.stepId).trim() === ''
				? String(index + 1)
				: String(entry.stepId).trim(),
		);
		for (;;) {
			let roll = int(g, 0, STEP_TOTAL - 1);
			const [, mutation] = STEP_MUTATIONS.find(
				([weight]) => (roll -= weight) < 0,
			) as (typeof STEP_MUTATIONS)[number];
			const result = mutation(g, entries, ids);
			if (!result) continue;
			labels.push(result.label);
			expect = result.expect;
			engineSafe &&= result.engineSafe;
			jsonSafe &&= result.jsonSafe;
			break;
		}
	}
	return { entries, labels, expect, engineSafe, jsonSafe };
}

/** Any value at all for a step-list field, including the odd ones expressions can give. */
export const anyFieldValue: fc.Arbitrary<unknown> = fc.oneof(
	{ weight: 20, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
	{ weight: 8, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
	{
		weight: 5,
		arbitrary: fc.constantFrom(
			undefined,
			null,
			NaN,
			Infinity,
			-0,
			'',
			'  ',
			'call',
			'__proto__',
			'constructor',
			'*',
			'1',
			1,
			10,
		),
	},
	// Rare, or it would hide everything else: String() of it throws.
	{
		weight: 1,
		arbitrary: fc
			.constant(null)
			.map(() => JSON.parse('{"__proto__": {"polluted": "yes"}, "toString": 1}')),
	},
);

/** Step-list entries with random values in every field. */
export const randomEntries: fc.Arbitrary<StepListEntry[]> = fc.array(
	fc
		.record(
			{
				type: fc.oneof(
					{ weight: 4, arbitrary: fc.constantFrom(...TYPES) },
					{ weight: 1, arbitrary: anyFieldValue },
				),
				stepId: anyFieldValue,
				number: anyFieldValue,
				callerId: anyFieldValue,
				text: anyFieldValue,
				audioUrl: anyFieldValue,
				count: anyFieldValue,
				variable: anyFieldValue,
				routes: fc.oneof(
					fc.record({
						route: fc.array(
							fc.record({ key: anyFieldValue, step: anyFieldValue }, { requiredKeys: [] }),
							{ maxLength: 4 },
						),
					}),
					fc.constantFrom(undefined, {}, null),
				),
				anyInput: anyFieldValue,
				url: anyFieldValue,
				method: anyFieldValue,
				onSuccess: anyFieldValue,
				onFailure: anyFieldValue,
				nextStep: anyFieldValue,
			},
			{ requiredKeys: [] },
		)
		.map((entry) => entry as StepListEntry),
	{ minLength: 1, maxLength: 6 },
);

/**
 * Step-list parameters of shapes n8n's editor never produces (a workflow file edited by hand, or
 * another tool): entries that are not objects, route collections that are not lists.
 */
export const oddStepParameter: fc.Arbitrary<{ parameter: unknown; label: string }> = fc.oneof(
	fc
		.constantFrom(null, 5, 'call', [], {}, { step: [] })
		.map((parameter) => ({ parameter, label: `step list is ${JSON.stringify(parameter)}` })),
	fc.tuple(fc.constantFrom<unknown>(null, 5, 'call', [], true), fc.nat(2)).map(([junk, at]) => {
		const entries: unknown[] = [
			{ type: 'call', number: '14155550123', callerId: '14155550100' },
			{ type: 'play', text: 'Hi' },
		];
		entries.splice(at, 0, junk);
		return { parameter: entries, label: `entry is ${JSON.stringify(junk)}` };
	}),
	fc
		.constantFrom<unknown>({}, 5, 'ab', null, [null], [5], ['1'], { route: {} }, true)
		.map((route) => ({
			parameter: [
				{ type: 'call', number: '14155550123', callerId: '14155550100' },
				{ type: 'digits', count: 1, variable: 'v', routes: { route } },
			],
			label: `routes.route is ${JSON.stringify(route)}`,
		})),
);
