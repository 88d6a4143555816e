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
 */
import { readFlowPaths, variablesBefore } from './graph';
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
 * reports the digits of every Gather Digits step that can come before it, and routes like one.
 */
export function withAnswerReports(
	flow: CallFlow,
	reportUrl: (variables: string[]) => string,
): SamespaceStep[] {
	const paths = readFlowPaths(flow);
	return flow.map((step, index) =>
		step.type === ANSWER_STEP_TYPE
			? {
					id: step.id,
					type: 'http',
					url: reportUrl(variablesBefore(flow, paths, index)),
					method: 'GET',
					next_step: step.next_step,
				}
			: step,
	);
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

/** Reads a report (the query of the request), checking that it belongs to the wait `ref`. */
export function readAnswerReport(query: Record<string, unknown>, ref: string): AnswerReport {
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
