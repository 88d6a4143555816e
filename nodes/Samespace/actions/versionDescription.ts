/** The node's parameters and webhooks: the operation, then each operation's own parameters. */
import {
	SEND_AND_WAIT_OPERATION,
	type INodeProperties,
	type IWebhookDescription,
} from 'n8n-workflow';

import * as clickToCall from './agent/clickToCall.operation';
import * as callAndWait from './callFlow/callAndWait.operation';
import * as placeCall from './callFlow/placeCall.operation';
import * as sendAndWait from './callFlow/sendAndWait.operation';
import { callFlowTips } from './callFlow/flow.descriptions';
import * as addLead from './campaign/addLead.operation';
import * as requestCallback from './team/requestCallback.operation';

export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Agent',
				value: 'agent',
				description: "An agent's Samespace dock: dial a number for them",
			},
			{
				name: 'Call Flow',
				value: 'callFlow',
				description:
					'A call the node builds: play messages, gather keys, connect, wait for the answer',
			},
			{
				name: 'Campaign',
				value: 'campaign',
				description: "A campaign's dial list, which the agents' dialer calls",
			},
			{
				name: 'Team',
				value: 'team',
				description: 'A team of agents: have them call someone back',
			},
		],
		// Workflows saved before there were resources have none: they keep placing call flows.
		default: 'callFlow',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['callFlow'] } },
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
				action: 'Call and wait for answer',
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
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['agent'] } },
		options: [
			{
				name: 'Click to Call',
				value: 'clickToCall',
				description:
					"Have an agent's Samespace dock dial a number, with details shown to the agent",
				action: 'Have an agent dial a number',
			},
		],
		default: 'clickToCall',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['campaign'] } },
		options: [
			{
				name: 'Add Lead to Dial List',
				value: 'addLead',
				description:
					"Put a lead (a number and its details) into a campaign's dial list, for the agents' dialer to call; the same number again updates the lead",
				action: 'Add a lead to a campaign dial list',
			},
		],
		default: 'addLead',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['team'] } },
		options: [
			{
				name: 'Request Callback',
				value: 'requestCallback',
				description:
					'Ask a Samespace team to call a person back, with their details (e.g. a website visitor who asked for a call)',
				action: 'Request a callback from a team',
			},
		],
		default: 'requestCallback',
	},
	...callFlowTips,
	...placeCall.description,
	...callAndWait.description,
	...sendAndWait.description,
	...clickToCall.description,
	...addLead.description,
	...requestCallback.description,
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
