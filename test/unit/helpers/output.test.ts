/**
 * Unit tests of the output helpers (nodes/Samespace/helpers/output.ts): item numbers written as
 * ranges, and the last-resort item when an item's result cannot be built.
 */
import { itemRanges, unshownAnswerItem } from '../../../nodes/Samespace/helpers/output';
import type { Failure } from '../../../nodes/Samespace/transport/outcome';

describe('itemRanges', () => {
	test.each<[number[], string]>([
		[[0, 1, 2, 6], '1-3, 7'],
		[[], ''],
		[[4], '5'],
		[[0, 2, 4], '1, 3, 5'],
		[[6, 0, 2, 1], '1-3, 7'],
		[[9, 10, 3, 4, 5, 0], '1, 4-6, 10-11'],
		[[0, 1], '1-2'],
	])('%p -> %p', (indexes, text) => {
		expect(itemRanges(indexes)).toBe(text);
	});

	test('does not reorder its input', () => {
		const indexes = [3, 1, 2];
		itemRanges(indexes);
		expect(indexes).toEqual([3, 1, 2]);
	});

	test('ignores repeated indexes', () => {
		expect(itemRanges([1, 1, 2])).toBe('2-3');
	});
});

describe('unshownAnswerItem (the last resort when an item result cannot be built)', () => {
	test('an accepted call stays accepted, from fields that cannot hold the token', () => {
		const item = unshownAnswerItem(
			2,
			{ kind: 'accepted', statusCode: 201, body: { call_id: 'x' } },
			new RangeError('Maximum call stack size exceeded'),
		);
		expect(item).toEqual({
			json: {
				success: true,
				callAccepted: true,
				statusCode: 201,
				warning:
					"Samespace's answer for this item could not be shown (RangeError); the outcome above is what the node knows.",
			},
			pairedItem: { item: 2 },
		});
	});

	test('a failure keeps its kind and whether the call may have been placed, not its texts', () => {
		const failure: Failure = {
			kind: 'uncertain',
			retryable: false,
			mayHavePlaced: true,
			message: 'secret tok_123456789',
			description: 'secret',
		};
		const item = unshownAnswerItem(0, failure, 'not an error');
		expect(item.json).toEqual(
			expect.objectContaining({
				error: 'Item 1: the call failed (uncertain)',
				outcome: 'uncertain',
				callMayHaveBeenPlaced: true,
			}),
		);
		expect(JSON.stringify(item)).not.toContain('secret');
	});
});
