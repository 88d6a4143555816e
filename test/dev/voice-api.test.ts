/**
 * The emulator's Voice APIs (dev/voice-api.ts): Click to Call, Callback and Campaign add, over real
 * HTTP on 127.0.0.1, with the emulator's faults, rate limit, recording and reset.
 */
import {
	SamespaceEmulator,
	INVALID_CREDENTIALS_MESSAGE,
	RATE_LIMIT_MESSAGE,
} from '../../dev/emulator';
import {
	CALLBACK_ACCEPTED_MESSAGE,
	CALLBACK_PATH,
	CAMPAIGN_ADD_PATH,
	CLICK_ACCEPTED_MESSAGE,
	CLICK_TO_CALL_PATH,
	INVALID_SPACE_MESSAGE,
	LEAD_ADDED_MESSAGE,
	LEAD_UPDATED_MESSAGE,
	NOT_LOGGED_IN_MESSAGE,
	UNKNOWN_TEAM_MESSAGE,
	UNKNOWN_USER_MESSAGE,
	onPath,
} from '../../dev/voice-api';

const CLOUD = 'acme-cloud';
const TOKEN = 'tok_voice_4b1d9e2f7a6c5b3e8d0f1a2b';
const JANE = `jane@${CLOUD}`;

async function post(
	emu: SamespaceEmulator,
	path: string,
	body: unknown,
	headers: Record<string, string> = { 'Content-Type': 'application/json' },
) {
	return fetch(emu.voiceApiUrl + path, {
		method: 'POST',
		headers,
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
}

/** Status and parsed body of one request. */
async function send(emu: SamespaceEmulator, path: string, body: unknown) {
	const r = await post(emu, path, body);
	return { status: r.status, body: (await r.json()) as any };
}

const click = (extra: Record<string, unknown> = {}) => ({
	username: JANE,
	number: '14155550123',
	...extra,
});
const callback = (extra: Record<string, unknown> = {}) => ({
	space_id: CLOUD,
	team_name: 'Sales',
	number: '14155550123',
	attributes: { name: 'Ada' },
	...extra,
});
const lead = (extra: Record<string, unknown> = {}) => ({
	cloud_id: CLOUD,
	auth_token: TOKEN,
	campaign: 'Spring',
	team_name: 'Sales',
	source: 'Web leads',
	number: '14155550123',
	data: { name: 'Ada' },
	...extra,
});

describe('the emulator: Voice APIs', () => {
	let emu: SamespaceEmulator;

	beforeAll(async () => {
		emu = await SamespaceEmulator.start({ cloudId: CLOUD, authToken: TOKEN });
	});
	afterEach(() => emu.reset());
	afterAll(async () => {
		await emu.close();
	});

	test('served on the same 127.0.0.1 server: voiceApiUrl is its origin', () => {
		expect(emu.voiceApiUrl).toBe(emu.origin);
		expect(emu.voiceApiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
	});

	describe('Click to Call', () => {
		test('accepted: 200 success with an id; the click is recorded, no call is placed', async () => {
			const custom = { lead: 'Ada', crm: { id: 7 } };
			const { status, body } = await send(
				emu,
				CLICK_TO_CALL_PATH,
				click({ callerId: '14155550100', custom }),
			);
			expect(status).toBe(200);
			expect(body).toEqual({
				success: true,
				message: CLICK_ACCEPTED_MESSAGE,
				id: expect.any(String),
			});
			expect(emu.voice.clicks).toEqual([
				{
					id: body.id,
					username: JANE,
					number: '14155550123',
					callerId: '14155550100',
					custom,
					time: expect.any(Number),
				},
			]);
			expect(emu.voice.counters).toMatchObject({ clicks: 1, tokenLeaks: 0, duplicateClicks: {} });
			expect(emu.counters).toMatchObject({ requests: 1, accepted: 1, placed: 0, rejected: 0 });
			expect(emu.placedCalls).toHaveLength(0);
			expect(emu.requests[0]).toMatchObject({
				method: 'POST',
				path: CLICK_TO_CALL_PATH,
				status: 200,
			});
		});

		test('the same agent and number twice is counted as a duplicate', async () => {
			for (let i = 0; i < 3; i++) await send(emu, CLICK_TO_CALL_PATH, click());
			await send(emu, CLICK_TO_CALL_PATH, click({ number: '14155550199' }));
			await send(emu, CLICK_TO_CALL_PATH, click({ username: `john@${CLOUD}` }));
			expect(emu.voice.counters.clicks).toBe(5);
			expect(emu.voice.counters.duplicateClicks).toEqual({ [`${JANE}|14155550123`]: 2 });
		});

		test('an agent logged out: 200 {"success": false, "message": "Cant make call! Not logged In"}', async () => {
			emu.voice.setAgent(JANE, { loggedIn: false });
			expect(await send(emu, CLICK_TO_CALL_PATH, click())).toEqual({
				status: 200,
				body: { success: false, message: NOT_LOGGED_IN_MESSAGE },
			});
			expect(emu.voice.clicks).toHaveLength(0);
			expect(emu.counters).toMatchObject({ accepted: 0, rejected: 1 });
			// Others are still logged in; logging her back in works.
			expect(
				(await send(emu, CLICK_TO_CALL_PATH, click({ username: `john@${CLOUD}` }))).body.success,
			).toBe(true);
			emu.voice.setAgent(JANE, { loggedIn: true });
			expect((await send(emu, CLICK_TO_CALL_PATH, click())).body.success).toBe(true);
		});

		test('agentsLoggedIn: false: only agents set logged in can take a click', async () => {
			const e = await SamespaceEmulator.start({ cloudId: CLOUD, voice: { agentsLoggedIn: false } });
			try {
				expect((await send(e, CLICK_TO_CALL_PATH, click())).body).toEqual({
					success: false,
					message: NOT_LOGGED_IN_MESSAGE,
				});
				e.voice.setAgent(JANE, { loggedIn: true });
				expect((await send(e, CLICK_TO_CALL_PATH, click())).body.success).toBe(true);
				e.voice.agentsLoggedInByDefault = true;
				e.reset();
				expect(e.voice.agentsLoggedInByDefault).toBe(false);
				expect((await send(e, CLICK_TO_CALL_PATH, click())).body.success).toBe(false);
			} finally {
				await e.close();
			}
		});

		test('a user of another cloud: 200 success false', async () => {
			expect(await send(emu, CLICK_TO_CALL_PATH, click({ username: 'jane@other-cloud' }))).toEqual({
				status: 200,
				body: { success: false, message: UNKNOWN_USER_MESSAGE },
			});
			expect(emu.voice.counters.clicks).toBe(0);
		});

		test.each([
			['number with letters', click({ number: '1415555abc' })],
			['number of 1 digit', click({ number: '1' })],
			['number of 16 digits', click({ number: '1234567890123456' })],
			['number with a +', click({ number: '+14155550123' })],
			['number as a JSON number', click({ number: 14155550123 })],
			['no number', { username: JANE }],
			['no username', { number: '14155550123' }],
			['username without a cloud', click({ username: 'jane' })],
			['username with a space', click({ username: `jane doe@${CLOUD}` })],
			['callerId not digits', click({ callerId: 'Acme' })],
			['custom an array', click({ custom: ['a'] })],
		])('%s: 400, nothing recorded', async (_name, body) => {
			const r = await send(emu, CLICK_TO_CALL_PATH, body);
			expect(r.status).toBe(400);
			expect(r.body).toEqual({ success: false, message: expect.any(String) });
			expect(emu.voice.clicks).toHaveLength(0);
		});

		test('the token in the body is a leak: counted wherever it is, answered normally', async () => {
			const leaks = [
				click({ auth_token: TOKEN }),
				click({ auth_token: 'something else' }),
				click({ custom: { note: `token ${TOKEN}` } }),
				click({ custom: { nested: [{ [TOKEN]: 1 }] } }),
			];
			for (const body of leaks)
				expect((await send(emu, CLICK_TO_CALL_PATH, body)).status).toBe(200);
			// Not JSON: refused, but the token went over the wire all the same.
			const r = await post(emu, CLICK_TO_CALL_PATH, `username=${JANE}&token=${TOKEN}`);
			expect(r.status).toBe(400);
			expect(emu.voice.counters).toMatchObject({ clicks: 4, tokenLeaks: 5 });
			expect(emu.voice.leaks.map((leak) => leak.where)).toEqual([
				['auth_token'],
				['auth_token'],
				['custom.note'],
				[`custom.nested[0].${TOKEN}`],
				['body'],
			]);
			expect(emu.voice.leaks[0].path).toBe(CLICK_TO_CALL_PATH);
		});
	});

	describe('Callback', () => {
		test('accepted: 200 success with an id; recorded; duplicates per team and number', async () => {
			const first = await send(emu, CALLBACK_PATH, callback());
			expect(first).toEqual({
				status: 200,
				body: { success: true, message: CALLBACK_ACCEPTED_MESSAGE, id: expect.any(String) },
			});
			await send(emu, CALLBACK_PATH, callback());
			await send(emu, CALLBACK_PATH, callback({ team_name: 'Support' }));
			expect(emu.voice.callbacks[0]).toEqual({
				id: first.body.id,
				spaceId: CLOUD,
				team: 'Sales',
				number: '14155550123',
				attributes: { name: 'Ada' },
				time: expect.any(Number),
			});
			expect(emu.voice.counters).toMatchObject({
				callbacks: 3,
				duplicateCallbacks: { 'Sales|14155550123': 1 },
				tokenLeaks: 0,
			});
			expect(emu.counters).toMatchObject({ accepted: 3, placed: 0 });
		});

		test('a space_id that is not the Cloud ID, or an unknown team: 200 success false', async () => {
			expect(await send(emu, CALLBACK_PATH, callback({ space_id: 'acme' }))).toEqual({
				status: 200,
				body: { success: false, message: INVALID_SPACE_MESSAGE },
			});
			expect(await send(emu, CALLBACK_PATH, callback({ team_name: 'Billing' }))).toEqual({
				status: 200,
				body: { success: false, message: UNKNOWN_TEAM_MESSAGE },
			});
			// Team names are compared exactly.
			expect((await send(emu, CALLBACK_PATH, callback({ team_name: 'sales' }))).body.success).toBe(
				false,
			);
			expect(emu.voice.callbacks).toHaveLength(0);
			emu.voice.addTeam('Billing');
			expect(emu.voice.teams).toEqual(['Sales', 'Support', 'Billing']);
			expect(
				(await send(emu, CALLBACK_PATH, callback({ team_name: 'Billing' }))).body.success,
			).toBe(true);
		});

		test('option voice.teams replaces the default teams', async () => {
			const e = await SamespaceEmulator.start({ cloudId: CLOUD, voice: { teams: ['Billing'] } });
			try {
				expect((await send(e, CALLBACK_PATH, callback())).body.message).toBe(UNKNOWN_TEAM_MESSAGE);
				expect((await send(e, CALLBACK_PATH, callback({ team_name: 'Billing' }))).status).toBe(200);
			} finally {
				await e.close();
			}
		});

		test.each([
			['an invalid number', callback({ number: 'n8n-check' })],
			['no team_name', callback({ team_name: undefined })],
			['an empty space_id', callback({ space_id: ' ' })],
			['attributes a string', callback({ attributes: 'name=Ada' })],
		])('%s: 400, nothing recorded', async (_name, body) => {
			const r = await send(emu, CALLBACK_PATH, body);
			expect(r.status).toBe(400);
			expect(r.body.success).toBe(false);
			expect(emu.voice.counters.callbacks).toBe(0);
		});

		test('400 comes before the team check: an invalid number to an unknown team', async () => {
			const r = await send(emu, CALLBACK_PATH, callback({ team_name: 'Nobody', number: 'x' }));
			expect(r.status).toBe(400);
		});

		test('the token in the body is a leak, answered normally', async () => {
			expect(
				(await send(emu, CALLBACK_PATH, callback({ auth_token: TOKEN, cloud_id: CLOUD }))).status,
			).toBe(200);
			expect((await send(emu, CALLBACK_PATH, callback({ attributes: { t: TOKEN } }))).status).toBe(
				200,
			);
			expect(emu.voice.counters).toMatchObject({ callbacks: 2, tokenLeaks: 2 });
			expect(emu.voice.leaks.map((leak) => [leak.path, leak.where])).toEqual([
				[CALLBACK_PATH, ['auth_token']],
				[CALLBACK_PATH, ['attributes.t']],
			]);
		});
	});

	describe('Campaign add', () => {
		test('cloud_id and auth_token are checked as /call/flow checks them: 401', async () => {
			for (const body of [
				lead({ auth_token: 'wrong-token' }),
				lead({ cloud_id: 'other' }),
				lead({ auth_token: undefined }),
				// Credentials come before the other fields, as on /call/flow.
				{ cloud_id: CLOUD, auth_token: 'wrong-token' },
			])
				expect(await send(emu, CAMPAIGN_ADD_PATH, body)).toEqual({
					status: 401,
					body: { success: false, message: INVALID_CREDENTIALS_MESSAGE },
				});
			expect(emu.voice.leads()).toEqual([]);
			expect(emu.voice.counters.tokenLeaks).toBe(0);
		});

		test('the campaign and dial list are created on first use; the same number again updates the lead', async () => {
			const added = await send(emu, CAMPAIGN_ADD_PATH, lead());
			expect(added).toEqual({
				status: 200,
				body: {
					success: true,
					message: LEAD_ADDED_MESSAGE,
					action: 'added',
					id: expect.any(String),
				},
			});
			expect(emu.voice.campaigns).toEqual([
				{ name: 'Spring', team: 'Sales', lists: ['Web leads'] },
			]);

			const updated = await send(
				emu,
				CAMPAIGN_ADD_PATH,
				lead({ data: { name: 'Ada L.', plan: 'pro' } }),
			);
			expect(updated.body).toEqual({
				success: true,
				message: LEAD_UPDATED_MESSAGE,
				action: 'updated',
				id: added.body.id,
			});
			expect(emu.voice.leads('Spring', 'Web leads')).toEqual([
				{
					id: added.body.id,
					campaign: 'Spring',
					source: 'Web leads',
					number: '14155550123',
					data: { name: 'Ada L.', plan: 'pro' },
					addedAt: expect.any(Number),
					updatedAt: expect.any(Number),
					updates: 1,
				},
			]);

			// Another dial list of the campaign: a lead of its own.
			const other = await send(emu, CAMPAIGN_ADD_PATH, lead({ source: 'Events' }));
			expect(other.body.action).toBe('added');
			expect(other.body.id).not.toBe(added.body.id);
			expect(emu.voice.campaigns).toEqual([
				{ name: 'Spring', team: 'Sales', lists: ['Web leads', 'Events'] },
			]);
			expect(emu.voice.leads()).toHaveLength(2);
			expect(emu.voice.counters).toMatchObject({ leadsAdded: 2, leadsUpdated: 1 });
			expect(emu.voice.leadRequests.map((r) => [r.source, r.action])).toEqual([
				['Web leads', 'added'],
				['Web leads', 'updated'],
				['Events', 'added'],
			]);
		});

		test('the team must exist; a campaign keeps the team of its first add', async () => {
			expect(await send(emu, CAMPAIGN_ADD_PATH, lead({ team_name: 'Billing' }))).toEqual({
				status: 200,
				body: { success: false, message: UNKNOWN_TEAM_MESSAGE },
			});
			expect(emu.voice.campaigns).toEqual([]);
			await send(emu, CAMPAIGN_ADD_PATH, lead());
			expect(
				(await send(emu, CAMPAIGN_ADD_PATH, lead({ team_name: 'Support', number: '14155550124' })))
					.status,
			).toBe(200);
			expect(emu.voice.campaigns[0].team).toBe('Sales');
		});

		test.each([
			['no campaign', lead({ campaign: undefined })],
			['an empty source', lead({ source: '' })],
			['an invalid number', lead({ number: '555-0123' })],
			['data an array', lead({ data: [1] })],
		])('%s: 400, nothing stored', async (_name, body) => {
			expect((await send(emu, CAMPAIGN_ADD_PATH, body)).status).toBe(400);
			expect(emu.voice.leads()).toEqual([]);
		});

		test('its own auth_token is no leak; the token in data is', async () => {
			await send(emu, CAMPAIGN_ADD_PATH, lead());
			expect(emu.voice.counters.tokenLeaks).toBe(0);
			await send(emu, CAMPAIGN_ADD_PATH, lead({ data: { auth_token: TOKEN } }));
			expect(emu.voice.counters.tokenLeaks).toBe(1);
			expect(emu.voice.leaks[0].where).toEqual(['data.auth_token']);
		});
	});

	describe('what the emulator applies to every path', () => {
		test('405 for GET, 400 for a body that is not JSON or not an object, 413 for a large one', async () => {
			const get = await fetch(emu.voiceApiUrl + CALLBACK_PATH);
			expect(get.status).toBe(405);
			expect(get.headers.get('allow')).toBe('POST');
			const text = await post(emu, CALLBACK_PATH, JSON.stringify(callback()), {
				'Content-Type': 'text/plain',
			});
			expect(text.status).toBe(400);
			expect((await send(emu, CLICK_TO_CALL_PATH, [click()])).status).toBe(400);
			const big = await post(
				emu,
				CAMPAIGN_ADD_PATH,
				lead({ data: { pad: 'x'.repeat(1024 * 1024) } }),
			);
			expect(big.status).toBe(413);
			expect(emu.voice.counters).toMatchObject({ clicks: 0, callbacks: 0, leadsAdded: 0 });
			expect(emu.counters.rejected).toBe(4);
		});

		test('paths near the Voice API paths are 404', async () => {
			for (const path of ['/apiv1/make_call/', '/apiv1/team', '/router/api/v1/campaign/add'])
				expect((await post(emu, path, click())).status).toBe(404);
		});

		test('a status fault that "places" performs a valid request; one that does not, performs nothing', async () => {
			emu.inject(500);
			const r = await post(emu, CLICK_TO_CALL_PATH, click());
			expect(r.status).toBe(500);
			expect(await r.json()).toEqual({ success: false, message: 'Internal server error' });
			expect(emu.voice.clicks).toEqual([
				expect.objectContaining({ username: JANE, fault: 'status:500' }),
			]);

			emu.inject(503);
			expect((await post(emu, CALLBACK_PATH, callback())).status).toBe(503);
			expect(emu.voice.callbacks).toHaveLength(0);

			// A placed fault on an invalid request (a wrong token) performs nothing.
			emu.inject(502);
			expect((await post(emu, CAMPAIGN_ADD_PATH, lead({ auth_token: 'wrong-token' }))).status).toBe(
				502,
			);
			expect(emu.voice.leads()).toEqual([]);
			expect(emu.counters).toMatchObject({ faulted: 3, placed: 0 });
			expect(emu.requests.map((request) => request.fault)).toEqual([
				'status:500',
				'status:503',
				'status:502',
			]);
		});

		test('successFalse: 200 success false, nothing performed', async () => {
			emu.inject('successFalse');
			expect(await send(emu, CAMPAIGN_ADD_PATH, lead())).toEqual({
				status: 200,
				body: { success: false, message: 'Request could not be processed' },
			});
			expect(emu.voice.leads()).toEqual([]);
		});

		test('`when` with onPath picks one API: the others are answered normally', async () => {
			const rule = emu.inject(429, { when: onPath(CALLBACK_PATH), times: 2 });
			expect((await post(emu, CLICK_TO_CALL_PATH, click())).status).toBe(200);
			expect((await post(emu, emu.callFlowUrl.slice(emu.origin.length), {})).status).toBe(401);
			expect((await post(emu, CALLBACK_PATH, callback())).status).toBe(429);
			expect(rule.hits).toBe(1);
			expect(emu.pendingFaults).toHaveLength(1);
		});

		test('a call-flow fault by body (`when` on the flow) leaves the Voice APIs alone', async () => {
			emu.inject(500, { when: (body) => Array.isArray(body?.flow) });
			expect((await post(emu, CALLBACK_PATH, callback())).status).toBe(200);
			expect(emu.pendingFaults).toHaveLength(1);
		});

		test('delay: performed on arrival, the answer after the delay', async () => {
			emu.inject({ kind: 'delay', ms: 1000 });
			const start = Date.now();
			let answered = false;
			const pending = send(emu, CAMPAIGN_ADD_PATH, lead()).finally(() => (answered = true));
			// The lead is stored on arrival, before the answer (polled: the machine may be busy).
			while (emu.voice.leads().length === 0 && !answered)
				await new Promise((resolve) => setTimeout(resolve, 10));
			expect(emu.voice.leads()).toHaveLength(1);
			expect(answered).toBe(false);
			const { status, body } = await pending;
			expect(Date.now() - start).toBeGreaterThanOrEqual(990);
			expect(status).toBe(200);
			expect(body).toMatchObject({ action: 'added', id: emu.voice.leads()[0].id });
			expect(emu.voice.counters).toMatchObject({ leadsAdded: 1, leadsUpdated: 0 });
			expect(emu.counters.accepted).toBe(1);
		});

		test('broken answers carry the Voice API answer: cut JSON, a reset mid-body', async () => {
			emu.inject('truncatedJson');
			const r = await post(emu, CLICK_TO_CALL_PATH, click());
			const text = await r.text();
			expect(text.length).toBeGreaterThan(0);
			expect(
				JSON.stringify({
					success: true,
					message: CLICK_ACCEPTED_MESSAGE,
					id: emu.voice.clicks[0].id,
				}),
			).toMatch(new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

			emu.inject('resetBeforeResponse');
			await expect(post(emu, CALLBACK_PATH, callback())).rejects.toThrow();
			expect(emu.voice.callbacks).toHaveLength(1);
			expect(emu.voice.callbacks[0].fault).toBe('resetBeforeResponse');
			expect(emu.counters.resets).toBe(1);
		});

		test('oversized: a valid success JSON padded, the lead stored', async () => {
			emu.inject({ kind: 'oversized', bytes: 4096 });
			const { body } = await send(emu, CAMPAIGN_ADD_PATH, lead());
			expect(body).toMatchObject({ success: true, action: 'added', padding: expect.any(String) });
			expect(emu.voice.leads()).toHaveLength(1);
		});

		test('the token leak is counted even when the request is faulted', async () => {
			emu.inject(503);
			expect((await post(emu, CLICK_TO_CALL_PATH, click({ auth_token: TOKEN }))).status).toBe(503);
			expect(emu.voice.counters).toMatchObject({ tokenLeaks: 1, clicks: 0 });
		});

		test('the rate limit: one bucket for /call/flow and the Voice APIs; 429 performs nothing', async () => {
			const clock = { now: 1_000_000 };
			const e = await SamespaceEmulator.start({
				cloudId: CLOUD,
				authToken: TOKEN,
				rateLimit: { perSecond: 1, burst: 3, now: () => clock.now },
			});
			try {
				expect((await post(e, CLICK_TO_CALL_PATH, click())).status).toBe(200);
				expect((await post(e, CALLBACK_PATH, callback())).status).toBe(200);
				expect(
					(
						await fetch(e.callFlowUrl, {
							method: 'POST',
							headers: { 'Content-Type': 'application/json' },
							body: '{}',
						})
					).status,
				).toBe(401);
				const limited = await post(e, CAMPAIGN_ADD_PATH, lead());
				expect(limited.status).toBe(429);
				expect(limited.headers.get('retry-after')).toBe('1');
				expect(await limited.json()).toEqual({ success: false, message: RATE_LIMIT_MESSAGE });
				// Limited before anything is looked at: a wrong token is 429 too.
				expect((await post(e, CAMPAIGN_ADD_PATH, lead({ auth_token: 'x' }))).status).toBe(429);
				expect(e.voice.leads()).toEqual([]);
				expect(e.counters.rateLimited).toBe(2);
				clock.now += 1000;
				expect((await post(e, CAMPAIGN_ADD_PATH, lead())).status).toBe(200);
			} finally {
				await e.close();
			}
		});

		test("record 'counts': counters and state, no lists", async () => {
			const e = await SamespaceEmulator.start({
				cloudId: CLOUD,
				authToken: TOKEN,
				record: 'counts',
			});
			try {
				await send(e, CLICK_TO_CALL_PATH, click({ auth_token: TOKEN }));
				await send(e, CLICK_TO_CALL_PATH, click());
				await send(e, CALLBACK_PATH, callback());
				await send(e, CAMPAIGN_ADD_PATH, lead());
				expect(e.requests).toHaveLength(0);
				expect(e.voice.clicks).toHaveLength(0);
				expect(e.voice.callbacks).toHaveLength(0);
				expect(e.voice.leadRequests).toHaveLength(0);
				expect(e.voice.leaks).toHaveLength(0);
				expect(e.voice.counters).toMatchObject({
					clicks: 2,
					callbacks: 1,
					leadsAdded: 1,
					tokenLeaks: 1,
					duplicateClicks: { [`${JANE}|14155550123`]: 1 },
				});
				expect(e.voice.leads()).toHaveLength(1);
			} finally {
				await e.close();
			}
		});

		test('reset() clears records, counters, leads, agents and teams, and pending faults', async () => {
			emu.voice.setAgent(JANE, { loggedIn: false });
			emu.voice.addTeam('Billing');
			emu.voice.removeTeam('Support');
			emu.voice.agentsLoggedInByDefault = false;
			emu.voice.setAgent(`john@${CLOUD}`, { loggedIn: true });
			await send(emu, CLICK_TO_CALL_PATH, click({ username: `john@${CLOUD}`, auth_token: TOKEN }));
			await send(emu, CALLBACK_PATH, callback({ team_name: 'Billing' }));
			await send(emu, CAMPAIGN_ADD_PATH, lead());
			emu.inject(500, { times: Infinity });

			emu.reset();

			expect(emu.voice.clicks).toEqual([]);
			expect(emu.voice.callbacks).toEqual([]);
			expect(emu.voice.leadRequests).toEqual([]);
			expect(emu.voice.leaks).toEqual([]);
			expect(emu.voice.leads()).toEqual([]);
			expect(emu.voice.campaigns).toEqual([]);
			expect(emu.voice.counters).toEqual({
				clicks: 0,
				callbacks: 0,
				leadsAdded: 0,
				leadsUpdated: 0,
				tokenLeaks: 0,
				duplicateClicks: {},
				duplicateCallbacks: {},
			});
			expect(emu.voice.teams).toEqual(['Sales', 'Support']);
			expect(emu.voice.agentsLoggedInByDefault).toBe(true);
			expect(emu.requests).toEqual([]);
			expect(emu.counters).toMatchObject({ requests: 0, accepted: 0, faulted: 0 });
			expect(emu.pendingFaults).toHaveLength(0);
			// Jane is logged in again, and a second click after reset is no duplicate.
			expect((await send(emu, CLICK_TO_CALL_PATH, click())).body.success).toBe(true);
			expect(emu.voice.counters.duplicateClicks).toEqual({});
		});
	});
});
