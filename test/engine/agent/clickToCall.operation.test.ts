/**
 * Click to Call (resource Agent) through n8n's engine, against servers written here: the body as
 * Samespace's Voice API page names its fields, no token anywhere in the request, the agent's
 * username from the Cloud ID, "not logged in" in words, and Place Call's rules for lists (never
 * twice, the cap, Retry-After).
 */
import { json, refusedOrigin, useServers } from '../../support/hostile-server';
import { CLOUD_ID, expectNoSecret, outputJson, SECRET_TOKEN } from '../../support/samespace';
import { bodiesAt, runVoice } from '../../support/voice-api';

const startServer = useServers();
const PATH = '/apiv1/make_call';
const click = (extra: Record<string, unknown> = {}) => ({
	resource: 'agent',
	operation: 'clickToCall',
	agent: 'jane',
	phoneNumber: '={{ $json.phone }}',
	...extra,
});
const ok = (response: import('node:http').ServerResponse) =>
	json(response, 200, { success: true, message: 'Call event sent' });

test('the agent’s dock is sent the number: the page’s fields, the username from the Cloud ID, no token', async () => {
	const server = await startServer((_request, response) => ok(response));
	const result = await runVoice(
		server,
		click({
			callerId: '+1 (415) 555-0100',
			customDataFields: { field: [{ name: 'lead', value: '={{ $json.name }}' }] },
		}),
		{ items: [{ phone: '+1 415 555 0123', name: 'Ada Lovelace' }] },
	);

	expect(result.error).toBeUndefined();
	expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${PATH}`]);
	expect(server.received[0].body).toBe(
		JSON.stringify({
			username: `jane@${CLOUD_ID}`,
			number: '14155550123',
			callerId: '14155550100',
			custom: { lead: 'Ada Lovelace' },
		}),
	);
	// Click to Call takes no token: it must never reach this API, in any form.
	expect(server.sawText(SECRET_TOKEN)).toBe(false);
	expect(server.sawText('auth_token')).toBe(false);
	expect(outputJson(result)).toEqual([
		{
			success: true,
			message: 'Call event sent',
			submitted: {
				username: `jane@${CLOUD_ID}`,
				number: '14155550123',
				callerId: '14155550100',
				custom: { lead: 'Ada Lovelace' },
			},
		},
	]);
	expectNoSecret(result);
});

test('"Cant make call! Not logged In" (HTTP 200) becomes words that name the agent', async () => {
	const server = await startServer((_request, response) =>
		json(response, 200, { success: false, message: 'Cant make call! Not logged In' }),
	);
	const result = await runVoice(server, click({ agent: `jane@${CLOUD_ID}` }), {
		continueOnFail: true,
	});
	expect(outputJson(result)[0]).toEqual(
		expect.objectContaining({
			error: `Item 1: The agent jane@${CLOUD_ID} is not logged in to Samespace: nothing was dialled`,
			outcome: 'refused',
			callMayHaveBeenPlaced: false,
		}),
	);
	const stopped = await runVoice(server, click());
	expect(stopped.error?.message).toContain(
		`The agent jane@${CLOUD_ID} is not logged in to Samespace`,
	);
});

test.each([
	[
		'an agent of another cloud',
		{ agent: 'jane@othercloud' },
		'Item 1: Agent "jane@othercloud" belongs to the cloud "othercloud"',
	],
	['an agent an expression finds empty', { agent: '={{ $json.agent }}' }, 'Item 1: Agent is empty'],
	[
		'a number that is not one',
		{ phoneNumber: 'call me' },
		'Item 1: Phone Number "call me" is not a phone number',
	],
	[
		'custom data that is not a JSON object',
		{ customDataMode: 'json', customDataJson: '[1, 2]' },
		'Item 1: Custom Data must be a JSON object',
	],
])(
	'%s: refused before anything is sent, naming the item and the field',
	async (_name, extra, message) => {
		const server = await startServer((_request, response) => ok(response));
		const result = await runVoice(server, click(extra));
		expect(result.error?.message).toMatch(
			new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
		);
		expect(result.error?.description).toContain('Nothing was sent');
		expect(server.received).toHaveLength(0);
	},
);

test('no Cluster and no Voice API URL in the credential: what to set, and nothing sent', async () => {
	const server = await startServer((_request, response) => ok(response));
	const result = await runVoice(server, click(), { credentials: { voiceApiUrl: '' } });
	expect(result.error?.message).toBe(
		'The Cluster in the Samespace API credential is empty: enter the cluster (region) of your Samespace cloud, the first part of the address you sign in at (for example "in" in https://in.samespace.com)',
	);
	expect(server.received).toHaveLength(0);
});

test('an answer that may have dialled (HTTP 500) is never sent again; a 429 is, after its Retry-After', async () => {
	let calls = 0;
	const server = await startServer((request, response) => {
		calls++;
		const body = JSON.parse(request.body) as { number: string };
		if (body.number === '14155550101') return json(response, 500, { message: 'oops' });
		if (calls <= 2) return json(response, 429, { message: 'slow down' }, { 'retry-after': '1' });
		ok(response);
	});
	const result = await runVoice(server, click(), {
		items: [{ phone: '14155550101' }, { phone: '14155550102' }],
		continueOnFail: true,
	});
	const [first, second] = outputJson(result);
	expect(first).toEqual(
		expect.objectContaining({ outcome: 'uncertain', callMayHaveBeenPlaced: true }),
	);
	expect(String(first.description)).toContain(
		"The agent's Samespace dock may have dialled the number",
	);
	expect(second).toEqual(expect.objectContaining({ success: true }));
	const numbers = bodiesAt(server, PATH).map((body) => body.number);
	expect(numbers.filter((n) => n === '14155550101')).toHaveLength(1);
});

test('a list: every item once, never more than Calls in Parallel at a time, in order, with pairedItem', async () => {
	let inFlight = 0;
	let peak = 0;
	const server = await startServer((_request, response) => {
		inFlight++;
		peak = Math.max(peak, inFlight);
		setTimeout(() => {
			inFlight--;
			ok(response);
		}, 20);
	});
	const items = Array.from({ length: 30 }, (_v, i) => ({
		phone: `141555501${String(i).padStart(2, '0')}`,
	}));
	const result = await runVoice(server, click({ options: { concurrency: 4 } }), { items });
	const sent = bodiesAt(server, PATH).map((body) => body.number);
	expect([...sent].sort()).toEqual(items.map((item) => item.phone));
	expect(peak).toBeLessThanOrEqual(4);
	expect(peak).toBeGreaterThan(1);
	expect(outputJson(result).map((item) => (item.submitted as { number: string }).number)).toEqual(
		items.map((item) => item.phone),
	);
	expect(result.outputs.Samespace.map((item) => item.pairedItem)).toEqual(
		items.map((_v, i) => ({ item: i })),
	);
});

test('Validate Only shows the request and sends nothing', async () => {
	const server = await startServer((_request, response) => ok(response));
	const result = await runVoice(server, click({ options: { validateOnly: true } }));
	expect(outputJson(result)).toEqual([
		{
			valid: true,
			request: {
				method: 'POST',
				url: `${server.origin}${PATH}`,
				body: { username: `jane@${CLOUD_ID}`, number: '14155550123' },
			},
		},
	]);
	expect(server.received).toHaveLength(0);
});

test('a Voice API URL where nothing listens, or no Voice API (404): the Cluster is named, never the Base URL', async () => {
	const nowhere = await refusedOrigin();
	const server = await startServer((_request, response) =>
		json(response, 404, { message: 'Not Found' }),
	);
	const unreachable = await runVoice(server, click(), {
		credentials: { voiceApiUrl: nowhere },
		continueOnFail: true,
	});
	const missing = await runVoice(server, click(), { continueOnFail: true });
	const [notSent] = outputJson(unreachable);
	const [notFound] = outputJson(missing);
	expect(notSent).toEqual(
		expect.objectContaining({ outcome: 'notSent', callMayHaveBeenPlaced: false }),
	);
	expect(String(notSent.description)).toContain(
		'Check the Cluster (or the Voice API URL) in the Samespace API credential',
	);
	expect(notFound.error).toBe(
		'Item 1: No Samespace Voice API answers at this address (HTTP 404): check the Cluster (or the Voice API URL) in the Samespace API credential',
	);
	for (const item of [notSent, notFound]) expect(JSON.stringify(item)).not.toContain('Base URL');
});
