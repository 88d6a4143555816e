/**
 * Click to Call (resource Agent): the agent's Samespace dock dials the number, as if the agent
 * had clicked it in the CRM. Samespace's page: POST /apiv1/make_call with the agent's username
 * (`user@cloud_id`), the number, an optional caller ID and custom data shown in the dock. The API
 * takes no token: the request carries none.
 */
import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { sendVoiceRequests } from '../../helpers/voice-requests';
import { clickToCallRequest } from '../../voice/requests';
import { sendOptions } from '../callFlow/flow.descriptions';
import {
	dataProperties,
	phoneNumberProperty,
	readDataInput,
	voiceOptionsWith,
} from '../voice.descriptions';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['agent'], operation: ['clickToCall'] } },
	[
		{
			displayName: 'Agent',
			name: 'agent',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. jane',
			description:
				"The agent's Samespace username: jane, or jane@ followed by the credential's Cloud ID. The agent must be logged in to Samespace; their dock dials the number.",
		},
		phoneNumberProperty('The number the agent’s dock dials'),
		{
			displayName: 'Caller ID',
			name: 'callerId',
			type: 'string',
			default: '',
			placeholder: 'e.g. 14155550100',
			description:
				'Optional: the number the person sees as calling. Leave blank for the agent’s default.',
		},
		...dataProperties(
			'customData',
			'Custom Data',
			'Details shown to the agent in the Samespace dock, e.g. the lead’s name and deal',
		),
		voiceOptionsWith(sendOptions.callsOnRetry),
	],
);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await sendVoiceRequests(this, (itemIndex, cloudId) =>
		clickToCallRequest(
			{
				agent: this.getNodeParameter('agent', itemIndex, ''),
				number: this.getNodeParameter('phoneNumber', itemIndex, ''),
				callerId: this.getNodeParameter('callerId', itemIndex, ''),
				custom: readDataInput(this.getNodeParameter.bind(this), 'customData', itemIndex),
			},
			cloudId,
		),
	);
}
