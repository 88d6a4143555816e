/**
 * Property-based tests through n8n's real engine: generated broken flows and broken parameter
 * values, given the way workflows give them (a `{{ $json.flow }}` expression over item data, a
 * pasted JSON text, step-list fields filled by expressions), always end in a NodeOperationError
 * whose message starts with `Item 1: invalid call flow:` and names the problem, never in a
 * TypeError or a crash, and never in a request to the emulator. With "continue on fail" every
 * input item becomes an error item instead.
 *
 * Needs the built package (`npm run build`). Cases are drawn with fixed seeds: a run is repeatable.
 */
import fc from 'fast-check';
import type { INodeParameters } from 'n8n-workflow';

import type { WorkflowRunResult } from '../../dev/engine';
import { checkItemFlow } from '../../nodes/Samespace/helpers/item-flow';
import type { StepListEntry } from '../../nodes/Samespace/flow/step-list';
import { visibleText, runSamespace, SECRET_TOKEN, useEmulator } from '../support/samespace';
import { brokenFlow, type BrokenFlow } from './arbitraries/flows';
import { brokenJsonText } from './arbitraries/json-text';
import type { Gen } from './arbitraries/shared';
import { brokenSteps, type BrokenSteps } from './arbitraries/step-lists';
import { BANNED, Findings, preview } from './checks';

const SEED = 20_250_602;
const PREFIX = 'Item 1: invalid call flow: ';

const emulator = useEmulator();
const tried: Findings[] = [];
const track = (findings: Findings) => (tried.push(findings), findings);

/** Draws `count` cases that pass `keep`, repeatably. */
function draw<T>(
	seed: number,
	count: number,
	make: (g: Gen) => T,
	keep: (value: T) => boolean = () => true,
): T[] {
	const kept: T[] = [];
	for (let round = 0; kept.length < count && round < 20; round++) {
		for (const value of fc.sample(fc.gen().map(make), { seed: seed + round, numRuns: count * 2 })) {
			if (keep(value) && kept.length < count) kept.push(value);
		}
	}
	return kept;
}

/** The rules a run with one bad item breaks; `unitMessage` is what checkItemFlow says of the same input, if comparable. */
function runViolations(
	result: WorkflowRunResult,
	requests: number,
	unitMessage?: string,
): string[] {
	const violations: string[] = [];
	if (requests !== 0) violations.push(`${requests} request(s) reached the emulator`);
	const error = result.error;
	if (!error) return [...violations, 'the run did not fail'];
	const raw = error.raw as { name?: unknown; constructor?: { name?: string } } | undefined;
	if (raw?.name !== 'NodeOperationError')
		violations.push(
			`the error is a ${String(raw?.name ?? raw?.constructor?.name)}, not a NodeOperationError`,
		);
	if (error.nodeName !== 'Samespace')
		violations.push('the error is not attributed to the Samespace node');
	if (!error.message.startsWith(PREFIX))
		violations.push('the message does not start with "Item 1: invalid call flow:"');
	const reason = error.message.slice(PREFIX.length);
	if (reason.startsWith('a parameter could not be read'))
		violations.push(
			`the node crashed inside and reports it as a parameter read error: ${reason.replace(/^a parameter could not be read: /, '').slice(0, 80)}`,
		);
	else if (
		!/^(step \d+(?: \(|, |: )|flow[,:]|The flow JSON |The step list is empty|"Record Call")/.test(
			reason,
		)
	)
		violations.push('the message names neither a step nor the flow/JSON');
	for (const banned of BANNED)
		if (`${error.message}\n${error.description ?? ''}`.includes(banned))
			violations.push(`the error contains "${banned}"`);
	if (!(error.description ?? '').startsWith('Nothing was sent for this item.'))
		violations.push('the description does not say nothing was sent');
	if (unitMessage !== undefined && error.message !== `${PREFIX}${unitMessage}`)
		violations.push('the engine and checkItemFlow disagree on the message (is the build stale?)');
	if (visibleText(result).includes(SECRET_TOKEN)) violations.push('the auth token is visible');
	return violations;
}

/** checkItemFlow's message for the input, or undefined if it throws. */
function unitMessage(source: 'json' | 'steps', parameter: unknown): string | undefined {
	try {
		const result = checkItemFlow(source, parameter, false);
		return result.ok ? 'accepted' : result.message;
	} catch {
		return undefined;
	}
}

const summary = (broken: { labels: string[] }) =>
	broken.labels.length === 1 ? ` (after: ${broken.labels[0]})` : ' (after several mutations)';

describe('n8n engine, one broken item', () => {
	test('JSON mode, flow from item data via {{ $json.flow }}: 110 generated broken flows each end in a clear NodeOperationError and send nothing', async () => {
		const findings = track(new Findings('engine: broken flows from item data'));
		const cases = draw(
			SEED,
			110,
			(g) => brokenFlow(g),
			(broken) => broken.jsonSafe,
		);
		for (const broken of cases) {
			findings.cases++;
			emulator.reset();
			const flow = broken.flow;
			const result = await runSamespace(
				emulator,
				{ source: 'json', flowJson: '={{ $json.flow }}' },
				{ items: [{ flow }] },
			);
			const data = JSON.parse(JSON.stringify({ flow })).flow;
			// n8n copies item data by assignment, which turns an own "__proto__" key into a prototype: compare only without one.
			const comparable = !JSON.stringify(flow).includes('"__proto__"')
				? unitMessage('json', data)
				: undefined;
			for (const violation of runViolations(
				result,
				emulator.requests.length,
				comparable === 'accepted' ? undefined : comparable,
			))
				findings.add(
					`${violation}${summary(broken)}`,
					() => ({ mutations: broken.labels, flow }),
					() => (result.error?.message ?? 'no error').slice(0, 300),
				);
		}
		findings.print();
		expect(findings.failures()).toEqual([]);
	}, 120_000);

	test('JSON mode, pasted JSON text: 40 generated broken texts each end in a clear NodeOperationError naming the line and column, and send nothing', async () => {
		const findings = track(new Findings('engine: broken JSON texts'));
		const cases = draw(
			SEED + 1,
			40,
			(g) => brokenJsonText(g),
			(broken) => !broken.text.startsWith('='),
		);
		for (const broken of cases) {
			findings.cases++;
			emulator.reset();
			const result = await runSamespace(emulator, { source: 'json', flowJson: broken.text });
			const violations = runViolations(
				result,
				emulator.requests.length,
				unitMessage('json', broken.text),
			);
			if (broken.text.trim() !== '' && !/at line \d+, column \d+/.test(result.error?.message ?? ''))
				violations.push('no line and column');
			for (const violation of violations)
				findings.add(
					`${violation} (after: ${broken.corruption})`,
					() => broken.text,
					() => (result.error?.message ?? 'no error').slice(0, 300),
				);
		}
		findings.print();
		expect(findings.failures()).toEqual([]);
	}, 120_000);

	test('step list with broken values from expressions ({{ $json... }}): 70 generated broken step lists each end in a clear NodeOperationError naming the step, and send nothing', async () => {
		const findings = track(new Findings('engine: broken step lists'));
		const cases = draw(
			SEED + 2,
			70,
			(g) => brokenSteps(g),
			(broken) => broken.engineSafe && broken.jsonSafe,
		);
		for (const broken of cases) {
			findings.cases++;
			emulator.reset();
			const { parameters, items } = asExpressions(broken);
			const result = await runSamespace(emulator, parameters, { items });
			for (const violation of runViolations(result, emulator.requests.length))
				findings.add(
					`${violation}${summary(broken)}`,
					() => ({ mutations: broken.labels, entries: broken.entries }),
					() => (result.error?.message ?? 'no error').slice(0, 300),
				);
		}
		findings.print();
		expect(findings.failures()).toEqual([]);
	}, 120_000);

	test('"Record Call" from an expression that is not true or false is a clear NodeOperationError, and nothing is sent', async () => {
		const findings = track(new Findings('engine: broken Record Call values'));
		for (const value of ['yes', 1, 0, null, {}, [], 'true']) {
			findings.cases++;
			emulator.reset();
			const steps = { step: [{ type: 'call', number: '14155550123', callerId: '14155550100' }] };
			const result = await runSamespace(
				emulator,
				{ steps, record: '={{ $json.record }}' },
				{ items: [{ record: value }] },
			);
			for (const violation of runViolations(result, emulator.requests.length))
				findings.add(
					violation,
					() => value,
					() => (result.error?.message ?? 'no error').slice(0, 300),
				);
		}
		findings.print();
		expect(findings.failures()).toEqual([]);
	});
});

describe('n8n engine, continue on fail', () => {
	test('25 runs of 2 to 4 generated broken items: one error item per input item, in order, and nothing is sent', async () => {
		const findings = track(new Findings('engine: continue on fail'));
		const flows = draw(
			SEED + 3,
			75,
			(g) => brokenFlow(g),
			(broken) => broken.jsonSafe,
		);
		let items = 0;
		for (let at = 0, run = 0; at < flows.length; run++) {
			const size = 2 + (run % 3);
			const batch: BrokenFlow[] = flows.slice(at, at + size);
			at += size;
			findings.cases++;
			items += batch.length;
			emulator.reset();
			const result = await runSamespace(
				emulator,
				{ source: 'json', flowJson: '={{ $json.flow }}' },
				{ items: batch.map((broken) => ({ flow: broken.flow })), continueOnFail: true },
			);
			const output = result.outputs.Samespace ?? [];
			const example = () => batch.map((broken) => broken.labels);
			if (emulator.requests.length !== 0) findings.add('a request reached the emulator', example);
			if (result.error)
				findings.add(`the run failed: ${result.error.message.slice(0, 100)}`, example);
			if (output.length !== batch.length)
				findings.add('not one output item per input item', example, () =>
					preview(output.map((item) => item.json)),
				);
			output.forEach((item, index) => {
				const json = item.json as { error?: unknown; callPlaced?: unknown; description?: unknown };
				const error = typeof json.error === 'string' ? json.error : '';
				if (!error.startsWith(`Item ${index + 1}: invalid call flow: `))
					findings.add('an output item is not the error of its input item', example, () =>
						preview(json),
					);
				if (error.includes('a parameter could not be read'))
					findings.add(
						'an error item reports a crash inside the node as a parameter read error',
						example,
						() => error.slice(0, 200),
					);
				for (const banned of BANNED)
					if (`${error}\n${String(json.description)}`.includes(banned))
						findings.add(`an error item contains "${banned}"`, example, () => error.slice(0, 200));
				if (json.callPlaced !== false)
					findings.add('an error item does not say callPlaced: false', example);
				if ((item.pairedItem as { item?: number } | undefined)?.item !== index)
					findings.add('an error item is not paired with its input item', example);
			});
		}
		findings.print(`${items} items in all`);
		expect(findings.failures()).toEqual([]);
	}, 120_000);
});

/**
 * The step list as a workflow gives it, with every field (except the step type, which takes no
 * expressions) read from item data by an expression, so values of any JSON type reach the node.
 */
function asExpressions(broken: BrokenSteps): {
	parameters: INodeParameters;
	items: Array<Record<string, unknown>>;
} {
	const step = broken.entries.map((entry, index) => {
		const parameter: Record<string, unknown> = {};
		for (const [key, value] of Object.entries(entry) as Array<[keyof StepListEntry, unknown]>) {
			if (value === undefined) continue;
			if (key === 'type')
				parameter.type = typeof value === 'string' ? value : `={{ $json.s[${index}].type }}`;
			else if (key === 'routes') {
				const route = (entry.routes?.route ?? []).map((_r, r) => ({
					key: `={{ $json.s[${index}].routes.route[${r}].key }}`,
					step: `={{ $json.s[${index}].routes.route[${r}].step }}`,
				}));
				parameter.routes = { route };
			} else parameter[key] = `={{ $json.s[${index}].${key} }}`;
		}
		return parameter;
	});
	return { parameters: { steps: { step } } as INodeParameters, items: [{ s: broken.entries }] };
}

afterAll(() => {
	console.log(
		`property: ${tried.reduce((sum, findings) => sum + findings.cases, 0)} engine cases tried in total (each one full workflow run in n8n's engine)`,
	);
});
