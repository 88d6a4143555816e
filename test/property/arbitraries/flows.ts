/**
 * Generators of call flows as JSON mode takes them: valid flows (every step type, branching,
 * loops, text and number ids), values that are wrong for a field, and broken flows made from valid
 * ones by mutations, each of which is known to break the flow in a way the node must name; and the
 * forms the JSON parameter takes (a value, JSON text, a whole pasted payload).
 *
 * A broken case applies one to three mutations in turn. Every mutation breaks the flow as it is
 * when the mutation runs, and nothing runs after the last one, so the final flow is broken at
 * least by the last mutation; `expect` checks that the problems name that breakage.
 */
import fc from 'fast-check';

import { isRecord } from '../../../nodes/Samespace/flow/is-record';
import {
	type Gen,
	type Raw,
	TYPES,
	type Type,
	KEYS,
	FIELDS,
	isType,
	canon,
	pick,
	SLUG,
	chance,
	int,
	setOwn,
	deepArray,
	deepObject,
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

// ---------------------------------------------------------------------------------------------
// Valid flows
// ---------------------------------------------------------------------------------------------

/** A step id: text (plain, numeric, unicode, padded) or a number. */
function idCandidate(g: Gen): string | number {
	switch (int(g, 0, 6)) {
		case 0:
			return int(g, 0, 10_000);
		case 1:
			return pick(g, [1.5, 2.25, 1e3, 42]);
		case 2:
			return String(int(g, 0, 500));
		case 3:
			return `${pick(g, WORDS).slice(0, 3)}${g(fc.string, { unit: 'grapheme', maxLength: 8 })}`;
		case 4:
			return ` ${g(SLUG)} `;
		default:
			return g(SLUG);
	}
}

function uniqueIds(g: Gen, count: number): Array<string | number> {
	const seen = new Set<string>();
	const ids: Array<string | number> = [];
	for (let i = 0; i < count; i++) {
		let id = idCandidate(g);
		for (let tries = 0; tries < 5 && (seen.has(canon(id) as string) || canon(id) === ''); tries++)
			id = idCandidate(g);
		if (seen.has(canon(id) as string) || canon(id) === '') id = `step-${i}-${seen.size}`;
		seen.add(canon(id) as string);
		ids.push(id);
	}
	return ids;
}

export interface ValidFlow {
	flow: Raw[];
	/** The id each step is sent with. */
	ids: string[];
}

/** A flow the node and the Samespace document both accept: every step type, branching, loops. */
export function validFlow(g: Gen): ValidFlow {
	const length = chance(g, 5) ? int(g, 13, 40) : int(g, 1, 12);
	const ids = uniqueIds(g, length);
	const types: Type[] = ids.map((_id, index) => (index === 0 ? 'call' : pick(g, TYPES)));
	const ref = () => refTo(g, ids[int(g, 0, length - 1)]);
	const variables: string[] = [];
	const flow = types.map((type, index): Raw => {
		const step: Raw = { id: ids[index], type };
		const plainNext = () => {
			const choice = int(g, 0, 9);
			if (choice < 5 && index + 1 < length) step.next_step = refTo(g, ids[index + 1]);
			else if (choice < 8) step.next_step = ref();
			else if (choice === 8) step.next_step = null;
		};
		switch (type) {
			case 'call':
			case 'connect':
				step.number = validPhone(g);
				step.caller_id = validPhone(g);
				plainNext();
				break;
			case 'play': {
				const mode = int(g, 0, 2);
				if (mode !== 1) step.text = validText(g);
				if (mode !== 0) step.url = validAudioUrl(g);
				plainNext();
				break;
			}
			case 'digits': {
				step.count = int(g, 1, 20);
				step.variable = validVariable(g);
				variables.push((step.variable as string).trim());
				const keys = g(fc.subarray, [...KEYS], { minLength: 1 });
				const routes: Raw = {};
				for (const key of keys) routes[key] = ref();
				step.next_step = routes;
				break;
			}
			case 'http':
				step.url = validHttpUrl(g, variables);
				if (chance(g, 70)) step.method = validMethod(g);
				step.next_step = { success: ref(), fail: ref() };
				break;
		}
		return shuffleKeys(g, step);
	});
	return { flow, ids: ids.map((id) => String(id).trim()) };
}

function shuffleKeys(g: Gen, step: Raw): Raw {
	if (!chance(g, 20)) return step;
	const keys = g(fc.shuffledSubarray, Object.keys(step), { minLength: Object.keys(step).length });
	const shuffled: Raw = {};
	for (const key of keys) shuffled[key] = step[key];
	return shuffled;
}

// ---------------------------------------------------------------------------------------------
// Values that are wrong for a field
// ---------------------------------------------------------------------------------------------

/** A value nested 1000+ deep, as the issue asks (a list of lists, or objects in objects). */
function deepValue(g: Gen): Bad {
	const depth = int(g, 1000, 1500);
	return chance(g, 50)
		? bad(deepArray(depth), `deep list (${depth})`)
		: bad(deepObject(depth, pick(g, ['a', '1', 'flow'])), `deep object (${depth})`);
}

/** Values of the wrong kind for any field: each is wrong for every field of every step type. */
function wrongKind(g: Gen): Bad {
	switch (int(g, 0, 9)) {
		case 0:
			return bad(pick(g, [true, false]), 'boolean');
		case 1:
			return bad({}, 'empty object');
		case 2:
			return bad({ value: '1', nested: { a: [1, 2] } }, 'object');
		case 3:
			return bad([], 'empty list');
		case 4:
			return bad(['1', 2], 'list');
		case 5:
			return bad(
				JSON.parse('{"__proto__": {"polluted": "yes", "type": "call"}}'),
				'__proto__ object',
			);
		case 6:
			return bad(
				JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}'),
				'constructor object',
			);
		case 7:
			return deepValue(g);
		default:
			return bad(JSON.parse('{"toString": 1, "valueOf": 2}'), 'object with toString key');
	}
}

/** A value that is wrong for `field` of a step of `type` (and stays wrong as JSON, unless marked). */
export function badFieldValue(g: Gen, field: string, type: Type): Bad {
	const roll = int(g, 0, 99);
	if (roll < 3) return bad(hugeBadFor(g, field, type), `huge ${field}`);
	if (roll < 30 && field !== 'text') return wrongKind(g);
	switch (field) {
		case 'id':
			return pick(g, [
				bad(null, 'null'),
				bad('', 'empty'),
				bad('   ', 'blank'),
				bad(NaN, 'NaN', false),
				bad(undefined, 'undefined', false),
			]);
		case 'type':
			return pick(g, [
				bad(pick(g, NOT_TYPES), 'unknown type'),
				bad(null, 'null'),
				bad(int(g, -5, 5), 'number'),
				bad(undefined, 'undefined', false),
				bad([pick(g, TYPES)], 'list holding a type'),
			]);
		case 'number':
		case 'caller_id':
			return pick(g, [
				bad(pick(g, NOT_PHONES), 'not a phone'),
				bad(null, 'null'),
				bad(pick(g, [0, 7, -3, 1e20, 1234567890123456]), 'bad number'),
				bad(pick(g, [NaN, Infinity, -Infinity]), 'NaN/Infinity', false),
				bad(undefined, 'undefined', false),
			]);
		case 'text':
			// Wrong even when a url is there: text, when given, must be text (null counts as left out).
			return pick(g, [
				bad(pick(g, [0, 12, -0]), 'number'),
				bad(true, 'boolean'),
				bad({}, 'object'),
				bad(['Hello'], 'list'),
			]);
		case 'url':
			return pick(g, [
				bad(pick(g, NOT_URLS), 'not a url'),
				bad(8080, 'number'),
				...(type === 'http' ? [bad(null, 'null')] : []),
			]);
		case 'method':
			return pick(g, [
				bad(pick(g, NOT_METHODS), 'unknown method'),
				bad(null, 'null'),
				bad(1, 'number'),
			]);
		case 'count':
			return pick(g, [
				bad(pick(g, ['1', '4', 'four', '']), 'text'),
				bad(pick(g, [0, -0, -1, 1.5, 2 ** 53 + 0.5, 0.1]), 'not a positive whole number'),
				bad(null, 'null'),
				bad(pick(g, [NaN, Infinity, -Infinity]), 'NaN/Infinity', false),
			]);
		case 'variable':
			return pick(g, [
				bad(pick(g, NOT_VARIABLES), 'not a name'),
				bad(null, 'null'),
				bad(7, 'number'),
			]);
		case 'next_step':
			if (type === 'digits') {
				return pick(g, [
					bad('2', 'text instead of routes'),
					bad(3, 'number instead of routes'),
					bad(null, 'null'),
					bad({}, 'no routes'),
					bad({ 10: '1' }, 'key 10'),
					bad({ '': '1' }, 'empty key'),
					bad({ x: '1' }, 'key x'),
					bad({ '**': '1' }, 'key **'),
					bad({ ' 1': '1' }, 'padded key'),
					bad({ 1: null }, 'route to null'),
					bad({ 1: {} }, 'route to object'),
					bad({ 1: '' }, 'route to empty'),
					bad({ 1: true }, 'route to boolean'),
					bad(JSON.parse('{"__proto__": "1"}'), 'only a __proto__ route'),
					bad({ 1: NaN }, 'route to NaN', false),
				]);
			}
			if (type === 'http') {
				return pick(g, [
					bad('2', 'text instead of success/fail'),
					bad(null, 'null'),
					bad({ other: '1' }, 'unknown route'),
					bad({ success: null, fail: null }, 'null routes'),
					bad({ success: {}, fail: '1' }, 'object route'),
					bad({ success: '', fail: '' }, 'empty routes'),
					bad({ ok: '1', error: '1' }, 'wrong route names'),
				]);
			}
			return pick(g, [
				bad('', 'empty'),
				bad('   ', 'blank'),
				bad(true, 'boolean'),
				bad({ success: '1' }, 'object'),
				bad(NaN, 'NaN', false),
			]);
		default:
			return wrongKind(g);
	}
}

/** A huge (100k character) value that is wrong for the field. */
function hugeBadFor(g: Gen, field: string, type: Type): unknown {
	switch (field) {
		case 'number':
		case 'caller_id':
			return pick(g, [hugeString(g, '1'), hugeString(g)]);
		case 'url':
			return `https://example.com/${hugeString(g, 'a b ')}`;
		case 'variable':
			return hugeString(g, 'a b');
		case 'type':
			return hugeString(g);
		case 'method':
			return hugeString(g, 'GET');
		case 'count':
			return hugeString(g, '9');
		case 'next_step':
			return type === 'digits' || type === 'http' ? hugeString(g) : { [hugeString(g)]: 1 };
		case 'text':
			return [hugeString(g)];
		default:
			return { [hugeString(g)]: hugeString(g) };
	}
}

// ---------------------------------------------------------------------------------------------
// Broken flows (JSON mode)
// ---------------------------------------------------------------------------------------------

export interface BrokenFlow {
	flow: unknown;
	jsonSafe: boolean;
	/** The mutations applied, last one last. */
	labels: string[];
	expect: Expectation;
}

/** Steps that are objects, with their indexes. */
const recordIndexes = (flow: unknown[]): number[] =>
	flow.flatMap((step, index) => (isRecord(step) ? [index] : []));

function idsOf(flow: unknown[]): Set<string> {
	const ids = new Set<string>();
	for (const step of flow) {
		const id = isRecord(step) ? canon(step.id) : undefined;
		if (id) ids.add(id);
	}
	return ids;
}

function missingId(g: Gen, flow: unknown[], huge = false): string | number {
	const ids = idsOf(flow);
	const candidates: Array<string | number> = huge
		? [hugeString(g)]
		: [
				`missing-${int(g, 0, 99)}`,
				10,
				'10',
				int(g, 100, 100_000),
				'Step 2',
				'🎉',
				` ${int(g, 500, 900)} `,
				'callback',
			];
	for (const candidate of candidates) if (!ids.has(canon(candidate) as string)) return candidate;
	let n = 0;
	while (ids.has(`nowhere-${n}`)) n++;
	return `nowhere-${n}`;
}

type Mutation = (
	g: Gen,
	flow: unknown[],
) => { flow: unknown; label: string; expect: Expectation; jsonSafe?: boolean } | undefined;

/** The field named in a problem of a step, in JSON mode: `step 2 (id "a", call), number: …`. */
const fieldMentioned = (index: number, field: string): Expectation =>
	some(`names step ${index + 1} and field ${field}`, (problem) => {
		if (!problem.startsWith(`step ${index + 1} (`)) return false;
		return problem.includes(`), ${field}:`) || problem.includes(`), ${field}.`);
	});

const MUTATIONS: Array<[weight: number, name: string, mutation: Mutation]> = [
	[
		10,
		'delete required field',
		(g, flow) => {
			const indexes = recordIndexes(flow).filter((index) => isType((flow[index] as Raw).type));
			if (indexes.length === 0) return undefined;
			const index = pick(g, indexes);
			const step = flow[index] as Raw;
			const type = step.type as Type;
			const required: Record<Type, string[]> = {
				call: ['id', 'type', 'number', 'caller_id'],
				connect: ['id', 'type', 'number', 'caller_id'],
				play: ['id', 'type', 'text+url'],
				digits: ['id', 'type', 'count', 'variable', 'next_step'],
				http: ['id', 'type', 'url', 'next_step'],
			};
			const field = pick(g, required[type]);
			if (field === 'text+url') {
				delete step.text;
				delete step.url;
				return {
					flow,
					label: 'delete play text and url',
					expect: all(
						stepMentioned(index),
						some('says a play step needs something to play', (p) =>
							p.includes('needs something to play'),
						),
					),
				};
			}
			delete step[field];
			return {
				flow,
				label: `delete ${type}.${field}`,
				expect: all(
					stepMentioned(index),
					fieldMentioned(index, field),
					some('says the field is missing', (p) => p.includes('is missing')),
				),
			};
		},
	],
	[
		22,
		'wrong value',
		(g, flow) => {
			const indexes = recordIndexes(flow);
			if (indexes.length === 0) return undefined;
			const index = pick(g, indexes);
			const step = flow[index] as Raw;
			const type: Type = isType(step.type) ? step.type : pick(g, TYPES);
			const field = pick(g, FIELDS[type]);
			if (field === 'text' && !isType(step.type)) return undefined;
			const value = badFieldValue(g, field, type);
			step[field] = value.value;
			// A field of a step whose type is broken is not looked at: the type problem stands for it.
			const typeOk = isType(step.type) && step.type === type;
			return {
				flow,
				label: `${field}: ${value.label}`,
				jsonSafe: value.jsonSafe,
				expect:
					typeOk || field === 'type'
						? all(stepMentioned(index), fieldMentioned(index, field))
						: stepMentioned(index),
			};
		},
	],
	[
		10,
		'unknown field',
		(g, flow) => {
			const indexes = recordIndexes(flow);
			if (indexes.length === 0) return undefined;
			const index = pick(g, indexes);
			const step = flow[index] as Raw;
			const known = isType(step.type) ? FIELDS[step.type] : FIELDS.call;
			const candidates = [
				'flow',
				'cloud_sid',
				'publish',
				'nextStep',
				'next',
				'ID',
				'Type',
				'date',
				'timezone',
				'auth_token',
				'constructor',
				'toString',
				'hasOwnProperty',
				'valueOf',
				'__proto__',
				'prototype',
				'🎉',
				' id',
				'',
				...['number', 'caller_id', 'text', 'url', 'count', 'variable', 'method'].filter(
					(f) => !known.includes(f),
				),
			];
			const key = chance(g, 15)
				? g(fc.string, { unit: 'grapheme', minLength: 1, maxLength: 10 })
				: pick(g, candidates);
			if (known.includes(key)) return undefined;
			const value = pick(g, ['1', 1, null, { polluted: 'yes' }, ['x'], true]);
			setOwn(step, key, value);
			const typeOk = isType(step.type);
			return {
				flow,
				label: `unknown field ${['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'prototype', 'flow', 'cloud_sid', 'publish'].includes(key) ? `"${key}"` : '(other)'}`,
				// With several unknown fields, the problem is filed under the first and names them all.
				expect: typeOk
					? all(
							stepMentioned(index),
							some(
								`names the unknown field "${key}"`,
								(p) => namesStep(p, index) && (p.includes(`), ${key}:`) || p.includes(`"${key}"`)),
							),
						)
					: stepMentioned(index),
			};
		},
	],
	[
		10,
		'dangling reference',
		(g, flow) => {
			const indexes = recordIndexes(flow);
			if (indexes.length === 0) return undefined;
			const index = pick(g, indexes);
			const step = flow[index] as Raw;
			const target = missingId(g, flow, chance(g, 3));
			let path = 'next_step';
			if (step.type === 'digits') {
				const key = pick(g, KEYS);
				step.next_step = isRecord(step.next_step)
					? { ...step.next_step, [key]: target }
					: { [key]: target };
				path = `next_step.${key}`;
			} else if (step.type === 'http') {
				const which = pick(g, ['success', 'fail']);
				step.next_step = isRecord(step.next_step)
					? { ...step.next_step, [which]: target }
					: { success: target, fail: target };
				path = `next_step.${which}`;
			} else step.next_step = target;
			return {
				flow,
				label: `dangling ${step.type === 'digits' || step.type === 'http' ? step.type : 'plain'} reference${typeof target === 'string' && target.length > 1000 ? ' (huge)' : ''}`,
				expect: some(
					`says step ${index + 1} ${path} points to a missing step`,
					(p) => namesStep(p, index) && p.includes('which is not in this flow'),
				),
			};
		},
	],
	[
		10,
		'duplicate id',
		(g, flow) => {
			const indexes = recordIndexes(flow).filter((index) => canon((flow[index] as Raw).id));
			if (indexes.length < 2) return undefined;
			const [from, to] = g(fc.shuffledSubarray, indexes, { minLength: 2, maxLength: 2 });
			const id = (flow[from] as Raw).id as string | number;
			const text = String(id).trim();
			const twins: Array<string | number> = [id, ` ${text} `];
			if (typeof id === 'number') twins.push(String(id));
			else if (/^\d+$/.test(text) && String(Number(text)) === text) twins.push(Number(text));
			const twin = pick(g, twins);
			(flow[to] as Raw).id = twin;
			return {
				flow,
				label: `duplicate id (${typeof id === 'number' || typeof twin === 'number' ? (typeof twin === typeof id ? 'same number' : '1 vs "1"') : twin === id ? 'same text' : 'padded text'})`,
				expect: some('says an id is used twice', (p) => p.includes('is already the id of step')),
			};
		},
	],
	[
		6,
		'first step not a call',
		(g, flow) => {
			const movable = recordIndexes(flow).filter(
				(index) =>
					index > 0 && isType((flow[index] as Raw).type) && (flow[index] as Raw).type !== 'call',
			);
			if (movable.length > 0 && chance(g, 70)) {
				const index = pick(g, movable);
				const [step] = flow.splice(index, 1);
				flow.unshift(step);
			} else flow.unshift({ id: missingId(g, flow), type: 'play', text: 'Hello first' });
			return {
				flow,
				label: 'first step not a call',
				expect: some(
					'says the first step must be a call',
					(p) => p.startsWith('step 1 (') && p.includes('the first step must be a call step'),
				),
			};
		},
	],
	[
		7,
		'step is not an object',
		(g, flow) => {
			const index = int(g, 0, flow.length - 1);
			const junk = pick<Bad>(g, [
				bad(null, 'null'),
				bad(int(g, -5, 5), 'number'),
				bad('call', 'text'),
				bad(true, 'boolean'),
				bad([], 'empty list'),
				bad([{ id: 'x', type: 'call' }], 'list of a step'),
				bad(deepArray(int(g, 1000, 1500)), 'deep list'),
				bad(undefined, 'undefined', false),
				bad('hole', 'hole', false),
			]);
			if (junk.label === 'hole') delete flow[index];
			else flow[index] = junk.value;
			return {
				flow,
				label: `step is ${junk.label}${junk.label === 'hole' || junk.label === 'undefined' ? (index === 0 ? ' (first)' : ' (later)') : ''}`,
				jsonSafe: junk.jsonSafe,
				expect: some(
					`says step ${index + 1} must be an object`,
					(p) => namesStep(p, index) && p.includes('each step must be an object'),
				),
			};
		},
	],
	[
		6,
		'not a flow',
		(g) => {
			const junk = pick<Bad>(g, [
				bad([], 'empty list'),
				bad(null, 'null'),
				bad(int(g, -10, 10), 'number'),
				bad(true, 'boolean'),
				bad({}, 'empty object'),
				bad({ steps: [] }, 'object without flow'),
				bad({ flow: null }, 'payload with flow null'),
				bad({ flow: {} }, 'payload with flow object'),
				bad({ flow: [] }, 'payload with empty flow'),
				bad({ flow: 'x' }, 'payload with flow text'),
				bad(
					JSON.parse('{"__proto__": {"flow": [{"id": "1", "type": "call"}]}}'),
					'__proto__ payload',
				),
				bad(deepArray(int(g, 1000, 1500)), 'deep list'),
				bad(deepObject(int(g, 1000, 1500), 'flow'), 'deep flow object'),
				bad(undefined, 'undefined', false),
				bad({ flow: undefined }, 'payload with flow undefined', false),
				bad(NaN, 'NaN', false),
			]);
			return {
				flow: junk.value,
				label: `not a flow: ${junk.label}`,
				jsonSafe: junk.jsonSafe,
				// A deep list is a list whose first step is a list.
				expect: some(
					'names the flow',
					(p) =>
						/^flow[,:]/.test(p) ||
						p.startsWith('The flow JSON') ||
						(junk.label === 'deep list' && p.startsWith('step 1 (')),
				),
			};
		},
	],
];

const TOTAL_WEIGHT = MUTATIONS.reduce((sum, [weight]) => sum + weight, 0);

function applyMutation(
	g: Gen,
	flow: unknown[],
): { flow: unknown; label: string; expect: Expectation; jsonSafe: boolean } {
	for (;;) {
		let roll = int(g, 0, TOTAL_WEIGHT - 1);
		const entry = MUTATIONS.find(([weight]) => (roll -= weight) < 0) as (typeof MUTATIONS)[number];
		const result = entry[2](g, flow);
		if (result) return { ...result, jsonSafe: result.jsonSafe ?? true };
	}
}

/** A valid flow broken by one to three mutations. */
export function brokenFlow(g: Gen): BrokenFlow {
	let flow: unknown = validFlow(g).flow;
	const labels: string[] = [];
	let jsonSafe = true;
	let expect: Expectation = () => undefined;
	const count = pick(g, [1, 1, 1, 2, 3]);
	for (let i = 0; i < count; i++) {
		// "not a flow" replaced the whole thing: nothing left to mutate
		if (!Array.isArray(flow) || labels.some((label) => label.startsWith('not a flow'))) break;
		const result = applyMutation(g, flow);
		flow = result.flow;
		labels.push(result.label);
		jsonSafe &&= result.jsonSafe;
		expect = result.expect;
	}
	return { flow, jsonSafe, labels, expect };
}

/** The forms the JSON parameter takes: the value itself, JSON text, or a whole pasted payload. */
export function present(
	g: Gen,
	flow: unknown,
	jsonSafe: boolean,
): { parameter: unknown; form: string } {
	const roll = int(g, 0, 99);
	const payload = (f: unknown) => ({
		cloud_id: 'someone',
		auth_token: 'pasted',
		record: false,
		flow: f,
	});
	if (roll < 55 || !jsonSafe)
		return roll < 90 || !isArrayLike(flow)
			? { parameter: flow, form: 'value' }
			: { parameter: payload(flow), form: 'payload' };
	if (roll < 85) return { parameter: toJsonText(g, flow), form: 'JSON text' };
	return { parameter: toJsonText(g, payload(flow)), form: 'payload text' };
}

/** JSON text, pretty-printed now and then (never when deeply nested: the indentation would be huge). */
export function toJsonText(g: Gen, value: unknown): string {
	const compact = JSON.stringify(value) ?? 'null';
	if (maxBracketDepth(compact) > 50 || !chance(g, 50)) return compact;
	return JSON.stringify(value, null, pick(g, [2, '\t', 1]));
}

function maxBracketDepth(text: string): number {
	let depth = 0;
	let max = 0;
	for (const char of text) {
		if (char === '[' || char === '{') max = Math.max(max, ++depth);
		else if (char === ']' || char === '}') depth--;
	}
	return max;
}

const isArrayLike = (value: unknown) => Array.isArray(value);
