/**
 * Samespace's answers to the Voice API requests in the words of the operation
 * (nodes/Samespace/voice/answers.ts). Pure.
 */
import type { Failure } from '../../../nodes/Samespace/transport/outcome';
import { inWords } from '../../../nodes/Samespace/voice/answers';
import {
	addLeadRequest,
	clickToCallRequest,
	type VoiceRequest,
} from '../../../nodes/Samespace/voice/requests';

const click = clickToCallRequest(
	{ agent: 'jane', number: '14155550123', custom: { mode: 'fields', fields: [] } },
	'acme',
) as VoiceRequest;
const lead = addLeadRequest({
	campaign: 'Spring',
	team: 'Sales',
	dialList: 'CRM',
	number: '14155550123',
	data: { mode: 'fields', fields: [] },
}) as VoiceRequest;
const refused = (said: string): Failure => ({
	kind: 'refused',
	retryable: false,
	mayHavePlaced: false,
	statusCode: 200,
	message: `Samespace refused the call flow: ${said}`,
	description: 'No call was placed.',
	said,
});

test('"Cant make call! Not logged In" names the agent and says nothing was dialled', () => {
	expect(inWords(click, refused('Cant make call! Not logged In'))).toEqual(
		expect.objectContaining({
			message: 'The agent jane@acme is not logged in to Samespace: nothing was dialled',
			description:
				'Nothing was dialled. Samespace answered HTTP 200 with success: false and the message "Cant make call! Not logged In".',
		}),
	);
});

test('another refusal quotes Samespace, for whom it was', () => {
	expect((inWords(lead, refused('Team not mapped')) as Failure).message).toBe(
		'Samespace refused the request for the campaign Spring: Team not mapped',
	);
});

test('a lost answer says what may have happened, per operation; accepted and plain failures are unchanged', () => {
	const lost: Failure = {
		kind: 'uncertain',
		retryable: false,
		mayHavePlaced: true,
		message: 'x',
		description: 'The call may have been placed',
	};
	expect((inWords(click, lost) as Failure).description).toMatch(/dock may have dialled/);
	expect((inWords(lead, lost) as Failure).description).toMatch(
		/check the dial list in Samespace before you send this item again/,
	);
	const notSent: Failure = {
		kind: 'notSent',
		retryable: true,
		mayHavePlaced: false,
		message: 'x',
		description: 'y',
	};
	const busy: Failure = {
		kind: 'busy',
		retryable: true,
		mayHavePlaced: false,
		message: 'x',
		description: 'y',
	};
	expect(inWords(click, busy)).toBe(busy);
	expect((inWords(click, notSent) as Failure).message).toBe('x');
	const accepted = { kind: 'accepted' as const, statusCode: 200, body: { success: true } };
	expect(inWords(click, accepted)).toBe(accepted);
});

test('a Voice API that is not there, refuses access or is unreachable: the Cluster is named, not the Base URL', () => {
	const refusedWith = (statusCode: number, said?: string): Failure => ({
		kind: 'refused',
		retryable: false,
		mayHavePlaced: false,
		statusCode,
		message:
			'Samespace has no call flow API at this address: check the Base URL in the Samespace API credential',
		description: 'No call was placed.',
		...(said ? { said } : {}),
	});
	const notFound = inWords(click, refusedWith(404)) as Failure;
	expect(notFound.message).toBe(
		'No Samespace Voice API answers at this address (HTTP 404): check the Cluster (or the Voice API URL) in the Samespace API credential',
	);
	expect((inWords(click, refusedWith(401)) as Failure).message).toBe(
		"Samespace did not accept the request for the agent jane@acme (HTTP 401): check the agent's username and the Cluster (or the Voice API URL) in the Samespace API credential",
	);
	expect((inWords(lead, refusedWith(400, 'Team not mapped')) as Failure).message).toBe(
		'Samespace refused the request for the campaign Spring: Team not mapped',
	);
	const notSent: Failure = {
		kind: 'notSent',
		retryable: true,
		mayHavePlaced: false,
		message:
			'Could not reach Samespace at https://in.samespace.com/apiv1/make_call: the host name was not found',
		description: 'Check the Base URL',
		code: 'ENOTFOUND',
	};
	const words = inWords(click, notSent) as Failure;
	expect(words.description).toBe(
		"Nothing was dialled. Check the Cluster (or the Voice API URL) in the Samespace API credential, and this machine's network. Network error: ENOTFOUND.",
	);
	for (const failure of [notFound, words])
		expect(JSON.stringify(failure)).not.toContain('Base URL');
});

test('a 503 without Retry-After from the Voice API may have happened: never retried, for all three; with Retry-After it stays "busy"', () => {
	const busy = (retryAfterMs?: number): Failure => ({
		kind: 'busy',
		retryable: true,
		mayHavePlaced: false,
		statusCode: 503,
		message: 'Samespace is temporarily unavailable (503 Service Unavailable)',
		description: 'No call was placed.',
		...(retryAfterMs === undefined ? {} : { retryAfterMs }),
	});
	expect(inWords(click, busy())).toEqual(
		expect.objectContaining({ kind: 'uncertain', retryable: false, mayHavePlaced: true }),
	);
	expect(inWords(click, busy(1000))).toEqual(
		expect.objectContaining({ kind: 'busy', retryable: true }),
	);
	expect(inWords(lead, busy())).toEqual(
		expect.objectContaining({ kind: 'uncertain', retryable: false, mayHavePlaced: true }),
	);
	expect(inWords(lead, busy(1000))).toEqual(
		expect.objectContaining({ kind: 'busy', retryable: true }),
	);
});

test('a refusal without a message names whose request it was, not "the flow", and what to check', () => {
	const silent = (statusCode: number, message: string): Failure => ({
		kind: 'refused',
		retryable: false,
		mayHavePlaced: false,
		statusCode,
		message,
		description: 'No call was placed. Samespace answered HTTP 200 with success: false.',
	});
	const success = inWords(
		lead,
		silent(200, 'Samespace refused the call flow: it answered success: false without a message'),
	) as Failure;
	expect(success).toEqual(
		expect.objectContaining({
			kind: 'refused',
			retryable: false,
			mayHavePlaced: false,
			message:
				'Samespace refused the request for the campaign Spring without saying why (HTTP 200 with success: false)',
			description:
				"The lead was not added. Check the item's Campaign, Team, Dial List, Phone Number and Lead Data.",
		}),
	);
	expect(
		(inWords(click, silent(400, 'Samespace refused the flow: HTTP 400')) as Failure).message,
	).toBe('Samespace refused the request for the agent jane@acme without saying why (HTTP 400)');
	expect(
		(
			inWords(
				lead,
				silent(
					413,
					'The request is too large for Samespace: make the flow smaller (fewer or shorter steps) (HTTP 413)',
				),
			) as Failure
		).message,
	).toBe(
		'The request for the campaign Spring is too large for Samespace (HTTP 413): give fewer or shorter Lead Data',
	);
	for (const failure of [
		success,
		inWords(click, silent(422, 'Samespace refused the flow: HTTP 422')),
	])
		expect(JSON.stringify(failure)).not.toMatch(/flow/);
});
