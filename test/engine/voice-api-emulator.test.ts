/**
 * The Voice API operations in n8n's engine against the emulator's Voice APIs (dev/voice-api.ts):
 * agents logged in or out, teams, dial lists created on first use and leads updated by number,
 * every fault class, a list of hundreds, and the token only where the page lists it.
 */
import type { INodeParameters } from 'n8n-workflow';

import { CALLBACK_PATH, CAMPAIGN_ADD_PATH, CLICK_TO_CALL_PATH, onPath } from '../../dev/voice-api';
import {
	CLOUD_ID,
	expectNoSecret,
	outputJson,
	runSamespace,
	useEmulator,
} from '../support/samespace';

const emulator = useEmulator();

const run = (
	parameters: INodeParameters,
	items: Array<Record<string, unknown>>,
	continueOnFail = true,
) =>
	runSamespace(emulator, parameters, {
		items,
		continueOnFail,
		credentials: { voiceApiUrl: emulator.voiceApiUrl },
	});

const CLICK = {
	resource: 'agent',
	operation: 'clickToCall',
	agent: '={{ $json.agent }}',
	phoneNumber: '={{ $json.phone }}',
};
const CALLBACK = {
	resource: 'team',
	operation: 'requestCallback',
	team: '={{ $json.team }}',
	phoneNumber: '={{ $json.phone }}',
};
const ADD_LEAD = {
	resource: 'campaign',
	operation: 'addLead',
	campaign: 'Spring',
	team: 'Sales',
	dialList: 'Web',
	phoneNumber: '={{ $json.phone }}',
	leadDataFields: { field: [{ name: 'name', value: '={{ $json.name }}' }] },
};

test('Click to Call: a logged-in agent is rung once; one logged out gets "not logged in" in words; the token never travels', async () => {
	emulator.voice.setAgent(`bob@${CLOUD_ID}`, { loggedIn: false });
	const result = await run(CLICK, [
		{ agent: 'jane', phone: '14155550101' },
		{ agent: 'bob', phone: '14155550102' },
	]);
	const [jane, bob] = outputJson(result);
	expect(jane.success).toBe(true);
	expect(bob.error).toBe(
		`Item 2: The agent bob@${CLOUD_ID} is not logged in to Samespace: nothing was dialled`,
	);
	expect(emulator.voice.clicks.map((c) => [c.username, c.number])).toEqual([
		[`jane@${CLOUD_ID}`, '14155550101'],
	]);
	expect(emulator.voice.counters.tokenLeaks).toBe(0);
	expectNoSecret(result);
});

test('Request Callback: a known team takes it, an unknown one is refused in words; no token', async () => {
	const result = await run(CALLBACK, [
		{ team: 'Support', phone: '14155550101' },
		{ team: 'Billing', phone: '14155550102' },
	]);
	const [support, billing] = outputJson(result);
	expect(support.success).toBe(true);
	expect(String(billing.error)).toMatch(
		/^Item 2: Samespace refused the request for the team Billing: /,
	);
	expect(emulator.voice.callbacks).toHaveLength(1);
	expect(emulator.voice.counters.tokenLeaks).toBe(0);
});

test('Add Lead to Dial List: the campaign and dial list are created on first use; the same number again updates its lead', async () => {
	await run(ADD_LEAD, [{ phone: '14155550101', name: 'Ada' }]);
	await run(ADD_LEAD, [{ phone: '+1 415 555 0101', name: 'Ada Lovelace' }]);
	const leads = emulator.voice.leads('Spring', 'Web');
	expect(leads).toHaveLength(1);
	expect(leads[0]).toEqual(
		expect.objectContaining({ number: '14155550101', data: { name: 'Ada Lovelace' } }),
	);
	expect(emulator.voice.counters).toEqual(
		expect.objectContaining({ leadsAdded: 1, leadsUpdated: 1 }),
	);
});

describe('faults: what is sent again and what never is', () => {
	test.each([
		['a 500', { kind: 'status', status: 500 }],
		['a 503 without Retry-After', { kind: 'status', status: 503 }],
		['a reset before the answer', 'resetBeforeResponse'],
		['HTML instead of JSON', 'html'],
		['a body cut off', 'truncatedJson'],
		// The emulator ends the stalled answer soon after: later tests count requests in flight.
		['a body that stops arriving', { kind: 'stallMidBody', ms: 1_200 }],
	] as const)(
		'%s: none of the three is sent again; the item says it may have happened',
		async (_name, fault) => {
			for (const [parameters, path, item] of [
				[CLICK, CLICK_TO_CALL_PATH, { agent: 'jane', phone: '14155550101' }],
				[CALLBACK, CALLBACK_PATH, { team: 'Sales', phone: '14155550101' }],
				[ADD_LEAD, CAMPAIGN_ADD_PATH, { phone: '14155550101', name: 'Ada' }],
			] as const) {
				emulator.reset();
				emulator.inject(fault, { when: onPath(path) });
				// Request Timeout 1 s ends a body that stops arriving.
				const result = await run({ ...parameters, options: { timeout: 1 } }, [item]);
				const sent = emulator.requests.filter((r) => r.path === path).length;
				const [out] = outputJson(result);
				expect(sent).toBe(1);
				expect(out).toEqual(expect.objectContaining({ callMayHaveBeenPlaced: true }));
				expectNoSecret(result);
			}
		},
	);

	test('a 429 with Retry-After: sent again after it, for all three', async () => {
		for (const [parameters, path, item] of [
			[CLICK, CLICK_TO_CALL_PATH, { agent: 'jane', phone: '14155550101' }],
			[CALLBACK, CALLBACK_PATH, { team: 'Sales', phone: '14155550101' }],
			[ADD_LEAD, CAMPAIGN_ADD_PATH, { phone: '14155550101', name: 'Ada' }],
		] as const) {
			emulator.reset();
			emulator.inject({ kind: 'status', status: 429, retryAfter: 1 }, { when: onPath(path) });
			const result = await run(parameters, [item]);
			expect(outputJson(result)[0].success).toBe(true);
			expect(emulator.requests.filter((r) => r.path === path)).toHaveLength(2);
		}
	});
});

test('a list of 300 leads: each once, never more than Calls in Parallel in flight, output in input order', async () => {
	const items = Array.from({ length: 300 }, (_v, i) => ({
		phone: `1415555${String(i).padStart(4, '0')}`,
		name: `Lead ${i}`,
	}));
	emulator.inject({ kind: 'delay', ms: 5 }, { times: Infinity });
	const result = await run({ ...ADD_LEAD, options: { concurrency: 8 } }, items, false);
	expect(result.error).toBeUndefined();
	expect(emulator.voice.leads('Spring', 'Web')).toHaveLength(300);
	expect(emulator.voice.counters.leadsUpdated).toBe(0);
	expect(emulator.peakConcurrency).toBeLessThanOrEqual(8);
	expect(outputJson(result).map((o) => (o.submitted as { number: string }).number)).toEqual(
		items.map((i) => i.phone),
	);
});
