/**
 * The sequence both waiting operations share, in the one order that keeps a call from being
 * placed when the wait could not work: the wait's limit and n8n's reachability are checked (and
 * Validate Only answers) before anything is sent; n8n's retries are refused; the call is placed
 * once; then the time-out item is set and the execution waits.
 *
 * Everything the node shows from here on is masked for the auth token and for the signatures of
 * the report URLs (a capability handed to Samespace only), from the moment an answer is read.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Connection } from '../transport/connection';
import type { Failure } from '../transport/outcome';
import { failedCallItem, validateOnlyItem } from './output';
import { sendCalls } from '../sending/send-calls';
import { callFlowRequest, type PreparedCall } from './item-flow';
import { repeatedRunError } from './repeat-guard';
import type { SendOptions } from './send-options';
import { hidingSignatures, outputOnTimeout, unreachableResumeError, waitUntil } from './resume';

export interface CallToWaitFor {
	/** The checked call, its flow holding the real report URLs. */
	call: PreparedCall;
	/** Every URL the call may report to (their signatures are masked wherever shown). */
	reportUrls: string[];
	/** The fields of the output items that describe the placed call, from Samespace's answer. */
	placedFields: (answer: IDataObject) => IDataObject;
	/** What the node outputs if the wait ends without a report. */
	timeoutItem: (placed: IDataObject) => IDataObject;
	/** The item for a call that failed, instead of an error (an AI Agent's review reads it as a decline); masked when shown. */
	failureItem?: (failure: Failure) => IDataObject;
}

export async function placeCallThenWait(
	ctx: IExecuteFunctions,
	connection: Connection,
	options: SendOptions,
	{ call, reportUrls, placedFields, timeoutItem, failureItem }: CallToWaitFor,
): Promise<INodeExecutionData[][]> {
	const redact = hidingSignatures(reportUrls, connection.redact);
	const waitTill = waitUntil(ctx);
	const unreachable = unreachableResumeError(ctx, new URL(reportUrls[0]), connection.endpoint);
	if (unreachable) throw unreachable;
	if (options.validateOnly)
		return [[validateOnlyItem(0, connection.endpoint, connection.cloudId, call, redact)]];
	const repeated = repeatedRunError(ctx, options);
	if (repeated) throw repeated;

	const request = callFlowRequest(connection, call);
	const [{ outcome, attempts }] = await sendCalls(ctx, [{ itemIndex: 0, request }], {
		options,
		continueOnFail: ctx.continueOnFail() || failureItem !== undefined,
		redact,
	});
	if (outcome.kind !== 'accepted') {
		// Without Continue On Fail (and without a failure item), sendCalls has thrown already.
		return [
			[
				failureItem
					? { json: redact(failureItem(outcome)), pairedItem: { item: 0 } }
					: failedCallItem(0, outcome, attempts, redact),
			],
		];
	}
	const placed = redact({ ...placedFields(outcome.body), calledAt: new Date().toISOString() });
	outputOnTimeout(ctx, timeoutItem(placed));
	await ctx.putExecutionToWait(waitTill);
	return [[{ json: { waiting: true, ...placed }, pairedItem: { item: 0 } }]];
}
