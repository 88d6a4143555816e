/**
 * n8n's log as the trail of the calls a run placed: one line the moment each call's outcome is
 * known. When the process dies in the middle of a run (a queue-mode worker killed or out of
 * memory), n8n marks the execution failed and saves nothing of this node: its output and its
 * three lists (accepted, may have been placed, not placed) are lost. The worker's log still holds
 * these lines, written as the calls went out, so an operator can find which items were phoned by
 * the execution id.
 *
 * - `info` "Samespace call accepted": Samespace took the call; with its call id.
 * - `warn` "Samespace call may have been placed": the request reached Samespace (or may have) and
 *   the answer was lost or broken; the node never sends such a call again. With the node's own
 *   short reason (Failure.reason).
 * - Nothing for a call that was not placed (refused, never sent, still busy after the retries,
 *   stopped before it was sent): no phone rang, the item is safe to send again, and a line per
 *   refused item of a 1,000-item list would bury the lines that matter.
 *
 * Never logged: the auth token, the Cloud ID, the phone numbers and the flow (personal data that
 * n8n's log, often shipped elsewhere, must not hold). The item index and the execution id lead
 * back to the item in n8n. The only text from outside is Samespace's call id, masked for the token
 * (as the whole answer already is) and cut short.
 *
 * n8n's default console format (N8N_LOG_FORMAT=text) prints the message alone, without its
 * metadata, so the message carries the same fields as `key=value` and can be searched for the
 * execution id in any log format; with N8N_LOG_FORMAT=json (and in log files) the fields are also
 * there as metadata.
 */
import type { IExecuteFunctions, Logger } from 'n8n-workflow';

import type { Outcome } from '../transport/outcome';
import type { Redact } from '../transport/redact';

/** The messages' fixed part: what to search the log for (documented in docs/reference.md). */
export const ACCEPTED_MESSAGE = 'Samespace call accepted';
export const MAY_HAVE_PLACED_MESSAGE = 'Samespace call may have been placed';

/** Longest call id written; a real one is a UUID. */
const MAX_CALL_ID_LENGTH = 128;

/** Records one call's final outcome in n8n's log; never throws. */
export type CallLog = (itemIndex: number, outcome: Outcome) => void;

type Fields = Record<string, string | number | null>;

/** A value as the message shows it: bare when it is a plain word, JSON-quoted otherwise (so no value can break or fake a line). */
const shown = (value: string | number | null) =>
	typeof value === 'number' || (value !== null && /^[\w.:-]+$/.test(value))
		? String(value)
		: JSON.stringify(value);

const line = (message: string, fields: Fields) =>
	`${message}: ${Object.entries(fields)
		.map(([key, value]) => `${key}=${shown(value)}`)
		.join(' ')}`;

/** Samespace's call id as it may be logged: text or a number, token masked, cut short; null if the answer has none. */
function callIdOf(value: unknown, redact: Redact): string | null {
	if (typeof value !== 'string' && typeof value !== 'number') return null;
	const text = redact(String(value));
	return text.length > MAX_CALL_ID_LENGTH ? `${text.slice(0, MAX_CALL_ID_LENGTH)}…` : text;
}

/**
 * The log for one run of the node: what identifies the run is read once, each call's line is
 * written when `sendCalls` knows the call's final outcome (after its retries).
 */
export function callLog(ctx: IExecuteFunctions, redact: Redact): CallLog {
	const logger: Logger | undefined = ctx.logger;
	const run: Fields = {
		executionId: ctx.getExecutionId() ?? null,
		workflowId: ctx.getWorkflow().id ?? null,
		node: ctx.getNode().name,
	};
	return (itemIndex, outcome) => {
		try {
			if (outcome.kind === 'accepted') {
				const fields = { ...run, itemIndex, callId: callIdOf(outcome.body.call_id, redact) };
				logger?.info(line(ACCEPTED_MESSAGE, fields), fields);
			} else if (outcome.mayHavePlaced) {
				const reason = redact(
					outcome.reason ??
						`${outcome.kind}${outcome.statusCode !== undefined ? `, HTTP ${outcome.statusCode}` : ''}`,
				);
				const fields = { ...run, itemIndex, reason };
				logger?.warn(line(MAY_HAVE_PLACED_MESSAGE, fields), fields);
			}
			// Not placed: no line (see the top of this file).
		} catch {
			// A log that fails must not take the result of a placed call with it: the output still has it.
		}
	};
}
