// n8n in queue mode for `npm run test:e2e:queue`: Redis and Postgres from Debian's packages
// (installed with apt-get when missing), each on 127.0.0.1 with its data under .n8n-dev/queue/,
// and n8n 2.41.1 as one main process and N workers sharing them. Each process has its own user
// folder with the packed package installed in it, as a queue-mode deployment must (a worker
// without it fails executions with "Unrecognized node type"). Settings and the reasons for them:
// `queueEnv` below; what was measured with them: docs/testing.md#what-the-queue-e2e-measured.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { DEV_HOST } from '../dev/n8n/config.mjs';
import { installTarball } from '../dev/n8n/community-install.mjs';
import { aptInstall } from '../dev/n8n/install.mjs';
import { N8nRest, freePort, n8nCliOk, n8nEnv, readOutboundLog, startN8n } from '../dev/n8n/n8n.mjs';
import { prepareInstance } from '../dev/n8n/setup.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** The newest Postgres server binaries Debian installed (/usr/lib/postgresql/<major>/bin). */
function postgresBin() {
	const base = '/usr/lib/postgresql';
	const majors = fs.existsSync(base)
		? fs
				.readdirSync(base)
				.filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	return majors.length ? path.join(base, majors[0], 'bin') : undefined;
}

const redisServer = () => ['/usr/bin/redis-server'].find((p) => fs.existsSync(p));

/** Redis and Postgres from Debian, when missing. */
export function installQueueServices() {
	const started = Date.now();
	const missing = [
		...(redisServer() ? [] : ['redis-server']),
		...(postgresBin() ? [] : ['postgresql']),
	];
	if (missing.length) aptInstall(missing);
	return {
		skipped: missing.length === 0,
		ms: Date.now() - started,
		what: `redis-server ${redisServer()}, postgres ${postgresBin()}`,
	};
}

/** Appends a process's output lines to `<dir>/<name>.log` (kept with --keep, for a failed run). */
function logTo(dir, name) {
	const file = path.join(dir, `${name}.log`);
	return (line) => fs.appendFileSync(file, `${line}\n`);
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
async function waitForPort(port, what, child, timeoutMs = 30_000) {
	const started = Date.now();
	for (;;) {
		if (child.exitCode !== null || child.signalCode !== null)
			throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it listened`);
		const open = await new Promise((resolve) => {
			const socket = net.connect(port, DEV_HOST);
			socket.once('connect', () => (socket.destroy(), resolve(true)));
			socket.once('error', () => resolve(false));
		});
		if (open) return;
		if (Date.now() - started > timeoutMs)
			throw new Error(`${what} did not listen on ${port} after ${timeoutMs} ms`);
		await sleep(100);
	}
}

/**
 * A child process whose output is kept (last lines) for error messages; stop() sends `stopSignal`
 * (SIGKILL after 10 s) and waits.
 */
function service(command, args, { what, uid, gid, stopSignal = 'SIGTERM' }) {
	const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], uid, gid });
	const logs = [];
	const keep = (d) => {
		logs.push(...String(d).split('\n').filter(Boolean));
		if (logs.length > 200) logs.splice(0, logs.length - 200);
	};
	child.stdout.on('data', keep);
	child.stderr.on('data', keep);
	const exited = new Promise((resolve) => child.once('exit', resolve));
	return {
		child,
		logs,
		what,
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill(stopSignal);
			const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
			await exited;
			clearTimeout(timer);
		},
	};
}

/** Redis on 127.0.0.1, nothing saved to disk (the queue's jobs live only as long as the test). */
export async function startRedis(dir) {
	fs.mkdirSync(dir, { recursive: true });
	const port = await freePort();
	const redis = service(
		redisServer(),
		['--bind', DEV_HOST, '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'],
		{ what: 'redis-server' },
	);
	await waitForPort(port, 'redis-server', redis.child);
	return { ...redis, port };
}

/**
 * A new Postgres cluster in `dir` on 127.0.0.1 (TCP only, no Unix socket), user `n8n` trusted,
 * database `n8n`. Postgres refuses to run as root: as root, the cluster belongs to the `postgres`
 * user Debian's package created. fsync is off: this database lives for one test run.
 */
export async function startPostgres(dir) {
	const bin = postgresBin();
	const data = path.join(dir, 'data');
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	let ids = {};
	if (isRoot) {
		const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout);
		ids = { uid: id('-u'), gid: id('-g') };
		fs.chownSync(dir, ids.uid, ids.gid);
	}
	const initdb = spawnSync(
		path.join(bin, 'initdb'),
		['-D', data, '-U', 'n8n', '--auth=trust', '-E', 'UTF8', '--no-sync'],
		{ encoding: 'utf8', ...ids },
	);
	if (initdb.status !== 0)
		throw new Error(
			`initdb failed (exit ${initdb.status}; the folder must be reachable by ${isRoot ? 'the postgres user' : 'this user'}):\n${initdb.stderr}`,
		);
	const port = await freePort();
	const postgres = service(
		path.join(bin, 'postgres'),
		[
			'-D',
			data,
			'-p',
			String(port),
			'-c',
			`listen_addresses=${DEV_HOST}`,
			'-c',
			'unix_socket_directories=',
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			'-c',
			'max_connections=200',
		],
		// SIGINT: Postgres's fast shutdown (SIGTERM waits for every client to leave).
		{ what: 'postgres', stopSignal: 'SIGINT', ...ids },
	);
	await waitForPort(port, 'postgres', postgres.child);
	// Listening is not ready: it refuses connections while "the database system is starting up".
	const ready = () =>
		spawnSync(path.join(bin, 'pg_isready'), ['-h', DEV_HOST, '-p', String(port), '-U', 'n8n'], ids)
			.status === 0;
	for (let tries = 0; !ready(); tries++) {
		if (tries > 300) {
			await postgres.stop();
			throw new Error(`postgres not ready after 30 s:\n${postgres.logs.join('\n')}`);
		}
		await sleep(100);
	}
	const createdb = spawnSync(
		path.join(bin, 'createdb'),
		['-h', DEV_HOST, '-p', String(port), '-U', 'n8n', 'n8n'],
		{ encoding: 'utf8', ...ids },
	);
	if (createdb.status !== 0) {
		await postgres.stop();
		throw new Error(`createdb failed:\n${createdb.stderr}\n${postgres.logs.join('\n')}`);
	}
	return { ...postgres, port };
}

/**
 * What every process of the stack shares (n8n's queue-mode documentation, and what this test measured):
 * - EXECUTIONS_MODE=queue, the same Redis, the same Postgres and the same encryption key (a worker
 *   with another key stops at start);
 * - finished jobs kept in Redis: with n8n's default (removed at once) a webhook that waits for the
 *   last node can hang when the job ends before main asks for its result;
 * - short worker locks, so that a killed worker's execution is marked failed sooner (the times:
 *   docs/testing.md#what-the-queue-e2e-measured).
 */
function queueEnv({ redis, postgres, encryptionKey }) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: DEV_HOST,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: DEV_HOST,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: 'n8n',
		DB_POSTGRESDB_USER: 'n8n',
		DB_POSTGRESDB_PASSWORD: 'n8n',
		N8N_ENCRYPTION_KEY: encryptionKey,
		N8N_EXECUTIONS_QUEUE_KEEP_LAST_COMPLETED: '1000',
		N8N_EXECUTIONS_QUEUE_KEEP_LAST_FAILED: '1000',
		QUEUE_WORKER_LOCK_DURATION: '5000',
		QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
		QUEUE_WORKER_STALLED_INTERVAL: '5000',
		// n8n's own check for stuck executions (default 180 s): sooner, as an operator would set it.
		N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: '1',
	};
}

/**
 * Redis, Postgres, the main process and `workers` workers (`--concurrency=workerConcurrency`),
 * under `dir` (emptied first). `workflows` are imported and published before main starts; their
 * webhooks are awaited. Returns the processes, a signed-in REST client and `stop()`.
 */
export async function startQueueStack({
	dir,
	tarball,
	emulatorBaseUrl,
	workflows,
	workers = 2,
	workerConcurrency = 10,
	log = () => {},
}) {
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	const started = Date.now();
	const stoppers = [];
	const stop = async () => {
		for (const s of stoppers.splice(0).reverse()) await s().catch(() => {});
	};
	try {
		const redis = await startRedis(path.join(dir, 'redis'));
		stoppers.push(() => redis.stop());
		const postgres = await startPostgres(path.join(dir, 'postgres'));
		stoppers.push(() => postgres.stop());
		log(`redis on ${redis.port}, postgres on ${postgres.port}`);
		const shared = queueEnv({
			redis,
			postgres,
			encryptionKey: randomBytes(24).toString('hex'),
		});

		const mainFolder = path.join(dir, 'main');
		const mainPort = await freePort();
		const mainEnv = n8nEnv({
			userFolder: mainFolder,
			port: mainPort,
			brokerPort: await freePort(),
			outboundLog: path.join(dir, 'outbound-main.jsonl'),
			extra: shared,
		});
		const prepared = await prepareInstance({
			userFolder: mainFolder,
			env: mainEnv,
			tarball,
			emulatorBaseUrl,
			examples: false,
			recordPackage: false,
		});
		log(
			`main's user folder prepared: ${Object.entries(prepared.timings)
				.map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
				.join(', ')}`,
		);
		let t = Date.now();
		const wfDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samespace-queue-'));
		try {
			for (const workflow of workflows)
				fs.writeFileSync(path.join(wfDir, `${workflow.id}.json`), JSON.stringify(workflow));
			await n8nCliOk(['import:workflow', '--separate', `--input=${wfDir}`], { env: mainEnv });
			// One CLI process each (about 5 s, mostly n8n's start-up), so they run side by side.
			await Promise.all(
				workflows.map((workflow) =>
					n8nCliOk(['publish:workflow', `--id=${workflow.id}`], { env: mainEnv }),
				),
			);
		} finally {
			fs.rmSync(wfDir, { recursive: true, force: true });
		}

		log(
			`${workflows.length} workflows imported and published in ${((Date.now() - t) / 1000).toFixed(1)} s`,
		);
		const main = await startN8n({ env: mainEnv, port: mainPort, onLog: logTo(dir, 'main') });
		stoppers.push(() => main.stop());
		log(`main ready at ${main.url} (${Math.round(main.readyMs / 1000)} s)`);
		t = Date.now();

		const workerHandles = await Promise.all(
			Array.from({ length: workers }, async (_, i) => {
				const name = `worker-${i + 1}`;
				const userFolder = path.join(dir, name);
				fs.mkdirSync(userFolder, { recursive: true });
				installTarball(userFolder, tarball);
				const healthPort = await freePort();
				const env = n8nEnv({
					userFolder,
					port: healthPort,
					brokerPort: await freePort(),
					outboundLog: path.join(dir, `outbound-${name}.jsonl`),
					extra: {
						...shared,
						// The URLs a worker puts in what it sends out (a call's report URL: the execution's
						// resume URL) must be main's, the process that receives webhooks. With its own
						// address there, the report got 404 and the execution waited until its limit.
						WEBHOOK_URL: `${main.url}/`,
						N8N_EDITOR_BASE_URL: `${main.url}/`,
						QUEUE_HEALTH_CHECK_ACTIVE: 'true',
						QUEUE_HEALTH_CHECK_PORT: String(healthPort),
					},
				});
				const worker = await startN8n({
					env,
					port: healthPort,
					command: ['worker', `--concurrency=${workerConcurrency}`],
					onLog: logTo(dir, name),
				});
				stoppers.push(() => worker.stop());
				return Object.assign(worker, { name });
			}),
		);
		log(
			`${workers} workers ready (concurrency ${workerConcurrency} each) in ${((Date.now() - t) / 1000).toFixed(1)} s`,
		);

		const rest = new N8nRest(main.url);
		await rest.setupOwner();
		await rest.login();
		// Published webhooks register shortly after main is ready: a GET to a POST webhook then
		// answers "Did you mean to make a POST request?".
		for (const workflow of workflows) {
			const hook = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
			if (!hook) continue;
			for (let tries = 0; ; tries++) {
				const answer = await (await fetch(`${main.url}/webhook/${hook.parameters.path}`)).text();
				if (answer.includes('Did you mean to make a POST request')) break;
				if (tries > 300)
					throw new Error(`webhook ${hook.parameters.path} not registered after 30 s`);
				await sleep(100);
			}
		}
		return {
			main,
			workers: workerHandles,
			rest,
			redis,
			postgres,
			startedMs: Date.now() - started,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

/** Connections any process of the stack tried outside 127.0.0.1 (dev/n8n/outbound-guard.cjs). */
export function outboundAttempts(dir) {
	return fs
		.readdirSync(dir)
		.filter((f) => f.startsWith('outbound-'))
		.flatMap((f) => readOutboundLog(path.join(dir, f)).map((a) => ({ ...a, process: f })));
}

/** The ids of the executions a worker started, from its log ("Worker started execution N"). */
export function executionsStartedBy(worker) {
	const ids = [];
	for (const line of worker.logs) {
		const m = /Worker started execution (\d+)/.exec(line);
		if (m) ids.push(m[1]);
	}
	return ids;
}
