/**
 * Add Lead to Dial List (resource Campaign): the lead goes into a dial list of a campaign, and the
 * agents' dialer calls it. Samespace's page (Campaign Push): POST /router/api/v2/campaign/add with
 * the Cloud ID and Auth Token, the campaign (a new name creates it), the team it is mapped to, the
 * dial list (`source`, created when new), the number and the lead's data. The page calls it
 * "update a lead", but that a second request for the same number updates the same lead rather
 * than adding it again is unconfirmed: like a call, a request that may have reached Samespace is
 * never sent again (docs/reference.md).
 */
import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { sendVoiceRequests } from '../../helpers/voice-requests';
import { addLeadRequest } from '../../voice/requests';
import { sendOptions } from '../callFlow/flow.descriptions';
import {
	dataProperties,
	phoneNumberProperty,
	readDataInput,
	voiceOptionsWith,
} from '../voice.descriptions';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['campaign'], operation: ['addLead'] } },
	[
		{
			displayName: 'Campaign',
			name: 'campaign',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. Spring Renewals',
			description:
				'The campaign’s name in Samespace. A name Samespace does not know creates a new campaign.',
		},
		{
			displayName: 'Team',
			name: 'team',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. Sales',
			description: 'The Samespace team the campaign is mapped to: its agents call the lead',
		},
		{
			displayName: 'Dial List',
			name: 'dialList',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. CRM leads',
			description: 'The dial list of the campaign the lead goes into. A new name creates the list.',
		},
		phoneNumberProperty('The lead’s number, which the dialer calls'),
		...dataProperties(
			'leadData',
			'Lead Data',
			'What the agents see about the lead, e.g. name, company, plan',
		),
		voiceOptionsWith(sendOptions.callsOnRetry),
	],
);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await sendVoiceRequests(this, (itemIndex) =>
		addLeadRequest({
			campaign: this.getNodeParameter('campaign', itemIndex, ''),
			team: this.getNodeParameter('team', itemIndex, ''),
			dialList: this.getNodeParameter('dialList', itemIndex, ''),
			number: this.getNodeParameter('phoneNumber', itemIndex, ''),
			data: readDataInput(this.getNodeParameter.bind(this), 'leadData', itemIndex),
		}),
	);
}
