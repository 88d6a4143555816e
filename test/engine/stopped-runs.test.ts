/**
 * A run that stops early (the first failure without "continue on fail", or the Stop button)
 * while other calls are in flight. Every item must end in exactly one list: accepted, may have
 * been placed (check before sending again), or not placed; and the advice to run again names only
 * the last. The servers here hold each request until the test lets it go, so the order of events
 * is fixed, not left to timing.
 */
import {
	acceptCall,
	calledNumber,
	json,
	useServers,
	type Received,
} from '../support/hostile-server';
import { expectNoSecret, runSamespace, straightSteps } from '../support/samespace';

const startServer = useServers();
const phone = (item: number) => `141555501${String(item).padStart(2, '0')}`;
const items = (count: number) =>
	Array.from({ length: count }, (_v, index) => ({ phone: phone(index + 1) }));
const itemOf = (request: Received) => Number(calledNumber(request)?.slice(-2));

/** Resolves when `condition()` holds (checked as requests arrive and answers go out). */
function gate() {
	const waiting: Array<{ condition: () => boolean; resolve: () => void }> = [];
	return {
		until: (condition: () => boolean) =>
			new Promise<void>((resolve) =>
				condition() ? resolve() : waiting.push({ condition, resolve }),
			),
		check: () => {
			for (const entry of [...waiting]) {
				if (entry.condition()) {
					waiting.splice(waiting.indexOf(entry), 1);
					entry.resolve();
				}
			}
		},
	};
}

test('item 2 is refused while items 1 and 3 are in flight; item 3 then fails too: it may have been placed', async () => {
	const arrived = new Set<number>();
	const answered = new Set<number>();
	const { until, check } = gate();
	const answer = (item: number, send: () => void) => {
		send();
		answered.add(item);
		check();
	};
	const server = await startServer(async (request, response) => {
		const item = itemOf(request);
		arrived.add(item);
		check();
		await until(() => [1, 2, 3].every((n) => arrived.has(n)));
		if (item === 2)
			return answer(2, () => json(response, 400, { success: false, message: 'number is blocked' }));
		await until(() => answered.has(2));
		// Let the node see item 2's refusal before the others answer.
		await new Promise((resolve) => setTimeout(resolve, 100));
		if (item === 1) return answer(1, () => acceptCall(response));
		return answer(3, () => json(response, 500, { success: false, message: 'database down' }));
	});

	const result = await runSamespace(
		server,
		{ steps: straightSteps(), options: { concurrency: 3, retries: 0, timeout: 10 } },
		{ items: items(6) },
	);

	expect(server.received.map(itemOf).sort()).toEqual([1, 2, 3]);
	expect(result.error?.message).toBe('Item 2: Samespace refused the flow: number is blocked');
	const lines = result.error?.description?.split('\n') ?? [];
	expect(lines).toEqual([
		'No call was placed.',
		'Accepted by Samespace: 1 call (item 1).',
		'May have been placed, check in Samespace before sending again: 1 call (item 3).',
		'Not placed, safe to send again: 4 items (items 2, 4-6).',
		'To finish without calling anyone twice, run the workflow again with only items 2, 4-6, or turn on "Continue On Fail" (Settings) to get one result per item.',
	]);
	expectNoSecret(result);
});

test('item 1 may have been placed (500) while item 2 is in flight and is accepted', async () => {
	const arrived = new Set<number>();
	const { until, check } = gate();
	let firstAnswered = false;
	const server = await startServer(async (request, response) => {
		const item = itemOf(request);
		arrived.add(item);
		check();
		await until(() => arrived.has(1) && arrived.has(2));
		if (item === 1) {
			json(response, 500, { success: false, message: 'database down' });
			firstAnswered = true;
			check();
			return;
		}
		await until(() => firstAnswered);
		await new Promise((resolve) => setTimeout(resolve, 100));
		acceptCall(response);
	});

	const result = await runSamespace(
		server,
		{ steps: straightSteps(), options: { concurrency: 2, retries: 0, timeout: 10 } },
		{ items: items(4) },
	);

	expect(server.received.map(itemOf).sort()).toEqual([1, 2]);
	expect(result.error?.message).toBe('Item 1: Samespace failed with HTTP 500: database down');
	expect(result.error?.description?.split('\n').slice(1)).toEqual([
		'Accepted by Samespace: 1 call (item 2).',
		'May have been placed, check in Samespace before sending again: 1 call (item 1).',
		'Not placed, safe to send again: 2 items (items 3-4).',
		'To finish without calling anyone twice, run the workflow again with only items 3-4, or turn on "Continue On Fail" (Settings) to get one result per item.',
	]);
});

test('the Stop button while calls are in flight: they are listed as may have been placed, the rest as not placed', async () => {
	const controller = new AbortController();
	let inFlight = 0;
	const server = await startServer((request, response) => {
		// Item 1 is answered; items 2 and 3 are held until the stop cuts them off.
		if (itemOf(request) === 1) return acceptCall(response);
		inFlight++;
		if (inFlight === 2) controller.abort();
	});

	const result = await runSamespace(
		server,
		{ steps: straightSteps(), options: { concurrency: 2, retries: 0 } },
		{ items: items(5), signal: controller.signal },
	);

	expect(result.status).toBe('canceled');
	expect(server.received.map(itemOf).sort()).toEqual([1, 2, 3]);
	expect(result.error?.message).toBe('The execution was canceled: no further calls were started');
	expect(result.error?.description?.split('\n')).toEqual([
		'Accepted by Samespace: 1 call (item 1).',
		'May have been placed, check in Samespace before sending again: 2 calls (items 2-3).',
		'Not placed, safe to send again: 2 items (items 4-5).',
		'To finish without calling anyone twice, run the workflow again with only items 4-5, or turn on "Continue On Fail" (Settings) to get one result per item.',
	]);
	expectNoSecret(result);
});

test('the Stop button during a retry wait: that item was never placed', async () => {
	const controller = new AbortController();
	const server = await startServer((request, response) => {
		if (itemOf(request) === 1) return acceptCall(response);
		json(response, 429, { success: false, message: 'slow down' }, { 'retry-after': '30' });
		response.on('finish', () => setTimeout(() => controller.abort(), 50));
	});

	const result = await runSamespace(
		server,
		{ steps: straightSteps(), options: { concurrency: 1, retries: 3, maxRetryWait: 60 } },
		{ items: items(3), signal: controller.signal },
	);

	expect(result.status).toBe('canceled');
	expect(server.flowRequests()).toBe(2);
	expect(result.error?.description?.split('\n')).toEqual([
		'Accepted by Samespace: 1 call (item 1).',
		'Not placed, safe to send again: 2 items (items 2-3).',
		'To finish without calling anyone twice, run the workflow again with only items 2-3, or turn on "Continue On Fail" (Settings) to get one result per item.',
	]);
});
