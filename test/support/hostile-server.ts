/**
 * Small HTTP servers written for one test: each answers the way a misbehaving API, load balancer
 * or gateway might, and records every request it received (whether it carried a call flow and
 * the auth token). They listen on 127.0.0.1 on a free port, never keep the process alive, close
 * themselves when idle, and are all closed after each test of a file that uses `useServers()`.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Received {
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	body: string;
	/** The body is JSON with a non-empty `flow` list: a request that could ring someone. */
	carriesFlow: boolean;
}

export type Handler = (
	request: Received,
	response: http.ServerResponse,
	index: number,
) => void | Promise<void>;

export interface TestServer {
	/** `http://127.0.0.1:<port>`. */
	origin: string;
	/** A Base URL on this server: `<origin>/api`. */
	baseUrl: string;
	received: Received[];
	/** How many requests carried a call flow. */
	flowRequests(): number;
	/** Whether any request's raw bytes held `text` (a token, say). */
	sawText(text: string): boolean;
	close(): Promise<void>;
}

const IDLE_CLOSE_MS = 60_000;

function carriesFlow(body: string): boolean {
	try {
		const value = JSON.parse(body) as { flow?: unknown };
		return Array.isArray(value?.flow) && value.flow.length > 0;
	} catch {
		return false;
	}
}

export async function startServer(handler: Handler): Promise<TestServer> {
	const received: Received[] = [];
	const sockets = new Set<Socket>();
	let idle: NodeJS.Timeout | undefined;
	const server = http.createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			const entry: Received = {
				method: request.method ?? '',
				path: request.url ?? '',
				headers: request.headers,
				body,
				carriesFlow: carriesFlow(body),
			};
			received.push(entry);
			Promise.resolve(handler(entry, response, received.length - 1)).catch(() =>
				response.socket?.destroy(),
			);
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		resetIdle();
	});
	const close = () =>
		new Promise<void>((resolve) => {
			if (idle) clearTimeout(idle);
			for (const socket of sockets) socket.destroy();
			if (!server.listening) return resolve();
			server.close(() => resolve());
		});
	function resetIdle() {
		if (idle) clearTimeout(idle);
		idle = setTimeout(() => void close(), IDLE_CLOSE_MS);
		idle.unref();
	}
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	server.unref();
	resetIdle();
	const { port } = server.address() as AddressInfo;
	const origin = `http://127.0.0.1:${port}`;
	return {
		origin,
		baseUrl: `${origin}/api`,
		received,
		flowRequests: () => received.filter((r) => r.carriesFlow).length,
		sawText: (text) =>
			received.some(
				(r) =>
					r.body.includes(text) ||
					r.path.includes(text) ||
					JSON.stringify(r.headers).includes(text),
			),
		close,
	};
}

/** Servers for the tests of one file: each test's servers are closed after it. */
export function useServers(): (handler: Handler) => Promise<TestServer> {
	const open: TestServer[] = [];
	afterEach(async () => {
		await Promise.all(open.splice(0).map((server) => server.close()));
	});
	return async (handler) => {
		const server = await startServer(handler);
		open.push(server);
		return server;
	};
}

/** An answer as Samespace gives it for a placed call. */
export function acceptCall(
	response: http.ServerResponse,
	callId = `call-${Math.random().toString(36).slice(2, 10)}`,
): void {
	json(response, 200, {
		success: true,
		message: 'Call flow accepted',
		call_id: callId,
		status: 'queued',
	});
}

export function json(
	response: http.ServerResponse,
	status: number,
	body: unknown,
	headers: http.OutgoingHttpHeaders = {},
): void {
	const text = JSON.stringify(body);
	response.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
		...headers,
	});
	response.end(text);
}

/** A port on 127.0.0.1 where nothing listens (bound, then closed). */
export async function refusedOrigin(): Promise<string> {
	const server = http.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return `http://127.0.0.1:${port}`;
}

/** The phone number a request's flow calls first, to tell the items apart. */
export function calledNumber(request: Received): string | undefined {
	try {
		const flow = (JSON.parse(request.body) as { flow?: Array<{ type?: string; number?: string }> })
			.flow;
		return flow?.find((step) => step.type === 'call')?.number;
	} catch {
		return undefined;
	}
}
