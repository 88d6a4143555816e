/**
 * Place Call (nodes/Samespace/actions/callFlow/placeCall.operation.ts): the built package, loaded
 * and run by n8n's real execution engine, against the emulator. The step list (as the editor and
 * as n8n stores it), JSON mode, the options, API errors and continue on fail.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import {
	CLOUD_ID,
	SECRET_TOKEN,
	expectNoSecret,
	outputJson,
	runSamespace,
	useEmulator,
	straightSteps,
} from '../../support/samespace';

const documentSample = JSON.parse(
	readFileSync(
		path.join(__dirname, '..', '..', 'fixtures', 'document-sample-payload.json'),
		'utf8',
	),
) as { flow: Array<Record<string, unknown>> };

const emulator = useEmulator();

describe('step list', () => {
	test('a straight call, play, connect flow needs no wiring: ids are positions, next steps follow the list', async () => {
		const result = await runSamespace(emulator, { steps: straightSteps() });

		expect(result.error).toBeUndefined();
		expect(emulator.requests).toHaveLength(1);
		expect(emulator.requests[0].headers['content-type']).toMatch(/application\/json/);
		expect(emulator.requests[0].body).toEqual({
			cloud_id: CLOUD_ID,
			auth_token: SECRET_TOKEN,
			record: false,
			flow: [
				{ id: '1', type: 'call', number: '14155550123', caller_id: '14155550100', next_step: '2' },
				{ id: '2', type: 'play', text: 'Hello from Acme.', next_step: '3' },
				{ id: '3', type: 'connect', number: '5263', caller_id: '14155550100' },
			],
		});
		expect(emulator.placedCalls).toHaveLength(1);
		expect(outputJson(result)).toEqual([
			expect.objectContaining({ success: true, call_id: emulator.placedCalls[0].call_id }),
		]);
		expectNoSecret(result);
	});

	test('several items: one call each, from item data, outputs in input order with pairedItem', async () => {
		const phones = ['+1 (415) 555-0101', '14155550102', '+44 20 7946 0103'];
		const result = await runSamespace(
			emulator,
			{ steps: straightSteps() },
			{ items: phones.map((phone) => ({ phone })) },
		);

		expect(result.error).toBeUndefined();
		const sentNumbers = emulator.placedCalls.map((call) => call.number).sort();
		expect(sentNumbers).toEqual(['14155550101', '14155550102', '442079460103']);
		const items = result.outputs.Samespace;
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const callIdByNumber = new Map(emulator.placedCalls.map((call) => [call.number, call.call_id]));
		expect(items.map((item) => item.json.call_id)).toEqual([
			callIdByNumber.get('14155550101'),
			callIdByNumber.get('14155550102'),
			callIdByNumber.get('442079460103'),
		]);
		expectNoSecret(result);
	});

	test('branching with explicit ids, digit routes, any input, http success and failure', async () => {
		const result = await runSamespace(
			emulator,
			{
				steps: {
					step: [
						{
							type: 'call',
							stepId: 'start',
							number: '={{ $json.phone }}',
							callerId: '14155550100',
						},
						{
							type: 'play',
							stepId: 'menu',
							text: '=Hi {{ $json.name }}, press 1 for sales or 2 to enter your account.',
						},
						{
							type: 'digits',
							stepId: 'choice',
							count: 1,
							variable: 'choice',
							routes: {
								route: [
									{ key: '1', step: 'sales' },
									{ key: '2', step: 'account' },
								],
							},
							anyInput: 'menu',
						},
						{ type: 'digits', stepId: 'account', count: 6, variable: 'account_id' },
						{
							type: 'http',
							url: 'https://crm.example.com/accounts/{{account_id}}',
							method: 'post',
							onFailure: 'menu',
						},
						{ type: 'connect', stepId: 'sales', number: '5263', callerId: '14155550100' },
					],
				},
				record: true,
			},
			{ items: [{ phone: '14155550123', name: 'Ada' }] },
		);

		expect(result.error).toBeUndefined();
		expect((emulator.requests[0].body as { record: boolean; flow: unknown }).record).toBe(true);
		expect((emulator.requests[0].body as { flow: unknown }).flow).toEqual([
			{
				id: 'start',
				type: 'call',
				number: '14155550123',
				caller_id: '14155550100',
				next_step: 'menu',
			},
			{
				id: 'menu',
				type: 'play',
				text: 'Hi Ada, press 1 for sales or 2 to enter your account.',
				next_step: 'choice',
			},
			{
				id: 'choice',
				type: 'digits',
				count: 1,
				variable: 'choice',
				next_step: { '1': 'sales', '2': 'account', '*': 'menu' },
			},
			{ id: 'account', type: 'digits', count: 6, variable: 'account_id', next_step: { '*': '5' } },
			{
				id: '5',
				type: 'http',
				url: 'https://crm.example.com/accounts/{{account_id}}',
				method: 'POST',
				next_step: { success: 'sales', fail: 'menu' },
			},
			{ id: 'sales', type: 'connect', number: '5263', caller_id: '14155550100' },
		]);
		expect(emulator.placedCalls).toHaveLength(1);
	});

	test('Samespace placeholders pass literally in a fixed value, and can be kept inside an n8n expression', async () => {
		const httpStep = (url: string) => ({
			steps: {
				step: [
					{ type: 'call', number: '14155550123', callerId: '14155550100' },
					{ type: 'digits', count: 4, variable: 'account_id' },
					{ type: 'http', url },
					{ type: 'connect', number: '5263', callerId: '14155550100' },
				],
			},
		});
		const fixed = await runSamespace(
			emulator,
			httpStep('https://crm.example.com/api/accounts/{{account_id}}'),
		);
		const expression = await runSamespace(
			emulator,
			httpStep('=https://crm.example.com/{{ $json.region }}/accounts/{{ "{{" }}account_id}}'),
			{ items: [{ region: 'eu' }] },
		);

		expect(fixed.error).toBeUndefined();
		expect(expression.error).toBeUndefined();
		const urls = emulator.requests.map(
			(request) => (request.body as { flow: Array<{ url?: string }> }).flow[2].url,
		);
		expect(urls).toEqual([
			'https://crm.example.com/api/accounts/{{account_id}}',
			'https://crm.example.com/eu/accounts/{{account_id}}',
		]);
	});

	test('an invalid flow is rejected before any request, naming the item, step and field', async () => {
		const result = await runSamespace(
			emulator,
			{
				steps: {
					step: [
						{ type: 'call', number: '={{ $json.phone }}', callerId: '14155550100' },
						{ type: 'play', text: '', audioUrl: '' },
						// An expression that finds nothing: n8n's own check of required fields passes it.
						{ type: 'connect', number: '5263', callerId: '={{ $json.none }}', nextStep: 'nowhere' },
					],
				},
			},
			{ items: [{ phone: '14155550101' }, { phone: '14155550102' }] },
		);

		expect(emulator.requests).toHaveLength(0);
		expect(result.error?.message).toBe(
			'Item 1: invalid call flow: step 2 (Play), "Text to Speak": needs something to play: add "text" (spoken to the caller) or "url" (an mp3 file), or both (and 2 more problems)',
		);
		const description = result.error?.description ?? '';
		// The headline names the first problem; the description the other two, not the headline again.
		expect(description.split('\n').slice(0, 2)).toEqual([
			'Nothing was sent for this item.',
			'Also fix these 2:',
		]);
		expect(description).not.toContain('needs something to play');
		expect(description).toContain('2. step 3 (Connect), "Caller ID": is empty');
		expect(description).toContain(
			'3. step 3 (Connect), "Next Step": points to step "nowhere", which is not in this flow',
		);
		expectNoSecret(result);
	});

	test('one bad item stops the whole run before any call, even when earlier items are fine', async () => {
		const result = await runSamespace(
			emulator,
			{ steps: straightSteps() },
			{ items: [{ phone: '14155550101' }, { phone: 'call me maybe' }, { phone: '14155550103' }] },
		);

		expect(emulator.requests).toHaveLength(0);
		expect(result.error?.message).toMatch(
			/^Item 2: invalid call flow: step 1 \(Call\), "Phone Number": "call me maybe" is not a phone number/,
		);
	});

	test('an item without the data an expression reads gets a clear error, and nothing is sent', async () => {
		const result = await runSamespace(
			emulator,
			{ steps: straightSteps('={{ $json.lead.phone }}') },
			{ items: [{ lead: { phone: '14155550101' } }, { other: true }] },
		);

		expect(emulator.requests).toHaveLength(0);
		expect(result.error?.message).toBe(
			'Item 2: invalid call flow: step 1 (Call), "Phone Number": is empty: add the number to call, e.g. 14155550123 or an extension such as 5263 (an expression that finds no data gives an empty value)',
		);
	});

	test('an expression that throws is reported for its item, and nothing is sent', async () => {
		const result = await runSamespace(emulator, {
			steps: straightSteps('={{ $("No Such Node").item.json.phone }}'),
		});

		expect(emulator.requests).toHaveLength(0);
		expect(result.error?.message).toMatch(
			/^Item 1: invalid call flow: a parameter could not be read: Referenced node doesn't exist/,
		);
		// The details say what to do, not the headline again.
		expect(result.error?.description).toBe(
			'Nothing was sent for this item. Fix the expression, or give the item the data it reads.',
		);
	});

	test('warnings (an unreachable step) become execution hints and do not stop the call', async () => {
		const result = await runSamespace(emulator, {
			steps: {
				step: [
					{ type: 'call', number: '14155550123', callerId: '14155550100', nextStep: 'bye' },
					{ type: 'play', text: 'Never heard' },
					{ type: 'play', stepId: 'bye', text: 'Bye' },
				],
			},
		});

		expect(result.error).toBeUndefined();
		expect(emulator.placedCalls).toHaveLength(1);
		expect(result.hints.Samespace).toEqual([
			expect.objectContaining({
				message:
					'Every item: step 2 (Play): can never be reached from the first step: point a next step or route at it, or remove it',
			}),
		]);
	});
});

describe('step list as n8n stores it', () => {
	test('a step saved without its Type is a Play step (the default n8n fills in); End Call stops the flow after a connect', async () => {
		const result = await runSamespace(emulator, {
			steps: {
				step: [
					// n8n leaves default values out of saved workflows: no type here means Play.
					{ type: 'call', number: '14155550123', callerId: '14155550100' },
					{ text: 'Connecting you now.' },
					{
						type: 'connect',
						number: '5263',
						callerId: '14155550100',
						endCall: true,
						nextStep: 'stale',
					},
					{ stepId: 'bye', text: 'Nobody hears this.' },
				],
			},
		});

		expect(result.error).toBeUndefined();
		expect((emulator.requests[0].body as { flow: unknown }).flow).toEqual([
			{ id: '1', type: 'call', number: '14155550123', caller_id: '14155550100', next_step: '2' },
			{ id: '2', type: 'play', text: 'Connecting you now.', next_step: '3' },
			{ id: '3', type: 'connect', number: '5263', caller_id: '14155550100' },
			{ id: 'bye', type: 'play', text: 'Nobody hears this.' },
		]);
		expect(result.hints.Samespace).toEqual([
			expect.objectContaining({
				message: expect.stringMatching(
					/^Every item: step 4 \(Play, Step ID "bye"\): can never be reached/,
				),
			}),
		]);
	});

	test('going to a step by the number of its position is sent, with a hint to give that step an ID', async () => {
		const result = await runSamespace(emulator, {
			steps: {
				step: [
					{ type: 'call', number: '14155550123', callerId: '14155550100' },
					{ type: 'play', text: 'Press 1 to hear this again.' },
					{
						type: 'digits',
						count: 1,
						variable: 'choice',
						routes: { route: [{ key: '1', step: '2' }] },
						anyInput: 'bye',
					},
					{ type: 'play', stepId: 'bye', text: 'Bye' },
				],
			},
		});

		expect(result.error).toBeUndefined();
		expect(
			(emulator.requests[0].body as { flow: Array<{ next_step?: unknown }> }).flow[2].next_step,
		).toEqual({ '1': '2', '*': 'bye' });
		expect(result.hints.Samespace).toEqual([
			expect.objectContaining({
				message:
					'Every item: step 3 (Gather Digits), the route for key "1": goes to "2", the position of step 2, which has no Step ID: if steps are moved, this leads to a different step. Give step 2 a Step ID (e.g. "menu") and use it here',
			}),
		]);
	});
});

describe('JSON mode', () => {
	const flow = [
		{ id: 0, type: 'call', number: '14155550123', caller_id: '14155550100', next_step: 1 },
		{ id: 1, type: 'play', url: 'https://example.com/hello.mp3' },
	];
	const sentFlow = [
		{ id: '0', type: 'call', number: '14155550123', caller_id: '14155550100', next_step: '1' },
		{ id: '1', type: 'play', url: 'https://example.com/hello.mp3' },
	];

	test('a fixed JSON text with numeric ids is sent with ids as strings', async () => {
		const result = await runSamespace(emulator, {
			source: 'json',
			flowJson: JSON.stringify(flow, null, 2),
		});

		expect(result.error).toBeUndefined();
		expect((emulator.requests[0].body as { flow: unknown }).flow).toEqual(sentFlow);
	});

	test('a flow array from earlier nodes, per item', async () => {
		const items = ['14155550101', '14155550102'].map((number) => ({
			flow: [{ ...flow[0], number }, flow[1]],
		}));
		const result = await runSamespace(
			emulator,
			{ source: 'json', flowJson: '={{ $json.flow }}' },
			{ items },
		);

		expect(result.error).toBeUndefined();
		expect(emulator.placedCalls.map((call) => call.number).sort()).toEqual([
			'14155550101',
			'14155550102',
		]);
		expect(result.outputs.Samespace.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
		]);
	});

	test('a whole pasted payload: its flow is used, its cloud_id and auth_token are not', async () => {
		const payload = { cloud_id: 'someone-else', auth_token: 'pasted-token', record: false, flow };
		const result = await runSamespace(emulator, {
			source: 'json',
			flowJson: JSON.stringify(payload),
		});

		expect(result.error).toBeUndefined();
		expect(emulator.requests[0].body).toEqual({
			cloud_id: CLOUD_ID,
			auth_token: SECRET_TOKEN,
			record: false,
			flow: sentFlow,
		});
	});

	test("the Samespace document's own sample payload is rejected with exactly its real defects", async () => {
		const result = await runSamespace(emulator, {
			source: 'json',
			flowJson: JSON.stringify(documentSample),
		});

		expect(emulator.requests).toHaveLength(0);
		expect(result.error?.message).toBe(
			'Item 1: invalid call flow: step 4 (id "5", http), next_step.success: points to step "10", which is not in this flow: use the id of an existing step ("0", "1", "2", "5", "3", "4") or remove this route (and 2 more problems)',
		);
		// JSON mode: steps are named by the ids and types the JSON writes.
		const lines = (result.error?.description ?? '').split('\n');
		expect(lines.filter((line) => /^\d+\. /.test(line))).toEqual([
			expect.stringMatching(
				/^2\. step 5 \(id "3", connect\), number: "16468107XXX" still has "X" placeholders/,
			),
			expect.stringMatching(
				/^3\. step 6 \(id "4", connect\), caller_id: "917507XXXXX" still has "X" placeholders/,
			),
		]);
		expect(lines.filter((line) => line.startsWith('- '))).toEqual([
			expect.stringMatching(
				/^- step 5 \(id "3", connect\): can never be reached from the first step/,
			),
			expect.stringMatching(/^- flow, id: some ids are numbers and some are text/),
		]);
	});

	test('text pasted from the document (typographic quotes, # comment) gets a message that says so', async () => {
		const pasted = '{\n\t"cloud_id":"CLOUD",\n\t“record”: true, #defaults to false\n\t"flow":[]\n}';
		const result = await runSamespace(emulator, { source: 'json', flowJson: pasted });

		expect(emulator.requests).toHaveLength(0);
		expect(result.error?.message).toContain('typographic quote (“) at line 3, column 2');
		expect(result.error?.message).toContain('Replace every “ ” ‘ ’ with a plain double quote');
	});
});

describe('options', () => {
	test('Validate Only sends nothing and outputs the request that would be sent, token masked', async () => {
		const result = await runSamespace(emulator, {
			steps: straightSteps(),
			options: { validateOnly: true },
		});

		expect(result.error).toBeUndefined();
		expect(emulator.requests).toHaveLength(0);
		expect(outputJson(result)).toEqual([
			{
				valid: true,
				sent: false,
				request: {
					method: 'POST',
					url: `${emulator.baseUrl}/call/flow`,
					body: {
						cloud_id: CLOUD_ID,
						auth_token: '********',
						record: false,
						flow: [
							{
								id: '1',
								type: 'call',
								number: '14155550123',
								caller_id: '14155550100',
								next_step: '2',
							},
							{ id: '2', type: 'play', text: 'Hello from Acme.', next_step: '3' },
							{ id: '3', type: 'connect', number: '5263', caller_id: '14155550100' },
						],
					},
				},
				warnings: [],
			},
		]);
		expectNoSecret(result);
	});

	test('Include Submitted Flow adds what was sent to the output', async () => {
		const result = await runSamespace(emulator, {
			steps: straightSteps(),
			record: true,
			options: { includeFlow: true },
		});

		const [json] = outputJson(result);
		expect(json.submitted).toEqual({
			record: true,
			flow: (emulator.requests[0].body as { flow: unknown }).flow,
		});
		expect(JSON.stringify(json)).not.toContain(SECRET_TOKEN);
	});
});

describe('API errors', () => {
	test('401: the credential is named, the wrong token is nowhere', async () => {
		const wrongToken = 'tok_wrong_5a8d2c7f1e4b9a3c6d0e2f4a6b8c';
		const result = await runSamespace(
			emulator,
			{ steps: straightSteps() },
			{ credentials: { authToken: wrongToken } },
		);

		expect(emulator.placedCalls).toHaveLength(0);
		expect(result.error?.message).toBe(
			'Item 1: Samespace did not accept the credentials: check the Cloud ID and Auth Token in the Samespace API credential (HTTP 401)',
		);
		expect(result.error?.description).toContain('No call was placed.');
		expect(result.error?.description).toContain('Samespace said: Invalid cloud_id or auth_token');
		expectNoSecret(result, wrongToken);
	});

	test('403 says to check the token permissions', async () => {
		emulator.inject({ kind: 'status', status: 403, message: 'Forbidden for this cloud' });
		const result = await runSamespace(emulator, { steps: straightSteps() });

		expect(result.error?.message).toBe(
			'Item 1: Samespace refused access: check that the Auth Token may create call flows in this cloud (HTTP 403)',
		);
		expect(result.error?.description).toContain('Samespace said: Forbidden for this cloud');
	});

	test('404: a wrong Base URL is named', async () => {
		const result = await runSamespace(
			emulator,
			{ steps: straightSteps() },
			{ credentials: { baseUrl: `${emulator.origin}/api/public/v2/` } },
		);

		expect(emulator.placedCalls).toHaveLength(0);
		expect(result.error?.message).toBe(
			'Item 1: Samespace has no call flow API at this address: check the Base URL in the Samespace API credential (HTTP 404)',
		);
	});

	test("400 carries Samespace's own message", async () => {
		emulator.inject({
			kind: 'status',
			status: 400,
			message: 'caller_id is not a number of this cloud',
		});
		const result = await runSamespace(emulator, { steps: straightSteps() });

		expect(result.error?.message).toBe(
			'Item 1: Samespace refused the flow: caller_id is not a number of this cloud',
		);
		expect(result.error?.description).toContain('No call was placed.');
	});

	test('a 200 answer with success: false is a failure', async () => {
		emulator.inject({ kind: 'successFalse', message: 'Cloud is suspended' });
		const result = await runSamespace(emulator, { steps: straightSteps() });

		expect(result.error?.message).toBe(
			'Item 1: Samespace refused the call flow: Cloud is suspended',
		);
		expect(emulator.placedCalls).toHaveLength(0);
	});

	test('a 200 answer that is not JSON says what came back and that the call may have been placed', async () => {
		emulator.inject('html');
		const result = await runSamespace(emulator, { steps: straightSteps() });

		expect(result.error?.message).toMatch(/^Item 1: Samespace answered HTTP 200 with an HTML page/);
		expect(result.error?.description).toContain('The call may have been placed');
	});

	test('an API message that echoes the token is masked', async () => {
		emulator.inject({
			kind: 'status',
			status: 400,
			message: `auth_token ${SECRET_TOKEN} has expired`,
		});
		const result = await runSamespace(emulator, { steps: straightSteps() });

		expect(result.error?.message).toBe(
			'Item 1: Samespace refused the flow: auth_token ******** has expired',
		);
		expectNoSecret(result);
	});
});

describe('continue on fail', () => {
	test('every item gets its own result: invalid flows and API errors become error items, others are sent', async () => {
		emulator.inject(
			{ kind: 'status', status: 500, message: 'internal error' },
			{ when: (body) => body?.flow?.[0]?.number === '14155550103' },
		);
		const result = await runSamespace(
			emulator,
			{ steps: straightSteps() },
			{
				items: [
					{ phone: '14155550101' },
					{ phone: 'not a number' },
					{ phone: '14155550103' },
					{ phone: '14155550104' },
				],
				continueOnFail: true,
			},
		);

		const items = result.outputs.Samespace;
		expect(items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
			{ item: 3 },
		]);
		expect(items[0].json).toEqual(expect.objectContaining({ success: true }));
		expect(items[1].json).toEqual(
			expect.objectContaining({
				error: expect.stringMatching(/^Item 2: invalid call flow: step 1 \(Call\), "Phone Number"/),
				// The headline says the only problem; `problems` lists every one.
				description: 'Nothing was sent for this item.',
				problems: [expect.stringMatching(/^step 1 \(Call\), "Phone Number": "not a number"/)],
				callPlaced: false,
			}),
		);
		expect(items[2].json).toEqual(
			expect.objectContaining({
				error: 'Item 3: Samespace failed with HTTP 500: internal error',
				outcome: 'uncertain',
				callMayHaveBeenPlaced: true,
				statusCode: 500,
				attempts: 1,
			}),
		);
		expect(items[3].json).toEqual(expect.objectContaining({ success: true }));
		// The 500 is never retried: three requests for three valid items.
		expect(emulator.requests).toHaveLength(3);
		expectNoSecret(result);
	});
});
