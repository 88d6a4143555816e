import * as http from 'node:http';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import {
	SamespaceEmulator,
	callsNumber,
	refusedBaseUrl,
	validateFlow,
	faultPlacesCall,
	type Fault,
	type FaultInput,
	INVALID_CREDENTIALS_MESSAGE,
	RATE_LIMIT_MESSAGE,
} from '../dev/emulator';

const CLOUD = 'demo-cloud';
const TOKEN = 'demo-token';

function step(id: string, type: string, extra: Record<string, unknown> = {}) {
	return { id, type, ...extra };
}

function validFlow(number = '15550001') {
	return [
		step('start', 'call', { number, caller_id: '15559999', next_step: 'greet' }),
		step('greet', 'play', { text: 'Hello. Enter your 4 digit id.', next_step: 'ask' }),
		step('ask', 'digits', { count: 4, variable: 'ID', next_step: { '*': 'lookup', '0': 'agent' } }),
		step('lookup', 'http', {
			url: 'https://example.com/api/{{ID}}',
			method: 'GET',
			next_step: { success: 'bye', fail: 'agent' },
		}),
		step('bye', 'play', { url: 'https://example.com/bye.mp3' }),
		step('agent', 'connect', { number: '5263', caller_id: '15559999' }),
	];
}

function payload(flow: unknown = validFlow(), extra: Record<string, unknown> = {}) {
	return { cloud_id: CLOUD, auth_token: TOKEN, record: false, flow, ...extra };
}

async function post(emu: SamespaceEmulator, body: unknown, init: RequestInit = {}) {
	return fetch(emu.callFlowUrl, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: typeof body === 'string' ? body : JSON.stringify(body),
		...init,
	});
}

/** Response.json() is typed `unknown`; the tests inspect the bodies freely. */
const json = (r: Response): Promise<any> => r.json();

/** The error code behind a failed fetch (fetch wraps it in TypeError('fetch failed', {cause})). */
async function fetchError(p: Promise<unknown>): Promise<string> {
	try {
		const r = await p;
		if (r instanceof Response) await r.text();
	} catch (e) {
		const cause = (e as { cause?: { code?: string; name?: string } }).cause;
		return cause?.code ?? cause?.name ?? (e as Error).name;
	}
	throw new Error('expected the request to fail');
}

describe('SamespaceEmulator', () => {
	let emu: SamespaceEmulator;

	beforeAll(async () => {
		emu = await SamespaceEmulator.start();
	});
	afterEach(() => emu.reset());
	afterAll(async () => {
		await emu.close();
	});

	test('listens on 127.0.0.1 with the documented base path', () => {
		expect(emu.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/public\/v1$/);
		expect(emu.port).toBeGreaterThan(0);
		expect(emu.callFlowUrl).toBe(`${emu.baseUrl}/call/flow`);
	});

	describe('happy path', () => {
		test('a valid flow is a placed call with a unique call_id', async () => {
			const r1 = await post(emu, payload(validFlow('15550001')));
			const r2 = await post(emu, payload(validFlow('15550002'), { record: true }));
			expect(r1.status).toBe(200);
			expect(r1.headers.get('content-type')).toMatch(/^application\/json/);
			const b1 = await json(r1);
			const b2 = await json(r2);
			expect(b1).toEqual({
				success: true,
				message: 'Call flow accepted',
				call_id: expect.any(String),
				status: 'queued',
			});
			expect(b2.success).toBe(true);
			expect(b1.call_id).not.toBe(b2.call_id);

			expect(emu.placedCalls.map((c) => c.call_id)).toEqual([b1.call_id, b2.call_id]);
			expect(emu.placedCalls[0].number).toBe('15550001');
			expect(emu.placedCalls[1].body).toEqual(payload(validFlow('15550002'), { record: true }));
			expect(emu.counters).toMatchObject({
				requests: 2,
				accepted: 2,
				placed: 2,
				rejected: 0,
				faulted: 0,
			});
			expect(emu.counters.byStatus[200]).toBe(2);

			expect(emu.requests).toHaveLength(2);
			const rec = emu.requests[0];
			expect(rec).toMatchObject({
				method: 'POST',
				path: '/api/public/v1/call/flow',
				status: 200,
				callId: b1.call_id,
			});
			expect(rec.headers['content-type']).toBe('application/json');
			expect(rec.body).toEqual(payload(validFlow('15550001')));
			expect(typeof rec.time).toBe('number');
			expect(emu.inFlight).toBe(0);
		});

		test('record may be omitted; a minimal flow is a single call step', async () => {
			const r = await post(emu, {
				cloud_id: CLOUD,
				auth_token: TOKEN,
				flow: [step('a', 'call', { number: '1', caller_id: '2' })],
			});
			expect(r.status).toBe(200);
			expect(emu.placedCalls).toHaveLength(1);
		});

		test('query strings are ignored; custom credentials are honoured', async () => {
			const other = await SamespaceEmulator.start({ cloudId: 'c1', authToken: 't1' });
			try {
				const ok = await fetch(`${other.callFlowUrl}?x=1`, {
					method: 'POST',
					headers: { 'content-type': 'application/json; charset=utf-8' },
					body: JSON.stringify(payload(validFlow(), { cloud_id: 'c1', auth_token: 't1' })),
				});
				expect(ok.status).toBe(200);
				const bad = await post(other, payload());
				expect(bad.status).toBe(401);
			} finally {
				await other.close();
			}
		});
	});

	describe('authentication', () => {
		test.each([
			['wrong token', { auth_token: 'nope' }],
			['wrong cloud', { cloud_id: 'other' }],
			['missing token', { auth_token: undefined }],
			['missing cloud', { cloud_id: undefined }],
			['numeric token', { auth_token: 123 }],
		])('%s -> 401, not placed', async (_name, override) => {
			const r = await post(emu, payload(validFlow(), override));
			expect(r.status).toBe(401);
			expect(await json(r)).toEqual({ success: false, message: INVALID_CREDENTIALS_MESSAGE });
			expect(emu.placedCalls).toHaveLength(0);
			expect(emu.counters.placed).toBe(0);
		});

		test('credentials are checked before the flow', async () => {
			const r = await post(emu, payload([], { auth_token: 'nope' }));
			expect(r.status).toBe(401);
		});
	});

	describe('request body', () => {
		test('non-JSON body -> 400', async () => {
			const r = await post(emu, '{"cloud_id": "demo-cloud", “record”: true}');
			expect(r.status).toBe(400);
			expect(await json(r)).toEqual({
				success: false,
				message: 'Request body must be a JSON object',
			});
			expect(emu.requests[0].rawBody).toBe('{"cloud_id": "demo-cloud", “record”: true}');
			expect(emu.requests[0].body).toBeUndefined();
		});

		test('JSON that is not an object -> 400', async () => {
			expect((await post(emu, [payload()])).status).toBe(400);
			expect((await post(emu, 'null')).status).toBe(400);
			expect((await post(emu, '')).status).toBe(400);
		});

		test('a Content-Type that is not JSON -> 400 (even with valid JSON)', async () => {
			const r = await post(emu, payload(), { headers: { 'Content-Type': 'text/plain' } });
			expect(r.status).toBe(400);
			expect((await json(r)).message).toMatch(/Content-Type/);
			expect(emu.placedCalls).toHaveLength(0);
		});

		test('a body larger than maxBodyBytes -> 413', async () => {
			const small = await SamespaceEmulator.start({ maxBodyBytes: 1000 });
			try {
				const r = await post(small, payload(validFlow(), { pad: 'x'.repeat(5000) }));
				expect(r.status).toBe(413);
				expect((await json(r)).success).toBe(false);
				expect(small.placedCalls).toHaveLength(0);
			} finally {
				await small.close();
			}
		});
	});

	describe('flow validation', () => {
		const flow = validFlow;
		const cases: Array<[string, unknown, RegExp]> = [
			['missing flow', undefined, /^flow$/],
			['flow not an array', { a: 1 }, /^flow$/],
			['empty flow', [], /^flow$/],
			[
				'dangling next_step',
				[step('a', 'call', { number: '1', caller_id: '2', next_step: 'nowhere' })],
				/^flow\[0\]\.next_step$/,
			],
			[
				'dangling http success reference',
				flow().map((s) =>
					s.id === 'lookup' ? { ...s, next_step: { success: '10', fail: 'agent' } } : s,
				),
				/^flow\[3\]\.next_step\.success$/,
			],
			['duplicate ids', [...flow(), step('greet', 'play', { text: 'again' })], /^flow\[6\]\.id$/],
			[
				'numeric id',
				[
					step('0', 'call', { number: '1', caller_id: '2', next_step: 1 }),
					{ id: 1, type: 'play', text: 'hi' },
				],
				/^flow\[1\]\.id$/,
			],
			[
				'missing id',
				[step('a', 'call', { number: '1', caller_id: '2' }), { type: 'play', text: 'x' }],
				/^flow\[1\]\.id$/,
			],
			['call without caller_id', [step('a', 'call', { number: '1' })], /^flow\[0\]\.caller_id$/],
			['call without number', [step('a', 'call', { caller_id: '1' })], /^flow\[0\]\.number$/],
			[
				'connect without number',
				[...flow().slice(0, 5), step('agent', 'connect', { caller_id: '1' })],
				/^flow\[5\]\.number$/,
			],
			[
				'play without text or url',
				flow().map((s) => (s.id === 'bye' ? step('bye', 'play') : s)),
				/^flow\[4\]$/,
			],
			[
				'digits count 0',
				flow().map((s) => (s.id === 'ask' ? { ...s, count: 0 } : s)),
				/^flow\[2\]\.count$/,
			],
			[
				'digits count 1.5',
				flow().map((s) => (s.id === 'ask' ? { ...s, count: 1.5 } : s)),
				/^flow\[2\]\.count$/,
			],
			[
				'digits without variable',
				flow().map((s) => (s.id === 'ask' ? { ...s, variable: undefined } : s)),
				/^flow\[2\]\.variable$/,
			],
			[
				'digits next_step a string',
				flow().map((s) => (s.id === 'ask' ? { ...s, next_step: 'lookup' } : s)),
				/^flow\[2\]\.next_step$/,
			],
			[
				'http without fail',
				flow().map((s) => (s.id === 'lookup' ? { ...s, next_step: { success: 'bye' } } : s)),
				/^flow\[3\]\.next_step\.fail$/,
			],
			[
				'http without method',
				flow().map((s) => (s.id === 'lookup' ? { ...s, method: undefined } : s)),
				/^flow\[3\]\.method$/,
			],
			[
				'http without url',
				flow().map((s) => (s.id === 'lookup' ? { ...s, url: undefined } : s)),
				/^flow\[3\]\.url$/,
			],
			['unknown type', [...flow(), step('x', 'sms', { text: 'hi' })], /^flow\[6\]\.type$/],
			['step not an object', [...flow(), 'oops'], /^flow\[6\]$/],
			['first step not a call', [flow()[1], flow()[0], ...flow().slice(2)], /^flow\[0\]\.type$/],
		];

		test.each(cases)('%s -> 400 with errors, not placed', async (_name, f, pathRe) => {
			const body = payload(f);
			if (f === undefined) delete (body as Record<string, unknown>).flow;
			const r = await post(emu, body);
			expect(r.status).toBe(400);
			const b = await json(r);
			expect(b.success).toBe(false);
			expect(typeof b.message).toBe('string');
			expect(Array.isArray(b.errors)).toBe(true);
			expect(b.errors.length).toBeGreaterThan(0);
			expect(b.errors.some((e: { path: string }) => pathRe.test(e.path))).toBe(true);
			expect(emu.placedCalls).toHaveLength(0);
			expect(emu.counters.placed).toBe(0);
			expect(emu.counters.rejected).toBe(1);
		});

		test('record must be a boolean', async () => {
			const r = await post(emu, payload(validFlow(), { record: 'yes' }));
			expect(r.status).toBe(400);
			expect((await json(r)).errors).toEqual([{ path: 'record', message: expect.any(String) }]);
		});

		test("the document's own sample payload is rejected, naming its defects", async () => {
			const sample = {
				cloud_id: CLOUD,
				auth_token: TOKEN,
				record: false,
				flow: [
					{
						id: '0',
						type: 'call',
						number: '917507161643',
						caller_id: '917507161643',
						next_step: 1,
					},
					{ id: 1, type: 'play', text: 'Hi', next_step: 2 },
					{ id: 2, type: 'digits', count: 4, next_step: { '*': 5 }, variable: 'account_id' },
					{
						id: 5,
						type: 'http',
						url: 'https://subdoomain.domain.com/api/test/{{account_id}}',
						next_step: { success: 10, fail: 4 },
					},
					{ id: 3, type: 'connect', number: '16468107XXX', caller_id: '12345678' },
					{ id: 4, type: 'connect', number: '5263', caller_id: '917507XXXXX' },
				],
			};
			const r = await post(emu, sample);
			expect(r.status).toBe(400);
			const paths = (await json(r)).errors.map((e: { path: string }) => e.path);
			expect(paths).toEqual(
				expect.arrayContaining([
					'flow[1].id',
					'flow[0].next_step',
					'flow[3].next_step.success',
					'flow[3].method',
				]),
			);
			// With string ids, a method and an existing success target it is accepted.
			const fixed = sample.flow.map((s) => ({ ...s, id: String(s.id) })) as Array<
				Record<string, any>
			>;
			fixed[0].next_step = '1';
			fixed[1].next_step = '2';
			fixed[2].next_step = { '*': '5' };
			fixed[3] = { ...fixed[3], method: 'GET', next_step: { success: '3', fail: '4' } };
			const ok = await post(emu, { ...sample, flow: fixed });
			expect(ok.status).toBe(200);
		});

		test('validateFlow is usable directly', () => {
			expect(validateFlow(validFlow())).toEqual([]);
			expect(validateFlow([step('a', 'play', { text: 'x' })]).map((e) => e.path)).toEqual([
				'flow[0].type',
			]);
		});
	});

	describe('routing', () => {
		test('unknown path -> 404 JSON', async () => {
			const r = await fetch(`${emu.baseUrl}/call/status`, { method: 'POST', body: '{}' });
			expect(r.status).toBe(404);
			expect((await json(r)).success).toBe(false);
			expect(emu.placedCalls).toHaveLength(0);
		});

		test('wrong method -> 405 with Allow: POST', async () => {
			const r = await fetch(emu.callFlowUrl);
			expect(r.status).toBe(405);
			expect(r.headers.get('allow')).toBe('POST');
			expect((await json(r)).success).toBe(false);
		});

		test('faults do not apply to other paths', async () => {
			emu.inject(500);
			expect((await fetch(`${emu.baseUrl}/nope`)).status).toBe(404);
			expect(emu.pendingFaults).toHaveLength(1);
		});
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

	describe('concurrency and recording', () => {
		test('peakConcurrency counts 20 parallel delayed requests', async () => {
			emu.inject({ kind: 'delay', ms: 1000 }, { times: 20 });
			const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
			try {
				const statuses = await Promise.all(
					Array.from(
						{ length: 20 },
						(_, i) =>
							new Promise<number>((resolve, reject) => {
								const req = http.request(
									emu.callFlowUrl,
									{ method: 'POST', agent, headers: { 'content-type': 'application/json' } },
									(res) => {
										res.resume();
										res.on('end', () => resolve(res.statusCode ?? 0));
									},
								);
								req.on('error', reject);
								req.end(JSON.stringify(payload(validFlow(`1555000${i}`))));
							}),
					),
				);
				expect(statuses).toEqual(Array(20).fill(200));
				expect(emu.counters.connections).toBe(20);
				await new Promise<void>((resolve, reject) => {
					const req = http.request(
						emu.callFlowUrl,
						{ method: 'POST', agent, headers: { 'content-type': 'application/json' } },
						(res) => {
							res.resume();
							res.on('end', () => resolve());
						},
					);
					req.on('error', reject);
					req.end(JSON.stringify(payload()));
				});
				expect(emu.counters.connections).toBe(20); // a keep-alive connection was reused
			} finally {
				agent.destroy();
			}
			expect(emu.peakConcurrency).toBe(20);
			expect(emu.inFlight).toBe(0);
			expect(emu.placedCalls).toHaveLength(21);
			expect(emu.placedCalls.filter((c) => c.fault === 'delay')).toHaveLength(20);
			expect(new Set(emu.placedCalls.map((c) => c.call_id)).size).toBe(21);
		});

		test('reset clears records, counters, peak and faults', async () => {
			emu.inject(500, { times: 5 });
			await (await post(emu, payload())).text();
			await (await post(emu, payload(validFlow(), { auth_token: 'x' }))).text();
			expect(emu.requests.length).toBe(2);
			const requestsRef = emu.requests;
			emu.reset();
			expect(emu.requests).toBe(requestsRef);
			expect(emu.requests).toHaveLength(0);
			expect(emu.placedCalls).toHaveLength(0);
			expect(emu.counters).toEqual({
				requests: 0,
				accepted: 0,
				placed: 0,
				rejected: 0,
				faulted: 0,
				resets: 0,
				connections: 0,
				byStatus: {},
				rateLimited: 0,
				duplicatePlacements: {},
			});
			expect(emu.peakConcurrency).toBe(0);
			expect(emu.pendingFaults).toHaveLength(0);
			emu.inject(500);
			emu.reset({ keepFaults: true });
			expect(emu.pendingFaults).toHaveLength(1);
		});

		test("record 'counts' keeps only counters and peak", async () => {
			const counts = await SamespaceEmulator.start({ record: 'counts' });
			try {
				counts.inject(502);
				for (const body of [
					payload(),
					payload(),
					payload([]),
					payload(validFlow(), { auth_token: 'x' }),
				]) {
					await (await post(counts, body)).text();
				}
				expect(counts.requests).toHaveLength(0);
				expect(counts.placedCalls).toHaveLength(0);
				expect(counts.counters).toMatchObject({
					requests: 4,
					accepted: 1,
					placed: 2,
					rejected: 2,
					faulted: 1,
				});
				expect(counts.counters.byStatus).toEqual({ 200: 1, 400: 1, 401: 1, 502: 1 });
				expect(counts.peakConcurrency).toBe(1);
			} finally {
				await counts.close();
			}
		});
	});

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

	describe('lifecycle', () => {
		test('close() destroys keep-alive sockets and pending delayed requests', async () => {
			const e = await SamespaceEmulator.start();
			const agent = new http.Agent({ keepAlive: true });
			const request = () =>
				new Promise<{ status: number; socket: import('node:net').Socket }>((resolve, reject) => {
					const req = http.request(
						e.callFlowUrl,
						{ method: 'POST', agent, headers: { 'content-type': 'application/json' } },
						(res) => {
							res.resume();
							res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: req.socket! }));
						},
					);
					req.on('error', reject);
					req.end(JSON.stringify(payload()));
				});
			const { status, socket } = await request();
			expect(status).toBe(200);
			expect(socket.destroyed).toBe(false); // kept alive in the agent's pool
			const socketClosed = new Promise<void>((r) => socket.once('close', () => r()));

			e.inject({ kind: 'delay', ms: 60_000 });
			const pending = fetchError(post(e, payload()));
			await new Promise((r) => setTimeout(r, 50));
			expect(e.inFlight).toBe(1);

			const t0 = Date.now();
			await e.close();
			expect(Date.now() - t0).toBeLessThan(1000);
			await socketClosed;
			expect(await pending).toMatch(/ECONNRESET|UND_ERR_SOCKET|SocketError|UND_ERR/);
			expect(e.closed).toBe(true);
			await e.whenClosed;
			await e.close(); // idempotent
			expect(await fetchError(post(e, payload()))).toBe('ECONNREFUSED');
			agent.destroy();
		});

		test('idleTimeoutMs closes the server by itself', async () => {
			const e = await SamespaceEmulator.start({ idleTimeoutMs: 150 });
			const t0 = Date.now();
			await new Promise((r) => setTimeout(r, 100));
			expect((await post(e, payload())).status).toBe(200); // activity postpones the timeout
			expect(e.closed).toBe(false);
			await e.whenClosed;
			expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
			expect(e.closed).toBe(true);
		});

		test('a port in use is reported', async () => {
			await expect(SamespaceEmulator.start({ port: emu.port })).rejects.toThrow(/EADDRINUSE/);
		});

		test('the server is unref()d: a process that only starts it exits by itself', async () => {
			// The build of dev/ (npm test builds first): a plain Node process, as `npm start` runs it.
			const emulatorPath = path.resolve(__dirname, '../build/dev/emulator.js');
			const script = `
				require(${JSON.stringify(emulatorPath)}).SamespaceEmulator.start().then(async (e) => {
					const r = await fetch(e.callFlowUrl, { method: 'POST', headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ cloud_id: 'demo-cloud', auth_token: 'demo-token', flow: [{ id: 'a', type: 'call', number: '1', caller_id: '2' }] }) });
					process.stdout.write('status ' + r.status + '\\n');
				});
			`;
			const child = spawn(process.execPath, ['-e', script], {
				cwd: path.resolve(__dirname, '..'),
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			let out = '';
			child.stdout.on('data', (d) => (out += d));
			child.stderr.on('data', (d) => (out += d));
			const exit = await new Promise<number | null>((resolve) => {
				const kill = setTimeout(() => {
					child.kill();
					resolve(-1);
				}, 20_000);
				child.on('exit', (code) => {
					clearTimeout(kill);
					resolve(code);
				});
			});
			expect(out).toContain('status 200');
			expect(exit).toBe(0);
		});
	});
});
