/**
 * Many items: the concurrency cap, the pace, stopping an execution, and a 5,000-item load run.
 * Nothing here asserts a duration; speed is measured by `npm run bench`.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import {
	expectNoSecret,
	outputJson,
	runSamespace,
	useEmulator,
	straightSteps,
} from '../support/samespace';

const emulator = useEmulator();

const leads = (count: number) =>
	Array.from({ length: count }, (_v, index) => ({
		phone: `1415${String(5_000_000 + index).padStart(7, '0')}`,
	}));

test('never more calls in flight than "Calls in Parallel", and output order is input order', async () => {
	emulator.inject({ kind: 'delay', ms: 25 }, { times: Infinity });
	const items = leads(40);
	const result = await runSamespace(
		emulator,
		{ steps: straightSteps(), options: { concurrency: 4 } },
		{ items },
	);

	expect(result.error).toBeUndefined();
	expect(emulator.peakConcurrency).toBeLessThanOrEqual(4);
	expect(emulator.peakConcurrency).toBeGreaterThan(1); // it really sends in parallel
	const callIdByNumber = new Map(emulator.placedCalls.map((call) => [call.number, call.call_id]));
	expect(outputJson(result).map((json) => json.call_id)).toEqual(
		items.map((item) => callIdByNumber.get(item.phone)),
	);
	expect(result.outputs.Samespace.map((item) => item.pairedItem)).toEqual(
		items.map((_item, index) => ({ item: index })),
	);
});

test('"Max Calls per Second" spaces the starts of the calls', async () => {
	const items = leads(6);
	const result = await runSamespace(
		emulator,
		{ steps: straightSteps(), options: { concurrency: 6, callsPerSecond: 20 } },
		{ items },
	);

	expect(result.error).toBeUndefined();
	const times = emulator.requests.map((request) => request.time).sort((a, b) => a - b);
	// Six starts at least 50 ms apart span at least 250 ms; arrival jitter is allowed for.
	expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(200);
});

test('stopping the execution starts no further call', async () => {
	emulator.inject({ kind: 'delay', ms: 100 }, { times: Infinity });
	const controller = new AbortController();
	const running = runSamespace(
		emulator,
		{ steps: straightSteps(), options: { concurrency: 2 } },
		{ items: leads(30), signal: controller.signal },
	);
	while (emulator.requests.length + emulator.inFlight < 4)
		await new Promise((resolve) => setTimeout(resolve, 5));
	controller.abort();
	const result = await running;
	const sentWhenSettled = emulator.counters.requests;
	await new Promise((resolve) => setTimeout(resolve, 300));

	expect(result.status).toBe('canceled');
	expect(sentWhenSettled).toBeLessThanOrEqual(6); // the ones in flight at the stop, at most one more round
	expect(emulator.counters.requests).toBe(sentWhenSettled);
	expectNoSecret(result);
});

test('5,000 items: each answered once, cap kept, order and pairing kept, memory bounded', async () => {
	const count = 5000;
	const items = leads(count);
	// A full collection before each reading, so the growth is what the run keeps, not garbage.
	setFlagsFromString('--expose-gc');
	const collectGarbage = runInNewContext('gc') as () => void;
	collectGarbage();
	const heapBefore = process.memoryUsage().heapUsed;
	const result = await runSamespace(
		emulator,
		{ steps: straightSteps(), options: { concurrency: 8 } },
		{ items },
	);
	collectGarbage();
	const heapAfter = process.memoryUsage().heapUsed;

	expect(result.error).toBeUndefined();
	expect(emulator.counters.requests).toBe(count);
	expect(emulator.placedCalls).toHaveLength(count);
	expect(new Set(emulator.placedCalls.map((call) => call.number)).size).toBe(count); // nobody twice
	expect(emulator.peakConcurrency).toBeLessThanOrEqual(8);
	const out = result.outputs.Samespace;
	expect(out).toHaveLength(count);
	const callIdByNumber = new Map(emulator.placedCalls.map((call) => [call.number, call.call_id]));
	expect(
		out.every((item, index) => item.json.call_id === callIdByNumber.get(items[index].phone)),
	).toBe(true);
	expect(out.every((item, index) => (item.pairedItem as { item: number }).item === index)).toBe(
		true,
	);
	// Bounded: the run keeps inputs, outputs and the emulator's records (a few hundred bytes per
	// item each), not per-request buffers; 5,000 items stay far below 200 MB of heap growth.
	expect(heapAfter - heapBefore).toBeLessThan(200 * 1024 * 1024);
	console.log(
		`load: ${count} items, peak concurrency ${emulator.peakConcurrency} of cap 8, heap growth ${Math.round((heapAfter - heapBefore) / 1024 / 1024)} MB`,
	);
});
