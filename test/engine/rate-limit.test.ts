/**
 * One rate limit for all calls in flight, through n8n's real engine: a server written here answers
 * 429 with Retry-After: 1 for a while, and records when each request arrived. After a 429, no
 * request of the run may arrive before the Retry-After time, whichever worker sends it; every item
 * is placed exactly once, in order, with its pairedItem.
 *
 * The first round is fixed by the server, not left to timing: it holds the first three requests
 * (concurrency 3) until all have arrived, refuses the first with 429, and accepts the two others
 * 300 ms later, so the node has the 429 in hand when those two workers become free. Each worker
 * waiting on its own 429 (the behaviour before the shared pacer) would start its next item at
 * once, long before the Retry-After time.
 */
import { acceptCall, calledNumber, json, useServers } from '../support/hostile-server';
import { expectNoSecret, runSamespace, straightSteps } from '../support/samespace';

const startServer = useServers();
const phone = (item: number) => `141555502${String(item).padStart(2, '0')}`;
const ITEMS = 6;
const CONCURRENCY = 3;
/** How many requests get a 429: the first of the first round, then the next request after it. */
const LIMITED = 2;

test('a 429 with Retry-After holds back every worker until that time; every item placed once, in order', async () => {
	const arrivals: Array<{ phone: string; at: number }> = [];
	/** Each 429: when it was sent, and how many requests had arrived by then. */
	const limits: Array<{ sentAt: number; after: number; phone: string }> = [];
	const accepted: string[] = [];
	let firstRound: Array<{ phone: string; answer: (limit: boolean) => void }> = [];

	const refuse = (response: Parameters<typeof acceptCall>[0], number: string) => {
		limits.push({ sentAt: Date.now(), after: arrivals.length, phone: number });
		json(response, 429, { success: false, message: 'Too many requests' }, { 'retry-after': '1' });
	};
	const accept = (response: Parameters<typeof acceptCall>[0], number: string) => {
		accepted.push(number);
		acceptCall(response, `call-${number}`);
	};
	const server = await startServer((request, response) => {
		const at = Date.now();
		const number = calledNumber(request);
		if (!request.carriesFlow || number === undefined)
			return json(response, 400, { success: false, message: 'no flow' });
		arrivals.push({ phone: number, at });
		if (arrivals.length <= CONCURRENCY) {
			firstRound.push({
				phone: number,
				answer: (limit) => (limit ? refuse(response, number) : accept(response, number)),
			});
			if (firstRound.length < CONCURRENCY) return;
			const [first, ...others] = firstRound;
			firstRound = [];
			first.answer(true);
			setTimeout(() => others.forEach((other) => other.answer(false)), 300);
			return;
		}
		if (limits.length < LIMITED) return refuse(response, number);
		accept(response, number);
	});

	const result = await runSamespace(
		server,
		{
			steps: straightSteps(),
			options: { concurrency: CONCURRENCY, retries: 5, maxRetryWait: 10, timeout: 30 },
		},
		{ items: Array.from({ length: ITEMS }, (_v, index) => ({ phone: phone(index + 1) })) },
	);

	expect(result.error).toBeUndefined();
	const all = Array.from({ length: ITEMS }, (_v, index) => phone(index + 1));
	const output = result.outputs.Samespace;
	expect(output.map((item) => item.pairedItem)).toEqual(all.map((_number, item) => ({ item })));
	expect(output.map((item) => item.json.call_id)).toEqual(all.map((number) => `call-${number}`));

	// Every item placed exactly once; the two refused requests were sent again, nothing else was.
	expect([...accepted].sort()).toEqual(all);
	expect(limits).toHaveLength(LIMITED);
	const sent = new Map<string, number>();
	for (const arrival of arrivals) sent.set(arrival.phone, (sent.get(arrival.phone) ?? 0) + 1);
	const expected = new Map(all.map((number) => [number, 1]));
	for (const limit of limits) expected.set(limit.phone, (expected.get(limit.phone) ?? 0) + 1);
	expect(Object.fromEntries(sent)).toEqual(Object.fromEntries(expected));

	// After each 429, nothing arrived before its Retry-After (1 s), from any worker. Both times are
	// Date.now() in this process: only its millisecond granularity is allowed for.
	for (const limit of limits) {
		const later = arrivals.slice(limit.after);
		expect(later.length).toBeGreaterThan(0);
		for (const arrival of later) expect(arrival.at).toBeGreaterThanOrEqual(limit.sentAt + 1000 - 1);
	}
	expectNoSecret(result);
});
