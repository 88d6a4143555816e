/**
 * The flow of an approval by phone (operation Call and Wait for Approval), written by the node:
 * call, say the message, ask for a key, send the key to its own resume URL, confirm the choice;
 * on a wrong key, ask once more; after a second wrong key (or none), report that no
 * valid key was pressed. The result is checked by the same schema as any flow before it is sent.
 */
import { ANY_INPUT_KEY, CHOICE_KEYS } from './schema';
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
		{
			id: 'approve',
			type: 'http',
			url: call.reportUrls.approved,
			method: 'GET',
			next_step: { success: 'approved', fail: 'not-recorded' },
		},
		{
			id: 'decline',
			type: 'http',
			url: call.reportUrls.declined,
			method: 'GET',
			next_step: { success: 'declined', fail: 'not-recorded' },
		},
		{
			id: 'no-valid-key',
			type: 'http',
			url: call.reportUrls.noValidKey,
			method: 'GET',
			next_step: { success: 'goodbye', fail: 'goodbye' },
		},
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

/** An AI agent's tool call, in words a person can follow on the phone (never raw JSON). */
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
	const text = `An assistant wants to use the tool ${words(toolName) || 'without a name'}${details.length > 0 ? `, with ${details.join('; ')}` : ''}.`;
	return text.length > 600 ? `${text.slice(0, 597)}...` : text;
}
