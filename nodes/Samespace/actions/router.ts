/** Runs the operation the node is set to, for the node's `execute` and for the call's report. */
import {
	NodeOperationError,
	SEND_AND_WAIT_OPERATION,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { refuseReport } from '../helpers/resume';
import * as clickToCall from './agent/clickToCall.operation';
import * as callAndWait from './callFlow/callAndWait.operation';
import * as placeCall from './callFlow/placeCall.operation';
import * as sendAndWait from './callFlow/sendAndWait.operation';
import * as addLead from './campaign/addLead.operation';
import * as requestCallback from './team/requestCallback.operation';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0, 'placeCall') as string;
	switch (operation) {
		case 'placeCall':
			return await placeCall.execute.call(this);
		case 'callAndWait':
			return await callAndWait.execute.call(this);
		case SEND_AND_WAIT_OPERATION:
			return await sendAndWait.execute.call(this);
		case 'clickToCall':
			return await clickToCall.execute.call(this);
		case 'requestCallback':
			return await requestCallback.execute.call(this);
		case 'addLead':
			return await addLead.execute.call(this);
		default:
			throw new NodeOperationError(
				this.getNode(),
				`The operation "${operation}" is not known to this version of the node`,
			);
	}
}

/**
 * The report of a waiting call. Never throws: an error in a webhook would end the execution,
 * while a report that cannot be read must leave it waiting.
 */
export async function webhookRouter(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	try {
		const operation = this.getNodeParameter('operation', 'placeCall') as string;
		if (operation === SEND_AND_WAIT_OPERATION) return await sendAndWait.webhook.call(this);
		if (operation === 'callAndWait') return await callAndWait.webhook.call(this);
		// Place Call never waits: nothing here can resume it.
		return refuseReport(this, 404, 'This node is not waiting for an answer');
	} catch {
		return refuseReport(this, 500, 'The answer could not be read; the workflow is still waiting');
	}
}
