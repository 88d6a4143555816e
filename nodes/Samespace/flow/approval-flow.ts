/**
 * The flow of an approval by phone (operation Call and Wait for Approval), written by the node:
 * call, say the message, ask for a key, send the key to its own resume URL, confirm the choice;
 * on a wrong key, ask once more; after a second wrong key (or none), report that no
 * valid key was pressed. Each report is tried again when it fails (./report-retry). The result is
 * checked by the same schema as any flow before it is sent.
 *
 * As an AI Agent's human review, what the person hears first is the agent's tool call, that is
 * text a model wrote, and through it whoever wrote what the model read (an e-mail, a web page). It
 * must not be able to steer the key that approves: it is read out as a quoted, bounded request,
 * and the keys are drawn at random for each call (reviewKeys), never one the request names, and
 * said only after it.
 */
import type { ProblemWording } from './check';
import { reportWithRetries } from './report-retry';
import { ANY_INPUT_KEY, CHOICE_KEYS, type SamespaceStep } from './schema';
import type { DraftStep } from './step-list';

export interface ApprovalChoice {
	/** The key to press: a digit or "#". */
	key: string;
	/** What pressing it means, spoken: "approve", "decline". */
	label: string;
}

export interface ApprovalCall {
	number: unknown;
	callerId: unknown;
	/** What the person is asked to approve, spoken. */
	message: string;
	approve: ApprovalChoice;
	decline: ApprovalChoice;
	/** Where each outcome is reported (n8n's signed resume URLs). */
	reportUrls: { approved: string; declined: string; noValidKey: string };
}

const spokenKey = (key: string) => (key === '#' ? 'the hash key' : key);

export function choicesPrompt({
	approve,
	decline,
}: Pick<ApprovalCall, 'approve' | 'decline'>): string {
	return `Press ${spokenKey(approve.key)} to ${approve.label}. Press ${spokenKey(decline.key)} to ${decline.label}.`;
}

/** What is wrong with the keys chosen, if anything. */
export function approvalKeysProblem({
	approve,
	decline,
}: Pick<ApprovalCall, 'approve' | 'decline'>): string | undefined {
	for (const [what, choice] of [
		['approve', approve],
		['decline', decline],
	] as const) {
		if (!CHOICE_KEYS.includes(choice.key))
			return `The key to ${what} is "${choice.key}": choose a digit 0-9 or "#"`;
		if (choice.label.trim() === '')
			return `The label of the key to ${what} is empty: say what pressing it means, e.g. "${what}"`;
	}
	if (approve.key === decline.key)
		return `The keys to approve and to decline are both "${approve.key}": choose two different keys`;
	return undefined;
}

/**
 * The flow is the node's own: its ids ("call", "ask") are nowhere in the editor, and only the
 * Phone Number and Caller ID come from the user (the keys and the Message are checked before), so
 * a problem names the parameter as the editor labels it: `the approval call, "Phone Number": …`.
 */
export const APPROVAL_WORDING: ProblemWording = {
	name: () => 'the approval call',
	label: (field) =>
		field === 'number' ? '"Phone Number"' : field === 'caller_id' ? '"Caller ID"' : field,
};

export function approvalFlow(call: ApprovalCall): DraftStep[] {
	const routes = (otherwise: string) => ({
		[call.approve.key]: 'approve',
		[call.decline.key]: 'decline',
		[ANY_INPUT_KEY]: otherwise,
	});
	const prompt = choicesPrompt(call);
	return [
		{
			id: 'call',
			type: 'call',
			number: call.number as string,
			caller_id: call.callerId as string,
			next_step: 'ask',
		},
		{ id: 'ask', type: 'play', text: `${call.message.trim()} ${prompt}`, next_step: 'choice' },
		{ id: 'choice', type: 'digits', count: 1, variable: 'choice', next_step: routes('ask-again') },
		{
			id: 'ask-again',
			type: 'play',
			text: `Sorry, that is not one of the choices. ${prompt}`,
			next_step: 'choice-again',
		},
		{
			id: 'choice-again',
			type: 'digits',
			count: 1,
			variable: 'choice_again',
			next_step: routes('no-valid-key'),
		},
		...reports([
			{ id: 'approve', url: call.reportUrls.approved, success: 'approved', fail: 'not-recorded' },
			{ id: 'decline', url: call.reportUrls.declined, success: 'declined', fail: 'not-recorded' },
			{ id: 'no-valid-key', url: call.reportUrls.noValidKey, success: 'goodbye', fail: 'goodbye' },
		]),
		// What the person chose, not "recorded": a key pressed after the wait ended gets n8n's own
		// success answer ("no action required") without changing anything.
		{
			id: 'approved',
			type: 'play',
			text: `You chose to ${call.approve.label}. Thank you, goodbye.`,
		},
		{
			id: 'declined',
			type: 'play',
			text: `You chose to ${call.decline.label}. Thank you, goodbye.`,
		},
		{
			id: 'not-recorded',
			type: 'play',
			text: 'Sorry, your answer could not be recorded. Goodbye.',
		},
		{
			id: 'goodbye',
			type: 'play',
			text: 'No valid key was pressed, so nothing was approved. Goodbye.',
		},
	];
}

/** The flow's ids that are not reports (the retries' ids must differ from them). */
const APPROVAL_STEP_IDS = [
	'call',
	'ask',
	'choice',
	'ask-again',
	'choice-again',
	'approve',
	'decline',
	'no-valid-key',
	'approved',
	'declined',
	'not-recorded',
	'goodbye',
];

function reports(
	steps: Array<{ id: string; url: string; success: string; fail: string }>,
): SamespaceStep[] {
	const taken = new Set(APPROVAL_STEP_IDS);
	return steps.flatMap(({ id, url, success, fail }) =>
		reportWithRetries({ id, url, method: 'GET', next_step: { success, fail } }, taken),
	);
}

/** The most of the agent's request that is read out, in characters. */
export const MAX_SPOKEN_REQUEST = 400;
const REQUEST_START = "The assistant's request, in its own words:";
const REQUEST_END = 'End of the request.';

/**
 * An AI agent's tool call, in words a person can follow on the phone (never raw JSON): the tool
 * (named by the workflow) outside the quote, its arguments (written by the model) inside a quote
 * that says where it ends, cut to MAX_SPOKEN_REQUEST characters. A quote's own end marker inside
 * the arguments is left out, so they cannot seem to end it early.
 */
export function spokenToolCall(tool: unknown, parameters: unknown): string {
	const toolName =
		typeof tool === 'string'
			? tool
			: typeof (tool as { name?: unknown })?.name === 'string'
				? (tool as { name: string }).name
				: 'a tool';
	const words = (text: string) =>
		text
			.replace(/[_\-.]+/g, ' ')
			.replace(/([a-z])([A-Z])/g, '$1 $2')
			.replace(/\s+/g, ' ')
			.trim()
			.toLowerCase();
	const spoken = (value: unknown): string => {
		if (typeof value === 'string') return value.trim() === '' ? 'nothing' : value.trim();
		if (typeof value === 'number') return String(value);
		if (typeof value === 'boolean') return value ? 'yes' : 'no';
		if (value === null || value === undefined) return 'nothing';
		if (Array.isArray(value)) return value.length === 0 ? 'nothing' : value.map(spoken).join(', ');
		const count = Object.keys(value).length;
		return count === 0 ? 'nothing' : count === 1 ? '1 detail' : `${count} details`;
	};
	const details =
		typeof parameters === 'object' && parameters !== null && !Array.isArray(parameters)
			? Object.entries(parameters as Record<string, unknown>).map(
					([key, value]) => `${words(key)}: ${spoken(value)}`,
				)
			: [];
	const name = words(toolName).slice(0, 80) || 'without a name';
	if (details.length === 0) return `An assistant wants to use the tool ${name}, with no details.`;
	let request = readable(details.join('; '))
		.replace(/end of the request/gi, '(...)')
		.trim();
	if (request.length > MAX_SPOKEN_REQUEST) {
		const cut = request.slice(0, MAX_SPOKEN_REQUEST);
		request = `${cut.slice(0, Math.max(cut.lastIndexOf(' '), MAX_SPOKEN_REQUEST / 2))}... The rest is not read out.`;
	}
	return `An assistant wants to use the tool ${name}. ${REQUEST_START} ${request.replace(/[.\s]*$/, '')}. ${REQUEST_END}`;
}

/**
 * Text as a listener hears it: compatibility forms folded (a full-width "１" is "1"), invisible
 * format characters (zero-width spaces, direction marks) removed, whitespace collapsed. What the
 * node checks is then what is read out, so neither the quote's end marker nor a key can hide.
 */
export function readable(text: string): string {
	return text
		.normalize('NFKC')
		.replace(/\p{Cf}/gu, '')
		.replace(/\s+/g, ' ');
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const DIGIT_WORDS = [
	'zero',
	'one',
	'two',
	'three',
	'four',
	'five',
	'six',
	'seven',
	'eight',
	'nine',
];

/**
 * The value of a decimal digit of any script: Unicode puts each script's digits 0 to 9 in a row,
 * so it is how many digits come right before it. (NFKC has already turned full-width and
 * mathematical digits, the scripts whose rows touch, into ASCII.)
 */
function digitValue(digit: string): number {
	const code = digit.codePointAt(0) as number;
	let value = 0;
	while (value < 9 && /\p{Nd}/u.test(String.fromCodePoint(code - value - 1))) value++;
	return value;
}

/**
 * The approve and decline keys of a human review, drawn for each call with `random` (a uniform
 * whole number below its argument). The approve key is never a key that `spoken` names: a digit
 * (as a numeral in any script, or a word) or, when every digit is named, the hash key (named as
 * "#", "hash" or "pound"). The decline key is another unnamed digit when there is one, else any
 * other digit: pressing it declines, which is safe whatever the request says. Undefined when the
 * request names every key: then no approve key can be trusted, and the node declines without
 * calling.
 */
export function reviewKeys(
	spoken: string,
	random: (below: number) => number,
): { approve: string; decline: string } | undefined {
	const heard = readable(spoken).toLowerCase();
	const named = new Set<string>();
	for (const [digit] of heard.matchAll(/\p{Nd}/gu)) named.add(String(digitValue(digit)));
	DIGIT_WORDS.forEach((word, value) => {
		if (new RegExp(`\\b${word}\\b`).test(heard)) named.add(String(value));
	});
	const unnamed = DIGITS.filter((digit) => !named.has(digit));
	const hashNamed = /#|\bhash\b|\bpound\b/.test(heard);
	const pool = unnamed.length > 0 ? unnamed : hashNamed ? [] : ['#'];
	if (pool.length === 0) return undefined;
	const approve = pool[random(pool.length)];
	// The decline key too is one the request does not name when one is left (a key the request
	// names then means "asked once more"); else any other digit, which can only decline.
	const rest = unnamed.filter((digit) => digit !== approve);
	const others = rest.length > 0 ? rest : DIGITS.filter((digit) => digit !== approve);
	return { approve, decline: others[random(others.length)] };
}
