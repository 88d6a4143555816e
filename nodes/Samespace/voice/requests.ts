/**
 * The requests of Samespace's other Voice APIs (Click to Call, Callback, Campaign Push), built
 * from the node's parameters and checked before anything is sent. Pure: no I/O. Field names are
 * those of Samespace's "Voice API" page; what the page leaves open, and what this assumes, is in
 * docs/reference.md ("The Voice API").
 */
import type { IDataObject } from 'n8n-workflow';

import { isRecord } from '../flow/is-record';
import { parseJsonText } from '../flow/json-text';
import { shorten } from '../flow/quote';
import { readPhoneNumber } from '../flow/schema';

export const VOICE_API_PATHS = {
	clickToCall: '/apiv1/make_call',
	requestCallback: '/apiv1/team/make_call',
	addLead: '/router/api/v2/campaign/add',
} as const;

export type VoiceOperation = keyof typeof VOICE_API_PATHS;

export interface VoiceRequest {
	ok: true;
	operation: VoiceOperation;
	/** The JSON body, without the credential's fields (the credential adds them where the API takes them). */
	body: IDataObject;
	/** Whether the API takes the Cloud ID and Auth Token in its body: only Campaign Push does. */
	withToken: boolean;
	/** Who or what the request is about, in words: "the agent jane@acme". */
	subject: string;
}

export interface VoiceProblem {
	ok: false;
	/** The field as the editor names it. */
	field: string;
	/** What is wrong and how to fix it. */
	message: string;
}

export type VoiceRequestCheck = VoiceRequest | VoiceProblem;

/** The most fields a lead's data, a callback's attributes or a click's custom data may hold. */
export const MAX_DATA_FIELDS = 100;
/** And the most characters of them, as JSON: a CRM record, not a file. */
export const MAX_DATA_LENGTH = 20_000;

/** Name-value pairs as the editor gives them, or JSON (text or an object). */
export type DataInput =
	| { mode: 'fields'; fields: Array<{ name?: unknown; value?: unknown }> }
	| { mode: 'json'; json: unknown };

class Invalid extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
	}
}

function text(field: string, value: unknown, example: string): string {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value !== 'string' || value.trim() === '')
		throw new Invalid(
			field,
			`is empty: give ${field.toLowerCase()}, e.g. ${example} (an expression that finds no data gives an empty value)`,
		);
	return value.trim();
}

function number(field: string, value: unknown): string {
	let problem: string | undefined;
	const digits = readPhoneNumber(`the ${field.toLowerCase()}`, value, (message) => {
		problem ??= message;
	});
	if (problem !== undefined) throw new Invalid(field, problem);
	return digits;
}

/** An object of name-value pairs (fields, or JSON), checked and bounded. */
export function readData(field: string, input: DataInput): IDataObject {
	let data: unknown;
	if (input.mode === 'json') {
		data = input.json;
		if (typeof data === 'string') {
			if (data.trim() === '') return {};
			const parsed = parseJsonText(data);
			if (!parsed.ok) throw new Invalid(field, `is not valid JSON: ${parsed.message}`);
			data = parsed.value;
		}
		if (data === undefined || data === null) return {};
		if (!isRecord(data))
			throw new Invalid(
				field,
				`must be a JSON object of names and values, e.g. {"name": "Ada", "email": "ada@example.com"}, not ${Array.isArray(data) ? 'a list' : typeof data}`,
			);
	} else {
		const pairs: IDataObject = {};
		for (const [index, pair] of input.fields.entries()) {
			const name = typeof pair.name === 'string' ? pair.name.trim() : '';
			if (name === '')
				throw new Invalid(field, `field ${index + 1} has no name: give each value a name`);
			if (Object.hasOwn(pairs, name))
				throw new Invalid(field, `"${shorten(name)}" is given twice: give each name once`);
			// An own property whatever the name ("__proto__" is a valid field name).
			Object.defineProperty(pairs, name, {
				value: pair.value ?? '',
				enumerable: true,
				writable: true,
				configurable: true,
			});
		}
		data = pairs;
	}
	const record = data as IDataObject;
	if (Object.keys(record).length > MAX_DATA_FIELDS)
		throw new Invalid(
			field,
			`has ${Object.keys(record).length} fields: give at most ${MAX_DATA_FIELDS}`,
		);
	const length = JSON.stringify(record).length;
	if (length > MAX_DATA_LENGTH)
		throw new Invalid(
			field,
			`is ${length} characters as JSON: give at most ${MAX_DATA_LENGTH} (the details an agent needs, not a file)`,
		);
	return record;
}

/**
 * The agent's Samespace username as the API wants it, `user@cloud_id`: a bare user part gets the
 * credential's Cloud ID; a username of another cloud is refused (the request would ring an agent
 * elsewhere, or nobody).
 */
export function agentUsername(value: unknown, cloudId: string): string {
	const given = text('Agent', value, 'jane or jane@' + cloudId).toLowerCase();
	const at = given.lastIndexOf('@');
	const user = at < 0 ? given : given.slice(0, at);
	const cloud = at < 0 ? cloudId.toLowerCase() : given.slice(at + 1);
	if (!/^[a-z0-9._+-]{1,64}$/.test(user))
		throw new Invalid(
			'Agent',
			`"${shorten(given)}" is not a Samespace username: give the agent's user name (letters, digits, dots, hyphens), e.g. jane or jane@${cloudId}`,
		);
	if (cloud !== cloudId.toLowerCase())
		throw new Invalid(
			'Agent',
			`"${shorten(given)}" belongs to the cloud "${shorten(cloud)}", not to this credential's cloud "${cloudId}": give the user part only (${user}), or use a credential of that cloud`,
		);
	return `${user}@${cloudId}`;
}

function check(operation: VoiceOperation, build: () => Omit<VoiceRequest, 'ok' | 'operation'>) {
	try {
		return { ok: true as const, operation, ...build() };
	} catch (error) {
		// Only Invalid is thrown here; anything else would be a bug, reported on the whole request.
		const field = error instanceof Invalid ? error.field : 'The request';
		return { ok: false as const, field, message: (error as Error).message };
	}
}

export function clickToCallRequest(
	raw: { agent: unknown; number: unknown; callerId?: unknown; custom: DataInput },
	cloudId: string,
): VoiceRequestCheck {
	return check('clickToCall', () => {
		const username = agentUsername(raw.agent, cloudId);
		const body: IDataObject = { username, number: number('Phone Number', raw.number) };
		const callerId = typeof raw.callerId === 'string' ? raw.callerId.trim() : raw.callerId;
		if (callerId !== undefined && callerId !== null && callerId !== '')
			body.callerId = number('Caller ID', callerId);
		const custom = readData('Custom Data', raw.custom);
		if (Object.keys(custom).length > 0) body.custom = custom;
		return { body, withToken: false, subject: `the agent ${username}` };
	});
}

export function callbackRequest(
	raw: { team: unknown; number: unknown; attributes: DataInput; spaceId?: unknown },
	cloudId: string,
): VoiceRequestCheck {
	return check('requestCallback', () => {
		const team = text('Team', raw.team, 'Sales');
		const given = typeof raw.spaceId === 'string' ? raw.spaceId.trim() : '';
		const body: IDataObject = {
			space_id: given === '' ? cloudId : given,
			team_name: team,
			number: number('Phone Number', raw.number),
			attributes: readData('Attributes', raw.attributes),
		};
		return { body, withToken: false, subject: `the team ${team}` };
	});
}

export function addLeadRequest(raw: {
	campaign: unknown;
	team: unknown;
	dialList: unknown;
	number: unknown;
	data: DataInput;
}): VoiceRequestCheck {
	return check('addLead', () => {
		const campaign = text('Campaign', raw.campaign, 'Spring Renewals');
		const body: IDataObject = {
			campaign,
			team_name: text('Team', raw.team, 'Sales'),
			source: text('Dial List', raw.dialList, 'CRM leads'),
			number: number('Phone Number', raw.number),
			data: readData('Lead Data', raw.data),
		};
		return { body, withToken: true, subject: `the campaign ${campaign}` };
	});
}
