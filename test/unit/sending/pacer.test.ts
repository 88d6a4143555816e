/**
 * The shared pacer (sending/pacer.ts) on a virtual clock: holds across workers, the adapted
 * rate, one reaction per round, the user's floor, and a stop during a hold. No real time passes.
 * Many executions sharing one limit: pacer-shared-limit.test.ts.
 */
import { dispatch } from '../../../nodes/Samespace/sending/dispatch';
import type { Failure, Outcome } from '../../../nodes/Samespace/transport/outcome';
import {
	ADDITIVE_GROWTH,
	DECREASE,
	GROWTH_PER_ANSWER,
	Pacer,
	PROGRESS_WINDOW_MS,
	type PacerClock,
	type PacerSettings,
	type Turn,
} from '../../../nodes/Samespace/sending/pacer';
import { withRetries, type RetryPolicy } from '../../../nodes/Samespace/sending/retry';
import { accepted, busy, uncertain } from '../../support/outcomes';

const settle = async () => {
	for (let i = 0; i < 20; i++) await Promise.resolve();
};

/** A clock whose waits end only when `drive`/`advanceTo` moves time to their deadline. */
function virtualClock(random = () => 0.5) {
	let time = 0;
	let stopped = false;
	let timers: Array<{ at: number; resolve: (ok: boolean) => void }> = [];
	const sleep = (ms: number) =>
		new Promise<boolean>((resolve) => timers.push({ at: time + Math.max(0, ms), resolve }));
	const clock: PacerClock = {
		now: () => time,
		wait: (ms) => (stopped ? Promise.resolve(false) : sleep(ms)),
		random,
		stopped: () => stopped,
	};
	/** Fires the earliest timer; false when none is left. */
	const fireNext = () => {
		timers.sort((a, b) => a.at - b.at);
		const next = timers.shift();
		if (!next) return false;
		time = Math.max(time, next.at);
		next.resolve(true);
		return true;
	};
	return {
		clock,
		sleep,
		get now() {
			return time;
		},
		/** Runs every timer due up to `target`, then sets the time to it. */
		async advanceTo(target: number) {
			for (;;) {
				await settle();
				timers.sort((a, b) => a.at - b.at);
				if (timers.length === 0 || timers[0].at > target) break;
				fireNext();
			}
			time = Math.max(time, target);
			await settle();
		},
		/** Moves time from timer to timer until `promise` settles. */
		async drive<T>(promise: Promise<T>): Promise<T> {
			let done = false;
			void promise.then(
				() => (done = true),
				() => (done = true),
			);
			for (;;) {
				await settle();
				if (done) return promise;
				if (!fireNext()) await new Promise((resolve) => setImmediate(resolve));
			}
		},
		/** The Stop button: every wait ends with false, and later ones at once. */
		stop() {
			stopped = true;
			for (const timer of timers) timer.resolve(false);
			timers = [];
		},
	};
}

const SETTINGS: PacerSettings = { minIntervalMs: 0, maxHoldMs: 60_000, baseDelayMs: 1000 };

/** Turns taken at once, with the time each was granted. */
async function takeTurns(pacer: Pacer, count: number): Promise<Turn[]> {
	const turns: Turn[] = [];
	for (let i = 0; i < count; i++) turns.push((await pacer.turn())!);
	return turns;
}

describe('Pacer: holds', () => {
	test('unpaced until the first limit answer: turns are granted at once', async () => {
		const time = virtualClock();
		const pacer = new Pacer(SETTINGS, time.clock);
		const turns = await takeTurns(pacer, 5);
		expect(turns.map((turn) => turn.seq)).toEqual([0, 1, 2, 3, 4]);
		expect(turns.every((turn) => !turn.waited)).toBe(true);
		expect(pacer.callsPerSecond).toBeUndefined();
	});

	test('no start before the Retry-After time, for workers already waiting and for new ones', async () => {
		const time = virtualClock();
		const pacer = new Pacer({ ...SETTINGS, minIntervalMs: 100 }, time.clock);
		const starts: Array<{ worker: string; at: number }> = [];
		const take = (worker: string) =>
			pacer.turn().then((turn) => {
				if (turn) starts.push({ worker, at: time.now });
				return turn;
			});
		const first = (await take('A'))!;
		// B and C wait for their places (100 and 200) under the user's floor.
		const waiting = [take('B'), take('C')];
		await time.advanceTo(50);
		pacer.report(first, busy(1000));
		expect(pacer.heldUntil).toBe(1050);
		const late = take('D');
		await time.drive(Promise.all([...waiting, late]));

		expect(starts[0]).toEqual({ worker: 'A', at: 0 });
		const after = starts.slice(1);
		expect(after.map((start) => start.worker).sort()).toEqual(['B', 'C', 'D']);
		for (const start of after) expect(start.at).toBeGreaterThanOrEqual(1050);
		// Nothing accepted in the last second: the first estimate is 1 call per second.
		expect(pacer.callsPerSecond).toBe(1);
		expect(after.map((start) => start.at)).toEqual([1050, 2050, 3050]);
	});

	test('through dispatch and withRetries: after a 429 with Retry-After, no worker starts an attempt before it', async () => {
		const time = virtualClock();
		const pacer = new Pacer(SETTINGS, time.clock);
		const policy: RetryPolicy = { maxRetries: 5, maxWaitMs: 60_000, baseDelayMs: 1000 };
		const attempts: Array<{ item: number; at: number; outcome: Outcome['kind'] }> = [];
		let limitUntil = -1;
		let limited = 0;
		const attempt = (item: number) => async (): Promise<Outcome> => {
			const at = time.now;
			await time.sleep(20); // the round trip
			// The API refuses the first three requests, and asks for a second.
			const outcome = limited < 3 ? busy(1000) : accepted;
			if (limited < 3) {
				limited++;
				limitUntil = Math.max(limitUntil, time.now + 1000);
			}
			attempts.push({ item, at, outcome: outcome.kind });
			return outcome;
		};
		const run = dispatch(
			8,
			(item, first) =>
				withRetries(attempt(item), policy, time.clock.wait, () => 0.5, { pacer, first }),
			() => false,
			{ concurrency: 3, stopOnFailure: false },
			pacer,
		);
		const result = await time.drive(run);

		expect(result.results.map((r) => r?.outcome.kind)).toEqual(Array(8).fill('accepted'));
		expect(result.results.map((r) => r?.attempts)).toEqual([2, 2, 2, 1, 1, 1, 1, 1]);
		const firstAnswerAt = 20;
		const later = attempts.filter((a) => a.at > 0);
		expect(later).toHaveLength(8);
		for (const a of later) expect(a.at).toBeGreaterThanOrEqual(firstAnswerAt + 1000);
		expect(limitUntil).toBe(1020);
	});

	test('a hold never shortens, and never exceeds the Longest Retry Wait', async () => {
		const time = virtualClock();
		const pacer = new Pacer({ ...SETTINGS, maxHoldMs: 5000 }, time.clock);
		const [a, b, c] = await takeTurns(pacer, 3);
		pacer.report(a, busy(3000));
		expect(pacer.heldUntil).toBe(3000);
		pacer.report(b, busy(1000));
		expect(pacer.heldUntil).toBe(3000);
		pacer.report(c, busy(120_000));
		expect(pacer.heldUntil).toBe(5000);
	});

	test('without Retry-After: a jittered exponential backoff, growing with each limited round, reset by an accepted answer', async () => {
		const time = virtualClock(() => 0);
		const pacer = new Pacer(SETTINGS, time.clock);
		const [a] = await takeTurns(pacer, 1);
		pacer.report(a, busy());
		expect(pacer.heldUntil).toBe(500); // half of 1 s (random 0)
		const b = (await time.drive(pacer.turn()))!;
		pacer.report(b, busy());
		// b started at 1000 (1/s after a); the next round: half of 2 s
		expect(time.now).toBe(1000);
		expect(pacer.heldUntil).toBe(1000 + 1000);
		const c = (await time.drive(pacer.turn()))!;
		pacer.report(c, accepted);
		const d = (await time.drive(pacer.turn()))!;
		pacer.report(d, busy());
		expect(pacer.heldUntil).toBe(time.now + 500);
	});

	test('answers that say nothing about the rate (refused, uncertain, not sent) change nothing', async () => {
		const time = virtualClock();
		const pacer = new Pacer(SETTINGS, time.clock);
		const [a] = await takeTurns(pacer, 1);
		pacer.report(a, uncertain);
		pacer.report(a, { ...uncertain, kind: 'notSent', retryable: true, mayHavePlaced: false });
		expect(pacer.callsPerSecond).toBeUndefined();
		expect(pacer.heldUntil).toBe(-Infinity);
	});
});

describe('Pacer: the rate', () => {
	test('the first limit sets the rate to the answers accepted in the last second', async () => {
		const time = virtualClock();
		const pacer = new Pacer(SETTINGS, time.clock);
		const turns = await takeTurns(pacer, 8);
		// 2 accepted long ago, 5 within the last second
		pacer.report(turns[0], accepted);
		pacer.report(turns[1], accepted);
		await time.advanceTo(2000);
		for (const turn of turns.slice(2, 7)) pacer.report(turn, accepted);
		await time.advanceTo(2900);
		pacer.report(turns[7], busy(0));
		expect(pacer.callsPerSecond).toBe(5);
	});

	test('drops by 0.9 on later limits, once per round, and grows back by at least 0.5/s per second of answers', async () => {
		const time = virtualClock();
		const pacer = new Pacer(SETTINGS, time.clock);
		const early = await takeTurns(pacer, 4);
		for (let i = 0; i < 10; i++) pacer.report(early[0], accepted);
		pacer.report(early[1], busy(0));
		expect(pacer.callsPerSecond).toBe(10);
		// Same round: started before the reaction, so not counted again.
		pacer.report(early[2], busy(0));
		pacer.report(early[3], busy(0));
		expect(pacer.callsPerSecond).toBe(10);

		// A new round: an attempt started after the reaction is limited.
		const next = (await time.drive(pacer.turn()))!;
		expect(next.waited).toBe(true);
		pacer.report(next, busy(0));
		expect(pacer.callsPerSecond).toBeCloseTo(10 * DECREASE, 10);

		// Accepted answers to paced attempts grow it, each by ADDITIVE_GROWTH / rate: a second's
		// worth (9) adds about 0.5/s (a little less, as the rate grows on the way), the same step
		// whatever the rate, so runs sharing one limit converge to equal shares. (It was 2% of the
		// rate, 0.18/s here: a run that started at 1/s took a minute to reach its share.)
		const paced: Turn[] = [];
		for (let i = 0; i < 9; i++) paced.push((await time.drive(pacer.turn()))!);
		expect(paced.every((turn) => turn.waited)).toBe(true);
		let expected = 9;
		for (const turn of paced) {
			pacer.report(turn, accepted);
			expected += ADDITIVE_GROWTH / expected;
		}
		expect(pacer.callsPerSecond).toBeCloseTo(expected, 10);
		expect(pacer.callsPerSecond! - 9).toBeGreaterThan(0.47);
		expect(pacer.callsPerSecond! - 9).toBeLessThan(0.5);
	});

	test('above 25/s a second of answers adds 2% of the rate, as 0.5/s would be less', async () => {
		const time = virtualClock();
		const pacer = new Pacer(SETTINGS, time.clock);
		const [first] = await takeTurns(pacer, 1);
		for (let i = 0; i < 50; i++) pacer.report(first, accepted);
		pacer.report(first, busy(0));
		expect(pacer.callsPerSecond).toBe(50);
		const paced: Turn[] = [];
		for (let i = 0; i < 50; i++) paced.push((await time.drive(pacer.turn()))!);
		expect(paced.every((turn) => turn.waited)).toBe(true);
		for (const turn of paced) pacer.report(turn, accepted);
		expect(pacer.callsPerSecond).toBeCloseTo(50 + 50 * GROWTH_PER_ANSWER, 10);
		expect(pacer.callsPerSecond! / 50).toBeCloseTo(1.02, 10);
	});

	test('starts are 1/rate apart once paced, and the rate never drops below 0.1/s', async () => {
		const time = virtualClock();
		const pacer = new Pacer(SETTINGS, time.clock);
		const [a] = await takeTurns(pacer, 1);
		pacer.report(a, busy(0));
		expect(pacer.callsPerSecond).toBe(1);
		const starts: number[] = [];
		for (let i = 0; i < 3; i++) {
			await time.drive(pacer.turn());
			starts.push(time.now);
		}
		expect(starts[1] - starts[0]).toBe(1000);
		expect(starts[2] - starts[1]).toBe(1000);
		for (let i = 0; i < 40; i++) pacer.report((await time.drive(pacer.turn()))!, busy(0));
		expect(pacer.callsPerSecond).toBe(0.1);
	});

	test('accepted answers to attempts that did not wait (the concurrency cap was the limit) do not grow the rate', async () => {
		const time = virtualClock();
		const pacer = new Pacer(SETTINGS, time.clock);
		const [a] = await takeTurns(pacer, 1);
		pacer.report(a, busy(0));
		await time.advanceTo(10_000);
		const turn = (await pacer.turn())!;
		expect(turn.waited).toBe(false);
		pacer.report(turn, accepted);
		expect(pacer.callsPerSecond).toBe(1);
	});

	test("the user's floor (Calls per Second) still holds after a short hold", async () => {
		const time = virtualClock();
		const pacer = new Pacer({ ...SETTINGS, minIntervalMs: 500 }, time.clock);
		for (let i = 0; i < 20; i++) pacer.report({ seq: -1, waited: false }, accepted);
		const [a] = await takeTurns(pacer, 1);
		await time.advanceTo(10);
		pacer.report(a, busy(0));
		expect(pacer.callsPerSecond).toBe(20); // 50 ms apart, but the floor is 500
		await time.drive(pacer.turn());
		expect(time.now).toBe(500);
	});
});

describe('Pacer: the Stop button', () => {
	test('during a hold: the waits end, no turn is granted, and none later', async () => {
		const time = virtualClock();
		const pacer = new Pacer(SETTINGS, time.clock);
		const [a] = await takeTurns(pacer, 1);
		pacer.report(a, busy(30_000));
		const waiting = [pacer.turn(), pacer.turn()];
		await time.advanceTo(1000);
		time.stop();
		expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
		expect(await pacer.turn()).toBeUndefined();
		expect(time.now).toBe(1000);
	});

	test('through withRetries: the limited item ends "stopped while waiting to retry", not placed', async () => {
		const time = virtualClock();
		const pacer = new Pacer(SETTINGS, time.clock);
		const first = (await pacer.turn())!;
		const attempt = jest.fn(async (): Promise<Outcome> => busy(30_000));
		const result = withRetries(
			attempt,
			{ maxRetries: 3, maxWaitMs: 60_000, baseDelayMs: 1000 },
			time.clock.wait,
			() => 0.5,
			{ pacer, first },
		);
		await time.advanceTo(5000);
		time.stop();
		expect(await result).toEqual({
			attempts: 1,
			outcome: {
				kind: 'cancelled',
				retryable: false,
				mayHavePlaced: false,
				message: 'The execution was stopped while waiting to retry this call',
				description: 'No call was placed for this item. Tried 1 time.',
			},
		});
		expect(attempt).toHaveBeenCalledTimes(1);
	});

	test('through dispatch: items waiting for their turn are never started', async () => {
		const time = virtualClock();
		const pacer = new Pacer(SETTINGS, time.clock);
		const controller = new AbortController();
		const started: number[] = [];
		const run = dispatch(
			5,
			async (item, first) => {
				started.push(item);
				const outcome = item === 0 ? busy(30_000) : accepted;
				pacer.report(first, outcome);
				return outcome;
			},
			() => false,
			{ concurrency: 1, stopOnFailure: false, signal: controller.signal },
			pacer,
		);
		await time.advanceTo(1000);
		controller.abort();
		time.stop();
		const result = await run;
		expect(started).toEqual([0]);
		expect(result.cancelled).toBe(true);
		expect(result.results.slice(1)).toEqual([undefined, undefined, undefined, undefined]);
	});
});

describe('withRetries with a pacer', () => {
	const policy: RetryPolicy = { maxRetries: 3, maxWaitMs: 60_000, baseDelayMs: 1000 };

	test('a limit answer waits only for the shared hold; a connection that failed waits its own backoff too', async () => {
		const time = virtualClock(() => 1);
		const pacer = new Pacer(SETTINGS, time.clock);
		const first = (await pacer.turn())!;
		const outcomes: Outcome[] = [
			busy(2000),
			{ ...uncertain, kind: 'notSent', retryable: true, mayHavePlaced: false },
			accepted,
		];
		const starts: number[] = [];
		const attempt = async () => {
			starts.push(time.now);
			return outcomes[starts.length - 1];
		};
		const result = await time.drive(
			withRetries(attempt, policy, time.clock.wait, () => 1, { pacer, first }),
		);
		expect(result).toEqual({ outcome: accepted, attempts: 3 });
		// the hold (2 s); then the item's own backoff after not reaching Samespace (2 s at random 1),
		// by which time the pace (1/s after the limit) lets it go
		expect(starts).toEqual([0, 2000, 4000]);
	});

	test('a Retry-After longer than the Longest Retry Wait fails the item with the same message; the hold is capped', async () => {
		const time = virtualClock();
		const pacer = new Pacer({ ...SETTINGS, maxHoldMs: 60_000 }, time.clock);
		const first = (await pacer.turn())!;
		const result = await withRetries(
			async () => busy(120_000),
			policy,
			time.clock.wait,
			() => 0.5,
			{ pacer, first },
		);
		expect(result.attempts).toBe(1);
		expect((result.outcome as Failure).description).toBe(
			'No call was placed. Samespace asked to wait 120 s, longer than the Longest Retry Wait (60 s). Tried 1 time. Run it again later.',
		);
		expect(pacer.heldUntil).toBe(60_000);
	});

	describe('a 429 while other calls of the run are being accepted does not use up a retry', () => {
		const retries2: RetryPolicy = { ...policy, maxRetries: 2 };
		/** Another call of the same run, accepted: the run is making progress. */
		const otherAccepted = (pacer: Pacer) => pacer.report({ seq: -1, waited: false }, accepted);

		test('at most Retries of them: 2 × Retries + 1 attempts, and the message says why', async () => {
			const time = virtualClock();
			const pacer = new Pacer(SETTINGS, time.clock);
			const first = (await pacer.turn())!;
			const attempt = jest.fn(async (): Promise<Outcome> => {
				await time.sleep(20);
				otherAccepted(pacer);
				return busy(1000);
			});
			const result = await time.drive(
				withRetries(attempt, retries2, time.clock.wait, () => 0.5, { pacer, first }),
			);
			expect(result.attempts).toBe(5);
			expect(attempt).toHaveBeenCalledTimes(5);
			expect((result.outcome as Failure).description).toBe(
				'No call was placed. Tried 5 times. 2 of the 429/503 answers came while other calls of this run were being accepted, and did not count against Retries. Run it again later, or raise the Retries option.',
			);
		});

		test('accepted after three 429s with Retries 2: the item succeeds', async () => {
			const time = virtualClock();
			const pacer = new Pacer(SETTINGS, time.clock);
			const first = (await pacer.turn())!;
			let calls = 0;
			const attempt = async (): Promise<Outcome> => {
				await time.sleep(20);
				otherAccepted(pacer);
				return ++calls <= 3 ? busy(1000) : accepted;
			};
			const result = await time.drive(
				withRetries(attempt, retries2, time.clock.wait, () => 0.5, { pacer, first }),
			);
			expect(result).toEqual({ outcome: accepted, attempts: 4 });
		});

		test(`nothing of the run accepted within ${PROGRESS_WINDOW_MS / 1000} s: every 429 counts, as before`, async () => {
			const time = virtualClock();
			const pacer = new Pacer(SETTINGS, time.clock);
			otherAccepted(pacer); // at 0, then no more
			const first = (await pacer.turn())!;
			const attempt = jest.fn(async (): Promise<Outcome> => {
				await time.sleep(PROGRESS_WINDOW_MS + 1);
				return busy(1000);
			});
			const result = await time.drive(
				withRetries(attempt, retries2, time.clock.wait, () => 0.5, { pacer, first }),
			);
			expect(result.attempts).toBe(3);
			expect((result.outcome as Failure).description).toBe(
				'No call was placed. Tried 3 times. Run it again later, or raise the Retries option.',
			);
		});

		test('an API that refuses every call: Retries + 1 attempts, as before', async () => {
			const time = virtualClock();
			const pacer = new Pacer(SETTINGS, time.clock);
			const first = (await pacer.turn())!;
			const attempt = jest.fn(async (): Promise<Outcome> => busy(1000));
			const result = await time.drive(
				withRetries(attempt, policy, time.clock.wait, () => 0.5, { pacer, first }),
			);
			expect(result.attempts).toBe(policy.maxRetries + 1);
			expect(pacer.progressing).toBe(false);
		});

		test('Retries 0 still means no retry', async () => {
			const time = virtualClock();
			const pacer = new Pacer(SETTINGS, time.clock);
			otherAccepted(pacer);
			const first = (await pacer.turn())!;
			const attempt = jest.fn(async (): Promise<Outcome> => busy(1000));
			const result = await time.drive(
				withRetries(attempt, { ...policy, maxRetries: 0 }, time.clock.wait, () => 0.5, {
					pacer,
					first,
				}),
			);
			expect(result.attempts).toBe(1);
			expect(pacer.progressing).toBe(true);
		});

		test('only limit answers: a connection that failed counts, however the run is going', async () => {
			const time = virtualClock();
			const pacer = new Pacer(SETTINGS, time.clock);
			const first = (await pacer.turn())!;
			const notSent: Failure = {
				...uncertain,
				kind: 'notSent',
				retryable: true,
				mayHavePlaced: false,
			};
			const attempt = jest.fn(async (): Promise<Outcome> => {
				otherAccepted(pacer);
				return notSent;
			});
			const result = await time.drive(
				withRetries(attempt, retries2, time.clock.wait, () => 0.5, { pacer, first }),
			);
			expect(result.attempts).toBe(3);
		});
	});

	test('an uncertain answer is never retried, whatever the pacer says', async () => {
		const time = virtualClock();
		const pacer = new Pacer(SETTINGS, time.clock);
		const first = (await pacer.turn())!;
		const attempt = jest.fn(async (): Promise<Outcome> => uncertain);
		const result = await withRetries(attempt, policy, time.clock.wait, () => 0.5, { pacer, first });
		expect(result).toEqual({ outcome: uncertain, attempts: 1 });
		expect(attempt).toHaveBeenCalledTimes(1);
	});
});
