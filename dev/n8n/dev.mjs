#!/usr/bin/env node
// `npm run dev`: real n8n (pinned, under Node 24 from `.n8n-dev/`) on http://127.0.0.1:5678 with
// this package packed and installed as a community node, its task broker on 5679, the Samespace
// API emulator on 5680 (whose call simulator plays each placed call out, pressing the keys of
// `call-keys.json` in the user folder), a scripted OpenAI-compatible chat model on 5681 (for the
// AI-agent examples), a "Samespace (emulator)" credential, and the example workflows imported.
// Ports that are taken are replaced by free ones, checked before anything is installed. Prints
// the ports, the URL, a login and a command for each webhook example, then logs every call the
// emulator receives until Ctrl-C.
//
//   npm run dev                    start (first run installs n8n: several minutes)
//   npm run dev -- --port=6000     n8n on 6000 (it must be free), the others on 6001-6003 if free;
//                                  or N8N_DEV_PORT=6000
//   npm run dev -- --fresh         throw away the dev instance (.n8n-dev/user) and start anew
//   npm run dev -- --reimport      re-import the examples over your edits of them
//   npm run dev -- --exit          start, print, stop (a smoke test)
//   npm run dev -- --n8n=1.123.81  the last 1.x line instead of 2.41.1 (its own folders:
//                                  .n8n-dev/n8n-1.123.81, .n8n-dev/user-1.123.81)
//   N8N_DEV_USER_FOLDER=<dir>      the instance in <dir> instead (the e2e's own)
//
// Each start rebuilds dist/ and build/dev/ if stale, re-packs and re-installs the package (so the
// node as it is now is what n8n loads) and refreshes the credentials; the examples are imported
// into a new instance only, unless --reimport.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import {
	CREDENTIAL,
	DEFAULT_EXAMPLE_POST,
	DEFAULT_N8N_VERSION,
	DEV_CALL_KEYS,
	DEV_HOST,
	DEV_PORT,
	DEV_USER_FOLDER,
	EMULATOR_AUTH_TOKEN,
	EMULATOR_CLOUD_ID,
	EXAMPLE_POSTS,
	N8N_VERSION,
	OWNER,
	ROOT,
	shownPath,
} from './config.mjs';
import { choosePorts } from './n8n.mjs';
import { ScriptedLlm } from './scripted-llm.mjs';
import { LLM_CREDENTIAL, listExamples, startInstance } from './setup.mjs';

const require = createRequire(import.meta.url);
const args = new Set(process.argv.slice(2));
const log = (msg) => console.log(`[dev] ${msg}`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const KEYS_FILE = path.join(DEV_USER_FOLDER, 'call-keys.json');

/** The ports, before anything is installed: the defaults where free, `--port=`/N8N_DEV_PORT's n8n port or none. */
const portFlag = process.argv.indexOf('--port');
/** n8n's port as chosen: `--port=<n>`, `--port <n>`, N8N_DEV_PORT, or undefined. */
const chosen =
	process.argv.find((a) => a.startsWith('--port='))?.slice(7) ??
	(portFlag >= 0 ? (process.argv[portFlag + 1] ?? '') : undefined) ??
	process.env.N8N_DEV_PORT;

async function ports() {
	const base = chosen === undefined || chosen === '' ? DEV_PORT : Number(chosen);
	if (!Number.isInteger(base) || base < 1 || base > 65532)
		throw new Error(`--port=${chosen} (or N8N_DEV_PORT) is not a port number`);
	const names = ['n8n', 'task broker', 'emulator', 'chat model'];
	const preferred = Object.fromEntries(names.map((name, i) => [name, base + i]));
	return await choosePorts(preferred, { fixed: chosen ? ['n8n'] : [] }).catch((e) => {
		throw new Error(`${e.message}: choose another with --port=<port> or N8N_DEV_PORT`);
	});
}

/** call-keys.json: number (its digits) or "*" -> keys. */
function readKeys() {
	const byNumber = {};
	for (const [n, keys] of Object.entries(JSON.parse(fs.readFileSync(KEYS_FILE, 'utf8'))))
		byNumber[n === '*' ? n : n.replace(/\D/g, '')] = keys;
	return byNumber;
}

/** The keys call-keys.json gives a call to `number`, read as the call is placed. */
function keysFor(number) {
	try {
		const byNumber = readKeys();
		const keys = byNumber[String(number).replace(/\D/g, '')] ?? byNumber['*'];
		if (keys === undefined || (Array.isArray(keys) && keys.every((k) => typeof k === 'string')))
			return keys;
		throw new Error(`"${number}": ${JSON.stringify(keys)} is not a list of keys such as ["1"]`);
	} catch (e) {
		log(`${KEYS_FILE}: ${e.message}; the call to ${number} presses the default keys`);
	}
}

async function main() {
	const started = Date.now();
	const port = await ports().catch((e) => {
		console.error(`[dev] ${e.message}`);
		process.exit(1);
	});
	const { ensureFresh } = require('../../scripts/build.cjs');
	ensureFresh('dist', { log });
	ensureFresh('dev', { log });
	const { SamespaceEmulator } = require(path.join(ROOT, 'build', 'dev', 'emulator.js'));

	if (args.has('--fresh')) fs.rmSync(DEV_USER_FOLDER, { recursive: true, force: true });
	const isNew = !fs.existsSync(path.join(DEV_USER_FOLDER, '.n8n', 'database.sqlite'));
	fs.mkdirSync(DEV_USER_FOLDER, { recursive: true });
	if (!fs.existsSync(KEYS_FILE))
		fs.writeFileSync(KEYS_FILE, `${JSON.stringify(DEV_CALL_KEYS, null, '\t')}\n`);

	// Placed calls are played out at a fifth of real time, reporting to this n8n only.
	const n8nOrigin = `http://${DEV_HOST}:${port.n8n.port}`;
	const emulator = await SamespaceEmulator.start({
		port: port.emulator.port,
		host: DEV_HOST,
		cloudId: EMULATOR_CLOUD_ID,
		authToken: EMULATOR_AUTH_TOKEN,
		simulateCalls: { timeScale: 0.2, keysFor, origin: n8nOrigin },
	});
	const llm = await ScriptedLlm.start({ port: port['chat model'].port, host: DEV_HOST });
	let n8n;
	let stopping = false;
	const stop = async (code = 0) => {
		if (stopping) return;
		stopping = true;
		log('stopping...');
		if (n8n) await n8n.stop();
		await emulator.close();
		await llm.close();
		process.exit(code);
	};
	process.on('SIGINT', () => void stop(0));
	process.on('SIGTERM', () => void stop(0));

	try {
		const logFile = path.join(DEV_USER_FOLDER, 'n8n.log');
		const out = fs.createWriteStream(logFile, { flags: 'a' });
		out.write(`\n==== n8n start ${new Date().toISOString()} ====\n`);
		const onLog = (line) => {
			out.write(line + '\n');
			if (/\berror\b|Failed to load|EADDRINUSE/i.test(line) && !/Python task runner/.test(line))
				console.log(`[n8n] ${line}`);
		};
		const instance = await startInstance({
			userFolder: DEV_USER_FOLDER,
			port: port.n8n.port,
			brokerPort: port['task broker'].port,
			emulatorBaseUrl: emulator.baseUrl,
			llmBaseUrl: llm.baseUrl,
			examples: isNew || args.has('--reimport'),
			start: { onLog },
			log,
		}).catch((e) => {
			throw new Error(
				`n8n did not start (log: ${shownPath(logFile)}): ${e.message.slice(0, 2000)}`,
			);
		});
		n8n = instance.server;
		n8n.child.on('exit', (code, signal) => {
			if (!stopping) {
				console.error(`[dev] n8n exited (${code ?? signal}); see ${logFile}`);
				void stop(1);
			}
		});

		const examples = listExamples().map(({ name, id, file, workflow }) => {
			const hook = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
			const post = JSON.stringify(EXAMPLE_POSTS[file] ?? DEFAULT_EXAMPLE_POST).replaceAll(
				"'",
				"'\\''",
			);
			const curl = `curl -X POST ${n8n.url}/webhook/${hook?.parameters.path} -H 'content-type: application/json' \\\n              -d '${post}'`;
			return `    ${name}\n      ${n8n.url}/workflow/${id}${hook ? `\n      try it: ${curl}` : ''}`;
		});
		const portList = Object.entries(port).map(
			([name, p]) =>
				`${name} ${p.port}${p.port === p.preferred ? '' : ` (${p.preferred} is taken)`}`,
		);
		let keys;
		try {
			keys = Object.entries(readKeys())
				.map(([n, k]) => `${n}: ${JSON.stringify(k)}`)
				.join(', ');
		} catch (e) {
			keys = `(not readable: ${e.message}; calls press the default keys)`;
		}
		console.log(`
  n8n ${N8N_VERSION} is running:   ${n8n.url}/  (ready in ${seconds(n8n.readyMs)}, ${seconds(Date.now() - started)} in all)
  Ports:    ${portList.join(', ')}
  Sign in:  ${OWNER.email}  /  ${OWNER.password}
  Credential "${CREDENTIAL.name}" -> Samespace emulator at ${emulator.baseUrl}
  Credential "${LLM_CREDENTIAL.name}" -> scripted chat model at ${llm.baseUrl}
  Calls are played out by the emulator (a fifth of real time), reporting to this n8n. Keys pressed,
  per number (read at every call; "{approve}" is the key the call says for approve; other numbers
  press the first digits of 1234567890): ${shownPath(KEYS_FILE)}
    ${keys}
  Example workflows:
${examples.join('\n')}${instance.prepared.imported ? '' : `\n    (kept as you left them; \`npm run dev -- --reimport${N8N_VERSION === DEFAULT_N8N_VERSION ? '' : ` --n8n=${N8N_VERSION}`}${chosen ? ` --port=${port.n8n.port}` : ''}\` restores them)`}
  Calls the emulator receives are printed below. Ctrl-C stops everything.
`);

		// The emulator records a request when its body has arrived; print it once answered.
		emulator.server.on('request', (req, res) => {
			res.on('finish', () => {
				const rec = emulator.requests.find(
					(r) => r.status !== undefined && !r.printed && r.url === req.url,
				);
				if (!rec) return;
				rec.printed = true;
				const flow = Array.isArray(rec.body?.flow) ? rec.body.flow : [];
				const steps = flow.map((s) => s?.type).join(' > ');
				console.log(
					`[emulator] ${rec.method} ${rec.path} -> ${rec.status}${flow[0]?.number ? `, call to ${flow[0].number}` : ''}${steps ? `: ${steps}` : ''}`,
				);
				const call = emulator.simulator.calls.find((c) => c.callId === rec.callId);
				void call?.done.then(() => {
					const played = call.path.map(({ id, keys, request: r }) =>
						keys !== undefined
							? `${id} (pressed "${keys}")`
							: r
								? `${id} (${r.method} ${r.url.split('?')[0]} -> ${r.status ?? r.skipped ?? r.error})`
								: id,
					);
					console.log(`[call] ${call.number}: ${played.join(' > ')}`);
				});
			});
		});

		if (args.has('--exit')) await stop(0);
	} catch (error) {
		console.error(`[dev] ${error.message}`);
		await stop(1);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
