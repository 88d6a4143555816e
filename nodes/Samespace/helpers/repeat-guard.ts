/**
 * n8n has two ways of running this node again with items it already sent, and both would phone
 * again everyone whose call had been accepted:
 * - Retry of a failed execution (the Retry button, or the API): the node runs again, with all of
 *   its input, in an execution whose mode is `retry`.
 * - Retry On Fail (node Settings): after any error, the engine runs the node again with all items.
 * The node refuses both before any request, unless the user has said that calls are wanted.
 */
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import type { SendOptions } from './send-options';

const NOTHING_SENT = 'No call was placed, so nobody is called twice.';

export function repeatedRunError(
	ctx: IExecuteFunctions,
	options: SendOptions,
): NodeOperationError | undefined {
	if (ctx.getMode() === 'retry' && !options.callsOnRetry) {
		return new NodeOperationError(
			ctx.getNode(),
			`This is a retry of a failed execution. ${NOTHING_SENT}`,
			{
				description: [
					"n8n's Retry runs this node again with all of its items, and everyone whose call was accepted the first time would be phoned again.",
					"To send only what is left: open the failed execution; this node's error there lists the items accepted by Samespace, those that may have been placed, and those not placed. Run the workflow again with only the items not placed (for example, filter the list before this node).",
					'If this node did not place any call in the failed execution (an earlier node failed, or nothing reached Samespace), turn on the option "Place Calls When Retrying" and retry again.',
				].join('\n'),
			},
		);
	}
	// Also with Continue On Fail: n8n retries a node whose first output item holds an `error`,
	// which the node's error items do.
	if (ctx.getNode().retryOnFail === true) {
		return new NodeOperationError(
			ctx.getNode(),
			`Turn off "Retry On Fail" in this node's Settings. ${NOTHING_SENT}`,
			{
				description: [
					'With Retry On Fail, n8n runs the node again with every item after any failure, and people whose calls had already been accepted would be phoned again.',
					'The node retries by itself, item by item, wherever Samespace cannot have placed the call (the Retries option). To get one result per item instead of a stop at the first failure, turn on "Continue On Fail" (Settings), without Retry On Fail.',
				].join('\n'),
			},
		);
	}
	return undefined;
}
