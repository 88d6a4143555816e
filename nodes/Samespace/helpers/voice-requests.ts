/**
 * What the Voice API operations (Click to Call, Request Callback, Add Lead to Dial List) share:
 * every item's request built and checked before the first one is sent, then all of them through
 * the same sending policy as Place Call (the cap, the shared pace, Retry-After, never anything
 * twice that may have reached Samespace), and one output item per input item.
 */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import type { PendingCall } from '../sending/send-calls';
import { voiceApiConnectionFor } from '../transport/connection';
import { inWords } from '../voice/answers';
import {
	VOICE_API_PATHS,
	type VoiceProblem,
	type VoiceRequest,
	type VoiceRequestCheck,
} from '../voice/requests';
import { itemLabel } from './output';
import { sendPendingItems } from './send-items';
import { readSendOptions } from './send-options';

const NOTHING_SENT = 'Nothing was sent to Samespace.';

function invalidMessage(itemIndex: number, problem: VoiceProblem): string {
	return `${itemLabel(itemIndex)}: ${problem.field} ${problem.message}`;
}

/**
 * Sends one request per input item. `build` reads the item's parameters into a checked request
 * (`cloudId` is the credential's, for the agent's username and the callback's space).
 */
export async function sendVoiceRequests(
	ctx: IExecuteFunctions,
	build: (itemIndex: number, cloudId: string) => VoiceRequestCheck,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const connection = await voiceApiConnectionFor(ctx);
	const { redact } = connection;
	const options = readSendOptions(ctx);
	const continueOnFail = ctx.continueOnFail();

	// Every item is checked before the first request, so a bad item never leaves a list half-sent.
	const checked = items.map((_item, itemIndex) => build(itemIndex, connection.cloudId));
	const firstInvalid = checked.findIndex((request) => !request.ok);
	if (firstInvalid >= 0 && !continueOnFail) {
		const problem = checked[firstInvalid] as VoiceProblem;
		throw new NodeOperationError(ctx.getNode(), redact(invalidMessage(firstInvalid, problem)), {
			itemIndex: firstInvalid,
			description: `${NOTHING_SENT} Fix the ${problem.field} of item ${firstInvalid + 1}; every item is checked before the first request is sent.`,
		});
	}

	const urlOf = (request: VoiceRequest) =>
		`${connection.voiceApi}${VOICE_API_PATHS[request.operation]}`;
	const output: INodeExecutionData[] = new Array(items.length);
	const pending: PendingCall[] = [];
	const requests: VoiceRequest[] = [];
	checked.forEach((request, itemIndex) => {
		if (!request.ok) {
			output[itemIndex] = {
				json: redact({
					error: invalidMessage(itemIndex, request),
					description: NOTHING_SENT,
					outcome: 'invalid',
					callMayHaveBeenPlaced: false,
				}),
				pairedItem: { item: itemIndex },
			};
		} else if (options.validateOnly) {
			output[itemIndex] = {
				json: redact({
					valid: true,
					request: {
						method: 'POST',
						url: urlOf(request),
						body: request.withToken
							? {
									...request.body,
									cloud_id: connection.cloudId,
									auth_token: '(from the credential)',
								}
							: request.body,
					},
				}),
				pairedItem: { item: itemIndex },
			};
		} else {
			pending.push({
				itemIndex,
				request: {
					url: urlOf(request),
					body: () => ({ ...request.body }),
					// Only an API that takes the token gets the credential: the others never see it.
					credential: request.withToken ? connection.credential : undefined,
				},
			});
			requests.push(request);
		}
	});
	return await sendPendingItems(
		ctx,
		output,
		pending,
		{
			options,
			continueOnFail,
			redact,
			inWords: (slot, outcome) => inWords(requests[slot], outcome),
		},
		(slot) => requests[slot].body,
	);
}
