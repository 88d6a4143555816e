/**
 * Unit tests of the dispatcher (nodes/Samespace/sending/dispatch.ts): results in item order, the
 * concurrency cap, stopping on the first failure or on a stop, and the pace between starts (with
 * the pacer the node gives it for a fixed Calls per Second). No real timers: waits are fakes.
 */
import { dispatch, type DispatchSettings } from '../../../nodes/Samespace/sending/dispatch';
import { Pacer } from '../../../nodes/Samespace/sending/pacer';

interface Deferred<T> {
	promise: Promise<T>;
	resolve: (value: T) => void;
}
function deferred<T>(): Deferred<T> {
	let resolve!: (value: T) => void;
	const promise = new Promise<T>((r) => (resolve = r));
	return { promise, resolve };
}
/** Lets every pending promise callback run. */
const settle = async () => {
	for (let i = 0; i < 20; i++) await Promise.resolve();
};

const SETTINGS: DispatchSettings & { minIntervalMs: number } = {
	concurrency: 3,
	minIntervalMs: 0,
	stopOnFailure: false,
};

/**
 * dispatch with the pacer the node gives it for a fixed pace (Calls per Second as `minIntervalMs`),
 * whose waits are `wait`: no Samespace limit comes into these tests.
 */
function dispatchPaced<R>(
	count: number,
	run: (index: number) => Promise<R>,
	isFailure: (result: R) => boolean,
	{ minIntervalMs, ...settings }: DispatchSettings & { minIntervalMs: number },
	wait: (ms: number) => Promise<boolean>,
) {
	const pacer = new Pacer(
		{ minIntervalMs, maxHoldMs: 0, baseDelayMs: 0 },
		{ now: () => Date.now(), wait, random: Math.random },
	);
	return dispatch(count, run, isFailure, settings, pacer);
}
const noWait = async () => true;

/** Tasks that finish when the test says so; tracks which started and how many run at once. */
function controlledTasks(count: number) {
	const gates = Array.from({ length: count }, () => deferred<string>());
	const started: number[] = [];
	let inFlight = 0;
	let peak = 0;
	const run = async (index: number) => {
		started.push(index);
		inFlight++;
		peak = Math.max(peak, inFlight);
		try {
			return await gates[index].promise;
		} finally {
			inFlight--;
		}
	};
	return {
		run,
		started,
		finish: (index: number, value = `r${index}`) => gates[index].resolve(value),
		get peak() {
			return peak;
		},
		get inFlight() {
			return inFlight;
		},
	};
}

describe('dispatch', () => {
	test('results come back in index order whatever the completion order', async () => {
		const tasks = controlledTasks(5);
		const done = dispatchPaced(5, tasks.run, () => false, { ...SETTINGS, concurrency: 5 }, noWait);
		await settle();
		for (const index of [3, 0, 4, 2, 1]) {
			tasks.finish(index, `result ${index}`);
			await settle();
		}
		expect(await done).toEqual({
			results: ['result 0', 'result 1', 'result 2', 'result 3', 'result 4'],
			stoppedAt: undefined,
			cancelled: false,
		});
	});

	test('never more than `concurrency` tasks in flight, and the cap is reached', async () => {
		const tasks = controlledTasks(10);
		const done = dispatchPaced(10, tasks.run, () => false, { ...SETTINGS, concurrency: 3 }, noWait);
		await settle();
		expect(tasks.started).toEqual([0, 1, 2]);
		tasks.finish(1);
		await settle();
		expect(tasks.started).toEqual([0, 1, 2, 3]);
		// finish the rest in a scrambled order
		for (const index of [0, 3, 2, 5, 4, 6, 9, 8, 7]) {
			tasks.finish(index);
			await settle();
			expect(tasks.inFlight).toBeLessThanOrEqual(3);
		}
		const result = await done;
		expect(tasks.peak).toBe(3);
		expect(result.results).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`));
		expect([...tasks.started].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
	});

	test('concurrency 1 runs tasks one after another, in order', async () => {
		const order: string[] = [];
		const result = await dispatchPaced(
			4,
			async (i) => {
				order.push(`start ${i}`);
				await settle();
				order.push(`end ${i}`);
				return i;
			},
			() => false,
			{ ...SETTINGS, concurrency: 1 },
			noWait,
		);
		expect(result.results).toEqual([0, 1, 2, 3]);
		expect(order).toEqual([
			'start 0',
			'end 0',
			'start 1',
			'end 1',
			'start 2',
			'end 2',
			'start 3',
			'end 3',
		]);
	});

	test('a concurrency below 1 still runs everything, one at a time', async () => {
		const tasks = controlledTasks(3);
		const done = dispatchPaced(3, tasks.run, () => false, { ...SETTINGS, concurrency: 0 }, noWait);
		await settle();
		expect(tasks.started).toEqual([0]);
		for (const i of [0, 1, 2]) {
			tasks.finish(i);
			await settle();
		}
		expect((await done).results).toEqual(['r0', 'r1', 'r2']);
		expect(tasks.peak).toBe(1);
	});

	test('zero tasks', async () => {
		const run = jest.fn();
		expect(await dispatchPaced(0, run, () => false, SETTINGS, noWait)).toEqual({
			results: [],
			stoppedAt: undefined,
			cancelled: false,
		});
		expect(run).not.toHaveBeenCalled();
	});

	test('without stopOnFailure, failures do not stop the run', async () => {
		const result = await dispatchPaced(
			4,
			async (i) => (i % 2 === 0 ? 'fail' : 'ok'),
			(r) => r === 'fail',
			SETTINGS,
			noWait,
		);
		expect(result).toEqual({
			results: ['fail', 'ok', 'fail', 'ok'],
			stoppedAt: undefined,
			cancelled: false,
		});
	});

	test('stopOnFailure stops starting new tasks but lets in-flight ones finish', async () => {
		const tasks = controlledTasks(6);
		const done = dispatchPaced(
			6,
			tasks.run,
			(r) => r === 'fail',
			{ ...SETTINGS, concurrency: 2, stopOnFailure: true },
			noWait,
		);
		await settle();
		expect(tasks.started).toEqual([0, 1]);
		tasks.finish(1, 'fail');
		await settle();
		expect(tasks.started).toEqual([0, 1]); // nothing new started
		expect(tasks.inFlight).toBe(1);
		tasks.finish(0, 'ok');
		const result = await done;
		expect(result).toEqual({
			results: ['ok', 'fail', undefined, undefined, undefined, undefined],
			stoppedAt: 1,
			cancelled: false,
		});
		expect(tasks.started).toEqual([0, 1]);
	});

	test('stopOnFailure: the first failure is the one reported', async () => {
		const tasks = controlledTasks(4);
		const done = dispatchPaced(
			4,
			tasks.run,
			(r) => r === 'fail',
			{ ...SETTINGS, concurrency: 3, stopOnFailure: true },
			noWait,
		);
		await settle();
		tasks.finish(2, 'fail');
		await settle();
		tasks.finish(0, 'fail');
		tasks.finish(1, 'ok');
		const result = await done;
		expect(result.stoppedAt).toBe(2);
		expect(result.results).toEqual(['fail', 'ok', 'fail', undefined]);
	});

	test('an aborted signal stops new starts; in-flight tasks finish; the run says it was cancelled', async () => {
		const controller = new AbortController();
		const tasks = controlledTasks(5);
		const done = dispatchPaced(
			5,
			tasks.run,
			() => false,
			{ ...SETTINGS, concurrency: 2, signal: controller.signal },
			noWait,
		);
		await settle();
		expect(tasks.started).toEqual([0, 1]);
		controller.abort();
		tasks.finish(0);
		await settle();
		tasks.finish(1);
		const result = await done;
		expect(tasks.started).toEqual([0, 1]);
		expect(result).toEqual({
			results: ['r0', 'r1', undefined, undefined, undefined],
			stoppedAt: undefined,
			cancelled: true,
		});
	});

	test('a signal aborted before the start runs nothing', async () => {
		const controller = new AbortController();
		controller.abort();
		const run = jest.fn(async () => 'x');
		const result = await dispatchPaced(
			3,
			run,
			() => false,
			{ ...SETTINGS, signal: controller.signal },
			noWait,
		);
		expect(run).not.toHaveBeenCalled();
		expect(result.cancelled).toBe(true);
	});

	describe('pacing', () => {
		let clock: number;
		beforeEach(() => {
			clock = 1_000_000;
			jest.spyOn(Date, 'now').mockImplementation(() => clock);
		});
		afterEach(() => jest.restoreAllMocks());

		/** A wait that records the gap and moves the fake clock forward by it. */
		function clockWait(answers: boolean[] = []) {
			const delays: number[] = [];
			const wait = jest.fn(async (ms: number) => {
				delays.push(ms);
				clock += ms;
				return answers[delays.length - 1] ?? true;
			});
			return { wait, delays };
		}

		/**
		 * Waits that end at their deadline on the fake clock: `drive` runs pending work, then moves
		 * the clock to the earliest deadline and ends that wait, until the promise settles.
		 */
		function virtualTimers() {
			const timers: Array<{ at: number; resolve: (ok: boolean) => void }> = [];
			const delays: number[] = [];
			const wait = (ms: number) => {
				delays.push(ms);
				return new Promise<boolean>((resolve) => timers.push({ at: clock + ms, resolve }));
			};
			const drive = async <T>(promise: Promise<T>): Promise<T> => {
				let done = false;
				void promise.then(() => (done = true));
				for (;;) {
					await settle();
					if (done) return promise;
					timers.sort((a, b) => a.at - b.at);
					const next = timers.shift();
					if (!next) {
						// nothing to fire yet: let the test move its tasks along
						await new Promise((r) => setImmediate(r));
						continue;
					}
					clock = Math.max(clock, next.at);
					next.resolve(true);
				}
			};
			return { wait, delays, drive };
		}

		test.each<[number, number[]]>([
			[1, [250, 250, 250, 250]],
			[3, [250, 500, 750, 750]],
		])(
			'with concurrency %i, starts are minIntervalMs apart (waits %p)',
			async (concurrency, expectedDelays) => {
				const timers = virtualTimers();
				const startTimes: number[] = [];
				const result = await timers.drive(
					dispatchPaced(
						5,
						async (i) => {
							startTimes.push(clock);
							return i;
						},
						() => false,
						{ ...SETTINGS, concurrency, minIntervalMs: 250 },
						timers.wait,
					),
				);
				expect(result.results).toEqual([0, 1, 2, 3, 4]);
				expect(timers.delays).toEqual(expectedDelays);
				expect(startTimes).toEqual([0, 250, 500, 750, 1000].map((t) => 1_000_000 + t));
			},
		);

		test('pacing and the concurrency cap together', async () => {
			const timers = virtualTimers();
			const tasks = controlledTasks(4);
			const startTimes: number[] = [];
			const done = timers.drive(
				dispatchPaced(
					4,
					(i) => {
						startTimes.push(clock);
						return tasks.run(i);
					},
					() => false,
					{ ...SETTINGS, concurrency: 2, minIntervalMs: 100 },
					timers.wait,
				),
			);
			await settle();
			// let the pacing timers fire while tasks 0 and 1 are still running
			await new Promise((r) => setImmediate(r));
			expect(tasks.started).toEqual([0, 1]);
			tasks.finish(0);
			tasks.finish(1);
			await new Promise((r) => setImmediate(r));
			tasks.finish(2);
			tasks.finish(3);
			const result = await done;
			expect(result.results).toEqual(['r0', 'r1', 'r2', 'r3']);
			expect(tasks.peak).toBe(2);
			for (let i = 1; i < startTimes.length; i++)
				expect(startTimes[i] - startTimes[i - 1]).toBeGreaterThanOrEqual(100);
		}, 5000);

		test('no wait when enough time has already passed', async () => {
			const { wait, delays } = clockWait();
			await dispatchPaced(
				3,
				async () => {
					clock += 1000; // each task takes longer than the interval
					return 'x';
				},
				() => false,
				{ ...SETTINGS, concurrency: 1, minIntervalMs: 250 },
				wait,
			);
			expect(delays).toEqual([]);
		});

		test('partly elapsed time shortens the wait', async () => {
			const { wait, delays } = clockWait();
			await dispatchPaced(
				3,
				async () => {
					clock += 100;
					return 'x';
				},
				() => false,
				{ ...SETTINGS, concurrency: 1, minIntervalMs: 250 },
				wait,
			);
			expect(delays).toEqual([150, 150]);
		});

		test('no pacing: wait is never called', async () => {
			const { wait } = clockWait();
			await dispatchPaced(
				5,
				async () => 'x',
				() => false,
				{ ...SETTINGS, minIntervalMs: 0 },
				wait,
			);
			expect(wait).not.toHaveBeenCalled();
		});

		test('a cancelled pacing wait stops the run before the next start', async () => {
			const { wait } = clockWait([false]);
			const run = jest.fn(async (i: number) => i);
			const result = await dispatchPaced(
				4,
				run,
				() => false,
				{ ...SETTINGS, concurrency: 1, minIntervalMs: 100 },
				wait,
			);
			expect(run).toHaveBeenCalledTimes(1);
			expect(result.results).toEqual([0, undefined, undefined, undefined]);
		});

		test('an abort during a pacing wait stops the run before the next start', async () => {
			const controller = new AbortController();
			const wait = async (ms: number) => {
				clock += ms;
				controller.abort();
				return true;
			};
			const run = jest.fn(async (i: number) => i);
			const result = await dispatchPaced(
				4,
				run,
				() => false,
				{ ...SETTINGS, concurrency: 1, minIntervalMs: 100, signal: controller.signal },
				wait,
			);
			expect(run).toHaveBeenCalledTimes(1);
			expect(result.cancelled).toBe(true);
		});
	});
});
