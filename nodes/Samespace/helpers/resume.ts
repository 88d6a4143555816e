/**
 * What the two waiting operations share: the address at which the call reports back (this very
 * execution's resume URL), whether Samespace can reach it, how long to wait, and what the node
 * outputs if nothing comes in time.
 */
import {
	NodeOperationError,
	randomString,
	WAIT_INDEFINITELY,
	type IDataObject,
	type IExecuteFunctions,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { makeRedactor, type Redact } from '../transport/redact';

/** Without a Limit Wait Time, a call that never reports back ends the wait after this long. */
export const DEFAULT_WAIT_MINUTES = 15;

const UNIT_MS: Record<string, number> = {
	seconds: 1000,
	minutes: 60_000,
	hours: 3_600_000,
	days: 86_400_000,
};

/** When the wait ends without an answer, from the Limit Wait Time option. */
export function waitUntil(ctx: IExecuteFunctions, now = Date.now()): Date {
	const limit = ctx.getNodeParameter('options.limitWaitTime.values', 0, {}) as {
		limitType?: string;
		resumeAmount?: number;
		resumeUnit?: string;
		maxDateAndTime?: string;
	};
	// Checked before the call: a wait that ends at once would report a time-out while the phone rings.
	const refuse = (message: string, description: string) =>
		new NodeOperationError(ctx.getNode(), `Limit Wait Time: ${message}`, {
			description: `No call was placed. ${description}`,
		});
	if (limit.limitType === 'atSpecifiedTime') {
		const at = new Date(String(limit.maxDateAndTime ?? ''));
		if (Number.isNaN(at.getTime())) {
			throw refuse(
				'"Max Date and Time" is not a date',
				'Give a date and time, e.g. 2026-12-01T18:00:00, or wait after a time interval instead.',
			);
		}
		if (at.getTime() <= now)
			throw refuse(
				'"Max Date and Time" has passed',
				'Give a date and time in the future, or wait after a time interval instead.',
			);
		return at;
	}
	const amount =
		typeof limit.resumeAmount === 'number' && Number.isFinite(limit.resumeAmount)
			? limit.resumeAmount
			: DEFAULT_WAIT_MINUTES;
	const unit = UNIT_MS[limit.resumeUnit ?? 'minutes'] ?? UNIT_MS.minutes;
	const ms = amount * unit;
	if (ms <= 0)
		throw refuse(`the amount is ${amount}`, 'Give the call time to be answered, e.g. 15 minutes.');
	return ms >= WAIT_INDEFINITELY.getTime() - now ? WAIT_INDEFINITELY : new Date(now + ms);
}

/** A reference for one wait: a report that carries another one belongs to another call. */
export const newWaitRef = () => randomString(16);

/**
 * The address at which this execution resumes this node: n8n's resume URL with the node's id
 * added to its path (n8n's own waiting nodes do the same).
 */
export function resumeUrlOf(ctx: IExecuteFunctions): URL {
	const url = new URL(String(ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0)));
	url.pathname = `${url.pathname.replace(/\/+$/, '')}/${ctx.getNode().id}`;
	return url;
}

/**
 * Masks the signatures of `urls` wherever they appear, after `first` (the token's redactor): the
 * resume URL is a capability handed to Samespace only, and neither an error about the flow that
 * holds it nor an answer that echoes that flow may carry it into what the node shows.
 */
export function hidingSignatures(urls: string[], first: Redact = (value) => value): Redact {
	const redactors = urls.map((url) =>
		makeRedactor(new URL(url).searchParams.get('signature') ?? ''),
	);
	return <T>(value: T): T => redactors.reduce((masked, redact) => redact(masked), first(value));
}

/** A host only this machine or its private network can reach. */
export function isLocalHost(hostname: string): boolean {
	const host = ipv4Mapped(
		hostname
			.replace(/^\[|\]$/g, '')
			.replace(/\.$/, '')
			.toLowerCase(),
	);
	if (
		host === 'localhost' ||
		host.endsWith('.localhost') ||
		host.endsWith('.local') ||
		host.endsWith('.internal')
	)
		return true;
	if (
		host === '::1' ||
		host === '::' ||
		/^f[cd][0-9a-f]{2}:/.test(host) ||
		/^fe[89ab][0-9a-f]:/.test(host)
	)
		return true;
	const ipv4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
	if (!ipv4) return !host.includes('.') && !host.includes(':'); // a bare name such as "n8n" resolves only inside a network
	const [a, b] = [Number(ipv4[1]), Number(ipv4[2])];
	return (
		a === 127 ||
		a === 10 ||
		a === 0 ||
		(a === 172 && b >= 16 && b <= 31) ||
		(a === 192 && b === 168) ||
		(a === 169 && b === 254) ||
		(a === 100 && b >= 64 && b <= 127)
	);
}

/** An IPv4 address written as IPv6 (`::ffff:127.0.0.1`, or `::ffff:7f00:1` as URLs write it), in dotted form. */
function ipv4Mapped(host: string): string {
	const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
	if (dotted) return dotted[1];
	const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
	if (!hex) return host;
	const [high, low] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
	return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/**
 * Samespace calls the resume URL from the internet. When n8n only knows a local address for
 * itself while the calls go to a public API, the report could never arrive: stop before calling.
 */
export function unreachableResumeError(
	ctx: IExecuteFunctions,
	resumeUrl: URL,
	endpoint: string,
): NodeOperationError | undefined {
	if (!isLocalHost(resumeUrl.hostname) || isLocalHost(new URL(endpoint).hostname)) return undefined;
	return new NodeOperationError(
		ctx.getNode(),
		`Samespace could not reach this n8n to report the answer: n8n's webhook address is ${resumeUrl.origin}`,
		{
			description: [
				'No call was placed.',
				`The call reports back to ${resumeUrl.origin}, a local address, while the calls go to Samespace on the internet.`,
				"Set n8n's public address in the environment variable N8N_WEBHOOK_URL (older n8n: WEBHOOK_URL), e.g. N8N_WEBHOOK_URL=https://n8n.example.com/, and restart n8n. With n8n behind a tunnel or reverse proxy, use the address that reaches it from outside.",
			].join('\n'),
		},
	);
}

/**
 * Makes `item` what the node outputs if the wait ends without an answer: n8n then resumes the node
 * disabled, passing its input through (the input the node had when it began to wait).
 */
export function outputOnTimeout(ctx: IExecuteFunctions, item: IDataObject): void {
	ctx.getExecuteData().data = { main: [[{ json: item, pairedItem: { item: 0 } }]] };
}

export function oneCallPerExecutionError(
	ctx: IExecuteFunctions,
	operation: string,
	items: number,
): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		`${operation} places one call per execution, and this node got ${items} items`,
		{
			description: [
				'No call was placed. The execution waits for one call to report back, so it can wait for only one.',
				'To call a list: put a Loop Over Items node (batch size 1) before this node, so each lead is called and answered in turn; or call a sub-workflow for each lead (Execute Workflow, mode "Run once for each item"), so the calls wait side by side.',
			].join('\n'),
		},
	);
}

/** The answer to a report that cannot be taken: the execution goes on waiting. */
export function refuseReport(
	ctx: IWebhookFunctions,
	status: number,
	error: string,
): IWebhookResponseData {
	ctx.getResponseObject().status(status).json({ received: false, error });
	return { noWebhookResponse: true };
}

/** The answer to a report that is taken: `item` becomes the node's output, and the run goes on. */
export function takeReport(ctx: IWebhookFunctions, item: IDataObject): IWebhookResponseData {
	ctx.getResponseObject().status(200).json({ received: true });
	return { noWebhookResponse: true, workflowData: [[{ json: item, pairedItem: { item: 0 } }]] };
}
