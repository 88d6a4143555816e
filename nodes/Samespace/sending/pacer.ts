/**
 * One pace for every call of one run: decides when the next attempt (a first send or a retry)
 * may start. All state lives in one Pacer, made per run of `sendCalls`, so concurrent
 * executions (and queue-mode workers) share nothing.
 *
 * Rules:
 * - Starts are at least `minIntervalMs` apart (the user's Calls per Second), and at least
 *   1/rate apart once Samespace has limited the run (below).
 * - A limit answer (`busy`: 429, or a 503 that says to come back) holds back every new start:
 *   until its Retry-After, or, without one, for a jittered exponential backoff. A hold never
 *   shortens, and never lasts longer than the Longest Retry Wait (the item that asked for longer
 *   fails, as it does alone; the others are not kept waiting beyond what the user allowed).
 *   Attempts that were waiting for their turn when a hold came take a new place after it.
 * - The rate adapts (AIMD, as TCP does): the run starts unpaced; the first limit sets the rate
 *   to the accepted answers of the last second (at least 1/s: what Samespace evidently let
 *   through); each later limit multiplies it by 0.9, at most once per round (limit answers to
 *   attempts started before the last reaction belong to the same round and are not counted
 *   again, like TCP's one decrease per round trip); each accepted answer adds
 *   max(0.02, 0.5 / rate) calls per second: a second's worth of answers (rate of them) adds at
 *   least 0.5/s (additive increase), and 2% of the rate once that is more (above 25/s).
 * - Why the increase is additive: in n8n's queue mode many executions run at once, each with its
 *   own Pacer, against one Samespace limit. The first ones to start empty its burst, so those
 *   starting tens of milliseconds later see a 429 before anything was accepted and start at 1/s.
 *   Grown by 2% of the rate per second they needed about a minute to reach their share (10 runs
 *   of 100 calls against 50/s: 58 s instead of 19), and an increase in proportion to the rate
 *   with a decrease in proportion to it keeps whatever unfairness the start dealt (MIMD). An
 *   additive step is the same for every run, while each limit round takes 10% of the rate, more
 *   from the faster ones: the rates converge to equal shares (Chiu and Jain's argument for TCP's
 *   AIMD), and a run at 1/s reaches 5/s in about 8 s (the 58 s above become 23 s). 0.5 was
 *   chosen by simulating this Pacer with many runs sharing one token bucket
 *   (test/unit/pacer-shared-limit.test.ts): 1/s per second is a little faster, but makes more
 *   items use up their Retries on 429s when many runs share a small limit; a single run's time
 *   changes by a few percent at most (at 5/s, where 0.5/s is 10% of the rate: more 429s).
 * - Improvement over a plain AIMD: the rate only grows on answers to attempts that had to wait
 *   for their turn, i.e. while the pace is what holds starts back. When the concurrency cap (or a
 *   slow API) is the bottleneck, the pace is not being tested, and letting it grow anyway would
 *   leave it far above what was ever sent, so the next limit would need many rounds to come down.
 * Being a little above Samespace's rate is cheap (its bucket refills during a hold); being below
 * it costs throughput, so the first estimate errs high rather than low, and a run below its share
 * climbs back by at least 0.5/s each second.
 */
import { backoffDelay } from './retry';
import type { Outcome } from '../transport/outcome';

export interface PacerClock {
	now(): number;
	/** Waits `ms`; resolves to false when the run was stopped meanwhile. */
	wait(ms: number): Promise<boolean>;
	random(): number;
	/** Whether the run was stopped (checked before a turn is granted without a wait). */
	stopped?(): boolean;
}

export interface PacerSettings {
	/** The user's floor: least time between two starts (0: none). */
	minIntervalMs: number;
	/** The longest hold (the Longest Retry Wait). */
	maxHoldMs: number;
	/** First backoff step of a hold without Retry-After; doubles with each limit round in a row. */
	baseDelayMs: number;
}

/** An attempt's place: handed back with its answer. */
export interface Turn {
	/** Order of the start within the run. */
	readonly seq: number;
	/** Whether the attempt had to wait for its turn (the pace or a hold was binding). */
	readonly waited: boolean;
}

/** The window over which accepted answers are counted for the first estimate. */
export const ESTIMATE_WINDOW_MS = 1000;
/** The first estimate is at least this (calls per second). */
export const MIN_FIRST_RATE = 1;
/** The rate never drops below this (calls per second): below it, holds alone pace the run. */
export const MIN_RATE = 0.1;
/** Factor applied to the rate on a limit answer (once per round). */
export const DECREASE = 0.9;
/** Calls per second added per accepted answer: 2% of the rate per second's worth of answers. */
export const GROWTH_PER_ANSWER = 0.02;
/**
 * Least growth per second's worth of accepted answers, in calls per second: each accepted answer
 * (to an attempt that waited) adds ADDITIVE_GROWTH / rate when that is more than
 * GROWTH_PER_ANSWER, i.e. below 25/s. The same step for every run sharing a limit, so their rates
 * converge to equal shares (additive increase; see the header for why 0.5).
 */
export const ADDITIVE_GROWTH = 0.5;
/**
 * The run is making progress while one of its calls was accepted within this window: a limit
 * answer then is the pace of a limit shared with other runs, not Samespace refusing the item, and
 * does not use up one of the item's Retries (at most Retries times; sending/retry.ts).
 */
export const PROGRESS_WINDOW_MS = 5000;

export class Pacer {
	private rate: number | undefined;
	private holdUntil = -Infinity;
	private nextStartAt = -Infinity;
	private lastStartAt = -Infinity;
	/** Changes with every limit answer: a turn reserved under an older one is reserved again. */
	private generation = 0;
	private started = 0;
	/** The first start of the current round: earlier attempts' limit answers are not reacted to. */
	private roundFrom = 0;
	/** Limit rounds since the last accepted answer (the backoff's exponent). */
	private streak = 0;
	private readonly acceptedAt: number[] = [];
	private lastAcceptedAt = -Infinity;

	constructor(
		private readonly settings: PacerSettings,
		private readonly clock: PacerClock,
	) {}

	/** The adapted rate in calls per second; undefined while unpaced (no limit answer yet). */
	get callsPerSecond(): number | undefined {
		return this.rate;
	}

	/** Whether a call of the run was accepted within the last PROGRESS_WINDOW_MS. */
	get progressing(): boolean {
		return this.clock.now() - this.lastAcceptedAt <= PROGRESS_WINDOW_MS;
	}

	/** No start before this time (ms, on the pacer's clock). */
	get heldUntil(): number {
		return this.holdUntil;
	}

	private interval(): number {
		return Math.max(this.settings.minIntervalMs, this.rate === undefined ? 0 : 1000 / this.rate);
	}

	/**
	 * Waits for this attempt's turn. Undefined when the run was stopped first: then the attempt
	 * must not start.
	 */
	async turn(): Promise<Turn | undefined> {
		let waited = false;
		for (;;) {
			const now = this.clock.now();
			const generation = this.generation;
			const startAt = Math.max(now, this.holdUntil, this.nextStartAt);
			this.nextStartAt = startAt + this.interval();
			if (startAt > now) {
				waited = true;
				if (!(await this.clock.wait(startAt - now))) return undefined;
			}
			if (this.clock.stopped?.()) return undefined;
			// A limit answer came while this attempt waited: its place was given under the old
			// hold and rate, so it takes a new one.
			if (generation !== this.generation) continue;
			this.lastStartAt = Math.max(this.lastStartAt, this.clock.now());
			return { seq: this.started++, waited };
		}
	}

	/** What the attempt that had `turn` came to. */
	report(turn: Turn, outcome: Outcome): void {
		const now = this.clock.now();
		if (outcome.kind === 'accepted') {
			this.streak = 0;
			this.acceptedAt.push(now);
			this.lastAcceptedAt = now;
			this.forgetBefore(now - ESTIMATE_WINDOW_MS);
			if (this.rate !== undefined && turn.waited) {
				this.rate += Math.max(GROWTH_PER_ANSWER, ADDITIVE_GROWTH / this.rate);
			}
			return;
		}
		if (outcome.kind !== 'busy') return;
		if (turn.seq >= this.roundFrom) {
			this.forgetBefore(now - ESTIMATE_WINDOW_MS);
			this.rate =
				this.rate === undefined
					? Math.max(MIN_FIRST_RATE, this.acceptedAt.length)
					: Math.max(MIN_RATE, this.rate * DECREASE);
			this.roundFrom = this.started;
			this.streak++;
		}
		const delay =
			outcome.retryAfterMs ??
			backoffDelay(
				Math.max(0, this.streak - 1),
				{
					maxRetries: 0,
					maxWaitMs: this.settings.maxHoldMs,
					baseDelayMs: this.settings.baseDelayMs,
				},
				this.clock.random,
			);
		this.holdUntil = Math.max(
			this.holdUntil,
			now + Math.min(Math.max(0, delay), this.settings.maxHoldMs),
		);
		this.generation++;
		// Places reserved before are given again from here; the floor still counts from the last start.
		this.nextStartAt = Math.max(this.holdUntil, this.lastStartAt + this.interval());
	}

	private forgetBefore(time: number): void {
		while (this.acceptedAt.length > 0 && this.acceptedAt[0] <= time) this.acceptedAt.shift();
	}
}
