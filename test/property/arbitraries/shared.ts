/**
 * What the generators of the property tests share: the step types, fields and keys (written out
 * here, not imported), drawing helpers, valid field values (phone numbers, texts, URLs, methods,
 * variables, references to ids), values of the wrong kind, and the expectations a broken case's
 * problems are checked against.
 */
import fc, { type GeneratorValue } from 'fast-check';

import { isRecord } from '../../../nodes/Samespace/flow/is-record';

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
export const SLUG = built(fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/));
const PATH = built(fc.stringMatching(/^[a-z0-9_-]{1,12}$/));
const SEGMENT = built(fc.stringMatching(/^[a-z0-9]{1,10}$/));
const VARIABLE = built(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/));

export const chance = (g: Gen, percent: number): boolean =>
	g(fc.integer, { min: 0, max: 99 }) < percent;
export const int = (g: Gen, min: number, max: number): number => g(fc.integer, { min, max });

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

export const WORDS = [
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

/** A reference to `id`: the id itself, its number/text twin, or padded with spaces. */
export function refTo(g: Gen, id: string | number): string | number {
	if (typeof id === 'number') return chance(g, 50) ? id : String(id);
	const trimmed = id.trim();
	if (/^\d+$/.test(trimmed) && String(Number(trimmed)) === trimmed && chance(g, 40))
		return Number(trimmed);
	return pick(g, [id, trimmed, ` ${trimmed}  `]);
}

// ---------------------------------------------------------------------------------------------
// Values of the wrong kind
// ---------------------------------------------------------------------------------------------

export interface Bad {
	value: unknown;
	/** False when JSON cannot carry the value (NaN, Infinity, undefined): such cases are only given as JS values. */
	jsonSafe: boolean;
	/** Short name for reports. */
	label: string;
}

export const bad = (value: unknown, label: string, jsonSafe = true): Bad => ({
	value,
	label,
	jsonSafe,
});

export function hugeString(g: Gen, base?: string): string {
	const unit = base ?? pick(g, ['x', '🎉', 'ab c', 'é', '\u200b', '1-']);
	return unit.repeat(Math.ceil(HUGE / unit.length)).slice(0, HUGE);
}

export const NOT_PHONES = [
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
export const NOT_URLS = [
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
export const NOT_VARIABLES = ['', '   ', '1abc', 'a b', 'a-b', 'é', '{{x}}', 'x.y', '$x'];
export const NOT_TYPES = [
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
export const NOT_METHODS = ['', 'FETCH', 'GETT', 'get post', 'CONNECT', 'ГЕТ'];

// ---------------------------------------------------------------------------------------------
// What the problems of a broken case must say
// ---------------------------------------------------------------------------------------------

/** What the problems of a broken case must say; returns what is missing, or undefined. */
export type Expectation = (problems: string[]) => string | undefined;

/**
 * Whether `problem` is about step `index` (0-based): `step 4 (id "5", digits), …` in JSON mode,
 * `step 4 (Gather Digits), …` or `step 5, "Type": …` (no type chosen) in the step list.
 */
export const namesStep = (problem: string, index: number): boolean =>
	[' (', ', ', ': '].some((after) => problem.startsWith(`step ${index + 1}${after}`));

export const stepMentioned = (index: number) => (problems: string[]) =>
	problems.some((problem) => namesStep(problem, index))
		? undefined
		: `no problem names step ${index + 1}`;

export const some =
	(what: string, test: (problem: string) => boolean): Expectation =>
	(problems) =>
		problems.some(test) ? undefined : `no problem ${what}`;

export const all =
	(...expectations: Expectation[]): Expectation =>
	(problems) => {
		for (const expectation of expectations) {
			const missing = expectation(problems);
			if (missing) return missing;
		}
		return undefined;
	};
