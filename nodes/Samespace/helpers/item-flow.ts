/**
 * Reading one item's flow from the node's parameters and checking it, before anything is sent.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	checkFlow,
	describeProblem,
	type AnswerSteps,
	type FieldLabeler,
	type FlowProblem,
	type ProblemWording,
} from '../flow/check';
import { parseJsonText } from '../flow/json-text';
import type { CallFlow } from '../flow/schema';
import {
	buildFlowFromStepList,
	fromVersion11,
	version11Label,
	stepListLabel,
	type StepListEntry,
} from '../flow/step-list';
import { stepListNamer, stepTypeNames } from '../flow/step-names';
import { isRecord } from '../flow/is-record';
import type { Connection } from '../transport/connection';
import type { ApiRequest } from '../transport/request';

export type FlowSource = 'steps' | 'json';

export interface PreparedCall {
	ok: true;
	record: boolean;
	flow: CallFlow;
	warnings: string[];
}

export interface RejectedCall {
	ok: false;
	/** One line naming the first problem (and how many more there are). */
	message: string;
	/** What the message does not say: the other problems, numbered, and the warnings. */
	description: string;
	problems: string[];
	warnings: string[];
}

export type ItemFlow = PreparedCall | RejectedCall;

/** The JSON parameter: text to parse, the flow array itself, or a whole pasted payload. */
export function readJsonFlow(value: unknown): { flow?: unknown; problem?: string } {
	let data = value;
	if (typeof data === 'string') {
		if (data.trim() === '')
			return {
				problem:
					'The flow JSON is empty: give the flow array, e.g. [{"id": "1", "type": "call", ...}]',
			};
		const parsed = parseJsonText(data);
		if (!parsed.ok) return { problem: parsed.message };
		data = parsed.value;
	}
	// A whole request pasted from the Samespace document: its flow is what counts; the
	// credential supplies cloud_id and auth_token.
	if (isRecord(data) && 'flow' in data) data = data.flow;
	return { flow: data };
}

export function checkItemFlow(
	source: FlowSource,
	parameter: unknown,
	record: boolean,
	answerSteps: AnswerSteps = 'forbidden',
	wording: ProblemWording = {},
	/** The node's version, for what its step list's fields mean (see `buildFlowFromStepList`). */
	version = 1,
): ItemFlow {
	let rawFlow: unknown;
	// JSON: the user wrote the ids and types, so steps are named by them (the default); a flow the
	// node writes itself says, by `wording`, which of its parameters a problem is in.
	let { label, name } = wording;
	const buildErrors: FlowProblem[] = [];
	const buildWarnings: FlowProblem[] = [];
	if (source === 'steps') {
		const entries = Array.isArray(parameter) ? (parameter as StepListEntry[]) : [];
		if (entries.length === 0)
			return rejected(
				['The step list is empty: add a Call step, then what should happen in the call'],
				[],
			);
		const built = buildFlowFromStepList(entries, version);
		rawFlow = built.steps;
		buildErrors.push(...built.errors);
		buildWarnings.push(...built.warnings);
		label ??= stepListLabel;
		// Named from the entries as the editor shows them (blank Step IDs became positions), with
		// the Type dropdown's names of node version 1 unless `wording` names them otherwise.
		name ??= stepListNamer(entries);
	} else {
		const read = readJsonFlow(parameter);
		if (read.problem) return rejected([read.problem], []);
		rawFlow = read.flow;
	}

	const check = checkFlow(rawFlow, answerSteps);
	const describe = (problem: FlowProblem) => describeProblem(problem, label, name);
	// Warnings about the flow as a whole come last, after those of its steps.
	const warnings = [...buildWarnings, ...check.warnings]
		.sort((a, b) => (a.stepIndex ?? Infinity) - (b.stepIndex ?? Infinity))
		.map(describe);
	const errors = [...buildErrors, ...check.errors].sort(byStep);
	if (errors.length > 0 || !check.flow) return rejected(errors.map(describe), warnings);
	return { ok: true, record, flow: check.flow, warnings };
}

const NOTHING_SENT = 'Nothing was sent for this item.';

const byStep = (a: FlowProblem, b: FlowProblem) => (a.stepIndex ?? -1) - (b.stepIndex ?? -1);

/**
 * n8n shows `message` as the error's headline and `description` under it: the headline names the
 * first problem, so the description says what the headline does not (the other problems, numbered
 * on from it, and the warnings), never the headline again. `problems` holds them all.
 */
function rejected(problems: string[], warnings: string[]): RejectedCall {
	const others = problems.length - 1;
	const more = others > 0 ? ` (and ${others} more problem${others > 1 ? 's' : ''})` : '';
	const lines = [NOTHING_SENT];
	if (others > 0)
		lines.push(
			`Also fix ${others > 1 ? `these ${others}` : 'this one'}:`,
			...problems.slice(1).map((problem, index) => `${index + 2}. ${problem}`),
		);
	if (warnings.length > 0)
		lines.push('Also worth a look:', ...warnings.map((warning) => `- ${warning}`));
	return {
		ok: false,
		message: `${problems[0]}${more}`,
		description: lines.join('\n'),
		problems,
		warnings,
	};
}

/** Reads and checks the flow of item `itemIndex`; an expression that fails rejects the item. */
export function readItemFlow(
	ctx: IExecuteFunctions,
	itemIndex: number,
	answerSteps: AnswerSteps = 'forbidden',
): ItemFlow {
	try {
		return prepareItem(ctx, itemIndex, answerSteps);
	} catch (error) {
		// An expression that cannot be evaluated for this item, e.g. {{ $json.lead.phone }} on an item without a lead.
		const message = `a parameter could not be read: ${(error as Error).message}`;
		return {
			ok: false,
			message,
			description: `${NOTHING_SENT} Fix the expression, or give the item the data it reads.`,
			problems: [message],
			warnings: [],
		};
	}
}

function prepareItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	answerSteps: AnswerSteps,
): ItemFlow {
	const source = ctx.getNodeParameter('source', itemIndex, 'steps') as FlowSource;
	let parameter =
		source === 'steps'
			? ctx.getNodeParameter('steps.step', itemIndex, [])
			: ctx.getNodeParameter('flowJson', itemIndex, '');
	let label: FieldLabeler | undefined;
	if (source === 'steps' && ctx.getNode().typeVersion >= 1.1 && Array.isArray(parameter)) {
		// Labelled by what the user entered: a step's own Caller ID, or the call's.
		label = version11Label(parameter as StepListEntry[]);
		parameter = fromVersion11(
			parameter as StepListEntry[],
			ctx.getNodeParameter('callerId', itemIndex, ''),
		);
	}
	const record = ctx.getNodeParameter('record', itemIndex, false);
	if (typeof record !== 'boolean')
		return rejected(
			[`"Record Call" must be true or false, but the expression gave ${JSON.stringify(record)}`],
			[],
		);
	// A step is named by the Type dropdown of this node's version ("Play" in 1, "Say Text" in 1.1).
	const names = stepTypeNames(ctx.getNode().typeVersion);
	const name =
		source === 'steps' && Array.isArray(parameter)
			? stepListNamer(parameter as StepListEntry[], names)
			: undefined;
	return checkItemFlow(
		source,
		parameter,
		record,
		answerSteps,
		{ label, name },
		ctx.getNode().typeVersion,
	);
}

/** The request that places `call`: `{record, flow}` to `{Base URL}/call/flow`, with the token. */
export function callFlowRequest(connection: Connection, call: PreparedCall): ApiRequest {
	return {
		url: connection.endpoint,
		credential: connection.credential,
		body: () => ({ record: call.record, flow: call.flow as unknown as IDataObject[] }),
	};
}
