/**
 * Unit tests of reading Samespace's answer (nodes/Samespace/transport/response.ts): each status and
 * body classified as accepted, refused, busy, uncertain or redirected, with its message; Retry-After;
 * what a body is when it is not JSON; answers nested too deep (`limitDepth`); and network errors
 * (`interpretRequestError`). Pure functions: no I/O, no timers.
 */
import {
	describeText,
	interpretRequestError,
	interpretResponse,
	parseRetryAfter,
	limitDepth,
	MAX_ANSWER_DEPTH,
	redirected,
} from '../../../nodes/Samespace/transport/response';
import type { Failure, Outcome } from '../../../nodes/Samespace/transport/outcome';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const TARGET = 'https://api.samespace.com/api/public/v1/call/flow';
const MAY_HAVE_PLACED =
	'The call may have been placed: check in Samespace before you send this item again.';
/** Network error codes that n8n would spot in a message and replace it with a generic text. */
const RAW_CODE = /\b(E[A-Z]{3,}|ERR_[A-Z_]+)\b/;

function failed(outcome: Outcome): Failure {
	expect(outcome.kind).not.toBe('accepted');
	if (outcome.kind === 'accepted') throw new Error('expected a failure');
	return outcome;
}

const respond = (status: number, body: string, headers: Record<string, unknown> = {}) =>
	interpretResponse(status, headers, body, NOW);

const CUT_MARKER = '[nested too deep: left out]';

/** How many objects/arrays are nested inside each other at the deepest point. */
function depthOf(value: unknown): number {
	if (typeof value !== 'object' || value === null) return 0;
	let deepest = 0;
	for (const inner of Object.values(value)) deepest = Math.max(deepest, depthOf(inner));
	return deepest + 1;
}

const deepObjectText = (levels: number, leaf = '1') =>
	`${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`;
const deepArrayText = (levels: number, leaf = '1') =>
	`${'['.repeat(levels)}${leaf}${']'.repeat(levels)}`;

// -------------------------------------------------------------------------------------------------

describe('interpretResponse: 2xx', () => {
	test('a JSON object is accepted, with its body', () => {
		expect(respond(200, '{"success": true, "call_id": "abc"}')).toEqual({
			kind: 'accepted',
			statusCode: 200,
			body: { success: true, call_id: 'abc' },
		});
		expect(respond(201, '{}')).toEqual({ kind: 'accepted', statusCode: 201, body: {} });
	});

	test('an empty body is uncertain (the call may have been placed), not retryable', () => {
		const outcome = failed(respond(200, ''));
		expect(outcome).toMatchObject({ kind: 'uncertain', retryable: false, statusCode: 200 });
		expect(outcome.message).toBe('Samespace answered HTTP 200 with an empty body');
		expect(outcome.description).toContain(MAY_HAVE_PLACED);
		expect(outcome.description).toContain('It was not retried, so nobody is called twice.');
	});

	test('an HTML page is uncertain and named by its title', () => {
		const outcome = failed(
			respond(200, '<!DOCTYPE html><html><head><title> Login required </title></head></html>'),
		);
		expect(outcome).toMatchObject({ kind: 'uncertain', retryable: false });
		expect(outcome.message).toBe(
			'Samespace answered HTTP 200 with an HTML page titled "Login required" instead of JSON',
		);
	});

	test('truncated JSON is uncertain', () => {
		const outcome = failed(respond(200, '{"success": true, "call'));
		expect(outcome).toMatchObject({ kind: 'uncertain', retryable: false });
		expect(outcome.message).toBe(
			'Samespace answered HTTP 200 with JSON that is cut off or broken (23 characters)',
		);
	});

	test.each(['[]', '[{"success": true}]', '"ok"', '42', 'null', 'true'])(
		'JSON %p that is not an object is uncertain',
		(body) => {
			const outcome = failed(respond(200, body));
			expect(outcome).toMatchObject({ kind: 'uncertain', retryable: false, statusCode: 200 });
			expect(outcome.message).toBe('Samespace answered HTTP 200 with JSON that is not an object');
		},
	);

	test('plain text is uncertain and quoted', () => {
		expect(failed(respond(202, 'OK')).message).toBe(
			'Samespace answered HTTP 202 with text instead of JSON: "OK"',
		);
	});

	test("success: false is a refusal (no call placed), with Samespace's message", () => {
		const outcome = failed(respond(200, '{"success": false, "message": "Invalid auth token"}'));
		expect(outcome).toEqual({
			kind: 'refused',
			retryable: false,
			mayHavePlaced: false,
			statusCode: 200,
			message: 'Samespace refused the call flow: Invalid auth token',
			description: 'No call was placed. Samespace answered HTTP 200 with success: false.',
			// Kept apart so that an operation can say what it means (voice/answers.ts).
			said: 'Invalid auth token',
		});
	});

	test('success: false without a message', () => {
		expect(failed(respond(200, '{"success": false}')).message).toBe(
			'Samespace refused the call flow: it answered success: false without a message',
		);
	});

	test.each([
		['{"success": false, "error": "bad flow"}', 'bad flow'],
		['{"success": false, "msg": "  padded  "}', 'padded'],
		['{"success": false, "detail": "d"}', 'd'],
		['{"success": false, "error_description": "e"}', 'e'],
		['{"success": false, "error": {"message": "nested"}}', 'nested'],
		['{"success": false, "message": "", "error": "second key"}', 'second key'],
	])("Samespace's own message is found in %s", (body, said) => {
		expect(failed(respond(200, body)).message).toBe(`Samespace refused the call flow: ${said}`);
	});
});

describe('redirected', () => {
	const LOCATION = 'https://api2.samespace.com/api/public/v1/call/flow';

	test.each<[number, boolean]>([
		[301, false],
		[302, true],
		[303, true],
		[307, false],
		[308, false],
		[300, true],
		[304, true],
	])(
		'HTTP %i: mayHavePlaced %s, never retryable, the location kept',
		(statusCode, mayHavePlaced) => {
			const failure = redirected(statusCode, LOCATION);
			expect(failure).toMatchObject({
				kind: 'redirected',
				statusCode,
				mayHavePlaced,
				retryable: false,
				location: LOCATION,
			});
			expect(failure.message).toBe(
				`Samespace's address answered with a redirect (HTTP ${statusCode}) to ${LOCATION}; the node does not follow redirects, so nothing was sent there`,
			);
			if (mayHavePlaced) {
				expect(failure.description).toContain(
					'The call may have been placed: check in Samespace before you send this item again.',
				);
				expect(failure.description).not.toContain('No call was placed.');
			} else {
				expect(failure.description).toContain('No call was placed.');
				expect(failure.description).toContain(
					"if the address it points to is Samespace's API, use it as the Base URL",
				);
				expect(failure.description).not.toContain('may have been placed');
			}
			expect(failure.description).toContain('Check the Base URL in the Samespace API credential');
		},
	);

	test('a Location longer than 200 characters is cut', () => {
		const long = `https://elsewhere.example/${'a'.repeat(300)}`;
		const failure = redirected(301, long);
		expect(failure.location).toBe(`${long.slice(0, 200)}…`);
		expect(failure.message).toContain(`to ${long.slice(0, 200)}…;`);
		expect(failure.message).not.toContain(long);
		expect(failure.description).not.toContain(long);
	});

	test('a Location of exactly 200 characters is kept whole; surrounding whitespace is trimmed', () => {
		const exact = `https://e.example/${'b'.repeat(200 - 'https://e.example/'.length)}`;
		expect(exact).toHaveLength(200);
		expect(redirected(308, exact).location).toBe(exact);
		expect(redirected(308, `  ${LOCATION}\n`).location).toBe(LOCATION);
	});

	test.each<[string, unknown]>([
		['missing', undefined],
		['empty', ''],
		['whitespace', '  '],
		['a list', [LOCATION]],
		['a number', 42],
	])('a Location that is %s: "without saying where", no location', (_name, location) => {
		for (const statusCode of [301, 302]) {
			const failure = redirected(statusCode, location);
			expect(failure.location).toBeUndefined();
			expect(failure.message).toContain(`(HTTP ${statusCode}) without saying where;`);
			expect(failure.message).not.toContain('undefined');
			expect(failure.description).not.toContain('use it as the Base URL');
		}
	});
});

describe('interpretResponse: 3xx', () => {
	test.each([300, 301, 302, 303, 304, 307, 308, 399])(
		'HTTP %i is a redirect, with the location header',
		(statusCode) => {
			const location = 'https://elsewhere.example/call/flow';
			const outcome = failed(
				interpretResponse(statusCode, { location }, '{"success": true, "call_id": "x"}', NOW),
			);
			expect(outcome).toEqual(redirected(statusCode, location));
			expect(outcome).toMatchObject({ kind: 'redirected', retryable: false, location });
		},
	);

	test('a 3xx without a location header says so; a 3xx is never accepted, whatever its body', () => {
		const outcome = failed(interpretResponse(302, {}, '{"success": true}', NOW));
		expect(outcome).toMatchObject({ kind: 'redirected', mayHavePlaced: true, location: undefined });
		expect(outcome.message).toContain('without saying where');
	});
});

describe('interpretResponse: 4xx', () => {
	test('400 with a message: refused, the message is given, not retryable', () => {
		expect(respond(400, '{"success": false, "message": "flow[2].count is required"}')).toEqual({
			kind: 'refused',
			retryable: false,
			mayHavePlaced: false,
			statusCode: 400,
			message: 'Samespace refused the flow: flow[2].count is required',
			description: 'No call was placed.',
			said: 'flow[2].count is required',
		});
	});

	test('400 and 422 without a message', () => {
		expect(failed(respond(400, '')).message).toBe('Samespace refused the flow: HTTP 400');
		expect(failed(respond(422, '{}')).message).toBe('Samespace refused the flow: HTTP 422');
	});

	test('400 with a text body describes the text', () => {
		expect(failed(respond(400, 'Bad Request')).message).toBe(
			'Samespace refused the flow: text instead of JSON: "Bad Request"',
		);
	});

	test('422 with a message', () => {
		expect(failed(respond(422, '{"message": "unknown step type"}'))).toMatchObject({
			kind: 'refused',
			retryable: false,
			message: 'Samespace refused the flow: unknown step type',
		});
	});

	test.each<[number, RegExp]>([
		[
			401,
			/^Samespace did not accept the credentials: check the Cloud ID and Auth Token in the Samespace API credential \(HTTP 401\)$/,
		],
		[
			403,
			/^Samespace refused access: check that the Auth Token may create call flows in this cloud \(HTTP 403\)$/,
		],
		[
			404,
			/^Samespace has no call flow API at this address: check the Base URL in the Samespace API credential \(HTTP 404\)$/,
		],
		[405, /^Samespace has no call flow API at this address: check the Base URL .* \(HTTP 405\)$/],
		[
			413,
			/^The request is too large for Samespace: make the flow smaller \(fewer or shorter steps\) \(HTTP 413\)$/,
		],
	])('%i is refused with advice', (status, message) => {
		const outcome = failed(respond(status, '{"message": "nope"}'));
		expect(outcome.kind).toBe('refused');
		expect(outcome.retryable).toBe(false);
		expect(outcome.statusCode).toBe(status);
		expect(outcome.message).toMatch(message);
		expect(outcome.description).toBe('No call was placed. Samespace said: nope');
	});

	test('401 without a body says nothing more', () => {
		expect(failed(respond(401, '')).description).toBe('No call was placed.');
	});

	test('another 4xx is refused and not retried', () => {
		const outcome = failed(respond(409, '{"message": "duplicate"}'));
		expect(outcome).toMatchObject({ kind: 'refused', retryable: false, statusCode: 409 });
		expect(outcome.message).toContain('HTTP 409');
		expect(outcome.description).toBe('No call was placed. Samespace said: duplicate');
	});

	// A 4xx without specific advice names its status once, not twice.
	test('another 4xx names the status once', () => {
		expect(failed(respond(409, '')).message).toBe('Samespace refused the request (HTTP 409)');
	});
});

describe('interpretResponse: 429 and 503', () => {
	test.each([429, 503])('%i with Retry-After in seconds is busy and retryable', (status) => {
		const outcome = failed(respond(status, '{"message": "slow down"}', { 'retry-after': '7' }));
		expect(outcome).toMatchObject({
			kind: 'busy',
			retryable: true,
			statusCode: status,
			retryAfterMs: 7000,
		});
		expect(outcome.description).toBe('No call was placed. Samespace said: slow down');
	});

	test('429 and 503 messages', () => {
		expect(failed(respond(429, '')).message).toBe(
			'Samespace is limiting how fast calls can be placed (429 Too Many Requests)',
		);
		expect(failed(respond(503, '{}')).message).toBe(
			'Samespace is temporarily unavailable (503 Service Unavailable)',
		);
		expect(failed(respond(503, '{}')).description).toBe('No call was placed.');
		expect(failed(respond(503, '', { 'retry-after': '0' })).description).toBe(
			'No call was placed.',
		);
		expect(failed(respond(503, '')).kind).toBe('uncertain'); // an empty 503 says nothing about the request
	});

	test('Retry-After as an HTTP date', () => {
		const outcome = failed(
			respond(503, '', { 'retry-after': new Date(NOW + 90_000).toUTCString() }),
		);
		expect(outcome).toMatchObject({ kind: 'busy', retryable: true, retryAfterMs: 90_000 });
	});

	test('no Retry-After: still busy and retryable, with no wait given', () => {
		const outcome = failed(respond(429, '<html>busy</html>'));
		expect(outcome).toMatchObject({ kind: 'busy', retryable: true, statusCode: 429 });
		expect(outcome.retryAfterMs).toBeUndefined();
	});

	// A gateway's 503 page can follow a request it had forwarded (Envoy: "upstream connect error or
	// disconnect/reset before headers"): only Retry-After or Samespace's own JSON make it a "busy".
	test('503 with an HTML page and no Retry-After: may have been placed, never retried', () => {
		const outcome = failed(respond(503, '<html><title>Maintenance</title></html>'));
		expect(outcome).toMatchObject({ kind: 'uncertain', retryable: false, mayHavePlaced: true });
		expect(outcome.message).toBe(
			'Samespace failed with HTTP 503: an HTML page titled "Maintenance" instead of JSON',
		);
		expect(
			failed(
				respond(
					503,
					'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
				),
			).kind,
		).toBe('uncertain');
	});

	test('503 with an HTML page and Retry-After: busy', () => {
		const outcome = failed(
			respond(503, '<html><title>Maintenance</title></html>', { 'retry-after': '2' }),
		);
		expect(outcome).toMatchObject({
			kind: 'busy',
			retryable: true,
			mayHavePlaced: false,
			retryAfterMs: 2000,
		});
		expect(outcome.description).toBe(
			'No call was placed. Samespace said: an HTML page titled "Maintenance" instead of JSON',
		);
	});
});

describe('interpretResponse: 5xx and others', () => {
	test.each([500, 502, 504])('%i is uncertain and never retried', (status) => {
		const outcome = failed(respond(status, '{"message": "internal"}', { 'retry-after': '1' }));
		expect(outcome).toMatchObject({ kind: 'uncertain', retryable: false, statusCode: status });
		expect(outcome.retryAfterMs).toBeUndefined();
		expect(outcome.message).toBe(`Samespace failed with HTTP ${status}: internal`);
		expect(outcome.description).toContain(MAY_HAVE_PLACED);
	});

	test('500 without a body', () => {
		expect(failed(respond(500, '')).message).toBe('Samespace failed with HTTP 500');
	});
});

describe('parseRetryAfter', () => {
	test.each<[unknown, number | undefined]>([
		['5', 5000],
		[' 12 ', 12_000],
		['1.5', 1500],
		['0', 0],
		[3, 3000],
		[['4', '9'], 4000],
		[new Date(NOW + 30_000).toUTCString(), 30_000],
		[new Date(NOW - 30_000).toUTCString(), 0],
		['soon', undefined],
		['', undefined],
		[undefined, undefined],
		[null, undefined],
		[{}, undefined],
		[[], undefined],
	])('%p -> %p ms', (header, ms) => {
		expect(parseRetryAfter(header, NOW)).toBe(ms);
	});
});

describe('describeText', () => {
	test.each([
		['', 'an empty body'],
		['  \n ', 'an empty body'],
		['<html><body>x</body></html>', 'an HTML page instead of JSON'],
		[
			'<html><TITLE>502 Bad Gateway</TITLE></html>',
			'an HTML page titled "502 Bad Gateway" instead of JSON',
		],
		['{"a": ', 'JSON that is cut off or broken (5 characters)'],
		['[1,', 'JSON that is cut off or broken (3 characters)'],
		['Service\n  Unavailable', 'text instead of JSON: "Service Unavailable"'],
	])('%p', (text, description) => {
		expect(describeText(text)).toBe(description);
	});

	test('long text and long titles are cut', () => {
		expect(describeText('x'.repeat(100))).toBe(`text instead of JSON: "${'x'.repeat(80)}…"`);
		expect(describeText(`<title>${'t'.repeat(100)}</title>`)).toBe(
			`an HTML page titled "${'t'.repeat(80)}" instead of JSON`,
		);
	});
});

describe('lenient inputs that must not be misread', () => {
	test('success: "false" as text is a refusal, not an accepted call', () => {
		expect(interpretResponse(200, {}, '{"success":"false","message":"no"}', 0).kind).toBe(
			'refused',
		);
	});

	test('Retry-After values that are neither seconds nor an HTTP date are ignored', () => {
		expect(parseRetryAfter('-1', 0)).toBeUndefined();
		expect(parseRetryAfter('1 2', 0)).toBeUndefined();
		expect(
			parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')),
		).toBe(60_000);
	});
});

// -------------------------------------------------------------------------------------------------

describe('limitDepth', () => {
	test('a 5,000-level object parsed from JSON comes back within the limit, serializable, with the marker at the cut', () => {
		const deep = JSON.parse(deepObjectText(5000));
		for (const limit of [1, 2, MAX_ANSWER_DEPTH]) {
			const limited = limitDepth(deep, limit);
			expect(depthOf(limited)).toBe(limit);
			expect(() => JSON.stringify(limited)).not.toThrow();
			let at = limited as Record<string, unknown>;
			for (let level = 1; level < limit; level++) at = at.a as Record<string, unknown>;
			expect(at).toEqual({ a: CUT_MARKER });
		}
		expect(JSON.stringify(limitDepth(deep, 2))).toBe(`{"a":{"a":"${CUT_MARKER}"}}`);
	});

	test('a 5,000-level array is limited the same way', () => {
		const deep = JSON.parse(deepArrayText(5000));
		const limited = limitDepth(deep, MAX_ANSWER_DEPTH);
		expect(depthOf(limited)).toBe(MAX_ANSWER_DEPTH);
		expect(JSON.stringify(limited)).toBe(
			`${'['.repeat(MAX_ANSWER_DEPTH)}"${CUT_MARKER}"${']'.repeat(MAX_ANSWER_DEPTH)}`,
		);
	});

	test('values within the limit are unchanged', () => {
		const shallow = {
			call_id: 'abc',
			n: 1,
			ok: true,
			none: null,
			list: [1, 'two', { three: [3] }],
			inner: { a: { b: 'c' } },
		};
		expect(limitDepth(shallow, MAX_ANSWER_DEPTH)).toEqual(shallow);
		expect(limitDepth(shallow, 4)).toEqual(shallow); // exactly as deep as the limit
		expect(limitDepth([[1], [2, [3]]], 3)).toEqual([[1], [2, [3]]]);
		for (const primitive of ['text', 0, -1.5, true, false, null, undefined])
			expect(limitDepth(primitive, 0)).toBe(primitive);
		expect(limitDepth({}, 1)).toEqual({});
		expect(limitDepth([], 1)).toEqual([]);
	});

	test('only the branches that are too deep are cut', () => {
		expect(limitDepth({ flat: 1, deep: { a: { b: 1 } }, list: [[[]]] }, 2)).toEqual({
			flat: 1,
			deep: { a: CUT_MARKER },
			list: [CUT_MARKER],
		});
		expect(limitDepth({ a: 1 }, 0)).toBe(CUT_MARKER);
	});

	test('the input is not changed', () => {
		const input = { a: { b: { c: 1 } } };
		limitDepth(input, 1);
		expect(input).toEqual({ a: { b: { c: 1 } } });
	});
});

describe('interpretResponse: a deeply nested 2xx answer', () => {
	test.each([5000, 50_000])(
		'%i levels: accepted, within MAX_ANSWER_DEPTH, serializable, call_id kept',
		(levels) => {
			const text = `{"success": true, "call_id": "c-42", "detail": ${deepObjectText(levels)}, "list": ${deepArrayText(levels)}}`;
			const outcome = interpretResponse(200, {}, text, NOW);
			expect(outcome.kind).toBe('accepted');
			if (outcome.kind !== 'accepted') return;
			expect(outcome.statusCode).toBe(200);
			expect(outcome.body.call_id).toBe('c-42');
			expect(outcome.body.success).toBe(true);
			expect(depthOf(outcome.body)).toBeLessThanOrEqual(MAX_ANSWER_DEPTH);
			expect(() => JSON.stringify(outcome.body)).not.toThrow();
			expect(JSON.stringify(outcome.body)).toContain(CUT_MARKER);
		},
	);

	test('a small answer is kept whole', () => {
		expect(
			interpretResponse(200, {}, '{"call_id": "c-1", "data": {"a": [1, {"b": 2}]}}', NOW),
		).toEqual({
			kind: 'accepted',
			statusCode: 200,
			body: { call_id: 'c-1', data: { a: [1, { b: 2 }] } },
		});
	});
});

// -------------------------------------------------------------------------------------------------

describe('interpretRequestError', () => {
	const networkError = (code: string, message = `connect ${code} 10.0.0.1:443`) =>
		Object.assign(new Error(message), { code });
	/** n8n wraps the network error as the `cause` of its own error. */
	const wrapped = (code: string) =>
		Object.assign(new Error('The service refused the connection - perhaps it is offline'), {
			cause: networkError(code),
		});

	test.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])(
		'%s: not sent, retryable',
		(code) => {
			for (const error of [networkError(code), wrapped(code)]) {
				const outcome = interpretRequestError(error, TARGET, 30_000);
				expect(outcome).toMatchObject({ kind: 'notSent', retryable: true, code });
				expect(outcome.message.startsWith(`Could not reach Samespace at ${TARGET}: `)).toBe(true);
				expect(outcome.description).toMatch(/^No call was placed\. Check the Base URL/);
			}
		},
	);

	test('ECONNREFUSED and ENOTFOUND messages say what happened', () => {
		expect(interpretRequestError(wrapped('ECONNREFUSED'), TARGET, 1).message).toBe(
			`Could not reach Samespace at ${TARGET}: nothing accepted the connection`,
		);
		expect(interpretRequestError(wrapped('ENOTFOUND'), TARGET, 1).message).toBe(
			`Could not reach Samespace at ${TARGET}: the host name does not resolve`,
		);
	});

	test.each(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT'])(
		'%s: uncertain (timeout), not retryable',
		(code) => {
			for (const error of [networkError(code), wrapped(code)]) {
				const outcome = interpretRequestError(error, TARGET, 30_000);
				expect(outcome).toMatchObject({ kind: 'uncertain', retryable: false, code });
				expect(outcome.message).toBe('Samespace did not answer within 30 s');
				expect(outcome.description).toContain(MAY_HAVE_PLACED);
				expect(outcome.description).toContain(
					'covers the whole exchange, from sending to the last byte of the answer; if Samespace is often this slow, raise it',
				);
			}
		},
	);

	test('the timeout is given in seconds with one decimal', () => {
		expect(interpretRequestError(wrapped('ETIMEDOUT'), TARGET, 1500).message).toBe(
			'Samespace did not answer within 1.5 s',
		);
	});

	test('ECONNRESET: uncertain, not retryable', () => {
		const outcome = interpretRequestError(wrapped('ECONNRESET'), TARGET, 30_000);
		expect(outcome).toMatchObject({ kind: 'uncertain', retryable: false, code: 'ECONNRESET' });
		expect(outcome.message).toBe('The connection to Samespace broke before its answer arrived');
		expect(outcome.description).toContain(MAY_HAVE_PLACED);
		expect(outcome.description).toContain(
			'Network error: ECONNRESET, connect ECONNRESET 10.0.0.1:443.',
		);
	});

	test('ERR_CANCELED, CanceledError and AbortError: cancelled', () => {
		for (const error of [
			wrapped('ERR_CANCELED'),
			networkError('ERR_CANCELED'),
			Object.assign(new Error('canceled'), { name: 'CanceledError' }),
			{ cause: Object.assign(new Error('aborted'), { name: 'AbortError' }) },
		]) {
			const outcome = interpretRequestError(error, TARGET, 30_000);
			expect(outcome.kind).toBe('cancelled');
			expect(outcome.retryable).toBe(false);
			expect(outcome.message).toBe('The execution was stopped while this call was being sent');
		}
	});

	test('an invalid URL: not sent, not retryable', () => {
		const outcome = interpretRequestError(wrapped('ERR_INVALID_URL'), 'htp:/x/call/flow', 30_000);
		expect(outcome).toMatchObject({ kind: 'notSent', retryable: false });
		expect(outcome.message).toBe('The Base URL does not make a valid address (htp:/x/call/flow)');
	});

	test('an unknown error, or no error object at all, is uncertain', () => {
		for (const error of [new Error('socket hang up'), undefined, null, 'boom', { cause: {} }]) {
			const outcome = interpretRequestError(error, TARGET, 30_000);
			expect(outcome).toMatchObject({ kind: 'uncertain', retryable: false });
			expect(outcome.message).toBe('The connection to Samespace broke before its answer arrived');
		}
		expect(interpretRequestError(new Error('socket hang up'), TARGET, 1).description).toContain(
			'Network error: socket hang up.',
		);
		expect(interpretRequestError(undefined, TARGET, 1).description).toContain(
			'Network error: unknown network error.',
		);
	});

	test('no message contains a raw network error code (n8n would replace it with a generic text)', () => {
		const codes = [
			'ECONNREFUSED',
			'ENOTFOUND',
			'EAI_AGAIN',
			'EHOSTUNREACH',
			'ENETUNREACH',
			'ECONNABORTED',
			'ETIMEDOUT',
			'ESOCKETTIMEDOUT',
			'ECONNRESET',
			'EPIPE',
			'ERR_CANCELED',
			'ERR_INVALID_URL',
			'ERR_INVALID_ARG_VALUE',
			'ERR_SOMETHING_NEW',
		];
		for (const code of codes) {
			for (const error of [networkError(code), wrapped(code)]) {
				const outcome = interpretRequestError(error, TARGET, 30_000);
				expect(outcome.message).not.toMatch(RAW_CODE);
				expect(outcome.message).not.toContain(code);
			}
		}
	});

	test('no response message contains a raw network error code either', () => {
		for (const status of [200, 400, 401, 404, 429, 500, 503]) {
			expect(failedOrAccepted(respond(status, ''))).not.toMatch(RAW_CODE);
		}
	});
});

const failedOrAccepted = (outcome: Outcome) => (outcome.kind === 'accepted' ? '' : outcome.message);
