/**
 * The fault matrix: every way Samespace (or the network) can fail, run through n8n's engine.
 * For each: what the user sees, exactly how many calls the emulator counted as placed (nobody is
 * ever called twice), that the other items still go through with "continue on fail", and that
 * the auth token appears nowhere.
 */
import { callsNumber, refusedBaseUrl, type Fault, type FaultInput } from '../../dev/emulator';
import { expectNoSecret, runSamespace, useEmulator, straightSteps } from '../support/samespace';

const emulator = useEmulator();

const FAULTY = '14155550102';
const ITEMS = [{ phone: '14155550101' }, { phone: FAULTY }, { phone: '14155550103' }];
/** Fast retries for tests: waits are capped at 50 ms, the timeout is short. */
const OPTIONS = { retries: 3, maxRetryWait: 0.05, timeout: 1, concurrency: 3 };

interface Case {
	name: string;
	fault: FaultInput;
	/** How many times the fault fires (default once; Infinity: every request for that number). */
	times?: number;
	/** What the faulty item ends as. */
	outcome: 'accepted' | 'refused' | 'busy' | 'uncertain' | 'notSent';
	/** Requests for the faulty number, retries included. */
	requests: number;
	/** Calls counted as placed for the faulty number. */
	placed: number;
	/** The user-facing message of the faulty item (error items and thrown errors). */
	message?: RegExp;
	description?: RegExp;
}

const MAY_HAVE =
	/The call may have been placed: check in Samespace before you send this item again\. It was not retried/;
const NOT_PLACED = /No call was placed\./;
const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);

const CASES: Case[] = [
	{
		name: '400 with a message',
		fault: { kind: 'status', status: 400, message: 'number is blocked' },
		outcome: 'refused',
		requests: 1,
		placed: 0,
		message: /^Item 2: Samespace refused the flow: number is blocked$/,
		description: NOT_PLACED,
	},
	{
		name: '401',
		fault: 401,
		outcome: 'refused',
		requests: 1,
		placed: 0,
		message: /check the Cloud ID and Auth Token in the Samespace API credential \(HTTP 401\)$/,
		description: NOT_PLACED,
	},
	{
		name: '403',
		fault: 403,
		outcome: 'refused',
		requests: 1,
		placed: 0,
		message: /Samespace refused access: check that the Auth Token may create call flows/,
		description: NOT_PLACED,
	},
	{
		name: '404',
		fault: 404,
		outcome: 'refused',
		requests: 1,
		placed: 0,
		message: /check the Base URL in the Samespace API credential \(HTTP 404\)$/,
		description: NOT_PLACED,
	},
	{
		name: '413',
		fault: 413,
		outcome: 'refused',
		requests: 1,
		placed: 0,
		message: /too large for Samespace: make the flow smaller/,
		description: NOT_PLACED,
	},
	{
		name: '429 with Retry-After in seconds, then success',
		fault: { kind: 'status', status: 429, retryAfter: 0 },
		outcome: 'accepted',
		requests: 2,
		placed: 1,
	},
	{
		name: '429 with Retry-After as an HTTP date, then success',
		fault: { kind: 'status', status: 429, retryAfter: inSeconds(-1) },
		outcome: 'accepted',
		requests: 2,
		placed: 1,
	},
	{
		name: '429 without Retry-After (jittered backoff), then success',
		fault: 429,
		times: 2,
		outcome: 'accepted',
		requests: 3,
		placed: 1,
	},
	{
		// The other items are accepted meanwhile: the run is making progress, so up to Retries of
		// the 429s do not count (sending/retry.ts), and the item is tried 2 × Retries + 1 times.
		// When every call gets a 429, Retries + 1 (the test after the cases).
		name: '429 every time while the others are accepted: gives up after twice the retries',
		fault: 429,
		times: Infinity,
		outcome: 'busy',
		requests: 7,
		placed: 0,
		message: /limiting how fast calls can be placed \(429/,
		description:
			/No call was placed\..*Tried 7 times\. 3 of the 429\/503 answers came while other calls of this run were being accepted, and did not count against Retries\./,
	},
	{
		name: '429 asking for a longer wait than allowed',
		fault: { kind: 'status', status: 429, retryAfter: 120 },
		outcome: 'busy',
		requests: 1,
		placed: 0,
		description:
			/Samespace asked to wait 120 s, longer than the Longest Retry Wait \(0\.05 s\)\. Tried 1 time\. Run it again later\./,
	},
	{
		name: '503, then success',
		fault: { kind: 'status', status: 503, retryAfter: 0 },
		outcome: 'accepted',
		requests: 2,
		placed: 1,
	},
	{
		name: '500',
		fault: { kind: 'status', status: 500, message: 'database down' },
		outcome: 'uncertain',
		requests: 1,
		placed: 1,
		message: /^Item 2: Samespace failed with HTTP 500: database down$/,
		description: MAY_HAVE,
	},
	{
		name: '502 with an HTML gateway page',
		fault: {
			kind: 'status',
			status: 502,
			body: '<html><title>502 Bad Gateway</title></html>',
			contentType: 'text/html',
		},
		outcome: 'uncertain',
		requests: 1,
		placed: 1,
		message: /Samespace failed with HTTP 502: an HTML page titled "502 Bad Gateway"/,
		description: MAY_HAVE,
	},
	{
		name: '504',
		fault: 504,
		outcome: 'uncertain',
		requests: 1,
		placed: 1,
		message: /Samespace failed with HTTP 504/,
		description: MAY_HAVE,
	},
	{
		name: 'a slow answer past the timeout',
		fault: { kind: 'delay', ms: 2500 },
		outcome: 'uncertain',
		requests: 1,
		placed: 1,
		message: /^Item 2: Samespace did not answer within 1 s$/,
		description: /may have been placed.*The Request Timeout \(1 s\) covers the whole exchange/,
	},
	{
		name: 'a connection reset before any answer',
		fault: 'resetBeforeResponse',
		outcome: 'uncertain',
		requests: 1,
		placed: 1,
		message: /^Item 2: The connection to Samespace broke before its answer arrived$/,
		description: MAY_HAVE,
	},
	{
		name: 'a connection reset mid-body',
		fault: 'resetMidBody',
		outcome: 'uncertain',
		requests: 1,
		placed: 1,
		message: /broke before its answer arrived|JSON that is cut off/,
		description: MAY_HAVE,
	},
	{
		name: 'an empty body',
		fault: 'emptyBody',
		outcome: 'uncertain',
		requests: 1,
		placed: 1,
		message: /^Item 2: Samespace answered HTTP 200 with an empty body$/,
		description: MAY_HAVE,
	},
	{
		name: 'an HTML page',
		fault: 'html',
		outcome: 'uncertain',
		requests: 1,
		placed: 1,
		message: /^Item 2: Samespace answered HTTP 200 with an HTML page/,
		description: MAY_HAVE,
	},
	{
		name: 'truncated JSON',
		fault: 'truncatedJson',
		outcome: 'uncertain',
		requests: 1,
		placed: 1,
		message: /^Item 2: Samespace answered HTTP 200 with JSON that is cut off or broken/,
		description: MAY_HAVE,
	},
	{
		name: 'a 200 with success: false',
		fault: { kind: 'successFalse', message: 'Insufficient balance' },
		outcome: 'refused',
		requests: 1,
		placed: 0,
		message: /^Item 2: Samespace refused the call flow: Insufficient balance$/,
		description: NOT_PLACED,
	},
	{
		name: 'an oversized body',
		fault: { kind: 'oversized', bytes: 3 * 1024 * 1024 },
		outcome: 'uncertain',
		requests: 1,
		placed: 1,
		message: /answered HTTP 200 with more than 1024 KiB/,
		description: MAY_HAVE,
	},
];

const requestsFor = (number: string) =>
	emulator.requests.filter((request) => callsNumber(number)(request.body)).length;
const placedFor = (number: string) =>
	emulator.placedCalls.filter((call) => call.number === number).length;

describe.each(CASES)('$name', (c) => {
	test('continue on fail: the faulty item gets its own result, the others are placed once', async () => {
		emulator.inject(c.fault, { when: callsNumber(FAULTY), times: c.times ?? 1 });
		const result = await runSamespace(
			emulator,
			{ steps: straightSteps(), options: OPTIONS },
			{ items: ITEMS, continueOnFail: true },
		);

		const items = result.outputs.Samespace;
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json.success).toBe(true);
		expect(items[2].json.success).toBe(true);
		if (c.outcome === 'accepted') {
			expect(items[1].json).toEqual(
				expect.objectContaining({ success: true, call_id: expect.any(String) }),
			);
		} else {
			expect(items[1].json.outcome).toBe(c.outcome);
			expect(items[1].json.callMayHaveBeenPlaced).toBe(c.outcome === 'uncertain');
			if (c.message) expect(items[1].json.error).toMatch(c.message);
			if (c.description) expect(items[1].json.description).toMatch(c.description);
		}
		expect(requestsFor(FAULTY)).toBe(c.requests);
		expect(placedFor(FAULTY)).toBe(c.placed);
		expect(placedFor(ITEMS[0].phone)).toBe(1);
		expect(placedFor(ITEMS[2].phone)).toBe(1);
		expectNoSecret(result);
	});

	if (c.outcome !== 'accepted') {
		test('without continue on fail: the error names the item and what happened to the others', async () => {
			emulator.inject(c.fault, { when: callsNumber(FAULTY), times: c.times ?? 1 });
			const result = await runSamespace(
				emulator,
				{ steps: straightSteps(), options: { ...OPTIONS, concurrency: 1 } },
				{ items: ITEMS },
			);

			expect(result.error?.message).toMatch(c.message ?? /^Item 2: /);
			expect(result.error?.description).toContain('Accepted by Samespace: 1 call (item 1).');
			if (c.outcome === 'uncertain') {
				expect(result.error?.description).toContain(
					'May have been placed, check in Samespace before sending again: 1 call (item 2).',
				);
				expect(result.error?.description).toContain(
					'Not placed, safe to send again: 1 item (item 3).',
				);
				expect(result.error?.description).toContain('run the workflow again with only item 3,');
			} else {
				expect(result.error?.description).not.toContain('May have been placed');
				expect(result.error?.description).toContain(
					'Not placed, safe to send again: 2 items (items 2-3).',
				);
			}
			expect(requestsFor(FAULTY)).toBe(c.requests);
			expect(placedFor(FAULTY)).toBe(c.placed);
			expect(requestsFor(ITEMS[2].phone)).toBe(0);
			expectNoSecret(result);
		});
	}
});

test('429 for every call (Samespace refuses everything): each item gives up after the retries', async () => {
	emulator.inject(429, { times: Infinity });
	const result = await runSamespace(
		emulator,
		{ steps: straightSteps(), options: OPTIONS },
		{ items: ITEMS, continueOnFail: true },
	);

	const items = result.outputs.Samespace;
	expect(items).toHaveLength(3);
	for (const item of items) {
		expect(item.json.outcome).toBe('busy');
		expect(item.json.callMayHaveBeenPlaced).toBe(false);
		expect(item.json.description).toMatch(
			/^No call was placed\..*Tried 4 times\. Run it again later, or raise the Retries option\.$/,
		);
	}
	for (const { phone } of ITEMS) expect(requestsFor(phone)).toBe(4);
	expect(emulator.placedCalls).toHaveLength(0);
	expectNoSecret(result);
});

describe('connection refused (nothing listens at the Base URL)', () => {
	test('is retried as not sent, then reported with the address; no call anywhere', async () => {
		const baseUrl = await refusedBaseUrl();
		const result = await runSamespace(
			emulator,
			{ steps: straightSteps(), options: OPTIONS },
			{ items: ITEMS, continueOnFail: true, credentials: { baseUrl } },
		);

		const items = result.outputs.Samespace;
		expect(items).toHaveLength(3);
		for (const item of items) {
			expect(item.json).toEqual(
				expect.objectContaining({
					outcome: 'notSent',
					callMayHaveBeenPlaced: false,
					attempts: 4,
					networkError: 'ECONNREFUSED',
					error: expect.stringMatching(
						/Could not reach Samespace at http:\/\/127\.0\.0\.1:\d+\/api\/public\/v1\/call\/flow: nothing accepted the connection$/,
					),
				}),
			);
		}
		expect(emulator.requests).toHaveLength(0);
		expectNoSecret(result);
	});
});

describe('the first failure stops the run', () => {
	test('no further call is started; the error counts accepted and unsent items', async () => {
		const numbers = Array.from(
			{ length: 10 },
			(_v, index) => `141555501${String(index).padStart(2, '0')}`,
		);
		emulator.inject({ kind: 'status', status: 500 } satisfies Fault, {
			when: callsNumber(numbers[3]),
		});
		const result = await runSamespace(
			emulator,
			{ steps: straightSteps(), options: { concurrency: 1 } },
			{ items: numbers.map((phone) => ({ phone })) },
		);

		expect(result.error?.message).toBe(
			'Item 4: Samespace failed with HTTP 500: Internal server error',
		);
		expect(result.error?.description).toContain('Accepted by Samespace: 3 calls (items 1-3).');
		expect(result.error?.description).toContain(
			'May have been placed, check in Samespace before sending again: 1 call (item 4).',
		);
		expect(result.error?.description).toContain(
			'Not placed, safe to send again: 6 items (items 5-10).',
		);
		expect(result.error?.description).toContain('run the workflow again with only items 5-10,');
		expect(emulator.requests).toHaveLength(4);
	});
});
