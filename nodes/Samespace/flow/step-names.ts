/**
 * The names the step list's Type dropdown shows, and a step of the list named the way the user
 * sees it: by its position, its type as the dropdown names it, and its Step ID when the user gave
 * one (a blank Step ID becomes the step's position in the flow sent, an id the editor never shows).
 */
import type { StepNamer } from './check';
import { shorten } from './quote';
import type { StepListEntry } from './step-list';

/** Step type (of a step-list entry) -> its name in the Type dropdown of node version 1. */
export const STEP_TYPE_NAMES: Readonly<Record<string, string>> = Object.freeze({
	call: 'Call',
	connect: 'Connect',
	digits: 'Gather Digits',
	http: 'HTTP Request',
	play: 'Play',
	answer: 'Send Answer to Workflow',
});

/** Node version 1.1's names: Play is split into Say Text and Play Audio File. */
export const STEP_TYPE_NAMES_V11: Readonly<Record<string, string>> = Object.freeze({
	...STEP_TYPE_NAMES,
	play: 'Say Text',
	playAudio: 'Play Audio File',
});

/** The Type dropdown's names in node version `version`. */
export const stepTypeNames = (version: number): Readonly<Record<string, string>> =>
	version >= 1.1 ? STEP_TYPE_NAMES_V11 : STEP_TYPE_NAMES;

const written = (value: unknown): string | undefined =>
	(typeof value === 'string' || typeof value === 'number') && String(value).trim() !== ''
		? String(value).trim()
		: undefined;

/**
 * `step 4 (Gather Digits)`, `step 2 (Play, Step ID "greeting")`: entry `index` (0-based) of the
 * step list, its type named by `names` from the entry's own type (not the type of the step built
 * from it). A type the map does not know is quoted as written.
 */
export function stepListEntryName(
	entry: StepListEntry | undefined,
	index: number,
	names: Readonly<Record<string, string>> = STEP_TYPE_NAMES,
): string {
	const type = written(entry?.type);
	const id = written(entry?.stepId);
	const details = [
		type === undefined
			? undefined
			: Object.hasOwn(names, type)
				? names[type]
				: `type "${shorten(type, 20)}"`,
		id === undefined ? undefined : `Step ID "${shorten(id, 40)}"`,
	].filter((detail) => detail !== undefined);
	return `step ${index + 1}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}

/** Names the step of a problem found in the flow built from `entries`, as the step list shows it. */
export function stepListNamer(
	entries: readonly StepListEntry[],
	names: Readonly<Record<string, string>> = STEP_TYPE_NAMES,
): StepNamer {
	return ({ stepIndex }) => {
		const entry: unknown = entries[stepIndex];
		return stepListEntryName(
			typeof entry === 'object' && entry !== null ? (entry as StepListEntry) : undefined,
			stepIndex,
			names,
		);
	};
}
