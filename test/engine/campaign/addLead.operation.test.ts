/**
 * Add Lead to Dial List (resource Campaign) through n8n's engine, against servers written here:
 * the page's fields with the credential's cloud_id and auth_token, which only this API gets; the
 * token never in the output; a lost answer never sent again.
 */
import { json, useServers } from '../../support/hostile-server';
import { CLOUD_ID, expectNoSecret, outputJson, SECRET_TOKEN } from '../../support/samespace';
import { bodiesAt, runVoice } from '../../support/voice-api';

const startServer = useServers();
const PATH = '/router/api/v2/campaign/add';
const addLead = (extra: Record<string, unknown> = {}) => ({
	resource: 'campaign',
	operation: 'addLead',
	campaign: 'Spring Renewals',
	team: 'Sales',
	dialList: 'CRM leads',
	phoneNumber: '={{ $json.phone }}',
	leadDataFields: { field: [{ name: 'name', value: '={{ $json.name }}' }] },
	...extra,
});

test('the lead goes to the dial list: the page’s fields, with the Cloud ID and Auth Token from the credential', async () => {
	const server = await startServer((_request, response) =>
		json(response, 200, { success: true, message: 'Lead added' }),
	);
	const result = await runVoice(server, addLead(), {
		items: [{ phone: '+1 415 555 0123', name: 'Ada' }],
	});
	expect(result.error).toBeUndefined();
	expect(bodiesAt(server, PATH)).toEqual([
		{
			campaign: 'Spring Renewals',
			team_name: 'Sales',
			source: 'CRM leads',
			number: '14155550123',
			data: { name: 'Ada' },
			cloud_id: CLOUD_ID,
			auth_token: SECRET_TOKEN,
		},
	]);
	expect(outputJson(result)[0]).toEqual({
		success: true,
		message: 'Lead added',
		submitted: {
			campaign: 'Spring Renewals',
			team_name: 'Sales',
			source: 'CRM leads',
			number: '14155550123',
			data: { name: 'Ada' },
		},
	});
	expectNoSecret(result);
});

test('a lost answer (HTTP 502) is not sent again: the lead may be in the list already, and the item says to check', async () => {
	const server = await startServer((_request, response) =>
		json(response, 502, { message: 'bad gateway' }),
	);
	const result = await runVoice(server, addLead({ options: { retries: 3 } }), {
		continueOnFail: true,
	});
	const [out] = outputJson(result);
	expect(out).toEqual(
		expect.objectContaining({ outcome: 'uncertain', callMayHaveBeenPlaced: true }),
	);
	expect(String(out.description)).toContain(
		'check the dial list in Samespace before you send this item again',
	);
	expect(bodiesAt(server, PATH)).toHaveLength(1);
	expectNoSecret(result);
});

test.each([200, 400, 500])(
	'an answer (HTTP %s) that echoes the request, token and all, shows the token nowhere',
	async (status) => {
		const server = await startServer((request, response) =>
			json(response, status, {
				success: status === 200,
				message: `got ${request.body}`,
				echo: request.body,
			}),
		);
		const result = await runVoice(server, addLead(), { continueOnFail: true });
		expect(bodiesAt(server, PATH)).toHaveLength(1);
		expect(JSON.stringify(bodiesAt(server, PATH)[0])).toContain(SECRET_TOKEN);
		expectNoSecret(result);
	},
);

test('Validate Only shows the request, the token only as a placeholder, and sends nothing', async () => {
	const server = await startServer((_request, response) => json(response, 200, { success: true }));
	const result = await runVoice(server, addLead({ options: { validateOnly: true } }), {
		items: [{ phone: '14155550123', name: 'Ada' }],
	});
	expect(outputJson(result)[0]).toEqual({
		valid: true,
		request: {
			method: 'POST',
			url: `${server.origin}${PATH}`,
			body: {
				campaign: 'Spring Renewals',
				team_name: 'Sales',
				source: 'CRM leads',
				number: '14155550123',
				data: { name: 'Ada' },
				cloud_id: CLOUD_ID,
				auth_token: '(from the credential)',
			},
		},
	});
	expect(server.received).toHaveLength(0);
	expectNoSecret(result);
});

test('a refusal with success: false and no message names the campaign and the fields to check, not a call flow', async () => {
	const server = await startServer((_request, response) => json(response, 200, { success: false }));
	const result = await runVoice(server, addLead(), { continueOnFail: true });
	const [out] = outputJson(result);
	expect(out).toEqual(
		expect.objectContaining({
			error:
				'Item 1: Samespace refused the request for the campaign Spring Renewals without saying why (HTTP 200 with success: false)',
			description:
				"The lead was not added. Check the item's Campaign, Team, Dial List, Phone Number and Lead Data.",
			outcome: 'refused',
			callMayHaveBeenPlaced: false,
		}),
	);
	expect(bodiesAt(server, PATH)).toHaveLength(1);
});

test('Samespace refusing the token (401) stops the run with no retry; the token is shown nowhere', async () => {
	const server = await startServer((_request, response) =>
		json(response, 401, { success: false, message: `Invalid token ${SECRET_TOKEN}` }),
	);
	const result = await runVoice(server, addLead());
	expect(result.error?.message).toMatch(
		/^Item 1: Samespace did not accept the request for the campaign .* \(HTTP 401\): check the Cloud ID and Auth Token/,
	);
	// Samespace's own words are kept, the token in them masked.
	expect(result.error?.description).toContain('Invalid token ********');
	expect(bodiesAt(server, PATH)).toHaveLength(1);
	expectNoSecret(result);
});

test('a list of leads: each once, in order, none refused because a later one is invalid with Continue On Fail', async () => {
	const server = await startServer((_request, response) => json(response, 200, { success: true }));
	const items = [{ phone: '14155550101' }, { phone: 'n/a' }, { phone: '14155550103' }];
	const result = await runVoice(server, addLead(), { items, continueOnFail: true });
	const out = outputJson(result);
	expect(out[1].error).toMatch(/^Item 2: Phone Number "n\/a" is not a phone number/);
	expect([out[0].success, out[2].success]).toEqual([true, true]);
	expect(bodiesAt(server, PATH).map((body) => body.number)).toEqual(['14155550101', '14155550103']);
});
