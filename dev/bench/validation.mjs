// The validation micro-benchmark: what checking and building a flow costs per item, against
// `JSON.stringify` of the request body (the least any client must do to send it). In-process on
// purpose: it times pure functions of the built package (dist/), with no I/O.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { ROOT } from '../n8n/config.mjs';

const require = createRequire(import.meta.url);
const CALLER_ID = '14155550100';

/**
 * The node's own per-item check, `checkItemFlow(source, parameter, record)`, from the BUILT
 * package (what ships): the module of dist/nodes that exports it, wherever it lives.
 */
export function loadCheckItemFlow() {
	const dir = path.join(ROOT, 'dist', 'nodes');
	const file = fs
		.readdirSync(dir, { recursive: true })
		.map((f) => path.join(dir, f))
		.find(
			(f) => f.endsWith('.js') && fs.readFileSync(f, 'utf8').includes('exports.checkItemFlow ='),
		);
	if (!file) throw new Error(`no module of ${dir} exports checkItemFlow`);
	return require(file).checkItemFlow;
}

/**
 * A valid step list of `size` steps: a call, then menus (play, digits with routes, an http step
 * using the gathered `{{variable}}`, play), then a connect. The digit routes go to the step after
 * the menu by its Step ID, as the editor asks; the flow has no warnings.
 */
function largeStepList(size) {
	const entries = [{ type: 'call', number: '14155550123', callerId: CALLER_ID }];
	for (let menu = 0; entries.length < size - 1; ) {
		const kind = (entries.length - 1) % 4;
		if (kind === 0)
			entries.push({ type: 'play', text: `Menu ${menu}: press 1 for sales or 2 for support.` });
		else if (kind === 1) entries.push({ type: 'digits', count: 1, variable: `choice_${menu}` });
		else if (kind === 2)
			entries.push({
				type: 'http',
				url: `https://crm.example.com/api/leads?choice={{choice_${menu}}}`,
				method: 'POST',
			});
		else {
			entries.push({ type: 'play', audioUrl: 'https://cdn.example.com/audio/hold.mp3' });
			menu++;
		}
	}
	entries.push({ type: 'connect', number: '5263', callerId: CALLER_ID });
	entries.forEach((entry, index) => {
		if (entry.type !== 'digits') return;
		entries[index + 1].stepId = `after_${index + 1}`;
		entry.routes = { route: ['1', '2'].map((key) => ({ key, step: `after_${index + 1}` })) };
	});
	return entries;
}

/** Keeps results alive so the optimizer cannot drop the measured calls. */
const sink = { value: undefined };

/** Microseconds per call of `fn`, timing a batch of at least `minMs`. */
function microsPerCall(fn, minMs) {
	for (let reps = 1; ; ) {
		const t0 = performance.now();
		for (let i = 0; i < reps; i++) sink.value = fn();
		const dt = performance.now() - t0;
		if (dt >= minMs) return (dt * 1000) / reps;
		reps = Math.max(reps * 2, Math.ceil((reps * minMs * 1.2) / Math.max(dt, 0.05)));
	}
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Per size: rotated rounds of stringifying the body, checking the step list and checking the same
 * flow as JSON text; medians in µs, and the medians of each round's check / stringify ratios.
 */
export function measureValidation(sizes, rounds) {
	const checkItemFlow = loadCheckItemFlow();
	return sizes.map((size) => {
		const entries = largeStepList(size);
		const built = checkItemFlow('steps', entries, false);
		if (!built.ok || built.flow.length !== size || built.warnings.length > 0)
			throw new Error(`the ${size}-step bench flow is not what it should be: ${built.description}`);
		const auth = { cloud_id: 'bench-cloud', auth_token: 'tok_bench_5d2c9e1f7a3b4c6d' };
		const payload = { record: false, flow: built.flow, ...auth };
		const jsonText = JSON.stringify(built.flow);
		const ops = {
			stringify: () => JSON.stringify(payload),
			fromSteps: () => checkItemFlow('steps', entries, false),
			fromJson: () => checkItemFlow('json', jsonText, false),
		};
		const keys = Object.keys(ops);
		const samples = { stringify: [], fromSteps: [], fromJson: [] };
		for (const op of Object.values(ops)) microsPerCall(op, 10);
		for (let round = 0; round < rounds; round++) {
			for (let i = 0; i < keys.length; i++) {
				const key = keys[(i + round) % keys.length];
				samples[key].push(microsPerCall(ops[key], 60));
			}
		}
		const ratio = (key) => median(samples[key].map((us, round) => us / samples.stringify[round]));
		return {
			steps: size,
			payloadBytes: Buffer.byteLength(JSON.stringify(payload)),
			stringifyUs: median(samples.stringify),
			fromStepsUs: median(samples.fromSteps),
			fromJsonUs: median(samples.fromJson),
			stepsRatio: ratio('fromSteps'),
			jsonRatio: ratio('fromJson'),
		};
	});
}
