/**
 * Unit tests of the wait (nodes/Samespace/helpers/resume.ts): which hosts are local (a resume URL
 * Samespace could never reach), the resume URL's signature masked, and when the wait ends (Limit
 * Wait Time). Pure functions: no I/O, no timers.
 */
import {
	NodeOperationError,
	WAIT_INDEFINITELY,
	type IExecuteFunctions,
	type INode,
} from 'n8n-workflow';

import {
	DEFAULT_WAIT_MINUTES,
	hidingSignatures,
	isLocalHost,
	waitUntil,
} from '../../../nodes/Samespace/helpers/resume';

const RESUME = 'https://n8n.example.com/webhook-waiting/42/node-1';
const NOW = Date.parse('2025-03-01T12:00:00Z');

// -------------------------------------------------------------------------------------------------

describe('isLocalHost', () => {
	test.each<[string, boolean]>([
		['localhost', true],
		['LOCALHOST', true],
		['n8n.localhost', true],
		['printer.local', true],
		['n8n.internal', true],
		['127.0.0.1', true],
		['127.1.2.3', true],
		['10.0.0.5', true],
		['172.16.0.1', true],
		['172.20.1.1', true],
		['172.31.255.255', true],
		['172.15.0.1', false],
		['172.32.0.1', false],
		['192.168.1.10', true],
		['192.169.1.10', false],
		['169.254.169.254', true],
		['100.64.0.1', true],
		['100.127.255.255', true],
		['100.63.255.255', false],
		['100.128.0.1', false],
		['0.0.0.0', true],
		['::1', true],
		['[::1]', true],
		['::', true],
		['fc00::1', true],
		['fd12::', true],
		['[fd12:3456::1]', true],
		['fe80::1', true],
		['::ffff:127.0.0.1', true],
		['::ffff:192.168.0.1', true],
		['n8n', true],
		['api.samespace.com', false],
		['8.8.8.8', false],
		['2001:db8::1', false],
		['2606:4700::1111', false],
		['n8n.example.com', false],
		['localhost.example.com', false],
		['local', true],
	])('%s -> %p', (host, local) => {
		expect(isLocalHost(host)).toBe(local);
	});

	// The node asks with `new URL(resumeUrl).hostname`: the host as the URL parser writes it.
	test.each<[string, boolean]>([
		['http://localhost:5678/webhook-waiting/1', true],
		['http://[::1]:5678/webhook-waiting/1', true],
		['http://127.0.0.1:5678/webhook-waiting/1', true],
		['http://2130706433:5678/webhook-waiting/1', true],
		['http://n8n:5678/webhook-waiting/1', true],
		['http://[fe80::1]/webhook-waiting/1', true],
		['https://n8n.example.com/webhook-waiting/1', false],
		['https://api.samespace.com/api/public/v1/call/flow', false],
	])('hostname of %s -> %p', (url, local) => {
		expect(isLocalHost(new URL(url).hostname)).toBe(local);
	});

	// The URL parser writes an IPv4-mapped IPv6 address in hex ([::ffff:7f00:1]), not as ::ffff:127.0.0.1.
	test.each<[string]>([
		['http://[::ffff:127.0.0.1]:5678/'],
		['http://[::ffff:10.0.0.1]:5678/'],
		['http://[::ffff:192.168.0.1]/'],
	])('hostname of %s (IPv4-mapped, as the URL parser writes it) is local', (url) => {
		expect(isLocalHost(new URL(url).hostname)).toBe(true);
	});
});

describe('hidingSignatures', () => {
	const SIGNATURE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
	const hide = hidingSignatures([
		`${RESUME}?approved=true&ref=r&signature=${SIGNATURE}`,
		`${RESUME}?signature=0f9e8d7c6b5a49382716`,
	]);

	test.each<[string, unknown, unknown]>([
		['in a URL', `${RESUME}?signature=${SIGNATURE}&ref=r`, `${RESUME}?signature=********&ref=r`],
		["the second URL's", `x 0f9e8d7c6b5a49382716 y`, 'x ******** y'],
		[
			'JSON-escaped inside an object, and in keys',
			{ flow: [{ url: `…${SIGNATURE}…` }], [SIGNATURE]: 1 },
			{ flow: [{ url: '…********…' }], '********': 1 },
		],
		['nothing to hide', { a: 'signature=other' }, { a: 'signature=other' }],
	])('%s', (_name, value, masked) => {
		expect(hide(value)).toEqual(masked);
	});

	test("after the redactor it is given (the token's)", () => {
		const both = hidingSignatures([`${RESUME}?signature=${SIGNATURE}`], (value) =>
			JSON.parse(JSON.stringify(value).split('tok_secret_123').join('[token]')),
		);
		expect(both({ error: `tok_secret_123 at ${RESUME}?signature=${SIGNATURE}` })).toEqual({
			error: `[token] at ${RESUME}?signature=********`,
		});
	});

	test('a URL without a signature hides nothing', () => {
		expect(hidingSignatures([`${RESUME}?ref=r`])('anything ref=r')).toBe('anything ref=r');
	});
});

describe('waitUntil', () => {
	const NODE: INode = {
		id: 'node-1',
		name: 'Samespace',
		type: 'n8n-nodes-samespace.samespace',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};

	/** What waitUntil reads of the node: the Limit Wait Time values, or nothing (the fallback). */
	function ctx(values?: Record<string, unknown>): IExecuteFunctions {
		const stub = {
			getNodeParameter: (name: string, index: number, fallback?: unknown) => {
				expect(name).toBe('options.limitWaitTime.values');
				expect(index).toBe(0);
				return values ?? fallback;
			},
			getNode: () => NODE,
		};
		return stub as unknown as IExecuteFunctions;
	}

	test('without the option: the default, 15 minutes from now', () => {
		expect(DEFAULT_WAIT_MINUTES).toBe(15);
		expect(waitUntil(ctx(), NOW)).toEqual(new Date(NOW + 15 * 60_000));
	});

	test.each<[string, number, number]>([
		['seconds', 30, 30_000],
		['minutes', 5, 5 * 60_000],
		['hours', 2, 2 * 3_600_000],
		['days', 1, 86_400_000],
		['hours', 1.5, 90 * 60_000],
	])('after a time interval in %s (%p)', (unit, amount, ms) => {
		expect(
			waitUntil(
				ctx({ limitType: 'afterTimeInterval', resumeAmount: amount, resumeUnit: unit }),
				NOW,
			),
		).toEqual(new Date(NOW + ms));
	});

	test('an amount without a unit is in minutes; an unknown unit is minutes', () => {
		expect(waitUntil(ctx({ limitType: 'afterTimeInterval', resumeAmount: 3 }), NOW)).toEqual(
			new Date(NOW + 3 * 60_000),
		);
		expect(
			waitUntil(ctx({ limitType: 'afterTimeInterval', resumeAmount: 3, resumeUnit: 'weeks' }), NOW),
		).toEqual(new Date(NOW + 3 * 60_000));
	});

	test('a unit without an amount (or an amount that is not a number) waits the default time', () => {
		expect(waitUntil(ctx({ limitType: 'afterTimeInterval', resumeUnit: 'hours' }), NOW)).toEqual(
			new Date(NOW + 15 * 3_600_000),
		);
		expect(waitUntil(ctx({ resumeAmount: Number.NaN }), NOW)).toEqual(new Date(NOW + 15 * 60_000));
	});

	test('at a specified time: that date and time', () => {
		expect(
			waitUntil(ctx({ limitType: 'atSpecifiedTime', maxDateAndTime: '2026-12-01T18:00:00Z' }), NOW),
		).toEqual(new Date('2026-12-01T18:00:00Z'));
	});

	test.each<[string, unknown]>([
		['not a date', 'tomorrow-ish'],
		['empty', ''],
		['missing', undefined],
	])(
		'at a specified time that is %s: a NodeOperationError that names "Max Date and Time"',
		(_name, maxDateAndTime) => {
			const run = () => waitUntil(ctx({ limitType: 'atSpecifiedTime', maxDateAndTime }), NOW);
			expect(run).toThrow(NodeOperationError);
			expect(run).toThrow(/"Max Date and Time"/);
			try {
				run();
			} catch (error) {
				expect((error as NodeOperationError).description).toMatch(/^No call was placed\./);
			}
		},
	);

	test('a huge amount waits indefinitely', () => {
		expect(
			waitUntil(
				ctx({ limitType: 'afterTimeInterval', resumeAmount: 1e9, resumeUnit: 'days' }),
				NOW,
			),
		).toBe(WAIT_INDEFINITELY);
		expect(waitUntil(ctx({ resumeAmount: Number.MAX_VALUE, resumeUnit: 'seconds' }), NOW)).toBe(
			WAIT_INDEFINITELY,
		);
	});

	test.each([0, -5])(
		'an amount of %i is refused before the call (the wait would end at once)',
		(amount) => {
			expect(() =>
				waitUntil(
					ctx({ limitType: 'afterTimeInterval', resumeAmount: amount, resumeUnit: 'hours' }),
					NOW,
				),
			).toThrow(new RegExp(`^Limit Wait Time: the amount is ${amount}$`));
		},
	);

	test('a date that has passed is refused before the call', () => {
		expect(() =>
			waitUntil(
				ctx({ limitType: 'atSpecifiedTime', maxDateAndTime: new Date(NOW - 1000).toISOString() }),
				NOW,
			),
		).toThrow('Limit Wait Time: "Max Date and Time" has passed');
	});
});
