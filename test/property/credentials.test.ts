/**
 * Property-based tests of reading the Samespace API credential (nodes/Samespace/transport/
 * connection.ts and redact.ts): thousands of generated Base URLs (web addresses with other
 * schemes, user info, queries, fragments, whitespace, slashes, a pasted /call/flow and junk) are
 * either turned into a clean http(s) endpoint or refused with a readable problem, never with an
 * exception; and thousands of generated auth tokens (whitespace, quotes, backslashes, slashes,
 * HTML characters, non-ASCII) are masked in every shape the node could show them.
 *
 * Every property tries all its cases and then fails with one line per kind of failure (with the
 * shortest example found), rather than stopping at the first. Seeds are fixed: a run is repeatable.
 */
import fc from 'fast-check';

import { Workflow, type INode, type INodeTypes } from 'n8n-workflow';

import {
	CALL_FLOW_ENDPOINT_EXPRESSION,
	callFlowEndpoint,
	SAMESPACE_DEFAULT_BASE_URL,
} from '../../nodes/Samespace/transport/credential';
import { readConnection, resolveEndpoint } from '../../nodes/Samespace/transport/connection';
import { isMaskableToken, makeRedactor, MASK } from '../../nodes/Samespace/transport/redact';
import type { Gen } from './arbitraries/shared';
import { Findings, attempt, forAll, pick, preview } from './checks';

const SEED = 20_250_714;
const RUNS = Number(process.env.PROPERTY_RUNS ?? 3000);

const ENDPOINT_PATH = '/call/flow';
const DEFAULT_ENDPOINT = `${SAMESPACE_DEFAULT_BASE_URL}${ENDPOINT_PATH}`;
/** Text a problem must never contain (unless the input itself did): a value printed without being understood, or a crash. */
const BANNED = ['undefined', '[object Object]', 'TypeError'];
/** The password the user-info mutation inserts: no message may repeat it. */
const URL_PASSWORD = 'pw-S3CRET-x';

/** Runs `run`; an exception becomes a finding instead of ending the property. */

// -------------------------------------------------------------------------------------------------
// Base URLs
// -------------------------------------------------------------------------------------------------

const SCHEMES = [
	'https:',
	'http:',
	'HTTP:',
	'hTTps:',
	'HTTPS:',
	'file:',
	'ftp:',
	'javascript:',
	'mailto:',
	'data:',
	'ws:',
	'wss:',
	'blob:',
	'about:',
	'',
];
const JUNK_CHARS = [
	':',
	'/',
	'//',
	'?',
	'#',
	'@',
	'[',
	']',
	'\\',
	'%',
	'%2F',
	'%00',
	' ',
	'\t',
	'\n',
	'.',
	'..',
	'-',
	'_',
	'~',
	'h',
	'x',
	'0',
	'8',
];
/** One of `values`, chosen by the generator. */
const notText = fc.oneof(
	fc.integer(),
	fc.double(),
	fc.boolean(),
	fc.constant(null),
	fc.constant(undefined),
	fc.object(),
	fc.array(fc.webUrl()),
);
const junkUnit = fc.oneof(
	fc.constantFrom(...JUNK_CHARS),
	fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const junk = (g: Gen, maxLength = 12) => g(fc.string, { unit: junkUnit, minLength: 1, maxLength });
const whitespace = (g: Gen) =>
	g(fc.string, { unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0'), maxLength: 3 });

interface BaseUrlCase {
	input: unknown;
	labels: string[];
}

function baseUrlCase(g: Gen): BaseUrlCase {
	const start = pick(g, [
		'web url',
		'web url',
		'web url with query or fragment',
		'junk',
		'https:// and junk',
		'not a string',
	]);
	if (start === 'not a string') {
		const input = g(() => notText);
		return { input, labels: ['not a string'] };
	}
	let text =
		start === 'junk'
			? junk(g, 40)
			: start === 'https:// and junk'
				? `https://${junk(g, 40)}`
				: g(fc.webUrl, {
						validSchemes: ['http', 'https'],
						withQueryParameters: start !== 'web url',
						withFragments: start !== 'web url',
					});
	const labels = [start];
	const mutations = g(fc.integer, { min: 0, max: 4 });
	for (let i = 0; i < mutations; i++) {
		const mutation = pick(g, [
			'scheme',
			'user info',
			'query',
			'fragment',
			'whitespace',
			'slashes',
			'call/flow',
			'junk',
			'port',
		]);
		const before = text;
		switch (mutation) {
			case 'scheme': {
				const scheme = pick(g, SCHEMES);
				text = /^[a-z][a-z0-9+.-]*:/i.test(text)
					? text.replace(/^[a-z][a-z0-9+.-]*:/i, scheme)
					: `${scheme}${text}`;
				break;
			}
			case 'user info':
				text = text.replace(
					/^([a-z][a-z0-9+.-]*:\/\/)/i,
					`$1${pick(g, [`user:${URL_PASSWORD}@`, 'user@', `:${URL_PASSWORD}@`, '@'])}`,
				);
				break;
			case 'query':
				text += pick(g, ['?', '?a=1', '?token=x&b=', '/?']);
				break;
			case 'fragment':
				text += pick(g, ['#', '#x', '#/call/flow']);
				break;
			case 'whitespace':
				text = `${whitespace(g)}${text}${whitespace(g)}`;
				break;
			case 'slashes':
				text += '/'.repeat(g(fc.integer, { min: 1, max: 4 }));
				break;
			case 'call/flow':
				text += pick(g, ['/call/flow', '/call/flow/', '/CALL/FLOW', '/Call/Flow//']);
				break;
			case 'junk': {
				const at = g(fc.integer, { min: 0, max: text.length });
				text = `${text.slice(0, at)}${junk(g)}${text.slice(at)}`;
				break;
			}
			case 'port':
				text = text.replace(
					/^([a-z]+:\/\/[^/?#]*)/i,
					`$1${pick(g, [':443', ':80', ':8080', ':0', ':65536', ':'])}`,
				);
				break;
		}
		if (text !== before) labels.push(mutation);
	}
	return { input: text, labels };
}

/** The rules an accepted endpoint breaks. */
function endpointViolations(endpoint: string): string[] {
	const violations: string[] = [];
	let url: URL;
	try {
		url = new URL(endpoint);
	} catch {
		return ['the endpoint does not parse with new URL'];
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:')
		violations.push(`the endpoint's protocol is ${url.protocol}`);
	if (url.username !== '' || url.password !== '')
		violations.push('the endpoint has a user name or password');
	if (url.search !== '' || endpoint.includes('?')) violations.push('the endpoint has a query');
	if (url.hash !== '' || endpoint.includes('#')) violations.push('the endpoint has a fragment');
	if (url.hostname === '') violations.push('the endpoint has no host');
	// Scheme and host may be written in capitals, and a default port may be given: the address that
	// new URL reads must still be exactly the one the endpoint names.
	const origin = /^[a-z]+:\/\/([^/]*)/i.exec(endpoint);
	const host = (origin?.[1] ?? '')
		.toLowerCase()
		.replace(url.protocol === 'https:' ? /:443$/ : /:80$/, '');
	if (url.host !== host) violations.push('new URL reads another host than the endpoint names');
	if (endpoint.slice(origin?.[0].length ?? 0) !== url.pathname)
		violations.push('new URL reads another path than the endpoint names');
	if (!endpoint.endsWith(ENDPOINT_PATH))
		violations.push('the endpoint does not end with /call/flow');
	if (endpoint.toLowerCase().endsWith(`${ENDPOINT_PATH}${ENDPOINT_PATH}`))
		violations.push('the endpoint ends with /call/flow/call/flow');
	return violations;
}

/**
 * The credential's test request computes its URL with an n8n expression built from the same rules
 * as `callFlowEndpoint`; evaluated by n8n's own expression engine, it must give the same address
 * for every Base URL, and an unsendable one where the node refuses.
 */
function credentialTestUrl(baseUrl: unknown): unknown {
	const nodeTypes = {
		getByName: () => undefined,
		getByNameAndVersion: () => undefined,
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
	const node: INode = {
		id: 'n',
		name: 'Test',
		type: 'test',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const workflow = new Workflow({
		id: 'w',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
	});
	return workflow.expression.getSimpleParameterValue(
		node,
		CALL_FLOW_ENDPOINT_EXPRESSION,
		'internal',
		{ $credentials: { baseUrl } },
		undefined,
		'',
	);
}

describe('Base URLs', () => {
	test('the credential test request goes where the node would send, and nowhere when the node refuses', () => {
		const findings = new Findings('credential test URL');
		forAll(findings, SEED + 1, Math.min(RUNS, 1500), (g) => {
			const { input } = baseUrlCase(g);
			const expected = callFlowEndpoint(input);
			const actual = credentialTestUrl(input);
			const resolved = resolveEndpoint(input);
			if (resolved.ok !== (expected !== undefined))
				findings.add(
					'the node and callFlowEndpoint disagree',
					() => input,
					() => preview(resolved),
				);
			if (expected !== undefined && actual !== expected)
				findings.add(
					'the test request goes elsewhere than the node',
					() => input,
					() => `${String(actual)} vs ${expected}`,
				);
			if (expected === undefined) {
				let sendable = true;
				try {
					new URL(String(actual));
				} catch {
					sendable = false;
				}
				if (sendable)
					findings.add(
						'the test request has a sendable URL where the node refuses',
						() => input,
						() => String(actual),
					);
			}
		});
		expect(findings.failures()).toEqual([]);
	});

	test('a generated Base URL (web addresses with other schemes, user info, queries, fragments, whitespace, slashes, a pasted /call/flow, junk, non-strings) resolves to a clean http(s) endpoint or is refused with a readable problem', () => {
		const findings = new Findings('Base URLs');
		const counts = { accepted: 0, refused: 0 };
		const mutations = new Map<string, number>();
		forAll(findings, SEED, RUNS, (g) => {
			const { input, labels } = baseUrlCase(g);
			for (const label of labels) mutations.set(label, (mutations.get(label) ?? 0) + 1);
			const suffix = labels.length <= 2 ? ` (${labels.join(', ')})` : ' (several mutations)';
			const show = () => input;
			const result = attempt(findings, `resolveEndpoint${suffix}`, show, () =>
				resolveEndpoint(input),
			);
			if (!result) return;
			const text = typeof input === 'string' ? input : undefined;

			if (result.ok) {
				counts.accepted++;
				for (const violation of endpointViolations(result.endpoint))
					findings.add(violation, show, () => result.endpoint);
				// Not text: read as String(value || ''), as n8n's expression engine reads it for the credential test.
				if (text === undefined && Boolean(input) && !Array.isArray(input))
					findings.add('a non-text Base URL is accepted', show, () => result.endpoint);
				if (text === undefined) return;
				if (text.trim() === '') {
					if (result.endpoint !== DEFAULT_ENDPOINT)
						findings.add('a blank Base URL is not the default', show, () => result.endpoint);
					return;
				}
				if (labels.includes('user info') && !labels.includes('junk'))
					findings.add('a Base URL with user info is accepted', show, () => result.endpoint);
				if (/[?#]/.test(text))
					findings.add(
						'a Base URL with a query or fragment is accepted',
						show,
						() => result.endpoint,
					);
				// Idempotent: the base the endpoint came from, and the endpoint itself, give it back.
				const base = result.endpoint.slice(0, -ENDPOINT_PATH.length);
				for (const [what, again] of [
					['the endpoint minus /call/flow', base],
					['the endpoint itself', result.endpoint],
				]) {
					const second = attempt(
						findings,
						`resolveEndpoint of ${what}`,
						() => again,
						() => resolveEndpoint(again),
					);
					if (second && (!second.ok || second.endpoint !== result.endpoint))
						findings.add(
							`resolving ${what} again does not give the same endpoint`,
							show,
							() => `${result.endpoint} → ${preview(second)}`,
						);
				}
				return;
			}

			counts.refused++;
			const { problem } = result;
			if (typeof problem !== 'string' || problem.trim() === '') {
				findings.add('the problem is empty or not text', show, () => preview(problem));
				return;
			}
			for (const banned of BANNED)
				if (problem.includes(banned) && !(text ?? '').includes(banned))
					findings.add(`the problem contains "${banned}"`, show, () => problem);
			if (problem.length > 500)
				findings.add('the problem is longer than 500 characters', show, () =>
					problem.slice(0, 300),
				);
			if (
				labels.includes('user info') &&
				!labels.includes('junk') &&
				problem.includes(URL_PASSWORD)
			)
				findings.add(`the problem repeats the Base URL's password${suffix}`, show, () => problem);
			// What readConnection makes of it: the message names the field, and nothing was sent.
			const connection = attempt(findings, 'readConnection', show, () =>
				readConnection({ authToken: 'tok_live_0123456789', cloudId: 'acme', baseUrl: input }),
			);
			if (connection && connection.ok)
				findings.add('readConnection accepts a Base URL that resolveEndpoint refuses', show);
			else if (
				connection &&
				(connection.message !== `The Base URL in the Samespace API credential ${problem}` ||
					!connection.description.includes('No call was placed'))
			)
				findings.add(
					'readConnection does not report the Base URL problem',
					show,
					() => `${connection.message} | ${connection.description}`,
				);
		});
		findings.print(
			`${counts.accepted} accepted, ${counts.refused} refused; labels: ${[...mutations].map(([name, n]) => `${name} ${n}`).join(', ')}`,
		);
		// The generator must reach both sides, or the property proves little.
		expect(counts.accepted).toBeGreaterThan(RUNS / 10);
		expect(counts.refused).toBeGreaterThan(RUNS / 10);
		expect(findings.failures()).toEqual([]);
	});
});

// -------------------------------------------------------------------------------------------------
// Auth tokens
// -------------------------------------------------------------------------------------------------

// Written out here rather than imported from redact.ts, so that the test does not share a mistake
// with the code it tests.
const jsonEscaped = (text: string) => JSON.stringify(text).slice(1, -1);
const htmlEscaped = (text: string) =>
	text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
const collapsed = (text: string) => text.replace(/\s+/g, ' ');

/** Every shape in which the node could show the token, by name. */
function shapesOf(token: string): Array<[string, string]> {
	const shapes: Array<[string, string]> = [
		['raw', token],
		['trimmed', token.trim()],
		['collapsed', collapsed(token)],
		['collapsed and trimmed', collapsed(token).trim()],
	];
	for (const [name, plain] of [...shapes]) {
		shapes.push([`${name}, JSON-escaped`, jsonEscaped(plain)]);
		shapes.push([`${name}, HTML-escaped`, htmlEscaped(plain)]);
		shapes.push([`${name}, URL-encoded`, encodeURIComponent(plain)]);
	}
	return shapes;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.';
const tokenUnit = fc.oneof(
	{ weight: 6, arbitrary: fc.constantFrom(...LETTERS) },
	{ weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0') },
	{ weight: 1, arbitrary: fc.constantFrom('"', "'", '`', '\\', '/', '<', '>', '&', '+', '%', '=') },
	{
		weight: 1,
		arbitrary: fc.constantFrom('é', 'ü', 'ß', '日', '本', '€', '😀', '\u2028', '\u007f'),
	},
);
/** Lengths spread evenly, so that about two thirds of the tokens are long enough to mask. */
const tokenString = (g: Gen, maxLength = 24) => {
	const length = g(fc.integer, { min: 0, max: maxLength });
	return g(fc.string, { unit: tokenUnit, minLength: length, maxLength: length });
};
/** Non-whitespace UTF-16 code units, counted without redact.ts. */
const nonWhitespace = (text: string) => text.split('').filter((char) => !/\s/.test(char)).length;

/** Every string (values and keys) in a value. */
function stringsIn(value: unknown, into: string[] = []): string[] {
	if (typeof value === 'string') into.push(value);
	else if (typeof value === 'object' && value !== null)
		for (const [key, inner] of Object.entries(value)) {
			into.push(key);
			stringsIn(inner, into);
		}
	return into;
}

describe('auth tokens', () => {
	test('isMaskableToken is true exactly for text with at least 8 non-whitespace characters, and readConnection accepts exactly those tokens, trimmed', () => {
		const findings = new Findings('token lengths');
		let maskable = 0;
		forAll(findings, SEED + 1, RUNS, (g) => {
			const token: unknown =
				g(fc.integer, { min: 0, max: 9 }) === 0 ? g(() => notText) : tokenString(g);
			const expected = typeof token === 'string' && nonWhitespace(token) >= 8;
			const actual = attempt(
				findings,
				'isMaskableToken',
				() => token,
				() => isMaskableToken(token),
			);
			if (actual === undefined) return;
			if (actual !== expected)
				findings.add(
					`isMaskableToken is ${actual} for ${expected ? '8 or more' : 'fewer than 8'} non-whitespace characters`,
					() => token,
				);
			if (expected) maskable++;
			const connection = attempt(
				findings,
				'readConnection',
				() => token,
				() => readConnection({ authToken: token, cloudId: 'acme', baseUrl: '' }),
			);
			if (!connection) return;
			if (connection.ok !== expected)
				findings.add(
					`readConnection ${connection.ok ? 'accepts' : 'refuses'} a token isMaskableToken calls ${expected}`,
					() => token,
				);
			// The credential's `authenticate` sends the token trimmed: that shape is masked.
			if (connection.ok && connection.redact(`[${(token as string).trim()}]`) !== `[${MASK}]`)
				findings.add(
					'the token as sent (trimmed) is not masked',
					() => token,
					() => preview(connection.redact((token as string).trim())),
				);
			if (!connection.ok) {
				const blank = typeof token !== 'string' || token.trim() === '';
				const expectedMessage = `The Auth Token in the Samespace API credential is ${blank ? 'empty' : 'too short'}`;
				if (connection.message !== expectedMessage)
					findings.add(
						`a ${blank ? 'blank' : 'short'} token is not called ${blank ? 'empty' : 'too short'}`,
						() => token,
						() => connection.message,
					);
				if (!connection.description.startsWith('No call was placed: nothing was sent.'))
					findings.add(
						'the refusal does not say nothing was sent',
						() => token,
						() => connection.description,
					);
			}
		});
		findings.print(`${maskable} maskable`);
		expect(maskable).toBeGreaterThan(RUNS / 5);
		expect(findings.failures()).toEqual([]);
	});

	test('every shape of a generated token (raw, trimmed, collapsed; JSON-escaped, HTML-escaped, URL-encoded), in text and inside objects, is masked', () => {
		const findings = new Findings('token shapes');
		let tried = 0;
		forAll(findings, SEED + 2, RUNS, (g) => {
			const token = tokenString(g);
			if (!isMaskableToken(token)) return;
			tried++;
			const redact = attempt(
				findings,
				'makeRedactor',
				() => token,
				() => makeRedactor(token),
			);
			if (!redact) return;
			const before = tokenString(g, 8);
			const after = tokenString(g, 8);
			for (const [name, shape] of shapesOf(token)) {
				const text = `${before}${shape}${after}`;
				const input = () => ({ token, shape: name, text });
				const masked = attempt(findings, `redacting text (${name})`, input, () => redact(text));
				if (masked !== undefined) {
					if (masked.includes(shape))
						findings.add(`the ${name} token survives in text`, input, () => masked);
					if (!masked.includes(MASK))
						findings.add(`nothing is masked in text with the ${name} token`, input, () => masked);
				}
				const object = {
					message: text,
					[shape]: 'as a key',
					list: [shape, { deep: [`x${shape}y`] }],
					n: 1,
					none: null,
				};
				const maskedObject = attempt(findings, `redacting an object (${name})`, input, () =>
					redact(object),
				);
				if (maskedObject === undefined) continue;
				const json = JSON.stringify(maskedObject);
				if (json.includes(jsonEscaped(shape)))
					findings.add(`the ${name} token survives in an object's JSON`, input, () => json);
				if (stringsIn(maskedObject).some((inner) => inner.includes(shape)))
					findings.add(`the ${name} token survives in an object's strings`, input, () => json);
				if (maskedObject.n !== 1 || maskedObject.none !== null)
					findings.add('other values in the object are changed', input, () => json);
			}
		});
		findings.print(`${tried} maskable tokens`);
		expect(tried).toBeGreaterThan(RUNS / 5);
		expect(findings.failures()).toEqual([]);
	});

	// A text field could in principle hold a lone UTF-16 surrogate (half of an emoji, from a bad
	// copy or a JSON "\ud83d"); reading the credential must then refuse or accept it, not throw.
	test('readConnection never throws, whatever the token text (any code point, lone surrogates)', () => {
		const findings = new Findings('any token text');
		const unit = fc.oneof(
			{ weight: 4, arbitrary: tokenUnit },
			{ weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
			{ weight: 1, arbitrary: fc.constantFrom('\ud83d', '\ude00', '\udbff', '\udc00') },
		);
		forAll(findings, SEED + 3, Math.round(RUNS / 3), (g) => {
			const token = g(fc.string, { unit, minLength: 8, maxLength: 24 });
			const connection = attempt(
				findings,
				'readConnection',
				() => token,
				() => readConnection({ authToken: token, cloudId: 'acme', baseUrl: '' }),
			);
			if (connection?.ok) {
				const masked = attempt(
					findings,
					'redact',
					() => token,
					() => connection.redact(`x${token}y`),
				);
				if (masked !== undefined && masked.includes(token))
					findings.add(
						'the token survives',
						() => token,
						() => masked,
					);
			}
		});
		findings.print();
		expect(findings.failures()).toEqual([]);
	});
});
