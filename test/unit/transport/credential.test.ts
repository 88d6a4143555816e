/**
 * Where the Voice API requests go (nodes/Samespace/transport/credential.ts, voiceApiOrigin): the
 * cluster's host, or the credential's Voice API URL under the Base URL's rules. Pure.
 */
import { voiceApiOrigin } from '../../../nodes/Samespace/transport/credential';

test.each([
	['in', undefined, 'https://in.samespace.com'],
	['  EU-2 ', '', 'https://eu-2.samespace.com'],
	['in', 'http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
	[undefined, 'https://voice.example.com/api//', 'https://voice.example.com/api'],
])('cluster %p, Voice API URL %p: %s', (cluster, override, origin) => {
	expect(voiceApiOrigin(cluster, override)).toEqual({ ok: true, origin });
});

test.each([
	[undefined, undefined, 'Cluster', /^is empty/],
	['', '  ', 'Cluster', /^is empty/],
	['in.samespace.com', '', 'Cluster', /is not a cluster name/],
	['-in', '', 'Cluster', /is not a cluster name/],
	['in', 'ftp://example.com', 'Voice API URL', /is not a valid web address/],
	['in', 'https://user:pw@example.com', 'Voice API URL', /is not a valid web address/],
	['in', 'https://example.com/?q=1', 'Voice API URL', /is not a valid web address/],
	['in', 'https://example.com/#x', 'Voice API URL', /is not a valid web address/],
	['in', 'example.com', 'Voice API URL', /is not a valid web address/],
])('cluster %p, Voice API URL %p: refused (%s)', (cluster, override, field, problem) => {
	const result = voiceApiOrigin(cluster, override);
	expect(result.ok).toBe(false);
	if (!result.ok) {
		expect(result.field).toBe(field);
		expect(result.problem).toMatch(problem);
	}
});
