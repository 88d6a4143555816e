/**
 * The emulator's fault injection (dev/emulator.ts): status answers, delays, resets, stalls, broken
 * and oversized bodies, a Base URL where nothing listens, and which faults count as placed calls.
 */
import * as http from 'node:http';
import {
	SamespaceEmulator,
	callsNumber,
	refusedBaseUrl,
	faultPlacesCall,
	type Fault,
	type FaultInput,
	INVALID_CREDENTIALS_MESSAGE,
} from '../../../dev/emulator';
import { fetchError, json, payload, post, validFlow } from './client';

describe('SamespaceEmulator', () => {
	let emu: SamespaceEmulator;

	beforeAll(async () => {
		emu = await SamespaceEmulator.start();
	});
	afterEach(() => emu.reset());
	afterAll(async () => {
		await emu.close();
	});
	describe('fault injection', () => {
		const httpDate = new Date(Date.now() + 30_000);
		const statusCases: Array<
			[string, FaultInput, number, boolean, string | null, string | undefined]
		> = [
			[
				'400 with message',
				{ kind: 'status', status: 400, message: 'flow rejected upstream' },
				400,
				false,
				null,
				'flow rejected upstream',
			],
			['401', 401, 401, false, null, INVALID_CREDENTIALS_MESSAGE],
			['403', 403, 403, false, null, undefined],
			['404', 404, 404, false, null, undefined],
			['413', 413, 413, false, null, undefined],
			[
				'429 Retry-After seconds',
				{ kind: 'status', status: 429, retryAfter: 7 },
				429,
				false,
				'7',
				undefined,
			],
			[
				'429 Retry-After HTTP date',
				{ kind: 'status', status: 429, retryAfter: httpDate },
				429,
				false,
				httpDate.toUTCString(),
				undefined,
			],
			['429 without Retry-After', 429, 429, false, null, undefined],
			[
				'503 with Retry-After',
				{ kind: 'status', status: 503, retryAfter: 2 },
				503,
				false,
				'2',
				undefined,
			],
			['503 without Retry-After', 503, 503, false, null, undefined],
			['500', 500, 500, true, null, undefined],
			['502', 502, 502, true, null, undefined],
			['504', 504, 504, true, null, undefined],
		];

		// Every row has all 6 entries: jest passes a `done` callback for missing trailing ones.
		test.each(statusCases)('%s', async (_name, fault, status, placed, retryAfter, message) => {
			const rule = emu.inject(fault);
			const r = await post(emu, payload());
			expect(r.status).toBe(status);
			expect(r.headers.get('content-type')).toMatch(/^application\/json/);
			expect(r.headers.get('retry-after')).toBe(retryAfter);
			const b = await json(r);
			expect(b).toEqual({ success: false, message: message ?? expect.any(String) });
			expect(b.message.length).toBeGreaterThan(0);
			expect(emu.placedCalls).toHaveLength(placed ? 1 : 0);
			expect(emu.counters.placed).toBe(placed ? 1 : 0);
			expect(emu.counters.faulted).toBe(1);
			expect(rule.hits).toBe(1);
			expect(emu.pendingFaults).toHaveLength(0);
			if (placed) expect(emu.placedCalls[0].fault).toBe(`status:${status}`);
			expect(emu.requests[0].fault).toBe(`status:${status}`);
			// The next request is answered normally.
			expect((await post(emu, payload())).status).toBe(200);
		});

		test('status fault with a raw (HTML) body', async () => {
			emu.inject({
				kind: 'status',
				status: 502,
				body: '<html>Bad Gateway</html>',
				contentType: 'text/html',
			});
			const r = await post(emu, payload());
			expect(r.status).toBe(502);
			expect(r.headers.get('content-type')).toBe('text/html');
			expect(await r.text()).toBe('<html>Bad Gateway</html>');
			expect(emu.placedCalls).toHaveLength(1);
		});

		test('placed faults on an invalid request place nothing', async () => {
			emu.inject(500);
			const r = await post(emu, payload(validFlow(), { auth_token: 'nope' }));
			expect(r.status).toBe(500);
			expect(emu.placedCalls).toHaveLength(0);
			expect(emu.counters.placed).toBe(0);
		});

		test('`when` targets one request among concurrent ones', async () => {
			const rule = emu.inject(500, { when: callsNumber('15550002') });
			const numbers = ['15550001', '15550002', '15550003', '15550004', '15550005'];
			const responses = await Promise.all(numbers.map((n) => post(emu, payload(validFlow(n)))));
			const statuses = await Promise.all(responses.map(async (r) => (await r.text(), r.status)));
			expect(statuses).toEqual([200, 500, 200, 200, 200]);
			expect(rule.hits).toBe(1);
			const faulted = emu.requests.filter((r) => r.fault);
			expect(faulted).toHaveLength(1);
			expect((faulted[0].body as { flow: Array<{ number: string }> }).flow[0].number).toBe(
				'15550002',
			);
			expect(emu.placedCalls).toHaveLength(5); // 500 counts as placed
		});

		test('`times` and rule order; a throwing `when` never matches', async () => {
			emu.inject(503, {
				when: () => {
					throw new Error('boom');
				},
			});
			const twice = emu.inject(429, { times: 2 });
			const statuses: number[] = [];
			for (let i = 0; i < 3; i++) {
				const r = await post(emu, payload());
				await r.text();
				statuses.push(r.status);
			}
			expect(statuses).toEqual([429, 429, 200]);
			expect(twice.hits).toBe(2);
			expect(emu.pendingFaults).toHaveLength(1);
		});

		test('Infinity times until removed; clearFaults', async () => {
			const rule = emu.inject(503, { times: Infinity });
			for (let i = 0; i < 3; i++) expect((await post(emu, payload())).status).toBe(503);
			rule.remove();
			expect((await post(emu, payload())).status).toBe(200);
			emu.inject(503, { times: Infinity });
			emu.clearFaults();
			expect((await post(emu, payload())).status).toBe(200);
		});

		test('delay: answers normally after N ms; the call is placed on arrival', async () => {
			emu.inject({ kind: 'delay', ms: 300 });
			const t0 = Date.now();
			const pending = post(emu, payload());
			await new Promise((r) => setTimeout(r, 100));
			expect(emu.inFlight).toBe(1);
			expect(emu.placedCalls).toHaveLength(1);
			const r = await pending;
			expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
			expect(r.status).toBe(200);
			const b = await json(r);
			expect(b.call_id).toBe(emu.placedCalls[0].call_id);
			expect(emu.counters.placed).toBe(1);
			expect(emu.inFlight).toBe(0);
		});

		test('each recorded request has its interval: endedAt - time spans the delay; a reset ends it too', async () => {
			emu.inject({ kind: 'delay', ms: 200 });
			await post(emu, payload());
			const [delayed] = emu.requests;
			expect(delayed.endedAt! - delayed.time).toBeGreaterThanOrEqual(190);
			emu.inject('resetBeforeResponse');
			await fetchError(post(emu, payload()));
			await new Promise((r) => setTimeout(r, 50));
			const reset = emu.requests[1];
			expect(reset.status).toBeUndefined();
			expect(reset.endedAt).toBeGreaterThanOrEqual(reset.time);
		});

		test('delay then another fault', async () => {
			emu.inject({ kind: 'delay', ms: 50, then: { kind: 'status', status: 503, retryAfter: 1 } });
			const r = await post(emu, payload());
			expect(r.status).toBe(503);
			expect(r.headers.get('retry-after')).toBe('1');
			expect(emu.placedCalls).toHaveLength(0);
		});

		test('delay: a client timeout leaves the call placed and frees the slot', async () => {
			emu.inject({ kind: 'delay', ms: 5000 });
			const code = await fetchError(post(emu, payload(), { signal: AbortSignal.timeout(100) }));
			expect(code).toMatch(/TimeoutError|AbortError/);
			expect(emu.placedCalls).toHaveLength(1);
			await new Promise((r) => setTimeout(r, 50));
			expect(emu.inFlight).toBe(0);
		});

		test('resetBeforeResponse: socket destroyed before any byte; placed', async () => {
			emu.inject('resetBeforeResponse');
			const code = await fetchError(post(emu, payload()));
			expect(code).toMatch(/ECONNRESET|UND_ERR_SOCKET|SocketError/);
			expect(emu.placedCalls).toHaveLength(1);
			expect(emu.counters.resets).toBe(1);
			expect(emu.requests[0].status).toBeUndefined();
		});

		test('resetMidBody: status and headers, part of the body, then reset; placed', async () => {
			emu.inject('resetMidBody');
			const r = await post(emu, payload());
			expect(r.status).toBe(200);
			expect(r.headers.get('content-type')).toMatch(/^application\/json/);
			await expect(r.text()).rejects.toThrow();
			expect(emu.placedCalls).toHaveLength(1);
			expect(emu.counters.resets).toBe(1);
		});

		test('stallMidBody: status, headers and the first bytes, then silence until `ms`; placed', async () => {
			emu.inject({ kind: 'stallMidBody', ms: 300 });
			const started = Date.now();
			const r = await post(emu, payload());
			expect(r.status).toBe(200);
			await expect(r.text()).rejects.toThrow();
			expect(Date.now() - started).toBeGreaterThanOrEqual(290);
			expect(emu.placedCalls).toHaveLength(1);
		});

		test('resetMidBody seen at the socket level: a prefix of the JSON, then close', async () => {
			emu.inject({ kind: 'resetMidBody', bytes: 20 });
			const raw = await new Promise<{ status?: number; data: string; error?: string }>(
				(resolve) => {
					const req = http.request(
						emu.callFlowUrl,
						{ method: 'POST', headers: { 'content-type': 'application/json' }, agent: false },
						(res) => {
							let data = '';
							res.setEncoding('utf8');
							res.on('data', (d) => (data += d));
							res.on('error', (e) =>
								resolve({
									status: res.statusCode,
									data,
									error: (e as NodeJS.ErrnoException).code ?? e.message,
								}),
							);
							res.on('end', () => resolve({ status: res.statusCode, data }));
						},
					);
					req.on('error', (e) => resolve({ data: '', error: e.message }));
					req.end(JSON.stringify(payload()));
				},
			);
			expect(raw.status).toBe(200);
			expect(raw.data).toBe('{"success":true,"mes');
			expect(raw.error).toBeDefined();
		});

		test('emptyBody: 200 with no body; placed', async () => {
			emu.inject('emptyBody');
			const r = await post(emu, payload());
			expect(r.status).toBe(200);
			expect(r.headers.get('content-length')).toBe('0');
			expect(await r.text()).toBe('');
			expect(emu.placedCalls).toHaveLength(1);
		});

		test('html: 200 text/html page; placed', async () => {
			emu.inject('html');
			const r = await post(emu, payload());
			expect(r.status).toBe(200);
			expect(r.headers.get('content-type')).toMatch(/^text\/html/);
			expect(await r.text()).toMatch(/^<!DOCTYPE html>/);
			expect(emu.placedCalls).toHaveLength(1);
		});

		test('truncatedJson: 200 with half a JSON object; placed', async () => {
			emu.inject('truncatedJson');
			const r = await post(emu, payload());
			expect(r.status).toBe(200);
			const text = await r.text();
			expect(() => JSON.parse(text)).toThrow();
			expect(text.startsWith('{"success":true')).toBe(true);
			expect(emu.placedCalls).toHaveLength(1);
		});

		test('successFalse: 200 {success:false}; NOT placed', async () => {
			emu.inject({ kind: 'successFalse', message: 'Cloud suspended' });
			const r = await post(emu, payload());
			expect(r.status).toBe(200);
			expect(await json(r)).toEqual({ success: false, message: 'Cloud suspended' });
			expect(emu.placedCalls).toHaveLength(0);
			expect(emu.counters.placed).toBe(0);
		});

		test('oversized: 200 with a multi-megabyte valid JSON body; placed', async () => {
			emu.inject({ kind: 'oversized', bytes: 3 * 1024 * 1024 });
			const r = await post(emu, payload());
			expect(r.status).toBe(200);
			expect(Number(r.headers.get('content-length'))).toBe(3 * 1024 * 1024);
			const b = await json(r);
			expect(b).toMatchObject({ success: true, call_id: emu.placedCalls[0].call_id });
			expect(b.padding.length).toBeGreaterThan(3_000_000);
			expect(emu.placedCalls).toHaveLength(1);
		});

		test('oversized: a client that stops reading does not upset the emulator', async () => {
			emu.inject('oversized');
			const ctrl = new AbortController();
			const r = await post(emu, payload(), { signal: ctrl.signal });
			const reader = r.body!.getReader();
			await reader.read();
			ctrl.abort();
			await new Promise((res) => setTimeout(res, 50));
			expect(emu.inFlight).toBe(0);
			expect((await post(emu, payload())).status).toBe(200);
		});

		test('refuse: a base URL where nothing listens', async () => {
			const url = await refusedBaseUrl();
			expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/public\/v1$/);
			expect(await fetchError(fetch(`${url}/call/flow`, { method: 'POST', body: '{}' }))).toBe(
				'ECONNREFUSED',
			);
			expect(await SamespaceEmulator.refusedBaseUrl()).toMatch(/^http:/);
		});

		test('faultPlacesCall documents the placed semantics', () => {
			const placed = (f: Fault) => faultPlacesCall(f);
			expect(
				[400, 401, 403, 404, 413, 429, 503].map((s) => placed({ kind: 'status', status: s })),
			).toEqual(Array(7).fill(false));
			expect([500, 502, 504].map((s) => placed({ kind: 'status', status: s }))).toEqual([
				true,
				true,
				true,
			]);
			expect(placed({ kind: 'successFalse' })).toBe(false);
			for (const kind of [
				'resetBeforeResponse',
				'resetMidBody',
				'emptyBody',
				'html',
				'truncatedJson',
				'oversized',
			] as const) {
				expect(placed({ kind })).toBe(true);
			}
			expect(placed({ kind: 'delay', ms: 1 })).toBe(true);
			expect(placed({ kind: 'delay', ms: 1, then: { kind: 'status', status: 429 } })).toBe(false);
		});
	});
});
