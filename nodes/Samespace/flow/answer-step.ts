/**
 * Send Answer to Workflow: how the call reports the keys it gathered to the waiting execution.
 * One module writes the report's address and reads it back, so the two cannot drift apart.
 *
 * The report is a GET of the execution's resume URL, with, in this order:
 *   ref=<the wait's reference>&key_<variable>={{<variable>}}&...&end=1
 * Samespace fills each `{{variable}}` with the digits gathered. A `#` key that Samespace puts into
 * the address as it is starts the URL's fragment, which is never sent: everything after it is
 * lost. So the reference comes first, the digits after it, and an end marker last: a report
 * without the marker was cut at a `#` in the last variable that arrived.
 *
 * A report is tried again when it fails (see ./report-retry); the node refuses one whose value is
 * longer than the flow's Gather Digits steps could have gathered.
 */
import { readFlowPaths, variablesBefore } from './graph';
import { reportWithRetries } from './report-retry';
import { ANSWER_STEP_TYPE, type CallFlow, type SamespaceStep } from './schema';

const KEY_PREFIX = 'key_';
const REF_PARAM = 'ref';
const END_PARAM = 'end';
/** What a gathered value can hold: the keys of a phone keypad. */
const KEYPAD = /^[0-9*#]*$/;
/** A placeholder left unfilled. */
const UNFILLED = /^\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}$/;

/** The report address for a Send Answer to Workflow step that can report `variables`. */
export function answerReportUrl(
	resumeUrl: string,
	ref: string,
	variables: readonly string[],
): string {
	const params = [
		`${REF_PARAM}=${encodeURIComponent(ref)}`,
		...variables.map((name) => `${KEY_PREFIX}${name}={{${name}}}`),
		`${END_PARAM}=1`,
	];
	return `${resumeUrl}${resumeUrl.includes('?') ? '&' : '?'}${params.join('&')}`;
}

/**
 * The flow as Samespace takes it: each Send Answer to Workflow step becomes an http step that
 * reports the digits of every Gather Digits step that can come before it, and routes like one,
 * tried again on failure.
 */
export function withAnswerReports(
	flow: CallFlow,
	reportUrl: (variables: string[]) => string,
): SamespaceStep[] {
	const paths = readFlowPaths(flow);
	const taken = new Set(flow.map((step) => step.id));
	return flow.flatMap((step, index) =>
		step.type === ANSWER_STEP_TYPE
			? reportWithRetries(
					{
						id: step.id,
						url: reportUrl(variablesBefore(flow, paths, index)),
						method: 'GET',
						next_step: step.next_step,
					},
					taken,
				)
			: [step],
	);
}

/**
 * The most keys each variable can hold: the largest count of the Gather Digits steps that store
 * it. A report can carry no more than that (Samespace gathers `count` keys at most).
 */
export function maxDigitsOf(flow: CallFlow): Record<string, number> {
	const most: Record<string, number> = {};
	for (const step of flow) {
		if (step.type !== 'digits') continue;
		// An own property whatever the name ("__proto__" is a valid variable name).
		const known = Object.hasOwn(most, step.variable) ? most[step.variable] : 0;
		Object.defineProperty(most, step.variable, {
			value: Math.max(known, step.count),
			enumerable: true,
			writable: true,
			configurable: true,
		});
	}
	return most;
}

export type AnswerReport =
	| {
			ok: true;
			/** Each reported variable's keys ('' when nothing was gathered). */
			digits: Record<string, string>;
			/** False when the report was cut at a `#`: the variable named in `cutAt` ended with it, later ones are missing. */
			complete: boolean;
			cutAt?: string;
	  }
	| { ok: false; status: 400 | 409; error: string };

/**
 * Reads a report (the query of the request), checking that it belongs to the wait `ref` and, when
 * `maxDigits` is known (see maxDigitsOf; an older waiting item may lack it), that it names only
 * variables of the flow, each no longer than its steps could gather.
 * See docs/design.md#the-waiting-operations-and-their-resume-urls.
 */
export function readAnswerReport(
	query: Record<string, unknown>,
	ref: string,
	maxDigits?: Record<string, unknown>,
): AnswerReport {
	const given = query[REF_PARAM];
	if (typeof given !== 'string' || given === '')
		return {
			ok: false,
			status: 400,
			error: 'The report carries no reference of the call it answers',
		};
	if (given !== ref)
		return {
			ok: false,
			status: 409,
			error: 'This report answers another call (an earlier one, or a copy of this one)',
		};
	const digits: Record<string, string> = {};
	let last: string | undefined;
	for (const [key, value] of Object.entries(query)) {
		if (!key.startsWith(KEY_PREFIX)) continue;
		const name = key.slice(KEY_PREFIX.length);
		// A variable no Gather Digits step filled on the path the call took: Samespace may leave
		// its placeholder in the address as it is.
		const keys = typeof value === 'string' && UNFILLED.test(value) ? '' : value;
		if (typeof keys !== 'string' || !KEYPAD.test(keys) || name === '') {
			return {
				ok: false,
				status: 400,
				error: `The report's value for "${name.slice(0, 40)}" is not keypad keys`,
			};
		}
		if (maxDigits !== undefined) {
			const most = Object.hasOwn(maxDigits, name) ? maxDigits[name] : undefined;
			if (typeof most !== 'number')
				return {
					ok: false,
					status: 400,
					error: `The report names "${name.slice(0, 40)}", which no Gather Digits step of this call stores`,
				};
			// A "#" that ends the input may come on top of the count.
			if (keys.replace(/#$/, '').length > most)
				return {
					ok: false,
					status: 400,
					error: `The report's value for "${name.slice(0, 40)}" has ${keys.length} keys, more than this call's Gather Digits step could gather (${most})`,
				};
		}
		// An own property whatever the name ("__proto__" is a valid variable name).
		Object.defineProperty(digits, name, {
			value: keys,
			enumerable: true,
			writable: true,
			configurable: true,
		});
		last = name;
	}
	if (query[END_PARAM] === '1') return { ok: true, digits, complete: true };
	return last === undefined
		? { ok: true, digits, complete: false }
		: { ok: true, digits, complete: false, cutAt: last };
}
