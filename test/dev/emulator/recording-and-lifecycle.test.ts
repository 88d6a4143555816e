/**
 * The emulator's records and its life (dev/emulator.ts): concurrency, what it records and what
 * reset() clears; closing, idle timeout, a port in use, and a process that only starts it.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { SamespaceEmulator } from '../../../dev/emulator';
import { fetchError, payload, post, validFlow } from './client';

describe('SamespaceEmulator', () => {
	let emu: SamespaceEmulator;

	beforeAll(async () => {
		emu = await SamespaceEmulator.start();
	});
	afterEach(() => emu.reset());
	afterAll(async () => {
		await emu.close();
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
			// Long before the answer's own delay: close() ends requests in flight.
			expect(Date.now() - t0).toBeLessThan(30_000);
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
			const emulatorPath = path.resolve(__dirname, '../../../build/dev/emulator.js');
			const script = `
				require(${JSON.stringify(emulatorPath)}).SamespaceEmulator.start().then(async (e) => {
					const r = await fetch(e.callFlowUrl, { method: 'POST', headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ cloud_id: 'demo-cloud', auth_token: 'demo-token', flow: [{ id: 'a', type: 'call', number: '1', caller_id: '2' }] }) });
					process.stdout.write('status ' + r.status + '\\n');
				});
			`;
			const child = spawn(process.execPath, ['-e', script], {
				cwd: path.resolve(__dirname, '../../..'),
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
