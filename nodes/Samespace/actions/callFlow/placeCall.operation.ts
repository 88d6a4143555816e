/**
 * Place Call: one call per input item, the API's answer as the output item. Every item's flow is
 * checked before the first call is placed; the calls then go out with a cap on those in flight.
 */
import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { addWarningHints } from '../../helpers/hints';
import {
	acceptedCallItem,
	failedCallItem,
	invalidFlowError,
	invalidFlowItem,
	unshownAnswerItem,
	validateOnlyItem,
} from '../../helpers/output';
import { sendCalls, type PendingCall } from '../../sending/send-calls';
import {
	callFlowRequest,
	nodeFlowSettings,
	readItemFlow,
	type PreparedCall,
	type RejectedCall,
} from '../../helpers/item-flow';
import { repeatedRunError } from '../../helpers/repeat-guard';
import { readSendOptions } from '../../helpers/send-options';
import { connectionFor } from '../../transport/connection';
import { flowProperties, optionsCollection, sendOptions } from './flow.descriptions';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { operation: ['placeCall'] } },
	[
		...flowProperties(false),
		optionsCollection([
			sendOptions.concurrency,
			sendOptions.includeFlow,
			sendOptions.maxRetryWait,
			sendOptions.callsPerSecond,
			sendOptions.callsOnRetry,
			sendOptions.timeout,
			sendOptions.retries,
			sendOptions.validateOnly,
		]),
	],
);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	// The credential is checked before anything else: a bad Base URL or token sends nothing.
	const connection = await connectionFor(this);
	const { redact, endpoint: url } = connection;
	const continueOnFail = this.continueOnFail();
	const options = readSendOptions(this);

	// Every item is checked before the first call is placed, so a bad item never leaves the list
	// half-called.
	const settings = nodeFlowSettings(this.getNode());
	const prepared = items.map((_item, itemIndex) =>
		readItemFlow(this, itemIndex, 'forbidden', settings),
	);
	const firstInvalid = prepared.findIndex((item) => !item.ok);
	if (firstInvalid >= 0 && !continueOnFail) {
		throw invalidFlowError(
			this.getNode(),
			firstInvalid,
			prepared[firstInvalid] as RejectedCall,
			redact,
		);
	}
	addWarningHints(this, prepared, redact);

	const output: INodeExecutionData[] = new Array(items.length);
	const pending: PendingCall[] = [];
	const calls: PreparedCall[] = [];
	prepared.forEach((item, itemIndex) => {
		if (!item.ok) output[itemIndex] = invalidFlowItem(itemIndex, item, redact);
		else if (options.validateOnly)
			output[itemIndex] = validateOnlyItem(itemIndex, url, connection.cloudId, item, redact);
		else {
			pending.push({ itemIndex, request: callFlowRequest(connection, item) });
			calls.push(item);
		}
	});
	if (pending.length === 0) return [output];

	// n8n can run this node again with items it already sent (Retry of an execution, Retry On
	// Fail): refuse before anyone is called twice.
	const repeated = repeatedRunError(this, options);
	if (repeated) throw repeated;

	const results = await sendCalls(this, pending, {
		options,
		continueOnFail,
		redact,
	});
	results.forEach(({ outcome, attempts }, slot) => {
		const { itemIndex } = pending[slot];
		const call = calls[slot];
		try {
			output[itemIndex] =
				outcome.kind === 'accepted'
					? acceptedCallItem(
							itemIndex,
							outcome.body,
							options.includeFlow ? { record: call.record, flow: call.flow } : undefined,
							redact,
						)
					: failedCallItem(itemIndex, outcome, attempts, redact);
		} catch (error) {
			// The calls are placed: whatever went wrong while showing one answer, every item keeps its result.
			output[itemIndex] = unshownAnswerItem(itemIndex, outcome, error);
		}
	});
	return [output];
}
