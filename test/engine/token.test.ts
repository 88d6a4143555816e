/**
 * The auth token never leaves the request, whatever its shape and however a server echoes it
 * back. Tokens here are the awkward ones users paste (a trailing newline, inner whitespace,
 * quotes, backslashes); servers echo them raw, JSON-escaped, in HTML, URL-encoded, and placed so
 * that the node's own trimming, whitespace collapsing and cutting of long texts would expose them.
 */
import type { ServerResponse } from 'node:http';

import { json, useServers, type Received } from '../support/hostile-server';
import {
	expectNoSecret,
	outputJson,
	runSamespace,
	secretShapes,
	straightSteps,
} from '../support/samespace';

const startServer = useServers();
const OPTIONS = { retries: 0, timeout: 2, concurrency: 1 };

const TOKENS: Array<[string, string]> = [
	['a trailing newline', 'tok_live_9f3c1e7a2b5d4c8e6f0a\n'],
	['surrounding spaces', '   tok_live_4c8e6f0a1b2c3d4e5f67  '],
	['inner whitespace', 'tok live  9f3c1e7a\t2b5d4c8e 6f0a1b2c'],
	['a quote, a backslash and a newline', 'tok"live\\9f3c1e7a\n2b5d4c8e6f0a'],
	['slashes and non-ASCII', 'tök/live/9f3c1e7a2b5d€4c8e6f0a'],
];

/** The token as the server received it in the body. */
const received = (request: Received) =>
	String((JSON.parse(request.body) as { auth_token?: unknown }).auth_token);

type Echo = (token: string, response: ServerResponse) => void;
const text = (response: ServerResponse, status: number, body: string, type = 'text/plain') => {
	response.writeHead(status, { 'content-type': type });
	response.end(body);
};

const ECHOES: Array<[string, Echo]> = [
	[
		'in a 400 message',
		(token, response) =>
			json(response, 400, { success: false, message: `invalid auth_token: ${token}` }),
	],
	[
		'in a 401 message, JSON-escaped twice',
		(token, response) =>
			json(response, 401, { success: false, message: JSON.stringify({ auth_token: token }) }),
	],
	// describeText quotes at most 80 characters: the token straddles that cut.
	[
		'in plain text where the node cuts its quote',
		(token, response) => text(response, 200, `${'x'.repeat(62)} token=${token} is not valid`),
	],
	[
		'in an HTML title',
		(token, response) =>
			text(
				response,
				502,
				`<html><head><title>Bad token ${token.replace(/</g, '&lt;')}</title></head></html>`,
				'text/html',
			),
	],
	[
		'inside broken JSON',
		(token, response) =>
			text(
				response,
				200,
				`{"success": true, "auth_token": ${JSON.stringify(token)}, "call_id": `,
				'application/json',
			),
	],
	[
		'in an accepted answer',
		(token, response) =>
			json(response, 200, {
				success: true,
				call_id: 'c1',
				echo: { auth_token: token, [token]: token },
			}),
	],
	[
		'in a redirect Location, URL-encoded',
		(token, response) => {
			response.writeHead(307, {
				location: `https://elsewhere.invalid/flow?auth_token=${encodeURIComponent(token)}`,
			});
			response.end();
		},
	],
	[
		'in a 500 message with whitespace collapsed',
		(token, response) =>
			json(response, 500, { success: false, message: `bad ${token.replace(/\s+/g, ' ')}` }),
	],
];

describe.each(TOKENS)('a token with %s', (_name, token) => {
	test.each(ECHOES)('echoed %s: never visible, sent trimmed', async (_echo, echo) => {
		const server = await startServer((request, response) => echo(received(request), response));
		for (const continueOnFail of [true, false]) {
			const result = await runSamespace(
				server,
				{ steps: straightSteps(), options: OPTIONS },
				{ continueOnFail, credentials: { authToken: token } },
			);
			expectNoSecret(result, token);
		}
		expect(server.received.map(received)).toEqual([token.trim(), token.trim()]);
	});
});

test('a token too short to mask is refused before any request', async () => {
	const server = await startServer((_request, response) => json(response, 200, { success: true }));
	for (const authToken of ['abc', 'ab cd ef', '       ', '']) {
		const result = await runSamespace(
			server,
			{ steps: straightSteps(), options: OPTIONS },
			{ continueOnFail: true, credentials: { authToken } },
		);
		expect(result.error?.message).toBe(
			authToken.trim() === ''
				? 'The Auth Token in the Samespace API credential is empty'
				: 'The Auth Token in the Samespace API credential is too short',
		);
		expect(result.error?.description).toContain('No call was placed: nothing was sent.');
		expect(outputJson(result).every((item) => item.success === undefined)).toBe(true);
	}
	expect(server.received).toHaveLength(0);
});

test('the shapes the tests look for include the pieces a cut would leave', () => {
	const shapes = secretShapes('  ab"c\\defghijklmnop\n');
	expect(shapes).toEqual(
		expect.arrayContaining([
			'  ab"c\\defghijklmnop\n',
			'ab"c\\defghijklmnop',
			'ab\\"c\\\\defghijklmnop',
			'ab"c\\defghij',
			'efghijklmnop',
		]),
	);
});
