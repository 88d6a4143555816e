/**
 * Keeping the auth token out of everything the node shows: output items, errors, hints, logs.
 *
 * The token can reach a message in more shapes than the one saved in the credential: the API may
 * echo it JSON-escaped, URL-encoded or HTML-escaped; a user may have pasted it with a trailing
 * newline; and the node itself trims and collapses whitespace when it quotes an answer. Every one
 * of those shapes is masked. Text from outside (an answer's body, a Location header) is scrubbed
 * as soon as it is read, before the node cuts or reshapes it, so no part of the token survives a
 * truncation either; everything the node outputs is scrubbed again on the way out.
 */

export const MASK = '********';

/**
 * Fewest characters (whitespace not counted) of a token the node accepts. Anything
 * shorter is refused before any request: masking it would also mask ordinary words and numbers in
 * answers, and a token that short is not a real Samespace token anyway.
 */
export const MIN_TOKEN_LENGTH = 8;

export type Redact = <T>(value: T) => T;

const MAX_SCRUB_DEPTH = 64;

const collapse = (text: string) => text.replace(/\s+/g, ' ');
const jsonEscaped = (text: string) => JSON.stringify(text).slice(1, -1);
/** JSON as PHP, Python and Java serializers write it: `/` and non-ASCII characters escaped. */
const asciiJsonEscaped = (text: string) =>
	jsonEscaped(text)
		.replace(/\//g, '\\/')
		.replace(
			/[\u007f-\uffff]/g,
			(char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
		);
const htmlEscaped = (text: string) =>
	text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
/** URL-encoded; a text with a lone surrogate cannot be, so it has no such shape. */
const urlEncoded = (text: string) => {
	try {
		return encodeURIComponent(text);
	} catch {
		return text;
	}
};
const formEncoded = (text: string) => urlEncoded(text).replace(/%20/g, '+');

/** The token's shapes that can be shown: as saved, trimmed, whitespace collapsed, and encoded. */
export function tokenForms(secret: string): string[] {
	const plain = new Set([
		secret,
		secret.trim(),
		collapse(secret),
		collapse(secret).trim(),
		collapse(secret.trim()),
	]);
	const forms = new Set<string>();
	for (const form of plain) {
		for (const shape of [
			form,
			jsonEscaped(form),
			jsonEscaped(jsonEscaped(form)), // JSON text quoted inside another JSON string
			asciiJsonEscaped(form),
			htmlEscaped(form),
			urlEncoded(form),
			formEncoded(form),
		])
			forms.add(shape);
	}
	// Longest first, so that a longer shape is masked whole before a shorter one inside it.
	return [...forms]
		.filter((form) => form.length >= MIN_TOKEN_LENGTH)
		.sort((a, b) => b.length - a.length);
}

/** Whether a token is long enough to mask safely (see MIN_TOKEN_LENGTH). */
export function isMaskableToken(secret: unknown): secret is string {
	return typeof secret === 'string' && secret.replace(/\s+/g, '').length >= MIN_TOKEN_LENGTH;
}

/**
 * Replaces every form of the secret wherever it appears in a value (strings, keys, arrays,
 * objects). Objects are searched in their JSON text first, so the common case (no secret in it)
 * costs one serialization. A secret too short to mask safely must be refused before a redactor is
 * needed (see `isMaskableToken`); given one anyway, every form long enough is still masked.
 */
export function makeRedactor(secret: string): Redact {
	const forms = tokenForms(secret);
	if (forms.length === 0) return (value) => value;
	// How each form looks inside JSON text (quotes and backslashes escaped once more).
	const serializedForms = [...new Set(forms.map(jsonEscaped))];
	const scrubText = (text: string) => {
		let result = text;
		for (const form of forms) if (result.includes(form)) result = result.split(form).join(MASK);
		return result;
	};
	const scrub = (value: unknown, depth: number): unknown => {
		if (typeof value === 'string') return scrubText(value);
		if (typeof value !== 'object' || value === null) return value;
		// Only the node's own values come here, and answers are cut to a few levels before that;
		// the bound keeps a cycle or a runaway structure from overflowing the stack.
		if (depth > MAX_SCRUB_DEPTH) return MASK;
		if (Array.isArray(value)) return value.map((inner) => scrub(inner, depth + 1));
		return Object.fromEntries(
			Object.entries(value).map(([key, inner]) => [scrubText(key), scrub(inner, depth + 1)]),
		);
	};
	const mayHoldSecret = (value: object): boolean => {
		let text: string;
		try {
			text = JSON.stringify(value);
		} catch {
			return true; // cannot be searched as text (a cycle, too deep): walk it
		}
		return typeof text === 'string' && serializedForms.some((form) => text.includes(form));
	};
	return <T>(value: T): T => {
		if (typeof value === 'string') return scrubText(value) as T;
		if (typeof value !== 'object' || value === null) return value;
		return (mayHoldSecret(value) ? scrub(value, 0) : value) as T;
	};
}
