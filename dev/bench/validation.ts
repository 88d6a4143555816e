/**
 * The validation micro-benchmark: what checking and building a flow costs per item, against
 * `JSON.stringify` of the request body (the least any client must do to send it). In-process on
 * purpose: it times pure functions of the built package (dist/), with no I/O.
 */
import fs from 'node:fs';
import path from 'node:path';

type ItemFlow =
	| { ok: true; record: boolean; flow: unknown[]; warnings: string[] }
	| { ok: false; description: string; warnings: string[] };

type CheckItemFlow = (source: 'steps' | 'json', parameter: unknown, record: boolean) => ItemFlow;

const CALLER_ID = '14155550100';

/** The node's own check, from the BUILT package (what ships). */
export function loadCheckItemFlow(root: string): CheckItemFlow {
	const file = path.join(root, 'dist', 'nodes', 'Samespace', 'execute', 'prepare.js');
	if (!fs.existsSync(file))
		throw new Error(`${file} not found: run \`npm run build\` first (npm run bench does)`);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(file).checkItemFlow;
}

/**
 * A valid step list of `size` steps: a call, then menus (play, digits with routes, an http step
 * using the gathered `{{variable}}`, play), then a connect. The digit routes go to the step after
 * the menu by its Step ID, as the editor asks; the flow has no warnings.
 */
export function largeStepList(size: number): Array<Record<string, unknown>> {
	const entries: Array<Record<string, unknown>> = [
		{ type: 'call', number: '14155550123', callerId: CALLER_ID },
	];
	let menu = 0;
	while (entries.length < size - 1) {
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
		const target = `after_${index + 1}`;
		entries[index + 1].stepId = target;
		entry.routes = {
			route: [
				{ key: '1', step: target },
				{ key: '2', step: target },
			],
		};
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

const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export interface ValidationRow {
	steps: number;
	payloadBytes: number;
	stringifyUs: number;
	fromStepsUs: number;
	fromJsonUs: number;
	/** Medians over rounds of (check / stringify) measured in the same round. */
	stepsRatio: number;
	jsonRatio: number;
}

/** Rotated rounds of: stringify the body, check the step list, check the same flow as JSON text. */
export function measureValidation(root: string, sizes: number[], rounds: number): ValidationRow[] {
	const checkItemFlow = loadCheckItemFlow(root);
	return sizes.map((size) => {
		const entries = largeStepList(size);
		const fromSteps = checkItemFlow('steps', entries, false);
		if (!fromSteps.ok)
			throw new Error(`the ${size}-step bench flow is invalid: ${fromSteps.description}`);
		if (fromSteps.flow.length !== size || fromSteps.warnings.length > 0)
			throw new Error(`the ${size}-step bench flow is not what it should be`);
		const payload = {
			record: false,
			flow: fromSteps.flow,
			cloud_id: 'bench-cloud',
			auth_token: 'tok_bench_5d2c9e1f7a3b4c6d',
		};
		const jsonText = JSON.stringify(fromSteps.flow);
		const ops = {
			stringify: () => JSON.stringify(payload),
			fromSteps: () => checkItemFlow('steps', entries, false),
			fromJson: () => checkItemFlow('json', jsonText, false),
		};
		const keys = Object.keys(ops) as Array<keyof typeof ops>;
		const samples: Record<keyof typeof ops, number[]> = {
			stringify: [],
			fromSteps: [],
			fromJson: [],
		};
		for (const op of Object.values(ops)) microsPerCall(op, 10);
		for (let round = 0; round < rounds; round++) {
			for (const key of keys.map((_k, index) => keys[(index + round) % keys.length]))
				samples[key].push(microsPerCall(ops[key], 60));
		}
		const ratio = (key: 'fromSteps' | 'fromJson') =>
			median(samples[key].map((us, round) => us / samples.stringify[round]));
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
