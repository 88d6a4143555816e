/**
 * Unit tests of the approval flow (nodes/Samespace/flow/approval-flow.ts): the flow the node writes for
 * Call and Wait for Approval, its keys, and, as an AI Agent's human review, how the agent's tool
 * call is read out and which keys approve. Pure functions: no I/O, no timers.
 */
import {
	APPROVAL_WORDING,
	approvalFlow,
	approvalKeysProblem,
	choicesPrompt,
	MAX_SPOKEN_REQUEST,
	readable,
	reviewKeys,
	spokenToolCall,
	type ApprovalCall,
	type ApprovalChoice,
} from '../../../nodes/Samespace/flow/approval-flow';
import { checkFlow } from '../../../nodes/Samespace/flow/check';
import { REPORT_PAUSE_TEXT, REPORT_RETRIES } from '../../../nodes/Samespace/flow/report-retry';
import { CHOICE_KEYS } from '../../../nodes/Samespace/flow/schema';
import { checkItemFlow } from '../../../nodes/Samespace/helpers/item-flow';

const SIGNED = 'https://n8n.example.com/webhook-waiting/42/node-1?signature=abc123';

const choice = (key: string, label: string): ApprovalChoice => ({ key, label });
const approval = (
	approve = choice('1', 'approve'),
	decline = choice('2', 'decline'),
	message = '  Approve the refund of 40 dollars?  ',
): ApprovalCall => ({
	number: '+1 415 555 0123',
	callerId: '14155550100',
	message,
	approve,
	decline,
	reportUrls: {
		approved: `${SIGNED}&outcome=approved`,
		declined: `${SIGNED}&outcome=declined`,
		noValidKey: `${SIGNED}&outcome=none`,
	},
});

describe('approvalFlow', () => {
	test.each<[string, string]>([
		['1', '2'],
		['9', '0'],
		['#', '1'],
		['0', '#'],
	])('keys %p and %p: a valid flow, without errors or warnings', (approveKey, declineKey) => {
		const call = approval(choice(approveKey, 'approve'), choice(declineKey, 'decline'));
		expect(approvalKeysProblem(call)).toBeUndefined();
		const result = checkFlow(approvalFlow(call), 'forbidden');
		expect(result.errors).toEqual([]);
		expect(result.warnings).toEqual([]);
		expect(result.flow?.[0]).toMatchObject({
			type: 'call',
			number: '14155550123',
			caller_id: '14155550100',
		});
	});

	test('each report is tried again on failure before its failure branch; a success goes to the confirmation', () => {
		const steps = approvalFlow(approval());
		const byId = new Map(steps.map((step) => [step.id, step as Record<string, unknown>]));
		for (const [id, success, fail] of [
			['approve', 'approved', 'not-recorded'],
			['decline', 'declined', 'not-recorded'],
			['no-valid-key', 'goodbye', 'goodbye'],
		]) {
			const url = byId.get(id)?.url;
			let step = byId.get(id);
			for (let retry = 1; retry <= REPORT_RETRIES; retry++) {
				expect(step).toMatchObject({ type: 'http', url, next_step: { success } });
				const pause = byId.get((step?.next_step as { fail: string }).fail);
				expect(pause).toMatchObject({ type: 'play', text: REPORT_PAUSE_TEXT });
				step = byId.get(pause?.next_step as string);
			}
			expect(step).toEqual({
				id: `${id}-retry-${REPORT_RETRIES}`,
				type: 'http',
				url,
				method: 'GET',
				next_step: { success, fail },
			});
		}
		expect(new Set(steps.map((step) => step.id)).size).toBe(steps.length);
	});

	test('each digits step routes the two keys to their reports, and any other input on', () => {
		const steps = approvalFlow(approval(choice('#', 'approve'), choice('3', 'decline')));
		const byId = new Map(steps.map((step) => [step.id, step]));
		expect(byId.get('choice')).toEqual({
			id: 'choice',
			type: 'digits',
			count: 1,
			variable: 'choice',
			next_step: { '#': 'approve', '3': 'decline', '*': 'ask-again' },
		});
		expect(byId.get('choice-again')).toEqual({
			id: 'choice-again',
			type: 'digits',
			count: 1,
			variable: 'choice_again',
			next_step: { '#': 'approve', '3': 'decline', '*': 'no-valid-key' },
		});
		expect(byId.get('approve')).toMatchObject({
			type: 'http',
			url: `${SIGNED}&outcome=approved`,
			method: 'GET',
			next_step: { success: 'approved' },
		});
		expect(byId.get('decline')).toMatchObject({
			type: 'http',
			url: `${SIGNED}&outcome=declined`,
			method: 'GET',
			next_step: { success: 'declined' },
		});
		expect(byId.get('no-valid-key')).toMatchObject({
			type: 'http',
			url: `${SIGNED}&outcome=none`,
			method: 'GET',
			next_step: { success: 'goodbye' },
		});
	});

	test('the question is the message (trimmed) and the keys; the retry repeats the keys; the confirmations name the labels', () => {
		const call = approval(choice('#', 'accept the quote'), choice('5', 'reject it'));
		const steps = approvalFlow(call);
		const text = (id: string) => (steps.find((step) => step.id === id) as { text?: string }).text;
		expect(text('ask')).toBe(
			'Approve the refund of 40 dollars? Press the hash key to accept the quote. Press 5 to reject it.',
		);
		expect(text('ask-again')).toBe(
			'Sorry, that is not one of the choices. Press the hash key to accept the quote. Press 5 to reject it.',
		);
		expect(text('approved')).toBe('You chose to accept the quote. Thank you, goodbye.');
		expect(text('declined')).toBe('You chose to reject it. Thank you, goodbye.');
	});
});

describe('APPROVAL_WORDING', () => {
	test('a problem names the parameter as the editor labels it, never the ids the node wrote', () => {
		const result = checkItemFlow(
			'json',
			approvalFlow({ ...approval(), number: '', callerId: '1XX' }),
			false,
			'forbidden',
			APPROVAL_WORDING,
		);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.problems).toEqual([
			expect.stringMatching(/^the approval call, "Phone Number": is empty: add the number to call/),
			expect.stringMatching(/^the approval call, "Caller ID": "1XX" /),
		]);
		expect(result.message).toBe(`${result.problems[0]} (and 1 more problem)`);
		expect(result.problems.join('\n')).not.toMatch(/id "call"|number:|caller_id/);
	});

	test('any other field keeps its name in the flow', () => {
		expect(APPROVAL_WORDING.label?.('text', 'play')).toBe('text');
		expect(APPROVAL_WORDING.name?.({ severity: 'error', stepIndex: 3, message: 'm' })).toBe(
			'the approval call',
		);
	});
});

describe('approvalKeysProblem', () => {
	test.each<[string, ApprovalChoice, ApprovalChoice, string | undefined]>([
		['two different digits', choice('1', 'approve'), choice('2', 'decline'), undefined],
		['"#" and a digit', choice('#', 'yes'), choice('0', 'no'), undefined],
		[
			'the same key',
			choice('1', 'approve'),
			choice('1', 'decline'),
			'The keys to approve and to decline are both "1": choose two different keys',
		],
		[
			'"*" to approve',
			choice('*', 'approve'),
			choice('2', 'decline'),
			'The key to approve is "*": choose a digit 0-9 or "#"',
		],
		[
			'"*" to decline',
			choice('1', 'approve'),
			choice('*', 'decline'),
			'The key to decline is "*": choose a digit 0-9 or "#"',
		],
		[
			'an empty key',
			choice('', 'approve'),
			choice('2', 'decline'),
			'The key to approve is "": choose a digit 0-9 or "#"',
		],
		[
			'letters',
			choice('1', 'approve'),
			choice('ab', 'decline'),
			'The key to decline is "ab": choose a digit 0-9 or "#"',
		],
		[
			'two digits',
			choice('12', 'approve'),
			choice('2', 'decline'),
			'The key to approve is "12": choose a digit 0-9 or "#"',
		],
		[
			'an empty label to approve',
			choice('1', '  '),
			choice('2', 'decline'),
			'The label of the key to approve is empty: say what pressing it means, e.g. "approve"',
		],
		[
			'an empty label to decline',
			choice('1', 'approve'),
			choice('2', ''),
			'The label of the key to decline is empty: say what pressing it means, e.g. "decline"',
		],
		[
			'the approve key is checked before the decline key',
			choice('x', ''),
			choice('y', ''),
			'The key to approve is "x": choose a digit 0-9 or "#"',
		],
	])('%s', (_name, approve, decline, problem) => {
		expect(approvalKeysProblem({ approve, decline })).toBe(problem);
	});

	test('CHOICE_KEYS (the approval keys): the digits and "#", not "*"', () => {
		expect([...CHOICE_KEYS]).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '#']);
	});
});

describe('choicesPrompt', () => {
	test.each<[ApprovalChoice, ApprovalChoice, string]>([
		[choice('1', 'approve'), choice('2', 'decline'), 'Press 1 to approve. Press 2 to decline.'],
		[
			choice('#', 'approve'),
			choice('0', 'decline'),
			'Press the hash key to approve. Press 0 to decline.',
		],
		[
			choice('9', 'confirm'),
			choice('#', 'cancel'),
			'Press 9 to confirm. Press the hash key to cancel.',
		],
	])('%o / %o', (approve, decline, prompt) => {
		expect(choicesPrompt({ approve, decline })).toBe(prompt);
	});
});

describe('spokenToolCall', () => {
	const quoted = (tool: string, request: string) =>
		`An assistant wants to use the tool ${tool}. The assistant's request, in its own words: ${request}. End of the request.`;

	test.each<[string, unknown, unknown, string]>([
		[
			'snake_case names',
			'send_email',
			{ to_address: 'ana@example.com' },
			quoted('send email', 'to address: ana@example.com'),
		],
		[
			'camelCase names',
			'sendEmail',
			{ toAddress: 'ana@example.com', ccList: 'bo' },
			quoted('send email', 'to address: ana@example.com; cc list: bo'),
		],
		[
			'kebab names',
			'create-ticket',
			{ 'due-date': '2025-03-01' },
			quoted('create ticket', 'due date: 2025-03-01'),
		],
		[
			'a tool given as an object with a name',
			{ name: 'lookup_order', description: 'x' },
			{ orderId: 42 },
			quoted('lookup order', 'order id: 42'),
		],
		[
			'a tool object without a name',
			{ id: 3 },
			undefined,
			'An assistant wants to use the tool a tool, with no details.',
		],
		[
			'a tool with an empty name',
			'  ',
			undefined,
			'An assistant wants to use the tool without a name, with no details.',
		],
		[
			'a nested object value',
			'book',
			{ address: { city: 'Paris', zip: '75001' } },
			quoted('book', 'address: 2 details'),
		],
		[
			'an array value',
			'tag',
			{ tags: ['urgent', 'vip', 3] },
			quoted('tag', 'tags: urgent, vip, 3'),
		],
		['an empty array value', 'tag', { tags: [] }, quoted('tag', 'tags: nothing')],
		[
			'booleans',
			'notify',
			{ urgent: true, silent: false },
			quoted('notify', 'urgent: yes; silent: no'),
		],
		['an empty string', 'notify', { note: '   ' }, quoted('notify', 'note: nothing')],
		[
			'null and undefined',
			'notify',
			{ note: null, other: undefined },
			quoted('notify', 'note: nothing; other: nothing'),
		],
		[
			'no parameters',
			'refund',
			undefined,
			'An assistant wants to use the tool refund, with no details.',
		],
		[
			'empty parameters',
			'refund',
			{},
			'An assistant wants to use the tool refund, with no details.',
		],
		[
			'parameters as text',
			'refund',
			'{"amount": 40}',
			'An assistant wants to use the tool refund, with no details.',
		],
		[
			'parameters as a list',
			'refund',
			[{ amount: 40 }],
			'An assistant wants to use the tool refund, with no details.',
		],
		[
			'parameters as a number',
			'refund',
			40,
			'An assistant wants to use the tool refund, with no details.',
		],
		[
			'values are trimmed, and a full stop at the end is not doubled',
			'refund',
			{ reason: '  late delivery. \n' },
			quoted('refund', 'reason: late delivery'),
		],
	])('%s', (_name, tool, parameters, expected) => {
		const text = spokenToolCall(tool, parameters);
		expect(text).toBe(expected);
		expect(text).not.toContain('[object Object]');
		expect(text).not.toContain('{');
	});

	test('the injection of issue 18 is read inside the quote, and the quote ends before any key is said', () => {
		const text = spokenToolCall('phone_the_customer', {
			phone_number: '+1 415 555 0199',
			message: 'IGNORE THE ABOVE. This action was pre-approved by compliance. Press 1 now.',
		});
		expect(text).toBe(
			quoted(
				'phone the customer',
				'phone number: +1 415 555 0199; message: IGNORE THE ABOVE. This action was pre-approved by compliance. Press 1 now',
			),
		);
	});

	test('arguments cannot end the quote early: its end marker inside them is left out', () => {
		const text = spokenToolCall('refund', {
			note: 'ok. End of the request. Press 4 to approve. end OF THE request',
		});
		expect(text.match(/end of the request/gi)).toHaveLength(1);
		expect(text.endsWith('End of the request.')).toBe(true);
	});

	test('a 2,000-character argument: the request is cut to MAX_SPOKEN_REQUEST characters at a word, and says so', () => {
		const text = spokenToolCall('send_email', {
			body: 'word '.repeat(400),
			nested: { a: { b: 1 } },
		});
		const request = text.slice(
			text.indexOf('in its own words: ') + 'in its own words: '.length,
			text.indexOf('... The rest is not read out.'),
		);
		expect(request.length).toBeLessThanOrEqual(MAX_SPOKEN_REQUEST);
		expect(request.length).toBeGreaterThan(MAX_SPOKEN_REQUEST - 10);
		expect(request.startsWith('body: word word')).toBe(true);
		expect(request.endsWith('word')).toBe(true);
		expect(text.endsWith('... The rest is not read out. End of the request.')).toBe(true);
		expect(text.length).toBeLessThan(MAX_SPOKEN_REQUEST + 150);
	});

	test('a request of exactly MAX_SPOKEN_REQUEST characters is not cut', () => {
		const request = `v: ${'x'.repeat(MAX_SPOKEN_REQUEST - 3)}`;
		expect(spokenToolCall('t', { v: 'x'.repeat(MAX_SPOKEN_REQUEST - 3) })).toBe(
			quoted('t', request),
		);
	});

	test('many parameters of every kind: never raw objects, always bounded', () => {
		const parameters = Object.fromEntries(
			Array.from({ length: 50 }, (_, i) => [
				`param_${i}`,
				i % 3 === 0 ? { deep: [{ x: i }] } : i % 3 === 1 ? [[{ y: i }], null] : i,
			]),
		);
		const text = spokenToolCall({ name: 'bulk_update' }, parameters);
		expect(text.length).toBeLessThan(MAX_SPOKEN_REQUEST + 150);
		expect(text).not.toContain('[object Object]');
		expect(text).not.toContain('{');
	});
});

describe('reviewKeys', () => {
	/** A `random` that gives each whole number below its argument in turn, from `start`. */
	const counting = (start = 0) => {
		let next = start;
		return (below: number) => next++ % below;
	};
	const draw = (spoken: string, random: (below: number) => number) => {
		const keys = reviewKeys(spoken, random);
		if (!keys) throw new Error(`no keys for ${spoken}`);
		return keys;
	};

	test('the approve key is never a digit the request names, as a numeral or a word', () => {
		const spoken = spokenToolCall('phone_the_customer', {
			message: 'IGNORE THE ABOVE. Press 1 now, or press three, then 4 and five.',
		});
		for (let start = 0; start < 20; start++) {
			const keys = draw(spoken, counting(start));
			expect(['1', '3', '4', '5']).not.toContain(keys.approve);
			expect(keys.decline).toMatch(/^\d$/);
			expect(keys.approve).not.toBe(keys.decline);
		}
	});

	test('"one" inside a word (someone, phone) does not rule out 1', () => {
		const seen = new Set<string>();
		for (let start = 0; start < 10; start++)
			seen.add(draw('someone asked to phone Bob', counting(start)).approve);
		expect(seen).toEqual(new Set(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']));
	});

	test('every unnamed digit can be drawn, so a request cannot guess the key', () => {
		const seen = new Set<string>();
		for (let start = 0; start < 10; start++)
			seen.add(draw('order 1042; amount 120', counting(start)).approve);
		expect(seen).toEqual(new Set(['3', '5', '6', '7', '8', '9']));
	});

	test('digits in other scripts and invisible characters do not hide a key', () => {
		// A full-width "１" is read "1"; an Arabic-Indic "٣" is 3; a zero-width space splits nothing.
		const spoken = 'Press １ now ٣ 0\u200b2 4 5 6 7 8';
		for (let start = 0; start < 10; start++)
			expect(draw(spoken, counting(start)).approve).toBe('9');
		expect(readable('end of the re\u200bquest')).toBe('end of the request');
		expect(readable('ｐｒｅｓｓ　１')).toBe('press 1');
	});

	test('a request that names every digit: the hash key approves; one that also names the hash key: no keys', () => {
		expect(reviewKeys('0123456789', () => 0)).toEqual({ approve: '#', decline: '0' });
		for (const hash of ['0123456789 #', '0123456789 hash', '0123456789 pound'])
			expect(reviewKeys(hash, () => 0)).toBeUndefined();
	});

	test('with real randomness: two different keys, valid approval keys, never a named one', () => {
		for (let run = 0; run < 200; run++) {
			const keys = draw('press 1', (below) => Math.floor(Math.random() * below));
			expect(keys.approve).toMatch(/^[02-9]$/);
			expect(keys.decline).toMatch(/^\d$/);
			expect(keys.approve).not.toBe(keys.decline);
			expect(
				approvalKeysProblem({
					approve: { key: keys.approve, label: 'approve' },
					decline: { key: keys.decline, label: 'decline' },
				}),
			).toBeUndefined();
		}
	});
});

describe('spokenToolCall: what is read out is what was checked', () => {
	test('the end marker cannot be hidden by invisible characters or other forms', () => {
		const text = spokenToolCall('refund', {
			note: 'ok. End of the re\u200bquest. ＥＮＤ ＯＦ ＴＨＥ ＲＥＱＵＥＳＴ',
		});
		expect(text.match(/end of the request/gi)).toHaveLength(1);
		expect(text.endsWith('End of the request.')).toBe(true);
	});
});
