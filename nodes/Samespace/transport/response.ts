/**
 * Turning what came back from Samespace (an HTTP answer, or an error before one) into an Outcome.
 * Pure functions: no I/O, so every branch is unit-tested.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Failure, Outcome } from './outcome';

/** Said of every failure after which the call may exist: the user must check before resending. */
export const MAY_HAVE_PLACED =
	'The call may have been placed: check in Samespace before you send this item again. It was not retried, so nobody is called twice.';
const NOT_PLACED = 'No call was placed.';

/** A network error code as Node names them (ECONNRESET), or nothing: only such a code goes into a reason. */
export const plainCode = (code?: string) =>
	code && /^[A-Z][A-Z0-9_]{1,39}$/.test(code) ? code : undefined;

/** Samespace's own message from an error body, if it gave one. */
function apiMessage(parsed: unknown, text: string): string | undefined {
	if (typeof parsed === 'object' && parsed !== null) {
		const body = parsed as Record<string, unknown>;
		for (const key of ['message', 'error', 'msg', 'detail', 'error_description']) {
			const value = body[key];
			if (typeof value === 'string' && value.trim() !== '') return value.trim();
			if (
				typeof value === 'object' &&
				value !== null &&
				typeof (value as IDataObject).message === 'string'
			)
				return ((value as IDataObject).message as string).trim();
		}
		return undefined;
	}
	return text.trim() === '' ? undefined : describeText(text);
}

/** A short description of a body that is not the JSON we expected. */
export function describeText(text: string): string {
	const trimmed = text.trim();
	if (trimmed === '') return 'an empty body';
	if (trimmed.startsWith('<')) {
		const title = /<title[^>]*>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
		return `an HTML page${title ? ` titled "${title.slice(0, 80)}"` : ''} instead of JSON`;
	}
	if (trimmed.startsWith('{') || trimmed.startsWith('['))
		return `JSON that is cut off or broken (${trimmed.length} characters)`;
	const flat = trimmed.replace(/\s+/g, ' ');
	return `text instead of JSON: "${flat.slice(0, 80)}${flat.length > 80 ? '…' : ''}"`;
}

/** What a body that is not the JSON we expected looks like, without quoting any of it. */
export function bodyShape(text: string): string {
	const trimmed = text.trim();
	if (trimmed === '') return 'an empty body';
	if (trimmed.startsWith('<')) return 'an HTML page instead of JSON';
	if (trimmed.startsWith('{') || trimmed.startsWith('[')) return 'JSON that is cut off or broken';
	return 'text instead of JSON';
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return { ok: false };
	}
}

/** `Retry-After` as seconds or as an HTTP date, in milliseconds from `now`. */
export function parseRetryAfter(header: unknown, now: number): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	// An HTTP date always names its weekday and month; Date.parse alone would accept "-1".
	if (!/[a-z]{3}/i.test(text)) return undefined;
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const STATUS_ADVICE: Record<number, string> = {
	400: 'Samespace refused the flow',
	401: 'Samespace did not accept the credentials: check the Cloud ID and Auth Token in the Samespace API credential',
	403: 'Samespace refused access: check that the Auth Token may create call flows in this cloud',
	404: 'Samespace has no call flow API at this address: check the Base URL in the Samespace API credential',
	405: 'Samespace has no call flow API at this address: check the Base URL in the Samespace API credential',
	413: 'The request is too large for Samespace: make the flow smaller (fewer or shorter steps)',
	422: 'Samespace refused the flow',
};

export function interpretResponse(
	statusCode: number,
	headers: Record<string, unknown>,
	text: string,
	now: number,
): Outcome {
	const parsed = parseJson(text);
	const value = parsed.ok ? parsed.value : undefined;
	const own = apiMessage(parsed.ok ? value : undefined, text);
	const said = own ? `Samespace said: ${own}` : '';

	if (statusCode >= 200 && statusCode < 300) {
		if (!parsed.ok || typeof value !== 'object' || value === null || Array.isArray(value)) {
			return {
				kind: 'uncertain',
				retryable: false,
				mayHavePlaced: true,
				statusCode,
				message: `Samespace answered HTTP ${statusCode} with ${parsed.ok ? 'JSON that is not an object' : describeText(text)}`,
				description: MAY_HAVE_PLACED,
				reason: `HTTP ${statusCode} with ${parsed.ok ? 'JSON that is not an object' : bodyShape(text)}`,
			};
		}
		const body = value as IDataObject;
		if (body.success === false || body.success === 'false') {
			return {
				kind: 'refused',
				retryable: false,
				mayHavePlaced: false,
				statusCode,
				message: `Samespace refused the call flow: ${own ?? 'it answered success: false without a message'}`,
				description: `${NOT_PLACED} Samespace answered HTTP ${statusCode} with success: false.`,
				...(own ? { said: own } : {}),
			};
		}
		return {
			kind: 'accepted',
			statusCode,
			body: limitDepth(body, MAX_ANSWER_DEPTH) as IDataObject,
		};
	}

	if (statusCode >= 300 && statusCode < 400) return redirected(statusCode, headers.location);

	const retryAfterMs = parseRetryAfter(headers['retry-after'], now);
	// A 503 is a "come back later" only when it says so (Retry-After) or comes in Samespace's own
	// JSON: a gateway's 503 page can also mean it lost the connection after forwarding the request
	// (Envoy's "upstream connect error or disconnect/reset before headers"), when the call may
	// have been placed.
	if (
		statusCode === 429 ||
		(statusCode === 503 &&
			(retryAfterMs !== undefined || (typeof value === 'object' && value !== null)))
	) {
		return {
			kind: 'busy',
			retryable: true,
			mayHavePlaced: false,
			statusCode,
			retryAfterMs,
			message:
				statusCode === 429
					? 'Samespace is limiting how fast calls can be placed (429 Too Many Requests)'
					: 'Samespace is temporarily unavailable (503 Service Unavailable)',
			description: [NOT_PLACED, said].filter(Boolean).join(' '),
		};
	}

	if (statusCode >= 400 && statusCode < 500) {
		const advice = STATUS_ADVICE[statusCode] ?? 'Samespace refused the request';
		return {
			kind: 'refused',
			retryable: false,
			mayHavePlaced: false,
			statusCode,
			message: `${advice}${statusCode === 400 || statusCode === 422 ? `: ${own ?? `HTTP ${statusCode}`}` : ` (HTTP ${statusCode})`}`,
			description: [NOT_PLACED, statusCode === 400 || statusCode === 422 ? '' : said]
				.filter(Boolean)
				.join(' '),
			...(own ? { said: own } : {}),
		};
	}

	return {
		kind: 'uncertain',
		retryable: false,
		mayHavePlaced: true,
		statusCode,
		message: `Samespace failed with HTTP ${statusCode}${own ? `: ${own}` : ''}`,
		description: MAY_HAVE_PLACED,
		reason:
			statusCode === 503
				? "HTTP 503 without Retry-After or Samespace's JSON (a gateway's answer)"
				: `HTTP ${statusCode}`,
	};
}

/** Connection-level codes that mean the request never left this machine or never reached a server. */
const NOT_SENT_CODES: Record<string, string> = {
	ECONNREFUSED: 'nothing accepted the connection',
	ENOTFOUND: 'the host name does not resolve',
	EAI_AGAIN: 'the host name could not be resolved right now',
	EHOSTUNREACH: 'the host cannot be reached',
	ENETUNREACH: 'the network cannot be reached',
};

// Network error codes stay out of messages: n8n replaces a message that contains one with a
// generic text (for ETIMEDOUT, advice to turn on "Retry on Fail", which could call someone twice).
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/** The execution was stopped (n8n's Stop) while the request was out: Samespace may have it. */
export function cancelledWhileSending(code?: string): Failure {
	return {
		kind: 'cancelled',
		retryable: false,
		mayHavePlaced: true,
		code,
		message: 'The execution was stopped while this call was being sent',
		description:
			'The request may have reached Samespace before the stop: check in Samespace before you send this item again.',
		reason: 'the execution was stopped while the request was out',
	};
}

/** An error thrown instead of an HTTP answer; n8n wraps the network error as its `cause`. */
export function interpretRequestError(error: unknown, target: string, timeoutMs: number): Failure {
	const cause = ((error as { cause?: unknown })?.cause ?? error) as {
		code?: unknown;
		name?: unknown;
		message?: unknown;
	};
	const code = typeof cause?.code === 'string' ? cause.code : undefined;
	const name = typeof cause?.name === 'string' ? cause.name : '';

	if (code === 'ERR_CANCELED' || name === 'CanceledError' || name === 'AbortError')
		return cancelledWhileSending(code);
	if (code && code in NOT_SENT_CODES) {
		return {
			kind: 'notSent',
			retryable: true,
			mayHavePlaced: false,
			code,
			message: `Could not reach Samespace at ${target}: ${NOT_SENT_CODES[code]}`,
			description: `${NOT_PLACED} Check the Base URL in the Samespace API credential and this machine's network. Network error: ${code}.`,
		};
	}
	if (code === 'ERR_INVALID_URL' || code === 'ERR_INVALID_ARG_VALUE') {
		return {
			kind: 'notSent',
			retryable: false,
			mayHavePlaced: false,
			code,
			message: `The Base URL does not make a valid address (${target})`,
			description: `${NOT_PLACED} Fix the Base URL in the Samespace API credential, e.g. https://api.samespace.com/api/public/v1.`,
		};
	}
	if (code && TIMEOUT_CODES.has(code)) return timedOut('answer', timeoutMs, code);
	const detail =
		typeof cause?.message === 'string' && cause.message ? cause.message : 'unknown network error';
	return {
		kind: 'uncertain',
		retryable: false,
		mayHavePlaced: true,
		code,
		message: 'The connection to Samespace broke before its answer arrived',
		description: `${MAY_HAVE_PLACED} Network error: ${code ? `${code}, ` : ''}${detail}.`,
		reason: `the connection broke before the answer arrived${plainCode(code) ? ` (${plainCode(code)})` : ''}`,
	};
}

/**
 * The Request Timeout ran out: before the answer began (`answer`) or while its body was still
 * arriving (`body`). Either way Samespace had the request.
 */
export function timedOut(phase: 'answer' | 'body', timeoutMs: number, code?: string): Failure {
	const seconds = `${Math.round(timeoutMs / 100) / 10} s`;
	return {
		kind: 'uncertain',
		retryable: false,
		mayHavePlaced: true,
		code,
		message:
			phase === 'answer'
				? `Samespace did not answer within ${seconds}`
				: `Samespace's answer did not arrive in full within ${seconds}`,
		description: `${MAY_HAVE_PLACED} The Request Timeout (${seconds}) covers the whole exchange, from sending to the last byte of the answer; if Samespace is often this slow, raise it.${code ? ` Network error: ${code}.` : ''}`,
		reason: `${phase === 'answer' ? 'no answer' : 'the answer did not arrive in full'} within the Request Timeout (${seconds})`,
	};
}

/**
 * A redirect is never followed: following it would send the flow and the auth token to another
 * address, or turn the POST into a GET whose answer is not a call's. Whether the call may have
 * been placed depends on what the status means (RFC 9110, section 15.4):
 * - 301, 307, 308 say the resource lives at another address and the request is to be made
 *   there: the server did not process it (an http-to-https upgrade, a moved host, a missing or
 *   extra path segment). No call was placed.
 * - 303 points to the result of a request the server processed; 302 is used the same way by many
 *   servers (post, then redirect to a result page); any other 3xx is unexpected for a POST. The
 *   call may have been placed.
 */
export function redirected(statusCode: number, location: unknown): Failure {
	const target =
		typeof location === 'string' && location.trim() !== '' ? location.trim() : undefined;
	const shownTarget = target && target.length > 200 ? `${target.slice(0, 200)}…` : target;
	const notProcessed = statusCode === 301 || statusCode === 307 || statusCode === 308;
	const where = shownTarget ? ` to ${shownTarget}` : ' without saying where';
	return {
		kind: 'redirected',
		retryable: false,
		mayHavePlaced: !notProcessed,
		statusCode,
		location: shownTarget,
		message: `Samespace's address answered with a redirect (HTTP ${statusCode})${where}; the node does not follow redirects, so nothing was sent there`,
		reason: `HTTP ${statusCode} redirect, not followed`,
		description: notProcessed
			? `${NOT_PLACED} HTTP ${statusCode} means the request was not processed at this address. Check the Base URL in the Samespace API credential${shownTarget ? `: if the address it points to is Samespace's API, use it as the Base URL` : ''}.`
			: `${MAY_HAVE_PLACED} HTTP ${statusCode} can mean that the request was processed before the redirect. Check the Base URL in the Samespace API credential.`,
	};
}

/** Samespace's answer is a small flat object; levels below this are replaced by a note. */
export const MAX_ANSWER_DEPTH = 16;

/**
 * A copy of a parsed answer with nothing nested deeper than `maxDepth`: an answer nested
 * thousands of levels deep would overflow the stack of everything that serializes the output
 * (n8n itself included), and lose the results of calls already placed.
 */
export function limitDepth(value: unknown, maxDepth: number): unknown {
	if (typeof value !== 'object' || value === null) return value;
	if (maxDepth <= 0) return '[nested too deep: left out]';
	if (Array.isArray(value)) return value.map((inner) => limitDepth(inner, maxDepth - 1));
	return Object.fromEntries(
		Object.entries(value).map(([key, inner]) => [key, limitDepth(inner, maxDepth - 1)]),
	);
}
