/**
 * Unit tests of the flow schema (nodes/Samespace/flow/schema.ts) and the flow check built on it
 * (nodes/Samespace/flow/check.ts): normalisation of every step type, every rule and its message,
 * the flow's wiring, the warnings, and the Samespace document's own sample payload.
 */
import { checkFlow, describeProblem, type FlowProblem } from '../../nodes/Samespace/flow/check';
import { stepSchema } from '../../nodes/Samespace/flow/schema';
import samplePayload from '../fixtures/document-sample-payload.json';

type Raw = Record<string, unknown>;

/** A valid first step that leads to the step with id `next` (if given). */
const call = (over: Raw = {}): Raw => ({
	id: 'c',
	type: 'call',
	number: '14155550123',
	caller_id: '14155550100',
	...over,
});

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

const summary = (problems: FlowProblem[]) =>
	problems.map(({ severity, stepIndex, stepId, field }) => ({
		severity,
		stepIndex,
		stepId,
		field,
	}));

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

// -------------------------------------------------------------------------------------------------

describe('the flow as a whole', () => {
	test('empty flow', () => {
		const result = checkFlow([]);
		expect(result.flow).toBeUndefined();
		expect(result.errors).toEqual([
			{
				severity: 'error',
				field: undefined,
				message: 'is empty: a flow needs at least a call step',
			},
		]);
		expect(result.warnings).toEqual([]);
	});

	test.each<[unknown, string]>([
		[{ flow: [] }, 'is an object: the flow must be a list of steps'],
		['[]', 'is the text "[]": the flow must be a list of steps'],
		[null, 'is null: the flow must be a list of steps'],
		[undefined, 'the flow must be a list of steps'],
		[42, 'is the number 42: the flow must be a list of steps'],
	])('non-array flow %p', (flow, message) => {
		const result = checkFlow(flow);
		expect(result.flow).toBeUndefined();
		expect(result.errors).toHaveLength(1);
		expect(result.errors[0].stepIndex).toBeUndefined();
		expect(result.errors[0].message).toContain(message);
		expect(result.warnings).toEqual([]);
		expect(describeProblem(result.errors[0])).toMatch(/^flow: /);
	});

	test('first step not a call, with a call further down: says which step to move', () => {
		const result = checkFlow([
			{ id: 'p', type: 'play', text: 'x', next_step: 'c' },
			call({ id: 'c' }),
		]);
		expect(result.errors).toEqual([
			{
				severity: 'error',
				stepIndex: 0,
				stepId: 'p',
				stepType: 'play',
				field: 'type',
				message:
					'the first step must be a call step, because the flow starts by placing the call: move step 2 (the call) to the top',
			},
		]);
	});

	test('first step not a call, and no call anywhere', () => {
		const result = checkFlow([{ id: 'x', type: 'connect', number: '5263', caller_id: '12' }]);
		expect(result.errors.map((e) => e.message)).toEqual([
			'the first step must be a call step, because the flow starts by placing the call: add a call step at the top',
		]);
	});

	test('duplicate ids, including 1 and "1"', () => {
		const result = checkFlow([
			call({ id: 1, next_step: 2 }),
			{ id: '1', type: 'play', text: 'x' },
			{ id: 2, type: 'play', text: 'y', next_step: '1' },
			{ id: ' 2 ', type: 'play', text: 'z' },
		]);
		const dupes = result.errors.filter((e) => e.field === 'id');
		expect(dupes).toEqual([
			expect.objectContaining({
				stepIndex: 1,
				stepId: '1',
				message: expect.stringMatching(
					/^"1" is already the id of step 1: give every step its own id \(1 and "1" count as the same/,
				),
			}),
			expect.objectContaining({
				stepIndex: 3,
				message: expect.stringMatching(/^"2" is already the id of step 3/),
			}),
		]);
	});

	test('a dangling next_step', () => {
		const result = checkFlow([
			call({ next_step: 'nowhere' }),
			{ id: 'x', type: 'play', text: 'x' },
		]);
		expect(result.errors).toEqual([
			expect.objectContaining({
				stepIndex: 0,
				field: 'next_step',
				message:
					'points to step "nowhere", which is not in this flow: use the id of an existing step ("c", "x") or remove this route',
			}),
		]);
	});

	test('dangling digit routes and http success/fail are each reported', () => {
		const result = checkFlow([
			call({ next_step: 'd' }),
			{
				id: 'd',
				type: 'digits',
				count: 1,
				variable: 'v',
				next_step: { '1': 'h', '2': 'gone', '*': 9 },
			},
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example',
				next_step: { success: 'ok', fail: 'bad' },
			},
		]);
		expect(
			result.errors.map((e) => [e.stepIndex, e.field, e.message.slice(0, e.message.indexOf(','))]),
		).toEqual([
			[1, 'next_step.2', 'points to step "gone"'],
			[1, 'next_step.*', 'points to step "9"'],
			[2, 'next_step.success', 'points to step "ok"'],
			[2, 'next_step.fail', 'points to step "bad"'],
		]);
	});

	test('a list of existing ids longer than 12 is cut short', () => {
		const plays = Array.from({ length: 14 }, (_, i) => ({
			id: `p${i}`,
			type: 'play',
			text: 'x',
			next_step: i === 13 ? undefined : `p${i + 1}`,
		}));
		const result = checkFlow([call({ next_step: 'zzz' }), ...plays]);
		expect(result.errors).toHaveLength(1);
		expect(result.errors[0].message).toContain('"p10", … (15 in all)');
		expect(result.errors[0].message).not.toContain('"p11"');
	});

	test('all problems of a flow are reported at once', () => {
		const result = checkFlow([
			{ id: 'a', type: 'play', next_step: 'b' }, // not a call; nothing to play
			{ id: 'b', type: 'digits', count: '2', variable: 'x y', next_step: { '11': 'c' } },
			{
				id: 'c',
				type: 'http',
				url: 'example.com',
				method: 'SEND',
				next_step: { success: 'missing', fail: 'a' },
			},
			{ id: 'c', type: 'connect', number: '12XX', caller_id: '' },
			{ id: 'e', type: 'callback' },
			'oops',
		]);
		expect(result.flow).toBeUndefined();
		const found = result.errors.map((e) => `${e.stepIndex}:${e.field}`);
		expect(found.sort()).toEqual(
			[
				'0:text',
				'0:type',
				'1:count',
				'1:variable',
				'1:next_step.11',
				'2:url',
				'2:method',
				'2:next_step.success',
				'3:id',
				'3:number',
				'3:caller_id',
				'4:type',
				'5:undefined',
			].sort(),
		);
		// sorted by step position
		const indexes = result.errors.map((e) => e.stepIndex as number);
		expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
		expect(result.errors.every((e) => e.severity === 'error')).toBe(true);
	});

	test('problems carry the step position, id and type', () => {
		const result = checkFlow([call(), { id: 7, type: 'play' }]);
		const problem = result.errors.find((e) => e.stepIndex === 1);
		expect(problem).toMatchObject({
			severity: 'error',
			stepIndex: 1,
			stepId: '7',
			stepType: 'play',
			field: 'text',
		});
	});
});

// -------------------------------------------------------------------------------------------------

describe('warnings', () => {
	test('unreachable steps are warned about, and a valid flow with a warning still passes', () => {
		const result = checkFlow([
			call({ next_step: 'a' }),
			{ id: 'a', type: 'play', text: 'x' },
			{ id: 'lost', type: 'play', text: 'y', next_step: 'a' },
		]);
		expect(result.errors).toEqual([]);
		expect(result.flow).toHaveLength(3);
		expect(result.warnings).toEqual([
			{
				severity: 'warning',
				stepIndex: 2,
				stepId: 'lost',
				stepType: 'play',
				field: undefined,
				message:
					'can never be reached from the first step: point a next step or route at it, or remove it',
			},
		]);
	});

	test('steps reached through digit routes and http success/fail are reachable', () => {
		const result = checkFlow([
			call({ next_step: 'd' }),
			{ id: 'd', type: 'digits', count: 1, variable: 'v', next_step: { '1': 'h', '#': 'p' } },
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example/{{v}}',
				next_step: { success: 'ok', fail: 'ko' },
			},
			{ id: 'p', type: 'play', text: 'x', next_step: 'd' },
			{ id: 'ok', type: 'connect', number: '5263', caller_id: '12' },
			{ id: 'ko', type: 'play', text: 'sorry' },
		]);
		expect(result.errors).toEqual([]);
		expect(result.warnings).toEqual([]);
	});

	test('a {{placeholder}} with no earlier digits step is warned about', () => {
		const result = checkFlow([
			call({ next_step: 'h' }),
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example/{{account_id}}/{{pin}}',
				next_step: { success: 'c', fail: 'c' },
			},
		]);
		expect(result.errors).toEqual([]);
		expect(result.warnings.map((w) => [w.stepIndex, w.field, w.message])).toEqual([
			[
				1,
				'url',
				expect.stringMatching(
					/^uses \{\{account_id\}\}, but no digits step before it stores a variable "account_id": .*Add a digits step with variable "account_id", or fix the name/,
				),
			],
			[1, 'url', expect.stringMatching(/^uses \{\{pin\}\}/)],
		]);
	});

	test('a digits step that comes after the http step in the call does not count', () => {
		const result = checkFlow([
			call({ next_step: 'h' }),
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example/{{pin}}',
				next_step: { success: 'd', fail: 'end' },
			},
			{ id: 'd', type: 'digits', count: 4, variable: 'pin', next_step: { '*': 'end' } },
			{ id: 'end', type: 'play', text: 'Bye' },
		]);
		expect(result.errors).toEqual([]);
		expect(result.warnings.map((w) => [w.stepIndex, w.field])).toEqual([[1, 'url']]);
	});

	test('a variable stored later in a loop that returns to an earlier step counts (it may have been stored)', () => {
		const result = checkFlow([
			call({ next_step: 'h' }),
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example/{{pin}}',
				next_step: { success: 'd', fail: 'd' },
			},
			{ id: 'd', type: 'digits', count: 4, variable: 'pin', next_step: { '*': 'h' } },
		]);
		expect(result.warnings).toEqual([]);
	});

	test('a differently named variable still gets the warning', () => {
		const result = checkFlow([
			call({ next_step: 'd' }),
			{ id: 'd', type: 'digits', count: 4, variable: 'pin', next_step: { '*': 'h' } },
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example/{{PIN}}',
				next_step: { success: 'c', fail: 'c' },
			},
		]);
		expect(result.warnings.map((w) => w.message)).toEqual([expect.stringContaining('{{PIN}}')]);
	});

	test('no warning when a digits step defines the variable earlier', () => {
		const result = checkFlow([
			call({ next_step: 'd' }),
			{ id: 'd', type: 'digits', count: 4, variable: 'pin', next_step: { '*': 'h' } },
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example/{{ pin }}',
				next_step: { success: 'c', fail: 'c' },
			},
		]);
		expect(result.warnings).toEqual([]);
	});

	test('no warning when the digits step is reached through a branch, even if listed below', () => {
		const result = checkFlow([
			call({ next_step: 'menu' }),
			{
				id: 'h',
				type: 'http',
				url: 'https://a.example/{{pin}}',
				next_step: { success: 'bye', fail: 'bye' },
			},
			{
				id: 'menu',
				type: 'digits',
				count: 1,
				variable: 'choice',
				next_step: { '1': 'ask', '*': 'bye' },
			},
			{ id: 'ask', type: 'digits', count: 4, variable: 'pin', next_step: { '*': 'h' } },
			{ id: 'bye', type: 'play', text: 'Bye' },
		]);
		expect(result.errors).toEqual([]);
		expect(result.warnings).toEqual([]);
	});

	test('http steps in play urls are not placeholder-checked, only http urls', () => {
		const result = checkFlow([
			call({ next_step: 'p' }),
			{ id: 'p', type: 'play', url: 'https://a.example/{{nothing}}.mp3' },
		]);
		expect(result.warnings).toEqual([]);
	});

	test('mixed id types', () => {
		const result = checkFlow([call({ id: '1', next_step: 2 }), { id: 2, type: 'play', text: 'x' }]);
		expect(result.errors).toEqual([]);
		expect(result.warnings).toEqual([
			{
				severity: 'warning',
				field: 'id',
				message:
					'some ids are numbers and some are text: all are sent as text ("1"), as Samespace documents them',
			},
		]);
		expect(describeProblem(result.warnings[0])).toBe(
			'flow, id: some ids are numbers and some are text: all are sent as text ("1"), as Samespace documents them',
		);
	});

	test('no mixed-id warning when all ids are numbers, or all text', () => {
		expect(
			checkFlow([call({ id: 1, next_step: 2 }), { id: 2, type: 'play', text: 'x' }]).warnings,
		).toEqual([]);
		expect(
			checkFlow([call({ id: '1', next_step: '2' }), { id: '2', type: 'play', text: 'x' }]).warnings,
		).toEqual([]);
	});

	test('warnings are reported alongside errors', () => {
		const result = checkFlow([
			call({ id: 1, next_step: 'x' }),
			{ id: 'y', type: 'play', text: 'x' },
		]);
		expect(result.errors).toHaveLength(1);
		expect(result.warnings.map((w) => w.stepIndex ?? 'flow')).toEqual([1, 'flow']);
	});
});

// -------------------------------------------------------------------------------------------------

describe("the Samespace document's own sample payload", () => {
	const result = checkFlow(samplePayload.flow);

	test('is rejected', () => {
		expect(result.flow).toBeUndefined();
	});

	test('with exactly these errors', () => {
		expect(summary(result.errors)).toEqual([
			{ severity: 'error', stepIndex: 3, stepId: '5', field: 'next_step.success' },
			{ severity: 'error', stepIndex: 4, stepId: '3', field: 'number' },
			{ severity: 'error', stepIndex: 5, stepId: '4', field: 'caller_id' },
		]);
		expect(result.errors.map((e) => e.stepType)).toEqual(['http', 'connect', 'connect']);
	});

	test('and exactly these warnings', () => {
		expect(summary(result.warnings)).toEqual([
			{ severity: 'warning', stepIndex: 4, stepId: '3', field: undefined },
			{ severity: 'warning', stepIndex: undefined, stepId: undefined, field: 'id' },
		]);
	});

	test('whose messages name the fix', () => {
		const [missing, number, callerId] = result.errors.map((e) => e.message);
		expect(missing).toBe(
			'points to step "10", which is not in this flow: use the id of an existing step ("0", "1", "2", "5", "3", "4") or remove this route',
		);
		expect(number).toBe(
			'"16468107XXX" still has "X" placeholders (as in the Samespace document\'s examples): put the real digits of the number to connect to',
		);
		expect(callerId).toContain('"917507XXXXX" still has "X" placeholders');
		expect(callerId).toContain('put the real digits of the caller ID');
		const [unreachable, mixed] = result.warnings.map((w) => w.message);
		expect(unreachable).toContain(
			'can never be reached from the first step: point a next step or route at it, or remove it',
		);
		expect(mixed).toContain('all are sent as text');
	});

	test('describeProblem names step position, id, type and field', () => {
		expect(describeProblem(result.errors[0])).toBe(
			'step 4 (id "5", http), next_step.success: points to step "10", which is not in this flow: use the id of an existing step ("0", "1", "2", "5", "3", "4") or remove this route',
		);
		expect(describeProblem(result.warnings[0])).toBe(
			'step 5 (id "3", connect): can never be reached from the first step: point a next step or route at it, or remove it',
		);
	});

	test('once its defects are fixed, it passes with only the mixed-id warning', () => {
		const fixed = JSON.parse(JSON.stringify(samplePayload.flow)) as Raw[];
		(fixed[3].next_step as Raw).success = 3;
		fixed[4].number = '16468107123';
		fixed[5].caller_id = '917507123456';
		const check = checkFlow(fixed);
		expect(check.errors).toEqual([]);
		expect(check.warnings.map((w) => w.field)).toEqual(['id']);
		expect(check.flow?.map((s) => s.id)).toEqual(['0', '1', '2', '5', '3', '4']);
		expect(check.flow?.[3]).toEqual({
			id: '5',
			type: 'http',
			url: 'https://subdoomain.domain.com/api/test/{{account_id}}',
			method: 'GET',
			next_step: { success: '3', fail: '4' },
		});
	});
});

describe('describeProblem', () => {
	test('uses the label function for the field, with the step type', () => {
		const seen: Array<[string, string | undefined]> = [];
		const text = describeProblem(
			{
				severity: 'error',
				stepIndex: 0,
				stepId: 'a',
				stepType: 'call',
				field: 'caller_id',
				message: 'is missing',
			},
			(field, type) => {
				seen.push([field, type]);
				return '"Caller ID"';
			},
		);
		expect(text).toBe('step 1 (id "a", call), "Caller ID": is missing');
		expect(seen).toEqual([['caller_id', 'call']]);
	});

	test('a step without id or type, and a problem without a field', () => {
		expect(describeProblem({ severity: 'error', stepIndex: 2, message: 'is null' })).toBe(
			'step 3 (no id): is null',
		);
		expect(
			describeProblem({ severity: 'error', stepIndex: 0, stepType: 'play', message: 'm' }),
		).toBe('step 1 (no id, play): m');
		expect(describeProblem({ severity: 'error', message: 'is empty' })).toBe('flow: is empty');
	});
});
