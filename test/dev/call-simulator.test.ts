/**
 * The emulator's call simulator (dev/call-simulator.ts): it plays an accepted flow out as a person
 * and Samespace would, against small servers written here for its http steps.
 */
import { CallSimulator } from '../../dev/call-simulator';
import { SamespaceEmulator } from '../../dev/emulator';
import { json, useServers } from '../support/hostile-server';

const startServer = useServers();
const simulator = () => new CallSimulator({ timeScale: 0 });
const path = (call: { path: Array<{ id: string }> }) =>
	call.path.map((step) => step.id).join(' > ');

const menu = (report: string) => [
	{ id: 'call', type: 'call', number: '14155550123', caller_id: '14155550100', next_step: 'ask' },
	{ id: 'ask', type: 'play', text: 'Press 1 or 2', next_step: 'choice' },
	{
		id: 'choice',
		type: 'digits',
		count: 1,
		variable: 'choice',
		next_step: { '1': 'one', '2': 'report', '*': 'other' },
	},
	{ id: 'one', type: 'play', text: 'One' },
	{
		id: 'report',
		type: 'http',
		url: report,
		method: 'POST',
		next_step: { success: 'ok', fail: 'failed' },
	},
	{ id: 'other', type: 'play', text: 'Other' },
	{ id: 'ok', type: 'play', text: 'Recorded' },
	{ id: 'failed', type: 'play', text: 'Not recorded' },
];

test('unscripted, a one-key menu hears "1"', async () => {
	const sim = simulator();
	const call = sim.play('c1', menu('http://127.0.0.1:9/x'));
	await call.done;
	expect(path(call)).toBe('call > ask > choice > one');
	expect(call.path[2].keys).toBe('1');
});

test('scripted keys, a key with no route goes to "*", and an http step follows its answer', async () => {
	const ok = await startServer((_request, response) => json(response, 200, {}));
	const refusing = await startServer((_request, response) => json(response, 503, {}));
	const sim = simulator();
	sim.pressKeys('14155550123', ['2']);
	const first = sim.play('c1', menu(`${ok.origin}/report?key={{choice}}`));
	await first.done;
	expect(path(first)).toBe('call > ask > choice > report > ok');
	expect(first.path[3].request).toEqual({
		method: 'POST',
		url: `${ok.origin}/report?key=2`,
		status: 200,
	});
	expect(ok.received.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /report?key=2']);

	sim.pressKeys('14155550123', ['2']);
	const second = sim.play('c2', menu(`${refusing.origin}/report`));
	await second.done;
	expect(path(second)).toBe('call > ask > choice > report > failed');

	sim.pressKeys('14155550123', ['7']);
	const third = sim.play('c3', menu(`${ok.origin}/report`));
	await third.done;
	expect(path(third)).toBe('call > ask > choice > other');
});

test('keys go into the URL as they are (a "#" starts the fragment), or encoded on request', async () => {
	const server = await startServer((_request, response) => json(response, 200, {}));
	const raw = simulator();
	const flow = menu(`${server.origin}/r?a={{choice}}&end=1`);
	flow[2] = {
		id: 'choice',
		type: 'digits',
		count: 2,
		variable: 'choice',
		next_step: { '*': 'report' },
	} as (typeof flow)[number];
	raw.pressKeys('14155550123', ['2#']);
	await raw.play('c1', flow).done;
	const encoded = new CallSimulator({ timeScale: 0, encodeKeys: true });
	encoded.pressKeys('14155550123', ['2#']);
	await encoded.play('c2', flow).done;
	expect(server.received.map((r) => r.path)).toEqual(['/r?a=2', '/r?a=2%23&end=1']);
});

test('requests go only to this machine; a call nobody answers stops at its call step; loops end', async () => {
	const sim = simulator();
	const outside = sim.play('c1', [
		{ id: 'call', type: 'call', number: '14155550124', caller_id: '1', next_step: 'http' },
		{
			id: 'http',
			type: 'http',
			url: 'https://crm.example.com/x',
			method: 'GET',
			next_step: { success: 's', fail: 'f' },
		},
		{ id: 's', type: 'play', text: 'yes' },
		{ id: 'f', type: 'play', text: 'no' },
	]);
	await outside.done;
	expect(path(outside)).toBe('call > http > f');
	expect(outside.path[1].request?.skipped).toMatch(/not on this machine/);

	sim.unanswered('14155550125');
	const ringing = sim.play('c2', [
		{ id: 'call', type: 'call', number: '14155550125', caller_id: '1', next_step: 'hi' },
		{ id: 'hi', type: 'play', text: 'Hi' },
	]);
	await ringing.done;
	expect(path(ringing)).toBe('call');

	const loop = sim.play('c3', [
		{ id: 'call', type: 'call', number: '14155550126', caller_id: '1', next_step: 'a' },
		{ id: 'a', type: 'play', text: 'again', next_step: 'a' },
	]);
	await loop.done;
	expect(loop.path).toHaveLength(200);
});

test('the emulator plays every call it places when asked to, and only then', async () => {
	const plain = await SamespaceEmulator.start();
	const playing = await SamespaceEmulator.start({ simulateCalls: { timeScale: 0 } });
	try {
		for (const emulator of [plain, playing]) {
			const response = await fetch(emulator.callFlowUrl, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({
					cloud_id: 'demo-cloud',
					auth_token: 'demo-token',
					flow: menu('http://127.0.0.1:9/x'),
				}),
			});
			expect(response.status).toBe(200);
		}
		expect(plain.simulator).toBeUndefined();
		await playing.simulator?.idle();
		expect(playing.simulator?.calls.map((call) => [call.callId, path(call)])).toEqual([
			[playing.placedCalls[0].call_id, 'call > ask > choice > one'],
		]);
	} finally {
		await plain.close();
		await playing.close();
	}
});

test('a "{label}" entry presses the key the call last said for that label, as a person who listens', async () => {
	const ok = await startServer((_request, response) => json(response, 200, {}));
	const flow = menu(`${ok.origin}/report`).map((step) =>
		step.id === 'ask' ? { ...step, text: 'Say 2 now. Press 7 to go on. Press 2 to report.' } : step,
	);
	(flow[2].next_step as unknown as Record<string, string>)['7'] = 'one';
	const sim = simulator();
	sim.pressKeys('14155550123', ['{report}']);
	const call = sim.play('c1', flow);
	await call.done;
	expect(call.path[2].keys).toBe('2');
	expect(path(call)).toBe('call > ask > choice > report > ok');

	sim.pressKeys('14155550123', ['{nothing said}']);
	const unsaid = sim.play('c2', flow);
	await unsaid.done;
	expect(unsaid.path[2].keys).toBe('');
});

test('reportAfter: the first http request goes that long after the call was placed; later steps take their real time', async () => {
	const ok = await startServer((_request, response) => json(response, 200, {}));
	const sim = simulator();
	sim.pressKeys('14155550123', ['2']);
	sim.reportAfter('14155550123', 150);
	const placed = Date.now();
	const call = sim.play('c1', menu(`${ok.origin}/report`));
	await call.done;
	const report = call.path.find((step) => step.id === 'report');
	const recorded = call.path.find((step) => step.id === 'ok');
	// Not before its time (the machine may be slow, so no upper bound here).
	expect(ok.received).toHaveLength(1);
	expect((recorded?.at ?? 0) - placed).toBeGreaterThanOrEqual(150);
	expect(report?.at).toBeLessThan(placed + 150);
	// "Recorded" (8 characters) plays in real time though the simulator's scale is 0: 0.88 s.
	expect(Date.now() - (recorded?.at ?? 0)).toBeGreaterThanOrEqual(880);
});

test('keysFor gives the keys of every call pressKeys did not script, asked as each call is placed; origin limits requests to one server', async () => {
	const n8n = await startServer((_request, response) => json(response, 200, {}));
	const other = await startServer((_request, response) => json(response, 200, {}));
	let keys = ['2'];
	const sim = new CallSimulator({ timeScale: 0, keysFor: () => keys, origin: n8n.origin });
	const first = sim.play('c1', menu(`${n8n.origin}/report`));
	const second = sim.play('c2', menu(`${n8n.origin}/report`));
	await Promise.all([first.done, second.done]);
	expect([path(first), path(second)]).toEqual([
		'call > ask > choice > report > ok',
		'call > ask > choice > report > ok',
	]);
	sim.pressKeys('14155550123', ['1']);
	const scripted = sim.play('c3', menu(`${n8n.origin}/report`));
	await scripted.done;
	keys = ['7'];
	const edited = sim.play('c4', menu(`${n8n.origin}/report`));
	await edited.done;
	expect([path(scripted), path(edited)]).toEqual([
		'call > ask > choice > one',
		'call > ask > choice > other',
	]);
	keys = ['2'];
	const elsewhere = sim.play('c5', menu(`${other.origin}/report`));
	await elsewhere.done;
	expect(path(elsewhere)).toBe('call > ask > choice > report > failed');
	expect(elsewhere.path[3].request?.skipped).toMatch(/^not to http:\/\/127\.0\.0\.1:\d+/);
	expect(other.received).toEqual([]);
	expect(n8n.received).toHaveLength(2);
});
