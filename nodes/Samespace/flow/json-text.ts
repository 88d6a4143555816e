/**
 * Reading a flow written as JSON text. `JSON.parse` on Node 20 often says only "Unexpected token",
 * without a position; users paste flows from Samespace's document, whose examples contain
 * typographic quotes and `#` comments. So a failed parse is scanned again to say where, and why.
 */

export type JsonTextResult = { ok: true; value: unknown } | { ok: false; message: string };

export function parseJsonText(text: string): JsonTextResult {
	const source = text.replace(/^\uFEFF/, '');
	try {
		return { ok: true, value: JSON.parse(source) };
	} catch {
		return { ok: false, message: explainSyntaxError(source) };
	}
}

const TYPOGRAPHIC_QUOTES = /[\u201C\u201D\u201E\u201F\u2018\u2019\u201A\u201B\u00AB\u00BB\u2033]/;

function explainSyntaxError(source: string): string {
	const fault = locateSyntaxError(source);
	const where = `at line ${fault.line}, column ${fault.column} (near ${excerpt(source, fault.offset)})`;
	const char = source[fault.offset] ?? '';
	if (TYPOGRAPHIC_QUOTES.test(char)) {
		return `The flow JSON has a typographic quote (${char}) ${where}, as text copied from the Samespace document does. Replace every “ ” ‘ ’ with a plain double quote (").`;
	}
	if (char === '#' || source.startsWith('//', fault.offset)) {
		const comment = source.slice(fault.offset).split('\n')[0].trim();
		return `The flow JSON has a comment (${comment}) ${where}. JSON has no comments: delete it.`;
	}
	const hint = TYPOGRAPHIC_QUOTES.test(source)
		? ' It also contains typographic quotes (“ ”), which must be plain double quotes (").'
		: '';
	return `The flow JSON is not valid ${where}: ${fault.reason}.${hint}`;
}

function excerpt(source: string, offset: number): string {
	const start = Math.max(0, offset - 15);
	const snippet = source.slice(start, offset + 15).replace(/\s+/g, ' ');
	return `"${start > 0 ? '…' : ''}${snippet}${offset + 15 < source.length ? '…' : ''}"`;
}

interface SyntaxFault {
	offset: number;
	line: number;
	column: number;
	reason: string;
}

class Fault extends Error {
	constructor(
		readonly offset: number,
		readonly reason: string,
	) {
		super(reason);
	}
}

/** A small JSON reader whose only job is to find where, and why, text stops being JSON. */
export function locateSyntaxError(source: string): SyntaxFault {
	let at = 0;
	const skipSpace = () => {
		while (at < source.length && ' \t\n\r'.includes(source[at])) at++;
	};
	const expect = (what: string) => {
		if (at >= source.length)
			throw new Fault(
				at,
				`the text ends where ${what} was expected (something is cut off or a bracket is not closed)`,
			);
		throw new Fault(at, `expected ${what} but found ${JSON.stringify(source[at])}`);
	};
	const value = (): void => {
		skipSpace();
		const char = source[at];
		if (char === '{') return object();
		if (char === '[') return array();
		if (char === '"') return string();
		if (char === '-' || (char >= '0' && char <= '9')) return number();
		for (const word of ['true', 'false', 'null']) {
			if (source.startsWith(word, at)) {
				at += word.length;
				return;
			}
		}
		expect('a value (text in double quotes, a number, true, false, null, an object or a list)');
	};
	/** The members of an object or a list, after its opening bracket, through `close`. */
	const members = (close: '}' | ']', member: () => void) => {
		at++;
		skipSpace();
		if (source[at] === close) {
			at++;
			return;
		}
		for (;;) {
			member();
			skipSpace();
			if (source[at] === ',') {
				at++;
				skipSpace();
				if (source[at] === close)
					throw new Fault(at, `there is a comma before "${close}": remove the trailing comma`);
				continue;
			}
			if (source[at] === close) {
				at++;
				return;
			}
			expect(`"," or "${close}"`);
		}
	};
	const field = () => {
		skipSpace();
		if (source[at] !== '"') expect('a field name in double quotes');
		string();
		skipSpace();
		if (source[at] !== ':') expect('":" after the field name');
		at++;
		value();
	};
	const object = () => members('}', field);
	const array = () => members(']', value);
	const string = () => {
		const start = at;
		at++;
		while (at < source.length) {
			const char = source[at];
			if (char === '"') {
				at++;
				return;
			}
			if (char === '\\') {
				const escape = source[at + 1];
				if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(at + 2, at + 6))) at += 6;
				else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) at += 2;
				else
					throw new Fault(
						at,
						'invalid escape in text: use \\" for a quote and \\\\ for a backslash',
					);
				continue;
			}
			if (char < ' ')
				throw new Fault(
					at,
					'a line break or control character inside text: write it as \\n or remove it',
				);
			at++;
		}
		throw new Fault(start, 'text that starts here is never closed with a double quote');
	};
	const number = () => {
		const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(at));
		if (!match) expect('a number');
		at += (match as RegExpExecArray)[0].length;
	};

	try {
		value();
		skipSpace();
		if (at < source.length)
			throw new Fault(at, 'there is more text after the end of the JSON value');
		return position(source, source.length, 'no error found');
	} catch (error) {
		if (error instanceof Fault) return position(source, error.offset, error.reason);
		// Only a stack overflow gets here: nesting far deeper than any call flow.
		return position(source, 0, 'it is nested too deeply to be a call flow');
	}
}

function position(source: string, offset: number, reason: string): SyntaxFault {
	const before = source.slice(0, offset);
	const line = before.split('\n').length;
	const column = offset - before.lastIndexOf('\n');
	return { offset, line, column, reason };
}
