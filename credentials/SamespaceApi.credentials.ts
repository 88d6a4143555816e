import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

export const SAMESPACE_DEFAULT_BASE_URL = 'https://api.samespace.com/api/public/v1';

/** Statuses that mean the test failed; any other answer means the Cloud ID and token got through. */
const FAILING_STATUSES = [401, 403, 404, 405, 500, 502, 503, 504];

export class SamespaceApi implements ICredentialType {
	name = 'samespaceApi';

	displayName = 'Samespace API';

	icon: Icon = { light: 'file:../icons/samespace.svg', dark: 'file:../icons/samespace.dark.svg' };

	documentationUrl = 'https://github.com/samespace/n8n-nodes-samespace#credentials';

	httpRequestNode = {
		name: 'Samespace',
		docsUrl: 'https://github.com/samespace/n8n-nodes-samespace#credentials',
		apiBaseUrlPlaceholder: SAMESPACE_DEFAULT_BASE_URL,
	};

	properties: INodeProperties[] = [
		{
			displayName: 'Cloud ID',
			name: 'cloudId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. acme',
			description: 'The ID of your Samespace cloud (workspace)',
		},
		{
			displayName: 'Auth Token',
			name: 'authToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'An auth token generated for a Samespace user. Ask your Samespace administrator if you do not have one.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: SAMESPACE_DEFAULT_BASE_URL,
			description:
				'Change only for a regional, older or test endpoint. Requests go to {Base URL}/call/flow.',
		},
	];

	// Samespace takes the credentials in the JSON body, not in a header.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			body: {
				cloud_id: '={{$credentials.cloudId}}',
				auth_token: '={{$credentials.authToken}}',
			},
		},
	};

	// The test submits an empty flow: with no call step in it, nothing can ring. Samespace answers
	// 401/403 when it does not accept the Cloud ID and token; any other refusal (the empty flow is
	// invalid) means they were accepted.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/call/flow',
			method: 'POST',
			body: { record: false, flow: [] },
			json: true,
			ignoreHttpStatusErrors: { ignore: true, except: FAILING_STATUSES },
		},
		rules: [
			{
				type: 'responseCode',
				properties: { value: 401, message: 'Samespace did not accept this Cloud ID and Auth Token' },
			},
			{
				type: 'responseCode',
				properties: { value: 403, message: 'This Auth Token is not allowed to create call flows in this cloud' },
			},
			{
				type: 'responseCode',
				properties: { value: 404, message: 'No Samespace Call Flow API answers at this Base URL: check it' },
			},
			{
				type: 'responseCode',
				properties: { value: 405, message: 'No Samespace Call Flow API answers at this Base URL: check it' },
			},
		],
	};
}
