/**
 * The shape of a Samespace call flow: the one source of truth from which the flow's types, its
 * validation and its error messages all come. Every message says what is wrong and how to fix it,
 * for a reader who builds workflows, not telephony systems.
 *
 * Input is lenient where the Samespace document is (ids as strings or numbers, lower-case HTTP
 * methods, formatted phone numbers); output is the canonical form that is sent (ids and references
 * as strings, methods upper-case, numbers as digits).
 *
 * Written against zod's v4 API (`zod/v4`), which the zod that n8n ships (3.25) and zod 4 both
 * provide (loaded through ./zod, which says which n8n is needed when `zod/v4` is missing). Each
 * field is one parser that reads the raw value once and says exactly what is wrong with it.
 * See docs/design.md#the-flow-schema-on-zods-v4-api.
 */
import type { z as zt } from 'zod/v4';

import { z } from './zod';

import {
	ANSWER_STEP_TYPE,
	ANY_INPUT_KEY,
	CHOICE_KEYS,
	HTTP_METHODS,
	NODE_STEP_TYPES,
	PLACEHOLDER,
	ROUTE_KEYS,
	STEP_TYPES,
	type StepType,
} from './constants';
import { checkFlowGraph } from './graph';
import { shorten } from './quote';
import { isRecord } from './is-record';

export {
	ANSWER_STEP_TYPE,
	ANY_INPUT_KEY,
	CHOICE_KEYS,
	HTTP_METHODS,
	NODE_STEP_TYPES,
	PLACEHOLDER,
	ROUTE_KEYS,
	STEP_TYPES,
	type StepType,
};

/** The fields each step type takes, in the order the document lists them. */
export const STEP_FIELDS: Record<StepType, readonly string[]> = {
	call: ['id', 'type', 'number', 'caller_id', 'next_step'],
	play: ['id', 'type', 'text', 'url', 'next_step'],
	digits: ['id', 'type', 'count', 'variable', 'next_step'],
	http: ['id', 'type', 'url', 'method', 'next_step'],
	connect: ['id', 'type', 'number', 'caller_id', 'next_step'],
	answer: ['id', 'type', 'next_step'],
};

/** Names used by earlier revisions of the Samespace document, and what replaced them. */
const RENAMED_FIELDS: Record<string, string> = {
	flow: '"flow" is the old name of "next_step": rename it to "next_step"',
	cloud_sid: '"cloud_sid" belongs to an older API version and not in a step',
	publish: '"publish" (event callbacks) was removed from the current API: delete it',
};

const REMOVED_STEP_TYPES: Record<string, string> = {
	callback:
		'"callback" steps were removed from the current Samespace API; schedule the call in your workflow instead (for example with a Wait node)',
};

/** How a wrong value is named in a message: `is the text "4": …`, `is a list: …`. */
function typeName(value: unknown): string {
	if (value === undefined) return 'missing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'string') return `the text "${shorten(value, 40)}"`;
	if (typeof value === 'number' || typeof value === 'boolean')
		return `${typeof value === 'number' ? 'the number ' : ''}${String(value)}`;
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// ---------------------------------------------------------------------------------------------
// Field parsers
// ---------------------------------------------------------------------------------------------

/** Reports a problem with the value being parsed; `path` is relative to the field. */
export type Report = (message: string, path?: PropertyKey[]) => void;

/**
 * A field: `parse` reads the raw value and returns what is sent, reporting every problem it
 * finds. A field with a problem yields nothing.
 */
function field<T>(parse: (value: unknown, report: Report) => T) {
	// A bare transform: one parser run per field (`z.unknown().transform` would be three).
	return z.transform((value: unknown, ctx): T => {
		let failed = false;
		const result = parse(value, (message, path = []) => {
			failed = true;
			ctx.issues.push({ code: 'custom', message, input: value, path });
		});
		return failed ? z.NEVER : result;
	});
}

/** A field that may be left out (or null): then it is not sent. */
function optionalField<T>(parse: (value: unknown, report: Report) => T) {
	return field((value, report) =>
		value === undefined || value === null ? undefined : parse(value, report),
	);
}

/** An id or a reference to one: text or a number, sent as text. */
function readRef(what: string, value: unknown, report: Report, path?: PropertyKey[]): string {
	if (typeof value === 'number' && !Number.isFinite(value)) {
		report(`is ${value}: ${what} must be text or a whole number, e.g. "2"`, path);
		return '';
	}
	if (typeof value === 'string' || typeof value === 'number') {
		const ref = String(value).trim();
		if (ref.length === 0) report(`is empty: give ${what}`, path);
		return ref;
	}
	report(
		value === undefined
			? `is missing: give ${what}`
			: `is ${typeName(value)}: ${what} must be text or a number, e.g. "2"`,
		path,
	);
	return '';
}

const stepRef = (what: string) => field((value, report) => readRef(what, value, report));

function readText(what: string, example: string, value: unknown, report: Report): string {
	if (typeof value !== 'string') {
		report(
			value === undefined
				? `is missing: add ${what}, e.g. ${example}`
				: `is ${typeName(value)}: ${what} must be text, e.g. ${example}`,
		);
		return '';
	}
	const text = value.trim();
	if (text === '') report(`is empty: add ${what}, e.g. ${example}`);
	return text;
}

/** Characters people use to format a number, which are not sent. */
const NUMBER_FORMATTING = /[\s().-]/g;

/**
 * A PSTN number (country code first) or an internal extension. Formatting and a leading `+` are
 * accepted and stripped: the Samespace document writes numbers as digits only.
 */
export function readPhoneNumber(what: string, value: unknown, report: Report): string {
	if (typeof value === 'number' && !(Number.isSafeInteger(value) && value >= 0)) {
		report(
			`${value} is not a phone number: ${what} must be whole digits, best given as text, e.g. "14155550123"`,
		);
		return '';
	}
	if (typeof value !== 'string' && typeof value !== 'number') {
		report(
			value === undefined
				? `is missing: add ${what}, e.g. 14155550123 or an extension such as 5263`
				: `is ${typeName(value)}: ${what} must be a phone number, e.g. 14155550123`,
		);
		return '';
	}
	const given = String(value).trim();
	const shown = shorten(given);
	const digits = given.replace(NUMBER_FORMATTING, '').replace(/^\+/, '');
	if (/^\d{2,15}$/.test(digits)) return digits;
	report(
		given === ''
			? `is empty: add ${what}, e.g. 14155550123 or an extension such as 5263 (an expression that finds no data gives an empty value)`
			: /\dX|X{2,}/i.test(given)
				? `"${shown}" still has "X" placeholders (as in the Samespace document's examples): put the real digits of ${what}`
				: `"${shown}" is not a phone number or extension: ${what} must be 2 to 15 digits, country code first (e.g. 14155550123), or an extension such as 5263`,
	);
	return '';
}

const phoneNumber = (what: string) =>
	field((value, report) => readPhoneNumber(what, value, report));

function isAbsoluteHttpUrl(value: string): boolean {
	// Placeholders are filled by Samespace at call time; any text stands in for them here.
	const filled = value.replace(PLACEHOLDER, 'x');
	if (/\s/.test(filled)) return false;
	try {
		const url = new URL(filled);
		return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
	} catch {
		return false;
	}
}

function readHttpUrl(what: string, example: string, value: unknown, report: Report): string {
	const text = readText(what, example, value, report);
	if (text !== '' && !isAbsoluteHttpUrl(text))
		report(
			`"${shorten(text)}" is not a full web address: ${what} must start with https:// or http://, e.g. ${example}`,
		);
	return text;
}

const plainNextStep = optionalField((value, report) =>
	readRef('the id of the step that comes next', value, report),
);

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

const strictStep = <K extends StepType, T extends zt.ZodRawShape>(type: K, shape: T) =>
	z.strictObject(
		{
			id: stepRef('an id for this step (any text unique in the flow, e.g. "welcome")'),
			type: z.literal(type),
			...shape,
		},
		{
			error: (issue) =>
				issue.code === 'unrecognized_keys'
					? explainUnknownKeys(
							issue.keys,
							`a ${type} step takes only ${STEP_FIELDS[type].join(', ')}`,
						)
					: undefined,
		},
	);

export const callStepSchema = strictStep('call', {
	number: phoneNumber('the number to call'),
	caller_id: phoneNumber('the caller ID (the number the person sees)'),
	next_step: plainNextStep,
});

export const playStepSchema = strictStep('play', {
	text: optionalField((value, report) =>
		readText('the text to speak', '"Hello, this is Acme."', value, report),
	),
	url: optionalField((value, report) =>
		readHttpUrl('the audio URL', 'https://example.com/greeting.mp3', value, report),
	),
	next_step: plainNextStep,
}).refine((step) => step.text !== undefined || step.url !== undefined, {
	message:
		'needs something to play: add "text" (spoken to the caller) or "url" (an mp3 file), or both',
	path: ['text'],
	// Said even when another field of the step is wrong, so every problem is reported at once.
	when: (payload) => typeof payload.value === 'object' && payload.value !== null,
});

export const digitsStepSchema = strictStep('digits', {
	count: field((value, report) => {
		if (typeof value !== 'number') {
			report(
				value === undefined
					? 'is missing: say how many digits to gather, e.g. 1 for a menu choice or 4 for a PIN'
					: `is ${typeName(value)}: the digit count must be a whole number, e.g. 4`,
			);
		} else if (!Number.isInteger(value)) report('must be a whole number of digits, e.g. 4');
		else if (value < 1) report('must be at least 1: say how many digits to gather');
		return value as number;
	}),
	variable: field((value, report) => {
		const name = readText(
			'the variable name the digits are stored under',
			'"account_id"',
			value,
			report,
		);
		if (name !== '' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
			report(
				'must be a simple name (letters, digits and _, not starting with a digit), e.g. "account_id", so it can be used as {{account_id}}',
			);
		return name;
	}),
	next_step: field((value, report) => {
		if (!isRecord(value)) {
			report(
				`is ${typeName(value)}: a digits step routes input with an object, e.g. {"1": "sales", "*": "menu"}`,
			);
			return {};
		}
		const keys = Object.keys(value);
		if (keys.length === 0)
			report('has no routes: add at least one, e.g. {"*": "next-step-id"} for any input');
		const routes: Record<string, string> = {};
		for (const key of keys) {
			const routable = (ROUTE_KEYS as readonly string[]).includes(key);
			if (!routable)
				report(
					`"${shorten(key)}" is not a key you can route on: use a single digit 0-9, "#", or "*" (any input)`,
					[key],
				);
			const target = readRef('the id of the step this input leads to', value[key], report, [key]);
			// Only route keys are kept, so a key such as "__proto__" is never assigned.
			if (routable) routes[key] = target;
		}
		return routes;
	}),
});

const HTTP_ROUTES = ['success', 'fail'] as const;
const HTTP_ROUTE_MEANING = { success: 'a successful request', fail: 'a failed request' } as const;

/** `{"success": id, "fail": id}`: where the call goes after a request Samespace makes. */
const successOrFailure = (kind: string) =>
	field((value, report) => {
		if (!isRecord(value)) {
			report(
				value === undefined
					? `is missing: ${kind} must say where the call goes next, {"success": "<step id>", "fail": "<step id>"}`
					: `is ${typeName(value)}: ${kind} needs {"success": "<step id>", "fail": "<step id>"}`,
			);
			return { success: '', fail: '' };
		}
		for (const key of Object.keys(value)) {
			if (!(HTTP_ROUTES as readonly string[]).includes(key))
				report(`unknown field "${shorten(key)}": ${kind} routes only on "success" and "fail"`, [
					key,
				]);
		}
		const [success, fail] = HTTP_ROUTES.map((route) =>
			readRef(`the id of the step after ${HTTP_ROUTE_MEANING[route]}`, value[route], report, [
				route,
			]),
		);
		return { success, fail };
	});

export const httpStepSchema = strictStep('http', {
	url: field((value, report) =>
		readHttpUrl(
			'the request URL',
			'https://example.com/api/accounts/{{account_id}}',
			value,
			report,
		),
	),
	// The document gives no default; GET is the natural one, and it is sent explicitly.
	method: field((value, report) => {
		if (value === undefined) return 'GET';
		if (typeof value !== 'string') {
			report(`must be text: one of ${HTTP_METHODS.join(', ')}`);
			return '';
		}
		const method = value.trim().toUpperCase();
		if (!(HTTP_METHODS as readonly string[]).includes(method))
			report(
				`"${shorten(method)}" is not a supported method: use one of ${HTTP_METHODS.join(', ')}`,
			);
		return method;
	}),
	next_step: successOrFailure('an http step'),
});

export const connectStepSchema = strictStep('connect', {
	number: phoneNumber('the number to connect to'),
	caller_id: phoneNumber('the caller ID for the connected call'),
	next_step: plainNextStep,
});

/**
 * "Send Answer to Workflow": where the call reports the digits gathered so far to the waiting
 * execution (operation Call and Wait for Answer). The node turns it into an http step; like one,
 * it routes on whether the report was taken.
 */
export const answerStepSchema = strictStep(ANSWER_STEP_TYPE, {
	next_step: successOrFailure('a Send Answer to Workflow step'),
});

/** What is wrong with a step that is not an object, or whose type is not a step type. */
function stepShapeError(step: unknown): string {
	if (!isRecord(step))
		return `is ${typeName(step)}: each step must be an object such as {"id": "1", "type": "call", ...}`;
	const type = step.type;
	const known = `${STEP_TYPES.join(', ')} (and ${NODE_STEP_TYPES.join(', ')} with the operation Call and Wait for Answer)`;
	if (type === undefined) return `is missing: say what the step does, one of ${known}`;
	if (typeof type !== 'string')
		return `is ${typeName(type)}: the step type must be text, one of ${known}`;
	if (Object.hasOwn(REMOVED_STEP_TYPES, type)) return REMOVED_STEP_TYPES[type];
	return `"${shorten(type)}" is not a step type: use one of ${known}`;
}

/**
 * One step of a flow, parsed by its `type`, so the messages speak of that type's fields rather
 * than of every kind of step. A step that is not an object is reported on the step; a wrong type
 * on its `type` field.
 */
export const stepSchema = z.discriminatedUnion(
	'type',
	[
		callStepSchema,
		playStepSchema,
		digitsStepSchema,
		httpStepSchema,
		connectStepSchema,
		answerStepSchema,
	],
	// The union's own issues are only these two: not an object, or no step type matched.
	{ error: (issue) => stepShapeError(issue.input) },
);

export type FlowStep = zt.output<typeof stepSchema>;
/** A flow as checked: it may still hold the node's own steps (see NODE_STEP_TYPES). */
export type CallFlow = FlowStep[];
export type AnswerStep = zt.output<typeof answerStepSchema>;
/** A step as Samespace takes it. */
export type SamespaceStep = Exclude<FlowStep, AnswerStep>;

/** A step as written in JSON or built from the step list, before it is checked. */
export type FlowStepInput = zt.input<typeof stepSchema>;

/** Unknown keys get a message that names them, and the replacement where one is known. */
function explainUnknownKeys(keys: string[], typeMessage: string): string {
	const renamed = (key: string) => Object.hasOwn(RENAMED_FIELDS, key);
	const parts = keys.filter(renamed).map((key) => RENAMED_FIELDS[key]);
	const unknown = keys.filter((key) => !renamed(key));
	if (unknown.length > 0) {
		parts.push(
			`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${shorten(key)}"`).join(', ')}: ${typeMessage}`,
		);
	}
	return parts.join('; ');
}

/**
 * A whole flow: every step checked on its own (so one broken step does not hide the problems of the
 * others), then the flow's wiring (unique ids, references that exist, the first step a call).
 */
export const flowSchema = z
	.array(z.unknown(), {
		error: (issue) =>
			`is ${typeName(issue.input)}: the flow must be a list of steps, e.g. [{"id": "1", "type": "call", ...}]`,
	})
	.min(1, { error: 'is empty: a flow needs at least a call step' })
	.transform((steps, ctx) => {
		const parsed: FlowStep[] = [];
		// A plain loop: an array from data may have holes, which forEach would skip.
		for (let index = 0; index < steps.length; index++) {
			const step = steps[index];
			const result = stepSchema.safeParse(step);
			if (result.success) parsed.push(result.data);
			else
				for (const issue of result.error.issues) {
					// Unknown keys are reported on the first of them, so the message points at a field.
					const path =
						issue.code === 'unrecognized_keys'
							? [index, ...issue.path, issue.keys[0]]
							: [index, ...issue.path];
					ctx.issues.push({ code: 'custom', message: issue.message, input: step, path });
				}
		}
		for (const issue of checkFlowGraph(steps))
			ctx.issues.push({ code: 'custom', input: steps, ...issue });
		return parsed;
	});
