/**
 * The Voice API requests built from the node's parameters (nodes/Samespace/voice/requests.ts):
 * the bodies with the field names of Samespace's page, and what is refused before anything is
 * sent, naming the field. Pure.
 */
import {
	addLeadRequest,
	agentUsername,
	callbackRequest,
	clickToCallRequest,
	MAX_DATA_FIELDS,
	MAX_DATA_LENGTH,
	readData,
	type DataInput,
} from '../../../nodes/Samespace/voice/requests';

const none: DataInput = { mode: 'fields', fields: [] };

describe('agentUsername', () => {
	test.each([
		['jane', 'jane@acme'],
		[' Jane ', 'jane@acme'],
		['jane@acme', 'jane@acme'],
		['JANE@ACME', 'jane@acme'],
		['j.doe-2', 'j.doe-2@acme'],
	])('%p is %p', (given, username) => {
		expect(agentUsername(given, 'acme')).toBe(username);
	});

	test.each([
		['', /^is empty/],
		['jane@other', /belongs to the cloud "other", not to this credential's cloud "acme"/],
		['jane doe', /is not a Samespace username/],
		['@acme', /is not a Samespace username/],
	])('%p is refused', (given, message) => {
		expect(() => agentUsername(given, 'acme')).toThrow(message);
	});
});

describe('readData', () => {
	test('fields keep their order and values; "__proto__" is an own field', () => {
		const data = readData('Lead Data', {
			mode: 'fields',
			fields: [
				{ name: ' plan ', value: 'Team' },
				{ name: '__proto__', value: 'x' },
				{ name: 'seats', value: 4 },
			],
		});
		expect(Object.keys(data)).toEqual(['plan', '__proto__', 'seats']);
		expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toBe('x');
		expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
	});

	test.each<[string, DataInput, Record<string, unknown>]>([
		['JSON text', { mode: 'json', json: '{"a": 1, "b": {"c": true}}' }, { a: 1, b: { c: true } }],
		['a JSON object from an expression', { mode: 'json', json: { a: 'x' } }, { a: 'x' }],
		['empty JSON text', { mode: 'json', json: '  ' }, {}],
		['no fields', none, {}],
	])('%s', (_name, input, expected) => {
		expect(readData('Attributes', input)).toEqual(expected);
	});

	test.each<[string, DataInput, RegExp]>([
		['a list', { mode: 'json', json: '[1]' }, /must be a JSON object of names and values/],
		['broken JSON', { mode: 'json', json: '{"a": ' }, /is not valid JSON/],
		[
			'a field without a name',
			{ mode: 'fields', fields: [{ name: ' ', value: 1 }] },
			/field 1 has no name/,
		],
		[
			'a name twice',
			{ mode: 'fields', fields: [{ name: 'a' }, { name: 'a' }] },
			/"a" is given twice/,
		],
		[
			'too many fields',
			{
				mode: 'json',
				json: Object.fromEntries(
					Array.from({ length: MAX_DATA_FIELDS + 1 }, (_v, i) => [`f${i}`, i]),
				),
			},
			new RegExp(`give at most ${MAX_DATA_FIELDS}`),
		],
		[
			'too long',
			{ mode: 'json', json: { notes: 'x'.repeat(MAX_DATA_LENGTH) } },
			/characters as JSON/,
		],
	])('%s is refused', (_name, input, message) => {
		expect(() => readData('Attributes', input)).toThrow(message);
	});
});

test('Click to Call: the page’s fields; no token; caller ID and custom data only when given', () => {
	expect(
		clickToCallRequest({ agent: 'jane', number: '+1 (415) 555-0123', custom: none }, 'acme'),
	).toEqual({
		ok: true,
		operation: 'clickToCall',
		body: { username: 'jane@acme', number: '14155550123' },
		withToken: false,
		subject: 'the agent jane@acme',
	});
	expect(
		clickToCallRequest(
			{
				agent: 'jane',
				number: '14155550123',
				callerId: '14155550100',
				custom: { mode: 'json', json: { deal: 'D-1' } },
			},
			'acme',
		),
	).toEqual(
		expect.objectContaining({
			body: {
				username: 'jane@acme',
				number: '14155550123',
				callerId: '14155550100',
				custom: { deal: 'D-1' },
			},
		}),
	);
	expect(
		clickToCallRequest(
			{ agent: 'jane', number: '14155550123', callerId: 'abc', custom: none },
			'acme',
		),
	).toEqual({
		ok: false,
		field: 'Caller ID',
		message: expect.stringMatching(/^"abc" is not a phone number/),
	});
});

test('Request Callback: space_id is the Cloud ID unless given; attributes always sent; no token', () => {
	expect(
		callbackRequest({ team: 'Sales', number: '14155550123', attributes: none }, 'acme'),
	).toEqual({
		ok: true,
		operation: 'requestCallback',
		body: { space_id: 'acme', team_name: 'Sales', number: '14155550123', attributes: {} },
		withToken: false,
		subject: 'the team Sales',
	});
	expect(
		callbackRequest(
			{ team: 'Sales', number: '14155550123', attributes: none, spaceId: ' acme-eu ' },
			'acme',
		),
	).toEqual(expect.objectContaining({ body: expect.objectContaining({ space_id: 'acme-eu' }) }));
	expect(callbackRequest({ team: ' ', number: '14155550123', attributes: none }, 'acme')).toEqual(
		expect.objectContaining({ ok: false, field: 'Team' }),
	);
});

test('Add Lead to Dial List: the page’s fields, with the token (added by the credential)', () => {
	expect(
		addLeadRequest({
			campaign: 'Spring',
			team: 'Sales',
			dialList: 'CRM',
			number: '14155550123',
			data: { mode: 'fields', fields: [{ name: 'name', value: 'Ada' }] },
		}),
	).toEqual({
		ok: true,
		operation: 'addLead',
		body: {
			campaign: 'Spring',
			team_name: 'Sales',
			source: 'CRM',
			number: '14155550123',
			data: { name: 'Ada' },
		},
		withToken: true,
		subject: 'the campaign Spring',
	});
	for (const [field, raw] of [
		['Campaign', { campaign: '' }],
		['Team', { team: undefined }],
		['Dial List', { dialList: null }],
		['Phone Number', { number: 'abc' }],
	] as const) {
		const result = addLeadRequest(
			Object.assign(
				{ campaign: 'S', team: 'T', dialList: 'D', number: '14155550123', data: none },
				raw,
			),
		);
		expect(result).toEqual(expect.objectContaining({ ok: false, field }));
	}
});
