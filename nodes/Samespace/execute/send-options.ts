/**
 * The node's sending options, read once per execution (from the first item) and clamped to
 * what is safe: a typo must not turn into 10,000 simultaneous calls or an endless wait.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

export const SEND_DEFAULTS = {
	/** Calls in flight at once. See the README ("Sending many items") for why 5. */
	concurrency: 5,
	maxConcurrency: 50,
	callsPerSecond: 0,
	timeoutSeconds: 30,
	retries: 3,
	maxRetries: 10,
	maxRetryWaitSeconds: 60,
} as const;

export interface SendOptions {
	validateOnly: boolean;
	includeFlow: boolean;
	concurrency: number;
	/** Least time between two call starts (0: no pace). */
	minIntervalMs: number;
	timeoutMs: number;
	retries: number;
	maxRetryWaitMs: number;
}

const finite = (value: unknown, fallback: number): number =>
	typeof value === 'number' && Number.isFinite(value) ? value : fallback;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

export function sendOptionsFrom(raw: Record<string, unknown>): SendOptions {
	const callsPerSecond = Math.max(0, finite(raw.callsPerSecond, SEND_DEFAULTS.callsPerSecond));
	return {
		validateOnly: raw.validateOnly === true,
		includeFlow: raw.includeFlow === true,
		concurrency: clamp(Math.floor(finite(raw.concurrency, SEND_DEFAULTS.concurrency)), 1, SEND_DEFAULTS.maxConcurrency),
		minIntervalMs: callsPerSecond > 0 ? 1000 / callsPerSecond : 0,
		timeoutMs: Math.round(clamp(finite(raw.timeout, SEND_DEFAULTS.timeoutSeconds), 0.1, 600) * 1000),
		retries: clamp(Math.floor(finite(raw.retries, SEND_DEFAULTS.retries)), 0, SEND_DEFAULTS.maxRetries),
		maxRetryWaitMs: Math.round(clamp(finite(raw.maxRetryWait, SEND_DEFAULTS.maxRetryWaitSeconds), 0, 3600) * 1000),
	};
}

export function readSendOptions(ctx: IExecuteFunctions): SendOptions {
	return sendOptionsFrom(ctx.getNodeParameter('options', 0, {}) as Record<string, unknown>);
}
