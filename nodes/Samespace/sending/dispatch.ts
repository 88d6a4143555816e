/**
 * Running many calls with a cap on how many are in flight, each start taking its turn through a
 * Pacer (sending/pacer.ts). All state lives in one call of `dispatch`, so concurrent executions
 * (and queue-mode workers) share nothing.
 */
import type { Pacer, Turn } from './pacer';

export interface DispatchSettings {
	/** Most tasks running at once. */
	concurrency: number;
	/** Stop starting tasks after the first failure. */
	stopOnFailure: boolean;
	/** When aborted, no further task is started. */
	signal?: AbortSignal;
}

export interface DispatchResult<R> {
	/** Per index; undefined where the task was never started. */
	results: Array<R | undefined>;
	/** Index of the failure that stopped the run, if one did. */
	stoppedAt?: number;
	cancelled: boolean;
}

export async function dispatch<R>(
	count: number,
	run: (index: number, turn: Turn) => Promise<R>,
	isFailure: (result: R) => boolean,
	settings: DispatchSettings,
	/** Decides when each task may start (shared with the tasks' own retries). */
	pacer: Pacer,
): Promise<DispatchResult<R>> {
	const results: Array<R | undefined> = new Array(count);
	let next = 0;
	let stoppedAt: number | undefined;
	const halted = () => stoppedAt !== undefined || settings.signal?.aborted === true;

	const worker = async () => {
		while (!halted() && next < count) {
			const index = next++;
			const turn = await pacer.turn();
			if (!turn || halted()) return;
			const result = await run(index, turn);
			results[index] = result;
			if (settings.stopOnFailure && isFailure(result) && stoppedAt === undefined) stoppedAt = index;
		}
	};

	const workers = Math.max(1, Math.min(settings.concurrency, count));
	await Promise.all(Array.from({ length: workers }, worker));
	return { results, stoppedAt, cancelled: settings.signal?.aborted === true };
}
