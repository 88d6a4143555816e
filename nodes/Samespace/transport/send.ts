/** One HTTP attempt at placing one call flow. */
import type { IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';

import type { CallFlow } from '../flow/schema';
import { interpretRequestError, interpretResponse, MAY_HAVE_PLACED } from './interpret';
import type { Outcome } from './outcome';

export const CREDENTIAL_TYPE = 'samespaceApi';

/** Samespace answers a call flow with a small JSON object; anything this large is not that. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface CallRequest {
	/** The full endpoint, `{base}/call/flow`. */
	url: string;
	record: boolean;
	flow: CallFlow;
}

const TOO_LARGE = Symbol('too large');

async function readBody(stream: unknown, limit: number): Promise<string | typeof TOO_LARGE> {
	if (typeof stream === 'string') return stream.length > limit ? TOO_LARGE : stream;
	if (stream === undefined || stream === null) return '';
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of stream as AsyncIterable<Buffer | string>) {
		const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		size += buffer.length;
		if (size > limit) {
			(stream as { destroy?: () => void }).destroy?.();
			return TOO_LARGE;
		}
		chunks.push(buffer);
	}
	return Buffer.concat(chunks).toString('utf8');
}

export async function sendOnce(ctx: IExecuteFunctions, request: CallRequest, timeoutMs: number): Promise<Outcome> {
	let response: IN8nHttpFullResponse;
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, {
			method: 'POST',
			url: request.url,
			// A new body each attempt: the credential's token is merged into it and must not outlive it.
			body: { record: request.record, flow: request.flow },
			json: true,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: timeoutMs,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		return interpretRequestError(error, request.url, timeoutMs);
	}

	let text: string | typeof TOO_LARGE;
	try {
		text = await readBody(response.body, MAX_RESPONSE_BYTES);
	} catch (error) {
		// The answer started and broke off: Samespace had the request, so the call may be placed.
		const failure = interpretRequestError(error, request.url, timeoutMs);
		return failure.kind === 'cancelled' ? failure : { ...failure, kind: 'uncertain', retryable: false, statusCode: response.statusCode };
	}
	const headers = (response.headers ?? {}) as Record<string, unknown>;
	if (text === TOO_LARGE) {
		const outcome = interpretResponse(response.statusCode, headers, '', Date.now());
		return outcome.kind === 'accepted' || outcome.kind === 'uncertain'
			? {
					kind: 'uncertain',
					retryable: false,
					statusCode: response.statusCode,
					message: `Samespace answered HTTP ${response.statusCode} with more than ${MAX_RESPONSE_BYTES / 1024} KiB, which is not a call flow answer`,
					description: MAY_HAVE_PLACED,
				}
			: outcome;
	}
	return interpretResponse(response.statusCode, headers, text, Date.now());
}
