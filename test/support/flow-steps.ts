/**
 * Steps of a call flow as a user writes them (JSON mode), for the unit tests of the flow check
 * (nodes/Samespace/flow/check.ts, schema.ts), its graph (graph.ts) and the answer step
 * (answer-step.ts).
 */
export type Raw = Record<string, unknown>;

/** A valid first step (a call); `over` adds or replaces fields, such as its next_step. */
export const call = (over: Raw = {}): Raw => ({
	id: 'c',
	type: 'call',
	number: '14155550123',
	caller_id: '14155550100',
	...over,
});
export const play = (id: string, over: Raw = {}): Raw => ({
	id,
	type: 'play',
	text: 'Hi',
	...over,
});
export const digits = (id: string, variable: string, next: Raw): Raw => ({
	id,
	type: 'digits',
	count: 1,
	variable,
	next_step: next,
});
export const answer = (id: string, success = 'bye', fail = success): Raw => ({
	id,
	type: 'answer',
	next_step: { success, fail },
});

/** A flow with branches: what each answer step can report is known by hand. */
export const BRANCHES: Raw[] = [
	call({ next_step: 'menu' }),
	digits('menu', 'choice', { '1': 'pin', '2': 'acct', '*': 'send' }),
	digits('pin', 'pin', { '*': 'send' }),
	// Another branch: it only reaches send2, never send.
	digits('acct', 'account', { '*': 'send2' }),
	answer('send'),
	answer('send2'),
	play('bye', { next_step: 'late' }),
	// Listed after both answer steps, reachable, but leads to neither.
	digits('late', 'late', { '*': 'end' }),
	play('end'),
];
