/**
 * Unit tests of the run summary (nodes/Samespace/sending/send-calls.ts: `summarize`): every item in
 * exactly one list, accepted, may have been placed, or not placed. Pure functions: no I/O.
 */
import { summarize, type PendingCall } from '../../../nodes/Samespace/sending/send-calls';
import { redirected } from '../../../nodes/Samespace/transport/response';
import type { Failure, Outcome } from '../../../nodes/Samespace/transport/outcome';
import type { RetryResult } from '../../../nodes/Samespace/sending/retry';

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
