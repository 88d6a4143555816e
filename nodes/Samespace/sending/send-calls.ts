/**
 * Placing the checked calls: a capped number in flight, one pace for the whole run (the user's
 * Calls per Second and Samespace's rate limit, sending/pacer.ts), per-call retries where no call
 * can have been placed, a line in n8n's log for every call placed or maybe placed (call-log.ts),
 * and the run-level errors when the run stops early.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { dispatch } from './dispatch';
import { MAY_HAVE_PLACED } from '../transport/response';
import type { Outcome } from '../transport/outcome';
import { Pacer, type Turn } from './pacer';
import { withRetries, type RetryResult } from './retry';
import type { Redact } from '../transport/redact';
import { sendOnce, type ApiRequest } from '../transport/request';
import { pauseUnlessStopped } from './pause';
import { callLog } from '../helpers/call-log';
import { cancelledRunError, stoppedRunError, type RunSummary } from '../helpers/output';
import type { SendOptions } from '../helpers/send-options';

/** First backoff step when Samespace gives no Retry-After; it doubles each attempt. */
const BASE_RETRY_DELAY_MS = 1000;

export interface PendingCall {
	itemIndex: number;
	request: ApiRequest;
}

export interface CallSettings {
	options: SendOptions;
	/** Gives an outcome the words of the operation (what a refusal means, what may have happened). */
	inWords?: (slot: number, outcome: Outcome) => Outcome;
	/** With "continue on fail" every call is tried; without, the first failure stops the run. */
	continueOnFail: boolean;
	redact: Redact;
}

/**
 * One result per pending call, in the same order. Throws (naming what happened to every item)
 * when the run stops early: at the first failure without "continue on fail", or on a stop.
 */
export async function sendCalls(
	ctx: IExecuteFunctions,
	pending: PendingCall[],
	settings: CallSettings,
): Promise<RetryResult[]> {
	const { options } = settings;
	const signal = ctx.getExecutionCancelSignal();
	const wait = (ms: number) => pauseUnlessStopped(ms, signal);
	const policy = {
		maxRetries: options.retries,
		maxWaitMs: options.maxRetryWaitMs,
		baseDelayMs: BASE_RETRY_DELAY_MS,
	};
	// One per run: every first send and every retry of this run takes its turn through it.
	const pacer = new Pacer(
		{
			minIntervalMs: options.minIntervalMs,
			maxHoldMs: options.maxRetryWaitMs,
			baseDelayMs: BASE_RETRY_DELAY_MS,
		},
		{ now: () => Date.now(), wait, random: Math.random, stopped: () => signal?.aborted === true },
	);

	const logCall = callLog(ctx, settings.redact);

	const sendWithRetries = async (slot: number, first: Turn): Promise<RetryResult> => {
		const { request } = pending[slot];
		const attempt = async () => {
			const answer = await sendOnce(ctx, request, options.timeoutMs, settings.redact);
			return settings.inWords ? settings.inWords(slot, answer) : answer;
		};
		try {
			return await withRetries(attempt, policy, wait, Math.random, { pacer, first });
		} catch (error) {
			// Nothing above should throw; if something does, the call may have been placed.
			const outcome: Outcome = {
				kind: 'uncertain',
				retryable: false,
				mayHavePlaced: true,
				message: `Unexpected error while sending: ${(error as Error).message}`,
				description: MAY_HAVE_PLACED,
				reason: 'an unexpected error while sending',
			};
			return { outcome, attempts: 1 };
		}
	};

	const placeOne = async (slot: number, first: Turn): Promise<RetryResult> => {
		const result = await sendWithRetries(slot, first);
		// Logged now, not with the run's output: if the process dies later in the run, n8n saves
		// nothing of this node, and this line is what says the call was placed (call-log.ts).
		logCall(pending[slot].itemIndex, result.outcome);
		return result;
	};

	const run = await dispatch(
		pending.length,
		placeOne,
		(result) => result.outcome.kind !== 'accepted',
		{ concurrency: options.concurrency, stopOnFailure: !settings.continueOnFail, signal },
		pacer,
	);

	const summary = summarize(pending, run.results);
	if (run.cancelled) throw cancelledRunError(ctx.getNode(), summary);
	const failed = run.stoppedAt === undefined ? undefined : run.results[run.stoppedAt];
	if (run.stoppedAt !== undefined && failed && failed.outcome.kind !== 'accepted') {
		throw stoppedRunError(
			ctx.getNode(),
			pending[run.stoppedAt].itemIndex,
			failed.outcome,
			summary,
			settings.redact,
		);
	}
	// Without a stop or a cancel, every call was started and has its result.
	return run.results as RetryResult[];
}

/**
 * Every pending item in exactly one group: accepted, may have been placed (in flight when the run
 * stopped, or failed after Samespace had the request), or not placed (never sent, or refused).
 */
export function summarize(
	pending: PendingCall[],
	results: Array<RetryResult | undefined>,
): RunSummary {
	const summary: RunSummary = { accepted: [], mayHavePlaced: [], notPlaced: [] };
	pending.forEach(({ itemIndex }, slot) => {
		const outcome = results[slot]?.outcome;
		if (outcome?.kind === 'accepted') summary.accepted.push(itemIndex);
		else if (outcome?.mayHavePlaced) summary.mayHavePlaced.push(itemIndex);
		else summary.notPlaced.push(itemIndex);
	});
	return summary;
}
