import { ROUTE_KEYS } from './constants';

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

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const asId = (value: unknown): string | undefined =>
	typeof value === 'string' || typeof value === 'number' ? String(value).trim() : undefined;

/** The keys a step type routes on when its next_step is an object; other types take one id. */
const ROUTED_KEYS: Record<string, (key: string) => boolean> = {
	digits: (key) => (ROUTE_KEYS as readonly string[]).includes(key),
	http: (key) => key === 'success' || key === 'fail',
};

function readStep(raw: unknown): LooseStep {
	if (!isRecord(raw)) return { links: [] };
	const links: Link[] = [];
	const next = raw.next_step;
	const routed = typeof raw.type === 'string' ? ROUTED_KEYS[raw.type] : undefined;
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
	ids.slice(0, max).map((id) => `"${id}"`).join(', ') + (ids.length > max ? `, … (${ids.length} in all)` : '');

/** Errors in the flow's wiring: duplicate ids, references to missing steps, a first step that is not a call. */
export function checkFlowGraph(rawSteps: readonly unknown[]): FlowIssue[] {
	const steps = rawSteps.map(readStep);
	const issues: FlowIssue[] = [];
	const firstIndexOf = new Map<string, number>();

	steps.forEach((step, index) => {
		if (step.id === undefined) return;
		const first = firstIndexOf.get(step.id);
		if (first === undefined) firstIndexOf.set(step.id, index);
		else
			issues.push({
				path: [index, 'id'],
				message: `"${step.id}" is already the id of step ${first + 1}: give every step its own id (1 and "1" count as the same, since ids are sent as text)`,
			});
	});

	const ids = [...firstIndexOf.keys()];
	steps.forEach((step, index) => {
		for (const link of step.links) {
			if (firstIndexOf.has(link.target)) continue;
			issues.push({
				path: [index, ...link.path],
				message: `points to step "${link.target}", which is not in this flow: use the id of an existing step (${quoteList(ids)}) or remove this route`,
			});
		}
	});

	if (steps.length > 0 && steps[0].type !== 'call' && isRecord(rawSteps[0])) {
		const callAt = steps.findIndex((step) => step.type === 'call');
		issues.push({
			path: [0, 'type'],
			message:
				'the first step must be a call step, because the flow starts by placing the call' +
				(callAt > 0 ? `: move step ${callAt + 1} (the call) to the top` : ': add a call step at the top'),
		});
	}
	return issues;
}

/** Indexes of the steps that the first step can lead to (the first included). */
export function reachableFromStart(rawSteps: readonly unknown[]): Set<number> {
	return reachable(rawSteps.map(readStep), [0]);
}

/**
 * For each step, the variables that a digits step may have stored before the call gets there,
 * following the flow from its first step. A step the first step cannot reach gets the variables
 * of the digits steps listed above it, the best guess for a flow that is still being wired.
 */
export function variablesBefore(rawSteps: readonly unknown[]): Array<Set<string>> {
	const steps = rawSteps.map(readStep);
	const stored = rawSteps.map((raw) =>
		isRecord(raw) && raw.type === 'digits' && typeof raw.variable === 'string' ? raw.variable.trim() : undefined,
	);
	const indexOf = indexById(steps);
	const before: Array<Set<string> | undefined> = steps.map(() => undefined);
	if (steps.length > 0) before[0] = new Set();
	// Propagate forward until nothing changes; each set only grows, so this ends.
	const queue = steps.length > 0 ? [0] : [];
	while (queue.length > 0) {
		const at = queue.pop() as number;
		const after = new Set(before[at]);
		if (stored[at]) after.add(stored[at] as string);
		for (const link of steps[at].links) {
			const to = indexOf.get(link.target);
			if (to === undefined) continue;
			const unvisited = before[to] === undefined;
			const target = (before[to] ??= new Set());
			const size = target.size;
			for (const name of after) target.add(name);
			if (unvisited || target.size > size) queue.push(to);
		}
	}
	const listedAbove = new Set<string>();
	return steps.map((_step, index) => {
		const result = before[index] ?? new Set(listedAbove);
		if (stored[index]) listedAbove.add(stored[index] as string);
		return result;
	});
}

function indexById(steps: LooseStep[]): Map<string, number> {
	const indexOf = new Map<string, number>();
	steps.forEach((step, index) => {
		if (step.id !== undefined && !indexOf.has(step.id)) indexOf.set(step.id, index);
	});
	return indexOf;
}

function reachable(steps: LooseStep[], starts: number[]): Set<number> {
	const indexOf = indexById(steps);
	const seen = new Set<number>();
	const queue = starts.filter((start) => start < steps.length);
	while (queue.length > 0) {
		const at = queue.pop() as number;
		if (seen.has(at)) continue;
		seen.add(at);
		for (const link of steps[at].links) {
			const to = indexOf.get(link.target);
			if (to !== undefined && !seen.has(to)) queue.push(to);
		}
	}
	return seen;
}
