/**
 * The Samespace emulator (`dev/emulator.ts`) in a child process, for the benchmark: the server then
 * has its own JS thread and does not compete with the measured code for the parent's event loop.
 *
 *   const emulator = await EmulatorProcess.start({ cloudId, authToken });
 *   await fetch(`${emulator.baseUrl}/call/flow`, ...);
 *   const stats = await emulator.stats();   // counters, peak concurrency, TCP connections, CPU
 *   await emulator.reset();
 *   await emulator.close();
 *
 * The child records counts only (`record: 'counts'`; duplicate placements stay countable in
 * `counters.duplicatePlacements`), can rate-limit call requests (`rateLimit`), counts the TCP connections it accepts (to
 * see whether a client reuses connections), and exits when the parent disconnects or dies.
 * Nothing here is shipped in the package.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type * as http from 'node:http';

import { SamespaceEmulator, type EmulatorCounters, type RateLimitOptions } from './emulator';

export interface EmulatorProcessOptions {
	cloudId: string;
	authToken: string;
	/** The emulator's rate limit (a token bucket, see EmulatorOptions.rateLimit); default none. */
	rateLimit?: Omit<RateLimitOptions, 'now'>;
}

export interface EmulatorStats {
	counters: EmulatorCounters;
	/** Highest number of requests in flight at once since start or reset. */
	peakConcurrency: number;
	/** TCP connections accepted since start or reset. */
	connections: number;
	/** CPU time the emulator process used since start or reset, in milliseconds (user + system). */
	cpuMs: number;
}

type Command = { id: number; op: 'stats' | 'reset' };
type Reply = { id: number; stats?: EmulatorStats; error?: string };
type Ready = { ready: true; baseUrl: string; callFlowUrl: string } | { ready: false; error: string };

export class EmulatorProcess {
	private nextId = 1;
	private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
	private exited = false;

	private constructor(
		private readonly child: ChildProcess,
		/** `http://127.0.0.1:PORT/api/public/v1` */
		readonly baseUrl: string,
		/** `http://127.0.0.1:PORT/api/public/v1/call/flow` */
		readonly callFlowUrl: string,
	) {
		child.on('message', (message: Reply) => {
			const waiter = this.pending.get(message.id);
			if (!waiter) return;
			this.pending.delete(message.id);
			if (message.error) waiter.reject(new Error(message.error));
			else waiter.resolve(message);
		});
		child.on('exit', () => {
			this.exited = true;
			for (const waiter of this.pending.values()) waiter.reject(new Error('the emulator process exited'));
			this.pending.clear();
		});
	}

	/** Forks this file's built JS as the emulator process and waits until it listens. */
	static async start(options: EmulatorProcessOptions): Promise<EmulatorProcess> {
		const child = fork(__filename, ['--child', JSON.stringify(options)], {
			// Not the parent's flags: a `--cpu-prof` parent must not profile the emulator too.
			execArgv: [],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		const ready = await new Promise<Ready>((resolve, reject) => {
			child.once('message', (message: Ready) => resolve(message));
			child.once('error', reject);
			child.once('exit', (code) => reject(new Error(`the emulator process exited (code ${code}) before it listened`)));
		});
		if (!ready.ready) {
			child.kill();
			throw new Error(`the emulator process could not start: ${ready.error}`);
		}
		return new EmulatorProcess(child, ready.baseUrl, ready.callFlowUrl);
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	/** Counters, peak concurrency, connections and CPU since start or the last reset. */
	async stats(): Promise<EmulatorStats> {
		return (await this.send('stats')).stats as EmulatorStats;
	}

	/** Zeroes counters, peak, connections and CPU. */
	async reset(): Promise<void> {
		await this.send('reset');
	}

	/** Ends the child process (it closes its server). Idempotent. */
	async close(): Promise<void> {
		if (this.exited) return;
		const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
		this.child.disconnect();
		const timer = setTimeout(() => this.child.kill(), 2000);
		await exited;
		clearTimeout(timer);
	}

	private send(op: Command['op']): Promise<Reply> {
		if (this.exited) return Promise.reject(new Error('the emulator process has exited'));
		const id = this.nextId++;
		return new Promise<Reply>((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			this.child.send({ id, op } satisfies Command);
		});
	}
}

// ---------------------------------------------------------------------------------------------
// The child side
// ---------------------------------------------------------------------------------------------

async function childMain(options: EmulatorProcessOptions): Promise<void> {
	const send = (message: Ready | Reply) => process.send?.(message);
	let emulator: SamespaceEmulator;
	try {
		emulator = await SamespaceEmulator.start({ ...options, host: '127.0.0.1', record: 'counts' });
	} catch (error) {
		send({ ready: false, error: (error as Error).message });
		process.exit(1);
	}
	let connections = 0;
	let cpuStart = process.cpuUsage();
	// The emulator keeps its server private; counting accepted connections needs the server itself.
	(emulator as unknown as { server: http.Server }).server.on('connection', () => connections++);

	process.on('message', (command: Command) => {
		try {
			if (command.op === 'reset') {
				emulator.reset();
				connections = 0;
				cpuStart = process.cpuUsage();
				send({ id: command.id });
			} else {
				const cpu = process.cpuUsage(cpuStart);
				send({
					id: command.id,
					stats: {
						counters: structuredClone(emulator.counters),
						peakConcurrency: emulator.peakConcurrency,
						connections,
						cpuMs: (cpu.user + cpu.system) / 1000,
					},
				});
			}
		} catch (error) {
			send({ id: command.id, error: (error as Error).message });
		}
	});
	// The emulator unrefs its server; the IPC channel keeps this process alive until the parent
	// disconnects (or dies).
	process.on('disconnect', () => {
		void emulator.close().finally(() => process.exit(0));
	});
	send({ ready: true, baseUrl: emulator.baseUrl, callFlowUrl: emulator.callFlowUrl });
}

if (require.main === module && process.argv[2] === '--child') {
	void childMain(JSON.parse(process.argv[3] ?? '{}') as EmulatorProcessOptions);
}
