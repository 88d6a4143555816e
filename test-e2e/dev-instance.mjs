// `npm run dev` as a developer starts it (called by test-e2e/run.mjs on the default n8n line;
// alone: `node test-e2e/dev-instance.mjs`): with n8n's and the emulator's default ports taken, it
// starts `node dev/n8n/dev.mjs` on a new instance of its own (N8N_DEV_USER_FOLDER, never
// .n8n-dev/user) with the n8n already installed, reads its banner, runs every command the banner
// prints exactly as printed, checks that the examples complete (the two waiting ones with the keys
// of call-keys.json), then stops it with Ctrl-C (SIGINT) and checks that its processes are gone.
// Then a second start of the same instance (`--exit`), and the command its banner prints then
// (`npm run dev -- --reimport`) run as printed and stopped as Ctrl-C stops it in a terminal.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { DEFAULT_N8N_VERSION, DEV_DIR, DEV_HOST, DEV_PORT, ROOT } from '../dev/n8n/config.mjs';
import { N8nRest, freePort, portIsFree } from '../dev/n8n/n8n.mjs';
import { hasWebhookTrigger, listExamples } from '../dev/n8n/setup.mjs';
import { assert, check, runChecks, seconds, until } from './checks.mjs';
import { executionById, executionsOf, outputOf } from './waiting.mjs';

const bash = promisify(execFile);

/** Holds `port` on 127.0.0.1; resolves to the server, or undefined when something else holds it. */
async function hold(port) {
	const server = net.createServer();
	const held = await new Promise((resolve) => {
		server.once('error', () => resolve(false));
		server.listen(port, DEV_HOST, () => resolve(true));
	});
	return held ? server : undefined;
}

/** The process and every descendant of it (from /proc). */
function processTree(root) {
	const children = new Map();
	for (const pid of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
		try {
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			children.set(ppid, [...(children.get(ppid) ?? []), Number(pid)]);
		} catch {
			// it ended meanwhile
		}
	}
	const tree = [root];
	for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
	return tree;
}

/** Whether `pid` still runs (a zombie does not). */
function running(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
	} catch {
		return false;
	}
}

/**
 * `bash -c <command>` (default: dev.mjs) in a process group of its own, with the test's instance;
 * `banner()` resolves once the banner is printed, `stop()` sends SIGINT to the group (as Ctrl-C in
 * a terminal) and checks that every process of it is gone.
 */
function startDev(env, command = `node dev/n8n/dev.mjs --n8n=${DEFAULT_N8N_VERSION}`) {
	const child = spawn('bash', ['-c', command], {
		cwd: ROOT,
		env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const dev = { child, out: '', started: Date.now() };
	child.stdout.on('data', (d) => (dev.out += d));
	child.stderr.on('data', (d) => (dev.out += d));
	const exited = new Promise((resolve) =>
		child.on('exit', (code, signal) => resolve({ code, signal })),
	);
	dev.exited = exited;
	dev.banner = () =>
		until(
			'the banner',
			() => {
				if (child.exitCode !== null || child.signalCode !== null)
					throw new Error(
						`${command} exited (${child.exitCode ?? child.signalCode}):\n${dev.out.slice(-3000)}`,
					);
				return /Ctrl-C stops everything\./.test(dev.out);
			},
			300_000,
			250,
		);
	dev.stop = async (ports) => {
		const tree = child.exitCode === null ? processTree(child.pid) : [];
		assert(tree.length > 2, `${command} runs no n8n (processes: ${tree.join(', ')})`);
		const t = Date.now();
		process.kill(-child.pid, 'SIGINT');
		const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 60_000);
		const { code, signal } = await exited;
		clearTimeout(timer);
		// npm, like a shell, ends by the signal it forwards (130 in a terminal); dev.mjs exits 0.
		assert(
			code === 0 || (command.startsWith('npm ') && signal === 'SIGINT'),
			`${command} exited ${code ?? signal}:\n${dev.out.slice(-2000)}`,
		);
		assert(/\[dev\] stopping\.\.\./.test(dev.out), `${command} did not stop n8n itself`);
		const left = await until(
			'its processes gone',
			() => tree.every((pid) => !running(pid)),
			10_000,
		).catch(() => tree.filter(running));
		assert(left === true, `still running: ${left}`);
		const busy = [];
		for (const port of ports) if (!(await portIsFree(port))) busy.push(port);
		assert(busy.length === 0, `ports still taken: ${busy.join(', ')}`);
		return `stopped in ${seconds(Date.now() - t)}; ${tree.length} processes gone; ports ${ports.join(', ')} free`;
	};
	return dev;
}

/** The banner's `Ports:` line as `{ name: port }`. */
const portsOf = (out) =>
	Object.fromEntries(
		[
			...(/^ {2}Ports: +(.*)$/m.exec(out)?.[1] ?? '').matchAll(
				/([a-z0-9 ]+?) (\d+)(?: \(\d+ is taken\))?(?:, |$)/g,
			),
		].map((m) => [m[1], Number(m[2])]),
	);

export async function checkDevInstance({ keep = false } = {}) {
	const userFolder = path.join(DEV_DIR, 'e2e-dev-instance');
	fs.rmSync(userFolder, { recursive: true, force: true });
	const taken = [DEV_PORT, DEV_PORT + 2];
	const holders = await Promise.all(taken.map(hold));
	const env = { ...process.env, N8N_DEV_USER_FOLDER: userFolder };
	delete env.N8N_DEV_PORT;
	try {
		await runDevInstance(env, taken);
	} finally {
		for (const server of holders) server?.close();
		if (!keep) fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

async function runDevInstance(env, taken) {
	const dev = startDev(env);
	let url;
	let ports = {};
	try {
		await check(
			`npm run dev with ${taken.join(' and ')} taken: starts on free ports, prints them, and its banner's URL is n8n's`,
			async () => {
				await dev.banner();
				url = /is running:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(dev.out)?.[1];
				ports = portsOf(dev.out);
				const line = /^ {2}Ports: +(.*)$/m.exec(dev.out)?.[1];
				assert(url && Object.keys(ports).length === 4, `banner:\n${dev.out.slice(-4000)}`);
				assert(
					ports.n8n !== taken[0] && ports.emulator !== taken[1] && url.endsWith(`:${ports.n8n}`),
					`ports ${line}, URL ${url}`,
				);
				assert(
					line.includes(`(${taken[0]} is taken)`) && line.includes(`(${taken[1]} is taken)`),
					`the Ports line does not say what was taken: ${line}`,
				);
				assert(
					dev.out.includes(`emulator at http://127.0.0.1:${ports.emulator}/`),
					'the credential does not point at the emulator port printed',
				);
				const ready = await fetch(`${url}/healthz/readiness`);
				assert(ready.ok, `${url}/healthz/readiness answered ${ready.status}`);
				return `in ${seconds(Date.now() - dev.started)}: ${line}`;
			},
		);
		if (!url) return;
		const commands = [...dev.out.matchAll(/try it: (curl .*\\\n.*)$/gm)].map((m) => m[1]);
		const examples = listExamples().filter((e) => hasWebhookTrigger(e.workflow));
		const posted = Date.now();
		await check(
			"every command the banner prints, run as printed (bash -c), starts its example's workflow",
			async () => {
				assert(
					commands.length === examples.length,
					`${commands.length} commands for ${examples.length} webhook examples`,
				);
				for (const command of commands) {
					const { stdout } = await bash('bash', ['-c', command], { timeout: 30_000 });
					assert(/Workflow was started/.test(stdout), `${command}\n  answered: ${stdout}`);
				}
				return `${commands.length} commands: ${commands.map((c) => /\/webhook\/(\S+)/.exec(c)[1]).join(', ')}`;
			},
		);

		await check(
			'the examples posted finish successfully: Call and Wait with the key of call-keys.json (1: confirmed), the approval by phone with the approve key',
			async () => {
				const rest = new N8nRest(url);
				await rest.login();
				const finished = {};
				for (const { file, id } of examples) {
					finished[file] = await until(
						`${file}: an execution that ended`,
						async () =>
							(await executionsOf(rest, id)).find(
								(e) =>
									new Date(e.startedAt).getTime() >= posted - 1000 &&
									!['new', 'running', 'waiting'].includes(e.status),
							),
						90_000,
						500,
					);
				}
				const failed = Object.entries(finished).filter(([, e]) => e.status !== 'success');
				assert(failed.length === 0, failed.map(([f, e]) => `${f}: ${e.status}`).join(', '));
				const appointment = await executionById(rest, finished['appointment-reminder.json'].id);
				const [answer] = outputOf(appointment, 'Call and wait for the answer');
				const [crm] = outputOf(appointment, 'Mark confirmed (CRM)');
				assert(
					answer?.answered === true &&
						answer.digits?.choice === '1' &&
						crm?.appointment === 'confirmed',
					`appointment: ${JSON.stringify(answer)}, ${JSON.stringify(crm)}`,
				);
				const approval = await executionById(rest, finished['ai-agent-approval-by-phone.json'].id);
				const [agent] = outputOf(approval, 'AI Agent');
				assert(
					/Done: Samespace accepted the call \(call id /.test(agent?.output),
					`agent: ${JSON.stringify(agent)}`,
				);
				// The manager's call goes on after its report (it says goodbye): printed when it ends.
				const manager = await until("the manager's call printed", () =>
					/^\[call\] 14155550188: .*\(pressed "(.)"\) > approve .*-> 200\) > approved$/m.exec(
						dev.out,
					),
				).catch(() =>
					assert(false, `calls played:\n${dev.out.match(/^\[call\].*$/gm)?.join('\n')}`),
				);
				return `${examples.length} executions succeeded; appointment: pressed 1, confirmed; approval: the manager pressed ${manager[1]}, the agent: "${agent.output}"`;
			},
		);
	} finally {
		await check(
			'Ctrl-C (SIGINT) stops npm run dev: it exits 0, its processes (n8n, its task runner) are gone, its ports free',
			() => dev.stop(Object.values(ports)),
		);
	}

	// A port chosen with `--port <n>` (a space, not "="): kept by the command the banner prints.
	const chosen = await freePort();
	const again = startDev(
		env,
		`node dev/n8n/dev.mjs --n8n=${DEFAULT_N8N_VERSION} --exit --port ${chosen}`,
	);
	let reimport;
	await check(
		'npm run dev again on the same instance (--exit --port <n>): n8n on that port, the examples kept, and the command its banner prints for them (npm run dev -- --reimport --port=<n>), run as printed, restores them on that port',
		async () => {
			const { code } = await again.exited;
			assert(
				code === 0 && /Ctrl-C stops everything\./.test(again.out),
				`exited ${code}:\n${again.out.slice(-3000)}`,
			);
			const later = seconds(Date.now() - again.started);
			const command = /\(kept as you left them; `(npm run dev[^`]*)` restores them\)/.exec(
				again.out,
			)?.[1];
			assert(command, `no command for the examples kept:\n${again.out.slice(-3000)}`);
			assert(portsOf(again.out).n8n === chosen, `--port ${chosen}:\n${again.out.slice(-3000)}`);
			assert(
				command.includes(`--port=${chosen}`),
				`the printed command forgets the port: ${command}`,
			);
			reimport = startDev(env, command);
			await reimport.banner();
			assert(
				reimport.out.includes(`imported ${listExamples().length} workflows`) &&
					!/kept as you left them/.test(reimport.out) &&
					portsOf(reimport.out).n8n === chosen,
				`${command}:\n${reimport.out.slice(-3000)}`,
			);
			return `a later start: ${later} (--exit included); \`${command}\` re-imported the examples in ${seconds(Date.now() - reimport.started)}`;
		},
	);
	if (reimport)
		await check(
			'Ctrl-C on the process group of `npm run dev -- --reimport` (bash, npm, node, n8n) stops all of it',
			() => reimport.stop(Object.values(portsOf(reimport.out))),
		);
}

if (process.argv[1] === fileURLToPath(import.meta.url))
	await runChecks(() => checkDevInstance({ keep: process.argv.includes('--keep') }), {
		label: 'npm run dev',
	});
