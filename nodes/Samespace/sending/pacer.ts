/**
 * One pace for every call of one run: decides when the next attempt (a first send or a retry)
 * may start. All state lives in one Pacer, made per run of `sendCalls`, so concurrent
 * executions (and queue-mode workers) share nothing.
 *
 * - Starts are at least `minIntervalMs` apart (the user's Calls per Second), and at least
 *   1/rate apart once Samespace has limited the run.
 * - A limit answer (`busy`) holds back every new start until its Retry-After, or a jittered
 *   backoff; a hold never shortens and never exceeds the Longest Retry Wait. Attempts waiting
 *   for their turn when a hold comes take a new place after it.
 * - The rate adapts (AIMD): the first limit sets it to the answers accepted in the last second
 *   (at least 1/s); each later limit round multiplies it by 0.9; each accepted answer to an
 *   attempt that waited adds max(0.02, 0.5 / rate).
 * See docs/design.md#the-pacer-and-the-shared-limit.
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
 * converge to equal shares. See docs/design.md#why-05-calls-a-second.
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
