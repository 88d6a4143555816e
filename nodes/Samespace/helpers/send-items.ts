/**
 * What Place Call and the Voice API operations do once every item is checked and the requests are
 * built: refuse a repeated run (n8n's Retry, Retry On Fail), send the requests through the shared
 * sending policy, and put each one's result at its item of `output`.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { sendCalls, type CallSettings, type PendingCall } from '../sending/send-calls';
import { acceptedCallItem, failedCallItem, unshownAnswerItem } from './output';
import { repeatedRunError } from './repeat-guard';

/**
 * `output` holds the items already decided (invalid, Validate Only); `submitted` gives what an
 * accepted item shows of the request it sent (never the token), if anything.
 */
export async function sendPendingItems(
	ctx: IExecuteFunctions,
	output: INodeExecutionData[],
	pending: PendingCall[],
	settings: CallSettings,
	submitted: (slot: number) => IDataObject | undefined,
): Promise<INodeExecutionData[][]> {
	if (pending.length === 0) return [output];

	// n8n can run this node again with items it already sent (Retry of an execution, Retry On
	// Fail): refuse before anyone is called twice.
	const repeated = repeatedRunError(ctx, settings.options);
	if (repeated) throw repeated;

	const { redact } = settings;
	const results = await sendCalls(ctx, pending, settings);
	results.forEach(({ outcome, attempts }, slot) => {
		const { itemIndex } = pending[slot];
		try {
			output[itemIndex] =
				outcome.kind === 'accepted'
					? acceptedCallItem(itemIndex, outcome.body, submitted(slot), redact)
					: failedCallItem(itemIndex, outcome, attempts, redact);
		} catch (error) {
			// The requests were sent: whatever went wrong while showing one answer, every item keeps its result.
			output[itemIndex] = unshownAnswerItem(itemIndex, outcome, error);
		}
	});
	return [output];
}
