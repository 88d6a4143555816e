/**
 * Redirects on the call request, answered by small servers written here (an API, a load balancer
 * or a misconfigured gateway could answer any of these). The node must never follow one: the
 * flow and the token go nowhere else, a POST never turns into a GET, and nothing is retried. The
 * user is told where the address pointed and whether the call may have been placed.
 */
import type { ServerResponse } from 'node:http';

import {
	acceptCall,
	json,
	refusedOrigin,
	useServers,
	type TestServer,
} from '../support/hostile-server';
import {
	expectNoSecret,
	outputJson,
	runSamespace,
	SECRET_TOKEN,
	straightSteps,
} from '../support/samespace';

const startServer = useServers();
const OPTIONS = { retries: 3, maxRetryWait: 0.05, timeout: 2, concurrency: 1 };
const ITEMS = [{ phone: '14155550101' }];

const redirect = (response: ServerResponse, status: number, location: string) => {
	response.writeHead(status, { location, 'content-type': 'text/plain' });
	response.end(`Redirecting to ${location}`);
};

type Target = 'accepts' | 'busy429' | 'busy503' | 'refused' | 'loop';

/** A server behind the redirect, answering as `target` says; `loop` redirects to itself. */
async function targetUrl(target: Target): Promise<{ url: string; server?: TestServer }> {
	if (target === 'refused') return { url: `${await refusedOrigin()}/call/flow` };
	if (target === 'loop') return { url: '' }; // filled in by the API server itself
	const server = await startServer((_request, response) => {
		if (target === 'accepts') acceptCall(response);
		else if (target === 'busy429')
			json(response, 429, { success: false, message: 'slow down' }, { 'retry-after': '0' });
		else json(response, 503, { success: false, message: 'down' }, { 'retry-after': '0' });
	});
	return { url: `${server.origin}/elsewhere/call/flow`, server };
}

const CASES: Array<{ status: number; target: Target; mayHavePlaced: boolean }> = [
	// 303: the API took the request and points to a result; the target answered busy or nothing.
	{ status: 303, target: 'busy429', mayHavePlaced: true },
	{ status: 303, target: 'busy503', mayHavePlaced: true },
	{ status: 303, target: 'refused', mayHavePlaced: true },
	{ status: 303, target: 'accepts', mayHavePlaced: true },
	// 307/308 to another host that would accept anything; and a loop.
	{ status: 307, target: 'accepts', mayHavePlaced: false },
	{ status: 308, target: 'accepts', mayHavePlaced: false },
	{ status: 307, target: 'loop', mayHavePlaced: false },
	{ status: 308, target: 'loop', mayHavePlaced: false },
	// 301/302: a client that follows would turn the POST into a GET, answered 200.
	{ status: 301, target: 'accepts', mayHavePlaced: false },
	{ status: 302, target: 'accepts', mayHavePlaced: true },
	{ status: 302, target: 'busy429', mayHavePlaced: true },
];

describe.each(CASES)(
	'HTTP $status to a target that $target',
	({ status, target, mayHavePlaced }) => {
		async function setUp() {
			const behind = await targetUrl(target);
			const api: TestServer = await startServer((_request, response) =>
				redirect(response, status, behind.url || `${api.baseUrl}/call/flow`),
			);
			return { api, behind: behind.server };
		}

		test('continue on fail: one request, nothing sent to the target, the item says what happened', async () => {
			const { api, behind } = await setUp();
			const result = await runSamespace(
				api,
				{ steps: straightSteps(), options: OPTIONS },
				{ items: ITEMS, continueOnFail: true },
			);

			expect(api.flowRequests()).toBe(1);
			expect(behind?.received ?? []).toHaveLength(0);
			const [item] = outputJson(result);
			expect(item).toEqual(
				expect.objectContaining({
					outcome: 'redirected',
					statusCode: status,
					callMayHaveBeenPlaced: mayHavePlaced,
					attempts: 1,
					error: expect.stringMatching(
						new RegExp(
							`^Item 1: Samespace's address answered with a redirect \\(HTTP ${status}\\) to http://127\\.0\\.0\\.1:\\d+/.*; the node does not follow redirects, so nothing was sent there$`,
						),
					),
				}),
			);
			expect(item.redirectedTo).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
			expect(item.description).toMatch(
				mayHavePlaced
					? /^The call may have been placed: check in Samespace/
					: /^No call was placed\. HTTP \d+ means the request was not processed at this address/,
			);
			expectNoSecret(result);
		});

		test('without continue on fail: the run stops with the redirect and the item in the right list', async () => {
			const { api, behind } = await setUp();
			const result = await runSamespace(
				api,
				{ steps: straightSteps(), options: OPTIONS },
				{ items: [...ITEMS, { phone: '14155550102' }] },
			);

			expect(api.flowRequests()).toBe(1);
			expect(behind?.received ?? []).toHaveLength(0);
			expect(result.error?.message).toMatch(
				new RegExp(`^Item 1: Samespace's address answered with a redirect \\(HTTP ${status}\\)`),
			);
			expect(result.error?.description).toContain(
				mayHavePlaced
					? 'May have been placed, check in Samespace before sending again: 1 call (item 1).'
					: 'Not placed, safe to send again: 2 items (items 1-2).',
			);
			expectNoSecret(result);
		});
	},
);

test('a redirect without a Location says so', async () => {
	const api = await startServer((_request, response) => {
		response.writeHead(307);
		response.end();
	});
	const result = await runSamespace(
		api,
		{ steps: straightSteps(), options: OPTIONS },
		{ items: ITEMS, continueOnFail: true },
	);

	expect(api.flowRequests()).toBe(1);
	expect(outputJson(result)[0].error).toBe(
		"Item 1: Samespace's address answered with a redirect (HTTP 307) without saying where; the node does not follow redirects, so nothing was sent there",
	);
});

test('a Location that carries the token is shown masked', async () => {
	const api = await startServer((_request, response) =>
		redirect(response, 308, `https://elsewhere.invalid/call/flow?auth_token=${SECRET_TOKEN}`),
	);
	const result = await runSamespace(
		api,
		{ steps: straightSteps(), options: OPTIONS },
		{ items: ITEMS, continueOnFail: true },
	);

	expect(outputJson(result)[0].redirectedTo).toBe(
		'https://elsewhere.invalid/call/flow?auth_token=********',
	);
	expectNoSecret(result);
});
