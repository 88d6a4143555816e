import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import {
	CALL_FLOW_ENDPOINT_EXPRESSION,
	CREDENTIAL_TYPE,
	SAMESPACE_DEFAULT_BASE_URL,
} from '../nodes/Samespace/transport/credential';

/** Statuses that mean the test failed; any other answer means the Cloud ID and token got through. */
const FAILING_STATUSES = [301, 302, 303, 307, 308, 401, 403, 404, 405, 500, 502, 503, 504];
const REDIRECTED =
	"The Base URL answers with a redirect, which the test does not follow (the token was sent nowhere else): use the address Samespace's API answers at";

const isPlainObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' &&
	value !== null &&
	[Object.prototype, null].includes(Object.getPrototypeOf(value));

/**
 * The body with `cloud_id` and `auth_token` added last, as n8n's declarative `body` injection
 * would: into a JSON (or form) object, or a new one when there is no body. Any other body (text,
 * a stream, a buffer) is left as it is: there is nowhere to put the fields, and Samespace answers 401.
 */
function withCredentialFields(
	body: IHttpRequestOptions['body'],
	credentials: ICredentialDataDecryptedObject,
): IHttpRequestOptions['body'] {
	if (body !== undefined && !isPlainObject(body)) return body;
	return {
		...(body ?? {}),
		cloud_id: String(credentials.cloudId ?? '').trim(),
		auth_token: String(credentials.authToken ?? '').trim(),
	};
}

export class SamespaceApi implements ICredentialType {
	name = CREDENTIAL_TYPE;

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
				'Change only for a regional, older or test endpoint. Requests go to {Base URL}/call/flow; an https:// (or http://) address without a query, fragment or user name.',
		},
		{
			displayName: 'Cluster',
			name: 'cluster',
			type: 'string',
			default: '',
			placeholder: 'e.g. in',
			description:
				'Needed only for Click to Call, Request Callback and Add Lead to Dial List: the cluster (region) of your Samespace cloud. Their requests go to https://{cluster}.samespace.com.',
		},
		{
			displayName: 'Voice API URL',
			name: 'voiceApiUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://in.samespace.com',
			description:
				'Change only for a test or private endpoint: replaces https://{cluster}.samespace.com for Click to Call, Request Callback and Add Lead to Dial List',
		},
	];

	// Samespace takes the credentials in the JSON body, not in a header. Trimmed: a token pasted
	// with a trailing newline must work, as it does in the node's own checks. A function rather
	// than n8n's declarative form, which evaluates two expressions per request.
	// See docs/design.md#authenticate-and-one-read-per-execution.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return { ...requestOptions, body: withCredentialFields(requestOptions.body, credentials) };
	}

	// The test submits an empty flow: with no call step in it, nothing can ring. Samespace answers
	// 401/403 when it does not accept the Cloud ID and token; any other refusal (the empty flow is
	// invalid) means they were accepted. Like the node, it never follows a redirect: the token is
	// in the body.
	test: ICredentialTestRequest = {
		request: {
			url: CALL_FLOW_ENDPOINT_EXPRESSION,
			method: 'POST',
			body: { record: false, flow: [] },
			json: true,
			disableFollowRedirect: true,
			timeout: 20_000,
			ignoreHttpStatusErrors: { ignore: true, except: FAILING_STATUSES },
		},
		rules: [
			...[301, 302, 303, 307, 308].map((value) => ({
				type: 'responseCode' as const,
				properties: { value, message: `${REDIRECTED} (HTTP ${value})` },
			})),
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'Samespace did not accept this Cloud ID and Auth Token',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: 'This Auth Token is not allowed to create call flows in this cloud',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message: 'No Samespace Call Flow API answers at this Base URL: check it',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 405,
					message: 'No Samespace Call Flow API answers at this Base URL: check it',
				},
			},
		],
	};
}
