/**
 * Unit tests of reading the credential (nodes/Samespace/transport/connection.ts): the Base URL
 * normalised into the endpoint or refused with a readable problem, the Auth Token and Cloud ID
 * checked, and the redactor made from the token. Pure functions: no I/O, no timers.
 */
import { SAMESPACE_DEFAULT_BASE_URL } from '../../../nodes/Samespace/transport/credential';
import { readConnection, resolveEndpoint } from '../../../nodes/Samespace/transport/connection';
import { MASK } from '../../../nodes/Samespace/transport/redact';

const DEFAULT_ENDPOINT = 'https://api.samespace.com/api/public/v1/call/flow';
const TOKEN = 'tok_live_7Qx9Zp2Lm4';

function refused(result: ReturnType<typeof resolveEndpoint>): string {
	expect(result.ok).toBe(false);
	if (result.ok) throw new Error(`expected a refusal, got ${result.endpoint}`);
	return result.problem;
}

// -------------------------------------------------------------------------------------------------

describe('resolveEndpoint: accepted Base URLs', () => {
	test('the default Base URL is the one the credential offers', () => {
		expect(`${SAMESPACE_DEFAULT_BASE_URL}/call/flow`).toBe(DEFAULT_ENDPOINT);
	});

	test.each<[string, unknown, string]>([
		['undefined', undefined, DEFAULT_ENDPOINT],
		['null', null, DEFAULT_ENDPOINT],
		['an empty string', '', DEFAULT_ENDPOINT],
		['whitespace only', ' \t\n ', DEFAULT_ENDPOINT],
		// What n8n's expression engine would make of it, as the credential test reads it with String().
		[
			'an array of one address',
			['https://api.example.com/x'],
			'https://api.example.com/x/call/flow',
		],
		['the default itself', 'https://api.samespace.com/api/public/v1', DEFAULT_ENDPOINT],
		['surrounding whitespace', '  https://api.samespace.com/api/public/v1 \n', DEFAULT_ENDPOINT],
		['one trailing slash', 'https://api.samespace.com/api/public/v1/', DEFAULT_ENDPOINT],
		['several trailing slashes', 'https://api.samespace.com/api/public/v1///', DEFAULT_ENDPOINT],
		[
			'a trailing /call/flow',
			'https://api.samespace.com/api/public/v1/call/flow',
			DEFAULT_ENDPOINT,
		],
		[
			'a trailing /call/flow/',
			'https://api.samespace.com/api/public/v1/call/flow/',
			DEFAULT_ENDPOINT,
		],
		[
			'a trailing /CALL/FLOW',
			'https://api.samespace.com/api/public/v1/CALL/FLOW',
			DEFAULT_ENDPOINT,
		],
		// Kept as written (scheme and host are case-insensitive), so the credential test's expression can match it.
		[
			'an upper-case scheme and host',
			'HTTPS://API.SAMESPACE.COM/api/public/v1',
			'HTTPS://API.SAMESPACE.COM/api/public/v1/call/flow',
		],
		[
			'a mixed-case scheme',
			'hTTpS://api.samespace.com/api/public/v1',
			'hTTpS://api.samespace.com/api/public/v1/call/flow',
		],
		[
			'the explicit default https port',
			'https://api.samespace.com:443/api/public/v1',
			'https://api.samespace.com:443/api/public/v1/call/flow',
		],
		[
			'the explicit default http port',
			'http://localhost:80/api',
			'http://localhost:80/api/call/flow',
		],
		[
			'another port, kept',
			'https://api.samespace.com:8443/v1',
			'https://api.samespace.com:8443/v1/call/flow',
		],
		['http', 'http://127.0.0.1:5678/mock', 'http://127.0.0.1:5678/mock/call/flow'],
		['a host only', 'https://api.example.com', 'https://api.example.com/call/flow'],
		['a host with a slash', 'https://api.example.com/', 'https://api.example.com/call/flow'],
		[
			'the endpoint of a host only',
			'https://api.example.com/call/flow',
			'https://api.example.com/call/flow',
		],
		[
			'a path whose case is kept',
			'https://api.example.com/Api/V1',
			'https://api.example.com/Api/V1/call/flow',
		],
	])('%s', (_name, baseUrl, endpoint) => {
		expect(resolveEndpoint(baseUrl)).toEqual({ ok: true, endpoint });
	});
});

describe('resolveEndpoint: refused Base URLs', () => {
	test.each<[string, string, RegExp]>([
		[
			'no scheme',
			'api.samespace.com/x',
			/^has no https:\/\/ in front \("api\.samespace\.com\/x"\)/,
		],
		['no scheme, host only', 'api.samespace.com', /^has no https:\/\/ in front/],
		[
			'file:',
			'file:///etc/passwd',
			/^starts with "file:", but a call request can only go to an https:\/\/ \(or http:\/\/\) address$/,
		],
		['ftp:', 'ftp://api.samespace.com/x', /^starts with "ftp:"/],
		['javascript:', 'javascript:alert(1)', /^starts with "javascript:"/],
		['mailto:', 'mailto:ops@samespace.com', /^starts with "mailto:"/],
		['data:', 'data:text/plain,hello', /^starts with "data:"/],
		['ws:', 'ws://api.samespace.com/x', /^starts with "ws:"/],
		['a query', 'https://api.samespace.com/x?a=1', /^contains a query \("\?…"\): remove it/],
		['a bare ?', 'https://api.samespace.com/x?', /^contains a query/],
		['a fragment', 'https://api.samespace.com/x#x', /^contains a fragment \("#…"\): remove it/],
		['a bare #', 'https://api.samespace.com/x#', /^contains a fragment/],
		[
			'scheme and slashes only',
			'https://',
			/^does not start with https:\/\/ and a host name \("https:\/\/"\)$/,
		],
		[
			'an IPv6 host',
			'http://[::1]/api',
			/^is not a valid web address \("http:\/\/\[::1\]\/api"\): write it as https:\/\/host\/path/,
		],
		['an all-digit host (read as an IPv4 number)', 'https://80/api', /^is not a valid web address/],
		['a port out of range', 'https://api.example.com:65536/api', /^is not a valid web address/],
		['a number', 123 as unknown as string, /^is not text/],
		['an object', { url: 'https://api.example.com' } as unknown as string, /^is not text/],
		['a space in the host', 'https://api samespace.com/x', /^contains spaces, tabs or line breaks/],
	])('%s: %s', (_name, baseUrl, problem) => {
		expect(refused(resolveEndpoint(baseUrl))).toMatch(problem);
	});

	test.each<[string, string]>([
		['user and password', 'https://u:p@host/x'],
		['user only', 'https://u@host'],
		['empty user info', 'https://@host/x'],
		['a long password', 'https://admin:Pa55w0rd-Secret@api.samespace.com/api/public/v1'],
	])('user info (%s) is refused without repeating it', (_name, baseUrl) => {
		const problem = refused(resolveEndpoint(baseUrl));
		expect(problem).toMatch(/^contains a user name or password before the host/);
		expect(problem).not.toContain('u:p');
		expect(problem).not.toContain('Pa55w0rd-Secret');
		expect(problem).not.toContain('admin');
		expect(problem).not.toContain('host/x');
	});

	// The URL parser reads "https://https://api.samespace.com/…" as host "https" with the real host
	// in the path: the token would go to whatever "https" resolves to.
	test('a doubled scheme (https://https://…) is refused, not sent to the host "https"', () => {
		const result = resolveEndpoint('https://https://api.samespace.com/api/public/v1');
		expect(result.ok).toBe(false);
	});

	test('a user info refusal comes before a query or fragment one', () => {
		expect(refused(resolveEndpoint('https://u:p@host/x?a=1#f'))).toMatch(
			/^contains a user name or password/,
		);
	});

	test('a very long Base URL is shortened in the message', () => {
		const problem = refused(resolveEndpoint(`api.samespace.com/${'x'.repeat(500)}`));
		expect(problem.length).toBeLessThan(400);
		expect(problem).toContain('…');
	});
});

// -------------------------------------------------------------------------------------------------

describe('readConnection', () => {
	const valid = { authToken: TOKEN, cloudId: 'acme', baseUrl: '' };

	test('a valid credential gives the endpoint, the trimmed token, the Cloud ID and a working redactor', () => {
		const connection = readConnection(valid);
		expect(connection).toMatchObject({ ok: true, cloudId: 'acme', endpoint: DEFAULT_ENDPOINT });
		if (!connection.ok) throw new Error('expected ok');
		expect(connection.redact(`x ${TOKEN} y`)).toBe('x ******** y');
	});

	test.each<[string, unknown, string]>([
		['undefined', undefined, 'empty'],
		['empty', '', 'empty'],
		['whitespace only', ' \t\n ', 'empty'],
		['a number', 12345678, 'empty'],
		['7 characters', 'abcdefg', 'too short'],
		['7 characters and spaces around', '  abcdefg  ', 'too short'],
		['7 non-space characters with a space inside', 'abc defg', 'too short'],
	])('an Auth Token that is %s is refused', (_name, authToken, what) => {
		const result = readConnection({ ...valid, authToken });
		expect(result).toEqual({
			ok: false,
			message: `The Auth Token in the Samespace API credential is ${what}`,
			description: expect.stringContaining('No call was placed: nothing was sent.'),
		});
		if (result.ok) return;
		expect(result.description).toContain('at least 8 characters');
		if (typeof authToken === 'string' && authToken.trim() !== '')
			expect(result.message).not.toContain(authToken.trim());
	});

	test.each<[string, string, string]>([
		['8 characters', 'abcdefgh', 'abcdefgh'],
		['a trailing newline (trimmed)', `${TOKEN}\n`, TOKEN],
		['spaces and tabs around (trimmed)', ` \t${TOKEN}\t `, TOKEN],
		['a space inside (kept)', 'abcd efgh', 'abcd efgh'],
	])(
		'an Auth Token of %s is accepted, and the token as the credential sends it is masked',
		(_name, authToken, sent) => {
			const result = readConnection({ ...valid, authToken });
			if (!result.ok) throw new Error(`refused: ${result.message}`);
			expect(result.redact(`Samespace echoed "${sent}"`)).toBe(`Samespace echoed "${MASK}"`);
			expect(result).not.toHaveProperty('authToken');
		},
	);

	test.each<[string, unknown]>([
		['undefined', undefined],
		['empty', ''],
		['whitespace only', '  \t '],
		['an object', { id: 'acme' }],
	])('a Cloud ID that is %s is refused', (_name, cloudId) => {
		expect(readConnection({ ...valid, cloudId })).toEqual({
			ok: false,
			message: 'The Cloud ID in the Samespace API credential is empty',
			description: expect.stringContaining('No call was placed: nothing was sent.'),
		});
	});

	test('the token is checked before the Cloud ID', () => {
		expect(readConnection({ authToken: '', cloudId: '' })).toMatchObject({
			message: expect.stringContaining('Auth Token'),
		});
	});

	test('a numeric Cloud ID is accepted as text; a text one is trimmed', () => {
		expect(readConnection({ ...valid, cloudId: 4021 })).toMatchObject({
			ok: true,
			cloudId: '4021',
		});
		expect(readConnection({ ...valid, cloudId: ' acme \n' })).toMatchObject({
			ok: true,
			cloudId: 'acme',
		});
	});

	test('the Base URL is resolved into the endpoint', () => {
		expect(
			readConnection({ ...valid, baseUrl: 'https://eu.samespace.com/api/public/v1/call/flow/' }),
		).toMatchObject({
			ok: true,
			endpoint: 'https://eu.samespace.com/api/public/v1/call/flow',
		});
	});

	test.each([
		'api.samespace.com/v1',
		'ftp://api.samespace.com',
		'https://u:p@api.samespace.com',
		'https://api.samespace.com/v1?x=1',
		'https://api.samespace.com/v1#top',
		'https://',
	])('a bad Base URL (%s) is refused, naming the field and saying nothing was sent', (baseUrl) => {
		const result = readConnection({ ...valid, baseUrl });
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.message.startsWith('The Base URL in the Samespace API credential ')).toBe(true);
		expect(result.message).toBe(
			`The Base URL in the Samespace API credential ${refused(resolveEndpoint(baseUrl))}`,
		);
		expect(result.description).toContain('No call was placed');
		expect(result.description).toContain(SAMESPACE_DEFAULT_BASE_URL);
	});

	test.each([
		['as a query value', `https://api.samespace.com/v1?token=${TOKEN}`],
		['as a query value, no scheme', `api.samespace.com/v1?token=${TOKEN}`],
		['as the path, no scheme', `api.samespace.com/${TOKEN}`],
		['in an invalid address', `https://[${TOKEN}`],
		['as the password', `https://user:${TOKEN}@api.samespace.com`],
		['as the user name', `https://${TOKEN}@api.samespace.com`],
		['as a fragment', `https://api.samespace.com/#${TOKEN}`],
		['as the scheme', `${TOKEN}://api.samespace.com`],
		['URL-encoded, no scheme', `api.samespace.com/${encodeURIComponent(`${TOKEN} x`)}`],
	])('a Base URL with the token in it (%s) never shows the token', (_name, baseUrl) => {
		const result = readConnection({ ...valid, baseUrl });
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.message).not.toContain(TOKEN);
		expect(result.description).not.toContain(TOKEN);
	});

	// redact.ts promises that no part of the token survives a truncation; a Base URL is cut at
	// 120 characters when it is quoted, and this one is cut in the middle of the token.
	test('a Base URL cut in the middle of the token when it is quoted shows no part of the token', () => {
		const baseUrl = `api.samespace.com/${'x'.repeat(120 - 'api.samespace.com/'.length - 10)}${TOKEN}`;
		expect(baseUrl.indexOf(TOKEN)).toBe(110);
		const result = readConnection({ ...valid, baseUrl });
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.message).not.toContain(TOKEN.slice(0, 10));
	});
});
