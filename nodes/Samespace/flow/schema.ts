/**
 * The shape of a Samespace call flow: the one source of truth from which the flow's types, its
 * validation and its error messages all come. Every message says what is wrong and how to fix it,
 * for a reader who builds workflows, not telephony systems.
 *
 * Input is lenient where the Samespace document is (ids as strings or numbers, lower-case HTTP
 * methods, formatted phone numbers); output is the canonical form that is sent (ids and references
 * as strings, methods upper-case, numbers as digits).
 */
import { z } from 'zod';

import { ANY_INPUT_KEY, HTTP_METHODS, PLACEHOLDER, ROUTE_KEYS, STEP_TYPES, type StepType } from './constants';
import { checkFlowGraph } from './graph';

export { ANY_INPUT_KEY, HTTP_METHODS, PLACEHOLDER, ROUTE_KEYS, STEP_TYPES, type StepType };

/** The fields each step type takes, in the order the document lists them. */
export const STEP_FIELDS: Record<StepType, readonly string[]> = {
	call: ['id', 'type', 'number', 'caller_id', 'next_step'],
	play: ['id', 'type', 'text', 'url', 'next_step'],
	digits: ['id', 'type', 'count', 'variable', 'next_step'],
	http: ['id', 'type', 'url', 'method', 'next_step'],
	connect: ['id', 'type', 'number', 'caller_id', 'next_step'],
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
	if (typeof value === 'string') return `the text "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
	if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value === 'number' ? 'the number ' : ''}${String(value)}`;
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// ---------------------------------------------------------------------------------------------
// Field building blocks
// ---------------------------------------------------------------------------------------------

/** An id or a reference to one: text or a number, sent as text. */
const stepRef = (what: string) =>
	z
		.union([z.string(), z.number()], {
			errorMap: (_issue, ctx) => ({
				message:
					ctx.data === undefined
						? `is missing: give ${what}`
						: `is ${typeName(ctx.data)}: ${what} must be text or a number, e.g. "2"`,
			}),
		})
		.transform((value) => String(value).trim())
		.refine((value) => value.length > 0, { message: `is empty: give ${what}` });

const requiredText = (what: string, example: string) =>
	z
		.string({
			errorMap: (_issue, ctx) => ({
				message:
					ctx.data === undefined
						? `is missing: add ${what}, e.g. ${example}`
						: `is ${typeName(ctx.data)}: ${what} must be text, e.g. ${example}`,
			}),
		})
		.trim()
		.min(1, { message: `is empty: add ${what}, e.g. ${example}` });

/** Characters people use to format a number, which are not sent. */
const NUMBER_FORMATTING = /[\s().-]/g;

/**
 * A PSTN number (country code first) or an internal extension. Formatting and a leading `+` are
 * accepted and stripped: the Samespace document writes numbers as digits only.
 */
const phoneNumber = (what: string) =>
	z
		.union([z.string(), z.number()], {
			errorMap: (_issue, ctx) => ({
				message:
					ctx.data === undefined
						? `is missing: add ${what}, e.g. 14155550123 or an extension such as 5263`
						: `is ${typeName(ctx.data)}: ${what} must be a phone number, e.g. 14155550123`,
			}),
		})
		.transform((value, ctx) => {
			if (typeof value === 'number' && !(Number.isSafeInteger(value) && value >= 0)) {
				ctx.addIssue({
					code: z.ZodIssueCode.custom,
					message: `${value} is not a phone number: ${what} must be whole digits, best given as text, e.g. "14155550123"`,
				});
				return z.NEVER;
			}
			const given = String(value).trim();
			const digits = given.replace(NUMBER_FORMATTING, '').replace(/^\+/, '');
			if (/^\d{2,15}$/.test(digits)) return digits;
			const hint = given === ''
				? `is empty: add ${what}, e.g. 14155550123 or an extension such as 5263 (an expression that finds no data gives an empty value)`
				: /\dX|X{2,}/i.test(given)
					? `"${given}" still has "X" placeholders (as in the Samespace document's examples): put the real digits of ${what}`
					: `"${given}" is not a phone number or extension: ${what} must be 2 to 15 digits, country code first (e.g. 14155550123), or an extension such as 5263`;
			ctx.addIssue({ code: z.ZodIssueCode.custom, message: hint });
			return z.NEVER;
		});

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

const httpUrl = (what: string, example: string) =>
	requiredText(what, example).refine(isAbsoluteHttpUrl, (value) => ({
		message: `"${value}" is not a full web address: ${what} must start with https:// or http://, e.g. ${example}`,
	}));

const plainNextStep = stepRef('the id of the step that comes next')
	.optional()
	.nullable()
	.transform((value) => value ?? undefined);

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

const stepBase = {
	id: stepRef('an id for this step (any text unique in the flow, e.g. "welcome")'),
};

const strictStep = <T extends z.ZodRawShape>(type: StepType, shape: T) =>
	z
		.object({ ...stepBase, type: z.literal(type), ...shape })
		.strict(`a ${type} step takes only ${STEP_FIELDS[type].join(', ')}`);

export const callStepSchema = strictStep('call', {
	number: phoneNumber('the number to call'),
	caller_id: phoneNumber('the caller ID (the number the person sees)'),
	next_step: plainNextStep,
});

export const playStepSchema = strictStep('play', {
	text: requiredText('the text to speak', '"Hello, this is Acme."').optional(),
	url: httpUrl('the audio URL', 'https://example.com/greeting.mp3').optional(),
	next_step: plainNextStep,
}).refine((step) => step.text !== undefined || step.url !== undefined, {
	message:
		'needs something to play: add "text" (spoken to the caller) or "url" (an mp3 file), or both',
	path: ['text'],
});

const routeTable = z
	.record(z.string(), stepRef('the id of the step this input leads to'), {
		errorMap: (_issue, ctx) => ({
			message: `is ${typeName(ctx.data)}: a digits step routes input with an object, e.g. {"1": "sales", "*": "menu"}`,
		}),
	})
	.superRefine((routes, ctx) => {
		const keys = Object.keys(routes);
		if (keys.length === 0) {
			ctx.addIssue({
				code: z.ZodIssueCode.custom,
				message: 'has no routes: add at least one, e.g. {"*": "next-step-id"} for any input',
			});
		}
		for (const key of keys) {
			if (!(ROUTE_KEYS as readonly string[]).includes(key)) {
				ctx.addIssue({
					code: z.ZodIssueCode.custom,
					path: [key],
					message: `"${key}" is not a key you can route on: use a single digit 0-9, "#", or "*" (any input)`,
				});
			}
		}
	});

export const digitsStepSchema = strictStep('digits', {
	count: z
		.number({
			errorMap: (_issue, ctx) => ({
				message:
					ctx.data === undefined
						? 'is missing: say how many digits to gather, e.g. 1 for a menu choice or 4 for a PIN'
						: `is ${typeName(ctx.data)}: the digit count must be a whole number, e.g. 4`,
			}),
		})
		.int({ message: 'must be a whole number of digits, e.g. 4' })
		.positive({ message: 'must be at least 1: say how many digits to gather' }),
	variable: requiredText('the variable name the digits are stored under', '"account_id"').refine(
		// An empty name already has its own message.
		(name) => name === '' || /^[A-Za-z_][A-Za-z0-9_]*$/.test(name),
		{
			message:
				'must be a simple name (letters, digits and _, not starting with a digit), e.g. "account_id", so it can be used as {{account_id}}',
		},
	),
	next_step: routeTable,
});

export const httpStepSchema = strictStep('http', {
	url: httpUrl('the request URL', 'https://example.com/api/accounts/{{account_id}}'),
	method: z
		.string({
			errorMap: () => ({ message: `must be text: one of ${HTTP_METHODS.join(', ')}` }),
		})
		.trim()
		.transform((method) => method.toUpperCase())
		.refine((method) => (HTTP_METHODS as readonly string[]).includes(method), (method) => ({
			message: `"${method}" is not a supported method: use one of ${HTTP_METHODS.join(', ')}`,
		}))
		// The document gives no default; GET is the natural one, and it is sent explicitly.
		.default('GET'),
	next_step: z
		.object(
			{
				success: stepRef('the id of the step after a successful request'),
				fail: stepRef('the id of the step after a failed request'),
			},
			{
				errorMap: (_issue, ctx) => ({
					message:
						ctx.data === undefined
							? 'is missing: an http step must say where the call goes next, {"success": "<step id>", "fail": "<step id>"}'
							: `is ${typeName(ctx.data)}: an http step needs {"success": "<step id>", "fail": "<step id>"}`,
				}),
			},
		)
		.strict('an http step routes only on "success" and "fail"'),
});

export const connectStepSchema = strictStep('connect', {
	number: phoneNumber('the number to connect to'),
	caller_id: phoneNumber('the caller ID for the connected call'),
	next_step: plainNextStep,
});

const stepSchemas = {
	call: callStepSchema,
	play: playStepSchema,
	digits: digitsStepSchema,
	http: httpStepSchema,
	connect: connectStepSchema,
} as const;

/**
 * One step of a flow. Parsed by its `type` first, so the messages speak of that type's fields
 * rather than of every union member.
 */
export const stepSchema = z
	.object(
		{ type: z.unknown() },
		{
			errorMap: (_issue, ctx) => ({
				message: `is ${typeName(ctx.data)}: each step must be an object such as {"id": "1", "type": "call", ...}`,
			}),
		},
	)
	.passthrough()
	.superRefine((step, ctx) => {
		const type = step.type;
		if (typeof type === 'string' && type in stepSchemas) return;
		const known = STEP_TYPES.join(', ');
		const message =
			type === undefined
				? `is missing: say what the step does, one of ${known}`
				: typeof type === 'string' && type in REMOVED_STEP_TYPES
					? REMOVED_STEP_TYPES[type]
					: `"${String(type)}" is not a step type: use one of ${known}`;
		ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['type'], message, fatal: true });
	})
	.pipe(z.any())
	.transform((step, ctx) => {
		const parsed = stepSchemas[step.type as StepType].safeParse(step);
		if (parsed.success) return parsed.data as z.output<(typeof stepSchemas)[StepType]>;
		for (const issue of parsed.error.issues) ctx.addIssue(explainUnknownKeys(issue));
		return z.NEVER;
	});

/** Unknown keys get a message that names them, and the replacement where one is known. */
function explainUnknownKeys(issue: z.ZodIssue): z.IssueData {
	if (issue.code !== z.ZodIssueCode.unrecognized_keys) return issue as z.IssueData;
	const renamed = issue.keys.filter((key) => key in RENAMED_FIELDS).map((key) => RENAMED_FIELDS[key]);
	const unknown = issue.keys.filter((key) => !(key in RENAMED_FIELDS));
	const parts = [...renamed];
	if (unknown.length > 0) {
		parts.push(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}: ${issue.message}`);
	}
	return { code: z.ZodIssueCode.custom, path: [...issue.path, issue.keys[0]], message: parts.join('; ') };
}

export type FlowStep = z.output<typeof callStepSchema>
	| z.output<typeof playStepSchema>
	| z.output<typeof digitsStepSchema>
	| z.output<typeof httpStepSchema>
	| z.output<typeof connectStepSchema>;
export type CallFlow = FlowStep[];

/** A step as written in JSON or built from the step list, before it is checked. */
export type FlowStepInput =
	| z.input<typeof callStepSchema>
	| z.input<typeof playStepSchema>
	| z.input<typeof digitsStepSchema>
	| z.input<typeof httpStepSchema>
	| z.input<typeof connectStepSchema>;

/**
 * A whole flow: every step checked on its own (so one broken step does not hide the problems of the
 * others), then the flow's wiring (unique ids, references that exist, the first step a call).
 */
export const flowSchema = z
	.array(z.unknown(), {
		errorMap: (_issue, ctx) => ({
			message: `is ${typeName(ctx.data)}: the flow must be a list of steps, e.g. [{"id": "1", "type": "call", ...}]`,
		}),
	})
	.min(1, { message: 'is empty: a flow needs at least a call step' })
	.transform((steps, ctx) => {
		const parsed: FlowStep[] = [];
		steps.forEach((step, index) => {
			const result = stepSchema.safeParse(step);
			if (result.success) parsed.push(result.data);
			else for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: [index, ...issue.path] } as z.IssueData);
		});
		for (const issue of checkFlowGraph(steps)) ctx.addIssue({ code: z.ZodIssueCode.custom, ...issue });
		return parsed;
	});
