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

import { addWarningHints } from '../../helpers/hints';
import { invalidFlowError, invalidFlowItem, without } from '../../helpers/output';
import { placeCallThenWait } from '../../helpers/put-to-wait';
import { readItemFlow } from '../../helpers/item-flow';
import { readSendOptions } from '../../helpers/send-options';
import {
	newWaitRef,
	oneCallPerExecutionError,
	refuseReport,
	resumeUrlOf,
	takeReport,
} from '../../helpers/resume';
import {
	answerReportUrl,
	maxDigitsOf,
	readAnswerReport,
	withAnswerReports,
} from '../../flow/answer-step';
import { isRecord } from '../../flow/is-record';
import { connectionFor } from '../../transport/connection';
import {
	flowProperties,
	limitWaitTimeOption,
	optionsCollection,
	sendOptions,
} from './flow.descriptions';

const OPERATION = 'Call and Wait for Answer';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { operation: ['callAndWait'] } },
	[
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
	],
);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const connection = await connectionFor(this);
	const options = readSendOptions(this);
	if (items.length !== 1) throw oneCallPerExecutionError(this, OPERATION, items.length);

	const item = readItemFlow(this, 0, 'required');
	if (!item.ok) {
		if (this.continueOnFail()) return [[invalidFlowItem(0, item, connection.redact)]];
		throw invalidFlowError(this.getNode(), 0, item, connection.redact);
	}
	addWarningHints(this, [item], connection.redact);

	const resumeUrl = resumeUrlOf(this).toString();
	const ref = newWaitRef();
	const call = {
		...item,
		flow: withAnswerReports(item.flow, (variables) => answerReportUrl(resumeUrl, ref, variables)),
	};
	return await placeCallThenWait(this, connection, options, {
		call,
		reportUrls: [resumeUrl],
		placedFields: (answer) => ({
			call_id: answer.call_id,
			callRef: ref,
			// Kept so the report can be checked against what the call could gather.
			maxDigits: maxDigitsOf(item.flow),
			call: answer,
			...(options.includeFlow
				? { submitted: { record: call.record, flow: call.flow as unknown as IDataObject[] } }
				: {}),
		}),
		timeoutItem: (placed) => ({ answered: false, reason: 'timeout', digits: {}, ...placed }),
	});
}

/**
 * The call's report. A report for another wait, one that is not keypad keys, or one longer than
 * the call could gather gets a 4xx and leaves the execution waiting; n8n itself refuses a wrong
 * signature (401) and a second report after the execution resumed (409).
 */
export async function webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const waiting = (this.evaluateExpression('{{ $json }}', 0) ?? {}) as IDataObject;
	const report = readAnswerReport(
		this.getQueryData() as Record<string, unknown>,
		String(waiting.callRef ?? ''),
		isRecord(waiting.maxDigits) ? waiting.maxDigits : undefined,
	);
	if (!report.ok) return refuseReport(this, report.status, report.error);
	const answer: IDataObject = {
		answered: true,
		digits: report.digits,
		complete: report.complete,
		...(report.cutAt ? { cutAt: report.cutAt } : {}),
		...without(waiting, ['answered', 'reason', 'digits']),
		answeredAt: new Date().toISOString(),
	};
	return takeReport(this, answer);
}
