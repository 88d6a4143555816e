#!/usr/bin/env node
// `npm run bench`: the Samespace node measured where users run it. Real n8n (the version the e2e
// installs, a running server, default settings), the Samespace node against what users would build
// instead (n8n's HTTP Request node with the same credential and byte-identical request bodies) and
// against the physical limit (a fetch loop in its own process), all against the emulator on
// 127.0.0.1. Every figure that matters is a ratio measured in the same round, medians over rotated
// rounds: absolute times move with the machine's load, ratios much less. Results go to
// BENCHMARKS.md (between its markers) and the terminal.
//
//   npm run bench                 everything (about 15 minutes; the first run also installs n8n)
//   node dev/bench/run.mjs --quick   a smoke run with small lists (does not write BENCHMARKS.md)
//   node dev/bench/run.mjs --throughput-only   1,000 items only, no rate-limit phase (nor BENCHMARKS.md)
// It first rebuilds dist/ and build/dev/ if they are stale.
//
// Phases: 1. validation micro-benchmark (in this process, on dist/); 2. throughput in n8n;
// 3. a rate-limited API (the emulator's token bucket) drained by the node and by the HTTP Request
// node; 4. a CPU profile of n8n while the node runs (saved under .tmp/bench/).
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import {
	CREDENTIAL,
	EMULATOR_AUTH_TOKEN,
	EMULATOR_CLOUD_ID,
	N8N_VERSION,
	NODE_BIN,
	ROOT,
} from '../n8n/config.mjs';
import { benchWorkflow, startBenchN8n } from './n8n-instance.mjs';
import { connectProfiler, inspectorUrl, shareByPackage } from './profile.mjs';
import { renderReport, writeBenchmarksFile } from './report.mjs';
import { loadCheckItemFlow, measureValidation, median } from './validation.mjs';

const require = createRequire(import.meta.url);
const execFileAsync = promisify(execFile);
const { ensureFresh } = require('../../scripts/build.cjs');
for (const target of ['dist', 'dev'])
	ensureFresh(target, { log: (line) => console.log(`[bench] ${line}`) });
const { SamespaceEmulator } = require(path.join(ROOT, 'build', 'dev', 'emulator.js'));

const QUICK = process.argv.includes('--quick');
/** `--throughput-only`: phases 1, 2 and 4 with 1,000 items (for a quick before/after comparison). */
const THROUGHPUT_ONLY = process.argv.includes('--throughput-only');
const SIZES = QUICK
	? [{ items: 200, rounds: 1 }]
	: [{ items: 1000, rounds: 5 }, ...(THROUGHPUT_ONLY ? [] : [{ items: 10_000, rounds: 2 }])];
const CONCURRENCIES = [1, 10];
const RATE_LIMITS = QUICK ? [50] : [20, 50];
const RATE_ITEMS = QUICK ? 300 : 2000;
const RATE_CONCURRENCY = 20;
const CALLER_ID = '14155550100';
const SENTINEL_PHONE = '19999999999';
const OUT_DIR = path.join(ROOT, '.tmp', 'bench');

const started = Date.now();
const loadAtStart = os.loadavg()[0];
const log = (message) =>
	console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const leads = (count) =>
	Array.from({ length: count }, (_v, i) => ({
		phone: `1415${String(5_000_000 + i).padStart(7, '0')}`,
	}));

// ---- What is sent: the node's step list, and the same body for the HTTP Request node ----------

const stepList = (number) => [
	{ type: 'call', number, callerId: CALLER_ID },
	{ type: 'play', text: 'Hello from Acme. This is a reminder of your appointment tomorrow.' },
	{ type: 'connect', number: '5263', callerId: CALLER_ID },
];

const samespaceNode = (concurrency) => ({
	type: 'n8n-nodes-samespace.samespace',
	typeVersion: 1,
	parameters: {
		steps: { step: stepList('={{ $json.phone }}') },
		record: false,
		options: { concurrency },
	},
});

/** The flow the node builds, as JSON text with the phone left as `{{ $json.phone }}`. */
function flowTemplate() {
	const checked = loadCheckItemFlow()('steps', stepList(SENTINEL_PHONE), false);
	if (!checked.ok) throw new Error(`the bench step list is invalid: ${checked.description}`);
	const body = JSON.stringify({ record: false, flow: checked.flow });
	if (body.split(`"${SENTINEL_PHONE}"`).length !== 2)
		throw new Error('the phone number does not appear exactly once in the flow');
	return body;
}

/** n8n's HTTP Request node as a user would set it up: the Samespace credential, a JSON body. */
const httpRequestNode = (url, template, options = {}) => ({
	type: 'n8n-nodes-base.httpRequest',
	typeVersion: 4.5,
	parameters: {
		method: 'POST',
		url,
		authentication: 'predefinedCredentialType',
		nodeCredentialType: CREDENTIAL.type,
		sendBody: true,
		specifyBody: 'json',
		jsonBody: `=${template.replace(`"${SENTINEL_PHONE}"`, '"{{ $json.phone }}"')}`,
		options,
	},
});

/** What the node sends for `phone`: the flow, then the credential's fields (as `authenticate` adds them). */
const bodyFor = (template, phone) =>
	`${template.slice(0, -1).replace(`"${SENTINEL_PHONE}"`, JSON.stringify(phone))},"cloud_id":${JSON.stringify(EMULATOR_CLOUD_ID)},"auth_token":${JSON.stringify(EMULATOR_AUTH_TOKEN)}}`;

// ---- Runners ----------------------------------------------------------------------------------

/** The fetch loop in a process of its own (asynchronously: the emulator lives in this process). */
async function fetchLimit(url, bodies, concurrency) {
	fs.mkdirSync(OUT_DIR, { recursive: true });
	const job = path.join(OUT_DIR, 'fetch-job.json');
	const warmup = Math.min(200, bodies.length);
	fs.writeFileSync(job, JSON.stringify({ url, bodies, concurrency, warmup }));
	const script = path.join(ROOT, 'dev', 'bench', 'fetch-limit.mjs');
	const result = JSON.parse((await execFileAsync(NODE_BIN, [script, job])).stdout);
	if (result.accepted !== bodies.length)
		throw new Error(`the fetch loop had ${result.accepted} of ${bodies.length} accepted`);
	return result;
}

/** Checks a node run placed every lead exactly once, and returns its figures. */
function checkedRun(run, emulator, list, label) {
	const accepted = run.output.filter((item) => typeof item.call_id === 'string').length;
	if (run.status !== 'success' || accepted !== list.length) {
		throw new Error(
			`${label}: ${run.status}, ${accepted} of ${list.length} call ids${run.error ? `: ${run.error}` : ''}`,
		);
	}
	const numbers = emulator.placedCalls.map((call) => call.number);
	if (numbers.length !== list.length || new Set(numbers).size !== list.length) {
		throw new Error(
			`${label}: the emulator placed ${numbers.length} calls to ${new Set(numbers).size} numbers for ${list.length} leads`,
		);
	}
	return run;
}

// ---- Phases -----------------------------------------------------------------------------------

async function throughput(n8n, emulator, workflows, template) {
	const rows = [];
	for (const { items, rounds } of SIZES) {
		const list = leads(items);
		const bodies = list.map((lead) => bodyFor(template, lead.phone));
		const node = (workflow, label) => async () =>
			checkedRun(await n8n.run(workflow, list), emulator, list, label);
		const runners = {
			...Object.fromEntries(
				CONCURRENCIES.map((c) => [`node-${c}`, node(workflows.node[c], `node, ${c} in flight`)]),
			),
			http: node(workflows.http, 'HTTP Request node'),
			...Object.fromEntries(
				CONCURRENCIES.map((c) => [`fetch-${c}`, () => fetchLimit(emulator.callFlowUrl, bodies, c)]),
			),
		};
		const keys = Object.keys(runners);
		const samples = Object.fromEntries(keys.map((key) => [key, []]));
		for (let round = 0; round < rounds; round++) {
			for (let i = 0; i < keys.length; i++) {
				const key = keys[(i + round) % keys.length];
				emulator.reset();
				const result = await runners[key]();
				samples[key].push({ ms: result.nodeMs ?? result.ms, cpuMs: result.cpuMs });
			}
			log(
				`${items} items, round ${round + 1}/${rounds}: ${keys.map((key) => `${key} ${(samples[key].at(-1).ms / items).toFixed(3)} ms/item`).join(', ')}`,
			);
		}
		const perItem = (key) => ({
			msPerItem: median(samples[key].map((s) => s.ms)) / items,
			cpuMsPerItem: median(samples[key].map((s) => s.cpuMs)) / items,
		});
		const perRound = (key, other) =>
			median(samples[key].map((s, round) => s.ms / samples[other][round].ms));
		for (const c of CONCURRENCIES) {
			rows.push({
				items,
				concurrency: c,
				rounds,
				node: perItem(`node-${c}`),
				http: perItem('http'),
				fetch: perItem(`fetch-${c}`),
				nodeVsHttp: perRound(`node-${c}`, 'http'),
				nodeVsFetch: perRound(`node-${c}`, `fetch-${c}`),
			});
		}
	}
	return rows;
}

/** The same list against an API that allows `rate` calls per second (a token bucket, 429 + Retry-After beyond it). */
async function rateLimited(n8n, emulator, workflows) {
	const rows = [];
	const list = leads(RATE_ITEMS);
	for (const rate of RATE_LIMITS) {
		for (const [label, workflow] of [
			[`Samespace node, ${RATE_CONCURRENCY} in flight`, workflows.rateNode],
			['HTTP Request node (defaults)', workflows.http],
			[`HTTP Request node, batches of ${rate} per second`, workflows.httpBatched[rate]],
		]) {
			emulator.reset();
			emulator.setRateLimit({ perSecond: rate });
			const run = await n8n.run(workflow, list);
			const numbers = emulator.placedCalls.map((call) => call.number);
			const row = {
				rate,
				label,
				items: RATE_ITEMS,
				ms: run.nodeMs,
				ideal: (RATE_ITEMS / rate) * 1000,
				placed: numbers.length,
				duplicates: numbers.length - new Set(numbers).size,
				limited: emulator.counters.byStatus[429] ?? 0,
				requests: emulator.counters.requests,
				status: run.status,
			};
			rows.push(row);
			log(
				`rate ${rate}/s, ${label}: ${(row.ms / 1000).toFixed(1)} s (ideal ${(row.ideal / 1000).toFixed(0)} s), placed ${row.placed}, 429s ${row.limited}, duplicates ${row.duplicates}, ${row.status}`,
			);
		}
	}
	emulator.setRateLimit(undefined);
	return rows;
}

async function profiled(n8n, emulator, workflows) {
	const list = leads(1000);
	const profiler = await connectProfiler(inspectorUrl(n8n.server.logs));
	await profiler.start();
	for (let i = 0; i < 3; i++) {
		emulator.reset();
		checkedRun(await n8n.run(workflows.node[10], list), emulator, list, 'profiled run');
	}
	const profile = await profiler.stop();
	profiler.close();
	const file = path.join(OUT_DIR, 'n8n-samespace-1000x10.cpuprofile');
	fs.writeFileSync(file, JSON.stringify(profile));
	return { file: path.relative(ROOT, file), shares: shareByPackage(profile) };
}

// ---- Main -------------------------------------------------------------------------------------

async function main() {
	log(`validation micro-benchmark (dist/, this process)`);
	const validation = measureValidation(QUICK ? [10, 100] : [10, 100, 1000], QUICK ? 3 : 7);

	const emulator = await SamespaceEmulator.start({
		cloudId: EMULATOR_CLOUD_ID,
		authToken: EMULATOR_AUTH_TOKEN,
	});
	const template = flowTemplate();
	const http = (options) => httpRequestNode(emulator.callFlowUrl, template, options);
	const workflows = {
		node: Object.fromEntries(
			CONCURRENCIES.map((c) => [
				c,
				benchWorkflow(
					`benchNodeC${String(c).padStart(3, '0')}000`,
					`bench-node-${c}`,
					samespaceNode(c),
				),
			]),
		),
		http: benchWorkflow('benchHttpDefault', 'bench-http', http()),
		rateNode: benchWorkflow('benchNodeRate000', 'bench-node-rate', samespaceNode(RATE_CONCURRENCY)),
		httpBatched: Object.fromEntries(
			RATE_LIMITS.map((rate) => [
				rate,
				benchWorkflow(
					`benchHttpBatch${rate}`,
					`bench-http-batch-${rate}`,
					http({
						batching: { batch: { batchSize: rate, batchInterval: 1000 } },
					}),
				),
			]),
		),
	};
	const all = Object.values(workflows).flatMap((w) => (w.nodes ? [w] : Object.values(w)));
	const n8n = await startBenchN8n({
		emulatorBaseUrl: emulator.baseUrl,
		workflows: all,
		nodeArgs: ['--inspect=127.0.0.1:0'],
		log,
	});
	try {
		// Byte-identical bodies: both nodes' requests as received, and the fetch loop's, for the same leads.
		const sample = leads(3);
		const expected = sample.map((lead) => bodyFor(template, lead.phone)).sort();
		for (const [key, workflow] of Object.entries({
			node: workflows.node[10],
			http: workflows.http,
		})) {
			emulator.reset();
			await n8n.run(workflow, sample);
			const received = emulator.requests.map((r) => r.rawBody).sort();
			if (JSON.stringify(received) !== JSON.stringify(expected))
				throw new Error(
					`the ${key} bodies differ from the fetch loop's:\n${received[0]}\n${expected[0]}`,
				);
		}
		log('the Samespace node, the HTTP Request node and the fetch loop send byte-identical bodies');
		// Warm-up: n8n compiles the node, the expression engine and the database paths on first use.
		for (const workflow of [workflows.node[10], workflows.node[1], workflows.http]) {
			emulator.reset();
			await n8n.run(workflow, leads(200));
		}

		const throughputRows = await throughput(n8n, emulator, workflows, template);
		const rateRows = THROUGHPUT_ONLY ? [] : await rateLimited(n8n, emulator, workflows);
		const profile = await profiled(n8n, emulator, workflows);
		const report = renderReport({
			when: new Date(),
			seconds: (Date.now() - started) / 1000,
			cpu: `${os.cpus()[0]?.model.trim() ?? 'unknown CPU'} (${os.cpus().length} cores)`,
			platform: `${os.type()} ${os.release()} ${os.arch()}`,
			n8nVersion: N8N_VERSION,
			nodeVersion: spawnSync(NODE_BIN, ['--version'], { encoding: 'utf8' }).stdout.trim(),
			load: [loadAtStart, os.loadavg()[0]],
			throughput: throughputRows,
			rateLimited: rateRows,
			validation,
			profile,
		});
		console.log(`\n${report}`);
		if (QUICK || THROUGHPUT_ONLY) log('BENCHMARKS.md left as it was (a partial run)');
		else log(`written to ${path.relative(ROOT, writeBenchmarksFile(report))}`);
	} catch (error) {
		console.error(`n8n's last log lines:\n${n8n.server.logs.slice(-30).join('\n')}`);
		throw error;
	} finally {
		await n8n.stop();
		await emulator.close();
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
