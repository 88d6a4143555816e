/**
 * What one request to Samespace came to, classified by the only question that matters for a
 * request that rings a real person: could the call have been placed?
 */
import type { IDataObject } from 'n8n-workflow';

/**
 * - `accepted`: Samespace took the flow; the body is its answer.
 * - `refused`: Samespace answered and did not place the call (4xx, `success: false`).
 * - `notSent`: the request never reached Samespace (connection refused, DNS failure).
 * - `busy`: Samespace asked to come back later (429, 503); the call was not placed.
 * - `redirected`: the address answered with a redirect (3xx), which is never followed.
 * - `uncertain`: the request was sent but the answer was lost or broken; the call may have been
 *   placed, so it must never be sent again automatically.
 * - `cancelled`: the execution was stopped before an answer came.
 */
export type OutcomeKind =
	| 'accepted'
	| 'refused'
	| 'notSent'
	| 'busy'
	| 'redirected'
	| 'uncertain'
	| 'cancelled';

export interface Accepted {
	kind: 'accepted';
	statusCode: number;
	body: IDataObject;
}

export interface Failure {
	kind: Exclude<OutcomeKind, 'accepted'>;
	/** One line, actionable, never containing the auth token. */
	message: string;
	/** More detail: the API's own words, what to check. */
	description: string;
	/**
	 * Whether Samespace may have placed the call. True for every failure after which the request
	 * may have been processed: the user must check before sending the item again.
	 */
	mayHavePlaced: boolean;
	statusCode?: number;
	/** Network error code such as ECONNREFUSED, when there was no HTTP answer. */
	code?: string;
	/** For `busy`: how long Samespace asked to wait, in milliseconds. */
	retryAfterMs?: number;
	/** For `redirected`: where the answer pointed (never requested). */
	location?: string;
	/**
	 * For `refused`: Samespace's own message, as it gave it (masked like everything read), so an
	 * operation can say in words what it means ("Cant make call! Not logged In").
	 */
	said?: string;
	/** Whether sending again can neither ring anyone twice nor be pointless (a wrong URL is not retried). */
	retryable: boolean;
	/**
	 * Why the call may have been placed, in a few words of the node's own: a status code, a
	 * network error code, what the answer looked like, never Samespace's or anyone's text (which
	 * could quote the person called). Set on every failure that may have placed the call; n8n's
	 * log records it for each such call (helpers/call-log.ts).
	 */
	reason?: string;
}

export type Outcome = Accepted | Failure;
