/**
 * Call and Wait for Approval: n8n's send-and-wait by phone. The node calls the approver, says the
 * message, and waits for the key they press; it outputs `{data: {approved}}`. With this operation
 * value n8n also offers the node as an AI Agent's human review ("<node>HitlTool"): the person then
 * hears, in words, which tool the agent wants to use and with what.
 */
import {
	NodeOperationError,
	randomInt,
	SEND_AND_WAIT_OPERATION,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { invalidFlowError, without } from '../../helpers/output';
import { placeCallThenWait } from '../../helpers/put-to-wait';
import { checkItemFlow } from '../../helpers/item-flow';
import { readSendOptions } from '../../helpers/send-options';
import {
	hidingSignatures,
	newWaitRef,
	oneCallPerExecutionError,
	refuseReport,
	takeReport,
} from '../../helpers/resume';
import {
	APPROVAL_WORDING,
	approvalFlow,
	approvalKeysProblem,
	reviewKeys,
	spokenToolCall,
} from '../../flow/approval-flow';
import { connectionFor } from '../../transport/connection';
import {
	keyOptions,
	limitWaitTimeOption,
	optionsCollection,
	recordCallProperty,
	sendOptions,
} from './flow.descriptions';

const OPERATION = 'Call and Wait for Approval';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { operation: [SEND_AND_WAIT_OPERATION] } },
	[
		{
			displayName: 'Phone Number',
			name: 'number',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 14155550123',
			description: 'The number of the person who approves, country code first',
		},
		{
			displayName: 'Caller ID',
			name: 'callerId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 14155550100',
			description: 'The number the person sees as calling. Use a number of your Samespace cloud.',
		},
		{
			displayName: 'Message',
			name: 'message',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			required: true,
			placeholder: 'e.g. Refund of 120 dollars to order 1042 requested.',
			description:
				'What the person is asked to approve, spoken at the start of the call. The keys to press are said after it.',
		},
		{
			displayName: 'Approval Options',
			name: 'approvalOptions',
			type: 'fixedCollection',
			placeholder: 'Add option',
			description:
				'The keys to press and what they mean. Without this option: press 1 to approve, 2 to decline.',
			// Empty, as in n8n's own send-and-wait nodes: a saved workflow holds only what was changed.
			default: {},
			options: [
				{
					displayName: 'Values',
					name: 'values',
					values: [
						{
							displayName: 'Approve Key',
							name: 'approveKey',
							type: 'options',
							options: keyOptions,
							default: '1',
						},
						{
							displayName: 'Approve Label',
							name: 'approveLabel',
							type: 'string',
							default: 'approve',
							description: 'Said after the key: "Press 1 to approve"',
						},
						{
							displayName: 'Decline Key',
							name: 'disapproveKey',
							type: 'options',
							options: keyOptions,
							default: '2',
						},
						{
							displayName: 'Decline Label',
							name: 'disapproveLabel',
							type: 'string',
							default: 'decline',
							description: 'Said after the key: "Press 2 to decline"',
						},
					],
				},
			],
		},
		optionsCollection([
			limitWaitTimeOption,
			sendOptions.maxRetryWait,
			sendOptions.callsOnRetry,
			recordCallProperty,
			sendOptions.timeout,
			sendOptions.retries,
			sendOptions.validateOnly,
		]),
	],
);

interface ApprovalOptions {
	approveKey?: string;
	approveLabel?: string;
	disapproveKey?: string;
	disapproveLabel?: string;
}

/**
 * n8n's own message for a human review, as its generated node defines it: kept as it is, it names
 * the tool and renders its parameters as "[object Object]" or nothing.
 */
const N8N_REVIEW_MESSAGE =
	'=The agent wants to run this tool: {{ $tool.name }}\n\nInput:\n{{ $tool.parameters }}';

/** As an AI Agent's human review: n8n runs the node as `<node>HitlTool` with the tool call as input. */
const isReview = (ctx: IExecuteFunctions) => ctx.getNode().type.endsWith('HitlTool');

/** A decline the agent can read (`data.approved: false`), with the reason in words. */
const declined = (reason: string, extra: IDataObject = {}): IDataObject => ({
	data: { approved: false, reason },
	chatInput: reason,
	...extra,
});

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (!isReview(this)) return await callForApproval(this, false);
	try {
		return await callForApproval(this, true);
	} catch (error) {
		// For an agent, an error would read like a person's "no": say it is a decline, and why.
		// (Errors raised before the call carry no secret: the credential's are masked where made.)
		return [
			[
				{
					json: declined(`The approval call was not made: ${(error as Error).message}`),
					pairedItem: { item: 0 },
				},
			],
		];
	}
}

async function callForApproval(
	ctx: IExecuteFunctions,
	review: boolean,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const connection = await connectionFor(ctx);
	const options = readSendOptions(ctx);
	if (items.length !== 1) throw oneCallPerExecutionError(ctx, OPERATION, items.length);

	const choices = ctx.getNodeParameter('approvalOptions.values', 0, {}) as ApprovalOptions;
	let approve = {
		key: String(choices.approveKey ?? '1'),
		label: String(choices.approveLabel ?? 'approve'),
	};
	let decline = {
		key: String(choices.disapproveKey ?? '2'),
		label: String(choices.disapproveLabel ?? 'decline'),
	};
	const keysProblem = approvalKeysProblem({ approve, decline });
	if (keysProblem)
		throw new NodeOperationError(ctx.getNode(), keysProblem, {
			description: 'No call was placed. Change the Approval Options.',
		});

	let message = String(ctx.getNodeParameter('message', 0, '')).trim();
	const rawMessage = ctx.getNode().parameters.message;
	if (
		review &&
		(rawMessage === undefined ||
			rawMessage === N8N_REVIEW_MESSAGE ||
			message.includes('[object Object]'))
	) {
		message = spokenToolCall(items[0].json.tool, items[0].json.toolParameters);
	}
	if (message === '')
		throw new NodeOperationError(
			ctx.getNode(),
			'The Message is empty: say what the person is asked to approve',
		);
	if (review) {
		// What the agent asks is a model's text: it must not be able to name the approve key.
		const keys = reviewKeys(message, (below) => randomInt(below));
		if (!keys)
			throw new NodeOperationError(
				ctx.getNode(),
				'The request names every key of the phone (all ten digits and the hash key), so no key could approve it safely: nobody was called',
			);
		approve = { ...approve, key: keys.approve };
		decline = { ...decline, key: keys.decline };
	}

	const ref = newWaitRef();
	const reportUrls = {
		approved: ctx.getSignedResumeUrl({ approved: 'true', ref }),
		declined: ctx.getSignedResumeUrl({ approved: 'false', ref }),
		noValidKey: ctx.getSignedResumeUrl({ approved: 'false', reason: 'noValidKey', ref }),
	};
	const record = ctx.getNodeParameter('options.record', 0, false) === true;
	const checked = checkItemFlow(
		'json',
		approvalFlow({
			number: ctx.getNodeParameter('number', 0, ''),
			callerId: ctx.getNodeParameter('callerId', 0, ''),
			message,
			approve,
			decline,
			reportUrls,
		}),
		record,
		'forbidden',
		APPROVAL_WORDING,
	);
	if (!checked.ok)
		throw invalidFlowError(
			ctx.getNode(),
			0,
			checked,
			hidingSignatures(Object.values(reportUrls), connection.redact),
		);

	return await placeCallThenWait(ctx, connection, options, {
		call: checked,
		reportUrls: Object.values(reportUrls),
		placedFields: (answer) => ({ call_id: answer.call_id, approvalRef: ref }),
		timeoutItem: (placed) => declined('Nobody answered the approval call in time', placed),
		// For an agent, a failed call is a decline that says whether the call may still ring: it
		// must not ask again while the first call may be live.
		failureItem: review
			? (failure) =>
					declined(
						failure.mayHavePlaced
							? `The approval call may have been placed, but its answer was lost (${failure.message}): do not ask again for this tool call`
							: `The approval call could not be placed: ${failure.message}`,
					)
			: undefined,
	});
}

/**
 * The key the person pressed, reported to one of the signed URLs. n8n checks the signature before
 * this runs (a changed URL gets 401); a report for another wait gets 409 and the wait goes on.
 */
export async function webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const query = this.getQueryData() as Record<string, unknown>;
	const waiting = (this.evaluateExpression('{{ $json }}', 0) ?? {}) as IDataObject;
	if (typeof query.ref !== 'string' || query.ref !== waiting.approvalRef)
		return refuseReport(this, 409, 'This answer belongs to another approval call');
	const placed = without(waiting, ['data', 'chatInput', 'waiting']);
	const answer: IDataObject =
		query.approved === 'true'
			? { data: { approved: true }, ...placed }
			: query.reason === 'noValidKey'
				? declined('No valid key was pressed on the approval call', placed)
				: declined('The person declined by phone', placed);
	return takeReport(this, { ...answer, answeredAt: new Date().toISOString() });
}
