/**
 * What every answer of the node's flow check must look like, written as checks that return the
 * rules an answer breaks (so a property can try every case and report every kind of failure, with
 * the smallest example of each, instead of stopping at the first).
 */
import fc from 'fast-check';

import { validateRequestBody } from '../../dev/emulator';
import type { ItemFlow } from '../../nodes/Samespace/helpers/item-flow';
import { isRecord } from '../../nodes/Samespace/flow/is-record';
import type { Gen } from './arbitraries/shared';

/** Text a message for people must never contain: it means the code printed a value it did not understand, or crashed. */
export const BANNED = [
	'undefined',
	'[object Object]',
	'TypeError',
	'RangeError',
	'[native code]',
	'function Object',
	'is not a function',
	'Cannot read properties',
	'Cannot convert',
	'is not iterable',
	'Maximum call stack',
];

/** A problem line longer than this quotes a value whole instead of naming it. */
export const MAX_PROBLEM_LENGTH = 2000;

/**
 * Where a problem line says the problem is, and whether an explanation follows: `step 3 (id "a",
 * call), number: …`, `flow: …`, `The flow JSON …`. Written without backtracking regexes: problem
 * lines can quote 100,000-character values.
 */
function locate(problem: string): { ok: boolean; step?: number } {
	// `step 4 (id "5", digits), …`, `step 4 (Gather Digits), …`, `step 5, "Type": …`, `step 5: …`.
	const step = /^step (\d+)(?= \(|, |: )/.exec(problem);
	if (step) {
		const colon = problem.indexOf(': ', step[0].length);
		return { ok: colon > 0 && problem.length - colon > 10, step: Number(step[1]) };
	}
	const head = problem.slice(0, 400);
	const ok =
		(/^flow(?:, [^:\n]{1,300})?: \S/.test(head) && problem.length > 15) ||
		(problem.startsWith('The flow JSON ') && problem.length > 25) ||
		(problem.startsWith('The step list is empty') && problem.length > 25) ||
		(problem.startsWith('"Record Call" ') && problem.length > 25);
	return { ok };
}

/** The rules a rejection breaks. `flowLength` is the number of steps, when the input was a list. */
export function rejectionViolations(result: ItemFlow, flowLength?: number): string[] {
	if (result.ok) return ['accepted'];
	const violations: string[] = [];
	const { message, description, problems, warnings } = result;
	if (typeof message !== 'string' || message.trim() === '') return ['empty message'];
	if (!Array.isArray(problems) || problems.length === 0) return ['no problems listed'];
	if (!message.startsWith(problems[0])) violations.push('message is not the first problem');
	if (
		!/^(step \d+(?: \(|, |: )|flow[,:]|The flow JSON |The step list is empty|"Record Call")/.test(
			message,
		)
	)
		violations.push('message names neither a step nor the flow/JSON');
	for (const problem of problems) {
		const where = locate(problem);
		if (!where.ok) violations.push('a problem line has no location and explanation');
		else if (
			where.step !== undefined &&
			flowLength !== undefined &&
			(where.step < 1 || where.step > flowLength)
		)
			violations.push('a problem names a step number outside the flow');
		if (problem.length > MAX_PROBLEM_LENGTH)
			violations.push(`a problem line is longer than ${MAX_PROBLEM_LENGTH} characters`);
	}
	if (new Set(problems).size !== problems.length)
		violations.push('the same problem is listed twice');
	if (!description.startsWith('Nothing was sent for this item.'))
		violations.push('description does not say nothing was sent');
	// The headline names the first problem; the description the others, never the headline again.
	if (problems.slice(1).some((problem) => !description.includes(problem)))
		violations.push('description lacks a problem');
	if (description.includes(problems[0])) violations.push('description repeats the headline');
	for (const text of [...problems, ...warnings, message]) {
		for (const banned of BANNED)
			if (text.includes(banned)) violations.push(`text contains "${banned}"`);
		// A list (["call"]) or other non-text type printed as if it were text.
		if (/"(call|play|digits|http|connect)" is not a step type/.test(text))
			violations.push('says a real step type is not a step type');
	}
	return [...new Set(violations)];
}

/** The rules an accepted flow breaks: ids, references, canonical values, and the emulator's own check. */
export function acceptedViolations(result: ItemFlow, expectedIds?: string[]): string[] {
	if (!result.ok) return ['rejected'];
	const violations: string[] = [];
	const flow = result.flow as unknown as Array<Record<string, unknown>>;
	const ids = flow.map((step) => step.id);
	if (ids.some((id) => typeof id !== 'string' || id === ''))
		violations.push('an id is not non-empty text');
	if (new Set(ids).size !== ids.length) violations.push('ids are not unique');
	if (expectedIds && JSON.stringify(ids) !== JSON.stringify(expectedIds))
		violations.push('ids are not the given ids as text');
	const known = new Set(ids);
	for (const step of flow) {
		const next = step.next_step;
		const targets = next === undefined ? [] : isRecord(next) ? Object.values(next) : [next];
		if (targets.some((target) => typeof target !== 'string' || !known.has(target)))
			violations.push('a reference does not resolve to an id');
		for (const field of ['number', 'caller_id'])
			if (field in step && !/^\d{2,15}$/.test(String(step[field])))
				violations.push(`${field} is not sent as digits`);
		if (
			step.type === 'http' &&
			!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(step.method as string)
		)
			violations.push('http method is not canonical');
	}
	// What goes over the wire, checked by the emulator's independent validator.
	const sent = JSON.parse(JSON.stringify({ record: result.record, flow }));
	for (const error of validateRequestBody(sent))
		violations.push(`emulator rejects it: ${error.message.replace(/"[^"]*"|\(got .*\)/g, '…')}`);
	for (const warning of result.warnings)
		for (const banned of BANNED)
			if (warning.includes(banned)) violations.push(`warning contains "${banned}"`);
	return [...new Set(violations)];
}

// ---------------------------------------------------------------------------------------------
// Collecting findings
// ---------------------------------------------------------------------------------------------

interface Finding {
	count: number;
	example: string;
	detail: string;
}

/** Counts cases and keeps, for each kind of failure, how often it happened and its shortest example. */
export class Findings {
	cases = 0;
	private readonly kinds = new Map<string, Finding>();

	constructor(readonly name: string) {}

	add(kind: string, input: () => unknown, detail: () => string = () => ''): void {
		const found = this.kinds.get(kind);
		const example = preview(input());
		if (found) {
			found.count++;
			if (example.length < found.example.length) {
				found.example = example;
				found.detail = detail();
			}
		} else this.kinds.set(kind, { count: 1, example, detail: detail() });
	}

	/** One line per kind of failure, for `expect(...).toEqual([])`. */
	failures(): string[] {
		return [...this.kinds].map(
			([kind, f]) =>
				`${kind} — ${f.count} of ${this.cases} cases, e.g. ${f.example}${f.detail ? ` → ${f.detail}` : ''}`,
		);
	}

	print(extra = ''): void {
		const lines = this.failures();
		console.log(
			`property: ${this.cases} cases tried (${this.name})${extra ? `, ${extra}` : ''}: ${lines.length === 0 ? 'no failures' : `${lines.length} kinds of failure:\n- ${lines.join('\n- ')}`}`,
		);
	}
}

/** A readable, bounded rendering of any value: long strings and deep nesting shortened, NaN, undefined and holes shown. */
export function preview(value: unknown, budget = 700): string {
	const out = render(value, 0);
	return out.length > budget ? `${out.slice(0, budget)}…` : out;
}

function render(value: unknown, depth: number): string {
	if (value === undefined) return 'undefined';
	if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
	if (typeof value === 'string')
		return value.length > 60
			? `${JSON.stringify(value.slice(0, 20))}…(${value.length} chars)`
			: JSON.stringify(value);
	if (typeof value !== 'object' || value === null) return String(value);
	if (depth > 6)
		return `${Array.isArray(value) ? '[' : '{'}…nested ${nesting(value)} deep${Array.isArray(value) ? ']' : '}'}`;
	if (Array.isArray(value)) {
		const parts: string[] = [];
		for (let i = 0; i < value.length; i++)
			parts.push(i in value ? render(value[i], depth + 1) : '<hole>');
		return `[${parts.join(', ')}]`;
	}
	return `{${Object.keys(value)
		.map(
			(key) =>
				`${key.length > 60 ? `${JSON.stringify(key.slice(0, 20))}…(${key.length} chars)` : JSON.stringify(key)}: ${render((value as Record<string, unknown>)[key], depth + 1)}`,
		)
		.join(', ')}}`;
}

function nesting(value: unknown): number {
	let depth = 0;
	let at: unknown = value;
	while (typeof at === 'object' && at !== null) {
		depth++;
		at = Array.isArray(at) ? at[0] : Object.values(at)[0];
	}
	return depth;
}

/** Runs `body` on `numRuns` generated cases; what goes wrong is collected in `findings`. */
export function forAll(
	findings: Findings,
	seed: number,
	numRuns: number,
	body: (g: Gen) => void,
): void {
	fc.assert(
		fc.property(fc.gen(), (g) => {
			findings.cases++;
			body(g);
			return true;
		}),
		{ seed, numRuns },
	);
}

/** Runs `run`; an exception becomes a finding (named by `what`) instead of ending the property. */
export function attempt<T>(
	findings: Findings,
	what: string,
	input: () => unknown,
	run: () => T,
): T | undefined {
	try {
		return run();
	} catch (error) {
		const e = error as Error;
		findings.add(
			`${what} threw ${e?.constructor?.name ?? typeof error}: ${String(e?.message).slice(0, 120)}`,
			input,
		);
		return undefined;
	}
}

/** One of `values`, chosen by the generator. */
export const pick = <T>(g: Gen, values: readonly T[]): T =>
	values[g(fc.integer, { min: 0, max: values.length - 1 })];
