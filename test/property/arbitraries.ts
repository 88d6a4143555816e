/**
 * Generators for the property tests: valid call flows and step lists, and broken ones made from
 * them by mutations, each of which is known to break the flow in a way the node must name.
 * Shared by the unit-level (flow-input) and the engine-level (engine-input) property tests.
 *
 * A broken case applies one to three mutations in turn. Every mutation breaks the flow as it is
 * when the mutation runs, and nothing runs after the last one, so the final flow is broken at
 * least by the last mutation; `expect` checks that the problems name that breakage.
 */
import fc, { type GeneratorValue } from 'fast-check';

import { isRecord } from '../../nodes/Samespace/flow/is-record';
import type { StepListEntry } from '../../nodes/Samespace/flow/step-list';

export type Gen = GeneratorValue;
export type Raw = Record<string, unknown>;

// Written out here rather than imported, so that the generators do not share a mistake with the
// schema they test.
export const TYPES = ['call', 'play', 'digits', 'http', 'connect'] as const;
export type Type = (typeof TYPES)[number];
export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'] as const;
export const FIELDS: Record<Type, readonly string[]> = {
	call: ['id', 'type', 'number', 'caller_id', 'next_step'],
	play: ['id', 'type', 'text', 'url', 'next_step'],
	digits: ['id', 'type', 'count', 'variable', 'next_step'],
	http: ['id', 'type', 'url', 'method', 'next_step'],
	connect: ['id', 'type', 'number', 'caller_id', 'next_step'],
};

/** Length of the "huge" strings the issue asks for. */
export const HUGE = 100_000;

export const isType = (value: unknown): value is Type =>
	typeof value === 'string' && (TYPES as readonly string[]).includes(value);
/** An id as the node compares ids: text or a number, as trimmed text. */
export const canon = (value: unknown): string | undefined =>
	typeof value === 'string' || typeof value === 'number' ? String(value).trim() : undefined;

export function pick<T>(g: Gen, values: readonly T[]): T {
	return values[g(fc.integer, { min: 0, max: values.length - 1 })];
}
/**
 * Arbitraries drawn inside `fc.gen()` are built once and passed as functions: drawing
 * `fc.stringMatching` with a regex argument would reuse the first regex's arbitrary for every
 * regex (fast-check caches by arguments, and a RegExp has no own properties to tell them apart).
 */
const built =
	<T>(arbitrary: fc.Arbitrary<T>) =>
	() =>
		arbitrary;
const PHONE_DIGITS = built(fc.stringMatching(/^[1-9][0-9]{1,14}$/));
const SLUG = built(fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/));
const PATH = built(fc.stringMatching(/^[a-z0-9_-]{1,12}$/));
const SEGMENT = built(fc.stringMatching(/^[a-z0-9]{1,10}$/));
const VARIABLE = built(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/));

const chance = (g: Gen, percent: number): boolean => g(fc.integer, { min: 0, max: 99 }) < percent;
const int = (g: Gen, min: number, max: number): number => g(fc.integer, { min, max });

/** An own, enumerable property even for `__proto__`, as `JSON.parse` makes it. */
export function setOwn(target: Raw, key: string, value: unknown): void {
	Object.defineProperty(target, key, {
		value,
		enumerable: true,
		writable: true,
		configurable: true,
	});
}

export function deepArray(depth: number, leaf: unknown = 1): unknown {
	let value: unknown = leaf;
	for (let i = 0; i < depth; i++) value = [value];
	return value;
}

export function deepObject(depth: number, key = 'a', leaf: unknown = 1): unknown {
	let value: unknown = leaf;
	for (let i = 0; i < depth; i++) value = { [key]: value };
	return value;
}

/** Deep copy that keeps holes, undefined, NaN, -0 and own `__proto__` keys (structuredClone drops none of them either, but is slow on deep values). */
export function clone<T>(value: T): T {
	if (Array.isArray(value)) {
		const copy = new Array(value.length);
		for (let i = 0; i < value.length; i++) if (i in value) copy[i] = clone(value[i]);
		return copy as T;
	}
	if (isRecord(value)) {
		const copy: Raw = {};
		for (const key of Object.keys(value)) setOwn(copy, key, clone(value[key]));
		return copy as T;
	}
	return value;
}

// ---------------------------------------------------------------------------------------------
// Valid values
// ---------------------------------------------------------------------------------------------

const WORDS = [
	'Hello',
	'Press 1 for sales',
	'Привет',
	'こんにちは',
	'🎉 Welcome',
	'Ça va',
	'مرحبا',
	'a',
];

function phoneDigits(g: Gen): string {
	return g(PHONE_DIGITS);
}

/** A phone number the node accepts: 2-15 digits, as text with formatting, or as a number. */
export function validPhone(g: Gen): string | number {
	const digits = phoneDigits(g);
	switch (int(g, 0, 4)) {
		case 0:
			return digits;
		case 1:
			return Number(digits);
		case 2:
			return `+${digits}`;
		default: {
			const pieces: string[] = [];
			for (let at = 0; at < digits.length; ) {
				const size = int(g, 1, 4);
				pieces.push(digits.slice(at, at + size));
				at += size;
			}
			if (pieces.length > 1 && chance(g, 50)) pieces[1] = `(${pieces[1]})`;
			const separator = pick(g, [' ', '-', '.', ' - ', '  ']);
			return `${chance(g, 40) ? '+' : ''}${pieces.join(separator)}${chance(g, 20) ? ' ' : ''}`;
		}
	}
}

export function validText(g: Gen): string {
	if (chance(g, 1)) return `${pick(g, WORDS)} ${'lorem ipsum '.repeat(HUGE / 12)}`; // huge, and valid
	return `${pick(g, WORDS)}${g(fc.string, { unit: 'grapheme', maxLength: 30 })}`;
}

export function validAudioUrl(g: Gen): string {
	const host = pick(g, [
		'example.com',
		'cdn.acme.io',
		'media.example.com:8443',
		'192.168.0.10',
		'xn--bcher-kva.example',
	]);
	const path = g(PATH);
	return `${pick(g, ['https', 'http'])}://${host}/${chance(g, 20) ? 'ä/' : ''}${path}.mp3`;
}

export function validHttpUrl(g: Gen, variables: string[]): string {
	const base = `${pick(g, ['https', 'http'])}://${pick(g, ['api.example.com', 'crm.acme.io/v2', 'localhost:3000'])}`;
	const segment = g(SEGMENT);
	const variable = variables.length > 0 && chance(g, 60) ? pick(g, variables) : undefined;
	return variable
		? `${base}/${segment}/{{${chance(g, 30) ? ' ' : ''}${variable}}}?x=1`
		: `${base}/${segment}`;
}

export function validMethod(g: Gen): string {
	const method = pick(g, METHODS);
	const cased = pick(g, [method, method.toLowerCase(), method[0] + method.slice(1).toLowerCase()]);
	return chance(g, 10) ? ` ${cased} ` : cased;
}

export const validVariable = (g: Gen): string => g(VARIABLE);

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

/** A reference to `id`: the id itself, its number/text twin, or padded with spaces. */
function refTo(g: Gen, id: string | number): string | number {
	if (typeof id === 'number') return chance(g, 50) ? id : String(id);
	const trimmed = id.trim();
	if (/^\d+$/.test(trimmed) && String(Number(trimmed)) === trimmed && chance(g, 40))
		return Number(trimmed);
	return pick(g, [id, trimmed, ` ${trimmed}  `]);
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
// Broken values
// ---------------------------------------------------------------------------------------------

export interface Bad {
	value: unknown;
	/** False when JSON cannot carry the value (NaN, Infinity, undefined): such cases are only given as JS values. */
	jsonSafe: boolean;
	/** Short name for reports. */
	label: string;
}

const bad = (value: unknown, label: string, jsonSafe = true): Bad => ({ value, label, jsonSafe });

export function hugeString(g: Gen, base?: string): string {
	const unit = base ?? pick(g, ['x', '🎉', 'ab c', 'é', '\u200b', '1-']);
	return unit.repeat(Math.ceil(HUGE / unit.length)).slice(0, HUGE);
}

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

const NOT_PHONES = [
	'',
	'   ',
	'call me maybe',
	'+',
	'1',
	'+1 (XXX) XXX-XXXX',
	'XXXXXXXXXX',
	'1234567890123456',
	'12345678901234567890',
	'١٢٣٤٥',
	'１２３４',
	'12/34',
	'+-',
	'null',
	'0x1F',
];
const NOT_URLS = [
	'',
	'  ',
	'example.com/a.mp3',
	'ftp://example.com/a.mp3',
	'https://',
	'https://exa mple.com/a',
	'javascript:alert(1)',
	'file:///etc/passwd',
	'/relative/path.mp3',
	'https://{{x}} y',
	'mailto:a@b.c',
	'“https://example.com”',
];
const NOT_VARIABLES = ['', '   ', '1abc', 'a b', 'a-b', 'é', '{{x}}', 'x.y', '$x'];
const NOT_TYPES = [
	'',
	'Call',
	'CALL',
	'callback',
	'sms',
	'play ',
	'dial',
	'constructor',
	'toString',
	'__proto__',
	'hasOwnProperty',
	'valueOf',
	'🎉',
];
const NOT_METHODS = ['', 'FETCH', 'GETT', 'get post', 'CONNECT', 'ГЕТ'];

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

/** What the problems of a broken case must say; returns what is missing, or undefined. */
export type Expectation = (problems: string[]) => string | undefined;

export interface BrokenFlow {
	flow: unknown;
	jsonSafe: boolean;
	/** The mutations applied, last one last. */
	labels: string[];
	expect: Expectation;
}

const stepMentioned = (index: number) => (problems: string[]) =>
	problems.some((problem) => problem.startsWith(`step ${index + 1} (`))
		? undefined
		: `no problem names step ${index + 1}`;

const some =
	(what: string, test: (problem: string) => boolean): Expectation =>
	(problems) =>
		problems.some(test) ? undefined : `no problem ${what}`;

const all =
	(...expectations: Expectation[]): Expectation =>
	(problems) => {
		for (const expectation of expectations) {
			const missing = expectation(problems);
			if (missing) return missing;
		}
		return undefined;
	};

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
								(p) =>
									p.startsWith(`step ${index + 1} (`) &&
									(p.includes(`), ${key}:`) || p.includes(`"${key}"`)),
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
					(p) => p.startsWith(`step ${index + 1} (`) && p.includes('which is not in this flow'),
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
					(p) => p.startsWith(`step ${index + 1} (`) && p.includes('each step must be an object'),
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

// ---------------------------------------------------------------------------------------------
// Broken JSON text
// ---------------------------------------------------------------------------------------------

export interface BrokenText {
	text: string;
	corruption: string;
}

const JUNK_INSERTS = [
	',',
	'{',
	'}',
	'[',
	']',
	':',
	'"',
	"'",
	'\\',
	'x',
	'\u0000',
	'\u0007',
	'“',
	'”',
	'‘',
	'’',
	'«',
	'»',
	'″',
	'NaN',
	'nil',
	'…',
	'\uFEFF',
	'\t"',
	',,',
	'}}',
];

/** A valid flow's JSON text, corrupted; never valid JSON (a corruption that left it valid is followed by a cut). */
export function brokenJsonText(g: Gen): BrokenText {
	const broken = corruptJsonText(g);
	return isValidJson(broken.text)
		? { text: broken.text.slice(0, -1), corruption: `${broken.corruption}, then cut short` }
		: broken;
}

function corruptJsonText(g: Gen): BrokenText {
	const { flow } = validFlow(g);
	const pretty = chance(g, 60);
	const base = JSON.stringify(
		chance(g, 20) ? { cloud_id: 'c', auth_token: 't', record: true, flow } : flow,
		null,
		pretty ? 2 : 0,
	);
	const at = (max = base.length) => int(g, 0, max);
	switch (int(g, 0, 9)) {
		case 0: {
			const cut = at(base.length - 1);
			return { text: base.slice(0, cut), corruption: 'truncated' };
		}
		case 1: {
			const p = at();
			return {
				text: base.slice(0, p) + pick(g, JUNK_INSERTS) + base.slice(p),
				corruption: 'junk inserted',
			};
		}
		case 2: {
			const p = at(base.length - 1);
			return { text: base.slice(0, p) + base.slice(p + 1), corruption: 'character deleted' };
		}
		case 3: {
			// Typographic quotes, as text copied from the Samespace document has.
			let open = true;
			const text = base.replace(/"/g, () =>
				chance(g, 70) ? ((open = !open), open ? '”' : '“') : '"',
			);
			return { text, corruption: 'typographic quotes' };
		}
		case 4: {
			const comment = pick(g, ['# the first step', '// the first step', '#comment', '/* note */']);
			const p = base.indexOf('\n') >= 0 ? base.indexOf('\n') + 1 : 1;
			return { text: `${base.slice(0, p)}${comment}\n${base.slice(p)}`, corruption: 'comment' };
		}
		case 5:
			return {
				text: base.replace(/([}\]])(\s*)$/, ',$1$2').replace(/"(\s*)}/, '",$1}'),
				corruption: 'trailing comma',
			};
		case 6:
			return { text: base.replace(/"/g, "'"), corruption: 'single quotes' };
		case 7:
			return {
				text: pick(g, ['flow = ', 'const flow = ', '```json\n', 'payload: ']) + base,
				corruption: 'prefix',
			};
		case 8:
			return { text: base + pick(g, [']', '}', ';', ' x', '\n```', ',']), corruption: 'suffix' };
		default: {
			// Random edits, several of them.
			let text = base;
			for (let i = 0, n = int(g, 1, 5); i < n; i++) {
				const p = int(g, 0, text.length);
				text = chance(g, 50)
					? text.slice(0, p) +
						g(fc.string, { unit: 'binary', minLength: 1, maxLength: 3 }) +
						text.slice(p)
					: text.slice(0, p) + text.slice(p + int(g, 1, 5));
			}
			return { text, corruption: 'random edits' };
		}
	}
}

export function isValidJson(text: string): boolean {
	try {
		JSON.parse(text.replace(/^\uFEFF/, ''));
		return true;
	} catch {
		return false;
	}
}

// ---------------------------------------------------------------------------------------------
// Step list
// ---------------------------------------------------------------------------------------------

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
		(p) =>
			p.startsWith(`step ${index + 1} (`) &&
			(LABELS[field] ?? [field]).some((label) => p.includes(label)),
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
					(p) => p.startsWith(`step ${index + 1} (`) && p.includes('which is not in this flow'),
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
