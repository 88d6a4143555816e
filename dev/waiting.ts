/**
 * Waiting executions in the test harness, resumed the way n8n 2.41 resumes them:
 * - a request to `<webhook-waiting base>/<execution id>/<node id>?signature=...` as n8n's
 *   WaitingWebhooks handles it: the signature checked (the execution's resume token, or for the
 *   operation `sendAndWait` an HMAC over the URL), the waiting node disabled, its `webhook()` run
 *   in a WebhookContext; workflowData from it becomes the node's output and the run goes on, no
 *   workflowData leaves the execution waiting; after the end, 409 (200 "no action required" for a
 *   send-and-wait node);
 * - a time-out as n8n's wait tracker handles it: the node resumed disabled, passing its input on.
 * `WaitingWebhookServer` puts this behind a real HTTP server on 127.0.0.1, so that a simulated
 * call can report back over the network. Nothing here is shipped in the package.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as N8nCore from 'n8n-core';
import {
	SEND_AND_WAIT_OPERATION,
	type INodeType,
	type IRun,
	type IRunExecutionData,
	type IWebhookData,
	type IWorkflowExecuteAdditionalData,
	type Workflow,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import type { WorkflowRunResult } from './engine';

export interface WaitingSession {
	core: typeof N8nCore;
	workflow: Workflow;
	executionId: string;
	newAdditionalData: (mode: WorkflowExecuteMode) => IWorkflowExecuteAdditionalData;
	resultOf: (run: IRun) => WorkflowRunResult;
	/** Runs `fn` with the run's log capture. */
	run: <T>(fn: () => Promise<T>) => Promise<T>;
	/** The instance's secret for signed resume URLs (n8n's InstanceSettings). */
	hmacSecret: () => string;
}

export interface WebhookAnswer {
	status: number;
	body: unknown;
}

export class WaitingExecution {
	private state: 'waiting' | 'running' | 'finished' = 'waiting';
	private last?: WorkflowRunResult;

	constructor(
		private readonly session: WaitingSession,
		private data: IRunExecutionData,
	) {}

	get executionId(): string {
		return this.session.executionId;
	}

	/** When n8n would end the wait without an answer. */
	get waitTill(): Date | undefined {
		return this.data.waitTill ? new Date(this.data.waitTill) : undefined;
	}

	/** The result of the last resume, once there was one. */
	get result(): WorkflowRunResult | undefined {
		return this.last;
	}

	/** A request to the execution's resume URL (`url` with its query), as n8n answers it. */
	async receive(method: string, url: string): Promise<WebhookAnswer> {
		const { core, workflow } = this.session;
		const nodeName = this.data.resultData.lastNodeExecuted ?? '';
		const node = workflow.getNode(nodeName);
		if (this.state === 'running')
			return {
				status: 409,
				body: { message: `The execution "${this.executionId}" is running already.` },
			};
		if (this.state === 'finished') {
			// For a send-and-wait node n8n answers a late request with its "no action required" page, as a success.
			return node?.parameters.operation === SEND_AND_WAIT_OPERATION
				? { status: 200, body: 'No action required' }
				: {
						status: 409,
						body: { message: `The execution "${this.executionId} has finished already.` },
					};
		}
		const target = new URL(url, 'http://localhost');
		const suffix = target.pathname.split('/').filter(Boolean).at(-1);
		const nodeType = node
			? (workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion) as INodeType)
			: undefined;
		const description = nodeType?.description.webhooks?.find(
			(w) => w.restartWebhook === true && w.httpMethod === method,
		);
		if (!node || !nodeType?.webhook || !description || suffix !== node.id)
			return { status: 404, body: { message: 'No waiting webhook at this path' } };

		const signature = target.searchParams.get(core.WAITING_TOKEN_QUERY_PARAM) ?? '';
		const valid =
			node.parameters.operation === SEND_AND_WAIT_OPERATION
				? core.validateUrlSignature(signature, target, this.session.hmacSecret())
				: signature !== '' && signature === this.data.resumeToken;
		if (!valid) return { status: 401, body: { error: 'Invalid token' } };

		// n8n resumes from the saved data: a copy, kept only if the node takes the request.
		const data = this.resumable();
		const response = new FakeResponse();
		const request = {
			method,
			url: target.pathname + target.search,
			query: queryOf(target),
			headers: {},
			body: {},
			params: {},
		};
		const additionalData = {
			...this.session.newAdditionalData('webhook'),
			httpRequest: request,
			httpResponse: response,
		} as unknown as IWorkflowExecuteAdditionalData;
		const webhookData = {
			httpMethod: method,
			node: node.name,
			path: suffix,
			webhookDescription: description,
			workflowId: workflow.id,
			workflowExecuteAdditionalData: additionalData,
		} as unknown as IWebhookData;
		const context = new core.WebhookContext(
			workflow,
			node,
			additionalData,
			'webhook',
			webhookData,
			[],
			data,
		);
		const answered = await this.session.run(async () => await nodeType.webhook!.call(context));
		const answer = response.sent
			? { status: response.statusCode, body: response.body }
			: { status: 200, body: answered.webhookResponse ?? '' };
		if (answered.workflowData === undefined) return answer;

		const stack = data.executionData!.nodeExecutionStack[0];
		stack.data.main = answered.workflowData;
		stack.metadata = { ...stack.metadata, forwardAllOutputs: true };
		await this.continueWith(data);
		return answer;
	}

	/**
	 * `url` (a resume URL of this execution) signed as n8n signs `getSignedResumeUrl` URLs: what an
	 * earlier wait of the same node in this execution would have been handed.
	 */
	signed(url: string): string {
		const { core } = this.session;
		const target = new URL(url, 'http://localhost');
		target.searchParams.delete(core.WAITING_TOKEN_QUERY_PARAM);
		target.searchParams.set(
			core.WAITING_TOKEN_QUERY_PARAM,
			core.generateUrlSignature(core.prepareUrlForSigning(target), this.session.hmacSecret()),
		);
		return target.pathname + target.search;
	}

	/** What n8n's wait tracker does when `waitTill` passes: the node resumes disabled with its input. */
	async timeOut(): Promise<WorkflowRunResult> {
		if (this.state !== 'waiting') throw new Error(`the execution is ${this.state}, not waiting`);
		await this.continueWith(this.resumable());
		return this.last as WorkflowRunResult;
	}

	private resumable(): IRunExecutionData {
		const data = structuredClone(this.data);
		data.executionData!.nodeExecutionStack[0].node.disabled = true;
		data.waitTill = undefined;
		// n8n drops the waiting node's run (keeping an input override), so it is not shown twice.
		const runs = data.resultData.runData[data.resultData.lastNodeExecuted ?? ''];
		const popped = runs?.pop();
		if (popped?.inputOverride)
			runs?.push({
				startTime: 0,
				executionTime: 0,
				executionIndex: 0,
				source: popped.source,
				inputOverride: popped.inputOverride,
			});
		return data;
	}

	private async continueWith(data: IRunExecutionData): Promise<void> {
		this.state = 'running';
		const { core, workflow } = this.session;
		const run = await this.session.run(
			async () =>
				await new core.WorkflowExecute(
					this.session.newAdditionalData('webhook'),
					'webhook',
					data,
				).processRunExecutionData(workflow),
		);
		this.last = this.session.resultOf(run);
		// The run may wait again (the node in a loop): then it is resumable once more.
		if (run.status === 'waiting') {
			this.data = run.data;
			this.state = 'waiting';
		} else this.state = 'finished';
	}
}

/** The query as Express reads it: a repeated key gives a list. */
function queryOf(url: URL): Record<string, string | string[]> {
	const query: Record<string, string | string[]> = {};
	for (const [key, value] of url.searchParams) {
		const seen = query[key];
		query[key] =
			seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
	}
	return query;
}

/** The parts of an Express response that nodes use. */
class FakeResponse {
	statusCode = 200;
	body: unknown;
	sent = false;
	headers: Record<string, string> = {};
	status(code: number) {
		this.statusCode = code;
		return this;
	}
	setHeader(name: string, value: string) {
		this.headers[name.toLowerCase()] = value;
		return this;
	}
	json(body: unknown) {
		return this.send(body);
	}
	send(body: unknown) {
		this.body = body;
		this.sent = true;
		return this;
	}
	end(body?: unknown) {
		return this.send(body);
	}
}

/**
 * n8n's waiting-webhook endpoint on 127.0.0.1: `<baseUrl>/<execution id>/<node id>?...` reaches the
 * waiting execution registered under that id. Unref'd; `close()` stops it.
 */
export class WaitingWebhookServer {
	private readonly executions = new Map<string, WaitingExecution>();
	readonly received: Array<{ method: string; url: string; status: number }> = [];
	private stillRunning = 0;

	private constructor(
		private readonly server: http.Server,
		readonly baseUrl: string,
	) {}

	static async start(): Promise<WaitingWebhookServer> {
		let self: WaitingWebhookServer | undefined;
		const server = http.createServer((request, response) => {
			void self?.handle(request, response);
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		server.unref();
		self = new WaitingWebhookServer(
			server,
			`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook-waiting`,
		);
		return self;
	}

	/** Makes a waiting run reachable; returns it for convenience. */
	register(result: WorkflowRunResult): WaitingExecution {
		if (!result.waiting)
			throw new Error(
				`the run is ${result.status}, not waiting${result.error ? `: ${result.error.message}` : ''}`,
			);
		this.executions.set(result.waiting.executionId, result.waiting);
		return result.waiting;
	}

	/**
	 * The next `count` requests to a registered execution are answered as n8n answers a report
	 * that comes before it has saved the execution as waiting: 409 "is running already".
	 */
	answerAsRunning(count: number): void {
		this.stillRunning = count;
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private async handle(
		request: http.IncomingMessage,
		response: http.ServerResponse,
	): Promise<void> {
		const url = request.url ?? '/';
		const executionId =
			new URL(url, 'http://localhost').pathname.split('/').filter(Boolean)[1] ?? '';
		const execution = this.executions.get(executionId);
		let answer: WebhookAnswer;
		try {
			if (execution && this.stillRunning > 0) {
				this.stillRunning--;
				answer = {
					status: 409,
					body: { message: `The execution "${executionId}" is running already.` },
				};
			} else
				answer = execution
					? await execution.receive(request.method ?? 'GET', url)
					: { status: 404, body: { message: `The execution "${executionId}" does not exist.` } };
		} catch (error) {
			answer = { status: 500, body: { message: (error as Error).message } };
		}
		this.received.push({ method: request.method ?? '', url, status: answer.status });
		const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
		response.writeHead(answer.status, {
			'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json',
		});
		response.end(text);
	}
}
