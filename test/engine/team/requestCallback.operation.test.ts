/**
 * Request Callback (resource Team) through n8n's engine, against servers written here: the page's
 * fields (space_id, team_name, number, attributes), no token in the request, attributes as fields
 * or JSON, a refusal in words, and never twice.
 */
import { json, useServers } from '../../support/hostile-server';
import { CLOUD_ID, expectNoSecret, outputJson, SECRET_TOKEN } from '../../support/samespace';
import { bodiesAt, runVoice } from '../../support/voice-api';

const startServer = useServers();
const PATH = '/apiv1/team/make_call';
const callback = (extra: Record<string, unknown> = {}) => ({
	resource: 'team',
	operation: 'requestCallback',
	team: 'Sales',
	phoneNumber: '={{ $json.phone }}',
	...extra,
});

test('the team is asked to call back: the page’s fields, the Cloud ID as space_id, no token', async () => {
	const server = await startServer((_request, response) =>
		json(response, 200, { success: true, message: 'Callback requested' }),
	);
	const result = await runVoice(
		server,
		callback({
			attributesFields: {
				field: [
					{ name: 'name', value: '={{ $json.name }}' },
					{ name: 'topic', value: 'pricing' },
				],
			},
		}),
		{ items: [{ phone: '+44 20 7946 0958', name: 'Grace Hopper' }] },
	);
	expect(result.error).toBeUndefined();
	expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${PATH}`]);
	expect(server.received[0].body).toBe(
		JSON.stringify({
			space_id: CLOUD_ID,
			team_name: 'Sales',
			number: '442079460958',
			attributes: { name: 'Grace Hopper', topic: 'pricing' },
		}),
	);
	expect(server.sawText(SECRET_TOKEN)).toBe(false);
	expect(server.sawText('auth_token')).toBe(false);
	expect(outputJson(result)[0]).toEqual(
		expect.objectContaining({ success: true, message: 'Callback requested' }),
	);
	expectNoSecret(result);
});

test('attributes as JSON, and another space id', async () => {
	const server = await startServer((_request, response) => json(response, 200, { success: true }));
	await runVoice(
		server,
		callback({
			attributesMode: 'json',
			attributesJson: '={{ JSON.stringify({ email: $json.email }) }}',
			options: { spaceId: 'acme-eu' },
		}),
		{ items: [{ phone: '14155550123', email: 'ada@example.com' }] },
	);
	expect(bodiesAt(server, PATH)).toEqual([
		{
			space_id: 'acme-eu',
			team_name: 'Sales',
			number: '14155550123',
			attributes: { email: 'ada@example.com' },
		},
	]);
});

test.each([
	[
		'broken JSON',
		{ attributesMode: 'json', attributesJson: '{"email": ' },
		'Item 1: Attributes is not valid JSON',
	],
	[
		'a name given twice',
		{
			attributesFields: {
				field: [
					{ name: 'a', value: '1' },
					{ name: 'a', value: '2' },
				],
			},
		},
		'Item 1: Attributes "a" is given twice',
	],
	['a team an expression finds empty', { team: '={{ $json.team }}' }, 'Item 1: Team is empty'],
])('%s: refused before anything is sent', async (_name, extra, message) => {
	const server = await startServer((_request, response) => json(response, 200, { success: true }));
	const result = await runVoice(server, callback(extra));
	expect(result.error?.message.startsWith(message)).toBe(true);
	expect(server.received).toHaveLength(0);
});

test('a refusal with HTTP 200 is an error in words; a lost answer is not sent again', async () => {
	const server = await startServer((request, response) => {
		if ((JSON.parse(request.body) as { number: string }).number === '14155550101')
			return json(response, 200, { success: false, message: 'Team not found' });
		response.socket?.destroy();
		return undefined;
	});
	const result = await runVoice(server, callback(), {
		items: [{ phone: '14155550101' }, { phone: '14155550102' }],
		continueOnFail: true,
	});
	const [refused, lost] = outputJson(result);
	expect(refused.error).toBe(
		'Item 1: Samespace refused the request for the team Sales: Team not found',
	);
	expect(refused.callMayHaveBeenPlaced).toBe(false);
	expect(lost).toEqual(expect.objectContaining({ callMayHaveBeenPlaced: true }));
	expect(String(lost.description)).toContain('The callback may have been requested');
	expect(bodiesAt(server, PATH).filter((body) => body.number === '14155550102')).toHaveLength(1);
});

test('a JSON 503 without Retry-After from the Voice API host is not sent again (a gateway may have forwarded it)', async () => {
	const server = await startServer((_request, response) =>
		json(response, 503, { success: false, message: 'Service Unavailable' }),
	);
	const result = await runVoice(server, callback({ options: { retries: 3 } }), {
		continueOnFail: true,
	});
	expect(outputJson(result)[0]).toEqual(
		expect.objectContaining({ outcome: 'uncertain', callMayHaveBeenPlaced: true }),
	);
	expect(bodiesAt(server, PATH)).toHaveLength(1);
});
