/** The flows' warnings as execution hints: they do not stop a call, but usually mean a mistake. */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { Redact } from '../transport/redact';
import type { ItemFlow } from './item-flow';

/** At most this many distinct warnings become execution hints; the rest are counted. */
const MAX_HINTS = 10;

export function addWarningHints(
	ctx: IExecuteFunctions,
	prepared: ItemFlow[],
	redact: Redact,
): void {
	const itemsByWarning = new Map<string, number[]>();
	prepared.forEach((item, itemIndex) => {
		if (!item.ok) return;
		for (const warning of item.warnings) {
			const list = itemsByWarning.get(warning) ?? [];
			list.push(itemIndex);
			itemsByWarning.set(warning, list);
		}
	});
	const hints = [...itemsByWarning].slice(0, MAX_HINTS).map(([warning, indexes]) => ({
		message: redact(
			`${indexes.length === prepared.length ? 'Every item' : indexes.length === 1 ? `Item ${indexes[0] + 1}` : `${indexes.length} items`}: ${warning}`,
		),
		location: 'outputPane' as const,
	}));
	if (itemsByWarning.size > MAX_HINTS)
		hints.push({
			message: `${itemsByWarning.size - MAX_HINTS} more warnings: use the Validate Only option to see them all`,
			location: 'outputPane',
		});
	if (hints.length > 0) ctx.addExecutionHints(...hints);
}
