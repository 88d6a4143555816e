/** The node's parameters and webhooks: the operation, then each operation's own parameters. */
import {
	SEND_AND_WAIT_OPERATION,
	type INodeProperties,
	type IWebhookDescription,
} from 'n8n-workflow';

import * as callAndWait from './callFlow/callAndWait.operation';
import * as placeCall from './callFlow/placeCall.operation';
import * as sendAndWait from './callFlow/sendAndWait.operation';

export const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Place Call',
				value: 'placeCall',
				description: 'Place one call per item with the flow you build; output Samespace’s answer',
				action: 'Place a call',
			},
			{
				name: 'Call and Wait for Answer',
				value: 'callAndWait',
				description: 'Place a call and wait until it reports the keys the person pressed',
				action: 'Call and wait for the keys pressed',
			},
			{
				name: 'Call and Wait for Approval',
				value: SEND_AND_WAIT_OPERATION,
				description:
					'Call someone, say a message, and wait for them to approve or decline with a key',
				action: 'Call and wait for approval',
			},
		],
		// Workflows saved before there were operations keep placing calls.
		default: 'placeCall',
	},
	...placeCall.description,
	...callAndWait.description,
	...sendAndWait.description,
];

/**
 * The waiting operations resume at `<resume URL>/<node id>`: one entry per HTTP method the call may
 * report with (n8n answers 404 for a method not listed). n8n's own send-and-wait nodes use the
 * same shape.
 */
export const waitingWebhooks: IWebhookDescription[] = ['GET', 'POST'].map((httpMethod) => ({
	name: 'default',
	httpMethod,
	responseMode: 'onReceived',
	responseData: '',
	path: '={{ $nodeId }}',
	restartWebhook: true,
	isFullPath: true,
}));
