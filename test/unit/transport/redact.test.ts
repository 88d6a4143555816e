/**
 * Unit tests of masking the auth token (nodes/Samespace/transport/redact.ts): in text and inside
 * objects, in every shape the node could show it, and which tokens are long enough to mask.
 */
import {
	isMaskableToken,
	makeRedactor,
	MASK,
	MIN_TOKEN_LENGTH,
} from '../../../nodes/Samespace/transport/redact';

describe('makeRedactor', () => {
	const SECRET = 'tok-SECRET-4d1c9e';
	const redact = makeRedactor(SECRET);

	test('strings: every occurrence is masked', () => {
		expect(redact(`a ${SECRET} b ${SECRET}`)).toBe(`a ${MASK} b ${MASK}`);
		expect(redact(SECRET)).toBe(MASK);
		expect(MASK).toBe('********');
	});

	test('nested objects and arrays; other values are kept', () => {
		const value = {
			message: `auth_token=${SECRET}`,
			list: ['x', `${SECRET}!`, 3, null, [{ deep: SECRET }]],
			inner: { n: 5, b: true, z: null, s: 'plain' },
		};
		expect(redact(value)).toEqual({
			message: `auth_token=${MASK}`,
			list: ['x', `${MASK}!`, 3, null, [{ deep: MASK }]],
			inner: { n: 5, b: true, z: null, s: 'plain' },
		});
		expect(value.message).toBe(`auth_token=${SECRET}`); // the input is not changed
	});

	test('keys are masked too', () => {
		expect(redact({ [SECRET]: 1, [`x${SECRET}`]: { [SECRET]: 'v' } })).toEqual({
			[MASK]: 1,
			[`x${MASK}`]: { [MASK]: 'v' },
		});
	});

	test('values without the secret are returned as they are (same object)', () => {
		const object = { a: [1, { b: 'c' }] };
		const list = ['x'];
		expect(redact(object)).toBe(object);
		expect(redact(list)).toBe(list);
		expect(redact('text')).toBe('text');
		expect(redact(42)).toBe(42);
		expect(redact(null)).toBe(null);
		expect(redact(undefined)).toBe(undefined);
	});

	test('a secret too short to mask safely is left alone (the node refuses it before any request)', () => {
		const short = makeRedactor('abcdefg');
		const value = { a: 'abcdefg abcdefg' };
		expect(short(value)).toBe(value);
		expect(short('abcdefg')).toBe('abcdefg');
		expect(makeRedactor('')('anything')).toBe('anything');
		expect(isMaskableToken('abcdefg')).toBe(false);
		expect(isMaskableToken(' abc  defg ')).toBe(false); // 8 characters only with a space
		expect(isMaskableToken('\tabcd efgh\n')).toBe(true);
		expect(isMaskableToken(undefined)).toBe(false);
		expect(isMaskableToken(12345678)).toBe(false);
	});

	test(`a ${MIN_TOKEN_LENGTH}-character secret is masked`, () => {
		expect(isMaskableToken('abcdefgh')).toBe(true);
		expect(makeRedactor('abcdefgh')({ a: 'xabcdefghx' })).toEqual({ a: `x${MASK}x` });
	});

	// Every shape in which the node could show the token: as saved, trimmed, with whitespace
	// collapsed (as the node quotes answers), JSON-escaped (once, twice, ASCII-only with escaped
	// slashes), HTML-escaped and URL-encoded.
	const TOKENS = [
		'  tok/live "9f3c"\\ é\n\tx  \n',
		'tok_live_9f3c1e7a2b5d\n',
		'ab cd\tef gh ij',
		'tok<&>\'"/ü',
	];
	const shapes = (token: string) => {
		const collapsed = token.replace(/\s+/g, ' ');
		const json = (text: string) => JSON.stringify(text).slice(1, -1);
		const bases = [token, token.trim(), collapsed, collapsed.trim()];
		return bases.flatMap((base) => [
			base,
			json(base),
			json(json(base)),
			json(base)
				.replace(/\//g, '\\/')
				.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
			base
				.replace(/&/g, '&amp;')
				.replace(/</g, '&lt;')
				.replace(/>/g, '&gt;')
				.replace(/"/g, '&quot;')
				.replace(/'/g, '&#39;'),
			encodeURIComponent(base),
			encodeURIComponent(base).replace(/%20/g, '+'),
		]);
	};
	test.each(TOKENS)('every shape of %j is masked, in strings and inside objects', (token) => {
		const redact = makeRedactor(token);
		for (const shape of shapes(token)) {
			expect(redact(`before ${shape} after`)).not.toContain(shape);
			expect(redact(`before ${shape} after`)).toContain(MASK);
			const masked = JSON.stringify(redact({ list: [{ text: `x${shape}y` }], [shape]: 1 }));
			expect(masked).not.toContain(JSON.stringify(shape).slice(1, -1));
			expect(masked).toContain(MASK);
		}
	});

	test('a structure too deep or cyclic to serialize is still walked, within a bound', () => {
		const redact = makeRedactor('tok_live_secret');
		const cyclic: Record<string, unknown> = { a: 'tok_live_secret' };
		cyclic.self = cyclic;
		const masked = redact(cyclic) as Record<string, unknown>;
		expect(masked.a).toBe(MASK);
	});

	test('secrets with regular-expression characters are matched literally', () => {
		const r = makeRedactor('a.b*c+(d)');
		expect(r('a.b*c+(d) and axbbbc+(d)')).toBe(`${MASK} and axbbbc+(d)`);
	});

	// Objects are searched in their JSON form, where `"` and `\` are escaped: a secret containing
	// one must still be found and masked.
	test('a secret containing a double quote or backslash is masked inside objects', () => {
		const secret = 'ab"cd\\ef';
		expect(makeRedactor(secret)({ token: `x ${secret} y` })).toEqual({ token: `x ${MASK} y` });
	});

	test('a secret containing a double quote is masked in a plain string', () => {
		const secret = 'ab"cd\\ef';
		expect(makeRedactor(secret)(`x ${secret} y`)).toBe(`x ${MASK} y`);
	});
});
