// Running real n8n (installed by install.mjs) under the Node 24 binary from `.n8n-dev/`:
// its environment, its CLI, its server (start, wait until ready, stop), and the few REST calls
// the scripts need (owner setup, sign-in).
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { DEV_HOST, N8N_BIN, N8N_LINE, N8N_MAJOR, NODE_BIN, OWNER } from './config.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const execFileAsync = promisify(execFile);
/** Preloaded into n8n (and its task runner): records every connection n8n tries outside the loopback range. */
export const OUTBOUND_GUARD = path.join(HERE, 'outbound-guard.cjs');

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
	const srv = net.createServer();
	await new Promise((resolve, reject) => {
		srv.once('error', reject);
		srv.listen(0, DEV_HOST, resolve);
	});
	const { port } = srv.address();
	await new Promise((resolve) => srv.close(resolve));
	return port;
}

/** Whether `port` can be listened on at 127.0.0.1 now (one taken on 0.0.0.0 or :: cannot). */
export async function portIsFree(port) {
	const srv = net.createServer();
	const free = await new Promise((resolve) => {
		srv.once('error', () => resolve(false));
		srv.listen(port, DEV_HOST, () => resolve(true));
	});
	if (free) await new Promise((resolve) => srv.close(resolve));
	return free;
}

/**
 * A port for each name of `preferred` (`{ n8n: 5678, ... }`): the preferred one when it is free,
 * else a free one (throws for a name in `fixed`). Returns `{ name: { port, preferred } }`.
 */
export async function choosePorts(preferred, { fixed = [] } = {}) {
	const chosen = {};
	const used = new Set(Object.values(preferred));
	for (const [name, want] of Object.entries(preferred)) {
		let port = want;
		if (!(await portIsFree(want))) {
			if (fixed.includes(name)) throw new Error(`port ${want} (${name}) is taken`);
			do port = await freePort();
			while (used.has(port));
			used.add(port);
		}
		chosen[name] = { port, preferred: want };
	}
	return chosen;
}

/**
 * The environment n8n runs with: bound to 127.0.0.1, its data in `userFolder/.n8n`, and every
 * switch that makes it call out turned off (telemetry, version notifications, templates, the
 * verified-community-packages list, the MCP registry module on 2.x, license renewal).
 */
export function n8nEnv({
	userFolder,
	port,
	brokerPort,
	outboundLog,
	logLevel = 'info',
	extra = {},
}) {
	const env = { ...process.env };
	// npm sets these for scripts; they must not leak into n8n's own npm calls or its runner.
	for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
	const base = `http://${DEV_HOST}:${port}/`;
	Object.assign(env, {
		PATH: `${path.dirname(NODE_BIN)}${path.delimiter}${process.env.PATH}`,
		N8N_USER_FOLDER: userFolder,
		N8N_LISTEN_ADDRESS: DEV_HOST,
		N8N_HOST: DEV_HOST,
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: base,
		WEBHOOK_URL: base,
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: DEV_HOST,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort ?? port + 1),
		GENERIC_TIMEZONE: 'UTC',
		N8N_LOG_LEVEL: logLevel,
		N8N_LOG_OUTPUT: 'console',
		// No outbound calls.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_DISABLED_MODULES: N8N_LINE.disabledModules,
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		// Community packages: installed from a local tarball, never fetched.
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		// Quiet the 2.x deprecation notices by choosing today's defaults explicitly.
		N8N_RUNNERS_TASK_TIMEOUT: '300',
		N8N_COMPRESSION_NODE_MAX_DECOMPRESSED_SIZE_BYTES: String(2 * 1024 ** 3),
		N8N_COMPRESSION_NODE_MAX_ZIP_ENTRIES: '5000',
		...extra,
	});
	if (outboundLog) {
		env.N8N_OUTBOUND_LOG = outboundLog;
		env.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--require=${OUTBOUND_GUARD}`]
			.filter(Boolean)
			.join(' ');
	}
	return env;
}

/** Runs an n8n CLI command (`import:credentials`, `execute`, ...): `{ code, stdout, stderr, ms }`. */
export async function n8nCli(args, { env, timeoutMs = 300_000, cwd = env.N8N_USER_FOLDER } = {}) {
	const started = Date.now();
	const options = { env, cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 2 ** 30 };
	const r = await execFileAsync(NODE_BIN, [N8N_BIN, ...args], options).catch((error) => {
		if (typeof error.code === 'string') throw error; // it did not start
		if (error.killed)
			throw new Error(
				`n8n ${args.join(' ')} timed out after ${timeoutMs} ms\n${error.stdout}\n${error.stderr}`,
			);
		return error; // with the exit code and the output
	});
	return {
		code: 'code' in r ? r.code : 0,
		stdout: r.stdout,
		stderr: r.stderr,
		ms: Date.now() - started,
	};
}

/**
 * The run `n8n execute --rawOutput` printed: pretty JSON starting at a "{" line, which log lines
 * may precede and (now and then) follow.
 */
export function parseExecutionOutput(stdout) {
	const start = stdout.search(/^\{/m);
	if (start < 0) throw new Error(`no JSON in n8n execute output:\n${stdout.slice(-2000)}`);
	const text = stdout.slice(start);
	for (let end = text.lastIndexOf('\n}'); end >= 0; end = text.lastIndexOf('\n}', end - 1)) {
		try {
			return JSON.parse(text.slice(0, end + 2));
		} catch {
			// a later "}" line belonged to something printed after the run
		}
	}
	return JSON.parse(text);
}

/**
 * The CLI arguments that make a workflow's production webhooks live when n8n starts: 2.x publishes
 * a workflow (`publish:workflow`); 1.x has no publishing and activates it (`update:workflow --active`).
 */
export const publishWorkflowArgs = (id) =>
	N8N_MAJOR >= 2
		? ['publish:workflow', `--id=${id}`]
		: ['update:workflow', `--id=${id}`, '--active=true'];

/** Like n8nCli, but throws with n8n's output when the command fails. */
export async function n8nCliOk(args, options) {
	const r = await n8nCli(args, options);
	if (r.code !== 0)
		throw new Error(`n8n ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
	return r;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Start `n8n start` and resolve once /healthz/readiness and /rest/settings answer 200. `onLog`
 * receives n8n's output lines (default: kept in `logs` only); `nodeArgs`: flags for Node itself
 * (e.g. `--inspect`). `command`: another n8n command, such as `['worker', '--concurrency=10']`
 * (a queue-mode worker has no REST API: `port` is then its health-check port and only
 * /healthz/readiness is awaited). `stop()` sends SIGTERM, then SIGKILL after 20 s.
 */
export async function startN8n({
	env,
	port,
	onLog,
	readyTimeoutMs = 180_000,
	nodeArgs = [],
	command = ['start'],
}) {
	const started = Date.now();
	const hasRest = command[0] === 'start';
	// Checked again here: the port was free when chosen, maybe minutes (an install) ago, and
	// another n8n answering on it would look ready.
	if (!(await portIsFree(port))) throw new Error(`port ${port} was taken since it was chosen`);
	const child = spawn(NODE_BIN, [...nodeArgs, N8N_BIN, ...command], {
		env,
		cwd: env.N8N_USER_FOLDER,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const logs = [];
	const onData = (d) => {
		for (const line of String(d).split('\n').filter(Boolean)) {
			logs.push(line);
			onLog?.(line);
		}
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	let exited = null;
	const exit = once(child, 'exit').then(([code, signal]) => (exited = { code, signal }));
	const handle = {
		url: `http://${DEV_HOST}:${port}`,
		child,
		logs,
		readyMs: 0,
		get exited() {
			return exited;
		},
		async stop() {
			if (exited) return exited;
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
			await exit;
			clearTimeout(timer);
			return exited;
		},
	};
	// n8n 1.x answers readiness before its REST routes exist: wait for both.
	const ready = async (url) =>
		(await fetch(`${url}/healthz/readiness`)).ok &&
		(!hasRest || (await fetch(`${url}/rest/settings`)).ok);
	while (!(await ready(handle.url).catch(() => false))) {
		const lastLines = logs.slice(-40).join('\n');
		if (exited)
			throw new Error(`n8n exited (${JSON.stringify(exited)}) before it was ready:\n${lastLines}`);
		if (Date.now() - started > readyTimeoutMs) {
			await handle.stop();
			throw new Error(`n8n was not ready after ${readyTimeoutMs} ms:\n${lastLines}`);
		}
		await sleep(250);
	}
	// A process that took the port in the meantime answers too, while ours exits (EADDRINUSE).
	await sleep(500);
	if (exited)
		throw new Error(
			`n8n exited (${JSON.stringify(exited)}) as it became ready:\n${logs.slice(-40).join('\n')}`,
		);
	handle.readyMs = Date.now() - started;
	return handle;
}

/** A tiny REST client with n8n's auth cookie. */
export class N8nRest {
	constructor(url) {
		this.url = url;
		this.cookie = '';
	}

	async request(method, pathname, body) {
		const res = await fetch(this.url + pathname, {
			method,
			headers: {
				'content-type': 'application/json',
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = res.headers.getSetCookie?.() ?? [];
		for (const c of setCookie) if (c.startsWith('n8n-auth=')) this.cookie = c.split(';', 1)[0];
		const text = await res.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		if (!res.ok) {
			const error = new Error(`${method} ${pathname}: ${res.status} ${text.slice(0, 500)}`);
			error.status = res.status;
			throw error;
		}
		return json?.data ?? json;
	}

	/** Creates the owner account on a new instance; a no-op (false) when one exists already. */
	async setupOwner(owner = OWNER) {
		const settings = await this.request('GET', '/rest/settings');
		if (!settings.userManagement?.showSetupOnFirstLoad) return false;
		await this.request('POST', '/rest/owner/setup', owner);
		return true;
	}

	async login(owner = OWNER) {
		return await this.request('POST', '/rest/login', {
			emailOrLdapLoginId: owner.email,
			password: owner.password,
		});
	}
}

/** Lines the outbound guard recorded (connections outside 127.0.0.0/8 and ::1). */
export function readOutboundLog(file) {
	if (!file || !fs.existsSync(file)) return [];
	return fs
		.readFileSync(file, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line));
}
