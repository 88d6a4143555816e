/**
 * Checking a flow: the schema's errors turned into problems that name the step (position, id and
 * type, or as the step list shows it) and the field, plus the warnings that do not stop a call but
 * usually mean a mistake.
 */
import type { z } from 'zod/v4';

import { readFlowPaths, storedBefore, type FlowPaths } from './graph';
import { shorten } from './quote';
import { ANSWER_STEP_TYPE, PLACEHOLDER, flowSchema, type CallFlow } from './schema';

/**
 * Whether the flow may (and must) hold a "Send Answer to Workflow" step: only the operation Call
 * and Wait for Answer can take the report, and it needs one.
 */
export type AnswerSteps = 'forbidden' | 'required';

export interface FlowProblem {
	severity: 'error' | 'warning';
	/** 0-based position of the step in the flow; absent for problems of the flow as a whole. */
	stepIndex?: number;
	stepId?: string;
	stepType?: string;
	/** Field path inside the step, e.g. `next_step.success`. */
	field?: string;
	/** What is wrong and how to fix it. */
	message: string;
}

export interface FlowCheck {
	/** The flow as it is sent; present only when there are no errors. */
	flow?: CallFlow;
	errors: FlowProblem[];
	warnings: FlowProblem[];
}

/** Maps a field path to the name the user sees for it (the step list uses its own labels). */
export type FieldLabeler = (
	field: string,
	stepType: string | undefined,
	/** 0-based position of the step, when the problem is in one. */
	stepIndex?: number,
) => string;

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
	typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: undefined;

function locate(
	rawSteps: unknown,
	index: number | undefined,
): Pick<FlowProblem, 'stepIndex' | 'stepId' | 'stepType'> {
	if (index === undefined || !Array.isArray(rawSteps)) return {};
	const step = asRecord(rawSteps[index]);
	const id = step?.id;
	return {
		stepIndex: index,
		stepId: typeof id === 'string' || typeof id === 'number' ? shorten(String(id), 40) : undefined,
		stepType: typeof step?.type === 'string' ? shorten(step.type, 20) : undefined,
	};
}

function fromIssue(rawSteps: unknown, issue: z.core.$ZodIssue): FlowProblem {
	const [first, ...rest] = issue.path;
	const index = typeof first === 'number' ? first : undefined;
	const fieldPath = index === undefined ? issue.path : rest;
	return {
		severity: 'error',
		...locate(rawSteps, index),
		field: fieldPath.length > 0 ? fieldPath.join('.') : undefined,
		message: issue.message,
	};
}

export function checkFlow(rawSteps: unknown, answerSteps: AnswerSteps = 'forbidden'): FlowCheck {
	const parsed = flowSchema.safeParse(rawSteps);
	const errors = parsed.success
		? []
		: parsed.error.issues.map((issue) => fromIssue(rawSteps, issue));
	let warnings: FlowProblem[] = [];
	if (Array.isArray(rawSteps)) {
		const paths = readFlowPaths(rawSteps);
		warnings = flowWarnings(rawSteps, paths);
		errors.push(...answerStepProblems(rawSteps, paths, answerSteps));
	}
	if (errors.length === 0 && parsed.success) return { flow: parsed.data, errors: [], warnings };
	errors.sort((a, b) => (a.stepIndex ?? -1) - (b.stepIndex ?? -1));
	return { errors, warnings };
}

/** Send Answer to Workflow steps where the operation cannot take a report, or none that can run. */
function answerStepProblems(
	rawSteps: readonly unknown[],
	paths: FlowPaths,
	answerSteps: AnswerSteps,
): FlowProblem[] {
	const error = (
		index: number | undefined,
		field: string | undefined,
		message: string,
	): FlowProblem => ({
		severity: 'error',
		...locate(rawSteps, index),
		field,
		message,
	});
	const at = rawSteps.flatMap((raw, index) =>
		asRecord(raw)?.type === ANSWER_STEP_TYPE ? [index] : [],
	);
	if (answerSteps === 'forbidden') {
		return at.map((index) =>
			error(
				index,
				'type',
				'a Send Answer to Workflow step works only with the operation "Call and Wait for Answer": choose that operation, or remove this step',
			),
		);
	}
	if (at.length === 0) {
		return [
			error(
				undefined,
				undefined,
				'has no Send Answer to Workflow step, so the call could never report back: add one after the Gather Digits steps whose keys the workflow needs',
			),
		];
	}
	if (at.some((index) => paths.fromStart.has(index))) return [];
	return at.map((index) =>
		error(
			index,
			undefined,
			'can never be reached from the first step, so the call could never report back: point a next step or route at it',
		),
	);
}

/** Things that do not stop a call but are probably not what the user meant. */
function flowWarnings(rawSteps: readonly unknown[], paths: FlowPaths): FlowProblem[] {
	const warnings: FlowProblem[] = [];
	const warn = (index: number | undefined, field: string | undefined, message: string) =>
		warnings.push({ severity: 'warning', ...locate(rawSteps, index), field, message });

	const reachable = paths.fromStart;
	for (let index = 0; index < rawSteps.length; index++) {
		if (!reachable.has(index))
			warn(
				index,
				undefined,
				'can never be reached from the first step: point a next step or route at it, or remove it',
			);
	}

	const uses: Array<{ index: number; name: string }> = [];
	rawSteps.forEach((raw, index) => {
		const step = asRecord(raw);
		if (step?.type !== 'http' || typeof step.url !== 'string') return;
		for (const [, name] of step.url.matchAll(PLACEHOLDER)) uses.push({ index, name });
	});
	storedBefore(rawSteps, paths, uses).forEach((stored, use) => {
		if (stored) return;
		const { index, name } = uses[use];
		warn(
			index,
			'url',
			`uses {{${name}}}, but no digits step before it stores a variable "${name}": Samespace will leave it empty. Add a digits step with variable "${name}", or fix the name`,
		);
	});

	const idTypes = new Set(rawSteps.map((raw) => typeof asRecord(raw)?.id));
	if (idTypes.has('string') && idTypes.has('number'))
		warn(
			undefined,
			'id',
			'some ids are numbers and some are text: all are sent as text ("1"), as Samespace documents them',
		);
	return warnings;
}

/** Names the step of a problem: where the user finds it, e.g. `step 4 (id "5", http)`. */
export type StepNamer = (problem: FlowProblem & { stepIndex: number }) => string;

/** How problems name the field and the step; unset, as a flow JSON writes them. */
export interface ProblemWording {
	label?: FieldLabeler;
	name?: StepNamer;
}

/**
 * A step named as a flow JSON writes it, by position, id and type (`step 4 (id "5", http)`):
 * right when the user wrote the ids and types themselves.
 */
export const stepAsWritten: StepNamer = (problem) => {
	const details = [
		problem.stepId !== undefined ? `id "${problem.stepId}"` : 'no id',
		problem.stepType,
	]
		.filter(Boolean)
		.join(', ');
	return `step ${problem.stepIndex + 1} (${details})`;
};

/**
 * `step 4 (id "5", http), next_step.success: points to …`; problems of the flow as a whole are
 * `flow: …`. `label` names the field and `name` the step as the user sees them.
 */
export function describeProblem(
	problem: FlowProblem,
	label?: FieldLabeler,
	name: StepNamer = stepAsWritten,
): string {
	const { stepIndex } = problem;
	const where = stepIndex === undefined ? 'flow' : name({ ...problem, stepIndex });
	const field =
		problem.field && (label ? label(problem.field, problem.stepType, stepIndex) : problem.field);
	return `${where}${field ? `, ${field}` : ''}: ${problem.message}`;
}
