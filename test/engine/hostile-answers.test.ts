/**
 * Answers no real Samespace would give, from small servers written here: bodies shaped to crash
 * whatever reads them, and answers that arrive too slowly. However an answer is shaped, every
 * item keeps its result (calls already placed are never lost), and Request Timeout bounds the
 * whole exchange.
 */
import fc from 'fast-check';
import type { Socket } from 'node:net';

import { acceptCall, calledNumber, useServers } from '../support/hostile-server';
import { expectNoSecret, outputJson, runSamespace, straightSteps } from '../support/samespace';

const startServer = useServers();
const ITEMS = [{ phone: '14155550101' }, { phone: '14155550102' }, { phone: '14155550103' }];
const HOSTILE = '14155550102';
const OPTIONS = { retries: 0, timeout: 1, concurrency: 3 };

/** A server that accepts every call, but answers the hostile item's with `write`. */
async function answering(
	write: (socket: Socket, response: import('node:http').ServerResponse) => void,
) {
	return await startServer((request, response) => {
		if (calledNumber(request) === HOSTILE) write(response.socket as Socket, response);
		else acceptCall(response);
	});
}

function raw200(body: string, contentType = 'application/json') {
	return (_socket: Socket, response: import('node:http').ServerResponse) => {
		response.writeHead(200, {
			'content-type': contentType,
			'content-length': Buffer.byteLength(body),
		});
		response.end(body);
	};
}

const nested = (levels: number, inner = '1') =>
	`${'{"a":'.repeat(levels)}${inner}${'}'.repeat(levels)}`;

describe('a 2xx body nested 5,000 levels deep (about 25 KB), after the call was placed', () => {
	const body = `{"success":true,"call_id":"deep-1","status":"queued","details":${nested(5000)}}`;

	test.each([true, false])(
		'continue on fail %s: every item has its result, the deep one accepted with its call id',
		async (continueOnFail) => {
			const server = await answering(raw200(body));
			const result = await runSamespace(
				server,
				{ steps: straightSteps(), options: OPTIONS },
				{ items: ITEMS, continueOnFail },
			);

			expect(body.length).toBeGreaterThan(25_000);
			expect(result.error).toBeUndefined();
			expect(server.flowRequests()).toBe(3);
			const items = outputJson(result);
			expect(items).toHaveLength(3);
			expect(items.map((item) => item.success)).toEqual([true, true, true]);
			expect(items[1]).toEqual(expect.objectContaining({ call_id: 'deep-1', status: 'queued' }));
			expect(JSON.stringify(items[1])).toContain('[nested too deep: left out]');
			expect(() => JSON.stringify(result.runData)).not.toThrow();
			expectNoSecret(result);
		},
	);
});

/** Bodies whose shape, not depth, is hostile; each with what the item becomes. */
const SHAPES: Array<[string, string, 'accepted' | 'uncertain' | 'refused']> = [
	['a __proto__ key', '{"success":true,"call_id":"p1","__proto__":{"polluted":true}}', 'accepted'],
	[
		'constructor and toString keys',
		'{"success":true,"constructor":{"prototype":{"x":1}},"toString":"no","valueOf":3}',
		'accepted',
	],
	[
		'n8n item keys at the top',
		'{"success":true,"json":{"x":1},"pairedItem":{"item":7},"binary":{"data":"x"}}',
		'accepted',
	],
	[
		'50,000 keys (under the 1 MiB cap)',
		`{${Array.from({ length: 50_000 }, (_v, index) => `"k${index}":${index}`).join(',')}}`,
		'accepted',
	],
	[
		'an array 5,000 levels deep',
		`{"success":true,"list":${'['.repeat(5000)}${']'.repeat(5000)}}`,
		'accepted',
	],
	['a list instead of an object', '[{"success":true}]', 'uncertain'],
	['a bare string', '"queued"', 'uncertain'],
	['null', 'null', 'uncertain'],
	['a number too large for JSON', '1e999', 'uncertain'],
	[
		'a lone surrogate and NUL in a string',
		'{"success":true,"message":"\\ud800 \\u0000 end"}',
		'accepted',
	],
	['success as the text "false"', '{"success":"false","message":"no"}', 'refused'],
	[
		'a message that is an object 5,000 levels deep',
		`{"success":false,"message":${nested(5000, '"x"')}}`,
		'refused',
	],
];

test.each(SHAPES)('a 2xx body with %s: every item keeps its result', async (_name, body, kind) => {
	const server = await answering(raw200(body));
	const result = await runSamespace(
		server,
		{ steps: straightSteps(), options: OPTIONS },
		{ items: ITEMS, continueOnFail: true },
	);

	expect(server.flowRequests()).toBe(3);
	const items = outputJson(result);
	expect(items).toHaveLength(3);
	expect([items[0].success, items[2].success]).toEqual([true, true]);
	if (kind === 'accepted') expect(items[1].error).toBeUndefined();
	else expect(items[1].outcome).toBe(kind);
	expect(Object.getPrototypeOf(items[1])).toBe(Object.prototype);
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	expect(() => JSON.stringify(result.runData)).not.toThrow();
});

test('any JSON a server sends with 200: every item has a result, and the output can be saved', async () => {
	const bodies = fc.oneof(
		fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value)),
		fc
			.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 }))
			.map((value) => JSON.stringify({ success: true, ...value })),
		fc.integer({ min: 1, max: 20_000 }).map((levels) => `{"success":true,"x":${nested(levels)}}`),
		fc.string({ unit: 'binary', maxLength: 200 }),
	);
	let current = '{}';
	const server = await answering((_socket, response) => raw200(current)(_socket, response));
	await fc.assert(
		fc.asyncProperty(bodies, async (body) => {
			current = body;
			const result = await runSamespace(
				server,
				{ steps: straightSteps(), options: OPTIONS },
				{ items: ITEMS, continueOnFail: true },
			);
			const items = outputJson(result);
			expect(items).toHaveLength(3);
			expect([items[0].success, items[2].success]).toEqual([true, true]);
			expect(typeof items[1]).toBe('object');
			expect(() => JSON.stringify(result.runData)).not.toThrow();
		}),
		{ seed: 20_261_129, numRuns: 60 },
	);
});

describe('Request Timeout bounds the whole exchange', () => {
	test('a 200 whose body arrives one byte every 150 ms (90 s in all) ends at the timeout; the others are placed', async () => {
		const body = JSON.stringify({ success: true, call_id: 'slow-1', pad: 'x'.repeat(560) });
		let closedEarly: boolean | undefined;
		const server = await answering((socket, response) => {
			response.writeHead(200, {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(body),
			});
			let sent = 0;
			const timer = setInterval(() => {
				if (socket.destroyed) {
					clearInterval(timer);
					closedEarly = sent < body.length;
					return;
				}
				response.write(body[sent++]);
				if (sent === body.length) {
					clearInterval(timer);
					response.end();
					closedEarly = false;
				}
			}, 150);
			timer.unref();
		});
		const result = await runSamespace(
			server,
			{ steps: straightSteps(), options: OPTIONS },
			{ items: ITEMS, continueOnFail: true },
		);

		const items = outputJson(result);
		expect(items[1]).toEqual(
			expect.objectContaining({
				outcome: 'uncertain',
				callMayHaveBeenPlaced: true,
				statusCode: 200,
				error: "Item 2: Samespace's answer did not arrive in full within 1 s",
			}),
		);
		expect(items[1].description).toContain('The Request Timeout (1 s) covers the whole exchange');
		expect([items[0].success, items[2].success]).toEqual([true, true]);
		expect(server.flowRequests()).toBe(3);
		// The node let go of the connection instead of reading on.
		await new Promise((resolve) => setTimeout(resolve, 400));
		expect(closedEarly).toBe(true);
	});

	test('headers that arrive one byte every 150 ms end at the timeout too', async () => {
		const head =
			'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nx-padding: ' +
			'p'.repeat(400) +
			'\r\n\r\n{}';
		const server = await answering((socket) => {
			let sent = 0;
			const timer = setInterval(() => {
				if (socket.destroyed || sent === head.length) return clearInterval(timer);
				socket.write(head[sent++]);
			}, 150);
			timer.unref();
		});
		const result = await runSamespace(
			server,
			{ steps: straightSteps(), options: OPTIONS },
			{ items: ITEMS, continueOnFail: true },
		);

		const items = outputJson(result);
		expect(items[1]).toEqual(
			expect.objectContaining({
				outcome: 'uncertain',
				callMayHaveBeenPlaced: true,
				error: 'Item 2: Samespace did not answer within 1 s',
			}),
		);
		expect([items[0].success, items[2].success]).toEqual([true, true]);
		expect(server.flowRequests()).toBe(3);
	});
});

/**
 * A body that starts and then goes silent (issue 18): the status line, the headers and the first
 * bytes arrive, then nothing, on a connection the server keeps open. The node must let go at
 * Request Timeout whatever the body does; the call may have been placed, so it is never resent.
 */
describe('a body that goes silent after its first bytes ends at Request Timeout', () => {
	/** Long enough that a run bounded only by the server would fail the test's bound by far. */
	const SILENCE_MS = 20_000;
	/** Request Timeout 1 s, one request per item at most; generous for a shared machine. */
	const BOUND_MS = 6_000;

	const stalls: Array<
		[string, (socket: Socket, response: import('node:http').ServerResponse) => void]
	> = [
		[
			'headers, then {"success": and silence on a kept-open connection',
			(_socket, response) => {
				response.writeHead(200, { 'content-type': 'application/json', 'content-length': 64 });
				response.write('{"success":');
			},
		],
		[
			'headers, then silence, then a late end',
			(socket, response) => {
				response.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
				response.flushHeaders();
				setTimeout(() => {
					if (!socket.destroyed) response.end('{}');
				}, SILENCE_MS).unref();
			},
		],
		[
			'a chunked body that stops in the middle of a chunk',
			(socket) => {
				socket.write(
					'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n' +
						'40\r\n{"success":true,"call_id":"half',
				);
			},
		],
		[
			'a gzip body that stops after its first bytes',
			(socket) => {
				const zipped = require('node:zlib').gzipSync(
					JSON.stringify({ success: true, call_id: 'z-1', pad: 'x'.repeat(2000) }),
				) as Buffer;
				socket.write(
					`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: ${zipped.length}\r\n\r\n`,
				);
				socket.write(zipped.subarray(0, 20));
			},
		],
	];

	test.each(stalls)('%s', async (_name, stall) => {
		const server = await answering(stall);
		const started = Date.now();
		const result = await runSamespace(
			server,
			{ steps: straightSteps(), options: { ...OPTIONS, retries: 3 } },
			{ items: ITEMS, continueOnFail: true },
		);
		const elapsed = Date.now() - started;

		expect(elapsed).toBeLessThan(BOUND_MS);
		const items = outputJson(result);
		expect(items).toHaveLength(3);
		expect(items[1]).toEqual(
			expect.objectContaining({
				outcome: 'uncertain',
				callMayHaveBeenPlaced: true,
				error: expect.stringMatching(
					/^Item 2: Samespace('s answer)? did not (arrive in full|answer) within 1 s$/,
				),
			}),
		);
		expect([items[0].success, items[2].success]).toEqual([true, true]);
		// One request per phone: the uncertain one is never resent.
		expect(server.flowRequests()).toBe(3);
		expectNoSecret(result);
	});

	test('without continue on fail, the run ends in error at Request Timeout', async () => {
		const server = await answering(stalls[0][1]);
		const started = Date.now();
		const result = await runSamespace(
			server,
			{ steps: straightSteps(), options: { ...OPTIONS, retries: 3 } },
			{ items: ITEMS, continueOnFail: false },
		);
		expect(Date.now() - started).toBeLessThan(BOUND_MS);
		expect(String(result.error?.message)).toMatch(/did not arrive in full within 1 s/);
		expect(server.flowRequests()).toBe(3);
		expectNoSecret(result);
	});
});
