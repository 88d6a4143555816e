/**
 * The emulator (dev/emulator.ts) answering call flow requests: where it listens, a placed call,
 * the credentials, the request body, the flow validation (the Samespace document's rules) and
 * routing.
 */
import {
	SamespaceEmulator,
	validateFlow,
	INVALID_CREDENTIALS_MESSAGE,
} from '../../../dev/emulator';
import { CLOUD, TOKEN, json, payload, post, step, validFlow } from './client';

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
});
