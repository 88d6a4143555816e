/**
 * Outcomes of one request (nodes/Samespace/transport/outcome.ts) as the sending tests hand them to
 * the pacer and the retry loop: one home, so a change to their shape is one edit.
 */
import type { Failure, Outcome } from '../../nodes/Samespace/transport/outcome';

export const accepted: Outcome = { kind: 'accepted', statusCode: 200, body: { success: true } };

/** 429 Too Many Requests, with Retry-After when given. */
export const busy = (retryAfterMs?: number): Failure => ({
	kind: 'busy',
	retryable: true,
	mayHavePlaced: false,
	statusCode: 429,
	retryAfterMs,
	message: 'busy',
	description: 'No call was placed.',
});

/** A 500: the call may have been placed. */
export const uncertain: Failure = {
	kind: 'uncertain',
	retryable: false,
	mayHavePlaced: true,
	statusCode: 500,
	message: 'uncertain',
	description: 'maybe',
};

export const notSent: Failure = {
	kind: 'notSent',
	retryable: true,
	mayHavePlaced: false,
	code: 'ECONNREFUSED',
	message: 'not sent',
	description: 'No call was placed.',
};

export const refused: Failure = {
	kind: 'refused',
	retryable: false,
	mayHavePlaced: false,
	statusCode: 400,
	message: 'refused',
	description: 'No call was placed.',
};
