/**
 * Unit tests of the sending options (nodes/Samespace/helpers/send-options.ts): defaults, and every
 * value a user can give brought within its bounds.
 */
import {
	DEFAULT_CONCURRENCY,
	DEFAULT_RETRIES,
	MAX_CONCURRENCY,
	MAX_RETRIES,
	sendOptionsFrom,
} from '../../../nodes/Samespace/helpers/send-options';

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
