import { ROUTE_KEYS } from './constants';
import { shorten } from './quote';
import { isRecord } from './is-record';

/**
 * The wiring of a flow: which step ids exist and where each step can lead. It reads steps
 * loosely (any id or reference that is text or a number) so that wiring problems are found even
 * in steps whose other fields are broken, and every problem of a flow is reported at once.
 */

export interface FlowIssue {
	/** Step index, then the field path inside the step. */
	path: Array<string | number>;
	message: string;
}

interface Link {
	path: Array<string | number>;
	target: string;
}

interface LooseStep {
	id?: string;
	type?: unknown;
	links: Link[];
}

const asId = (value: unknown): string | undefined =>
	typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
		? String(value).trim()
		: undefined;

/** The keys a step type routes on when its next_step is an object; other types take one id. */
const ROUTED_KEYS: Record<string, (key: string) => boolean> = {
	digits: (key) => (ROUTE_KEYS as readonly string[]).includes(key),
	http: (key) => key === 'success' || key === 'fail',
	answer: (key) => key === 'success' || key === 'fail',
};

function readStep(raw: unknown): LooseStep {
	if (!isRecord(raw)) return { links: [] };
	const links: Link[] = [];
	const next = raw.next_step;
	const routed =
		typeof raw.type === 'string' && Object.hasOwn(ROUTED_KEYS, raw.type)
			? ROUTED_KEYS[raw.type]
			: undefined;
	const direct = asId(next);
	if (direct && !routed) links.push({ path: ['next_step'], target: direct });
	else if (isRecord(next) && routed) {
		// Only keys the schema accepts: a wrong key gets its own message, not a second one here.
		for (const [key, value] of Object.entries(next)) {
			const target = asId(value);
			if (target && routed(key)) links.push({ path: ['next_step', key], target });
		}
	}
	return { id: asId(raw.id) || undefined, type: raw.type, links };
}

const quoteList = (ids: string[], max = 12): string =>
	ids
		.slice(0, max)
		.map((id) => `"${shorten(id, 30)}"`)
		.join(', ') + (ids.length > max ? `, … (${ids.length} in all)` : '');

/** Errors in the flow's wiring: duplicate ids, references to missing steps, a first step that is not a call. */
export function checkFlowGraph(rawSteps: readonly unknown[]): FlowIssue[] {
	const steps = Array.from(rawSteps, readStep);
	const issues: FlowIssue[] = [];
	const firstIndexOf = new Map<string, number>();

	steps.forEach((step, index) => {
		if (step.id === undefined) return;
		const first = firstIndexOf.get(step.id);
		if (first === undefined) firstIndexOf.set(step.id, index);
		else
			issues.push({
				path: [index, 'id'],
				message: `"${shorten(step.id)}" is already the id of step ${first + 1}: give every step its own id (1 and "1" count as the same, since ids are sent as text)`,
			});
	});

	const ids = [...firstIndexOf.keys()];
	steps.forEach((step, index) => {
		for (const link of step.links) {
			if (firstIndexOf.has(link.target)) continue;
			issues.push({
				path: [index, ...link.path],
				message: `points to step "${shorten(link.target)}", which is not in this flow: use the id of an existing step (${quoteList(ids)}) or remove this route`,
			});
		}
	});

	if (steps.length > 0 && steps[0].type !== 'call' && isRecord(rawSteps[0])) {
		const callAt = steps.findIndex((step) => step.type === 'call');
		issues.push({
			path: [0, 'type'],
			message:
				'the first step must be a call step, because the flow starts by placing the call' +
				(callAt > 0
					? `: move step ${callAt + 1} (the call) to the top`
					: ': add a call step at the top'),
		});
	}
	return issues;
}

/** Where each step leads, and which steps the first step reaches: read once, used by every warning. */
export interface FlowPaths {
	successors: number[][];
	fromStart: Set<number>;
}

export function readFlowPaths(rawSteps: readonly unknown[]): FlowPaths {
	const successors = successorLists(Array.from(rawSteps, readStep));
	return { successors, fromStart: reachable(successors, [0]) };
}

/**
 * For each use of a `{{name}}` placeholder at step `index`, whether a digits step that stores
 * `name` can come before it: one that leads to the step, or, for a step the first step cannot
 * reach (a flow still being wired), one listed above it.
 */
export function storedBefore(
	rawSteps: readonly unknown[],
	{ successors, fromStart }: FlowPaths,
	uses: ReadonlyArray<{ index: number; name: string }>,
): boolean[] {
	if (uses.length === 0) return [];
	const storers = digitsVariables(rawSteps);
	// One walk per use, from the steps right after the variable's digits steps, stopping as soon
	// as it arrives: usually the next step or two, so a long flow costs little.
	const seen = new Uint32Array(successors.length);
	let walk = 0;
	const leadsTo = (starts: number[], target: number) => {
		walk++;
		const queue = starts.flatMap((at) => successors[at]);
		while (queue.length > 0) {
			const at = queue.pop() as number;
			if (at === target) return true;
			if (seen[at] === walk) continue;
			seen[at] = walk;
			for (const to of successors[at]) if (seen[to] !== walk) queue.push(to);
		}
		return false;
	};
	return uses.map(({ index, name }) => {
		const stored = storers.get(name) ?? [];
		return leadsTo(stored, index) || (!fromStart.has(index) && stored.some((at) => at < index));
	});
}

/**
 * The variables of the digits steps that can come before step `index` (as `storedBefore` reads
 * "before"), in the order their steps are listed: what a step at `index` can report.
 */
export function variablesBefore(
	rawSteps: readonly unknown[],
	paths: FlowPaths,
	index: number,
): string[] {
	const names = [...digitsVariables(rawSteps).keys()].filter((name) => name !== '');
	const stored = storedBefore(
		rawSteps,
		paths,
		names.map((name) => ({ index, name })),
	);
	return names.filter((_name, position) => stored[position]);
}

/** Each variable a Gather Digits step stores, with the indexes of those steps, in list order. */
function digitsVariables(rawSteps: readonly unknown[]): Map<string, number[]> {
	const storers = new Map<string, number[]>();
	rawSteps.forEach((raw, index) => {
		if (isRecord(raw) && raw.type === 'digits' && typeof raw.variable === 'string') {
			const name = raw.variable.trim();
			storers.set(name, [...(storers.get(name) ?? []), index]);
		}
	});
	return storers;
}

/** For each step, the indexes of the steps it can lead to. */
function successorLists(steps: readonly LooseStep[]): number[][] {
	const indexOf = indexById(steps);
	return steps.map((step) =>
		step.links
			.map((link) => indexOf.get(link.target))
			.filter((to): to is number => to !== undefined),
	);
}

function indexById(steps: readonly LooseStep[]): Map<string, number> {
	const indexOf = new Map<string, number>();
	steps.forEach((step, index) => {
		if (step.id !== undefined && !indexOf.has(step.id)) indexOf.set(step.id, index);
	});
	return indexOf;
}

function reachable(successors: readonly number[][], starts: readonly number[]): Set<number> {
	const seen = new Set<number>();
	const queue = starts.filter((start) => start < successors.length);
	while (queue.length > 0) {
		const at = queue.pop() as number;
		if (seen.has(at)) continue;
		seen.add(at);
		for (const to of successors[at]) if (!seen.has(to)) queue.push(to);
	}
	return seen;
}
