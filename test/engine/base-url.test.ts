/**
 * The credential's Base URL, checked in one place before anything is sent (the node and the
 * credential test share it). A Base URL that cannot be right is a clear credential error that
 * says nothing was sent; the forms users paste that can be read safely are accepted.
 */
import { acceptCall, useServers } from '../support/hostile-server';
import {
	expectNoSecret,
	outputJson,
	runSamespace,
	SECRET_TOKEN,
	straightSteps,
} from '../support/samespace';

const startServer = useServers();
const OPTIONS = { retries: 2, maxRetryWait: 0.05, timeout: 2 };

describe('refused before any request', () => {
	const CASES: Array<[string, (origin: string) => string, RegExp]> = [
		[
			'file:',
			() => 'file:///etc/samespace',
			/starts with "file:", but a call request can only go to an https:\/\/ \(or http:\/\/\) address$/,
		],
		['ftp:', (origin) => origin.replace('http:', 'ftp:'), /starts with "ftp:"/],
		['javascript:', () => 'javascript:alert(1)', /starts with "javascript:"/],
		[
			'no scheme',
			(origin) => origin.replace('http://', ''),
			/has no https:\/\/ in front \("127\.0\.0\.1:\d+\/api"\): write it as https:\/\/127\.0\.0\.1:\d+\/api$/,
		],
		[
			'a query',
			(origin) => `${origin}?region=eu`,
			/contains a query \("\?…"\): remove it and everything after it/,
		],
		['a fragment', (origin) => `${origin}#v1`, /contains a fragment \("#…"\)/],
		[
			'user info',
			(origin) => origin.replace('http://', 'http://admin:hunter22@'),
			/contains a user name or password before the host/,
		],
		[
			'a token in the query',
			(origin) => `${origin}?auth_token=${SECRET_TOKEN}`,
			/contains a query/,
		],
		[
			'no host',
			() => 'https://',
			/does not start with https:\/\/ and a host name \("https:\/\/"\)$/,
		],
	];

	test.each(CASES)('%s', async (_name, baseUrlFor, problem) => {
		const server = await startServer((_request, response) => acceptCall(response));
		const baseUrl = baseUrlFor(server.baseUrl);
		for (const continueOnFail of [false, true]) {
			const result = await runSamespace(
				server,
				{ steps: straightSteps(), options: OPTIONS },
				{ continueOnFail, credentials: { baseUrl } },
			);
			expect(result.error?.message).toMatch(/^The Base URL in the Samespace API credential /);
			expect(result.error?.message).toMatch(problem);
			expect(result.error?.message).not.toContain('hunter22');
			expect(result.error?.description).toBe(
				"No call was placed: nothing was sent. Use the address of Samespace's API, for example https://api.samespace.com/api/public/v1 (leave the field blank for that one).",
			);
			expect(outputJson(result).some((item) => item.success === true)).toBe(false);
			expectNoSecret(result);
		}
		expect(server.received).toHaveLength(0);
	});
});

describe('accepted, and the request goes to {Base URL}/call/flow', () => {
	const CASES: Array<[string, (baseUrl: string) => string]> = [
		['as it is', (baseUrl) => baseUrl],
		['with trailing slashes and spaces', (baseUrl) => `  ${baseUrl}//  `],
		['with /call/flow already at the end', (baseUrl) => `${baseUrl}/call/flow`],
		['with /call/flow/ at the end', (baseUrl) => `${baseUrl}/call/flow/`],
		['with an upper-case scheme', (baseUrl) => baseUrl.replace('http://', 'HTTP://')],
	];

	test.each(CASES)('%s', async (_name, baseUrlFor) => {
		const server = await startServer((_request, response) => acceptCall(response));
		const result = await runSamespace(
			server,
			{ steps: straightSteps(), options: OPTIONS },
			{ credentials: { baseUrl: baseUrlFor(server.baseUrl) } },
		);

		expect(result.error).toBeUndefined();
		expect(server.received.map((request) => `${request.method} ${request.path}`)).toEqual([
			'POST /api/call/flow',
		]);
		expect(outputJson(result)[0].success).toBe(true);
	});

	test('Validate Only shows the endpoint the call would go to', async () => {
		const server = await startServer((_request, response) => acceptCall(response));
		const result = await runSamespace(
			server,
			{ steps: straightSteps(), options: { validateOnly: true } },
			{ credentials: { baseUrl: `${server.baseUrl}/call/flow/` } },
		);

		expect((outputJson(result)[0].request as { url: string }).url).toBe(
			`${server.baseUrl}/call/flow`,
		);
		expect(server.received).toHaveLength(0);
	});
});
