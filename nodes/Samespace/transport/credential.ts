/**
 * What the node and the credential both need to know of the Samespace API credential: its type
 * name and the rules a Base URL must follow, defined once here. The node uses them for every
 * request (transport/connection.ts, which also explains a refusal); the credential's test request
 * uses the same rules as an n8n expression, since n8n allows a community credential only a
 * declarative test.
 */

export const CREDENTIAL_TYPE = 'samespaceApi';

export const SAMESPACE_DEFAULT_BASE_URL = 'https://api.samespace.com/api/public/v1';

// A Base URL is http(s), a host (a name or an IPv4 address) and an optional port, then path
// segments: no user info, query, fragment, whitespace, backslash or empty segment.
const SCHEME = String.raw`https?:\/\/`;
/** A host name whose last label has a letter: an all-digit name would be read as an IPv4 number. */
const HOST_NAME = String.raw`(?:[a-z0-9-]+\.)*[a-z0-9-]*[a-z][a-z0-9-]*\.?`;
const IPV4_OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
const IPV4 = String.raw`(?:${IPV4_OCTET}\.){3}${IPV4_OCTET}`;
/** 1-65535. */
const PORT_NUMBER = String.raw`(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3})`;
/** Printable ASCII but "#", "/", "?" and "\\". */
const PATH_SEGMENT = String.raw`\/[!-"$-.0->@-[\]-~]+`;
const BASE_URL_SHAPE = new RegExp(
	String.raw`^${SCHEME}(?:${HOST_NAME}|${IPV4})(?::${PORT_NUMBER})?(?:${PATH_SEGMENT})*\/*$`,
	'i',
);
// Trailing slashes and a trailing /call/flow (the whole endpoint pasted) are dropped; requests go
// to {Base URL}/call/flow.
const TRAILING_SLASHES = /\/+$/;
const TRAILING_ENDPOINT = /(?:\/call\/flow)+$/i;
const ENDPOINT_PATH = '/call/flow';

/** `{Base URL}/call/flow`, or undefined when the Base URL breaks the rules above. Blank: the default. */
export function callFlowEndpoint(baseUrl: unknown): string | undefined {
	const raw = String(baseUrl || '').trim() || SAMESPACE_DEFAULT_BASE_URL;
	if (!BASE_URL_SHAPE.test(raw)) return undefined;
	return `${raw.replace(TRAILING_SLASHES, '').replace(TRAILING_ENDPOINT, '')}${ENDPOINT_PATH}`;
}

/**
 * Where the test request goes when the Base URL breaks the rules: an address no HTTP client can
 * send to, so the token goes nowhere and the test fails with n8n's "invalid URL" error.
 */
const NOWHERE = 'http://the Samespace Base URL is not valid';
const BASE_URL_EXPRESSION = `(String($credentials.baseUrl || "").trim() || "${SAMESPACE_DEFAULT_BASE_URL}")`;
/** callFlowEndpoint as an n8n expression (the tests check that the two agree). */
export const CALL_FLOW_ENDPOINT_EXPRESSION = `={{ ${BASE_URL_SHAPE}.test(${BASE_URL_EXPRESSION}) ? ${BASE_URL_EXPRESSION}.replace(${TRAILING_SLASHES}, "").replace(${TRAILING_ENDPOINT}, "") + "${ENDPOINT_PATH}" : "${NOWHERE}" }}`;

/**
 * Samespace's other Voice APIs (Click to Call, Callback, Campaign Push) live on the host of the
 * cloud's cluster (its region), `https://<cluster>.samespace.com`, not on the call-flow API's host.
 */
const VOICE_API_HOST_SUFFIX = '.samespace.com';
/** A cluster is one DNS label: letters, digits and inner hyphens. */
const CLUSTER_SHAPE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export type VoiceApiOrigin =
	| { ok: true; origin: string }
	| { ok: false; field: 'Cluster' | 'Voice API URL'; problem: string };

/**
 * Where the Voice API requests go: the Voice API URL when one is given (a test or private
 * endpoint, under the same rules as the Base URL), else `https://<cluster>.samespace.com`.
 */
export function voiceApiOrigin(cluster: unknown, override: unknown): VoiceApiOrigin {
	const given = typeof override === 'string' ? override.trim() : '';
	if (given !== '') {
		if (!BASE_URL_SHAPE.test(given))
			return {
				ok: false,
				field: 'Voice API URL',
				problem:
					'is not a valid web address: write it as https://host (or http://host:port), without a query, fragment or user name, or leave it blank to use the Cluster',
			};
		return { ok: true, origin: given.replace(TRAILING_SLASHES, '') };
	}
	const name = typeof cluster === 'string' ? cluster.trim().toLowerCase() : '';
	if (name === '')
		return {
			ok: false,
			field: 'Cluster',
			problem:
				'is empty: enter the cluster (region) of your Samespace cloud, the first part of the address you sign in at (for example "in" in https://in.samespace.com)',
		};
	if (!CLUSTER_SHAPE.test(name))
		return {
			ok: false,
			field: 'Cluster',
			problem: `"${name.slice(0, 40)}" is not a cluster name: give only the first part of the address (letters, digits and hyphens), for example "in" for https://in.samespace.com`,
		};
	return { ok: true, origin: `https://${name}${VOICE_API_HOST_SUFFIX}` };
}
