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
import type { Failure, Outcome } from '../transport/outcome';
import { MASK, type Redact } from '../transport/redact';
import type { RejectedCall } from './item-flow';

export const itemLabel = (itemIndex: number) => `Item ${itemIndex + 1}`;

export function invalidFlowError(
	node: INode,
	itemIndex: number,
	rejected: RejectedCall,
	redact: Redact,
): NodeOperationError {
	return new NodeOperationError(
		node,
		redact(`${itemLabel(itemIndex)}: invalid call flow: ${rejected.message}`),
		{
			itemIndex,
			description: redact(rejected.description),
		},
	);
}

export function invalidFlowItem(
	itemIndex: number,
	rejected: RejectedCall,
	redact: Redact,
): INodeExecutionData {
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

export function failedCallItem(
	itemIndex: number,
	failure: Failure,
	attempts: number,
	redact: Redact,
): INodeExecutionData {
	const json: IDataObject = {
		error: `${itemLabel(itemIndex)}: ${failure.message}`,
		description: failure.description,
		outcome: failure.kind,
		callMayHaveBeenPlaced: failure.mayHavePlaced,
		attempts,
	};
	if (failure.statusCode !== undefined) json.statusCode = failure.statusCode;
	if (failure.location !== undefined) json.redirectedTo = failure.location;
	if (failure.code !== undefined) json.networkError = failure.code;
	return { json: redact(json), pairedItem: { item: itemIndex } };
}

export function acceptedCallItem(
	itemIndex: number,
	body: IDataObject,
	submitted: IDataObject | undefined,
	redact: Redact,
): INodeExecutionData {
	const json = submitted ? { ...body, submitted } : body;
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

/** What happened to every item of a run that stopped early; each item is in exactly one list. */
export interface RunSummary {
	accepted: number[];
	/** Sent, and Samespace may have placed the call: check before sending again. */
	mayHavePlaced: number[];
	/** Never sent, or refused by Samespace: safe to send again. */
	notPlaced: number[];
}

const count = (indexes: number[], one: string, many: string) =>
	`${indexes.length} ${indexes.length === 1 ? one : many}`;
const items = (indexes: number[]) =>
	`item${indexes.length === 1 ? '' : 's'} ${itemRanges(indexes)}`;

function summaryLines(summary: RunSummary): string[] {
	const lines = [
		summary.accepted.length > 0
			? `Accepted by Samespace: ${count(summary.accepted, 'call', 'calls')} (${items(summary.accepted)}).`
			: 'No call was accepted by Samespace.',
	];
	if (summary.mayHavePlaced.length > 0)
		lines.push(
			`May have been placed, check in Samespace before sending again: ${count(summary.mayHavePlaced, 'call', 'calls')} (${items(summary.mayHavePlaced)}).`,
		);
	if (summary.notPlaced.length > 0)
		lines.push(
			`Not placed, safe to send again: ${count(summary.notPlaced, 'item', 'items')} (${items(summary.notPlaced)}).`,
		);
	lines.push(
		summary.notPlaced.length > 0
			? `To finish without calling anyone twice, run the workflow again with only ${items(summary.notPlaced)}, or turn on "Continue On Fail" (Settings) to get one result per item.`
			: 'Nothing is left that is safe to send again.',
	);
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
	const description = [failure.description, ...summaryLines(summary)].join('\n');
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

/**
 * The last resort when an item's result could not be built (an answer no code path foresaw):
 * the item still says whether its call was accepted, from fields that cannot hold the token.
 */
export function unshownAnswerItem(
	itemIndex: number,
	outcome: Outcome,
	error: unknown,
): INodeExecutionData {
	const reason = error instanceof Error ? error.name : 'unknown error';
	const json: IDataObject =
		outcome.kind === 'accepted'
			? { success: true, callAccepted: true, statusCode: outcome.statusCode }
			: {
					error: `${itemLabel(itemIndex)}: the call failed (${outcome.kind})`,
					outcome: outcome.kind,
					callMayHaveBeenPlaced: outcome.mayHavePlaced,
				};
	json.warning = `Samespace's answer for this item could not be shown (${reason}); the outcome above is what the node knows.`;
	return { json, pairedItem: { item: itemIndex } };
}

/** What Validate Only outputs: the request that would be sent, the token masked. */
export function validateOnlyItem(
	itemIndex: number,
	url: string,
	cloudId: string,
	call: { record: boolean; flow: CallFlow; warnings: string[] },
	redact: Redact,
): INodeExecutionData {
	return {
		json: redact({
			valid: true,
			sent: false,
			request: {
				method: 'POST',
				url,
				body: {
					cloud_id: cloudId,
					auth_token: MASK,
					record: call.record,
					flow: call.flow as unknown as IDataObject[],
				},
			},
			warnings: call.warnings,
		}),
		pairedItem: { item: itemIndex },
	};
}

/** A copy of `item` without `keys` (what a waiting item carries over into the answer). */
export function without(item: IDataObject, keys: string[]): IDataObject {
	return Object.fromEntries(Object.entries(item).filter(([key]) => !keys.includes(key)));
}
