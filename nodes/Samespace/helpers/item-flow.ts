/**
 * Reading one item's flow from the node's parameters and checking it, before anything is sent.
 */
import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';

import {
	checkFlow,
	describeProblem,
	type AnswerSteps,
	type FlowProblem,
	type ProblemWording,
} from '../flow/check';
import { parseJsonText } from '../flow/json-text';
import type { CallFlow } from '../flow/schema';
import {
	buildFlowFromStepList,
	fromVersion11,
	ownCallerIds,
	stepListLabel,
	version11Label,
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

/** How a step list is read and its problems worded (a JSON flow needs none of it). */
export interface StepListReading extends ProblemWording {
	/** The node's version: 1.1 has Say Text, Play Audio File and one Caller ID for the call. */
	version?: number;
	/** Version 1.1: the Caller ID above the steps. */
	callerId?: unknown;
	/** Version 1.1: the steps given their own Caller ID, as stored (see `ownCallerIds`). */
	ownCallerIds?: readonly boolean[];
}

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
	reading: StepListReading = {},
): ItemFlow {
	let rawFlow: unknown;
	// JSON: the user wrote the ids and types, so steps are named by them (the default); a flow the
	// node writes itself says, by `wording`, which of its parameters a problem is in.
	let { label, name } = reading;
	const buildErrors: FlowProblem[] = [];
	const buildWarnings: FlowProblem[] = [];
	if (source === 'steps') {
		let entries = Array.isArray(parameter) ? (parameter as StepListEntry[]) : [];
		if (entries.length === 0)
			return rejected(
				['The step list is empty: add a Call step, then what should happen in the call'],
				[],
			);
		const { version = 1 } = reading;
		if (version >= 1.1) {
			const own = reading.ownCallerIds ?? ownCallerIds(entries);
			entries = fromVersion11(entries, reading.callerId ?? '', own);
			label ??= version11Label(own);
		}
		const built = buildFlowFromStepList(entries, version);
		rawFlow = built.steps;
		buildErrors.push(...built.errors);
		buildWarnings.push(...built.warnings);
		label ??= stepListLabel;
		// Named from the entries as the editor shows them (blank Step IDs became positions), with
		// the names of the version's Type dropdown ("Play" in 1, "Say Text" in 1.1).
		name ??= stepListNamer(entries, stepTypeNames(version));
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

/**
 * What every item's flow is read with that comes from the node itself, not from an item: its
 * version and, in 1.1, which steps were given their own Caller ID (see `ownCallerIds`). The same
 * for every item, so read once per execution: n8n's `getNode()` copies the whole node each time.
 */
export interface NodeFlowSettings {
	version: number;
	ownCallerIds: readonly boolean[];
}

export function nodeFlowSettings(node: INode): NodeFlowSettings {
	const stored = node.parameters.steps as { step?: unknown } | undefined;
	return { version: node.typeVersion, ownCallerIds: ownCallerIds(stored?.step) };
}

/**
 * Reads and checks the flow of item `itemIndex`; an expression that fails rejects the item. A
 * caller reading many items passes `settings`, read once.
 */
export function readItemFlow(
	ctx: IExecuteFunctions,
	itemIndex: number,
	answerSteps: AnswerSteps = 'forbidden',
	settings: NodeFlowSettings = nodeFlowSettings(ctx.getNode()),
): ItemFlow {
	try {
		return prepareItem(ctx, itemIndex, answerSteps, settings);
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
	{ version, ownCallerIds: own }: NodeFlowSettings,
): ItemFlow {
	const source = ctx.getNodeParameter('source', itemIndex, 'steps') as FlowSource;
	const parameter =
		source === 'steps'
			? ctx.getNodeParameter('steps.step', itemIndex, [])
			: ctx.getNodeParameter('flowJson', itemIndex, '');
	const record = ctx.getNodeParameter('record', itemIndex, false);
	if (typeof record !== 'boolean')
		return rejected(
			[`"Record Call" must be true or false, but the expression gave ${JSON.stringify(record)}`],
			[],
		);
	if (source !== 'steps' || version < 1.1)
		return checkItemFlow(source, parameter, record, answerSteps, { version });
	return checkItemFlow(source, parameter, record, answerSteps, {
		version,
		callerId: ctx.getNodeParameter('callerId', itemIndex, ''),
		ownCallerIds: own,
	});
}

/** The request that places `call`: `{record, flow}` to `{Base URL}/call/flow`, with the token. */
export function callFlowRequest(connection: Connection, call: PreparedCall): ApiRequest {
	return {
		url: connection.endpoint,
		credential: connection.credential,
		body: () => ({ record: call.record, flow: call.flow as unknown as IDataObject[] }),
	};
}
