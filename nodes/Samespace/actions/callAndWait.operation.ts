/**
 * Call and Wait for Answer: one call, whose flow reports the keys the person pressed back to this
 * very execution (a Send Answer to Workflow step), and the execution waits for that report. It
 * outputs `{answered: true, digits}` when the report comes, `{answered: false, reason: "timeout"}`
 * when Limit Wait Time runs out first.
 */
import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { addWarningHints } from '../execute/hints';
import { failedCallItem, invalidFlowError, invalidFlowItem, validateOnlyItem, without } from '../execute/output';
import { placeCalls } from '../execute/place-calls';
import { readItemFlow } from '../execute/prepare';
import { repeatedRunError } from '../execute/repeat-guard';
import { readSendOptions } from '../execute/send-options';
import {
	hidingSignatures,
	limitWaitTimeOption,
	maskSignature,
	newWaitRef,
	oneCallPerExecutionError,
	outputOnTimeout,
	resumeUrlOf,
	unreachableResumeError,
	waitUntil,
} from '../execute/waiting';
import { answerReportUrl, readAnswerReport, withAnswerReports } from '../flow/answer';
import { connectionFor } from '../transport/connection';
import { flowProperties, optionsCollection, sendOptions } from './common.descriptions';

const OPERATION = 'Call and Wait for Answer';

export const description: INodeProperties[] = updateDisplayOptions({ show: { operation: ['callAndWait'] } }, [
	{
		displayName:
			'Add a "Send Answer to Workflow" step after the Gather Digits steps whose keys you need: the call reports them there, and this workflow continues with them. The node places one call per execution.',
		name: 'answerNotice',
		type: 'notice',
		default: '',
	},
	...flowProperties(true),
	optionsCollection([
		sendOptions.includeFlow,
		limitWaitTimeOption,
		sendOptions.maxRetryWait,
		sendOptions.callsOnRetry,
		sendOptions.timeout,
		sendOptions.retries,
		sendOptions.validateOnly,
	]),
]);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const connection = await connectionFor(this);
	const { redact, endpoint: url } = connection;
	const options = readSendOptions(this);
	if (items.length !== 1) throw oneCallPerExecutionError(this, OPERATION, items.length);

	const item = readItemFlow(this, 0, 'required');
	if (!item.ok) {
		if (this.continueOnFail()) return [[invalidFlowItem(0, item, redact)]];
		throw invalidFlowError(this.getNode(), 0, item, redact);
	}
	addWarningHints(this, [item], redact);

	const resumeUrl = resumeUrlOf(this);
	const ref = newWaitRef();
	const flowReportingTo = (address: string) => withAnswerReports(item.flow, (variables) => answerReportUrl(address, ref, variables));
	if (options.validateOnly) {
		return [[validateOnlyItem(0, url, connection.cloudId, { ...item, flow: flowReportingTo(maskSignature(resumeUrl.toString())) }, redact)]];
	}
	const unreachable = unreachableResumeError(this, resumeUrl, url);
	if (unreachable) throw unreachable;
	const repeated = repeatedRunError(this, options, this.continueOnFail());
	if (repeated) throw repeated;

	const call = { ...item, flow: flowReportingTo(resumeUrl.toString()) };
	const [{ outcome, attempts }] = await placeCalls(this, [{ itemIndex: 0, call }], { url, options, continueOnFail: this.continueOnFail(), redact });
	// Without Continue On Fail, placeCalls has thrown already.
	if (outcome.kind !== 'accepted') return [[failedCallItem(0, outcome, attempts, redact)]];

	const hideSignature = hidingSignatures([resumeUrl.toString()]);
	const placed: IDataObject = hideSignature(
		redact({
			call_id: outcome.body.call_id,
			callRef: ref,
			calledAt: new Date().toISOString(),
			call: outcome.body,
			...(options.includeFlow ? { submitted: { record: call.record, flow: call.flow as unknown as IDataObject[] } } : {}),
		}),
	);
	outputOnTimeout(this, { answered: false, reason: 'timeout', digits: {}, ...placed });
	await this.putExecutionToWait(waitUntil(this));
	return [[{ json: { waiting: true, ...placed }, pairedItem: { item: 0 } }]];
}

/**
 * The call's report. A report for another wait, or one that is not keypad keys, gets a 4xx and
 * leaves the execution waiting; n8n itself refuses a wrong signature (401) and a second report
 * after the execution resumed (409). Never throws: an error here would end the execution.
 */
export async function webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const response = this.getResponseObject();
	try {
		const waiting = (this.evaluateExpression('{{ $json }}', 0) ?? {}) as IDataObject;
		const report = readAnswerReport(this.getQueryData() as Record<string, unknown>, String(waiting.callRef ?? ''));
		if (!report.ok) {
			response.status(report.status).json({ received: false, error: report.error });
			return { noWebhookResponse: true };
		}
		const placed = without(waiting, ['answered', 'reason', 'digits']);
		const answer: IDataObject = {
			answered: true,
			digits: report.digits,
			complete: report.complete,
			...(report.cutAt ? { cutAt: report.cutAt } : {}),
			...placed,
			answeredAt: new Date().toISOString(),
		};
		response.status(200).json({ received: true });
		return { noWebhookResponse: true, workflowData: [[{ json: answer, pairedItem: { item: 0 } }]] };
	} catch {
		response.status(500).json({ received: false, error: 'The answer could not be read; the workflow is still waiting' });
		return { noWebhookResponse: true };
	}
}
