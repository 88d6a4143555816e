/**
 * What the node hands downstream and what it throws: output items, error items and n8n errors,
 * all passed through `redact` so the auth token can never leave in them.
 */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import type { CallFlow } from '../flow/schema';
import type { Failure } from '../transport/outcome';
import type { RejectedCall } from './prepare';

export const MASK = '********';

export type Redact = <T>(value: T) => T;

/**
 * Replaces the secret wherever it appears in a value (strings, arrays, objects). The secret is
 * searched in the serialized value first, so the common case costs one `includes`.
 */
export function makeRedactor(secret: string): Redact {
	if (secret.length < 4) return (value) => value; // too short to search for without mangling output
	// How the secret looks inside serialized JSON (quotes and backslashes escaped).
	const serialized = JSON.stringify(secret).slice(1, -1);
	const scrub = (value: unknown): unknown => {
		if (typeof value === 'string') return value.split(secret).join(MASK);
		if (Array.isArray(value)) return value.map(scrub);
		if (typeof value === 'object' && value !== null) {
			return Object.fromEntries(Object.entries(value).map(([key, inner]) => [scrub(key), scrub(inner)]));
		}
		return value;
	};
	return <T>(value: T): T => {
		if (typeof value === 'string') return (value.includes(secret) ? scrub(value) : value) as T;
		if (typeof value !== 'object' || value === null) return value;
		return (JSON.stringify(value).includes(serialized) ? scrub(value) : value) as T;
	};
}

const itemLabel = (itemIndex: number) => `Item ${itemIndex + 1}`;

export function invalidFlowError(node: INode, itemIndex: number, rejected: RejectedCall, redact: Redact): NodeOperationError {
	return new NodeOperationError(node, redact(`${itemLabel(itemIndex)}: invalid call flow: ${rejected.message}`), {
		itemIndex,
		description: redact(rejected.description),
	});
}

export function invalidFlowItem(itemIndex: number, rejected: RejectedCall, redact: Redact): INodeExecutionData {
	return {
		json: redact({
			error: `${itemLabel(itemIndex)}: invalid call flow: ${rejected.message}`,
			description: rejected.description,
			problems: rejected.problems,
			warnings: rejected.warnings,
			callPlaced: false,
		}),
		pairedItem: { item: itemIndex },
	};
}

export function failedCallItem(itemIndex: number, failure: Failure, attempts: number, redact: Redact): INodeExecutionData {
	const json: IDataObject = {
		error: `${itemLabel(itemIndex)}: ${failure.message}`,
		description: failure.description,
		outcome: failure.kind,
		callMayHaveBeenPlaced: failure.kind === 'uncertain' || failure.kind === 'cancelled',
		attempts,
	};
	if (failure.statusCode !== undefined) json.statusCode = failure.statusCode;
	if (failure.code !== undefined) json.networkError = failure.code;
	return { json: redact(json), pairedItem: { item: itemIndex } };
}

export function acceptedCallItem(
	itemIndex: number,
	body: IDataObject,
	submitted: { record: boolean; flow: CallFlow } | undefined,
	redact: Redact,
): INodeExecutionData {
	const json = submitted ? { ...body, submitted: submitted as unknown as IDataObject } : body;
	return { json: redact(json), pairedItem: { item: itemIndex } };
}

/** Compact list of 0-based indexes as 1-based item numbers: `1-3, 7`. */
export function itemRanges(indexes: number[]): string {
	const sorted = [...new Set(indexes)].sort((a, b) => a - b);
	const ranges: string[] = [];
	for (let start = 0; start < sorted.length; ) {
		let end = start;
		while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end++;
		ranges.push(start === end ? `${sorted[start] + 1}` : `${sorted[start] + 1}-${sorted[end] + 1}`);
		start = end + 1;
	}
	return ranges.join(', ');
}

export interface RunSummary {
	accepted: number[];
	notStarted: number[];
}

function summaryLines(summary: RunSummary): string[] {
	const lines = [
		summary.accepted.length > 0
			? `${summary.accepted.length} call${summary.accepted.length > 1 ? 's were' : ' was'} accepted by Samespace (items ${itemRanges(summary.accepted)}).`
			: 'No call was accepted by Samespace.',
	];
	if (summary.notStarted.length > 0)
		lines.push(`${summary.notStarted.length} item${summary.notStarted.length > 1 ? 's were' : ' was'} not sent (items ${itemRanges(summary.notStarted)}).`);
	return lines;
}

/** The first failure stopped the run (no "continue on fail"): say what happened to every item. */
export function stoppedRunError(
	node: INode,
	itemIndex: number,
	failure: Failure,
	summary: RunSummary,
	redact: Redact,
): NodeApiError {
	const description = [
		failure.description,
		...summaryLines(summary),
		'To send the remaining items without calling anyone twice, run the workflow again with only the items that were not accepted, or turn on "Continue On Fail" (Settings) to get one result per item.',
	].join('\n');
	const message = redact(`${itemLabel(itemIndex)}: ${failure.message}`);
	const context: JsonObject = { message, description: redact(description) };
	if (failure.statusCode !== undefined) context.httpCode = String(failure.statusCode);
	return new NodeApiError(node, context, {
		message,
		description: redact(description),
		httpCode: failure.statusCode !== undefined ? String(failure.statusCode) : undefined,
		itemIndex,
	});
}

export function cancelledRunError(node: INode, summary: RunSummary): NodeOperationError {
	// n8n marks an execution "canceled" (not failed) when the error says so.
	return new NodeOperationError(node, 'The execution was canceled: no further calls were started', {
		description: summaryLines(summary).join('\n'),
	});
}
