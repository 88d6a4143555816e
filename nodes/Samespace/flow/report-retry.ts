/**
 * A report to the waiting n8n execution that is tried again when it fails: n8n answers 409
 * until it has saved the execution as waiting, and a call can report sooner. Samespace's http
 * step knows only "success" and "fail", so each report step is followed, on failure, by a short
 * spoken pause and the same report again, REPORT_RETRIES times, before the flow's own failure
 * branch. See docs/design.md#the-report-retry.
 */
import type { SamespaceStep } from './schema';

/** Tries after the first: the call keeps trying for about REPORT_RETRIES pauses. */
export const REPORT_RETRIES = 4;
/** Said before each retry; about 1 to 1.5 s of speech, which is the wait between tries. */
export const REPORT_PAUSE_TEXT = 'One moment, please.';

export interface ReportStep {
	id: string;
	url: string;
	method: string;
	next_step: { success: string; fail: string };
}

/** `base`, or `base-2`, `base-3`, ... : the first that no step of the flow uses. */
function freshId(base: string, taken: Set<string>): string {
	let id = base;
	for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
	taken.add(id);
	return id;
}

/**
 * The report `step` as the call makes it: itself (same id, so the flow's routes to it stand),
 * then on failure a pause and the report again, REPORT_RETRIES times; the last failure goes where
 * the step's own failure went. `taken` holds every id of the flow and receives the new ones.
 */
export function reportWithRetries(step: ReportStep, taken: Set<string>): SamespaceStep[] {
	const retryIds = Array.from({ length: REPORT_RETRIES }, (_v, n) => ({
		pause: freshId(`${step.id}-pause-${n + 1}`, taken),
		report: freshId(`${step.id}-retry-${n + 1}`, taken),
	}));
	const report = (id: string, fail: string): SamespaceStep => ({
		id,
		type: 'http',
		url: step.url,
		method: step.method,
		next_step: { success: step.next_step.success, fail },
	});
	return [
		report(step.id, retryIds[0].pause),
		...retryIds.flatMap(({ pause, report: id }, n): SamespaceStep[] => [
			{ id: pause, type: 'play', text: REPORT_PAUSE_TEXT, url: undefined, next_step: id },
			report(id, retryIds[n + 1]?.pause ?? step.next_step.fail),
		]),
	];
}
