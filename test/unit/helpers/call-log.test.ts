/**
 * The trail in n8n's log (helpers/call-log.ts) and the reasons it writes (Failure.reason): which
 * outcomes get a line at which level, the fields, that a value can neither break a line nor
 * carry the answer's text, and that a failing logger changes nothing. No I/O: a fake context.
 */
import type { IExecuteFunctions, LogMetadata } from 'n8n-workflow';

import {
	ACCEPTED_MESSAGE,
	callLog,
	MAY_HAVE_PLACED_MESSAGE,
} from '../../../nodes/Samespace/helpers/call-log';
import {
	cancelledWhileSending,
	interpretRequestError,
	interpretResponse,
	redirected,
	timedOut,
} from '../../../nodes/Samespace/transport/response';
import type { Failure, Outcome } from '../../../nodes/Samespace/transport/outcome';
import { makeRedactor, MASK } from '../../../nodes/Samespace/transport/redact';

const TOKEN = 'tok_unit_5b1e9c3d7a2f4e6b';
const redact = makeRedactor(TOKEN);

interface Line {
	level: string;
	message: string;
	metadata?: LogMetadata;
}

function fakeContext(lines: Line[], logger?: unknown): IExecuteFunctions {
	const write = (level: string) => (message: string, metadata?: LogMetadata) =>
		lines.push({ level, message, metadata });
	return {
		logger: logger ?? {
			error: write('error'),
			warn: write('warn'),
			info: write('info'),
			debug: write('debug'),
		},
		getExecutionId: () => '4711',
		getWorkflow: () => ({ id: 'wf-Ab3', name: 'Reminders', active: true }),
		getNode: () => ({ name: 'Call leads' }),
	} as unknown as IExecuteFunctions;
}

const accepted = (body: Record<string, unknown>): Outcome => ({
	kind: 'accepted',
	statusCode: 200,
	body: body as never,
});
const respond = (status: number, body: string, headers: Record<string, unknown> = {}) =>
	interpretResponse(status, headers, body, Date.now());

describe('which outcomes are logged', () => {
	test('accepted: one info line with the run, the item and the call id, in the message too', () => {
		const lines: Line[] = [];
		callLog(fakeContext(lines), redact)(3, accepted({ success: true, call_id: 'c-9f2e' }));
		const fields = {
			executionId: '4711',
			workflowId: 'wf-Ab3',
			node: 'Call leads',
			itemIndex: 3,
			callId: 'c-9f2e',
		};
		expect(lines).toEqual([
			{
				level: 'info',
				message: `${ACCEPTED_MESSAGE}: executionId=4711 workflowId=wf-Ab3 node="Call leads" itemIndex=3 callId=c-9f2e`,
				metadata: fields,
			},
		]);
	});

	test('may have been placed: one warn line with the reason', () => {
		const lines: Line[] = [];
		callLog(fakeContext(lines), redact)(0, respond(500, '{"message":"db down"}'));
		expect(lines).toEqual([
			{
				level: 'warn',
				message: `${MAY_HAVE_PLACED_MESSAGE}: executionId=4711 workflowId=wf-Ab3 node="Call leads" itemIndex=0 reason="HTTP 500"`,
				metadata: {
					executionId: '4711',
					workflowId: 'wf-Ab3',
					node: 'Call leads',
					itemIndex: 0,
					reason: 'HTTP 500',
				},
			},
		]);
	});

	test.each<[string, Outcome]>([
		['a 400', respond(400, '{"success":false,"message":"bad number 14155550123"}')],
		['a 401', respond(401, '{"message":"bad token"}')],
		['success: false', respond(200, '{"success":false,"message":"no balance"}')],
		['a 429 after all retries', respond(429, '', { 'retry-after': '1' })],
		['a 301 (not processed)', redirected(301, 'https://elsewhere.example/x')],
		[
			'a connection refused',
			interpretRequestError({ cause: { code: 'ECONNREFUSED' } }, 'https://x.example', 1000),
		],
		[
			'a stop while waiting to retry',
			{
				kind: 'cancelled',
				retryable: false,
				mayHavePlaced: false,
				message: 'stopped',
				description: 'No call was placed for this item.',
			},
		],
	])('not placed (%s): no line at all', (_name, outcome) => {
		const lines: Line[] = [];
		callLog(fakeContext(lines), redact)(1, outcome);
		expect(lines).toEqual([]);
	});
});

describe('reasons: the node’s own words, never the answer’s', () => {
	const secretish = 'dial 14155550123 failed for acme-cloud';
	test.each<[string, Failure | Outcome, string]>([
		['500 with a message', respond(500, JSON.stringify({ message: secretish })), 'HTTP 500'],
		['502 with a page', respond(502, `<html><title>${secretish}</title></html>`), 'HTTP 502'],
		[
			'a gateway 503',
			respond(503, `<html>${secretish}</html>`),
			"HTTP 503 without Retry-After or Samespace's JSON (a gateway's answer)",
		],
		[
			'a 2xx HTML page',
			respond(200, `<html>${secretish}</html>`),
			'HTTP 200 with an HTML page instead of JSON',
		],
		['a 2xx text', respond(200, secretish), 'HTTP 200 with text instead of JSON'],
		['a 2xx empty', respond(200, ''), 'HTTP 200 with an empty body'],
		[
			'a 2xx cut JSON',
			respond(200, '{"call_id":"1415'),
			'HTTP 200 with JSON that is cut off or broken',
		],
		['a 2xx array', respond(200, '[1]'), 'HTTP 200 with JSON that is not an object'],
		[
			'a 302',
			redirected(302, `https://x.example/?to=${secretish}`),
			'HTTP 302 redirect, not followed',
		],
		[
			'a reset',
			interpretRequestError(
				{ cause: { code: 'ECONNRESET', message: secretish } },
				'https://x.example',
				1000,
			),
			'the connection broke before the answer arrived (ECONNRESET)',
		],
		[
			'an error code that is not a plain code',
			interpretRequestError({ cause: { code: secretish } }, 'https://x.example', 1000),
			'the connection broke before the answer arrived',
		],
		['a timeout', timedOut('answer', 1500), 'no answer within the Request Timeout (1.5 s)'],
		[
			'a timeout in the body',
			timedOut('body', 30_000),
			'the answer did not arrive in full within the Request Timeout (30 s)',
		],
		[
			'a stop while sending',
			cancelledWhileSending(),
			'the execution was stopped while the request was out',
		],
	])('%s', (_name, outcome, reason) => {
		expect(outcome).toMatchObject({ mayHavePlaced: true, reason });
		const lines: Line[] = [];
		callLog(fakeContext(lines), redact)(0, outcome);
		expect(lines).toHaveLength(1);
		expect(lines[0].metadata?.reason).toBe(reason);
		expect(JSON.stringify(lines)).not.toMatch(/14155550123|acme-cloud|dial/);
	});

	test('a failure without a reason still says its kind and status', () => {
		const lines: Line[] = [];
		const failure: Failure = {
			kind: 'uncertain',
			retryable: false,
			mayHavePlaced: true,
			statusCode: 599,
			message: secretish,
			description: secretish,
		};
		callLog(fakeContext(lines), redact)(0, failure);
		expect(lines[0].metadata?.reason).toBe('uncertain, HTTP 599');
		expect(JSON.stringify(lines)).not.toContain('14155550123');
	});
});

describe('what a value from outside can do to a line', () => {
	test.each<[string, unknown, string | null, string]>([
		['a number', 8812, '8812', 'callId=8812'],
		['none', undefined, null, 'callId=null'],
		['an object', { id: 1 }, null, 'callId=null'],
		[
			'spaces and a line break',
			'a b\ninfo forged',
			'a b\ninfo forged',
			'callId="a b\\ninfo forged"',
		],
		['the token', `id-${TOKEN}`, `id-${MASK}`, `callId="id-${MASK}"`],
	])('a call id that is %s', (_name, callId, logged, inMessage) => {
		const lines: Line[] = [];
		callLog(fakeContext(lines), redact)(0, accepted({ call_id: callId }));
		expect(lines[0].metadata?.callId).toBe(logged);
		expect(lines[0].message.endsWith(inMessage)).toBe(true);
		expect(lines[0].message).not.toContain('\n');
		expect(lines[0].message).not.toContain(TOKEN);
	});

	test('a very long call id is cut', () => {
		const lines: Line[] = [];
		callLog(fakeContext(lines), redact)(0, accepted({ call_id: 'x'.repeat(10_000) }));
		expect(lines[0].metadata?.callId).toBe(`${'x'.repeat(128)}…`);
	});

	test('a node name with quotes and a line break stays on one line, quoted', () => {
		const lines: Line[] = [];
		const ctx = fakeContext(lines);
		ctx.getNode = () => ({ name: 'Call "VIP"\nleads' }) as never;
		callLog(ctx, redact)(2, accepted({ call_id: 'c1' }));
		expect(lines[0].message).toContain('node="Call \\"VIP\\"\\nleads" itemIndex=2');
		expect(lines[0].metadata?.node).toBe('Call "VIP"\nleads');
	});
});

test('a logger that throws, or none at all, changes nothing for the run', () => {
	const throwing = {
		info: () => {
			throw new Error('disk full');
		},
		warn: () => {
			throw new Error('disk full');
		},
	};
	expect(() =>
		callLog(fakeContext([], throwing), redact)(0, accepted({ call_id: 'c1' })),
	).not.toThrow();
	const none = fakeContext([]);
	(none as { logger?: unknown }).logger = undefined;
	expect(() => callLog(none, redact)(0, respond(500, ''))).not.toThrow();
});
