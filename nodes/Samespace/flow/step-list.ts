/**
 * The step list of the editor, turned into a Samespace flow. It only rearranges what the user
 * entered (blank ids become positions, blank next steps become "the next step in the list");
 * checking what came out is the schema's job, so both ways of giving a flow are checked alike.
 */
import type { FieldLabeler, FlowProblem } from './check';
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
	nextStep?: string | number;
}

/** A step as the user entered it: the schema's input shape, possibly incomplete until checked. */
export type DraftStep = Partial<FlowStepInput>;

export interface BuiltFlow {
	steps: DraftStep[];
	errors: FlowProblem[];
}

const blank = (value: unknown): boolean => value === undefined || value === null || String(value).trim() === '';
const given = <T>(value: T | undefined): T | undefined => (blank(value) ? undefined : value);

export function buildFlowFromStepList(entries: readonly StepListEntry[]): BuiltFlow {
	// An id left blank is the step's position, counted from 1 as the list shows them.
	const ids = entries.map((entry, index) => (blank(entry.stepId) ? String(index + 1) : String(entry.stepId).trim()));
	const errors: FlowProblem[] = [];
	const steps = entries.map((entry, index): DraftStep => {
		// A blank next step continues with the next step in the list; the last step ends the flow.
		const following = ids[index + 1];
		const next = (value: string | number | undefined) => given(value) ?? following;
		const id = ids[index];
		const common = { id, type: entry.type as never };
		switch (entry.type) {
			case 'call':
			case 'connect':
				return { ...common, number: entry.number ?? '', caller_id: entry.callerId ?? '', next_step: next(entry.nextStep) };
			case 'play':
				return { ...common, text: given(entry.text), url: given(entry.audioUrl), next_step: next(entry.nextStep) };
			case 'digits': {
				const { routes, problems } = digitRoutes(entry, next(entry.anyInput));
				errors.push(...problems.map((message) => ({ severity: 'error' as const, stepIndex: index, stepId: id, stepType: 'digits', field: 'routes', message })));
				return { ...common, count: entry.count as number, variable: entry.variable ?? '', next_step: routes };
			}
			case 'http': {
				const success = next(entry.onSuccess);
				const fail = next(entry.onFailure);
				return {
					...common,
					url: entry.url ?? '',
					method: given(entry.method),
					// Samespace routes an http step on both outcomes; as the last step it has nowhere to go.
					next_step: success === undefined && fail === undefined ? undefined : { success, fail },
				};
			}
			default:
				return common;
		}
	});
	return { steps: steps.map(withoutUndefined), errors };
}

function digitRoutes(entry: StepListEntry, anyInput: string | number | undefined) {
	const routes: Record<string, string | number> = {};
	const problems: string[] = [];
	for (const route of entry.routes?.route ?? []) {
		if (blank(route.key) || blank(route.step)) {
			problems.push('a route has no key or no step: choose the key pressed and the id of the step it leads to, or delete the route');
			continue;
		}
		const key = String(route.key);
		if (key in routes) {
			problems.push(`key "${key}" has two routes: keep one`);
			continue;
		}
		routes[key] = route.step as string | number;
	}
	if (anyInput !== undefined) {
		const explicit = routes[ANY_INPUT_KEY];
		if (explicit !== undefined && !blank(entry.anyInput) && String(explicit) !== String(anyInput)) {
			problems.push(
				`the route for "*" and "Any Other Input Goes To" lead to different steps ("${explicit}" and "${anyInput}"): Samespace uses "*" for any input, so keep one`,
			);
		} else if (explicit === undefined) routes[ANY_INPUT_KEY] = anyInput;
	}
	return { routes, problems };
}

function withoutUndefined<T extends object>(step: T): T {
	return Object.fromEntries(Object.entries(step).filter(([, value]) => value !== undefined)) as T;
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
	if (field === 'next_step' && stepType === 'http') return '"On Success Go To" and "On Failure Go To"';
	if (field === 'next_step' && stepType === 'digits') return '"Routes" and "Any Other Input Goes To"';
	const label = STEP_LIST_LABELS[field];
	if (label) return `"${label}"`;
	const route = /^next_step\.(.+)$/.exec(field);
	return route ? `the route for key "${route[1]}"` : `"${field}"`;
};
