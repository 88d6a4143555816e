#!/usr/bin/env node
// `npm run dev`: real n8n (pinned, under Node 24 from `.n8n-dev/`) on http://127.0.0.1:5678 with
// this package packed and installed as a community node, the Samespace API emulator on
// 127.0.0.1:5680, a scripted OpenAI-compatible chat model on 127.0.0.1:5681 (for the AI-agent
// example), a "Samespace (emulator)" credential, and the example workflows imported. Prints the
// URL and a login, then logs every call the emulator receives until Ctrl-C.
//
//   npm run dev                    start (first run installs n8n: several minutes)
//   npm run dev -- --fresh         throw away the dev instance (.n8n-dev/user) and start anew
//   npm run dev -- --reimport      re-import the examples over your edits of them
//   npm run dev -- --exit          start, print, stop (a smoke test)
//   npm run dev -- --n8n=1.123.81  the last 1.x line instead of 2.41.1 (its own folders:
//                                  .n8n-dev/n8n-1.123.81, .n8n-dev/user-1.123.81)
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
	DEV_DIR,
	DEV_EMULATOR_PORT,
	DEV_HOST,
	DEV_PORT,
	DEV_USER_FOLDER,
	EMULATOR_AUTH_TOKEN,
	EMULATOR_CLOUD_ID,
	EXAMPLE_POSTS,
	N8N_VERSION,
	OWNER,
	ROOT,
} from './config.mjs';
import { ScriptedLlm } from './scripted-llm.mjs';
import { LLM_CREDENTIAL, listExamples, startInstance } from './setup.mjs';

const require = createRequire(import.meta.url);
const args = new Set(process.argv.slice(2));
const log = (msg) => console.log(`[dev] ${msg}`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function main() {
	const started = Date.now();
	const { ensureFresh } = require('../../scripts/build.cjs');
	ensureFresh('dist', { log });
	ensureFresh('dev', { log });
	const { SamespaceEmulator } = require(path.join(ROOT, 'build', 'dev', 'emulator.js'));

	if (args.has('--fresh')) fs.rmSync(DEV_USER_FOLDER, { recursive: true, force: true });
	const isNew = !fs.existsSync(path.join(DEV_USER_FOLDER, '.n8n', 'database.sqlite'));

	const emulator = await SamespaceEmulator.start({
		port: DEV_EMULATOR_PORT,
		host: DEV_HOST,
		cloudId: EMULATOR_CLOUD_ID,
		authToken: EMULATOR_AUTH_TOKEN,
	}).catch((e) => {
		throw new Error(
			`the emulator cannot listen on ${DEV_HOST}:${DEV_EMULATOR_PORT} (${e.code ?? e.message}): is another \`npm run dev\` running?`,
		);
	});
	const llm = await ScriptedLlm.start({ port: DEV_EMULATOR_PORT + 1, host: DEV_HOST });
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
		const logFile = path.join(DEV_DIR, 'n8n.log');
		fs.mkdirSync(DEV_DIR, { recursive: true });
		const out = fs.createWriteStream(logFile, { flags: 'a' });
		out.write(`\n==== n8n start ${new Date().toISOString()} ====\n`);
		const onLog = (line) => {
			out.write(line + '\n');
			if (/\berror\b|Failed to load|EADDRINUSE/i.test(line) && !/Python task runner/.test(line))
				console.log(`[n8n] ${line}`);
		};
		const instance = await startInstance({
			userFolder: DEV_USER_FOLDER,
			port: DEV_PORT,
			brokerPort: DEV_PORT + 1,
			emulatorBaseUrl: emulator.baseUrl,
			llmBaseUrl: llm.baseUrl,
			examples: isNew || args.has('--reimport'),
			start: { onLog },
			log,
		}).catch((e) => {
			throw new Error(
				`n8n did not start (log: ${path.relative(ROOT, logFile)}): ${e.message.slice(0, 2000)}`,
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
			const post = JSON.stringify(EXAMPLE_POSTS[file] ?? DEFAULT_EXAMPLE_POST);
			const curl = `curl -X POST ${n8n.url}/webhook/${hook?.parameters.path} -H 'content-type: application/json' \\\n              -d '${post}'`;
			return `    ${name}\n      ${n8n.url}/workflow/${id}${hook ? `\n      try it: ${curl}` : ''}`;
		});
		console.log(`
  n8n ${N8N_VERSION} is running:   ${n8n.url}/  (ready in ${seconds(n8n.readyMs)}, ${seconds(Date.now() - started)} in all)
  Sign in:  ${OWNER.email}  /  ${OWNER.password}
  Credential "${CREDENTIAL.name}" -> Samespace emulator at ${emulator.baseUrl}
  Credential "${LLM_CREDENTIAL.name}" -> scripted chat model at ${llm.baseUrl}
  Example workflows:
${examples.join('\n')}${instance.prepared.imported ? '' : '\n    (kept as you left them; `npm run dev -- --reimport` restores them)'}
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
