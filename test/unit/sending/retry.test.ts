/**
 * Unit tests of the retry policy (nodes/Samespace/sending/retry.ts): the jittered backoff, which
 * outcomes are tried again and how often, Retry-After, the Longest Retry Wait and a stop while
 * waiting. No real timers: waits are fakes that record what was asked.
 */
import type { Failure, Outcome } from '../../../nodes/Samespace/transport/outcome';
import {
	backoffDelay,
	withRetries,
	type RetryPolicy,
} from '../../../nodes/Samespace/sending/retry';
import { accepted, busy, notSent, refused, uncertain } from '../../support/outcomes';

const POLICY: RetryPolicy = { maxRetries: 3, maxWaitMs: 60_000, baseDelayMs: 1000 };

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
