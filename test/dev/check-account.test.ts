/**
 * `npm run check:account` (dev/check-account.ts) without a real account: against the emulator
 * and small misbehaving servers, all on 127.0.0.1. What it sends (nothing that can ring anyone
 * without a flag, exactly one request per flag, nothing at all on a usage error), what it reports
 * (every assumption, in words) and what it never prints (the token, in any shape).
 */
import * as path from 'node:path';
import { spawn } from 'node:child_process';

import { SamespaceEmulator } from '../../dev/emulator';
import { ASSUMPTIONS, main } from '../../dev/check-account';
import { CALLBACK_PATH, CAMPAIGN_ADD_PATH, CLICK_TO_CALL_PATH } from '../../dev/voice-api';
import { CLOUD_ID, SECRET_TOKEN, secretShapes } from '../support/samespace';
import { json, refusedOrigin, useServers } from '../support/hostile-server';

const CALL_FLOW_PATH = '/api/public/v1/call/flow';
const QUERY = 'https://api.samespace.com/api/public/v1?token=1';

/** Runs the check with only the environment given (never the developer's own). */
async function check(argv: string[], env: Record<string, string | undefined>) {
	const lines: string[] = [];
	const code = await main(argv, env, (line) => lines.push(line));
	return { code, output: lines.join('\n') };
}

const leakedShapes = (output: string) =>
	secretShapes(SECRET_TOKEN).filter((shape) => output.includes(shape));

/** The report's line for one assumption: its verdict and the reason under it. */
function verdictOf(output: string, id: keyof typeof ASSUMPTIONS): string {
	const lines = output.split('\n');
	const i = lines.findIndex((line) => line.endsWith(` ${ASSUMPTIONS[id]}`));
	if (i < 0) throw new Error(`no line for ${id}`);
	return `${lines[i].slice(0, 14).trim()}: ${lines[i + 1].trim()}`;
}

describe('npm run check:account', () => {
	let emu: SamespaceEmulator;
	const env = () => ({
		SAMESPACE_CLOUD_ID: CLOUD_ID,
		SAMESPACE_AUTH_TOKEN: SECRET_TOKEN,
		SAMESPACE_BASE_URL: emu.baseUrl,
		SAMESPACE_VOICE_API_URL: emu.voiceApiUrl,
	});
	/** Nothing happened in the emulator: no call, click, callback or lead. */
	const expectNothingPlaced = () => {
		expect(emu.counters.placed).toBe(0);
		expect(emu.placedCalls).toEqual([]);
		expect(emu.voice.counters).toMatchObject({ clicks: 0, callbacks: 0, leadsAdded: 0 });
		expect(emu.voice.leads()).toEqual([]);
		expect(emu.voice.campaigns).toEqual([]);
	};

	beforeAll(async () => {
		// As Samespace is expected to be: an agent name nobody uses has no dock logged in.
		emu = await SamespaceEmulator.start({
			cloudId: CLOUD_ID,
			authToken: SECRET_TOKEN,
			voice: { agentsLoggedIn: false },
		});
	});
	beforeEach(() => emu.reset());
	afterAll(async () => {
		await emu.close();
	});

	describe('a usage error sends nothing and says what to set', () => {
		// `raw`: exactly these variables; otherwise these on top of a good environment.
		test.each([
			['no environment', [], {}, true, /Set SAMESPACE_CLOUD_ID and SAMESPACE_AUTH_TOKEN/],
			['no token', [], { SAMESPACE_CLOUD_ID: CLOUD_ID }, true, /SAMESPACE_AUTH_TOKEN/],
			['a blank token', [], { SAMESPACE_AUTH_TOKEN: '  ' }, false, /SAMESPACE_AUTH_TOKEN/],
			['a short token', [], { SAMESPACE_AUTH_TOKEN: 'abc' }, false, /under 8 characters/],
			['a Base URL with a query', [], { SAMESPACE_BASE_URL: QUERY }, false, /SAMESPACE_BASE_URL/],
			// As in the node, a Voice API URL replaces the cluster's host: a bad cluster counts without one.
			[
				'a bad cluster',
				[],
				{ SAMESPACE_CLUSTER: 'in1.x.example/', SAMESPACE_VOICE_API_URL: '' },
				false,
				/SAMESPACE_CLUSTER "in1.x.example\/" is not a cluster name/,
			],
			['a bad Voice API URL', [], { SAMESPACE_VOICE_API_URL: 'ftp://x' }, false, /VOICE_API_URL/],
			['an unknown flag', ['--dial', '1415'], {}, false, /Unknown argument --dial/],
			['a flag without its value', ['--call'], {}, false, /--call needs a value/],
			['--call without digits', ['--call', 'tomorrow'], {}, false, /--call needs a phone number/],
			['a voice flag without --number', ['--callback', 'Sales'], {}, false, /needs --number/],
			['--number alone', ['--number', '14155550123'], {}, false, /--number goes with/],
			[
				'a voice flag without a Voice API',
				['--click-to-call', 'jane', '--number', '14155550123'],
				{ SAMESPACE_VOICE_API_URL: undefined },
				false,
				/needs SAMESPACE_CLUSTER or SAMESPACE_VOICE_API_URL/,
			],
			[
				'a lead of two names',
				['--add-lead', 'Spring:Sales', '--number', '14155550123'],
				{},
				false,
				/--add-lead takes/,
			],
		] as Array<[string, string[], Record<string, string | undefined>, boolean, RegExp]>)(
			'%s',
			async (_name, argv, vars, raw, expected) => {
				const { code, output } = await check(argv, raw ? vars : { ...env(), ...vars });
				expect(code).toBe(2);
				expect(output).toMatch(expected);
				expect(output).toContain('Nothing was sent.');
				expect(output).toContain('Usage: npm run check:account');
				expect(emu.counters.requests).toBe(0);
				expect(leakedShapes(output)).toEqual([]);
			},
		);
	});

	test('without flags: four requests that cannot reach anyone; every assumption named; no token', async () => {
		const { code, output } = await check([], env());
		expect(code).toBe(0);
		expect(emu.requests.map((request) => request.path)).toEqual([
			CALL_FLOW_PATH,
			CALL_FLOW_PATH,
			CLICK_TO_CALL_PATH,
			CALLBACK_PATH,
		]);
		const [empty, wrong, click, callback] = emu.requests.map((request) => request.body as any);
		expect(empty).toEqual({
			cloud_id: CLOUD_ID,
			auth_token: SECRET_TOKEN,
			record: false,
			flow: [],
		});
		expect(wrong).toEqual({ ...empty, auth_token: expect.stringMatching(/^n8n-check-/) });
		expect(click).toMatchObject({
			username: expect.stringMatching(new RegExp(`^n8n-check-[0-9a-f]+@${CLOUD_ID}$`)),
			number: '15555550100',
		});
		expect(callback).toMatchObject({
			space_id: CLOUD_ID,
			team_name: expect.stringMatching(/^n8n-check-/),
			number: 'not-a-number',
		});
		// The Voice APIs got no token, and nothing happened.
		expect(emu.voice.counters.tokenLeaks).toBe(0);
		expectNothingPlaced();

		for (const id of Object.keys(ASSUMPTIONS) as Array<keyof typeof ASSUMPTIONS>)
			expect(verdictOf(output, id)).toMatch(/^(HOLDS|DOES NOT HOLD|NOT CHECKED): \S/);
		expect(verdictOf(output, 'credentials')).toMatch(/^HOLDS/);
		expect(verdictOf(output, 'badToken')).toBe('HOLDS: #2');
		expect(verdictOf(output, 'emptyFlow')).toMatch(/^HOLDS/);
		expect(verdictOf(output, 'errorFormat')).toBe('HOLDS: every refusal: #1, #2, #3, #4');
		expect(verdictOf(output, 'success200')).toMatch(/^HOLDS: #3/);
		expect(verdictOf(output, 'notLoggedIn')).toMatch(/^HOLDS: #3/);
		expect(verdictOf(output, 'voiceNoToken')).toMatch(/^HOLDS/);
		expect(verdictOf(output, 'callbackRefusal')).toBe('HOLDS: #4');
		expect(verdictOf(output, 'accepted')).toBe(
			'NOT CHECKED: needs --call <number> (one real call)',
		);
		expect(verdictOf(output, 'leadAccepted')).toMatch(
			/^NOT CHECKED: needs --add-lead; never sent without it/,
		);
		expect(verdictOf(output, 'rateLimit')).toMatch(/^NOT CHECKED: it takes a burst/);
		expect(output).toMatch(
			/HTTP 400, JSON \{success: false, message: "Invalid call flow: .*", errors: array\}/,
		);
		expect(output).toMatch(
			/Summary: 9 hold, 0 do not hold, 10 not checked; 4 requests sent, none could ring anyone or create anything\.$/,
		);
		expect(leakedShapes(output)).toEqual([]);
	});

	test('the probe relies on its agent name not existing: where every agent is logged in, it is one click, reported', async () => {
		emu.voice.agentsLoggedInByDefault = true;
		const { code, output } = await check([], env());
		expect(code).toBe(1);
		expect(emu.voice.clicks).toEqual([
			expect.objectContaining({
				username: expect.stringMatching(/^n8n-check-/),
				number: '15555550100',
			}),
		]);
		expect(verdictOf(output, 'notLoggedIn')).toBe(
			'DOES NOT HOLD: #3 was ACCEPTED for an agent that cannot exist: tell Samespace',
		);
	});

	test('without a Voice API: the call-flow requests only; the Voice API assumptions say why', async () => {
		const { code, output } = await check([], { ...env(), SAMESPACE_VOICE_API_URL: undefined });
		expect(code).toBe(0);
		expect(emu.requests.map((request) => request.path)).toEqual([CALL_FLOW_PATH, CALL_FLOW_PATH]);
		for (const id of ['voiceNoToken', 'notLoggedIn', 'callbackRefusal'] as const)
			expect(verdictOf(output, id)).toBe(
				'NOT CHECKED: needs SAMESPACE_CLUSTER or SAMESPACE_VOICE_API_URL',
			);
		expect(output).toContain('2 requests sent');
	});

	describe('each flag sends exactly its one request', () => {
		test('--call: one call flow to the number, which says a sentence; its answer shape is reported', async () => {
			const { code, output } = await check(
				['--call', '+1 (415) 555-0123', '--caller-id', '14155550100'],
				env(),
			);
			expect(code).toBe(0);
			expect(emu.requests).toHaveLength(5);
			expect(emu.placedCalls).toHaveLength(1);
			expect(emu.placedCalls[0].body.flow).toEqual([
				{ id: '1', type: 'call', number: '14155550123', caller_id: '14155550100', next_step: '2' },
				{ id: '2', type: 'play', text: expect.stringContaining('test call from n8n') },
			]);
			expect(emu.voice.counters).toMatchObject({ clicks: 0, callbacks: 0, leadsAdded: 0 });
			expect(verdictOf(output, 'accepted')).toBe('HOLDS: #5: the id is "call_id"');
			expect(verdictOf(output, 'idsText')).toMatch(/^HOLDS/);
			expect(output).toContain('1 of them real (a flag)');
			expect(leakedShapes(output)).toEqual([]);
		});

		test('--click-to-call: one click for the agent (the cloud added) and number', async () => {
			emu.voice.setAgent(`jane@${CLOUD_ID}`, { loggedIn: true });
			const { output } = await check(['--click-to-call', 'jane', '--number', '14155550123'], env());
			expect(emu.requests).toHaveLength(5);
			expect(emu.voice.clicks).toEqual([
				expect.objectContaining({ username: `jane@${CLOUD_ID}`, number: '14155550123' }),
			]);
			expect(emu.voice.counters).toMatchObject({
				clicks: 1,
				callbacks: 0,
				leadsAdded: 0,
				tokenLeaks: 0,
			});
			expect(emu.placedCalls).toEqual([]);
			expect(verdictOf(output, 'clickAccepted')).toBe('HOLDS: #5');
		});

		test('--callback: one callback to the team, with the Cloud ID as space_id', async () => {
			const { output } = await check(['--callback', 'Sales', '--number=14155550123'], env());
			expect(emu.requests).toHaveLength(5);
			expect(emu.voice.callbacks).toEqual([
				expect.objectContaining({ spaceId: CLOUD_ID, team: 'Sales', number: '14155550123' }),
			]);
			expect(emu.voice.counters).toMatchObject({
				clicks: 0,
				callbacks: 1,
				leadsAdded: 0,
				tokenLeaks: 0,
			});
			expect(verdictOf(output, 'spaceId')).toBe('HOLDS: #5');
			expect(verdictOf(output, 'callbackAccepted')).toBe('HOLDS: #5');
		});

		test('--add-lead: one lead in the named campaign, team and dial list', async () => {
			const { output } = await check(
				['--add-lead', 'Spring:Sales:Web leads', '--number', '14155550123'],
				env(),
			);
			expect(emu.requests.map((request) => request.path)).toEqual([
				CALL_FLOW_PATH,
				CALL_FLOW_PATH,
				CLICK_TO_CALL_PATH,
				CALLBACK_PATH,
				CAMPAIGN_ADD_PATH,
			]);
			expect(emu.voice.campaigns).toEqual([
				{ name: 'Spring', team: 'Sales', lists: ['Web leads'] },
			]);
			expect(emu.voice.leads()).toEqual([expect.objectContaining({ number: '14155550123' })]);
			expect(emu.voice.counters).toMatchObject({
				clicks: 0,
				callbacks: 0,
				leadsAdded: 1,
				tokenLeaks: 0,
			});
			expect(verdictOf(output, 'leadAccepted')).toBe('HOLDS: #5');
			expect(verdictOf(output, 'leadUpdate')).toMatch(/^NOT CHECKED/);
			expect(leakedShapes(output)).toEqual([]);
		});

		test('all four flags: four more requests, one of each', async () => {
			emu.voice.agentsLoggedInByDefault = true;
			const { output } = await check(
				[
					'--call',
					'14155550123',
					'--click-to-call',
					`jane@${CLOUD_ID}`,
					'--callback',
					'Support',
					'--add-lead',
					'A:Sales:B',
					'--number',
					'14155550199',
				],
				env(),
			);
			expect(emu.requests).toHaveLength(8);
			expect(emu.placedCalls).toHaveLength(1);
			// The probe's click (every agent is logged in here) and the flag's.
			expect(emu.voice.clicks.map((c) => c.number)).toEqual(['15555550100', '14155550199']);
			expect(emu.voice.counters).toMatchObject({ callbacks: 1, leadsAdded: 1 });
			expect(output).toContain('8 requests sent, 4 of them real (a flag)');
		});
	});

	describe('against a Samespace that misbehaves', () => {
		const server = useServers();

		test('token echoed in every shape, a redirect, a 200 refusal of a wrong token, a 429 page: reported, never printed', async () => {
			const shapes = {
				raw: SECRET_TOKEN,
				json: JSON.stringify(SECRET_TOKEN),
				url: encodeURIComponent(SECRET_TOKEN),
			};
			const samespace = await server((request, response) => {
				const body = JSON.parse(request.body || '{}');
				if (request.path.endsWith('/call/flow') && body.auth_token === SECRET_TOKEN)
					return json(response, 400, {
						success: false,
						message: `no flow for ${SECRET_TOKEN}`,
						[SECRET_TOKEN]: shapes,
					});
				if (request.path.endsWith('/call/flow'))
					return json(response, 200, { success: false, message: 'Invalid token' });
				if (request.path === CLICK_TO_CALL_PATH) {
					response.writeHead(307, {
						// On the same server: a check that followed it would show here, and stay local.
						Location: `${samespace.origin}/moved?t=${encodeURIComponent(SECRET_TOKEN)}`,
					});
					response.end();
					return;
				}
				response.writeHead(429, { 'Content-Type': 'text/html', 'Retry-After': SECRET_TOKEN });
				response.end(`<html>${SECRET_TOKEN}</html>`);
			});
			const { code, output } = await check([], {
				SAMESPACE_CLOUD_ID: CLOUD_ID,
				SAMESPACE_AUTH_TOKEN: SECRET_TOKEN,
				SAMESPACE_BASE_URL: samespace.baseUrl,
				SAMESPACE_VOICE_API_URL: samespace.origin,
			});
			expect(code).toBe(1);
			expect(samespace.received).toHaveLength(4); // the redirect was not followed
			expect(leakedShapes(output)).toEqual([]);
			expect(output).toContain('********');
			expect(verdictOf(output, 'badToken')).toBe(
				"DOES NOT HOLD: #2: the credential's Test button would pass a wrong token",
			);
			expect(verdictOf(output, 'redirects')).toMatch(/^DOES NOT HOLD: #3/);
			expect(output).toContain(`HTTP 307, Location: ${samespace.origin}/moved?t=********`);
			expect(verdictOf(output, 'rateLimit')).toBe('HOLDS: #4');
			expect(verdictOf(output, 'errorFormat')).toBe('DOES NOT HOLD: not in that format: #4');
			expect(output).toMatch(/HTTP 429, text\/html, \d+ bytes, retry-after: \*{8}/);
			expect(verdictOf(output, 'notLoggedIn')).toMatch(/^NOT CHECKED: #3: redirected/);
		});

		test('nothing listening: every assumption it needed an answer for is NOT CHECKED, with the reason', async () => {
			const nowhere = await refusedOrigin();
			const { code, output } = await check([], {
				SAMESPACE_CLOUD_ID: CLOUD_ID,
				SAMESPACE_AUTH_TOKEN: SECRET_TOKEN,
				SAMESPACE_BASE_URL: `${nowhere}/api/public/v1`,
				SAMESPACE_VOICE_API_URL: nowhere,
			});
			expect(code).toBe(0);
			expect(verdictOf(output, 'credentials')).toBe('NOT CHECKED: #1: no answer (ECONNREFUSED)');
			expect(verdictOf(output, 'errorFormat')).toBe('NOT CHECKED: no refusal was seen');
			expect(verdictOf(output, 'voiceNoToken')).toMatch(/^NOT CHECKED: #3: no answer/);
			expect(output).toMatch(/Summary: 0 hold, 0 do not hold, 19 not checked/);
		});
	});

	describe('as a command (the build of dev/, which npm test makes first)', () => {
		const script = path.resolve(__dirname, '../../build/dev/check-account.js');
		/** Runs it with PATH and the given variables only: never the developer's own credentials. */
		function run(args: string[], vars: Record<string, string>) {
			const child = spawn(process.execPath, [script, ...args], {
				env: { PATH: process.env.PATH ?? '', ...vars },
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			let output = '';
			child.stdout.on('data', (d) => (output += d));
			child.stderr.on('data', (d) => (output += d));
			return new Promise<{ code: number | null; output: string }>((resolve) =>
				child.on('close', (code) => resolve({ code, output })),
			);
		}

		test('missing variables: the names to set, a non-zero exit, nothing sent', async () => {
			const { code, output } = await run([], {});
			expect(code).toBe(2);
			expect(output).toContain('Set SAMESPACE_CLOUD_ID and SAMESPACE_AUTH_TOKEN');
			expect(output).toContain('Nothing was sent.');
		});

		test('against the emulator: the report, exit 0, no token', async () => {
			const { code, output } = await run([], env());
			expect(code).toBe(0);
			expect(output).toContain('Summary: 9 hold, 0 do not hold, 10 not checked');
			expect(leakedShapes(output)).toEqual([]);
			expect(emu.requests).toHaveLength(4);
			expectNothingPlaced();
		});
	});
});
