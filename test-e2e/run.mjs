#!/usr/bin/env node
// `npm run test:e2e`: this package in real n8n, installed the way users install it.
//
//  1. installs (once) n8n 2.41.1 + Node 24 + playwright-core under .n8n-dev/, and Debian's chromium;
//  2. packs the package (`npm pack`) and installs the tarball into a fresh n8n user folder's
//     community-nodes folder exactly as Settings > Community nodes does (no dev or peer deps);
//  3. imports the "Samespace (emulator)" credential and every example in examples/;
//  4. runs the Manual-Trigger examples headlessly with `n8n execute --id` against the emulator:
//     the bulk list (checking the concurrency cap) and the AI agent (its chat model is a scripted
//     OpenAI-compatible server on 127.0.0.1, see dev/n8n/scripted-llm.mjs);
//  5. starts n8n, posts a lead to the published new-lead example's production webhook;
//  6. drives the editor in headless chromium (test-e2e/browser.mjs), screenshots in docs/screenshots/;
//  7. checks that n8n tried no connection outside 127.0.0.1 (dev/n8n/outbound-guard.cjs);
//  8. on 2.41.1, `npm run dev` with its default ports taken (test-e2e/dev-instance.mjs): every
//     command its banner prints, the waiting examples completing, Ctrl-C.
//
// Every tested n8n line (dev/n8n/config.mjs N8N_LINES: 2.41.1 and the last 1.x, 1.123.81), each
// in its own folder under .n8n-dev/ and its own child process, the browser part on 2.41.1 only,
// then n8n 2.41.1 in queue mode (test-e2e/queue.mjs: Redis, Postgres, main + 2 workers);
// `--n8n=<version>` runs one line (without queue mode). Checks a line cannot run are reported as
// `skip` with the reason. Ends with `e2e: N passed, M failed` (all runs) and exits non-zero on any
// failure.
// Options: --n8n=<version>, --no-browser (skip 6), --no-queue (skip queue mode), --keep (keep the
// user folder .n8n-dev/e2e or .n8n-dev/e2e-<version>, and .n8n-dev/queue, for inspection);
// E2E_SCREENSHOTS_DIR=dir saves the screenshots elsewhere than docs/screenshots/.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { packPackage } from '../dev/n8n/community-install.mjs';
import {
	CREDENTIAL,
	DEFAULT_N8N_VERSION,
	DEV_DIR,
	EMULATOR_AUTH_TOKEN,
	NODE_BIN,
	EMULATOR_CLOUD_ID,
	N8N_LINES,
	N8N_MAJOR,
	N8N_VERSION,
	PACKAGE_NAME,
	ROOT,
} from '../dev/n8n/config.mjs';
import { installBrowser, installN8n } from '../dev/n8n/install.mjs';
import {
	N8nRest,
	freePort,
	n8nCli,
	n8nCliOk,
	n8nEnv,
	parseExecutionOutput,
	readOutboundLog,
	startN8n,
} from '../dev/n8n/n8n.mjs';
import { ScriptedLlm } from '../dev/n8n/scripted-llm.mjs';
import { listExamples, prepareInstance } from '../dev/n8n/setup.mjs';
import { assert, check, runChecks, seconds, skip, sleep } from './checks.mjs';
import { checkDevInstance } from './dev-instance.mjs';
import { checkCallbackAgent, checkVoiceWebhooks } from './voice-api.mjs';
import { runWaitingChecks, startTimeoutExecution } from './waiting.mjs';

const args = new Set(process.argv.slice(2));
const started = Date.now();

/**
 * Without --n8n=<version>: this script once per tested line, then queue mode (test-e2e/queue.mjs;
 * not with --no-queue), each in a child process; the counts summed.
 */
async function runEveryLine() {
	const here = path.dirname(process.argv[1]);
	const runs = Object.keys(N8N_LINES).map((version) => {
		const argv = [...process.argv.slice(2), `--n8n=${version}`];
		if (version !== DEFAULT_N8N_VERSION && !argv.includes('--no-browser'))
			argv.push('--no-browser');
		return { label: `n8n ${version}`, script: process.argv[1], argv };
	});
	if (!args.has('--no-queue'))
		runs.push({
			label: `n8n ${DEFAULT_N8N_VERSION} in queue mode`,
			script: path.join(here, 'queue.mjs'),
			argv: args.has('--keep') ? ['--keep'] : [],
		});
	const done = [];
	for (const run of runs) {
		console.log(
			`\n=== e2e on ${run.label}: node ${path.relative(ROOT, run.script)} ${run.argv.join(' ')}`,
		);
		const t = Date.now();
		const child = spawn(process.execPath, [run.script, ...run.argv], {
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		let last = '';
		child.stdout.on('data', (d) => {
			process.stdout.write(d);
			last = (last + d).split('\n').slice(-400).join('\n');
		});
		const code = await new Promise((resolve) => child.on('close', resolve));
		const m = [...last.matchAll(/^e2e: (\d+) passed, (\d+) failed$/gm)].at(-1);
		const [passed, failed] = m ? [Number(m[1]), Number(m[2])] : [0, 1];
		const skipped = Number(/^skipped: (\d+)/m.exec(last)?.[1] ?? 0);
		done.push({
			label: run.label,
			passed,
			failed: code === 0 || failed > 0 ? failed : 1,
			skipped,
			s: (Date.now() - t) / 1000,
		});
	}
	console.log('\n=== e2e per n8n line');
	for (const l of done)
		console.log(
			`${l.label}: ${l.passed} passed, ${l.failed} failed, ${l.skipped} skipped (${l.s.toFixed(0)} s)`,
		);
	const passed = done.reduce((n, l) => n + l.passed, 0);
	const failed = done.reduce((n, l) => n + l.failed, 0);
	console.log(`e2e: ${passed} passed, ${failed} failed`);
	process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
if (!process.argv.some((a) => a.startsWith('--n8n=')) && !process.env.N8N_DEV_VERSION)
	await runEveryLine();

const timings = {};

const outputOf = (run, nodeName) =>
	run.data.resultData.runData[nodeName]?.[0]?.data?.main?.[0]?.map((i) => i.json) ?? [];
/** JSON with object keys sorted, for order-insensitive comparison of objects. */
const canonical = (v) =>
	JSON.stringify(v, (_k, x) =>
		x && typeof x === 'object' && !Array.isArray(x)
			? Object.fromEntries(Object.entries(x).sort())
			: x,
	);
const digitsOnly = (s) => String(s).replace(/\D/g, '');

async function main() {
	const require = createRequire(import.meta.url);
	const { SamespaceEmulator } = require(path.join(ROOT, 'build', 'dev', 'emulator.js'));
	const examples = listExamples();
	const example = (file) => examples.find((e) => e.file === file);

	console.log(`e2e: ${PACKAGE_NAME} in n8n ${N8N_VERSION}`);
	await check('install n8n, Node 24 (and chromium + playwright-core) under .n8n-dev/', async () => {
		const n = installN8n();
		timings.installN8n = n.skipped ? 'already installed' : seconds(n.ms);
		if (!args.has('--no-browser')) {
			const b = installBrowser();
			timings.installBrowser = b.skipped ? 'already installed' : seconds(b.ms);
		}
		return `n8n: ${timings.installN8n}${timings.installBrowser ? `; browser: ${timings.installBrowser}` : ''}`;
	});

	let pack;
	await check(
		'npm pack: the tarball holds dist/ and the manifest only, with no runtime dependencies',
		async () => {
			pack = packPackage();
			const bad = pack.files.filter(
				(f) =>
					!(
						f.startsWith('dist/') ||
						['package.json', 'README.md', 'LICENSE', 'LICENSE.md'].includes(f)
					),
			);
			assert(bad.length === 0, `unexpected files: ${bad.join(', ')}`);
			const sources = pack.files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
			assert(sources.length === 0, `TypeScript sources packed: ${sources.join(', ')}`);
			const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
			assert(
				!manifest.dependencies || Object.keys(manifest.dependencies).length === 0,
				'the package has runtime dependencies',
			);
			for (const f of [...manifest.n8n.nodes, ...manifest.n8n.credentials])
				assert(pack.files.includes(f), `${f} is not in the tarball`);
			return `${path.basename(pack.tarball)}: ${pack.files.length} files, ${(pack.size / 1024).toFixed(0)} KiB`;
		},
	);
	if (!pack) return;

	// Placed calls are played out by the call simulator, at 0.3 of real time: a call reports back
	// seconds after it is placed, as a real one would (not before n8n has saved the wait).
	const emulator = await SamespaceEmulator.start({
		cloudId: EMULATOR_CLOUD_ID,
		authToken: EMULATOR_AUTH_TOKEN,
		simulateCalls: { timeScale: 0.3 },
	});
	const llm = await ScriptedLlm.start();
	const userFolder = path.join(
		DEV_DIR,
		N8N_VERSION === DEFAULT_N8N_VERSION ? 'e2e' : `e2e-${N8N_VERSION}`,
	);
	fs.rmSync(userFolder, { recursive: true, force: true });
	const outboundLog = path.join(userFolder, 'outbound.jsonl');
	const port = await freePort();
	const env = n8nEnv({ userFolder, port, brokerPort: await freePort(), outboundLog });
	let n8n;
	try {
		let prepared;
		await check(
			'install the tarball as Settings > Community nodes does; import the credential and the examples',
			async () => {
				const t = Date.now();
				prepared = await prepareInstance({
					userFolder,
					env,
					tarball: pack.tarball,
					emulatorBaseUrl: emulator.baseUrl,
					llmBaseUrl: llm.baseUrl,
				});
				timings.prepare = seconds(Date.now() - t);
				const installed = JSON.parse(
					fs.readFileSync(path.join(prepared.packageDir, 'package.json'), 'utf8'),
				);
				for (const key of ['devDependencies', 'peerDependencies', 'optionalDependencies'])
					assert(!(key in installed), `${key} left in the installed package.json`);
				const nested = path.join(prepared.packageDir, 'node_modules');
				const nestedList = fs.existsSync(nested)
					? fs.readdirSync(nested).filter((n) => !n.startsWith('.'))
					: [];
				assert(
					nestedList.length === 0,
					`the install pulled packages into the package: ${nestedList.join(', ')}`,
				);
				const ledger = JSON.parse(
					fs.readFileSync(path.join(userFolder, '.n8n', 'nodes', 'package.json'), 'utf8'),
				);
				assert(
					ledger.dependencies[PACKAGE_NAME] === installed.version,
					`ledger: ${JSON.stringify(ledger)}`,
				);
				return `${path.relative(ROOT, prepared.packageDir)}; ${examples.length} examples; timings ${JSON.stringify(Object.fromEntries(Object.entries(prepared.timings).map(([k, v]) => [k, seconds(v)])))}`;
			},
		);
		if (!prepared) return;

		// ---- Headless runs with `n8n execute --id` ----------------------------------------------
		const bulk = example('bulk-lead-calls.json');
		await check(
			`n8n execute: ${bulk.file} calls every lead, never more than the cap at once`,
			async () => {
				emulator.reset();
				// Each call takes 400 ms to answer, so the cap is what limits how many are in flight.
				emulator.inject({ kind: 'delay', ms: 400 }, { times: Infinity });
				const r = await n8nCli(['execute', `--id=${bulk.id}`, '--rawOutput'], { env });
				emulator.clearFaults();
				timings.executeBulk = seconds(r.ms);
				assert(
					r.code === 0,
					`n8n execute exited ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`,
				);
				const run = parseExecutionOutput(r.stdout);
				assert(run.status === 'success', `execution status ${run.status}`);
				const samespaceNode = bulk.workflow.nodes.find(
					(n) => n.type === 'n8n-nodes-samespace.samespace',
				);
				const cap = samespaceNode.parameters.options.concurrency;
				const leads = JSON.parse(
					bulk.workflow.nodes.find((n) => n.type === 'n8n-nodes-base.set').parameters.jsonOutput,
				).leads;
				assert(
					emulator.placedCalls.length === leads.length,
					`placed ${emulator.placedCalls.length} calls for ${leads.length} leads`,
				);
				const called = emulator.placedCalls.map((c) => c.number).sort();
				assert(
					JSON.stringify(called) === JSON.stringify(leads.map((l) => digitsOnly(l.phone)).sort()),
					`called ${called.join(', ')}`,
				);
				assert(
					emulator.peakConcurrency === cap,
					`peak concurrency ${emulator.peakConcurrency}, cap ${cap}`,
				);
				for (const call of emulator.placedCalls) {
					const lead = leads.find((l) => digitsOnly(l.phone) === call.number);
					const flow = call.body.flow;
					assert(
						JSON.stringify(flow.map((s) => s.type)) ===
							JSON.stringify(['call', 'play', 'digits', 'connect', 'play']),
						`flow for ${call.number}: ${JSON.stringify(flow)}`,
					);
					assert(
						flow[1].text.startsWith(`Hi ${lead.firstName}, `) && flow[1].text.includes(lead.plan),
						`greeting: ${flow[1].text}`,
					);
					assert(
						flow[2].count === 1 &&
							flow[2].next_step['1'] === 'sales' &&
							flow[2].next_step['*'] === 'goodbye',
						`menu: ${JSON.stringify(flow[2])}`,
					);
					assert(
						flow[3].id === 'sales' &&
							!('next_step' in flow[3]) &&
							flow[4].id === 'goodbye' &&
							!('next_step' in flow[4]),
						`ends: ${JSON.stringify(flow.slice(3))}`,
					);
				}
				const out = outputOf(run, samespaceNode.name);
				assert(
					out.length === leads.length && out.every((o) => o.success === true && o.call_id),
					`node output: ${JSON.stringify(out).slice(0, 500)}`,
				);
				const ids = new Set(emulator.placedCalls.map((c) => c.call_id));
				assert(
					out.every((o) => ids.has(o.call_id)),
					'output call ids differ from the placed calls',
				);
				return `${leads.length} calls, peak ${emulator.peakConcurrency} in flight (cap ${cap}); n8n execute took ${timings.executeBulk}`;
			},
		);

		await check(
			'n8n execute: the HTTP Request node reuses the Samespace API credential (Predefined Credential Type)',
			async () => {
				emulator.reset();
				// What a user would build by hand: the credential's authenticate adds cloud_id and
				// auth_token to the JSON body, as it does for the Samespace node.
				const workflow = {
					id: 'e2eHttpRequest01',
					name: 'e2e: HTTP Request node with the Samespace credential',
					active: false,
					settings: { executionOrder: 'v1' },
					nodes: [
						{
							id: 'h1',
							name: 'Start',
							type: 'n8n-nodes-base.manualTrigger',
							typeVersion: 1,
							position: [0, 0],
							parameters: {},
						},
						{
							id: 'h2',
							name: 'HTTP Request',
							type: 'n8n-nodes-base.httpRequest',
							typeVersion: 4.2,
							position: [220, 0],
							credentials: { samespaceApi: { id: CREDENTIAL.id, name: CREDENTIAL.name } },
							parameters: {
								method: 'POST',
								url: emulator.callFlowUrl,
								authentication: 'predefinedCredentialType',
								nodeCredentialType: 'samespaceApi',
								sendBody: true,
								specifyBody: 'json',
								jsonBody:
									'{"record":false,"flow":[{"id":"1","type":"call","number":"14155550177","caller_id":"14155550100","next_step":"2"},{"id":"2","type":"play","text":"Hello from the HTTP Request node."}]}',
								options: {},
							},
						},
					],
					connections: { Start: { main: [[{ node: 'HTTP Request', type: 'main', index: 0 }]] } },
				};
				const file = path.join(userFolder, 'e2e-http-request.json');
				fs.writeFileSync(file, JSON.stringify(workflow));
				const imported = await n8nCli(['import:workflow', `--input=${file}`], { env });
				assert(
					imported.code === 0,
					`import:workflow exited ${imported.code}\n${imported.stdout}\n${imported.stderr}`,
				);
				const r = await n8nCli(['execute', `--id=${workflow.id}`, '--rawOutput'], { env });
				assert(
					r.code === 0,
					`n8n execute exited ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`,
				);
				const run = parseExecutionOutput(r.stdout);
				assert(run.status === 'success', `execution status ${run.status}`);
				assert(emulator.placedCalls.length === 1, `placed ${emulator.placedCalls.length} calls`);
				const body = emulator.placedCalls[0].body;
				assert(
					body.cloud_id === EMULATOR_CLOUD_ID && body.auth_token === EMULATOR_AUTH_TOKEN,
					"the credential's fields were not in the body",
				);
				const [out] = outputOf(run, 'HTTP Request');
				assert(out?.call_id === emulator.placedCalls[0].call_id, `output: ${JSON.stringify(out)}`);
				return `placed ${out.call_id} with the credential's cloud_id and auth_token in the body`;
			},
		);

		const ai = example('ai-agent-call-tool.json');
		await check(
			`n8n execute: ${ai.file}: the agent calls the Samespace tool, which places the call`,
			async () => {
				emulator.reset();
				const r = await n8nCli(['execute', `--id=${ai.id}`, '--rawOutput'], { env });
				timings.executeAi = seconds(r.ms);
				assert(
					r.code === 0,
					`n8n execute exited ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`,
				);
				const run = parseExecutionOutput(r.stdout);
				assert(run.status === 'success', `execution status ${run.status}`);
				const toolNode = ai.workflow.nodes.find(
					(n) => n.type === 'n8n-nodes-samespace.samespaceTool',
				);
				const offered = llm.requests[0]?.body.tools?.map((t) => t.function) ?? [];
				const tool = offered.find((f) => /Samespace/.test(f.name));
				assert(tool, `tools offered to the model: ${JSON.stringify(offered.map((f) => f.name))}`);
				assert(
					tool.description === toolNode.parameters.toolDescription,
					`tool description: ${tool.description}`,
				);
				const params = Object.keys(tool.parameters?.properties ?? {}).sort();
				assert(
					JSON.stringify(params) === JSON.stringify(['message', 'phone_number']),
					`tool parameters: ${params}`,
				);
				const [toolCall] = llm.toolCalls;
				assert(toolCall, 'the model made no tool call');
				assert(emulator.placedCalls.length === 1, `placed ${emulator.placedCalls.length} calls`);
				const flow = emulator.placedCalls[0].body.flow;
				assert(
					flow[0].type === 'call' &&
						flow[0].number === digitsOnly(toolCall.arguments.phone_number) &&
						flow[0].caller_id === '14155550100',
					`call step: ${JSON.stringify(flow[0])}`,
				);
				assert(
					flow[1].type === 'play' && flow[1].text === toolCall.arguments.message,
					`play step: ${JSON.stringify(flow[1])}`,
				);
				const answer = JSON.stringify(outputOf(run, 'AI Agent'));
				assert(
					answer.includes(emulator.placedCalls[0].call_id),
					`agent answer: ${answer.slice(0, 500)}`,
				);
				return `tool "${tool.name}" called with ${JSON.stringify(toolCall.arguments)}; agent answered with call id ${emulator.placedCalls[0].call_id}; took ${timings.executeAi}`;
			},
		);

		await checkCallbackAgent({ check, env, emulator, llm, example });

		await check(
			'n8n execute: an answer that sends its first bytes ({"success":) and then nothing, on a connection kept open, ends at Request Timeout (2 s): the call may have been placed, one request',
			async () => {
				emulator.reset();
				const node = {
					...structuredClone(
						bulk.workflow.nodes.find((n) => n.type === 'n8n-nodes-samespace.samespace'),
					),
					id: 's2',
					position: [220, 0],
					onError: 'continueRegularOutput',
					// The example names a credential of the user's; this instance has the emulator's.
					credentials: { samespaceApi: { id: CREDENTIAL.id, name: CREDENTIAL.name } },
				};
				node.parameters.steps.step[0].number = '14155550101';
				node.parameters.options = { ...node.parameters.options, timeout: 2, retries: 3 };
				const workflow = {
					id: 'e2eStalledAnswr1',
					name: 'e2e: a stalled answer',
					active: false,
					settings: { executionOrder: 'v1' },
					nodes: [
						{
							id: 's1',
							name: 'Start',
							type: 'n8n-nodes-base.manualTrigger',
							typeVersion: 1,
							position: [0, 0],
							parameters: {},
						},
						node,
					],
					connections: { Start: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
				};
				const file = path.join(userFolder, 'e2e-stalled-answer.json');
				fs.writeFileSync(file, JSON.stringify(workflow));
				await n8nCliOk(['import:workflow', `--input=${file}`], { env });
				// The body stays silent for 60 s unless the node lets go.
				emulator.inject({ kind: 'stallMidBody', ms: 60_000 }, { times: Infinity });
				const r = await n8nCli(['execute', `--id=${workflow.id}`, '--rawOutput'], { env });
				emulator.clearFaults();
				const run = parseExecutionOutput(r.stdout);
				assert(run.status === 'success', `execution status ${run.status}`);
				const [out] = outputOf(run, node.name);
				assert(
					out?.outcome === 'uncertain' &&
						out.callMayHaveBeenPlaced === true &&
						/did not arrive in full within 2 s/.test(out.error),
					`node output: ${JSON.stringify(out)}`,
				);
				assert(emulator.requests.length === 1, `${emulator.requests.length} requests`);
				const took = run.data.resultData.runData[node.name][0].executionTime;
				assert(took < 6_000, `the node ran ${seconds(took)}`);
				timings.stalledAnswer = seconds(took);
				return `the node ended after ${seconds(took)} (Request Timeout 2 s, the body silent for 60 s); 1 request; "${out.error}"`;
			},
		);

		const timeoutRun = await startTimeoutExecution({
			check,
			env,
			emulator,
			appointment: example('appointment-reminder.json'),
			timings,
		});

		// ---- The server: production webhook, editor ----------------------------------------------
		let rest;
		await check('n8n start: ready on 127.0.0.1 with the community package loaded', async () => {
			n8n = await startN8n({ env, port });
			timings.n8nStart = seconds(n8n.readyMs);
			rest = new N8nRest(n8n.url);
			await rest.setupOwner();
			await rest.login();
			const types = await rest.request('GET', '/rest/community-packages');
			const pkg = (Array.isArray(types) ? types : []).find((p) => p.packageName === PACKAGE_NAME);
			assert(pkg, `Settings > Community nodes API: ${JSON.stringify(types).slice(0, 400)}`);
			assert(!pkg.failedLoading, 'n8n reports the package failed loading');
			const loadErrors = n8n.logs.filter((l) => /Failed to load|samespace.*error/i.test(l));
			assert(loadErrors.length === 0, loadErrors.join('\n'));
			return `ready in ${timings.n8nStart}; installed: ${pkg.packageName}@${pkg.installedVersion} (${pkg.installedNodes.map((n) => n.type).join(', ')})`;
		});
		if (!n8n) return;

		// n8n 1.x reads the test request's `ignoreHttpStatusErrors: { ignore, except }` as "ignore every
		// status" (validateStatus always true) and applies `rules` only to errors: there the Test
		// button says "Connection successful" for any answer (a redirect, a 401 too).
		const testRules = N8N_MAJOR >= 2;
		if (!testRules) {
			skip(
				"the credential's Test button reports a redirect as a failure",
				`n8n ${N8N_VERSION} treats the test's ignoreHttpStatusErrors {ignore, except} as ignore-all and applies no response rules: any answer reads as "Connection successful"`,
			);
		}
		await check(
			"the credential's Test button: passes, never follows a redirect, sends nothing to a Base URL against the rules",
			async () => {
				// 2.x's editor tests a new credential before saving it (id ''); 1.x's only tests a saved one
				// (403 for id ''): there the edited fields are sent with the saved credential's id.
				const id = N8N_MAJOR >= 2 ? '' : CREDENTIAL.id;
				const testCredential = async (data) =>
					(await rest.request('POST', '/rest/credentials/test', {
						credentials: { id, name: 'e2e', type: 'samespaceApi', data },
					})) ?? {};
				const valid = {
					cloudId: EMULATOR_CLOUD_ID,
					authToken: `${EMULATOR_AUTH_TOKEN}\n`,
					baseUrl: `${emulator.baseUrl}/call/flow/`,
				};
				emulator.reset();
				const ok = await testCredential(valid);
				assert(ok.status === 'OK', `valid credential: ${JSON.stringify(ok)}`);
				assert(
					emulator.requests.length === 1 &&
						emulator.requests[0].body.auth_token === EMULATOR_AUTH_TOKEN,
					'the token was not sent trimmed',
				);
				assert(emulator.placedCalls.length === 0, 'the test placed a call');

				const { createServer } = await import('node:http');
				let targetHits = 0;
				const target = createServer((_req, res) => (targetHits++, res.end('{}')));
				await new Promise((r) => target.listen(0, '127.0.0.1', r));
				const redirector = createServer((_req, res) => {
					res.writeHead(307, { location: `http://127.0.0.1:${target.address().port}/call/flow` });
					res.end();
				});
				await new Promise((r) => redirector.listen(0, '127.0.0.1', r));
				try {
					const redirected = await testCredential({
						...valid,
						baseUrl: `http://127.0.0.1:${redirector.address().port}/api`,
					});
					if (testRules)
						assert(
							redirected.status === 'Error' &&
								/redirect, which the test does not follow/.test(redirected.message),
							`307: ${JSON.stringify(redirected)}`,
						);
					assert(targetHits === 0, 'the redirect was followed');
				} finally {
					target.close();
					redirector.close();
				}

				emulator.reset();
				const query = await testCredential({ ...valid, baseUrl: `${emulator.baseUrl}?region=eu` });
				assert(
					query.status === 'Error' && emulator.requests.length === 0,
					`a Base URL with a query: ${JSON.stringify(query)}, ${emulator.requests.length} requests`,
				);
				return `valid: "${ok.message}"; a Base URL with a query: "${query.message}"`;
			},
		);

		const lead = example('new-lead-call.json');
		await checkVoiceWebhooks({ check, n8n, rest, emulator, example });

		await check(
			`webhook: a lead posted to ${lead.file}'s production URL is called with the example's flow`,
			async () => {
				emulator.reset();
				const hook = lead.workflow.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
				const res = await fetch(`${n8n.url}/webhook/${hook.parameters.path}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({
						firstName: 'Ada',
						lastName: 'Lovelace',
						phone: '+1 (415) 555-0199',
						source: 'website form',
					}),
				});
				assert(res.ok, `webhook answered ${res.status}: ${await res.text()}`);
				for (let i = 0; i < 80 && emulator.placedCalls.length === 0; i++) await sleep(250);
				assert(emulator.placedCalls.length === 1, `placed ${emulator.placedCalls.length} calls`);
				const body = emulator.placedCalls[0].body;
				assert(
					body.cloud_id === EMULATOR_CLOUD_ID &&
						body.auth_token === EMULATOR_AUTH_TOKEN &&
						body.record === false,
					'credentials or record not sent as expected',
				);
				const expected = [
					{
						id: '1',
						type: 'call',
						number: '14155550199',
						caller_id: '14155550100',
						next_step: '2',
					},
					{
						id: '2',
						type: 'play',
						text: 'Hi Ada, this is Acme. Please enter your four digit customer number.',
						next_step: '3',
					},
					{ id: '3', type: 'digits', count: 4, variable: 'account_id', next_step: { '*': '4' } },
					{
						id: '4',
						type: 'http',
						url: 'https://crm.example.com/api/accounts/{{account_id}}',
						method: 'GET',
						next_step: { success: 'sales', fail: '5' },
					},
					{
						id: '5',
						type: 'play',
						text: 'Sorry, we could not find that customer number. Let me connect you to our team.',
						next_step: 'sales',
					},
					{ id: 'sales', type: 'connect', number: '5263', caller_id: '14155550100' },
				];
				const diffs = expected
					.map((e, i) =>
						canonical(e) === canonical(body.flow[i])
							? ''
							: `step ${i + 1}: expected ${canonical(e)}, got ${canonical(body.flow[i])}`,
					)
					.filter(Boolean);
				if (body.flow.length !== expected.length) diffs.push(`${body.flow.length} steps sent`);
				assert(diffs.length === 0, diffs.join('\n'));
				return `flow: ${body.flow.map((s) => `${s.id}:${s.type}`).join(' > ')}`;
			},
		);

		const waiting = await runWaitingChecks({
			check,
			skip,
			n8n,
			rest,
			emulator,
			llm,
			example,
			timeout: timeoutRun,
			timings,
		});

		if (!args.has('--no-browser')) {
			const { runBrowserChecks } = await import('./browser.mjs');
			const t = Date.now();
			await runBrowserChecks({
				url: n8n.url,
				workflowId: lead.id,
				emulator,
				screenshotsDir: process.env.E2E_SCREENSHOTS_DIR || path.join(ROOT, 'docs', 'screenshots'),
				check,
				otherWorkflows: [
					example('bulk-lead-calls.json'),
					example('ai-agent-call-tool.json'),
					{ ...example('appointment-reminder.json'), operationLabel: 'Call and Wait for Answer' },
				],
				voiceWorkflows: [
					{
						...example('crm-lead-to-campaign.json'),
						resource: 'Campaign',
						operation: 'Add Lead to Dial List',
						fields: ['campaign', 'team', 'dialList', 'phoneNumber', 'leadDataMode'],
					},
					{
						...example('crm-click-to-call.json'),
						resource: 'Agent',
						operation: 'Click to Call',
						fields: ['agent', 'phoneNumber', 'callerId', 'customDataMode'],
					},
				],
			});
			timings.browser = seconds(Date.now() - t);
		}

		await waiting.checkLiveTimeout();

		await check(
			'n8n tried no connection outside 127.0.0.1 (server, CLI runs, task runner)',
			async () => {
				const attempts = readOutboundLog(outboundLog);
				const hosts = [...new Set(attempts.map((a) => `${a.host}:${a.port}`))];
				assert(
					attempts.length === 0,
					`${attempts.length} attempts: ${hosts.join(', ')}\n${JSON.stringify(attempts[0]?.stack ?? [], null, 1)}`,
				);
				// The guard works: the same NODE_OPTIONS in a Node 24 process that tries a non-loopback host
				// (its DNS lookup is stubbed to fail, so nothing leaves the machine) leaves one record.
				const probeLog = path.join(userFolder, 'outbound-probe.jsonl');
				const probe = spawnSync(
					NODE_BIN,
					[
						'-e',
						"const s = new (require('node:net').Socket)(); s.on('error', () => {}); s.connect({ host: 'guard-probe.invalid', port: 9, lookup: (h, o, cb) => cb(new Error('stubbed')) });",
					],
					{ env: { ...env, N8N_OUTBOUND_LOG: probeLog }, encoding: 'utf8' },
				);
				const probed = readOutboundLog(probeLog);
				assert(
					probe.status === 0 && probed.length === 1 && probed[0].host === 'guard-probe.invalid',
					`the guard did not record a probe: ${probe.stderr}`,
				);
				return 'guard preloaded into every n8n process (self-test recorded its probe)';
			},
		);
	} finally {
		if (n8n) {
			const t = Date.now();
			await n8n.stop();
			timings.n8nStop = seconds(Date.now() - t);
		}
		await emulator.close();
		await llm.close();
		fs.rmSync(path.dirname(pack.tarball), { recursive: true, force: true });
		if (!args.has('--keep')) fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

await runChecks(
	async () => {
		await main();
		// `npm run dev` starts its own n8n from the same install: once, on the default line.
		if (N8N_VERSION === DEFAULT_N8N_VERSION) await checkDevInstance({ keep: args.has('--keep') });
	},
	{ label: `n8n ${N8N_VERSION}`, timings, started },
);
