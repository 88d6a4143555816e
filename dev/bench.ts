/**
 * `npm run bench`: how fast the Samespace node is, each figure as a ratio to a baseline measured in
 * the same run on the same machine, so that machine noise cancels. Not part of `npm test`.
 *
 * 1. Node vs the limit: N items through the node in n8n's real engine (`WorkflowExecute`, via
 *    dev/engine.ts) against the emulator, versus a plain loop that POSTs the very same bodies with
 *    Node's own `fetch` (undici) at the same concurrency. Rounds are interleaved and rotated; the
 *    ratio node/limit is the time ratio (1.00 = as fast as the limit), median of the rounds.
 * 2. Validation and building: flows of 10, 100 and 1,000 steps, from the step list and from JSON
 *    text, versus `JSON.stringify` of the same request body.
 * 3. Memory: peak heap/RSS growth while 10,000 items run, per item, beyond the output itself
 *    (measured in a fresh child process).
 *
 * The emulator runs in a child process (dev/emulator-process.ts) so that it does not compete with
 * the measured code for the event loop. The figures are printed as a table and written to
 * BENCHMARKS.md (between the `bench:results` markers; the rest of the file is kept).
 *
 * Other modes (for profiling):
 *   node build/dev/bench.js --profile [--items=2000] [--concurrency=10] [--variant=shipped]
 *       runs one measured execution under the V8 CPU profiler (the one `node --cpu-prof` uses),
 *       writes the .cpuprofile and prints where the time went.
 *   node build/dev/bench.js --analyze FILE.cpuprofile [--frames=REGEX]
 *       summarizes any CPU profile (e.g. from `node --cpu-prof`) the same way; --frames adds the
 *       inclusive time of every function whose "name file:line" matches REGEX.
 *   node --expose-gc build/dev/bench.js --validation
 *       phase 2 alone (validation and building), printed, BENCHMARKS.md untouched.
 *   node build/dev/bench.js --profile-validation [--steps=1000]
 *       direct timings of the parts of checking a large flow, then its CPU profile.
 *   node build/dev/bench.js --profile-alloc [--items=2000] [--variant=shipped]
 *       bytes allocated per item during one execution, by package and by function.
 *   Variants: shipped, fixedPhone, fnAuth, fnAuthFixed (see nodeVariants).
 *   node --expose-gc build/dev/bench.js --quick          a short smoke run (not for the record).
 *
 * Progress goes to stderr, the table to stdout.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { Session } from 'node:inspector';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { INodeExecutionData } from 'n8n-workflow';

import { SamespaceEmulator } from './emulator';
import { EmulatorProcess } from './emulator-process';
import { chain, itemsNode, runWorkflow, type WorkflowRunResult } from './engine';
import { REPO_ROOT, samespaceNode } from './examples';

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: string) => {
	const found = args.find((arg) => arg.startsWith(`--${name}=`));
	return found ? found.slice(name.length + 3) : fallback;
};
const QUICK = flag('quick');

const CLOUD_ID = 'bench-cloud';
const AUTH_TOKEN = 'tok_bench_5d2c9e1f7a3b4c6d8e0f1a2b3c4d5e6f';
const CALLER_ID = '14155550100';
const FIXED_PHONE = '14155550123';

/** Throughput: [items, concurrency, rounds]. Rounds of 1,000 items run every variant; 10,000 only shipped + limit. */
const SMALL_ITEMS = QUICK ? 300 : 1000;
const SMALL_ROUNDS = QUICK ? 2 : 5;
const LARGE_ITEMS = QUICK ? 1000 : 10_000;
const LARGE_ROUNDS = QUICK ? 1 : 2;
const CONCURRENCIES = [1, 10];
const MEMORY_ITEMS = QUICK ? 2000 : 10_000;
const MEMORY_CONCURRENCY = 10;
const FLOW_SIZES = [10, 100, 1000];
const VALIDATION_ROUNDS = QUICK ? 3 : 7;

const TARGET_NODE_VS_LIMIT = 1.15;
const TARGET_VALIDATION_VS_STRINGIFY = 20;
const TARGET_BYTES_PER_ITEM = 2048;

const DIST = path.join(REPO_ROOT, 'dist');
const started = performance.now();
const loadAtStart = os.loadavg()[0];
const log = (message: string) =>
	process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);

// ---------------------------------------------------------------------------------------------
// The node's own building and checking, from the BUILT package (what ships)
// ---------------------------------------------------------------------------------------------

type ItemFlow =
	| { ok: true; record: boolean; flow: unknown[]; warnings: string[] }
	| { ok: false; message: string; description: string; problems: string[]; warnings: string[] };

interface ShippedCode {
	checkItemFlow(source: 'steps' | 'json', parameter: unknown, record: boolean): ItemFlow;
	buildFlowFromStepList(entries: readonly unknown[]): { steps: unknown[]; errors: unknown[] };
	checkFlow(raw: unknown): { flow?: unknown[]; errors: unknown[]; warnings: unknown[] };
}

function loadShippedCode(): ShippedCode {
	const load = (file: string) => {
		const full = path.join(DIST, 'nodes', 'Samespace', file);
		if (!fs.existsSync(full)) throw new Error(`${full} not found: run \`npm run build\` first (npm run bench does)`);
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		return require(full);
	};
	return {
		checkItemFlow: load('execute/prepare.js').checkItemFlow,
		buildFlowFromStepList: load('flow/step-list.js').buildFlowFromStepList,
		checkFlow: load('flow/check.js').checkFlow,
	};
}

// ---------------------------------------------------------------------------------------------
// The workflow: items -> Samespace (call {{ $json.phone }}, play, connect)
// ---------------------------------------------------------------------------------------------

const PHONE_EXPRESSION = '={{ $json.phone }}';

const stepList = (number: string) => [
	{ type: 'call', number, callerId: CALLER_ID },
	{ type: 'play', text: 'Hello from Acme. This is a reminder of your appointment tomorrow.' },
	{ type: 'connect', number: '5263', callerId: CALLER_ID },
];

const leads = (count: number) =>
	Array.from({ length: count }, (_v, index) => ({ phone: `1415${String(5_000_000 + index).padStart(7, '0')}` }));

/** What the node is measured in: the package as built, or a diagnostic copy of it. */
interface NodeVariant {
	key: string;
	label: string;
	packageDir: string;
	/** The Samespace node's phone parameter: the per-item expression, or a fixed number. */
	phone: string;
}

/**
 * A temporary copy of the built package whose credential uses the FUNCTION form of `authenticate`
 * (same body fields, same values) instead of the generic `={{$credentials...}}` expressions. A
 * diagnostic only: it isolates what the credential's expressions cost per request.
 */
function functionAuthPackage(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samespace-bench-fnauth-'));
	process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
	fs.cpSync(DIST, path.join(dir, 'dist'), { recursive: true });
	fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(dir, 'package.json'));
	fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
	const credential = path.join(dir, 'dist', 'credentials', 'SamespaceApi.credentials.js');
	fs.renameSync(credential, credential.replace(/\.js$/, '.generic.js'));
	fs.writeFileSync(
		credential,
		`"use strict";
// Benchmark diagnostic: the shipped credential with a function-form authenticate.
const generic = require('./SamespaceApi.credentials.generic.js');
class SamespaceApi extends generic.SamespaceApi {
	constructor() {
		super();
		this.authenticate = async (credentials, requestOptions) => {
			requestOptions.body = requestOptions.body || {};
			requestOptions.body.cloud_id = credentials.cloudId ? String(credentials.cloudId) : '';
			requestOptions.body.auth_token = credentials.authToken ? String(credentials.authToken) : '';
			return requestOptions;
		};
	}
}
module.exports = { ...generic, SamespaceApi };
`,
	);
	return dir;
}

function nodeVariants(withDiagnostics: boolean): NodeVariant[] {
	const shipped: NodeVariant[] = [
		{ key: 'shipped', label: 'node (as shipped: phone = {{ $json.phone }})', packageDir: REPO_ROOT, phone: PHONE_EXPRESSION },
		{ key: 'fixedPhone', label: 'node, phone fixed (no parameter expression)', packageDir: REPO_ROOT, phone: FIXED_PHONE },
	];
	if (!withDiagnostics) return shipped;
	const fnAuth = functionAuthPackage();
	return [
		...shipped,
		{ key: 'fnAuth', label: 'diag: credential with function authenticate', packageDir: fnAuth, phone: PHONE_EXPRESSION },
		{ key: 'fnAuthFixed', label: 'diag: function authenticate + phone fixed', packageDir: fnAuth, phone: FIXED_PHONE },
	];
}

async function runNode(
	variant: NodeVariant,
	baseUrl: string,
	items: Array<Record<string, unknown>>,
	concurrency: number,
): Promise<{ ms: number; result: WorkflowRunResult }> {
	const nodes = [itemsNode('CRM', items), samespaceNode({ steps: { step: stepList(variant.phone) }, options: { concurrency } })];
	const connections = chain('CRM', 'Samespace');
	const credentials = { samespaceApi: { cloudId: CLOUD_ID, authToken: AUTH_TOKEN, baseUrl } };
	const t0 = performance.now();
	const result = await runWorkflow({ packageDir: variant.packageDir, nodes, connections, credentials });
	const ms = performance.now() - t0;
	const out = result.outputs.Samespace ?? [];
	if (result.error || out.length !== items.length || out.some((item) => typeof item.json.call_id !== 'string')) {
		throw new Error(
			`node run (${variant.key}, ${items.length} items) did not place every call: ${result.error?.message ?? ''} ${result.error?.description ?? ''} ` +
				JSON.stringify(out.find((item) => typeof item.json.call_id !== 'string')?.json ?? {}),
		);
	}
	return { ms, result };
}

// ---------------------------------------------------------------------------------------------
// The limit: a plain loop that POSTs the same bodies at the same concurrency
// ---------------------------------------------------------------------------------------------

/** The request bodies the node sends for these items, built by the node's own (built) code. */
function requestBodies(code: ShippedCode, items: Array<{ phone: string }>, phone: string): object[] {
	return items.map((item) => {
		const checked = code.checkItemFlow('steps', stepList(phone === PHONE_EXPRESSION ? item.phone : phone), false);
		if (!checked.ok) throw new Error(`bench flow is invalid: ${checked.message}`);
		// Key order as the node sends it: its body, then the credential's fields.
		return { record: checked.record, flow: checked.flow, cloud_id: CLOUD_ID, auth_token: AUTH_TOKEN };
	});
}

async function pool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < count) await task(next++);
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

function expectAccepted(text: string): void {
	const answer = JSON.parse(text) as { success?: boolean; call_id?: string };
	if (answer.success !== true || typeof answer.call_id !== 'string') throw new Error(`limit request not accepted: ${text}`);
}

/** `fetch` (undici; keeps connections alive), body serialized per request, answer parsed. */
async function runLimitFetch(url: string, bodies: object[], concurrency: number): Promise<number> {
	const t0 = performance.now();
	await pool(bodies.length, concurrency, async (index) => {
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', accept: 'application/json' },
			body: JSON.stringify(bodies[index]),
		});
		expectAccepted(await response.text());
	});
	return performance.now() - t0;
}

/** `http.request` with a new connection per request (no keep-alive), as a diagnostic. */
async function runLimitHttpClose(url: string, bodies: object[], concurrency: number): Promise<number> {
	const t0 = performance.now();
	await pool(bodies.length, concurrency, async (index) => {
		const payload = JSON.stringify(bodies[index]);
		const text = await new Promise<string>((resolve, reject) => {
			const request = http.request(
				url,
				{
					method: 'POST',
					agent: false,
					headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(payload) },
				},
				(response) => {
					const chunks: Buffer[] = [];
					response.on('data', (chunk: Buffer) => chunks.push(chunk));
					response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
					response.on('error', reject);
				},
			);
			request.on('error', reject);
			request.end(payload);
		});
		expectAccepted(text);
	});
	return performance.now() - t0;
}

/** Checks, against an in-process recording emulator, that the limit's bodies are byte-for-byte the node's. */
async function verifySameBodies(code: ShippedCode, variants: NodeVariant[]): Promise<void> {
	const recorder = await SamespaceEmulator.start({ cloudId: CLOUD_ID, authToken: AUTH_TOKEN, record: 'all' });
	try {
		const items = leads(5);
		for (const variant of variants) {
			recorder.reset();
			await runNode(variant, recorder.baseUrl, items, 1);
			const sent = recorder.requests.map((request) => JSON.stringify(request.body));
			const ours = requestBodies(code, items, variant.phone).map((body) => JSON.stringify(body));
			if (sent.length !== ours.length || sent.some((body, index) => body !== ours[index])) {
				throw new Error(`the limit loop's bodies differ from the node's (${variant.key}):\nnode:  ${sent[0]}\nlimit: ${ours[0]}`);
			}
		}
	} finally {
		await recorder.close();
	}
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting
// ---------------------------------------------------------------------------------------------

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const fmt = (value: number, digits = 0) =>
	value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const fmtBytes = (bytes: number) =>
	Math.abs(bytes) >= 1024 * 1024 ? `${fmt(bytes / 1024 / 1024, 1)} MiB` : Math.abs(bytes) >= 1024 ? `${fmt(bytes / 1024, 2)} KiB` : `${fmt(bytes)} B`;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

function table(header: string[], rows: string[][], align: Array<'l' | 'r'>): string {
	const lines = [
		`| ${header.join(' | ')} |`,
		`|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`,
		...rows.map((row) => `| ${row.join(' | ')} |`),
	];
	return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// 1. Throughput: node vs the limit
// ---------------------------------------------------------------------------------------------

interface Runner {
	key: string;
	label: string;
	kind: 'node' | 'limit';
	run: () => Promise<number>;
}

interface ThroughputRow {
	items: number;
	concurrency: number;
	key: string;
	label: string;
	kind: 'node' | 'limit';
	ms: number[];
	/** Per round, this run's time / the fetch limit's time in the same round. */
	ratios: number[];
	/** Per round, CPU time of the bench process (all its threads) during the run, ms. */
	cpuMs: number[];
	/** Per round, this run's CPU time / the fetch limit's CPU time in the same round. */
	cpuRatios: number[];
	connectionsPerRequest: number;
	emulatorCpuMsPerRequest: number;
	peakConcurrency: number;
}

async function measureThroughput(
	emulator: EmulatorProcess,
	code: ShippedCode,
	variants: NodeVariant[],
	itemsCount: number,
	concurrency: number,
	rounds: number,
): Promise<ThroughputRow[]> {
	const items = leads(itemsCount);
	const url = emulator.callFlowUrl;
	const bodiesByPhone = new Map<string, object[]>();
	const bodies = (phone: string) => {
		let list = bodiesByPhone.get(phone);
		if (!list) bodiesByPhone.set(phone, (list = requestBodies(code, items, phone)));
		return list;
	};
	const runners: Runner[] = [
		...variants.map(
			(variant): Runner => ({
				key: variant.key,
				label: variant.label,
				kind: 'node',
				run: async () => (await runNode(variant, emulator.baseUrl, items, concurrency)).ms,
			}),
		),
		{ key: 'limitFetch', label: 'limit: fetch (keep-alive), same bodies', kind: 'limit', run: () => runLimitFetch(url, bodies(PHONE_EXPRESSION), concurrency) },
	];
	if (variants.length > 2) {
		runners.push({
			key: 'limitHttpClose',
			label: 'diag: http.request, new connection per request',
			kind: 'limit',
			run: () => runLimitHttpClose(url, bodies(PHONE_EXPRESSION), concurrency),
		});
	}
	const rows = new Map<string, ThroughputRow>(
		runners.map((runner) => [
			runner.key,
			{ items: itemsCount, concurrency, key: runner.key, label: runner.label, kind: runner.kind, ms: [], ratios: [], cpuMs: [], cpuRatios: [], connectionsPerRequest: 0, emulatorCpuMsPerRequest: 0, peakConcurrency: 0 },
		]),
	);
	const connections = new Map<string, number[]>();
	const cpu = new Map<string, number[]>();
	for (let round = 0; round < rounds; round++) {
		// Rotate the order each round (A B C D, B C D A, ...) so no runner always goes first.
		const order = runners.map((_r, index) => runners[(index + round) % runners.length]);
		const roundMs = new Map<string, number>();
		const roundCpu = new Map<string, number>();
		for (const runner of order) {
			global.gc?.();
			await emulator.reset();
			const cpuBefore = process.cpuUsage();
			const ms = await runner.run();
			const cpuUsed = process.cpuUsage(cpuBefore);
			const cpuMs = (cpuUsed.user + cpuUsed.system) / 1000;
			const stats = await emulator.stats();
			if (stats.counters.accepted !== itemsCount) throw new Error(`${runner.key}: emulator accepted ${stats.counters.accepted} of ${itemsCount}`);
			const row = rows.get(runner.key) as ThroughputRow;
			row.ms.push(ms);
			row.cpuMs.push(cpuMs);
			roundCpu.set(runner.key, cpuMs);
			row.peakConcurrency = Math.max(row.peakConcurrency, stats.peakConcurrency);
			connections.set(runner.key, [...(connections.get(runner.key) ?? []), stats.connections / itemsCount]);
			cpu.set(runner.key, [...(cpu.get(runner.key) ?? []), stats.cpuMs / itemsCount]);
			roundMs.set(runner.key, ms);
			log(
				`  ${itemsCount} items, concurrency ${concurrency}, round ${round + 1}/${rounds}: ${runner.key.padEnd(14)} ${fmt(ms).padStart(7)} ms ` +
					`(${fmt((itemsCount / ms) * 1000)} items/s), CPU ${fmt(cpuMs).padStart(6)} ms`,
			);
		}
		for (const runner of runners) {
			const row = rows.get(runner.key) as ThroughputRow;
			row.ratios.push((roundMs.get(runner.key) as number) / (roundMs.get('limitFetch') as number));
			row.cpuRatios.push((roundCpu.get(runner.key) as number) / (roundCpu.get('limitFetch') as number));
		}
	}
	for (const row of rows.values()) {
		row.connectionsPerRequest = median(connections.get(row.key) ?? [0]);
		row.emulatorCpuMsPerRequest = median(cpu.get(row.key) ?? [0]);
	}
	return [...rows.values()];
}

// ---------------------------------------------------------------------------------------------
// 2. Validation and building vs JSON.stringify
// ---------------------------------------------------------------------------------------------

/** A valid step list of `size` steps: a call, then menus (play, digits, http, play) ..., then a connect. */
function largeStepList(size: number): Array<Record<string, unknown>> {
	const entries: Array<Record<string, unknown>> = [{ type: 'call', number: FIXED_PHONE, callerId: CALLER_ID }];
	let menu = 0;
	while (entries.length < size - 1) {
		switch ((entries.length - 1) % 4) {
			case 0:
				entries.push({ type: 'play', text: `Menu ${menu}: press 1 for sales or 2 for support.` });
				break;
			case 1:
				entries.push({
					type: 'digits',
					count: 1,
					variable: `choice_${menu}`,
				});
				break;
			case 2:
				entries.push({ type: 'http', url: `https://crm.example.com/api/leads?choice={{choice_${menu}}}`, method: 'POST' });
				break;
			default:
				entries.push({ type: 'play', audioUrl: 'https://cdn.example.com/audio/hold.mp3' });
				menu++;
		}
	}
	entries.push({ type: 'connect', number: '5263', callerId: CALLER_ID });
	// Both keys of each menu go to the step after it, by name, as the editor asks (a position
	// number would get a warning).
	entries.forEach((entry, index) => {
		if (entry.type !== 'digits') return;
		const target = `after_${index + 1}`;
		entries[index + 1].stepId = target;
		entry.routes = { route: [{ key: '1', step: target }, { key: '2', step: target }] };
	});
	return entries;
}

/** Keeps results alive so the optimizer cannot drop the measured calls. */
const sink: { value: unknown } = { value: undefined };

/** Microseconds per call of `fn`, timing a batch of at least `minMs`. */
function microsPerCall(fn: () => unknown, minMs: number): number {
	let reps = 1;
	for (;;) {
		const t0 = performance.now();
		for (let i = 0; i < reps; i++) sink.value = fn();
		const dt = performance.now() - t0;
		if (dt >= minMs) return (dt * 1000) / reps;
		reps = Math.max(reps * 2, Math.ceil((reps * minMs * 1.2) / Math.max(dt, 0.05)));
	}
}

interface ValidationRow {
	steps: number;
	payloadBytes: number;
	stringifyUs: number;
	buildUs: number;
	fromStepsUs: number;
	fromJsonUs: number;
	stepsRatio: number;
	jsonRatio: number;
}

function measureValidation(code: ShippedCode): ValidationRow[] {
	const rows: ValidationRow[] = [];
	for (const size of FLOW_SIZES) {
		const entries = largeStepList(size);
		const fromSteps = code.checkItemFlow('steps', entries, false);
		if (!fromSteps.ok) throw new Error(`the ${size}-step bench flow is invalid: ${fromSteps.description}`);
		if (fromSteps.flow.length !== size) throw new Error(`the ${size}-step bench flow has ${fromSteps.flow.length} steps`);
		if (fromSteps.warnings.length > 0) throw new Error(`the ${size}-step bench flow has warnings: ${fromSteps.warnings[0]}`);
		const payload = { record: false, flow: fromSteps.flow, cloud_id: CLOUD_ID, auth_token: AUTH_TOKEN };
		const jsonText = JSON.stringify(fromSteps.flow);
		const fromJson = code.checkItemFlow('json', jsonText, false);
		if (!fromJson.ok || JSON.stringify(fromJson.flow) !== jsonText) throw new Error(`the ${size}-step flow does not read back from JSON`);

		const minMs = QUICK ? 20 : 60;
		const ops = {
			stringify: () => JSON.stringify(payload),
			build: () => code.buildFlowFromStepList(entries),
			fromSteps: () => code.checkItemFlow('steps', entries, false),
			fromJson: () => code.checkItemFlow('json', jsonText, false),
		};
		const samples: Record<keyof typeof ops, number[]> = { stringify: [], build: [], fromSteps: [], fromJson: [] };
		const stepsRatios: number[] = [];
		const jsonRatios: number[] = [];
		for (const op of Object.values(ops)) microsPerCall(op, 10); // warm up
		for (let round = 0; round < VALIDATION_ROUNDS; round++) {
			const keys = Object.keys(ops) as Array<keyof typeof ops>;
			const order = keys.map((_k, index) => keys[(index + round) % keys.length]);
			const us: Partial<Record<keyof typeof ops, number>> = {};
			for (const key of order) {
				us[key] = microsPerCall(ops[key], minMs);
				samples[key].push(us[key] as number);
			}
			stepsRatios.push((us.fromSteps as number) / (us.stringify as number));
			jsonRatios.push((us.fromJson as number) / (us.stringify as number));
		}
		rows.push({
			steps: size,
			payloadBytes: Buffer.byteLength(JSON.stringify(payload)),
			stringifyUs: median(samples.stringify),
			buildUs: median(samples.build),
			fromStepsUs: median(samples.fromSteps),
			fromJsonUs: median(samples.fromJson),
			stepsRatio: median(stepsRatios),
			jsonRatio: median(jsonRatios),
		});
		log(`  ${size} steps: stringify ${fmt(median(samples.stringify), 1)} µs, step list ${fmt(median(samples.fromSteps), 1)} µs, JSON ${fmt(median(samples.fromJson), 1)} µs`);
	}
	return rows;
}

// ---------------------------------------------------------------------------------------------
// 3. Memory (in a fresh child process, so earlier phases do not inflate the heap or RSS)
// ---------------------------------------------------------------------------------------------

interface MemoryResult {
	items: number;
	concurrency: number;
	ms: number;
	/** Highest heapUsed seen (sampled every 5 ms) minus heapUsed before the run: live data plus garbage not yet collected. */
	peakHeapGrowth: number;
	peakRssGrowth: number;
	/** Same run repeated with a full GC every second, heapUsed read right after each: the live data only. */
	peakLiveHeapGrowth: number;
	/** Heap retained by the Samespace node's output items alone (after GC). */
	outputRetained: number;
	/** Heap retained by the whole run result (both nodes' run data, after GC). */
	resultRetained: number;
	/** Heap still held after the result was dropped (should be about 0: nothing leaks). */
	leftAfterRun: number;
	/** Output items' JSON size, for comparison. */
	outputJsonBytes: number;
}

async function memoryChild(baseUrl: string): Promise<MemoryResult> {
	const gc = global.gc;
	if (!gc) throw new Error('the memory phase needs --expose-gc');
	const variant = nodeVariants(false)[0];
	const items = leads(MEMORY_ITEMS);
	// Warm up: load n8n-core and the package, JIT the hot paths.
	for (let i = 0; i < 2; i++) await runNode(variant, baseUrl, leads(500), MEMORY_CONCURRENCY);
	const settle = async () => {
		for (let i = 0; i < 3; i++) {
			gc();
			await new Promise((resolve) => setImmediate(resolve));
		}
		return process.memoryUsage();
	};

	// Run 1: the raw peak, as the process really grows (no forced GC).
	const before = await settle();
	let peakHeap = before.heapUsed;
	let peakRss = before.rss;
	const sample = () => {
		const usage = process.memoryUsage();
		if (usage.heapUsed > peakHeap) peakHeap = usage.heapUsed;
		if (usage.rss > peakRss) peakRss = usage.rss;
	};
	const sampler = setInterval(sample, 5);
	const { ms } = await runNode(variant, baseUrl, items, MEMORY_CONCURRENCY);
	clearInterval(sampler);
	sample();

	// Run 2: the live data only (a full GC before each reading).
	const beforeLive = (await settle()).heapUsed;
	let peakLive = beforeLive;
	const liveSampler = setInterval(() => {
		gc();
		peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
	}, 1000);
	let run: { ms: number; result: WorkflowRunResult } | undefined = await runNode(variant, baseUrl, items, MEMORY_CONCURRENCY);
	clearInterval(liveSampler);

	const withResult = (await settle()).heapUsed;
	let output: INodeExecutionData[] | undefined = run.result.outputs.Samespace;
	const outputJsonBytes = Buffer.byteLength(JSON.stringify(output));
	run = undefined;
	const withOutputOnly = (await settle()).heapUsed;
	if (output.length !== MEMORY_ITEMS) throw new Error('memory run lost items');
	output = undefined;
	const after = (await settle()).heapUsed;
	return {
		items: MEMORY_ITEMS,
		concurrency: MEMORY_CONCURRENCY,
		ms,
		peakHeapGrowth: peakHeap - before.heapUsed,
		peakRssGrowth: peakRss - before.rss,
		peakLiveHeapGrowth: Math.max(peakLive, withResult) - beforeLive,
		outputRetained: withOutputOnly - after,
		resultRetained: withResult - after,
		leftAfterRun: after - before.heapUsed,
		outputJsonBytes,
	};
}

async function measureMemory(baseUrl: string): Promise<MemoryResult> {
	const child = fork(__filename, ['--memory-child', `--base-url=${baseUrl}`, ...(QUICK ? ['--quick'] : [])], {
		execArgv: ['--expose-gc'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	return await new Promise<MemoryResult>((resolve, reject) => {
		child.once('message', (message: { result?: MemoryResult; error?: string }) =>
			message.result ? resolve(message.result) : reject(new Error(message.error)),
		);
		child.once('exit', (code) => reject(new Error(`the memory child exited (code ${code}) without a result`)));
	});
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

interface Report {
	date: string;
	node: string;
	cpu: string;
	cores: number;
	platform: string;
	/** 1-minute load average at the start and at the end (the machine is shared). */
	load: [number, number];
	durationS: number;
	throughput: ThroughputRow[];
	validation: ValidationRow[];
	memory: MemoryResult;
}

function renderReport(report: Report): string {
	const out: string[] = [];
	out.push(
		`Measured ${report.date} on ${report.cpu} (${report.cores} cores), ${report.platform}, Node ${report.node}; ` +
			`the bench took ${fmt(report.durationS)} s; 1-minute load average ${fmt(report.load[0], 1)} at the start, ${fmt(report.load[1], 1)} at the end.`,
	);
	out.push('Reproduce: `npm run bench` (builds, then `node --expose-gc build/dev/bench.js`).');
	out.push('');
	out.push('### 1. Node vs the limit');
	out.push('');
	out.push(
		"Wall clock: items per second and µs per item (median of the rounds); **ratio node/limit** = the run's time / the fetch limit's time in the same round (median). " +
			"CPU: CPU time of the bench process during the run (all threads, emulator excluded) per item, and the same ratio on CPU time (a second view: other jobs disturb it differently from wall time).",
	);
	out.push('');
	const rows = report.throughput.map((row) => {
		const ips = (row.items / median(row.ms)) * 1000;
		const target = row.key === 'shipped' && row.items === SMALL_ITEMS ? ` (target <= ${TARGET_NODE_VS_LIMIT}: ${verdict(median(row.ratios) <= TARGET_NODE_VS_LIMIT)})` : '';
		return [
			fmt(row.items),
			String(row.concurrency),
			row.label,
			fmt(ips),
			fmt((median(row.ms) / row.items) * 1000, 0),
			row.key === 'limitFetch' ? '1.00' : `**${fmt(median(row.ratios), 2)}**${target}`,
			fmt((median(row.cpuMs) / row.items) * 1000, 0),
			row.key === 'limitFetch' ? '1.00' : fmt(median(row.cpuRatios), 2),
			fmt(row.connectionsPerRequest, 2),
			fmt(row.emulatorCpuMsPerRequest * 1000, 0),
			String(row.ms.length),
		];
	});
	out.push(
		table(
			['items', 'conc.', 'run', 'items/s', 'µs/item', 'ratio node/limit', 'CPU µs/item', 'CPU ratio', 'TCP conn./request', 'emulator CPU µs/request', 'rounds'],
			rows,
			['r', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
		),
	);
	out.push('');
	out.push('### 2. Validation and building vs `JSON.stringify` of the same request body (µs per flow, median)');
	out.push('');
	out.push(
		table(
			['steps', 'body', 'JSON.stringify', 'build from step list', 'step list: build + check', 'ratio', 'JSON text: parse + check', 'ratio'],
			report.validation.map((row) => [
				fmt(row.steps),
				fmtBytes(row.payloadBytes),
				fmt(row.stringifyUs, 1),
				fmt(row.buildUs, 1),
				fmt(row.fromStepsUs, 1),
				`${fmt(row.stepsRatio, 1)}x${row.steps === 1000 ? ` (target < ${TARGET_VALIDATION_VS_STRINGIFY}x: ${verdict(row.stepsRatio < TARGET_VALIDATION_VS_STRINGIFY)})` : ''}`,
				fmt(row.fromJsonUs, 1),
				`${fmt(row.jsonRatio, 1)}x${row.steps === 1000 ? ` (target < ${TARGET_VALIDATION_VS_STRINGIFY}x: ${verdict(row.jsonRatio < TARGET_VALIDATION_VS_STRINGIFY)})` : ''}`,
			]),
			['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
		),
	);
	out.push('');
	const m = report.memory;
	const perItem = (bytes: number) => bytes / m.items;
	const liveBeyond = perItem(m.peakLiveHeapGrowth - m.outputRetained);
	const rawBeyond = perItem(m.peakHeapGrowth - m.outputRetained);
	out.push(`### 3. Memory: ${fmt(m.items)} items, concurrency ${m.concurrency}, fresh process (${fmt(m.ms)} ms)`);
	out.push('');
	out.push(
		table(
			['measure', 'total', 'per item'],
			[
				['peak heap growth (sampled every 5 ms; live data + garbage not yet collected)', fmtBytes(m.peakHeapGrowth), fmtBytes(perItem(m.peakHeapGrowth))],
				['peak RSS growth', fmtBytes(m.peakRssGrowth), fmtBytes(perItem(m.peakRssGrowth))],
				['peak live heap growth (second run: full GC before each reading, every second)', fmtBytes(m.peakLiveHeapGrowth), fmtBytes(perItem(m.peakLiveHeapGrowth))],
				["heap retained by the node's output items (after GC)", fmtBytes(m.outputRetained), fmtBytes(perItem(m.outputRetained))],
				['  (their JSON size)', fmtBytes(m.outputJsonBytes), fmtBytes(perItem(m.outputJsonBytes))],
				['heap retained by the whole run result (input + output run data)', fmtBytes(m.resultRetained), fmtBytes(perItem(m.resultRetained))],
				[
					'**live heap beyond the output itself**',
					fmtBytes(m.peakLiveHeapGrowth - m.outputRetained),
					`**${fmtBytes(liveBeyond)}** (target < 2 KiB: ${verdict(liveBeyond < TARGET_BYTES_PER_ITEM)})`,
				],
				['raw peak heap beyond the output itself', fmtBytes(m.peakHeapGrowth - m.outputRetained), `${fmtBytes(rawBeyond)} (target < 2 KiB: ${verdict(rawBeyond < TARGET_BYTES_PER_ITEM)})`],
				['heap left after the result is dropped (leak check)', fmtBytes(m.leftAfterRun), fmtBytes(perItem(m.leftAfterRun))],
			],
			['l', 'r', 'r'],
		),
	);
	return out.join('\n');
}

const START_MARKER = '<!-- bench:results:start (written by `npm run bench`; edit outside the markers) -->';
const END_MARKER = '<!-- bench:results:end -->';

function writeBenchmarksFile(rendered: string): string {
	const file = path.join(REPO_ROOT, 'BENCHMARKS.md');
	const block = `${START_MARKER}\n${rendered}\n${END_MARKER}`;
	let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
	const start = text.indexOf(START_MARKER);
	const end = text.indexOf(END_MARKER);
	if (start >= 0 && end > start) text = text.slice(0, start) + block + text.slice(end + END_MARKER.length);
	else text = `# Benchmarks\n\n## Latest results\n\n${block}\n${text ? `\n${text}` : ''}`;
	fs.writeFileSync(file, text);
	return file;
}

// ---------------------------------------------------------------------------------------------
// Profiling: one measured execution under the V8 CPU profiler, and a summary of any .cpuprofile
// ---------------------------------------------------------------------------------------------

interface CpuProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface CpuProfile {
	nodes: CpuProfileNode[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

function packageOf(url: string): string {
	if (url === '') return '(V8 / native)';
	if (url.startsWith('node:')) return 'node: internals';
	const normalized = url.replace(/^file:\/\//, '');
	const marker = normalized.lastIndexOf('/node_modules/');
	if (marker >= 0) {
		const parts = normalized.slice(marker + '/node_modules/'.length).split('/');
		return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
	}
	if (/\/dist\/(nodes|credentials)\//.test(normalized)) return 'n8n-nodes-samespace (the node)';
	if (normalized.includes('/build/dev/')) return 'bench harness (dev/)';
	return normalized;
}

/** Inclusive-time buckets: a sample counts toward every bucket one of whose frames is on its stack. */
const INCLUSIVE_BUCKETS: Array<{ label: string; match: (frame: CpuProfileNode['callFrame']) => boolean }> = [
	{ label: 'node: prepareItem (read parameters + build + validate, per item)', match: (f) => f.functionName === 'prepareItem' },
	{ label: '  of which n8n getNodeParameter (resolves the step list, incl. {{ $json.phone }})', match: (f) => /getNodeParameter$/.test(f.functionName) && /n8n-core/.test(f.url) },
	{ label: '  of which node: checkItemFlow (step list build + zod check)', match: (f) => f.functionName === 'checkItemFlow' },
	{ label: 'n8n: httpRequestWithAuthentication (credential, authenticate, axios)', match: (f) => f.functionName === 'httpRequestWithAuthentication' },
	{ label: '  of which getCredentials (per request: load, defaults, expression pass)', match: (f) => /(^|\.)getCredentials$/.test(f.functionName) && /n8n-core/.test(f.url) },
	{ label: "  of which authenticate: the generic authenticate's 2 expressions", match: (f) => f.functionName === 'resolveCredentialValue' },

	{ label: 'n8n-workflow expression evaluation (any caller)', match: (f) => /n8n-workflow\/dist\/cjs\/(workflow-)?expression\.js/.test(f.url) && /^(getParameterValue|getSimpleParameterValue|resolveSimpleParameterValue)$/.test(f.functionName) },
	{ label: '  of which initializeGlobalContext (per evaluation: $now, $today, ...)', match: (f) => f.functionName === 'initializeGlobalContext' },
	{ label: '  of which luxon (DateTime for $now / $today)', match: (f) => /\/node_modules\/luxon\//.test(f.url) },
	{ label: 'axios + follow-redirects (any frame: request, response, redirects)', match: (f) => /\/node_modules\/(axios|follow-redirects)\//.test(f.url) },
	{ label: 'zod (any frame)', match: (f) => /\/node_modules\/zod\//.test(f.url) },
	{ label: 'TCP connect (native)', match: (f) => f.functionName === 'connect' && f.url === '' },
	{ label: 'node: sendOnce (its own frames and what runs synchronously under them)', match: (f) => f.functionName === 'sendOnce' },
	{ label: 'node: dispatch worker', match: (f) => f.functionName === 'worker' && /transport\/dispatch/.test(f.url) },
	{ label: 'harness items trigger (JSON.parse of the input)', match: (f) => f.functionName === 'manualTriggerFunction' },
];

export function summarizeProfile(profile: CpuProfile, top = 30, frames?: RegExp): string {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const self = new Map<number, number>();
	let total = 0;
	for (let i = 0; i < profile.samples.length; i++) {
		const dt = profile.timeDeltas[i + 1] ?? 0;
		self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
		total += dt;
	}
	const idle = [...self].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((sum, [, t]) => sum + t, 0);
	const busy = total - idle;
	const pct = (t: number) => `${fmt((t / busy) * 100, 1).padStart(5)}%`;
	const ms = (t: number) => `${fmt(t / 1000, 0).padStart(6)} ms`;

	const lines: string[] = [];
	lines.push(`profile: ${fmt(total / 1000)} ms sampled, ${fmt(idle / 1000)} ms idle, ${fmt(busy / 1000)} ms busy (percentages are of busy time)`);

	const byPackage = new Map<string, number>();
	const byFunction = new Map<string, number>();
	for (const [id, t] of self) {
		const frame = (byId.get(id) as CpuProfileNode).callFrame;
		if (frame.functionName === '(idle)') continue;
		const pkg = packageOf(frame.url);
		byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t);
		const where = frame.url ? ` ${frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\//, '').replace(REPO_ROOT + '/', '')}:${frame.lineNumber + 1}` : '';
		const key = `${frame.functionName || '(anonymous)'}${where}`;
		byFunction.set(key, (byFunction.get(key) ?? 0) + t);
	}
	lines.push('', 'self time by package:');
	for (const [pkg, t] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${ms(t)} ${pct(t)}  ${pkg}`);
	lines.push('', `self time by function (top ${top}):`);
	for (const [fn, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${ms(t)} ${pct(t)}  ${fn}`);

	const inclusive = INCLUSIVE_BUCKETS.map(() => 0);
	const stackBuckets = new Map<number, number[]>();
	const bucketsOf = (id: number): number[] => {
		let cached = stackBuckets.get(id);
		if (cached) return cached;
		const found = new Set<number>();
		for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
			const frame = (byId.get(at) as CpuProfileNode).callFrame;
			INCLUSIVE_BUCKETS.forEach((bucket, index) => {
				if (bucket.match(frame)) found.add(index);
			});
		}
		cached = [...found];
		stackBuckets.set(id, cached);
		return cached;
	};
	for (const [id, t] of self) for (const index of bucketsOf(id)) inclusive[index] += t;
	lines.push('', 'inclusive time (synchronous stacks only: work after an await is attributed to its own stack):');
	INCLUSIVE_BUCKETS.forEach((bucket, index) => lines.push(`  ${ms(inclusive[index])} ${pct(inclusive[index])}  ${bucket.label}`));

	if (frames) {
		// Inclusive time of every function whose "name url:line" matches --frames=REGEX.
		const byFrame = new Map<string, number>();
		for (const [id, t] of self) {
			const seen = new Set<string>();
			for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
				const frame = (byId.get(at) as CpuProfileNode).callFrame;
				const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\//, '')}:${frame.lineNumber + 1}`;
				if (!seen.has(key) && frames.test(key)) {
					seen.add(key);
					byFrame.set(key, (byFrame.get(key) ?? 0) + t);
				}
			}
		}
		lines.push('', `inclusive time of functions matching ${frames}:`);
		for (const [key, t] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, 40)) lines.push(`  ${ms(t)} ${pct(t)}  ${key}`);
	}
	return lines.join('\n');
}

/** Runs `fn` under the V8 CPU profiler (what `node --cpu-prof` uses), sampling every 250 µs. */
async function cpuProfile(fn: () => Promise<void>): Promise<CpuProfile> {
	const session = new Session();
	session.connect();
	const post = <T>(method: string, params?: object) =>
		new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
	try {
		await post('Profiler.enable');
		await post('Profiler.setSamplingInterval', { interval: 250 });
		await post('Profiler.start');
		await fn();
		return (await post<{ profile: CpuProfile }>('Profiler.stop')).profile;
	} finally {
		session.disconnect();
	}
}

/** `--validation`: phase 2 alone, the same measurement and table rows, nothing written. */
function validationOnlyMode(): void {
	const rows = measureValidation(loadShippedCode());
	for (const row of rows)
		console.log(
			`${String(row.steps).padStart(5)} steps: JSON.stringify ${fmt(row.stringifyUs, 1)} µs; step list ${fmt(row.fromStepsUs, 1)} µs = ${fmt(row.stepsRatio, 1)}x; JSON ${fmt(row.fromJsonUs, 1)} µs = ${fmt(row.jsonRatio, 1)}x`,
		);
}

/** `--profile-validation [--steps=1000]`: where checking a large flow (step list and JSON) spends its time. */
async function profileValidationMode(): Promise<void> {
	const size = Number(option('steps', '1000'));
	const code = loadShippedCode();
	const entries = largeStepList(size);
	const jsonText = JSON.stringify((code.checkItemFlow('steps', entries, false) as { flow: unknown[] }).flow);
	for (let i = 0; i < 5; i++) code.checkItemFlow('steps', entries, false);
	let calls = 0;
	const t0 = performance.now();
	const profile = await cpuProfile(async () => {
		while (performance.now() - t0 < 3000) {
			sink.value = code.checkItemFlow('steps', entries, false);
			sink.value = code.checkItemFlow('json', jsonText, false);
			calls++;
		}
	});
	console.log(`${calls} x (step list + JSON) checks of a ${size}-step flow\n`);

	// Direct timings of the parts (inlining makes a profile's attribution between them vary).
	/* eslint-disable @typescript-eslint/no-require-imports */
	const { flowSchema } = require(path.join(DIST, 'nodes', 'Samespace', 'flow', 'schema.js')) as { flowSchema: { safeParse(v: unknown): unknown } };
	const graph = require(path.join(DIST, 'nodes', 'Samespace', 'flow', 'graph.js')) as Record<string, (steps: unknown[]) => unknown>;
	/* eslint-enable @typescript-eslint/no-require-imports */
	const built = code.buildFlowFromStepList(entries).steps;
	const payload = { record: false, flow: JSON.parse(jsonText) as unknown[], cloud_id: CLOUD_ID, auth_token: AUTH_TOKEN };
	// Only what the built package exports (graph helpers come and go as the code changes).
	const optional = (label: string, fn: ((steps: unknown[]) => unknown) | undefined): Array<[string, () => unknown]> =>
		typeof fn === 'function' ? [[label, () => fn(built)]] : [];
	const parts: Array<[string, () => unknown]> = [
		['JSON.stringify of the request body (the baseline)', () => JSON.stringify(payload)],
		['checkItemFlow, step list (everything below)', () => code.checkItemFlow('steps', entries, false)],
		['  buildFlowFromStepList', () => code.buildFlowFromStepList(entries)],
		['  checkFlow (schema + warnings)', () => code.checkFlow(built)],
		['    flowSchema.safeParse (zod: every step, then checkFlowGraph)', () => flowSchema.safeParse(built)],
		...optional('      of which checkFlowGraph (ids, references)', graph.checkFlowGraph),
		...optional('    warnings: readFlowPaths (successors, reachability)', graph.readFlowPaths),
		['checkItemFlow, JSON text', () => code.checkItemFlow('json', jsonText, false)],
		['  JSON.parse of the text', () => JSON.parse(jsonText)],
	];
	const baseline = microsPerCall(parts[0][1], 200);
	console.log(`direct timings, ${size} steps (µs per call, and x the baseline):`);
	for (const [label, fn] of parts) {
		const us = microsPerCall(fn, 200);
		console.log(`  ${fmt(us, 0).padStart(9)} µs ${fmt(us / baseline, 1).padStart(6)}x  ${label}`);
	}
	console.log('');
	const frames =
		framesOption() ??
		/^(checkItemFlow|buildFlowFromStepList|positionalReferences|checkFlow|flowWarnings|checkFlowGraph|readFlowPaths|storedBefore|readStep|parseJsonText|(inst\.)?safeParse) /;
	console.log(summarizeProfile(profile, 30, frames));
}

interface SamplingHeapNode {
	callFrame: CpuProfileNode['callFrame'];
	selfSize: number;
	children: SamplingHeapNode[];
}

/**
 * `--profile-alloc [--items=2000] [--concurrency=10] [--variant=shipped]`: bytes ALLOCATED per item
 * during one execution (V8's sampling heap profiler, collected objects included), by package and
 * by function: where the garbage that makes the raw heap peak comes from.
 */
async function profileAllocMode(): Promise<void> {
	const itemsCount = Number(option('items', '2000'));
	const concurrency = Number(option('concurrency', '10'));
	const variantKey = option('variant', 'shipped');
	const variant = nodeVariants(variantKey.startsWith('fnAuth')).find((v) => v.key === variantKey);
	if (!variant) throw new Error(`unknown --variant=${variantKey}`);
	const emulator = await EmulatorProcess.start({ cloudId: CLOUD_ID, authToken: AUTH_TOKEN });
	const session = new Session();
	try {
		for (let i = 0; i < 2; i++) await runNode(variant, emulator.baseUrl, leads(500), concurrency);
		session.connect();
		const post = <T>(method: string, params?: object) =>
			new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
		await post('HeapProfiler.enable');
		await post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
		await runNode(variant, emulator.baseUrl, leads(itemsCount), concurrency);
		const { profile } = await post<{ profile: { head: SamplingHeapNode } }>('HeapProfiler.stopSampling');
		const byPackage = new Map<string, number>();
		const byFunction = new Map<string, number>();
		let total = 0;
		const walk = (node: SamplingHeapNode) => {
			total += node.selfSize;
			const frame = node.callFrame;
			const pkg = packageOf(frame.url);
			byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + node.selfSize);
			const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\//, '')}:${frame.lineNumber + 1}`;
			byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
			node.children.forEach(walk);
		};
		walk(profile.head);
		const perItem = (bytes: number) => `${fmtBytes(bytes / itemsCount).padStart(10)}/item ${fmt((bytes / total) * 100, 1).padStart(5)}%`;
		console.log(`${variant.label}: ${itemsCount} items, concurrency ${concurrency}: ${fmtBytes(total)} allocated = ${fmtBytes(total / itemsCount)} per item\n`);
		console.log('allocated by package:');
		for (const [pkg, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${perItem(bytes)}  ${pkg}`);
		console.log('\nallocated by function (top 25):');
		for (const [fn, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(option("top", "25")))) console.log(`  ${perItem(bytes)}  ${fn}`);
	} finally {
		session.disconnect();
		await emulator.close();
	}
}

const framesOption = () => (option('frames', '') ? new RegExp(option('frames', '')) : undefined);

async function profileMode(): Promise<void> {
	const itemsCount = Number(option('items', '2000'));
	const concurrency = Number(option('concurrency', '10'));
	const variantKey = option('variant', 'shipped');
	const dir = option('out', path.join(os.tmpdir(), 'samespace-bench-profiles'));
	const variants = nodeVariants(variantKey.startsWith('fnAuth'));
	const variant = variants.find((v) => v.key === variantKey);
	if (!variant) throw new Error(`unknown --variant=${variantKey} (one of ${nodeVariants(true).map((v) => v.key).join(', ')})`);
	const emulator = await EmulatorProcess.start({ cloudId: CLOUD_ID, authToken: AUTH_TOKEN });
	try {
		log(`warming up (${variant.key})`);
		for (let i = 0; i < 3; i++) await runNode(variant, emulator.baseUrl, leads(500), concurrency);
		await emulator.reset();
		let ms = 0;
		const profile = await cpuProfile(async () => {
			ms = (await runNode(variant, emulator.baseUrl, leads(itemsCount), concurrency)).ms;
		});
		const stats = await emulator.stats();
		fs.mkdirSync(dir, { recursive: true });
		const file = path.join(dir, `node-${variant.key}-${itemsCount}x${concurrency}-${Date.now()}.cpuprofile`);
		fs.writeFileSync(file, JSON.stringify(profile));
		console.log(
			`${variant.label}: ${itemsCount} items, concurrency ${concurrency}: ${fmt(ms)} ms, ${fmt((ms / itemsCount) * 1000)} µs/item ` +
				`(${fmt(stats.connections)} TCP connections, emulator CPU ${fmt(stats.cpuMs)} ms)\nprofile written to ${file}\n`,
		);
		console.log(summarizeProfile(profile, 30, framesOption()));
	} finally {
		await emulator.close();
	}
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
	if (!global.gc) log('note: run with --expose-gc (npm run bench does) for steadier figures and the memory phase');
	const code = loadShippedCode();
	const emulator = await EmulatorProcess.start({ cloudId: CLOUD_ID, authToken: AUTH_TOKEN });
	log(`emulator process ${emulator.pid} listening at ${emulator.baseUrl}`);
	try {
		const variants = nodeVariants(true);
		log('checking that the limit loop sends exactly the bodies the node sends');
		await verifySameBodies(code, variants);

		log('warming up (loads n8n-core and the package, JITs both sides)');
		for (let i = 0; i < 2; i++) {
			for (const variant of variants) await runNode(variant, emulator.baseUrl, leads(500), 10);
			const bodies = requestBodies(code, leads(500), PHONE_EXPRESSION);
			await runLimitFetch(emulator.callFlowUrl, bodies, 10);
			await runLimitHttpClose(emulator.callFlowUrl, bodies, 10);
		}

		log(`memory: ${fmt(MEMORY_ITEMS)} items in a fresh process`);
		const memory = await measureMemory(emulator.baseUrl);
		log(`  peak heap growth ${fmtBytes(memory.peakHeapGrowth)}, output retained ${fmtBytes(memory.outputRetained)}`);

		const throughput: ThroughputRow[] = [];
		for (const concurrency of CONCURRENCIES) {
			log(`throughput: ${fmt(SMALL_ITEMS)} items, concurrency ${concurrency}, ${SMALL_ROUNDS} rounds`);
			throughput.push(...(await measureThroughput(emulator, code, variants, SMALL_ITEMS, concurrency, SMALL_ROUNDS)));
		}
		for (const concurrency of CONCURRENCIES) {
			log(`throughput: ${fmt(LARGE_ITEMS)} items, concurrency ${concurrency}, ${LARGE_ROUNDS} rounds`);
			throughput.push(...(await measureThroughput(emulator, code, variants.slice(0, 1), LARGE_ITEMS, concurrency, LARGE_ROUNDS)));
		}

		log('validation and building');
		// From a collected heap: garbage left by the 10,000-item runs above would otherwise be
		// charged to whichever phase happens to trigger its collection.
		global.gc?.();
		const validation = measureValidation(code);

		const report: Report = {
			date: new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
			node: process.version,
			cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
			cores: os.cpus().length,
			platform: `${os.type()} ${os.release()} ${os.arch()}`,
			load: [loadAtStart, os.loadavg()[0]],
			durationS: (performance.now() - started) / 1000,
			throughput,
			validation,
			memory,
		};
		const rendered = renderReport(report);
		console.log(`\n${rendered}\n`);
		if (QUICK) log('--quick: BENCHMARKS.md not written');
		else log(`written to ${writeBenchmarksFile(rendered)}`);
	} finally {
		await emulator.close();
	}
	log('done');
}

async function entry(): Promise<void> {
	if (flag('memory-child')) {
		let message: { result?: MemoryResult; error?: string };
		try {
			message = { result: await memoryChild(option('base-url', '')) };
		} catch (error) {
			message = { error: (error as Error).stack ?? String(error) };
		}
		process.send?.(message, () => process.exit(0));
		return new Promise<void>(() => undefined);
	}
	const analyze = option('analyze', '') || (flag('analyze') ? args[args.indexOf('--analyze') + 1] : '');
	if (analyze) {
		console.log(summarizeProfile(JSON.parse(fs.readFileSync(analyze, 'utf8')) as CpuProfile, 30, framesOption()));
		return;
	}
	if (flag('profile')) return await profileMode();
	if (flag('profile-validation')) return await profileValidationMode();
	if (flag('profile-alloc')) return await profileAllocMode();
	if (flag('validation')) return validationOnlyMode();
	await main();
}

entry().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
