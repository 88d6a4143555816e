/**
 * Place Call: one call per input item, the API's answer as the output item. Every item's flow is
 * checked before the first call is placed; the calls then go out with a cap on those in flight.
 */
import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { addWarningHints } from '../../helpers/hints';
import { invalidFlowError, invalidFlowItem, validateOnlyItem } from '../../helpers/output';
import { sendPendingItems } from '../../helpers/send-items';
import type { PendingCall } from '../../sending/send-calls';
import {
	callFlowRequest,
	nodeFlowSettings,
	readItemFlow,
	type PreparedCall,
	type RejectedCall,
} from '../../helpers/item-flow';
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
	return await sendPendingItems(
		this,
		output,
		pending,
		{ options, continueOnFail, redact },
		(slot) =>
			options.includeFlow
				? { record: calls[slot].record, flow: calls[slot].flow as unknown as IDataObject[] }
				: undefined,
	);
}
