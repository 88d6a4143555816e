/**
 * The emulator's rate limit (dev/emulator.ts): a token bucket on a clock the test moves, answering
 * 429 with Retry-After and Samespace's JSON error when it is empty.
 */
import { SamespaceEmulator, RATE_LIMIT_MESSAGE } from '../../../dev/emulator';
import { json, payload, post, validFlow } from './client';

describe('SamespaceEmulator', () => {
	describe('rate limit (token bucket)', () => {
		/** An emulator whose bucket runs on a clock the test moves. */
		async function limited(
			rateLimit: { perSecond: number; burst?: number },
			record: 'all' | 'counts' = 'all',
		) {
			const clock = { now: 1_000_000 };
			const e = await SamespaceEmulator.start({
				record,
				rateLimit: { ...rateLimit, now: () => clock.now },
			});
			return { e, clock };
		}

		test('a full bucket of `burst` calls, then 429 with Retry-After and the JSON error; nothing placed on 429', async () => {
			const { e } = await limited({ perSecond: 2, burst: 3 });
			try {
				const statuses: number[] = [];
				for (let i = 0; i < 3; i++)
					statuses.push((await post(e, payload(validFlow(`1555000${i}`)))).status);
				expect(statuses).toEqual([200, 200, 200]);
				const r = await post(e, payload(validFlow('15550009')));
				expect(r.status).toBe(429);
				// 2 a second: the next token comes in 0.5 s, said in whole seconds (at least 1)
				expect(r.headers.get('retry-after')).toBe('1');
				expect(r.headers.get('content-type')).toMatch(/^application\/json/);
				expect(await json(r)).toEqual({ success: false, message: RATE_LIMIT_MESSAGE });
				expect(e.counters).toMatchObject({
					requests: 4,
					accepted: 3,
					placed: 3,
					rateLimited: 1,
					rejected: 0,
					faulted: 0,
				});
				expect(e.counters.byStatus).toEqual({ 200: 3, 429: 1 });
				expect(e.placedCalls.map((call) => call.number)).toEqual([
					'15550000',
					'15550001',
					'15550002',
				]);
				expect(e.requests[3]).toMatchObject({ status: 429 });
				expect(e.requests[3].callId).toBeUndefined();
			} finally {
				await e.close();
			}
		});

		test('refills at perSecond; Retry-After is the whole seconds until the next token, rounded up', async () => {
			const { e, clock } = await limited({ perSecond: 0.25 }); // one token every 4 s, burst 1
			try {
				expect((await post(e, payload())).status).toBe(200);
				let r = await post(e, payload());
				expect(r.status).toBe(429);
				expect(r.headers.get('retry-after')).toBe('4');
				clock.now += 1500;
				r = await post(e, payload());
				expect(r.headers.get('retry-after')).toBe('3'); // 2.5 s left
				clock.now += 2400;
				r = await post(e, payload());
				expect(r.headers.get('retry-after')).toBe('1'); // 0.1 s left: at least 1
				clock.now += 100;
				expect((await post(e, payload())).status).toBe(200);
				expect(e.counters).toMatchObject({ placed: 2, rateLimited: 3 });
			} finally {
				await e.close();
			}
		});

		test('the bucket holds at most `burst` tokens however long it rests; reset() fills it', async () => {
			const { e, clock } = await limited({ perSecond: 10, burst: 2 });
			try {
				clock.now += 60_000;
				const statuses = [];
				for (let i = 0; i < 3; i++) statuses.push((await post(e, payload())).status);
				expect(statuses).toEqual([200, 200, 429]);
				e.reset();
				expect((await post(e, payload())).status).toBe(200);
			} finally {
				await e.close();
			}
		});

		test('limited before credentials and injected faults are looked at (a gateway limiter)', async () => {
			const { e } = await limited({ perSecond: 1 });
			try {
				expect((await post(e, payload())).status).toBe(200);
				e.inject(500);
				// The bucket is empty: 429 whatever the token, and the fault waits for a later request.
				expect((await post(e, payload(validFlow(), { auth_token: 'wrong' }))).status).toBe(429);
				expect((await post(e, payload())).status).toBe(429);
				expect(e.pendingFaults).toHaveLength(1);
				expect(e.counters).toMatchObject({ placed: 1, rateLimited: 2, faulted: 0, rejected: 0 });
			} finally {
				await e.close();
			}
		});

		test('invalid settings are refused', async () => {
			await expect(SamespaceEmulator.start({ rateLimit: { perSecond: 0 } })).rejects.toThrow(
				/perSecond/,
			);
			await expect(
				SamespaceEmulator.start({ rateLimit: { perSecond: 5, burst: 0.5 } }),
			).rejects.toThrow(/burst/);
		});

		test("duplicate placements are counted per number, in record mode 'counts' too", async () => {
			for (const record of ['all', 'counts'] as const) {
				const e = await SamespaceEmulator.start({ record });
				try {
					for (const number of ['15550001', '15550002', '15550001', '15550001'])
						await (await post(e, payload(validFlow(number)))).text();
					// A call placed by a fault counts too; a refused one does not.
					e.inject(500);
					await (await post(e, payload(validFlow('15550002')))).text();
					await (await post(e, payload(validFlow('15550003'), { auth_token: 'wrong' }))).text();
					await (await post(e, payload(validFlow('15550003')))).text();
					expect(e.counters.duplicatePlacements).toEqual({ '15550001': 2, '15550002': 1 });
					e.reset();
					await (await post(e, payload(validFlow('15550001')))).text();
					expect(e.counters.duplicatePlacements).toEqual({});
				} finally {
					await e.close();
				}
			}
		});

		test('setRateLimit turns the bucket on, full, and off while running', async () => {
			const e = await SamespaceEmulator.start();
			try {
				const send = async (number: string) => (await post(e, payload(validFlow(number)))).status;
				expect(await send('15550001')).toBe(200);
				e.setRateLimit({ perSecond: 1, burst: 1 });
				expect([await send('15550002'), await send('15550003')]).toEqual([200, 429]);
				e.setRateLimit(undefined);
				expect(await send('15550003')).toBe(200);
				expect(e.counters).toMatchObject({ placed: 3, rateLimited: 1 });
			} finally {
				await e.close();
			}
		});
	});
});
