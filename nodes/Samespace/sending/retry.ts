/**
 * Retrying only what cannot have placed a call. A 429 or 503, or a connection that was never
 * made, is sent again after a wait; anything that may have reached Samespace is never resent.
 * With a Pacer (the node always gives one), every attempt takes its turn through it and a 429's
 * wait is the pacer's hold, shared by every call of the run; without one, the item waits alone.
 *
 * A limit answer that comes while the run is making progress (`Pacer.progressing`) does not use
 * up a retry, at most Retries times per item (so at most 2 × Retries + 1 tries); when nothing of
 * the run is being accepted, every limit answer counts. See docs/design.md#retries.
 */
import type { Failure, Outcome } from '../transport/outcome';
import type { Pacer, Turn } from './pacer';

export interface RetryPolicy {
	/** Attempts after the first. */
	maxRetries: number;
	/** The longest single wait, and the most a `Retry-After` may ask for. */
	maxWaitMs: number;
	/** First backoff step when Samespace gives no `Retry-After`; doubles each attempt. */
	baseDelayMs: number;
}

export interface RetryResult {
	outcome: Outcome;
	attempts: number;
}

/** Full jitter between half and all of an exponential step, so many items do not retry in lockstep. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
	const step = Math.min(policy.maxWaitMs, policy.baseDelayMs * 2 ** retry);
	return Math.round(step * (0.5 + random() / 2));
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(2))} s`;

/** The run's pacer and the turn the dispatcher took for the first attempt. */
export interface Pacing {
	pacer: Pacer;
	first: Turn;
}

export async function withRetries(
	attempt: () => Promise<Outcome>,
	policy: RetryPolicy,
	wait: (ms: number) => Promise<boolean>,
	random: () => number = Math.random,
	pacing?: Pacing,
): Promise<RetryResult> {
	let turn = pacing?.first;
	/** Limit answers that came while the run was making progress: not counted against Retries. */
	let spared = 0;
	for (let attempts = 1; ; attempts++) {
		const outcome = await attempt();
		if (pacing && turn) pacing.pacer.report(turn, outcome);
		if (outcome.kind === 'accepted' || !outcome.retryable) return { outcome, attempts };
		if (outcome.kind === 'busy' && pacing?.pacer.progressing && spared < policy.maxRetries) {
			spared++;
		}
		const tried = `Tried ${attempts} time${attempts > 1 ? 's' : ''}.`;
		if (attempts - spared > policy.maxRetries) {
			const notCounted =
				spared > 0
					? ` ${spared} of the 429/503 answers came while other calls of this run were being accepted, and did not count against Retries.`
					: '';
			return {
				outcome: note(
					outcome,
					`${tried}${notCounted} Run it again later, or raise the Retries option.`,
				),
				attempts,
			};
		}
		if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > policy.maxWaitMs) {
			return {
				outcome: note(
					outcome,
					`Samespace asked to wait ${seconds(outcome.retryAfterMs)}, longer than the Longest Retry Wait (${seconds(policy.maxWaitMs)}). ${tried} Run it again later.`,
				),
				attempts,
			};
		}
		// With a pacer, a limit answer's wait is its hold (taken in `turn` below); a connection that
		// failed is this item's own trouble and waits alone.
		const ownWait =
			pacing && outcome.kind === 'busy'
				? undefined
				: (outcome.retryAfterMs ?? backoffDelay(attempts - 1, policy, random));
		let stopped = ownWait !== undefined && !(await wait(ownWait));
		if (!stopped && pacing) {
			turn = await pacing.pacer.turn();
			stopped = turn === undefined;
		}
		if (stopped) {
			return {
				outcome: {
					kind: 'cancelled',
					retryable: false,
					mayHavePlaced: false,
					message: 'The execution was stopped while waiting to retry this call',
					description: `No call was placed for this item. ${tried}`,
				},
				attempts,
			};
		}
	}
}

const note = (failure: Failure, text: string): Failure => ({
	...failure,
	description: `${failure.description} ${text}`.trim(),
});
