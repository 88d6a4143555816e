import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { router, webhookRouter } from './actions/router';
import { properties, waitingWebhooks } from './actions/versionDescription';
import { NODE_VERSIONS } from './actions/callFlow/flow.descriptions';
import { CREDENTIAL_TYPE } from './transport/credential';

export class Samespace implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Samespace',
		name: 'samespace',
		icon: { light: 'file:../../icons/samespace.svg', dark: 'file:../../icons/samespace.dark.svg' },
		group: ['output'],
		version: NODE_VERSIONS,
		defaultVersion: NODE_VERSIONS[NODE_VERSIONS.length - 1],
		subtitle:
			'={{ $parameter["options"]["validateOnly"] ? ([undefined, "callFlow"].includes($parameter["resource"]) ? "Validate call flow" : "Validate request") : { placeCall: "Place call", callAndWait: "Call and wait for answer", sendAndWait: "Call and wait for approval", clickToCall: "Click to call", requestCallback: "Request callback", addLead: "Add lead to dial list" }[$parameter["operation"]] }}',
		description:
			'Place a phone call through Samespace that plays a message, gathers digits, calls a web address and connects the person to an agent; wait for the keys pressed, or for an approval by phone; put leads into campaign dial lists, request team callbacks, dial from an agent’s dock',
		defaults: { name: 'Samespace' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		webhooks: waitingWebhooks,
		waitingNodeTooltip: 'Waiting for the call to report back (the keys pressed, or the approval)',
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await webhookRouter.call(this);
	}
}
