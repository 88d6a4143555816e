/**
 * Request Callback (resource Team): a team of the cloud calls the person back. Samespace's page:
 * POST /apiv1/team/make_call with the cloud's space id, the team's name, the number and attributes
 * (the person's details). The API takes no token: the request carries none.
 */
import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { sendVoiceRequests } from '../../helpers/voice-requests';
import { callbackRequest } from '../../voice/requests';
import { sendOptions } from '../callFlow/flow.descriptions';
import {
	dataProperties,
	phoneNumberProperty,
	readDataInput,
	voiceOptionsWith,
} from '../voice.descriptions';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['team'], operation: ['requestCallback'] } },
	[
		{
			displayName: 'Team',
			name: 'team',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. Sales',
			description:
				'The name of the Samespace team that calls the person back, as it is written in Samespace',
		},
		phoneNumberProperty('The number the team calls back'),
		...dataProperties(
			'attributes',
			'Attributes',
			'Details of the person for the team, e.g. name, email, what they asked about',
		),
		voiceOptionsWith(sendOptions.callsOnRetry, {
			displayName: 'Space ID',
			name: 'spaceId',
			type: 'string',
			default: '',
			placeholder: 'e.g. acme',
			description:
				"The cloud's unique domain in Samespace, if it differs from the credential's Cloud ID (the default)",
		}),
	],
);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await sendVoiceRequests(this, (itemIndex, cloudId) =>
		callbackRequest(
			{
				team: this.getNodeParameter('team', itemIndex, ''),
				number: this.getNodeParameter('phoneNumber', itemIndex, ''),
				attributes: readDataInput(this.getNodeParameter.bind(this), 'attributes', itemIndex),
				spaceId: this.getNodeParameter('options.spaceId', itemIndex, ''),
			},
			cloudId,
		),
	);
}
