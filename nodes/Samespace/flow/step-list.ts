/**
 * The step list of the editor, turned into a Samespace flow. It only rearranges what the user
 * entered (blank ids become positions, blank next steps become "the next step in the list");
 * checking what came out is the schema's job, so both ways of giving a flow are checked alike.
 */
import type { FieldLabeler, FlowProblem } from './check';
import { shorten } from './quote';
import { ANY_INPUT_KEY, type FlowStepInput } from './schema';

/** One entry of the `steps` parameter, as n8n hands it over (only the fields shown for its type). */
export interface StepListEntry {
	type?: string;
	stepId?: string | number;
	number?: string | number;
	callerId?: string | number;
	text?: string;
	audioUrl?: string;
	count?: number;
	variable?: string;
	routes?: { route?: Array<{ key?: string; step?: string | number }> };
	anyInput?: string | number;
	url?: string;
	method?: string;
	onSuccess?: string | number;
	onFailure?: string | number;
	endCall?: boolean;
	nextStep?: string | number;
}

/** A step as the user entered it: the schema's input shape, possibly incomplete until checked. */
export type DraftStep = Partial<FlowStepInput>;

export interface BuiltFlow {
	steps: DraftStep[];
	errors: FlowProblem[];
	warnings: FlowProblem[];
}

const blank = (value: unknown): boolean =>
	value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
const given = <T>(value: T | undefined): T | undefined => (blank(value) ? undefined : value);
/** Text and numbers are trimmed text; anything else is left for the schema to name. */
const asText = (value: unknown): unknown =>
	typeof value === 'string' || typeof value === 'number' ? String(value).trim() : value;

/** The step types that offer "End Call After This Step" (the editor shows it for these only). */
export const END_CALL_TYPES: readonly string[] = ['play', 'playAudio', 'connect'];

/** "End Call After This Step" wins over a Next Step the editor still holds but no longer shows. */
const endsCall = (entry: StepListEntry): boolean =>
	entry.endCall === true && END_CALL_TYPES.includes(entry.type ?? '');

/** Sets only the fields that have a value, so an unset field reads as missing, not as undefined. */
function draft(fields: Record<string, unknown>): DraftStep {
	const step: Record<string, unknown> = {};
	for (const key in fields) if (fields[key] !== undefined) step[key] = fields[key];
	return step as DraftStep;
}

/**
 * Which entries of a step list were given a Caller ID of their own, read from the parameters as
 * stored (before n8n resolves expressions): an expression that finds nothing is still the step's
 * own Caller ID, and is reported empty rather than replaced by the call's.
 */
export function ownCallerIds(storedEntries: unknown): boolean[] {
	return (Array.isArray(storedEntries) ? storedEntries : []).map(
		(entry: unknown) =>
			typeof entry === 'object' && entry !== null && !blank((entry as StepListEntry).callerId),
	);
}

/**
 * Version 1.1's step list with the call's Caller ID in each Call and Connect step without its own
 * (`own`: see `ownCallerIds`).
 */
export function fromVersion11(
	entries: readonly StepListEntry[],
	callWideCallerId: unknown,
	own: readonly boolean[],
): StepListEntry[] {
	return entries.map((entry, index) => {
		if (typeof entry !== 'object' || entry === null) return entry;
		if ((entry.type === 'call' || entry.type === 'connect') && !own[index])
			return { ...entry, callerId: callWideCallerId as StepListEntry['callerId'] };
		return entry;
	});
}

/**
 * Version 1.1's labels: a step's own Caller ID is its "Caller ID for This Step"; one it took from
 * the call is the "Caller ID" above the steps.
 */
export function version11Label(own: readonly boolean[]): FieldLabeler {
	return (field, stepType, stepIndex) =>
		field === 'caller_id' && stepIndex !== undefined && own[stepIndex]
			? '"Caller ID for This Step"'
			: stepListLabel(field, stepType, stepIndex);
}

/**
 * `version`: the node's. In 1.1 a Say Text step (`play`) has one field, Text to Speak, and a Play
 * Audio File step one, Audio URL: an empty one is named as empty. In version 1 a Play step takes
 * either or both, and one with neither is told so.
 */
export function buildFlowFromStepList(
	rawEntries: readonly StepListEntry[],
	version = 1,
): BuiltFlow {
	const entries = rawEntries.map((entry) =>
		typeof entry === 'object' && entry !== null ? entry : {},
	);
	// An id left blank is the step's position, counted from 1 as the list shows them.
	const ids = entries.map((entry, index) =>
		blank(entry.stepId) ? String(index + 1) : asText(entry.stepId),
	);
	const errors: FlowProblem[] = [];
	const steps = entries.map((entry, index): DraftStep => {
		// A blank next step continues with the next step in the list; the last step ends the flow.
		const following = typeof ids[index + 1] === 'string' ? (ids[index + 1] as string) : undefined;
		const next = (value: unknown) => (blank(value) ? following : asText(value));
		const plainNext = () => (endsCall(entry) ? undefined : next(entry.nextStep));
		const id = ids[index];
		const type = entry.type;
		switch (type) {
			case 'call':
			case 'connect':
				return draft({
					id,
					type,
					number: entry.number ?? '',
					caller_id: entry.callerId ?? '',
					next_step: plainNext(),
				});
			case 'play':
				return draft({
					id,
					type,
					text: version >= 1.1 ? (entry.text ?? '') : given(entry.text),
					url: version >= 1.1 ? undefined : given(entry.audioUrl),
					next_step: plainNext(),
				});
			case 'playAudio':
				// Version 1.1's Play Audio File: a Samespace play step with only its file.
				return draft({ id, type: 'play', url: entry.audioUrl ?? '', next_step: plainNext() });
			case 'digits': {
				const { routes, problems } = digitRoutes(entry, next(entry.anyInput));
				const stepId = typeof id === 'string' ? id : undefined;
				errors.push(
					...problems.map((message) => ({
						severity: 'error' as const,
						stepIndex: index,
						stepId,
						stepType: 'digits',
						field: 'routes',
						message,
					})),
				);
				return draft({
					id,
					type,
					count: entry.count,
					variable: entry.variable ?? '',
					next_step: routes,
				});
			}
			case 'http':
			case 'answer': {
				const success = next(entry.onSuccess);
				const fail = next(entry.onFailure);
				// Samespace routes an http step on both outcomes; as the last step it has nowhere to go.
				const routes = success === undefined && fail === undefined ? undefined : { success, fail };
				if (type === 'answer') return draft({ id, type, next_step: routes });
				return draft({
					id,
					type,
					url: entry.url ?? '',
					method: given(entry.method),
					next_step: routes,
				});
			}
			default:
				return draft({ id, type });
		}
	});
	return { steps, errors, warnings: positionalReferences(entries, steps) };
}

/**
 * A route written as the number of a step that has no Step ID follows that position: once steps
 * are moved, it leads elsewhere without any error. The editor shows no step numbers, so say so.
 */
function positionalReferences(
	entries: readonly StepListEntry[],
	steps: readonly DraftStep[],
): FlowProblem[] {
	const unnamed = new Set<string>();
	entries.forEach((entry, index) => {
		if (blank(entry.stepId)) unnamed.add(String(index + 1));
	});
	if (unnamed.size === 0) return [];
	const warnings: FlowProblem[] = [];
	const warn = (index: number, field: string, target: unknown) => {
		if (typeof target !== 'string' || !unnamed.has(target)) return;
		const step = steps[index] as { id?: unknown; type?: unknown };
		warnings.push({
			severity: 'warning',
			stepIndex: index,
			stepId: typeof step.id === 'string' ? step.id : undefined,
			stepType: typeof step.type === 'string' ? step.type : undefined,
			field,
			message: `goes to "${target}", the position of step ${target}, which has no Step ID: if steps are moved, this leads to a different step. Give step ${target} a Step ID (e.g. "menu") and use it here`,
		});
	};
	entries.forEach((entry, index) => {
		const written = (value: unknown) => (blank(value) ? undefined : asText(value));
		if (entry.type === 'digits') {
			const list: unknown = entry.routes?.route;
			// Routes without a usable key are errors already (see digitRoutes).
			for (const route of Array.isArray(list)
				? (list as Array<{ key?: unknown; step?: unknown } | null>)
				: []) {
				const key = route?.key;
				if (typeof key === 'string' || typeof key === 'number')
					warn(index, `next_step.${key}`, written(route?.step));
			}
			warn(index, `next_step.${ANY_INPUT_KEY}`, written(entry.anyInput));
		} else if (entry.type === 'http' || entry.type === 'answer') {
			warn(index, 'next_step.success', written(entry.onSuccess));
			warn(index, 'next_step.fail', written(entry.onFailure));
		} else if (!endsCall(entry)) warn(index, 'next_step', written(entry.nextStep));
	});
	return warnings;
}

function digitRoutes(entry: StepListEntry, anyInput: unknown) {
	const routes: Record<string, unknown> = {};
	const problems: string[] = [];
	const list: unknown = entry.routes?.route;
	(Array.isArray(list) ? list : []).forEach(
		(route: { key?: unknown; step?: unknown } | null, position) => {
			const key = route?.key;
			if (blank(key) || blank(route?.step)) {
				problems.push(
					`route ${position + 1} has no key or no step: choose the key pressed and the id of the step it leads to, or delete the route`,
				);
			} else if (typeof key !== 'string' && typeof key !== 'number') {
				problems.push(
					`route ${position + 1}: the key pressed is not a key you can route on: choose a digit 0-9 or "#"`,
				);
			} else if (Object.hasOwn(routes, String(key))) {
				problems.push(`key "${shorten(String(key))}" has two routes: keep one`);
			} else {
				// An own property even for a key such as "__proto__"; the schema then says it is no route key.
				Object.defineProperty(routes, String(key), {
					value: asText(route?.step),
					enumerable: true,
					writable: true,
					configurable: true,
				});
			}
		},
	);
	if (anyInput !== undefined) {
		const explicit = routes[ANY_INPUT_KEY];
		if (explicit !== undefined && !blank(entry.anyInput) && explicit !== anyInput) {
			const both =
				typeof explicit === 'string' && typeof anyInput === 'string'
					? ` ("${shorten(explicit)}" and "${shorten(anyInput)}")`
					: '';
			problems.push(
				`the route for "*" and "Any Other Input Goes To" lead to different steps${both}: Samespace uses "*" for any input, so keep one`,
			);
		} else if (explicit === undefined) routes[ANY_INPUT_KEY] = anyInput;
	}
	return { routes, problems };
}

/** The labels the step list shows, so a problem names the field as the user sees it. */
const STEP_LIST_LABELS: Record<string, string> = {
	id: 'Step ID',
	type: 'Type',
	number: 'Phone Number',
	caller_id: 'Caller ID',
	text: 'Text to Speak',
	count: 'Digits to Gather',
	variable: 'Save Digits As',
	method: 'Method',
	routes: 'Routes',
	next_step: 'Next Step',
	'next_step.success': 'On Success Go To',
	'next_step.fail': 'On Failure Go To',
	[`next_step.${ANY_INPUT_KEY}`]: 'Any Other Input Goes To',
};

export const stepListLabel: FieldLabeler = (field, stepType) => {
	if (field === 'url') return stepType === 'play' ? '"Audio URL"' : '"URL"';
	if (field === 'number' && stepType === 'connect') return '"Connect To"';
	if (field === 'next_step' && (stepType === 'http' || stepType === 'answer'))
		return '"On Success Go To" and "On Failure Go To"';
	if (field === 'next_step' && stepType === 'digits')
		return '"Routes" and "Any Other Input Goes To"';
	const label = STEP_LIST_LABELS[field];
	if (label) return `"${label}"`;
	const route = /^next_step\.(.+)$/.exec(field);
	return route ? `the route for key "${route[1]}"` : `"${field}"`;
};
