/**
 * The credential's `authenticate` (credentials/SamespaceApi.credentials.ts): what n8n applies to
 * every request made with it, by our node and by the HTTP Request node (predefined credential
 * type): the Cloud ID and token added last to the JSON body, trimmed, without touching the
 * caller's options.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { SamespaceApi } from '../../../credentials/SamespaceApi.credentials';

const credential = new SamespaceApi();
const authenticate = (
	body: IHttpRequestOptions['body'],
	data = { cloudId: ' acme \n', authToken: '\ttok_live_0123456789 ' },
) =>
	(credential.authenticate as (c: object, r: IHttpRequestOptions) => Promise<IHttpRequestOptions>)(
		data,
		{
			url: 'https://api.example.com/call/flow',
			method: 'POST',
			body,
		},
	);

test("adds cloud_id and auth_token, trimmed, after the body's own keys (as the declarative form did)", async () => {
	const body = { record: false, flow: [{ id: '1', type: 'call' }] };
	const sent = await authenticate(body);
	expect(JSON.stringify(sent.body)).toBe(
		'{"record":false,"flow":[{"id":"1","type":"call"}],"cloud_id":"acme","auth_token":"tok_live_0123456789"}',
	);
	expect(body).toEqual({ record: false, flow: [{ id: '1', type: 'call' }] }); // the caller's body is not changed
	expect(sent.url).toBe('https://api.example.com/call/flow');
});

test('a request without a body gets one with the two fields', async () => {
	expect((await authenticate(undefined)).body).toEqual({
		cloud_id: 'acme',
		auth_token: 'tok_live_0123456789',
	});
});

test('a Cloud ID saved as a number is sent as text; a missing field as empty text, never "undefined"', async () => {
	expect(
		(
			await authenticate(
				{},
				{ cloudId: 4021 as unknown as string, authToken: 'tok_live_0123456789' },
			)
		).body,
	).toEqual({
		cloud_id: '4021',
		auth_token: 'tok_live_0123456789',
	});
	expect((await authenticate({}, {} as never)).body).toEqual({ cloud_id: '', auth_token: '' });
});

test('a body that is not a JSON object (text, a buffer, form parameters) is left as it is', async () => {
	for (const body of ['raw text', Buffer.from('bytes'), new URLSearchParams('a=1')] as Array<
		IHttpRequestOptions['body']
	>) {
		expect((await authenticate(body)).body).toBe(body);
	}
});
