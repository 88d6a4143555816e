/**
 * Unit tests of nodes/Samespace/flow/json-text.ts: reading flow JSON typed or pasted by a user,
 * and saying where and why it is not JSON.
 */
import { locateSyntaxError, parseJsonText } from '../../../nodes/Samespace/flow/json-text';

/** The "Post Payload" example of the Samespace document, exactly as it is printed there. */
const DOCUMENT_POST_PAYLOAD = `{
	"cloud_id":"CLOUD",
	"auth_token":"your auth token",
	“record”: true, #defaults to false
	"flow":[{...},{...}]
}`;

function failure(text: string): string {
	const result = parseJsonText(text);
	expect(result.ok).toBe(false);
	return result.ok ? '' : result.message;
}

describe('valid JSON', () => {
	test.each<[string, unknown]>([
		['[]', []],
		['[{"id": "1", "type": "call"}]', [{ id: '1', type: 'call' }]],
		['{"flow": [1, 2.5, -3e2, true, false, null]}', { flow: [1, 2.5, -300, true, false, null] }],
		['  \n\t[ "a\\"b\\\\c\\u00e9\\n" ]\r\n', ['a"b\\cé\n']],
		['"just text"', 'just text'],
		[
			'{"x": "typographic quotes “inside” text are fine"}',
			{ x: 'typographic quotes “inside” text are fine' },
		],
	])('%p parses', (text, value) => {
		expect(parseJsonText(text)).toEqual({ ok: true, value });
	});

	test('a leading byte order mark is ignored', () => {
		expect(parseJsonText('\uFEFF[{"id": 1}]')).toEqual({ ok: true, value: [{ id: 1 }] });
	});

	test('a byte order mark elsewhere is not ignored', () => {
		expect(failure('[\uFEFF1]')).toMatch(/at line 1, column 2 /);
	});
});

describe('syntax errors say where (line and column) and why', () => {
	test.each<[string, string, number, number, string]>([
		['missing comma', '{"a": 1 "b": 2}', 1, 9, 'expected "," or "}" but found "\\""'],
		[
			'missing comma in a list',
			'[{"id": 1} {"id": 2}]',
			1,
			12,
			'expected "," or "]" but found "{"',
		],
		[
			'trailing comma in a list',
			'[1,2,]',
			1,
			6,
			'there is a comma before "]": remove the trailing comma',
		],
		[
			'trailing comma in an object',
			'{"a":1,}',
			1,
			8,
			'there is a comma before "}": remove the trailing comma',
		],
		[
			'unclosed string (points at where it starts)',
			'{"a": "abc',
			1,
			7,
			'text that starts here is never closed with a double quote',
		],
		[
			'unclosed bracket',
			'[1, 2',
			1,
			6,
			'the text ends where "," or "]" was expected (something is cut off or a bracket is not closed)',
		],
		['unclosed object', '{"a": [1]', 1, 10, 'the text ends where "," or "}" was expected'],
		['text after the value', '{} x', 1, 4, 'there is more text after the end of the JSON value'],
		['a second value', '[1] [2]', 1, 5, 'there is more text after the end of the JSON value'],
		[
			'an extra closing brace',
			'{"a":1}}',
			1,
			8,
			'there is more text after the end of the JSON value',
		],
		[
			'missing colon on line 3',
			'{\n  "a": 1,\n  "b" 2\n}',
			3,
			7,
			'expected ":" after the field name but found "2"',
		],
		['unquoted field name', '{a: 1}', 1, 2, 'expected a field name in double quotes but found "a"'],
		['single quotes', "{'a': 1}", 1, 2, 'expected a field name in double quotes but found "\'"'],
		['invalid escape', '{"a":"\\q"}', 1, 7, 'invalid escape in text'],
		['short unicode escape', '["\\u12"]', 1, 3, 'invalid escape in text'],
		[
			'line break inside text',
			'["a\nb"]',
			1,
			4,
			'a line break or control character inside text: write it as \\n or remove it',
		],
		['a bare minus', '[-]', 1, 2, 'expected a number but found "-"'],
		['leading zero', '[01]', 1, 3, 'expected "," or "]" but found "1"'],
		[
			'NaN',
			'[NaN]',
			1,
			2,
			'expected a value (text in double quotes, a number, true, false, null, an object or a list) but found "N"',
		],
		['misspelled literal', '[tru]', 1, 2, 'expected a value'],
		['error after a CRLF line', '[\r\n1,\r\n,2]', 3, 1, 'expected a value'],
		['tab counts as one column', '[\t\t1 2]', 1, 6, 'expected "," or "]"'],
	])('%s', (_name, text, line, column, reason) => {
		const message = failure(text);
		expect(message).toContain(`at line ${line}, column ${column} `);
		expect(message).toContain(reason);
		expect(message.startsWith('The flow JSON is not valid at line')).toBe(true);
	});

	test('the message quotes the text around the error, shortened with …', () => {
		const text = `[${'1, '.repeat(20)}1 2${', 1'.repeat(20)}]`;
		const message = failure(text);
		expect(message).toMatch(/\(near "….{30}…"\)/);
		expect(message).toContain('1 2');
	});

	test('line breaks in the excerpt are flattened to spaces', () => {
		expect(failure('{\n  "a": 1,\n  "b" 2\n}')).toContain('(near "… "a": 1, "b" 2 }")');
	});

	test('locateSyntaxError gives 1-based line and column and the offset', () => {
		expect(locateSyntaxError('[1,\n  x]')).toEqual({
			offset: 6,
			line: 2,
			column: 3,
			reason: expect.stringContaining('expected a value'),
		});
		expect(locateSyntaxError('[1]')).toMatchObject({ reason: 'no error found' });
	});

	test('empty text', () => {
		expect(failure('')).toContain('at line 1, column 1 ');
		expect(failure('')).toContain('the text ends where a value');
	});
});

describe('text pasted from the Samespace document', () => {
	test('typographic quotes get their own message', () => {
		const message = failure('{“record”: true}');
		expect(message).toBe(
			'The flow JSON has a typographic quote (“) at line 1, column 2 (near "{“record”: true}"), as text copied from the Samespace document does. Replace every “ ” ‘ ’ with a plain double quote (").',
		);
	});

	test.each(['”', '‘', '’', '„', '«'])('other typographic quote %p', (quote) => {
		expect(failure(`[${quote}a${quote}]`)).toContain(
			`has a typographic quote (${quote}) at line 1, column 2`,
		);
	});

	test('a typographic quote as a value', () => {
		expect(failure('{"x": “y”}')).toContain('typographic quote (“) at line 1, column 7');
	});

	test('another error in text that also has typographic quotes adds a hint', () => {
		const message = failure('[1 2, "“"] “');
		expect(message).toMatch(/^The flow JSON is not valid at line 1, column 4 /);
		expect(message).toContain(
			'It also contains typographic quotes (“ ”), which must be plain double quotes (").',
		);
	});

	test('a # comment gets the comment message', () => {
		expect(failure('{"a": 1 # the answer\n}')).toBe(
			'The flow JSON has a comment (# the answer) at line 1, column 9 (near "{"a": 1 # the answer }"). JSON has no comments: delete it.',
		);
	});

	test('a # comment on its own line', () => {
		expect(failure('[\n  # steps\n  1\n]')).toMatch(
			/^The flow JSON has a comment \(# steps\) at line 2, column 3 /,
		);
	});

	test('a // comment gets the comment message', () => {
		expect(failure('[1, // x\n 2]')).toMatch(
			/^The flow JSON has a comment \(\/\/ x\) at line 1, column 5 .*JSON has no comments: delete it\.$/,
		);
	});

	test('the document\'s "Post Payload" example gives the typographic-quote message', () => {
		const message = failure(DOCUMENT_POST_PAYLOAD);
		expect(message).toMatch(/^The flow JSON has a typographic quote \(“\) at line 4, column 2 /);
		expect(message).toContain('as text copied from the Samespace document does');
		expect(message).toContain('Replace every “ ” ‘ ’ with a plain double quote (").');
	});

	test('once the quotes are fixed, the same example gives the comment message', () => {
		const message = failure(DOCUMENT_POST_PAYLOAD.replace(/[“”]/g, '"'));
		expect(message).toMatch(
			/^The flow JSON has a comment \(#defaults to false\) at line 4, column 18 /,
		);
	});
});

describe('robustness', () => {
	test('200,000 open brackets do not throw', () => {
		const text = '['.repeat(200_000);
		let result: ReturnType<typeof parseJsonText> | undefined;
		expect(() => {
			result = parseJsonText(text);
		}).not.toThrow();
		expect(result?.ok).toBe(false);
		expect(result?.ok === false && result.message).toMatch(
			/^The flow JSON is not valid at line 1, column 1 .*nested too deeply/,
		);
	});

	test('deeply nested objects do not throw', () => {
		expect(() => parseJsonText('{"a":'.repeat(100_000))).not.toThrow();
	});

	test('a long invalid text is answered quickly, with a short message', () => {
		const text = `[${'{"id": "1", "type": "play", "text": "hello"},'.repeat(20_000)}]`;
		const started = Date.now();
		const message = failure(text);
		expect(Date.now() - started).toBeLessThan(2000);
		expect(message.length).toBeLessThan(300);
		expect(message).toContain('remove the trailing comma');
	});
});
