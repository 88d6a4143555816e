/**
 * The node's sending options, read once per execution (from the first item) and clamped to
 * what is safe: a typo must not turn into 10,000 simultaneous calls or an endless wait.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

/** Calls in flight at once. See docs/reference.md ("Sending many items") for why 5. */
export const DEFAULT_CONCURRENCY = 5;
export const MAX_CONCURRENCY = 50;
export const DEFAULT_CALLS_PER_SECOND = 0;
export const DEFAULT_TIMEOUT_SECONDS = 30;
export const DEFAULT_RETRIES = 3;
export const MAX_RETRIES = 10;
export const DEFAULT_MAX_RETRY_WAIT_SECONDS = 60;

export interface SendOptions {
	validateOnly: boolean;
	includeFlow: boolean;
	concurrency: number;
	/** Least time between two call starts (0: no pace). */
	minIntervalMs: number;
	timeoutMs: number;
	retries: number;
	maxRetryWaitMs: number;
	/** Place calls in a retried execution (n8n's Retry); off by default, see repeat-guard.ts. */
	callsOnRetry: boolean;
}

const finite = (value: unknown, fallback: number): number =>
	typeof value === 'number' && Number.isFinite(value) ? value : fallback;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

export function sendOptionsFrom(raw: Record<string, unknown>): SendOptions {
	const callsPerSecond = Math.max(0, finite(raw.callsPerSecond, DEFAULT_CALLS_PER_SECOND));
	return {
		validateOnly: raw.validateOnly === true,
		includeFlow: raw.includeFlow === true,
		concurrency: clamp(
			Math.floor(finite(raw.concurrency, DEFAULT_CONCURRENCY)),
			1,
			MAX_CONCURRENCY,
		),
		minIntervalMs: callsPerSecond > 0 ? 1000 / callsPerSecond : 0,
		timeoutMs: Math.round(clamp(finite(raw.timeout, DEFAULT_TIMEOUT_SECONDS), 0.1, 600) * 1000),
		retries: clamp(Math.floor(finite(raw.retries, DEFAULT_RETRIES)), 0, MAX_RETRIES),
		maxRetryWaitMs: Math.round(
			clamp(finite(raw.maxRetryWait, DEFAULT_MAX_RETRY_WAIT_SECONDS), 0, 3600) * 1000,
		),
		callsOnRetry: raw.callsOnRetry === true,
	};
}

export function readSendOptions(ctx: IExecuteFunctions): SendOptions {
	return sendOptionsFrom(ctx.getNodeParameter('options', 0, {}) as Record<string, unknown>);
}
