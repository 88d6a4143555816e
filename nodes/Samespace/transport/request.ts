/** One HTTP attempt at one Samespace request: a call flow, or a request to another Voice API. */
import type {
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';

import {
	cancelledWhileSending,
	interpretRequestError,
	interpretResponse,
	MAY_HAVE_PLACED,
	plainCode,
	timedOut,
} from './response';
import { CREDENTIAL_TYPE } from './credential';
import type { Outcome } from './outcome';
import type { Redact } from './redact';

/** Samespace answers a call flow with a small JSON object; anything this large is not that. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface ApiRequest {
	/** The full endpoint, e.g. `{base}/call/flow`. */
	url: string;
	/** The JSON body, made anew for each attempt. */
	body: () => IDataObject;
	/**
	 * The credential as read once for the execution (see Connection), for an API that takes the
	 * Cloud ID and Auth Token in its body: n8n applies it to the request. Absent for an API that
	 * takes no token (Click to Call, Callback): then the request carries no credential at all.
	 */
	credential?: ICredentialsDecrypted;
}

const TOO_LARGE = Symbol('too large');
const DEADLINE = Symbol('deadline');

/**
 * `promise`, or DEADLINE if `signal` aborts first. The listener goes as soon as either happens:
 * left on the deadline's signal until it fires (the Request Timeout, 30 s by default), it would
 * keep every answer of a long list in memory until then.
 */
function beforeDeadline<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof DEADLINE> {
	return new Promise((resolve, reject) => {
		if (signal.aborted) return resolve(DEADLINE);
		const onAbort = () => resolve(DEADLINE);
		signal.addEventListener('abort', onAbort, { once: true });
		promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
	});
}

const discard = (body: unknown) => (body as { destroy?: () => void } | undefined)?.destroy?.();

/** Collects the answer's body, up to `limit` bytes. */
async function collect(stream: unknown, limit: number): Promise<string | typeof TOO_LARGE> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of stream as AsyncIterable<Buffer | string>) {
		const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		size += buffer.length;
		if (size > limit) {
			discard(stream);
			return TOO_LARGE;
		}
		chunks.push(buffer);
	}
	return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads the answer's body, up to `limit` bytes, and gives up the moment one of `signals` aborts. The read
 * is raced against the signal, not ended by destroying the stream: destroying axios's
 * `Readable.from()` wrapper waits for its silent source, and n8n keeps the socket.
 * See docs/design.md#the-stalled-body-read-race.
 */
function readBody(
	stream: unknown,
	limit: number,
	signals: AbortSignal[],
): Promise<string | typeof TOO_LARGE> {
	if (typeof stream === 'string')
		return Promise.resolve(stream.length > limit ? TOO_LARGE : stream);
	if (stream === undefined || stream === null) return Promise.resolve('');
	return new Promise((resolve, reject) => {
		const stop = () => {
			discard(stream);
			reject(new Error('aborted while reading the answer'));
		};
		if (signals.some((signal) => signal.aborted)) return stop();
		// A listener on each signal, removed when the read ends: AbortSignal.any() made per
		// request on the execution's long-lived signal is kept by it on Node 20.
		for (const signal of signals) signal.addEventListener('abort', stop, { once: true });
		collect(stream, limit)
			.then(resolve, reject)
			.finally(() => {
				for (const signal of signals) signal.removeEventListener('abort', stop);
			});
	});
}

/**
 * Sends the flow once. `timeoutMs` bounds the whole exchange, from sending to the last byte of
 * the answer (n8n's own `timeout` only notices a connection that goes quiet). Redirects are
 * never followed. Everything read from the answer is scrubbed of the auth token before it is
 * looked at, so no later trimming or cutting can expose a part of it.
 */
export async function sendOnce(
	ctx: IExecuteFunctions,
	request: ApiRequest,
	timeoutMs: number,
	redact: Redact,
): Promise<Outcome> {
	const deadline = AbortSignal.timeout(timeoutMs);
	const options: IHttpRequestOptions = {
		method: 'POST',
		url: request.url,
		// A new body each attempt: the credential's token is merged into it and must not outlive it.
		body: request.body(),
		json: true,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: timeoutMs,
	};
	const exchange = (
		request.credential
			? ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, options, {
					credentialsDecrypted: request.credential,
				})
			: ctx.helpers.httpRequest(options)
	) as Promise<IN8nHttpFullResponse>;

	let response: IN8nHttpFullResponse | typeof DEADLINE;
	try {
		response = await beforeDeadline(exchange, deadline);
	} catch (error) {
		return interpretRequestError(error, request.url, timeoutMs);
	}
	if (response === DEADLINE) {
		// The request is left to end by itself (n8n cannot abort it from here); its answer is dropped.
		exchange.then(
			(late) => discard(late.body),
			() => undefined,
		);
		return timedOut('answer', timeoutMs);
	}

	const { statusCode } = response;
	const cancel = ctx.getExecutionCancelSignal();
	let text: string | typeof TOO_LARGE;
	try {
		text = await readBody(
			response.body,
			MAX_RESPONSE_BYTES,
			cancel ? [deadline, cancel] : [deadline],
		);
	} catch (error) {
		// The answer started and did not finish: Samespace had the request, so the call may be placed.
		if (deadline.aborted) return { ...timedOut('body', timeoutMs), statusCode };
		const failure = cancel?.aborted
			? cancelledWhileSending()
			: interpretRequestError(error, request.url, timeoutMs);
		return {
			...failure,
			kind: failure.kind === 'cancelled' ? 'cancelled' : 'uncertain',
			retryable: false,
			mayHavePlaced: true,
			statusCode,
			reason:
				failure.kind === 'cancelled'
					? failure.reason
					: `the answer (HTTP ${statusCode}) broke off before its end${plainCode(failure.code) ? ` (${plainCode(failure.code)})` : ''}`,
		};
	}
	const headers = { ...(response.headers ?? {}) } as Record<string, unknown>;
	if (typeof headers.location === 'string') headers.location = redact(headers.location);
	if (text === TOO_LARGE) {
		const outcome = interpretResponse(statusCode, headers, '', Date.now());
		return outcome.kind === 'accepted' || outcome.kind === 'uncertain'
			? {
					kind: 'uncertain',
					retryable: false,
					mayHavePlaced: true,
					statusCode,
					message: `Samespace answered HTTP ${statusCode} with more than ${MAX_RESPONSE_BYTES / 1024} KiB, which is not a call flow answer`,
					description: MAY_HAVE_PLACED,
					reason: `HTTP ${statusCode} with more than ${MAX_RESPONSE_BYTES / 1024} KiB`,
				}
			: outcome;
	}
	return interpretResponse(statusCode, headers, redact(text), Date.now());
}
