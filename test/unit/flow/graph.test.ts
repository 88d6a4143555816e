/**
 * Unit tests of the flow's graph (nodes/Samespace/flow/graph.ts): which Gather Digits variables can
 * have been stored before a step (`variablesBefore`, what a Send Answer to Workflow step reports).
 */
import { readFlowPaths, variablesBefore } from '../../../nodes/Samespace/flow/graph';
import { answer, BRANCHES, call, digits, play } from '../../support/flow-steps';

describe('variablesBefore', () => {
	const paths = readFlowPaths(BRANCHES);
	const before = (index: number, raw: readonly unknown[] = BRANCHES) =>
		variablesBefore(raw, readFlowPaths(raw), index);

	test.each<[string, number, string[]]>([
		['the call step: nothing', 0, []],
		['the first digits step: nothing (it stores its own variable only after it)', 1, []],
		['a step after the menu', 2, ['choice']],
		[
			'send: the menu and pin lead to it, acct (another branch) and late (listed after) do not',
			4,
			['choice', 'pin'],
		],
		['send2: the menu and acct lead to it', 5, ['choice', 'account']],
		['bye: every digits step listed before it can lead to it', 6, ['choice', 'pin', 'account']],
		['end: every digits step, in list order', 8, ['choice', 'pin', 'account', 'late']],
	])('%s', (_name, index, expected) => {
		expect(variablesBefore(BRANCHES, paths, index)).toEqual(expected);
	});

	test('a loop back to an earlier step: the digits step after it can come before it', () => {
		const raw = [
			call({ next_step: 'ask' }),
			play('ask', { next_step: 'send' }),
			answer('send', 'again'),
			digits('again', 'retry', { '*': 'ask' }),
		];
		expect(before(2, raw)).toEqual(['retry']);
	});

	test('a step the first step cannot reach: the digits steps listed above it', () => {
		const raw = [
			call({ next_step: 'p' }),
			play('p'),
			digits('d', 'orphan_above', { '*': 'p' }),
			answer('lost', 'p'),
			digits('e', 'orphan_below', { '*': 'p' }),
		];
		expect(before(3, raw)).toEqual(['orphan_above']);
	});

	test('names are trimmed and listed once; blank or non-text variables are left out', () => {
		const raw = [
			call({ next_step: 'a' }),
			digits('a', ' pin ', { '*': 'b' }),
			digits('b', 'pin', { '*': 'c' }),
			digits('c', '  ', { '*': 'd' }),
			{ id: 'd', type: 'digits', count: 1, variable: 7, next_step: { '*': 'send' } },
			answer('send', 'a'),
		];
		expect(before(5, raw)).toEqual(['pin']);
	});
});
