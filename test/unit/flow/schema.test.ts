/**
 * Unit tests of the flow schema (nodes/Samespace/flow/schema.ts), through the flow check that
 * applies it (flow/check.ts): each step type's fields normalised as they are sent, every rule for
 * a field and its message, step types and unknown fields.
 */
import { checkFlow } from '../../../nodes/Samespace/flow/check';
import { stepSchema } from '../../../nodes/Samespace/flow/schema';
import { call, type Raw } from '../../support/flow-steps';

/** The errors of `step` when it is the second step of a flow whose call leads to it. */
function errorsOfStep(step: unknown): Array<{ field: string | undefined; message: string }> {
	const id = typeof step === 'object' && step !== null && 'id' in step ? (step as Raw).id : 's';
	const result = checkFlow([call({ next_step: id ?? 's' }), step]);
	expect(result.flow).toBeUndefined();
	return result.errors
		.filter((e) => e.stepIndex === 1)
		.map((e) => ({ field: e.field, message: e.message }));
}

/** The step as it will be sent, checked as the second step of a flow. */
function normalised(step: Raw): unknown {
	const result = checkFlow([call({ next_step: step.id }), step]);
	expect(result.errors).toEqual([]);
	return JSON.parse(JSON.stringify(result.flow?.[1]));
}

// -------------------------------------------------------------------------------------------------

describe('valid steps and their normalised output', () => {
	test('call: ids become text, formatted numbers become digits, a numeric caller ID is accepted', () => {
		const result = checkFlow([
			{ id: 1, type: 'call', number: '+1 (415) 555-0123', caller_id: 4155550100, next_step: 2 },
			{ id: 2, type: 'play', text: 'Hi' },
		]);
		expect(result.errors).toEqual([]);
		expect(JSON.parse(JSON.stringify(result.flow))).toEqual([
			{ id: '1', type: 'call', number: '14155550123', caller_id: '4155550100', next_step: '2' },
			{ id: '2', type: 'play', text: 'Hi' },
		]);
	});

	test.each([
		['+44 20 7946 0958', '442079460958'],
		['415.555.0123', '4155550123'],
		[' 5263 ', '5263'],
		['12', '12'],
		['123456789012345', '123456789012345'],
	])('phone number %p is sent as %p', (given, sent) => {
		expect(normalised({ id: 's', type: 'connect', number: given, caller_id: 14155550100 })).toEqual(
			{
				id: 's',
				type: 'connect',
				number: sent,
				caller_id: '14155550100',
			},
		);
	});

	test('next_step: null is dropped from what is sent', () => {
		const result = checkFlow([call({ next_step: null })]);
		expect(result.errors).toEqual([]);
		expect(result.flow?.[0].next_step).toBeUndefined();
		expect(JSON.stringify(result.flow)).not.toContain('next_step');
	});

	test('ids and references are trimmed', () => {
		const result = checkFlow([
			call({ id: ' a ', next_step: ' b ' }),
			{ id: 'b ', type: 'play', text: 'x' },
		]);
		expect(result.errors).toEqual([]);
		expect(result.flow?.map((s) => [s.id, s.next_step])).toEqual([
			['a', 'b'],
			['b', undefined],
		]);
	});

	test('id 0 and next_step 0 (numbers) are valid', () => {
		const result = checkFlow([
			call({ id: 0, next_step: 1 }),
			{ id: 1, type: 'play', text: 'x', next_step: 0 },
		]);
		expect(result.errors).toEqual([]);
		expect(result.flow?.[1].next_step).toBe('0');
	});

	test('play with text only, url only, or both; text is trimmed', () => {
		expect(normalised({ id: 's', type: 'play', text: '  Hello  ' })).toEqual({
			id: 's',
			type: 'play',
			text: 'Hello',
		});
		expect(normalised({ id: 's', type: 'play', url: 'https://example.com/a.mp3' })).toEqual({
			id: 's',
			type: 'play',
			url: 'https://example.com/a.mp3',
		});
		expect(
			normalised({
				id: 's',
				type: 'play',
				text: 'Hi',
				url: 'http://example.com/a.mp3',
				next_step: 'c',
			}),
		).toEqual({
			id: 's',
			type: 'play',
			text: 'Hi',
			url: 'http://example.com/a.mp3',
			next_step: 'c',
		});
	});

	test('digits: count kept as a number, route targets become text', () => {
		expect(
			normalised({
				id: 7,
				type: 'digits',
				count: 4,
				variable: 'account_id',
				next_step: { '1': 7, '#': 'c', '*': 'c' },
			}),
		).toEqual({
			id: '7',
			type: 'digits',
			count: 4,
			variable: 'account_id',
			next_step: { '1': '7', '#': 'c', '*': 'c' },
		});
	});

	test.each(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'])(
		'digits may route on key %p',
		(key) => {
			expect(
				normalised({ id: 's', type: 'digits', count: 1, variable: 'v', next_step: { [key]: 'c' } }),
			).toMatchObject({
				next_step: { [key]: 'c' },
			});
		},
	);

	test('http: method defaults to GET, lower case becomes upper case, references become text', () => {
		expect(
			normalised({
				id: 's',
				type: 'http',
				url: 'https://example.com/api',
				next_step: { success: 'c', fail: 'c' },
			}),
		).toEqual({
			id: 's',
			type: 'http',
			url: 'https://example.com/api',
			method: 'GET',
			next_step: { success: 'c', fail: 'c' },
		});
		expect(
			normalised({
				id: 's',
				type: 'http',
				url: 'https://example.com/api',
				method: ' post ',
				next_step: { success: 'c', fail: 's' },
			}),
		).toEqual({
			id: 's',
			type: 'http',
			url: 'https://example.com/api',
			method: 'POST',
			next_step: { success: 'c', fail: 's' },
		});
	});

	test.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'delete', 'Patch'])(
		'http method %p is accepted',
		(method) => {
			expect(
				normalised({
					id: 's',
					type: 'http',
					url: 'https://example.com',
					method,
					next_step: { success: 'c', fail: 'c' },
				}),
			).toMatchObject({
				method: method.toUpperCase(),
			});
		},
	);

	test('http url may contain {{placeholders}}, also in the host name', () => {
		const flow = [
			call({ next_step: 'd' }),
			{ id: 'd', type: 'digits', count: 4, variable: 'account_id', next_step: { '*': 'h' } },
			{
				id: 'h',
				type: 'http',
				url: 'https://{{account_id}}.example.com/api/{{ account_id }}?x={{account_id}}',
				next_step: { success: 'c', fail: 'c' },
			},
		];
		const result = checkFlow(flow);
		expect(result.errors).toEqual([]);
		expect(result.warnings).toEqual([]);
		expect(result.flow?.[2]).toMatchObject({ url: flow[2].url });
	});

	test('http next_step with numeric references', () => {
		expect(
			normalised({
				id: 1,
				type: 'http',
				url: 'https://example.com',
				next_step: { success: 1, fail: 'c' },
			}),
		).toEqual({
			id: '1',
			type: 'http',
			url: 'https://example.com',
			method: 'GET',
			next_step: { success: '1', fail: 'c' },
		});
	});

	test('connect: numeric extension, no next_step', () => {
		expect(
			normalised({ id: 's', type: 'connect', number: 5263, caller_id: '917507161643' }),
		).toEqual({
			id: 's',
			type: 'connect',
			number: '5263',
			caller_id: '917507161643',
		});
	});

	test('stepSchema on its own normalises a step', () => {
		const parsed = stepSchema.safeParse({
			id: 7,
			type: 'http',
			url: 'https://a.example/x',
			method: 'put',
			next_step: { success: 9, fail: 8 },
		});
		expect(parsed.success).toBe(true);
		expect(parsed.data).toEqual({
			id: '7',
			type: 'http',
			url: 'https://a.example/x',
			method: 'PUT',
			next_step: { success: '9', fail: '8' },
		});
	});

	test('a complete valid flow passes with no errors or warnings and keeps step order', () => {
		const flow = [
			{
				id: 'start',
				type: 'call',
				number: '14155550123',
				caller_id: '14155550100',
				next_step: 'menu',
			},
			{ id: 'menu', type: 'play', text: 'Press 1 for sales', next_step: 'choice' },
			{
				id: 'choice',
				type: 'digits',
				count: 1,
				variable: 'choice',
				next_step: { '1': 'lookup', '*': 'menu' },
			},
			{
				id: 'lookup',
				type: 'http',
				url: 'https://crm.example.com/{{choice}}',
				method: 'GET',
				next_step: { success: 'sales', fail: 'menu' },
			},
			{ id: 'sales', type: 'connect', number: '5263', caller_id: '14155550100' },
		];
		const result = checkFlow(flow);
		expect(result).toEqual({ flow: expect.any(Array), errors: [], warnings: [] });
		expect(result.flow?.map((s) => s.id)).toEqual(['start', 'menu', 'choice', 'lookup', 'sales']);
	});
});

// -------------------------------------------------------------------------------------------------

describe('rules for the fields of each step', () => {
	test.each<[string, Raw, string, string | RegExp]>([
		// call / connect
		[
			'call: number missing',
			{ id: 's', type: 'connect', caller_id: '12' },
			'number',
			/^is missing: add the number to connect to, e\.g\. 14155550123/,
		],
		[
			'connect: caller_id missing',
			{ id: 's', type: 'connect', number: '12' },
			'caller_id',
			/^is missing: add the caller ID/,
		],
		[
			'connect: number empty',
			{ id: 's', type: 'connect', number: '  ', caller_id: '12' },
			'number',
			/^is empty: add the number to connect to/,
		],
		[
			'connect: number a boolean',
			{ id: 's', type: 'connect', number: true, caller_id: '12' },
			'number',
			/^is true: the number to connect to must be a phone number/,
		],
		[
			'connect: number an object',
			{ id: 's', type: 'connect', number: {}, caller_id: '12' },
			'number',
			/^is an object: /,
		],
		[
			'connect: number a list',
			{ id: 's', type: 'connect', number: ['1'], caller_id: '12' },
			'number',
			/^is a list: /,
		],
		[
			'connect: number null',
			{ id: 's', type: 'connect', number: null, caller_id: '12' },
			'number',
			/^is null: /,
		],
		[
			'connect: one digit',
			{ id: 's', type: 'connect', number: '1', caller_id: '12' },
			'number',
			/^"1" is not a phone number or extension: .* must be 2 to 15 digits/,
		],
		[
			'connect: 16 digits',
			{ id: 's', type: 'connect', number: '1234567890123456', caller_id: '12' },
			'number',
			/is not a phone number or extension/,
		],
		[
			'connect: letters',
			{ id: 's', type: 'connect', number: 'sales', caller_id: '12' },
			'number',
			/^"sales" is not a phone number/,
		],
		[
			'connect: X placeholders',
			{ id: 's', type: 'connect', number: '16468107XXX', caller_id: '12' },
			'number',
			/^"16468107XXX" still has "X" placeholders .*put the real digits/,
		],
		[
			'connect: lower-case x placeholders',
			{ id: 's', type: 'connect', number: '12', caller_id: '1646xxx' },
			'caller_id',
			/still has "X" placeholders/,
		],
		// play
		[
			'play: neither text nor url',
			{ id: 's', type: 'play' },
			'text',
			'needs something to play: add "text" (spoken to the caller) or "url" (an mp3 file), or both',
		],
		[
			'play: empty text',
			{ id: 's', type: 'play', text: ' ' },
			'text',
			/^is empty: add the text to speak/,
		],
		[
			'play: text a number',
			{ id: 's', type: 'play', text: 5 },
			'text',
			/^is the number 5: the text to speak must be text/,
		],
		[
			'play: url relative',
			{ id: 's', type: 'play', url: '/greeting.mp3' },
			'url',
			/^"\/greeting\.mp3" is not a full web address: the audio URL must start with https:\/\/ or http:\/\//,
		],
		[
			'play: url ftp',
			{ id: 's', type: 'play', url: 'ftp://example.com/a.mp3' },
			'url',
			/is not a full web address/,
		],
		[
			'play: url without scheme',
			{ id: 's', type: 'play', url: 'example.com/a.mp3' },
			'url',
			/is not a full web address/,
		],
		[
			'play: url with a space',
			{ id: 's', type: 'play', url: 'https://exa mple.com/a.mp3' },
			'url',
			/is not a full web address/,
		],
		[
			'play: url only a scheme',
			{ id: 's', type: 'play', url: 'https://' },
			'url',
			/is not a full web address/,
		],
		[
			'play: url a placeholder for the base',
			{ id: 's', type: 'play', url: '{{base}}/a.mp3' },
			'url',
			/is not a full web address/,
		],
		[
			'play: next_step empty',
			{ id: 's', type: 'play', text: 'x', next_step: '' },
			'next_step',
			/^is empty: give the id of the step that comes next/,
		],
		[
			'play: next_step boolean',
			{ id: 's', type: 'play', text: 'x', next_step: true },
			'next_step',
			/^is true: the id of the step that comes next must be text or a number/,
		],
		// digits
		[
			'digits: count missing',
			{ id: 's', type: 'digits', variable: 'v', next_step: { '*': 'c' } },
			'count',
			/^is missing: say how many digits to gather/,
		],
		[
			'digits: count a string',
			{ id: 's', type: 'digits', count: '4', variable: 'v', next_step: { '*': 'c' } },
			'count',
			'is the text "4": the digit count must be a whole number, e.g. 4',
		],
		[
			'digits: count a fraction',
			{ id: 's', type: 'digits', count: 1.5, variable: 'v', next_step: { '*': 'c' } },
			'count',
			'must be a whole number of digits, e.g. 4',
		],
		[
			'digits: count zero',
			{ id: 's', type: 'digits', count: 0, variable: 'v', next_step: { '*': 'c' } },
			'count',
			'must be at least 1: say how many digits to gather',
		],
		[
			'digits: count negative',
			{ id: 's', type: 'digits', count: -3, variable: 'v', next_step: { '*': 'c' } },
			'count',
			'must be at least 1: say how many digits to gather',
		],
		[
			'digits: variable missing',
			{ id: 's', type: 'digits', count: 1, next_step: { '*': 'c' } },
			'variable',
			/^is missing: add the variable name/,
		],
		[
			'digits: variable a number',
			{ id: 's', type: 'digits', count: 1, variable: 3, next_step: { '*': 'c' } },
			'variable',
			/^is the number 3: /,
		],
		[
			'digits: variable starts with a digit',
			{ id: 's', type: 'digits', count: 1, variable: '1abc', next_step: { '*': 'c' } },
			'variable',
			/^must be a simple name .* so it can be used as \{\{account_id\}\}/,
		],
		[
			'digits: variable with a space',
			{ id: 's', type: 'digits', count: 1, variable: 'account id', next_step: { '*': 'c' } },
			'variable',
			/^must be a simple name/,
		],
		[
			'digits: variable with a dash',
			{ id: 's', type: 'digits', count: 1, variable: 'account-id', next_step: { '*': 'c' } },
			'variable',
			/^must be a simple name/,
		],
		[
			'digits: variable with braces',
			{ id: 's', type: 'digits', count: 1, variable: '{{id}}', next_step: { '*': 'c' } },
			'variable',
			/^must be a simple name/,
		],
		[
			'digits: empty routes',
			{ id: 's', type: 'digits', count: 1, variable: 'v', next_step: {} },
			'next_step',
			'has no routes: add at least one, e.g. {"*": "next-step-id"} for any input',
		],
		[
			'digits: routes a list',
			{ id: 's', type: 'digits', count: 1, variable: 'v', next_step: ['c'] },
			'next_step',
			/^is a list: a digits step routes input with an object/,
		],
		[
			'digits: routes a plain id',
			{ id: 's', type: 'digits', count: 1, variable: 'v', next_step: 'c' },
			'next_step',
			/^is the text "c": a digits step routes input with an object/,
		],
		[
			'digits: route key 10',
			{ id: 's', type: 'digits', count: 1, variable: 'v', next_step: { '10': 'c' } },
			'next_step.10',
			'"10" is not a key you can route on: use a single digit 0-9, "#", or "*" (any input)',
		],
		[
			'digits: route key "any"',
			{ id: 's', type: 'digits', count: 1, variable: 'v', next_step: { any: 'c' } },
			'next_step.any',
			/^"any" is not a key you can route on/,
		],
		[
			'digits: route key "success"',
			{ id: 's', type: 'digits', count: 1, variable: 'v', next_step: { success: 'c' } },
			'next_step.success',
			/^"success" is not a key you can route on/,
		],
		[
			'digits: route target null',
			{ id: 's', type: 'digits', count: 1, variable: 'v', next_step: { '*': null } },
			'next_step.*',
			/^is null: the id of the step this input leads to must be text or a number/,
		],
		// http
		[
			'http: url missing',
			{ id: 's', type: 'http' },
			'url',
			/^is missing: add the request URL, e\.g\. https:\/\/example\.com/,
		],
		[
			'http: next_step missing',
			{ id: 's', type: 'http', url: 'https://a.example' },
			'next_step',
			/^is missing: an http step must say where the call goes next, \{"success": "<step id>", "fail": "<step id>"\}/,
		],
		[
			'http: next_step null',
			{ id: 's', type: 'http', url: 'https://a.example', next_step: null },
			'next_step',
			/^is null: an http step needs/,
		],
		[
			'http: fail missing',
			{ id: 's', type: 'http', url: 'https://a.example', next_step: { success: 'c' } },
			'next_step.fail',
			/^is missing: give the id of the step after a failed request/,
		],
		[
			'http: success missing',
			{ id: 's', type: 'http', url: 'https://a.example', next_step: { fail: 'c' } },
			'next_step.success',
			/^is missing: give the id of the step after a successful request/,
		],
		[
			'http: url not absolute',
			{ id: 's', type: 'http', url: 'api/{{x}}' },
			'url',
			/^"api\/\{\{x\}\}" is not a full web address: the request URL must start with https:\/\/ or http:\/\//,
		],
		[
			'http: url javascript:',
			{ id: 's', type: 'http', url: 'javascript:alert(1)' },
			'url',
			/is not a full web address/,
		],
		[
			'http: unknown method',
			{
				id: 's',
				type: 'http',
				url: 'https://a.example',
				method: 'fetch',
				next_step: { success: 'c', fail: 'c' },
			},
			'method',
			'"FETCH" is not a supported method: use one of GET, POST, PUT, PATCH, DELETE',
		],
		[
			'http: method a number',
			{
				id: 's',
				type: 'http',
				url: 'https://a.example',
				method: 5,
				next_step: { success: 'c', fail: 'c' },
			},
			'method',
			'must be text: one of GET, POST, PUT, PATCH, DELETE',
		],
		[
			'http: next_step a plain id',
			{ id: 's', type: 'http', url: 'https://a.example', next_step: 'c' },
			'next_step',
			'is the text "c": an http step needs {"success": "<step id>", "fail": "<step id>"}',
		],
		[
			'http: next_step a list',
			{ id: 's', type: 'http', url: 'https://a.example', next_step: ['c'] },
			'next_step',
			/^is a list: an http step needs/,
		],
		[
			'http: unknown route',
			{
				id: 's',
				type: 'http',
				url: 'https://a.example',
				next_step: { success: 'c', fail: 'c', error: 'c' },
			},
			'next_step.error',
			'unknown field "error": an http step routes only on "success" and "fail"',
		],
		[
			'http: success a boolean',
			{ id: 's', type: 'http', url: 'https://a.example', next_step: { success: false, fail: 'c' } },
			'next_step.success',
			/^is false: the id of the step after a successful request must be text or a number/,
		],
		[
			'http: fail empty',
			{ id: 's', type: 'http', url: 'https://a.example', next_step: { success: 'c', fail: '' } },
			'next_step.fail',
			/^is empty: give the id of the step after a failed request/,
		],
		// every type
		['id missing', { type: 'play', text: 'x' }, 'id', /^is missing: give an id for this step/],
		[
			'id empty',
			{ id: '   ', type: 'play', text: 'x' },
			'id',
			/^is empty: give an id for this step/,
		],
		[
			'id an object',
			{ id: { a: 1 }, type: 'play', text: 'x' },
			'id',
			/^is an object: an id for this step .* must be text or a number/,
		],
		['id a boolean', { id: true, type: 'play', text: 'x' }, 'id', /^is true: /],
	])('%s', (_name, step, field, message) => {
		const errors = errorsOfStep(step);
		const match = errors.find((e) => e.field === field);
		expect(match).toBeDefined();
		if (typeof message === 'string') expect(match?.message).toBe(message);
		else expect(match?.message).toMatch(message);
	});

	test('long wrong values are shortened in the message', () => {
		const [error] = errorsOfStep({ id: 's', type: 'play', text: 'x', next_step: { a: 1 } }).filter(
			(e) => e.field === 'next_step',
		);
		expect(error.message).toMatch(/^is an object: /);
		const long = 'a'.repeat(60);
		const [countError] = errorsOfStep({
			id: 's',
			type: 'digits',
			count: long,
			variable: 'v',
			next_step: { '*': 'c' },
		});
		expect(countError.message).toBe(
			`is the text "${'a'.repeat(40)}…": the digit count must be a whole number, e.g. 4`,
		);
	});

	test('a play step with both a text and a url problem reports both', () => {
		const errors = errorsOfStep({ id: 's', type: 'play', text: '', url: 'nope' });
		expect(errors.map((e) => e.field).sort()).toEqual(['text', 'url']);
	});

	test('a digits step with several problems reports them all', () => {
		const errors = errorsOfStep({
			id: 's',
			type: 'digits',
			count: 0,
			variable: '9x',
			next_step: { '10': 'c', '*': 'c', x: 'c' },
		});
		expect(errors.map((e) => e.field)).toEqual(
			expect.arrayContaining(['count', 'variable', 'next_step.10', 'next_step.x']),
		);
		expect(errors.some((e) => e.field === 'next_step.*')).toBe(false);
	});

	// A digits step needs routes; without them the message says so like every other missing field.
	test('digits step without next_step says "is missing"', () => {
		const errors = errorsOfStep({ id: 's', type: 'digits', count: 1, variable: 'v' });
		const error = errors.find((e) => e.field === 'next_step');
		expect(error?.message).toMatch(/^is missing/);
	});

	// A JavaScript number is never "formatted": its sign or decimal point must not be stripped as
	// formatting, or a negative or fractional number would silently become another phone number.
	test('a negative numeric phone number is rejected', () => {
		const errors = errorsOfStep({ id: 's', type: 'connect', number: -5263, caller_id: '12' });
		expect(errors.map((e) => e.field)).toEqual(['number']);
	});

	test('a fractional numeric phone number is rejected', () => {
		const errors = errorsOfStep({
			id: 's',
			type: 'connect',
			number: 4155550123.5,
			caller_id: '12',
		});
		expect(errors.map((e) => e.field)).toEqual(['number']);
	});

	// "ext" contains an x, but a number written with an extension has no "X" placeholders.
	test('a number with "ext" is not called an X placeholder', () => {
		const [error] = errorsOfStep({
			id: 's',
			type: 'connect',
			number: '415 555 0123 ext 5',
			caller_id: '12',
		});
		expect(error.message).not.toContain('"X" placeholders');
	});

	test('a string with a leading dash is formatting and is stripped', () => {
		expect(
			normalised({ id: 's', type: 'connect', number: '-5263', caller_id: '12' }),
		).toMatchObject({ number: '5263' });
	});

	test('digits step without next_step is still rejected', () => {
		const errors = errorsOfStep({ id: 's', type: 'digits', count: 1, variable: 'v' });
		expect(errors.map((e) => e.field)).toEqual(['next_step']);
		expect(errors[0].message).toContain('a digits step routes input with an object');
	});
});

describe('step types and unknown fields', () => {
	test('unknown step type', () => {
		expect(errorsOfStep({ id: 's', type: 'sms', text: 'x' })).toEqual([
			{
				field: 'type',
				message:
					'"sms" is not a step type: use one of call, play, digits, http, connect (and answer with the operation Call and Wait for Answer)',
			},
		]);
	});

	test('step types are case-sensitive', () => {
		expect(errorsOfStep({ id: 's', type: 'Play', text: 'x' })[0].message).toBe(
			'"Play" is not a step type: use one of call, play, digits, http, connect (and answer with the operation Call and Wait for Answer)',
		);
	});

	test('type not text', () => {
		expect(errorsOfStep({ id: 's', type: 3 })[0]).toEqual({
			field: 'type',
			message:
				'is the number 3: the step type must be text, one of call, play, digits, http, connect (and answer with the operation Call and Wait for Answer)',
		});
	});

	test('type missing', () => {
		expect(errorsOfStep({ id: 's', text: 'x' })).toEqual([
			{
				field: 'type',
				message:
					'is missing: say what the step does, one of call, play, digits, http, connect (and answer with the operation Call and Wait for Answer)',
			},
		]);
	});

	test('the removed callback type has its own message', () => {
		const errors = errorsOfStep({ id: 's', type: 'callback', date: '2024-01-01' });
		expect(errors).toEqual([
			{
				field: 'type',
				message:
					'"callback" steps were removed from the current Samespace API; schedule the call in your workflow instead (for example with a Wait node)',
			},
		]);
	});

	test('the old "flow" key is named as the old name of next_step', () => {
		const errors = errorsOfStep({
			id: 's',
			type: 'digits',
			count: 1,
			variable: 'v',
			next_step: { '*': 'c' },
			flow: { '*': 'c' },
		});
		expect(errors).toEqual([
			{ field: 'flow', message: '"flow" is the old name of "next_step": rename it to "next_step"' },
		]);
	});

	test('cloud_sid and publish are explained', () => {
		const [error] = errorsOfStep({ id: 's', type: 'play', text: 'x', cloud_sid: 'x', publish: {} });
		expect(error.message).toContain('"cloud_sid" belongs to an older API version');
		expect(error.message).toContain(
			'"publish" (event callbacks) was removed from the current API: delete it',
		);
	});

	test('an unknown field is named with the fields the type takes', () => {
		expect(errorsOfStep({ id: 's', type: 'play', text: 'x', voice: 'alice' })).toEqual([
			{
				field: 'voice',
				message: 'unknown field "voice": a play step takes only id, type, text, url, next_step',
			},
		]);
		expect(
			errorsOfStep({ id: 's', type: 'connect', number: '12', caller_id: '12', a: 1, b: 2 }),
		).toEqual([
			{
				field: 'a',
				message:
					'unknown fields "a", "b": a connect step takes only id, type, number, caller_id, next_step',
			},
		]);
	});

	test('a field of another type is unknown (call has no text)', () => {
		const result = checkFlow([call({ text: 'hello' })]);
		expect(result.errors).toEqual([
			expect.objectContaining({
				stepIndex: 0,
				field: 'text',
				message: expect.stringContaining(
					'unknown field "text": a call step takes only id, type, number, caller_id, next_step',
				),
			}),
		]);
	});

	test.each<[unknown, string]>([
		[null, 'is null: each step must be an object such as {"id": "1", "type": "call", ...}'],
		[5, 'is the number 5: each step must be an object'],
		['play', 'is the text "play": each step must be an object'],
		[[{ id: 1 }], 'is a list: each step must be an object'],
	])('a step that is not an object (%p)', (step, message) => {
		const result = checkFlow([call({ next_step: null }), step]);
		const errors = result.errors.filter((e) => e.stepIndex === 1);
		expect(errors).toHaveLength(1);
		expect(errors[0].field).toBeUndefined();
		expect(errors[0].stepId).toBeUndefined();
		expect(errors[0].message.startsWith(message)).toBe(true);
	});
});
