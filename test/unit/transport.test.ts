/**
 * Unit tests of the transport's pure parts: classifying Samespace's answers and network errors
 * (transport/response.ts), the retry policy (sending/retry.ts), the dispatcher
 * (sending/dispatch.ts), redaction and item ranges (helpers/output.ts) and the sending options
 * (helpers/send-options.ts). No I/O and no real timers: waits are fakes that record what was asked.
 */
import { itemRanges, unshownAnswerItem } from '../../nodes/Samespace/helpers/output';
import {
	isMaskableToken,
	makeRedactor,
	MASK,
	MIN_TOKEN_LENGTH,
} from '../../nodes/Samespace/transport/redact';
import {
	DEFAULT_CONCURRENCY,
	DEFAULT_RETRIES,
	MAX_CONCURRENCY,
	MAX_RETRIES,
	sendOptionsFrom,
} from '../../nodes/Samespace/helpers/send-options';
import { dispatch, type DispatchSettings } from '../../nodes/Samespace/sending/dispatch';
import { Pacer } from '../../nodes/Samespace/sending/pacer';
import {
	describeText,
	interpretRequestError,
	interpretResponse,
	parseRetryAfter,
} from '../../nodes/Samespace/transport/response';
import type { Failure, Outcome } from '../../nodes/Samespace/transport/outcome';
import { backoffDelay, withRetries, type RetryPolicy } from '../../nodes/Samespace/sending/retry';

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

describe('interpretResponse: 4xx', () => {
	test('400 with a message: refused, the message is given, not retryable', () => {
		expect(respond(400, '{"success": false, "message": "flow[2].count is required"}')).toEqual({
			kind: 'refused',
			retryable: false,
			mayHavePlaced: false,
			statusCode: 400,
			message: 'Samespace refused the flow: flow[2].count is required',
			description: 'No call was placed.',
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

// -------------------------------------------------------------------------------------------------

const POLICY: RetryPolicy = { maxRetries: 3, maxWaitMs: 60_000, baseDelayMs: 1000 };

const busy = (retryAfterMs?: number): Failure => ({
	kind: 'busy',
	retryable: true,
	mayHavePlaced: false,
	statusCode: 429,
	retryAfterMs,
	message: 'busy',
	description: 'No call was placed.',
});
const notSent: Failure = {
	kind: 'notSent',
	retryable: true,
	mayHavePlaced: false,
	code: 'ECONNREFUSED',
	message: 'not sent',
	description: 'No call was placed.',
};
const uncertain: Failure = {
	kind: 'uncertain',
	retryable: false,
	mayHavePlaced: true,
	statusCode: 500,
	message: 'uncertain',
	description: 'maybe',
};
const refused: Failure = {
	kind: 'refused',
	retryable: false,
	mayHavePlaced: false,
	statusCode: 400,
	message: 'refused',
	description: 'No call was placed.',
};
const accepted: Outcome = { kind: 'accepted', statusCode: 200, body: { success: true } };

/** An attempt function that returns the given outcomes in turn (the last one forever). */
function sequence(...outcomes: Outcome[]) {
	let calls = 0;
	return jest.fn(async (): Promise<Outcome> => outcomes[Math.min(calls++, outcomes.length - 1)]);
}

/** A wait that records what it was asked and answers `true` (not cancelled) unless told otherwise. */
function recordingWait(answers: boolean[] = []) {
	const delays: number[] = [];
	const wait = async (ms: number) => {
		delays.push(ms);
		return answers[delays.length - 1] ?? true;
	};
	return { wait, delays };
}

describe('backoffDelay', () => {
	test('jitter between half and all of the exponential step', () => {
		expect(backoffDelay(0, POLICY, () => 0)).toBe(500);
		expect(backoffDelay(0, POLICY, () => 1)).toBe(1000);
		expect(backoffDelay(1, POLICY, () => 0)).toBe(1000);
		expect(backoffDelay(1, POLICY, () => 1)).toBe(2000);
		expect(backoffDelay(3, POLICY, () => 0.5)).toBe(6000);
	});

	test('the step is capped at maxWaitMs', () => {
		const policy = { ...POLICY, maxWaitMs: 3000 };
		expect(backoffDelay(10, policy, () => 0)).toBe(1500);
		expect(backoffDelay(10, policy, () => 1)).toBe(3000);
	});

	test('always within bounds for any random value', () => {
		for (let retry = 0; retry < 8; retry++) {
			const step = Math.min(POLICY.maxWaitMs, POLICY.baseDelayMs * 2 ** retry);
			for (const r of [0, 0.1, 0.33, 0.5, 0.99, 1]) {
				const delay = backoffDelay(retry, POLICY, () => r);
				expect(delay).toBeGreaterThanOrEqual(step / 2);
				expect(delay).toBeLessThanOrEqual(step);
			}
		}
	});
});

describe('withRetries', () => {
	test('accepted at once: one attempt, no wait', async () => {
		const attempt = sequence(accepted);
		const { wait, delays } = recordingWait();
		expect(await withRetries(attempt, POLICY, wait)).toEqual({ outcome: accepted, attempts: 1 });
		expect(delays).toEqual([]);
	});

	test('busy then accepted: waits with backoff, then succeeds', async () => {
		const attempt = sequence(busy(), notSent, accepted);
		const { wait, delays } = recordingWait();
		const result = await withRetries(attempt, POLICY, wait, () => 1);
		expect(result).toEqual({ outcome: accepted, attempts: 3 });
		expect(attempt).toHaveBeenCalledTimes(3);
		expect(delays).toEqual([1000, 2000]);
	});

	test.each([0, 1, 3])(
		'busy forever with maxRetries %i: 1 + maxRetries attempts, then "Tried N times"',
		async (maxRetries) => {
			const attempt = sequence(busy());
			const { wait, delays } = recordingWait();
			const result = await withRetries(attempt, { ...POLICY, maxRetries }, wait, () => 0);
			expect(result.attempts).toBe(maxRetries + 1);
			expect(attempt).toHaveBeenCalledTimes(maxRetries + 1);
			expect(delays).toEqual([500, 1000, 2000].slice(0, maxRetries));
			expect(result.outcome).toMatchObject({ kind: 'busy', retryable: true, message: 'busy' });
			const times = maxRetries + 1 === 1 ? 'Tried 1 time.' : `Tried ${maxRetries + 1} times.`;
			expect((result.outcome as Failure).description).toBe(
				`No call was placed. ${times} Run it again later, or raise the Retries option.`,
			);
		},
	);

	test('notSent (connection refused) is retried too', async () => {
		const attempt = sequence(notSent);
		const { wait } = recordingWait();
		const result = await withRetries(attempt, { ...POLICY, maxRetries: 2 }, wait);
		expect(result.attempts).toBe(3);
		expect(result.outcome.kind).toBe('notSent');
		expect((result.outcome as Failure).description).toContain('Tried 3 times.');
	});

	test.each<[string, Failure]>([
		['uncertain', uncertain],
		['refused', refused],
		['not-retryable notSent (bad URL)', { ...notSent, retryable: false }],
		[
			'cancelled',
			{
				kind: 'cancelled',
				retryable: false,
				mayHavePlaced: true,
				message: 'stopped',
				description: '',
			},
		],
	])('%s: exactly one attempt, no wait, outcome unchanged', async (_name, outcome) => {
		const attempt = sequence(outcome, accepted);
		const { wait, delays } = recordingWait();
		const result = await withRetries(attempt, { ...POLICY, maxRetries: 10 }, wait);
		expect(result.attempts).toBe(1);
		expect(result.outcome).toBe(outcome);
		expect(attempt).toHaveBeenCalledTimes(1);
		expect(delays).toEqual([]);
	});

	test('a busy answer followed by an uncertain one stops at once', async () => {
		const attempt = sequence(busy(), uncertain, accepted);
		const { wait, delays } = recordingWait();
		const result = await withRetries(attempt, POLICY, wait, () => 0);
		expect(result).toEqual({ outcome: uncertain, attempts: 2 });
		expect(delays).toEqual([500]);
	});

	test('Retry-After is honoured instead of the backoff', async () => {
		const attempt = sequence(busy(1234), busy(0), busy(), accepted);
		const { wait, delays } = recordingWait();
		const result = await withRetries(attempt, POLICY, wait, () => 1);
		expect(result.attempts).toBe(4);
		expect(delays).toEqual([1234, 0, 4000]);
	});

	test('Retry-After equal to maxWaitMs is waited', async () => {
		const { wait, delays } = recordingWait();
		await withRetries(sequence(busy(60_000), accepted), POLICY, wait);
		expect(delays).toEqual([60_000]);
	});

	test('refuses to wait longer than maxWaitMs', async () => {
		const attempt = sequence(busy(120_000), accepted);
		const { wait, delays } = recordingWait();
		const result = await withRetries(attempt, POLICY, wait);
		expect(result.attempts).toBe(1);
		expect(delays).toEqual([]);
		expect(result.outcome.kind).toBe('busy');
		expect((result.outcome as Failure).description).toBe(
			'No call was placed. Samespace asked to wait 120 s, longer than the Longest Retry Wait (60 s). Tried 1 time. Run it again later.',
		);
	});

	test('stops when the wait is cancelled', async () => {
		const attempt = sequence(busy(), busy(), accepted);
		const { wait, delays } = recordingWait([true, false]);
		const result = await withRetries(attempt, POLICY, wait, () => 0);
		expect(delays).toHaveLength(2);
		expect(attempt).toHaveBeenCalledTimes(2);
		expect(result).toEqual({
			attempts: 2,
			outcome: {
				kind: 'cancelled',
				retryable: false,
				mayHavePlaced: false,
				message: 'The execution was stopped while waiting to retry this call',
				description: 'No call was placed for this item. Tried 2 times.',
			},
		});
	});
});

// -------------------------------------------------------------------------------------------------

interface Deferred<T> {
	promise: Promise<T>;
	resolve: (value: T) => void;
}
function deferred<T>(): Deferred<T> {
	let resolve!: (value: T) => void;
	const promise = new Promise<T>((r) => (resolve = r));
	return { promise, resolve };
}
/** Lets every pending promise callback run. */
const settle = async () => {
	for (let i = 0; i < 20; i++) await Promise.resolve();
};

const SETTINGS: DispatchSettings & { minIntervalMs: number } = {
	concurrency: 3,
	minIntervalMs: 0,
	stopOnFailure: false,
};

/**
 * dispatch with the pacer the node gives it for a fixed pace (Calls per Second as `minIntervalMs`),
 * whose waits are `wait`: no Samespace limit comes into these tests.
 */
function dispatchPaced<R>(
	count: number,
	run: (index: number) => Promise<R>,
	isFailure: (result: R) => boolean,
	{ minIntervalMs, ...settings }: DispatchSettings & { minIntervalMs: number },
	wait: (ms: number) => Promise<boolean>,
) {
	const pacer = new Pacer(
		{ minIntervalMs, maxHoldMs: 0, baseDelayMs: 0 },
		{ now: () => Date.now(), wait, random: Math.random },
	);
	return dispatch(count, run, isFailure, settings, pacer);
}
const noWait = async () => true;

/** Tasks that finish when the test says so; tracks which started and how many run at once. */
function controlledTasks(count: number) {
	const gates = Array.from({ length: count }, () => deferred<string>());
	const started: number[] = [];
	let inFlight = 0;
	let peak = 0;
	const run = async (index: number) => {
		started.push(index);
		inFlight++;
		peak = Math.max(peak, inFlight);
		try {
			return await gates[index].promise;
		} finally {
			inFlight--;
		}
	};
	return {
		run,
		started,
		finish: (index: number, value = `r${index}`) => gates[index].resolve(value),
		get peak() {
			return peak;
		},
		get inFlight() {
			return inFlight;
		},
	};
}

describe('dispatch', () => {
	test('results come back in index order whatever the completion order', async () => {
		const tasks = controlledTasks(5);
		const done = dispatchPaced(5, tasks.run, () => false, { ...SETTINGS, concurrency: 5 }, noWait);
		await settle();
		for (const index of [3, 0, 4, 2, 1]) {
			tasks.finish(index, `result ${index}`);
			await settle();
		}
		expect(await done).toEqual({
			results: ['result 0', 'result 1', 'result 2', 'result 3', 'result 4'],
			stoppedAt: undefined,
			cancelled: false,
		});
	});

	test('never more than `concurrency` tasks in flight, and the cap is reached', async () => {
		const tasks = controlledTasks(10);
		const done = dispatchPaced(10, tasks.run, () => false, { ...SETTINGS, concurrency: 3 }, noWait);
		await settle();
		expect(tasks.started).toEqual([0, 1, 2]);
		tasks.finish(1);
		await settle();
		expect(tasks.started).toEqual([0, 1, 2, 3]);
		// finish the rest in a scrambled order
		for (const index of [0, 3, 2, 5, 4, 6, 9, 8, 7]) {
			tasks.finish(index);
			await settle();
			expect(tasks.inFlight).toBeLessThanOrEqual(3);
		}
		const result = await done;
		expect(tasks.peak).toBe(3);
		expect(result.results).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`));
		expect([...tasks.started].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
	});

	test('concurrency 1 runs tasks one after another, in order', async () => {
		const order: string[] = [];
		const result = await dispatchPaced(
			4,
			async (i) => {
				order.push(`start ${i}`);
				await settle();
				order.push(`end ${i}`);
				return i;
			},
			() => false,
			{ ...SETTINGS, concurrency: 1 },
			noWait,
		);
		expect(result.results).toEqual([0, 1, 2, 3]);
		expect(order).toEqual([
			'start 0',
			'end 0',
			'start 1',
			'end 1',
			'start 2',
			'end 2',
			'start 3',
			'end 3',
		]);
	});

	test('a concurrency below 1 still runs everything, one at a time', async () => {
		const tasks = controlledTasks(3);
		const done = dispatchPaced(3, tasks.run, () => false, { ...SETTINGS, concurrency: 0 }, noWait);
		await settle();
		expect(tasks.started).toEqual([0]);
		for (const i of [0, 1, 2]) {
			tasks.finish(i);
			await settle();
		}
		expect((await done).results).toEqual(['r0', 'r1', 'r2']);
		expect(tasks.peak).toBe(1);
	});

	test('zero tasks', async () => {
		const run = jest.fn();
		expect(await dispatchPaced(0, run, () => false, SETTINGS, noWait)).toEqual({
			results: [],
			stoppedAt: undefined,
			cancelled: false,
		});
		expect(run).not.toHaveBeenCalled();
	});

	test('without stopOnFailure, failures do not stop the run', async () => {
		const result = await dispatchPaced(
			4,
			async (i) => (i % 2 === 0 ? 'fail' : 'ok'),
			(r) => r === 'fail',
			SETTINGS,
			noWait,
		);
		expect(result).toEqual({
			results: ['fail', 'ok', 'fail', 'ok'],
			stoppedAt: undefined,
			cancelled: false,
		});
	});

	test('stopOnFailure stops starting new tasks but lets in-flight ones finish', async () => {
		const tasks = controlledTasks(6);
		const done = dispatchPaced(
			6,
			tasks.run,
			(r) => r === 'fail',
			{ ...SETTINGS, concurrency: 2, stopOnFailure: true },
			noWait,
		);
		await settle();
		expect(tasks.started).toEqual([0, 1]);
		tasks.finish(1, 'fail');
		await settle();
		expect(tasks.started).toEqual([0, 1]); // nothing new started
		expect(tasks.inFlight).toBe(1);
		tasks.finish(0, 'ok');
		const result = await done;
		expect(result).toEqual({
			results: ['ok', 'fail', undefined, undefined, undefined, undefined],
			stoppedAt: 1,
			cancelled: false,
		});
		expect(tasks.started).toEqual([0, 1]);
	});

	test('stopOnFailure: the first failure is the one reported', async () => {
		const tasks = controlledTasks(4);
		const done = dispatchPaced(
			4,
			tasks.run,
			(r) => r === 'fail',
			{ ...SETTINGS, concurrency: 3, stopOnFailure: true },
			noWait,
		);
		await settle();
		tasks.finish(2, 'fail');
		await settle();
		tasks.finish(0, 'fail');
		tasks.finish(1, 'ok');
		const result = await done;
		expect(result.stoppedAt).toBe(2);
		expect(result.results).toEqual(['fail', 'ok', 'fail', undefined]);
	});

	test('an aborted signal stops new starts; in-flight tasks finish; the run says it was cancelled', async () => {
		const controller = new AbortController();
		const tasks = controlledTasks(5);
		const done = dispatchPaced(
			5,
			tasks.run,
			() => false,
			{ ...SETTINGS, concurrency: 2, signal: controller.signal },
			noWait,
		);
		await settle();
		expect(tasks.started).toEqual([0, 1]);
		controller.abort();
		tasks.finish(0);
		await settle();
		tasks.finish(1);
		const result = await done;
		expect(tasks.started).toEqual([0, 1]);
		expect(result).toEqual({
			results: ['r0', 'r1', undefined, undefined, undefined],
			stoppedAt: undefined,
			cancelled: true,
		});
	});

	test('a signal aborted before the start runs nothing', async () => {
		const controller = new AbortController();
		controller.abort();
		const run = jest.fn(async () => 'x');
		const result = await dispatchPaced(
			3,
			run,
			() => false,
			{ ...SETTINGS, signal: controller.signal },
			noWait,
		);
		expect(run).not.toHaveBeenCalled();
		expect(result.cancelled).toBe(true);
	});

	describe('pacing', () => {
		let clock: number;
		beforeEach(() => {
			clock = 1_000_000;
			jest.spyOn(Date, 'now').mockImplementation(() => clock);
		});
		afterEach(() => jest.restoreAllMocks());

		/** A wait that records the gap and moves the fake clock forward by it. */
		function clockWait(answers: boolean[] = []) {
			const delays: number[] = [];
			const wait = jest.fn(async (ms: number) => {
				delays.push(ms);
				clock += ms;
				return answers[delays.length - 1] ?? true;
			});
			return { wait, delays };
		}

		/**
		 * Waits that end at their deadline on the fake clock: `drive` runs pending work, then moves
		 * the clock to the earliest deadline and ends that wait, until the promise settles.
		 */
		function virtualTimers() {
			const timers: Array<{ at: number; resolve: (ok: boolean) => void }> = [];
			const delays: number[] = [];
			const wait = (ms: number) => {
				delays.push(ms);
				return new Promise<boolean>((resolve) => timers.push({ at: clock + ms, resolve }));
			};
			const drive = async <T>(promise: Promise<T>): Promise<T> => {
				let done = false;
				void promise.then(() => (done = true));
				for (;;) {
					await settle();
					if (done) return promise;
					timers.sort((a, b) => a.at - b.at);
					const next = timers.shift();
					if (!next) {
						// nothing to fire yet: let the test move its tasks along
						await new Promise((r) => setImmediate(r));
						continue;
					}
					clock = Math.max(clock, next.at);
					next.resolve(true);
				}
			};
			return { wait, delays, drive };
		}

		test.each<[number, number[]]>([
			[1, [250, 250, 250, 250]],
			[3, [250, 500, 750, 750]],
		])(
			'with concurrency %i, starts are minIntervalMs apart (waits %p)',
			async (concurrency, expectedDelays) => {
				const timers = virtualTimers();
				const startTimes: number[] = [];
				const result = await timers.drive(
					dispatchPaced(
						5,
						async (i) => {
							startTimes.push(clock);
							return i;
						},
						() => false,
						{ ...SETTINGS, concurrency, minIntervalMs: 250 },
						timers.wait,
					),
				);
				expect(result.results).toEqual([0, 1, 2, 3, 4]);
				expect(timers.delays).toEqual(expectedDelays);
				expect(startTimes).toEqual([0, 250, 500, 750, 1000].map((t) => 1_000_000 + t));
			},
		);

		test('pacing and the concurrency cap together', async () => {
			const timers = virtualTimers();
			const tasks = controlledTasks(4);
			const startTimes: number[] = [];
			const done = timers.drive(
				dispatchPaced(
					4,
					(i) => {
						startTimes.push(clock);
						return tasks.run(i);
					},
					() => false,
					{ ...SETTINGS, concurrency: 2, minIntervalMs: 100 },
					timers.wait,
				),
			);
			await settle();
			// let the pacing timers fire while tasks 0 and 1 are still running
			await new Promise((r) => setImmediate(r));
			expect(tasks.started).toEqual([0, 1]);
			tasks.finish(0);
			tasks.finish(1);
			await new Promise((r) => setImmediate(r));
			tasks.finish(2);
			tasks.finish(3);
			const result = await done;
			expect(result.results).toEqual(['r0', 'r1', 'r2', 'r3']);
			expect(tasks.peak).toBe(2);
			for (let i = 1; i < startTimes.length; i++)
				expect(startTimes[i] - startTimes[i - 1]).toBeGreaterThanOrEqual(100);
		}, 5000);

		test('no wait when enough time has already passed', async () => {
			const { wait, delays } = clockWait();
			await dispatchPaced(
				3,
				async () => {
					clock += 1000; // each task takes longer than the interval
					return 'x';
				},
				() => false,
				{ ...SETTINGS, concurrency: 1, minIntervalMs: 250 },
				wait,
			);
			expect(delays).toEqual([]);
		});

		test('partly elapsed time shortens the wait', async () => {
			const { wait, delays } = clockWait();
			await dispatchPaced(
				3,
				async () => {
					clock += 100;
					return 'x';
				},
				() => false,
				{ ...SETTINGS, concurrency: 1, minIntervalMs: 250 },
				wait,
			);
			expect(delays).toEqual([150, 150]);
		});

		test('no pacing: wait is never called', async () => {
			const { wait } = clockWait();
			await dispatchPaced(
				5,
				async () => 'x',
				() => false,
				{ ...SETTINGS, minIntervalMs: 0 },
				wait,
			);
			expect(wait).not.toHaveBeenCalled();
		});

		test('a cancelled pacing wait stops the run before the next start', async () => {
			const { wait } = clockWait([false]);
			const run = jest.fn(async (i: number) => i);
			const result = await dispatchPaced(
				4,
				run,
				() => false,
				{ ...SETTINGS, concurrency: 1, minIntervalMs: 100 },
				wait,
			);
			expect(run).toHaveBeenCalledTimes(1);
			expect(result.results).toEqual([0, undefined, undefined, undefined]);
		});

		test('an abort during a pacing wait stops the run before the next start', async () => {
			const controller = new AbortController();
			const wait = async (ms: number) => {
				clock += ms;
				controller.abort();
				return true;
			};
			const run = jest.fn(async (i: number) => i);
			const result = await dispatchPaced(
				4,
				run,
				() => false,
				{ ...SETTINGS, concurrency: 1, minIntervalMs: 100, signal: controller.signal },
				wait,
			);
			expect(run).toHaveBeenCalledTimes(1);
			expect(result.cancelled).toBe(true);
		});
	});
});

// -------------------------------------------------------------------------------------------------

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

describe('itemRanges', () => {
	test.each<[number[], string]>([
		[[0, 1, 2, 6], '1-3, 7'],
		[[], ''],
		[[4], '5'],
		[[0, 2, 4], '1, 3, 5'],
		[[6, 0, 2, 1], '1-3, 7'],
		[[9, 10, 3, 4, 5, 0], '1, 4-6, 10-11'],
		[[0, 1], '1-2'],
	])('%p -> %p', (indexes, text) => {
		expect(itemRanges(indexes)).toBe(text);
	});

	test('does not reorder its input', () => {
		const indexes = [3, 1, 2];
		itemRanges(indexes);
		expect(indexes).toEqual([3, 1, 2]);
	});
});

describe('sendOptionsFrom', () => {
	test('defaults', () => {
		expect(sendOptionsFrom({})).toEqual({
			callsOnRetry: false,
			validateOnly: false,
			includeFlow: false,
			concurrency: 5,
			minIntervalMs: 0,
			timeoutMs: 30_000,
			retries: 3,
			maxRetryWaitMs: 60_000,
		});
		expect([DEFAULT_CONCURRENCY, MAX_CONCURRENCY, DEFAULT_RETRIES, MAX_RETRIES]).toEqual([
			5, 50, 3, 10,
		]);
	});

	test('given values are used', () => {
		expect(
			sendOptionsFrom({
				validateOnly: true,
				includeFlow: true,
				concurrency: 8,
				callsPerSecond: 4,
				timeout: 12.5,
				retries: 0,
				maxRetryWait: 5,
			}),
		).toEqual({
			callsOnRetry: false,
			validateOnly: true,
			includeFlow: true,
			concurrency: 8,
			minIntervalMs: 250,
			timeoutMs: 12_500,
			retries: 0,
			maxRetryWaitMs: 5000,
		});
	});

	test.each<[string, unknown, keyof ReturnType<typeof sendOptionsFrom>, unknown]>([
		['concurrency', 0, 'concurrency', 1],
		['concurrency', -4, 'concurrency', 1],
		['concurrency', 10_000, 'concurrency', 50],
		['concurrency', 2.9, 'concurrency', 2],
		['concurrency', Number.NaN, 'concurrency', 5],
		['concurrency', Number.POSITIVE_INFINITY, 'concurrency', 5],
		['concurrency', '7', 'concurrency', 5],
		['callsPerSecond', 0.5, 'minIntervalMs', 2000],
		['callsPerSecond', -3, 'minIntervalMs', 0],
		['callsPerSecond', Number.NaN, 'minIntervalMs', 0],
		['timeout', 0, 'timeoutMs', 100],
		['timeout', -1, 'timeoutMs', 100],
		['timeout', 10_000, 'timeoutMs', 600_000],
		['timeout', 1.2345, 'timeoutMs', 1235],
		['retries', -1, 'retries', 0],
		['retries', 99, 'retries', 10],
		['retries', 2.9, 'retries', 2],
		['retries', null, 'retries', 3],
		['maxRetryWait', -5, 'maxRetryWaitMs', 0],
		['maxRetryWait', 1e9, 'maxRetryWaitMs', 3_600_000],
		['maxRetryWait', 0.25, 'maxRetryWaitMs', 250],
		['validateOnly', 'true', 'validateOnly', false],
		['includeFlow', 1, 'includeFlow', false],
	])('%s = %p gives %s = %p', (option, value, field, expected) => {
		expect(sendOptionsFrom({ [option]: value })[field]).toBe(expected);
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

	test('itemRanges ignores repeated indexes', () => {
		expect(itemRanges([1, 1, 2])).toBe('2-3');
	});
});

describe('unshownAnswerItem (the last resort when an item result cannot be built)', () => {
	test('an accepted call stays accepted, from fields that cannot hold the token', () => {
		const item = unshownAnswerItem(
			2,
			{ kind: 'accepted', statusCode: 201, body: { call_id: 'x' } },
			new RangeError('Maximum call stack size exceeded'),
		);
		expect(item).toEqual({
			json: {
				success: true,
				callAccepted: true,
				statusCode: 201,
				warning:
					"Samespace's answer for this item could not be shown (RangeError); the outcome above is what the node knows.",
			},
			pairedItem: { item: 2 },
		});
	});

	test('a failure keeps its kind and whether the call may have been placed, not its texts', () => {
		const failure: Failure = {
			kind: 'uncertain',
			retryable: false,
			mayHavePlaced: true,
			message: 'secret tok_123456789',
			description: 'secret',
		};
		const item = unshownAnswerItem(0, failure, 'not an error');
		expect(item.json).toEqual(
			expect.objectContaining({
				error: 'Item 1: the call failed (uncertain)',
				outcome: 'uncertain',
				callMayHaveBeenPlaced: true,
			}),
		);
		expect(JSON.stringify(item)).not.toContain('secret');
	});
});
