/**
 * Running the Samespace node in n8n's real engine against the emulator, and checking that the
 * auth token went nowhere it should not.
 */
import { inspect } from 'node:util';

import type { INode, INodeParameters, WorkflowExecuteMode } from 'n8n-workflow';

import {
	chain,
	itemsNode,
	runWorkflow,
	type RunWorkflowOptions,
	type WorkflowRunResult,
} from '../../dev/engine';
import { REPO_ROOT, samespaceNode } from '../../dev/examples';
import { SamespaceEmulator } from '../../dev/emulator';
import { WaitingWebhookServer } from '../../dev/waiting';

/** Long and distinctive, so any leak of it is found by a plain text search. */
export const SECRET_TOKEN = 'tok_live_9f3c1e7a2b5d4c8e6f0a1b2c3d4e5f67';
export const CLOUD_ID = 'acme-cloud';

export async function startEmulator(): Promise<SamespaceEmulator> {
	return await SamespaceEmulator.start({
		cloudId: CLOUD_ID,
		authToken: SECRET_TOKEN,
		idleTimeoutMs: 120_000,
	});
}

/**
 * One emulator for a test file: started before its tests, reset before each, closed after.
 * Returns a stand-in that forwards to the running emulator, for use at the file's top level.
 */
export function useEmulator(): SamespaceEmulator {
	let current: SamespaceEmulator | undefined;
	beforeAll(async () => {
		current = await startEmulator();
	});
	afterAll(async () => {
		await current?.close();
	});
	beforeEach(() => current?.reset());
	return forwardTo(() => current);
}

/** A stand-in that forwards to the object `get` returns, for use at a test file's top level. */
function forwardTo<T extends object>(get: () => T | undefined): T {
	return new Proxy({} as T, {
		get(_target, property) {
			const current = get();
			if (!current) throw new Error('used outside a test');
			const value = Reflect.get(current, property, current);
			return typeof value === 'function' ? value.bind(current) : value;
		},
	});
}

export interface RunOptions {
	items?: Array<Record<string, unknown>>;
	credentials?: Partial<{
		cloudId: string;
		authToken: string;
		baseUrl: string;
		cluster: string;
		voiceApiUrl: string;
	}>;
	continueOnFail?: boolean;
	signal?: AbortSignal;
	/** The execution's mode (`retry` for n8n's Retry of a failed execution). */
	mode?: WorkflowExecuteMode;
	/** Node settings, e.g. `{ retryOnFail: true }`, or `type` for the generated `...samespaceHitlTool`. */
	settings?: Partial<INode>;
	/** Where `$execution.resumeUrl` points (a WaitingWebhookServer's `baseUrl`). */
	webhookWaitingBaseUrl?: string;
	/** Sees each log call as it happens. */
	onLog?: RunWorkflowOptions['onLog'];
}

/** Runs CRM items -> Samespace against `target` (the emulator, or any server with a Base URL). */
export async function runSamespace(
	target: { baseUrl: string },
	parameters: INodeParameters,
	options: RunOptions = {},
): Promise<WorkflowRunResult> {
	return await runWorkflow({
		packageDir: REPO_ROOT,
		nodes: [
			itemsNode('CRM', options.items ?? [{ phone: '14155550123' }]),
			{ ...samespaceNode(parameters, options.continueOnFail), ...options.settings },
		],
		connections: chain('CRM', 'Samespace'),
		credentials: {
			samespaceApi: {
				cloudId: CLOUD_ID,
				authToken: SECRET_TOKEN,
				baseUrl: target.baseUrl,
				...options.credentials,
			},
		},
		signal: options.signal,
		mode: options.mode,
		webhookWaitingBaseUrl: options.webhookWaitingBaseUrl,
		onLog: options.onLog,
	});
}

/**
 * For the waiting operations: an emulator that plays every call out at once (its simulator) and
 * n8n's waiting-webhook endpoint, both on 127.0.0.1, for the tests of one file.
 */
export function useCallSimulation(): { emulator: SamespaceEmulator; waits: WaitingWebhookServer } {
	const live: { emulator?: SamespaceEmulator; waits?: WaitingWebhookServer } = {};
	beforeAll(async () => {
		live.emulator = await SamespaceEmulator.start({
			cloudId: CLOUD_ID,
			authToken: SECRET_TOKEN,
			idleTimeoutMs: 120_000,
			simulateCalls: { timeScale: 0 },
		});
		live.waits = await WaitingWebhookServer.start();
	});
	afterAll(async () => {
		await live.emulator?.close();
		await live.waits?.close();
	});
	beforeEach(() => {
		live.emulator?.reset();
		live.waits?.answerAsRunning(0);
	});
	return { emulator: forwardTo(() => live.emulator), waits: forwardTo(() => live.waits) };
}

/** Everything a user, a downstream node or a log reader can see of a run. */
export function visibleText(result: WorkflowRunResult): string {
	const runErrors = Object.values(result.runData).flatMap((runs) => runs.map((run) => run.error));
	return [
		JSON.stringify(result.outputs),
		JSON.stringify(result.hints),
		result.error ? `${result.error.message}\n${result.error.description ?? ''}` : '',
		inspect(result.error?.raw, { depth: 12, showHidden: false }),
		inspect(runErrors, { depth: 12 }),
		JSON.stringify(runErrors),
		result.logs.join('\n'),
	].join('\n');
}

/**
 * The shapes of a token that must never be visible: as saved, trimmed, whitespace collapsed,
 * JSON-escaped and URL-encoded, and every 12-character piece of it (a message cut in the middle
 * of the token must not show the part before the cut). Written here, apart from the node's own
 * list, so that the two check each other.
 */
export function secretShapes(secret: string): string[] {
	const collapsed = secret.replace(/\s+/g, ' ');
	const bases = [secret, secret.trim(), collapsed, collapsed.trim()];
	const shapes = bases.flatMap((base) => [
		base,
		JSON.stringify(base).slice(1, -1),
		encodeURIComponent(base),
	]);
	const core = collapsed.trim();
	for (let start = 0; start + 12 <= core.length; start++)
		shapes.push(core.slice(start, start + 12));
	return [...new Set(shapes)];
}

export function expectNoSecret(result: WorkflowRunResult, secret = SECRET_TOKEN) {
	const text = visibleText(result);
	expect(secretShapes(secret).filter((shape) => text.includes(shape))).toEqual([]);
}

/** The Samespace node's output items' JSON. */
export const outputJson = (result: WorkflowRunResult) =>
	(result.outputs.Samespace ?? []).map((item) => item.json);

export const straightSteps = (number = '={{ $json.phone }}') => ({
	step: [
		{ type: 'call', number, callerId: '14155550100' },
		{ type: 'play', text: 'Hello from Acme.' },
		{ type: 'connect', number: '5263', callerId: '14155550100' },
	],
});
