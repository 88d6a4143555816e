/**
 * Unit tests of reading the credential (transport/connection.ts: the Base URL normalised into the
 * endpoint, the Auth Token and Cloud ID checked), of redirects and deep answers
 * (transport/response.ts: `redirected`, `limitDepth`, `interpretResponse`) and of the run summary
 * (sending/send-calls.ts: `summarize`). Pure functions: no I/O, no timers.
 */
import { SAMESPACE_DEFAULT_BASE_URL } from '../../nodes/Samespace/transport/credential';
import { summarize, type PendingCall } from '../../nodes/Samespace/sending/send-calls';
import { readConnection, resolveEndpoint } from '../../nodes/Samespace/transport/connection';
import { MASK } from '../../nodes/Samespace/transport/redact';
import {
	interpretResponse,
	limitDepth,
	MAX_ANSWER_DEPTH,
	redirected,
} from '../../nodes/Samespace/transport/response';
import type { Failure, Outcome } from '../../nodes/Samespace/transport/outcome';
import type { RetryResult } from '../../nodes/Samespace/sending/retry';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const DEFAULT_ENDPOINT = 'https://api.samespace.com/api/public/v1/call/flow';
const TOKEN = 'tok_live_7Qx9Zp2Lm4';
const CUT_MARKER = '[nested too deep: left out]';

function refused(result: ReturnType<typeof resolveEndpoint>): string {
	expect(result.ok).toBe(false);
	if (result.ok) throw new Error(`expected a refusal, got ${result.endpoint}`);
	return result.problem;
}

function failed(outcome: Outcome): Failure {
	expect(outcome.kind).not.toBe('accepted');
	if (outcome.kind === 'accepted') throw new Error('expected a failure');
	return outcome;
}

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

describe('resolveEndpoint: accepted Base URLs', () => {
	test('the default Base URL is the one the credential offers', () => {
		expect(`${SAMESPACE_DEFAULT_BASE_URL}/call/flow`).toBe(DEFAULT_ENDPOINT);
	});

	test.each<[string, unknown, string]>([
		['undefined', undefined, DEFAULT_ENDPOINT],
		['null', null, DEFAULT_ENDPOINT],
		['an empty string', '', DEFAULT_ENDPOINT],
		['whitespace only', ' \t\n ', DEFAULT_ENDPOINT],
		// What n8n's expression engine would make of it, as the credential test reads it with String().
		[
			'an array of one address',
			['https://api.example.com/x'],
			'https://api.example.com/x/call/flow',
		],
		['the default itself', 'https://api.samespace.com/api/public/v1', DEFAULT_ENDPOINT],
		['surrounding whitespace', '  https://api.samespace.com/api/public/v1 \n', DEFAULT_ENDPOINT],
		['one trailing slash', 'https://api.samespace.com/api/public/v1/', DEFAULT_ENDPOINT],
		['several trailing slashes', 'https://api.samespace.com/api/public/v1///', DEFAULT_ENDPOINT],
		[
			'a trailing /call/flow',
			'https://api.samespace.com/api/public/v1/call/flow',
			DEFAULT_ENDPOINT,
		],
		[
			'a trailing /call/flow/',
			'https://api.samespace.com/api/public/v1/call/flow/',
			DEFAULT_ENDPOINT,
		],
		[
			'a trailing /CALL/FLOW',
			'https://api.samespace.com/api/public/v1/CALL/FLOW',
			DEFAULT_ENDPOINT,
		],
		// Kept as written (scheme and host are case-insensitive), so the credential test's expression can match it.
		[
			'an upper-case scheme and host',
			'HTTPS://API.SAMESPACE.COM/api/public/v1',
			'HTTPS://API.SAMESPACE.COM/api/public/v1/call/flow',
		],
		[
			'a mixed-case scheme',
			'hTTpS://api.samespace.com/api/public/v1',
			'hTTpS://api.samespace.com/api/public/v1/call/flow',
		],
		[
			'the explicit default https port',
			'https://api.samespace.com:443/api/public/v1',
			'https://api.samespace.com:443/api/public/v1/call/flow',
		],
		[
			'the explicit default http port',
			'http://localhost:80/api',
			'http://localhost:80/api/call/flow',
		],
		[
			'another port, kept',
			'https://api.samespace.com:8443/v1',
			'https://api.samespace.com:8443/v1/call/flow',
		],
		['http', 'http://127.0.0.1:5678/mock', 'http://127.0.0.1:5678/mock/call/flow'],
		['a host only', 'https://api.example.com', 'https://api.example.com/call/flow'],
		['a host with a slash', 'https://api.example.com/', 'https://api.example.com/call/flow'],
		[
			'the endpoint of a host only',
			'https://api.example.com/call/flow',
			'https://api.example.com/call/flow',
		],
		[
			'a path whose case is kept',
			'https://api.example.com/Api/V1',
			'https://api.example.com/Api/V1/call/flow',
		],
	])('%s', (_name, baseUrl, endpoint) => {
		expect(resolveEndpoint(baseUrl)).toEqual({ ok: true, endpoint });
	});
});

describe('resolveEndpoint: refused Base URLs', () => {
	test.each<[string, string, RegExp]>([
		[
			'no scheme',
			'api.samespace.com/x',
			/^has no https:\/\/ in front \("api\.samespace\.com\/x"\)/,
		],
		['no scheme, host only', 'api.samespace.com', /^has no https:\/\/ in front/],
		[
			'file:',
			'file:///etc/passwd',
			/^starts with "file:", but a call request can only go to an https:\/\/ \(or http:\/\/\) address$/,
		],
		['ftp:', 'ftp://api.samespace.com/x', /^starts with "ftp:"/],
		['javascript:', 'javascript:alert(1)', /^starts with "javascript:"/],
		['mailto:', 'mailto:ops@samespace.com', /^starts with "mailto:"/],
		['data:', 'data:text/plain,hello', /^starts with "data:"/],
		['ws:', 'ws://api.samespace.com/x', /^starts with "ws:"/],
		['a query', 'https://api.samespace.com/x?a=1', /^contains a query \("\?…"\): remove it/],
		['a bare ?', 'https://api.samespace.com/x?', /^contains a query/],
		['a fragment', 'https://api.samespace.com/x#x', /^contains a fragment \("#…"\): remove it/],
		['a bare #', 'https://api.samespace.com/x#', /^contains a fragment/],
		[
			'scheme and slashes only',
			'https://',
			/^does not start with https:\/\/ and a host name \("https:\/\/"\)$/,
		],
		[
			'an IPv6 host',
			'http://[::1]/api',
			/^is not a valid web address \("http:\/\/\[::1\]\/api"\): write it as https:\/\/host\/path/,
		],
		['an all-digit host (read as an IPv4 number)', 'https://80/api', /^is not a valid web address/],
		['a port out of range', 'https://api.example.com:65536/api', /^is not a valid web address/],
		['a number', 123 as unknown as string, /^is not text/],
		['an object', { url: 'https://api.example.com' } as unknown as string, /^is not text/],
		['a space in the host', 'https://api samespace.com/x', /^contains spaces, tabs or line breaks/],
	])('%s: %s', (_name, baseUrl, problem) => {
		expect(refused(resolveEndpoint(baseUrl))).toMatch(problem);
	});

	test.each<[string, string]>([
		['user and password', 'https://u:p@host/x'],
		['user only', 'https://u@host'],
		['empty user info', 'https://@host/x'],
		['a long password', 'https://admin:Pa55w0rd-Secret@api.samespace.com/api/public/v1'],
	])('user info (%s) is refused without repeating it', (_name, baseUrl) => {
		const problem = refused(resolveEndpoint(baseUrl));
		expect(problem).toMatch(/^contains a user name or password before the host/);
		expect(problem).not.toContain('u:p');
		expect(problem).not.toContain('Pa55w0rd-Secret');
		expect(problem).not.toContain('admin');
		expect(problem).not.toContain('host/x');
	});

	// The URL parser reads "https://https://api.samespace.com/…" as host "https" with the real host
	// in the path: the token would go to whatever "https" resolves to.
	test('a doubled scheme (https://https://…) is refused, not sent to the host "https"', () => {
		const result = resolveEndpoint('https://https://api.samespace.com/api/public/v1');
		expect(result.ok).toBe(false);
	});

	test('a user info refusal comes before a query or fragment one', () => {
		expect(refused(resolveEndpoint('https://u:p@host/x?a=1#f'))).toMatch(
			/^contains a user name or password/,
		);
	});

	test('a very long Base URL is shortened in the message', () => {
		const problem = refused(resolveEndpoint(`api.samespace.com/${'x'.repeat(500)}`));
		expect(problem.length).toBeLessThan(400);
		expect(problem).toContain('…');
	});
});

// -------------------------------------------------------------------------------------------------

describe('readConnection', () => {
	const valid = { authToken: TOKEN, cloudId: 'acme', baseUrl: '' };

	test('a valid credential gives the endpoint, the trimmed token, the Cloud ID and a working redactor', () => {
		const connection = readConnection(valid);
		expect(connection).toMatchObject({ ok: true, cloudId: 'acme', endpoint: DEFAULT_ENDPOINT });
		if (!connection.ok) throw new Error('expected ok');
		expect(connection.redact(`x ${TOKEN} y`)).toBe('x ******** y');
	});

	test.each<[string, unknown, string]>([
		['undefined', undefined, 'empty'],
		['empty', '', 'empty'],
		['whitespace only', ' \t\n ', 'empty'],
		['a number', 12345678, 'empty'],
		['7 characters', 'abcdefg', 'too short'],
		['7 characters and spaces around', '  abcdefg  ', 'too short'],
		['7 non-space characters with a space inside', 'abc defg', 'too short'],
	])('an Auth Token that is %s is refused', (_name, authToken, what) => {
		const result = readConnection({ ...valid, authToken });
		expect(result).toEqual({
			ok: false,
			message: `The Auth Token in the Samespace API credential is ${what}`,
			description: expect.stringContaining('No call was placed: nothing was sent.'),
		});
		if (result.ok) return;
		expect(result.description).toContain('at least 8 characters');
		if (typeof authToken === 'string' && authToken.trim() !== '')
			expect(result.message).not.toContain(authToken.trim());
	});

	test.each<[string, string, string]>([
		['8 characters', 'abcdefgh', 'abcdefgh'],
		['a trailing newline (trimmed)', `${TOKEN}\n`, TOKEN],
		['spaces and tabs around (trimmed)', ` \t${TOKEN}\t `, TOKEN],
		['a space inside (kept)', 'abcd efgh', 'abcd efgh'],
	])(
		'an Auth Token of %s is accepted, and the token as the credential sends it is masked',
		(_name, authToken, sent) => {
			const result = readConnection({ ...valid, authToken });
			if (!result.ok) throw new Error(`refused: ${result.message}`);
			expect(result.redact(`Samespace echoed "${sent}"`)).toBe(`Samespace echoed "${MASK}"`);
			expect(result).not.toHaveProperty('authToken');
		},
	);

	test.each<[string, unknown]>([
		['undefined', undefined],
		['empty', ''],
		['whitespace only', '  \t '],
		['an object', { id: 'acme' }],
	])('a Cloud ID that is %s is refused', (_name, cloudId) => {
		expect(readConnection({ ...valid, cloudId })).toEqual({
			ok: false,
			message: 'The Cloud ID in the Samespace API credential is empty',
			description: expect.stringContaining('No call was placed: nothing was sent.'),
		});
	});

	test('the token is checked before the Cloud ID', () => {
		expect(readConnection({ authToken: '', cloudId: '' })).toMatchObject({
			message: expect.stringContaining('Auth Token'),
		});
	});

	test('a numeric Cloud ID is accepted as text; a text one is trimmed', () => {
		expect(readConnection({ ...valid, cloudId: 4021 })).toMatchObject({
			ok: true,
			cloudId: '4021',
		});
		expect(readConnection({ ...valid, cloudId: ' acme \n' })).toMatchObject({
			ok: true,
			cloudId: 'acme',
		});
	});

	test('the Base URL is resolved into the endpoint', () => {
		expect(
			readConnection({ ...valid, baseUrl: 'https://eu.samespace.com/api/public/v1/call/flow/' }),
		).toMatchObject({
			ok: true,
			endpoint: 'https://eu.samespace.com/api/public/v1/call/flow',
		});
	});

	test.each([
		'api.samespace.com/v1',
		'ftp://api.samespace.com',
		'https://u:p@api.samespace.com',
		'https://api.samespace.com/v1?x=1',
		'https://api.samespace.com/v1#top',
		'https://',
	])('a bad Base URL (%s) is refused, naming the field and saying nothing was sent', (baseUrl) => {
		const result = readConnection({ ...valid, baseUrl });
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.message.startsWith('The Base URL in the Samespace API credential ')).toBe(true);
		expect(result.message).toBe(
			`The Base URL in the Samespace API credential ${refused(resolveEndpoint(baseUrl))}`,
		);
		expect(result.description).toContain('No call was placed');
		expect(result.description).toContain(SAMESPACE_DEFAULT_BASE_URL);
	});

	test.each([
		['as a query value', `https://api.samespace.com/v1?token=${TOKEN}`],
		['as a query value, no scheme', `api.samespace.com/v1?token=${TOKEN}`],
		['as the path, no scheme', `api.samespace.com/${TOKEN}`],
		['in an invalid address', `https://[${TOKEN}`],
		['as the password', `https://user:${TOKEN}@api.samespace.com`],
		['as the user name', `https://${TOKEN}@api.samespace.com`],
		['as a fragment', `https://api.samespace.com/#${TOKEN}`],
		['as the scheme', `${TOKEN}://api.samespace.com`],
		['URL-encoded, no scheme', `api.samespace.com/${encodeURIComponent(`${TOKEN} x`)}`],
	])('a Base URL with the token in it (%s) never shows the token', (_name, baseUrl) => {
		const result = readConnection({ ...valid, baseUrl });
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.message).not.toContain(TOKEN);
		expect(result.description).not.toContain(TOKEN);
	});

	// redact.ts promises that no part of the token survives a truncation; a Base URL is cut at
	// 120 characters when it is quoted, and this one is cut in the middle of the token.
	test('a Base URL cut in the middle of the token when it is quoted shows no part of the token', () => {
		const baseUrl = `api.samespace.com/${'x'.repeat(120 - 'api.samespace.com/'.length - 10)}${TOKEN}`;
		expect(baseUrl.indexOf(TOKEN)).toBe(110);
		const result = readConnection({ ...valid, baseUrl });
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.message).not.toContain(TOKEN.slice(0, 10));
	});
});

// -------------------------------------------------------------------------------------------------

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

describe('summarize', () => {
	const pendingAt = (...itemIndexes: number[]): PendingCall[] =>
		itemIndexes.map((itemIndex) => ({
			itemIndex,
			request: { url: 'https://api.example.com/call/flow', body: () => ({}) },
		}));
	const result = (outcome: Outcome, attempts = 1): RetryResult => ({ outcome, attempts });
	const failure = (
		kind: Failure['kind'],
		mayHavePlaced: boolean,
		extra: Partial<Failure> = {},
	): Failure => ({
		kind,
		mayHavePlaced,
		retryable: false,
		message: `${kind} message`,
		description: `${kind} description`,
		...extra,
	});

	const ACCEPTED = result({ kind: 'accepted', statusCode: 200, body: { call_id: 'c-1' } });
	const UNCERTAIN = result(failure('uncertain', true, { statusCode: 502 }));
	const CANCELLED_IN_FLIGHT = result(failure('cancelled', true, { code: 'ERR_CANCELED' }));
	const CANCELLED_WAITING = result(failure('cancelled', false), 2);
	const REFUSED = result(failure('refused', false, { statusCode: 400 }));
	const BUSY = result(
		failure('busy', false, { statusCode: 429, retryable: true, retryAfterMs: 1000 }),
		4,
	);
	const NOT_SENT = result(failure('notSent', false, { code: 'ECONNREFUSED', retryable: true }));
	const REDIRECTED_MOVED = result(redirected(308, 'https://elsewhere.example'));
	const REDIRECTED_SEE_OTHER = result(redirected(303, 'https://elsewhere.example'));

	test.each<[string, RetryResult | undefined, 'accepted' | 'mayHavePlaced' | 'notPlaced']>([
		['accepted', ACCEPTED, 'accepted'],
		['uncertain', UNCERTAIN, 'mayHavePlaced'],
		['cancelled while in flight', CANCELLED_IN_FLIGHT, 'mayHavePlaced'],
		['cancelled while waiting to retry', CANCELLED_WAITING, 'notPlaced'],
		['refused', REFUSED, 'notPlaced'],
		['busy after its retries', BUSY, 'notPlaced'],
		['not sent', NOT_SENT, 'notPlaced'],
		['redirected with 308', REDIRECTED_MOVED, 'notPlaced'],
		['redirected with 303', REDIRECTED_SEE_OTHER, 'mayHavePlaced'],
		['never started', undefined, 'notPlaced'],
	])('one item %s goes into %s', (_name, outcome, group) => {
		const summary = summarize(pendingAt(7), [outcome]);
		expect(summary).toEqual({ accepted: [], mayHavePlaced: [], notPlaced: [], [group]: [7] });
	});

	test('a mixed run: every item in exactly one group, the right one, by item index and in order', () => {
		const pending = pendingAt(4, 0, 9, 2, 11, 5, 8, 1);
		const results = [
			ACCEPTED,
			UNCERTAIN,
			CANCELLED_IN_FLIGHT,
			CANCELLED_WAITING,
			REFUSED,
			undefined,
			ACCEPTED,
		];
		// The last item has no result at all (the list is shorter): it never started.
		const summary = summarize(pending, results);
		expect(summary).toEqual({ accepted: [4, 8], mayHavePlaced: [0, 9], notPlaced: [2, 11, 5, 1] });
		const all = [...summary.accepted, ...summary.mayHavePlaced, ...summary.notPlaced];
		expect(all.sort((a, b) => a - b)).toEqual(
			pending.map((p) => p.itemIndex).sort((a, b) => a - b),
		);
		expect(new Set(all).size).toBe(pending.length);
	});

	test('a sparse result list (holes for calls never started) and an empty run', () => {
		const results: Array<RetryResult | undefined> = [];
		results[2] = UNCERTAIN;
		expect(summarize(pendingAt(0, 1, 2, 3), results)).toEqual({
			accepted: [],
			mayHavePlaced: [2],
			notPlaced: [0, 1, 3],
		});
		expect(summarize([], [])).toEqual({ accepted: [], mayHavePlaced: [], notPlaced: [] });
	});
});
