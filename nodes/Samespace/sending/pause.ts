import { sleep } from 'n8n-workflow';

/** Longest single sleep, so that a stop in n8n is noticed quickly even during a long wait. */
const SLICE_MS = 200;

/**
 * Waits `ms` unless the execution is stopped first. n8n's own `sleep` cannot be cancelled and
 * node code may not use timers directly, so the wait is cut into short slices.
 * Resolves to false when the wait ended because of a stop.
 */
export async function pauseUnlessStopped(
	ms: number,
	signal: AbortSignal | undefined,
): Promise<boolean> {
	const until = Date.now() + Math.max(0, ms);
	while (!signal?.aborted) {
		const left = until - Date.now();
		if (left <= 0) return true;
		await sleep(Math.min(left, SLICE_MS));
	}
	return false;
}
