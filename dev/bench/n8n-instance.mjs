// Real n8n for the benchmark: the pinned n8n as `npm run dev` starts it (dev/n8n/setup.mjs), a
// server with default settings, the packed package installed as Settings > Community nodes
// installs it, and one credential that both the Samespace node and the HTTP Request node use.
// Workflows are started through their production webhooks, as a CRM would start them; timings come
// from n8n's own record of the execution (each node's `executionTime`).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { CREDENTIAL, DEV_DIR, N8N_PREFIX } from '../n8n/config.mjs';
import { freePort } from '../n8n/n8n.mjs';
import { startInstance } from '../n8n/setup.mjs';

const n8nRequire = createRequire(path.join(N8N_PREFIX, 'node_modules', 'n8n', 'package.json'));

/**
 * The workflow's nodes: Webhook -> Split Out (one item per lead) -> `node` (named "Send"). The
 * webhook answers when the last node is done (`responseMode` 'lastNode'), or at once ('onReceived').
 */
export function benchWorkflow(id, hookPath, node, { responseMode = 'lastNode' } = {}) {
	const credentials = { samespaceApi: { id: CREDENTIAL.id, name: CREDENTIAL.name } };
	return {
		id,
		name: `bench: ${hookPath}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: `${id}-hook`,
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `${id}-hook`,
				parameters: {
					httpMethod: 'POST',
					path: hookPath,
					responseMode,
					...(responseMode === 'lastNode' ? { responseData: 'noData' } : {}),
					options: {},
				},
			},
			{
				id: `${id}-split`,
				name: 'Leads',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.leads', options: {} },
			},
			{ id: `${id}-send`, name: 'Send', position: [440, 0], credentials, ...node },
		],
		connections: {
			Webhook: { main: [[{ node: 'Leads', type: 'main', index: 0 }]] },
			Leads: { main: [[{ node: 'Send', type: 'main', index: 0 }]] },
		},
	};
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU time (user + system) of a process and its children so far, in ms, from /proc. */
function cpuMsOf(pid) {
	const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	// After "pid (comm) ": state is field 0; utime 11, stime 12 (clock ticks, 100 per second).
	return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * n8n installed (once) with the packed package, the credential (its Base URL: the emulator) and
 * `workflows` (published) in a fresh user folder, and started; resolves once every workflow's
 * webhook is registered. `nodeArgs`: extra Node flags for the n8n process (the profiler's `--inspect`).
 */
export async function startBenchN8n({ emulatorBaseUrl, workflows, nodeArgs = [], log }) {
	const userFolder = path.join(DEV_DIR, 'bench');
	fs.rmSync(userFolder, { recursive: true, force: true });
	const { server, rest } = await startInstance({
		userFolder,
		port: await freePort(),
		brokerPort: await freePort(),
		logLevel: 'warn',
		emulatorBaseUrl,
		workflows,
		start: { nodeArgs },
	});
	// n8n registers published webhooks shortly after it reports ready (its publication outbox).
	// A GET to a POST webhook then answers "Did you mean to make a POST request?".
	for (const workflow of workflows) {
		const hookPath = workflow.nodes[0].parameters.path;
		for (let tries = 0; ; tries++) {
			const answer = await (await fetch(`${server.url}/webhook/${hookPath}`)).text();
			if (answer.includes('Did you mean to make a POST request')) break;
			if (tries > 300)
				throw new Error(
					`the webhook ${hookPath} was not registered after 30 s: ${answer.slice(0, 300)}`,
				);
			await sleep(100);
		}
	}
	log(`n8n ready at ${server.url} (${Math.round(server.readyMs / 1000)} s)`);

	/** A GET, tried again for up to a minute while n8n answers 503 (SQLite busy saving a large execution). */
	const get = async (pathname) => {
		for (let tries = 0; ; tries++) {
			try {
				return await rest.request('GET', pathname);
			} catch (error) {
				if (error.status !== 503 || tries >= 120) throw error;
				await sleep(500);
			}
		}
	};
	const seen = new Map();
	/** The workflow's newest execution once n8n has saved it as ended (the webhook answers first). */
	const finishedExecution = async (workflowId) => {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		for (let tries = 0; tries < 1800; tries++) {
			const [latest] = (await get(`/rest/executions?filter=${filter}&limit=1`)).results;
			if (
				latest &&
				latest.id !== seen.get(workflowId) &&
				!['new', 'running'].includes(latest.status)
			) {
				seen.set(workflowId, latest.id);
				return await get(`/rest/executions/${latest.id}`);
			}
			await sleep(100);
		}
		throw new Error(`no finished execution of ${workflowId} after 3 minutes`);
	};

	return {
		server,
		/**
		 * Posts `leads` to the workflow's webhook and waits for the execution to end. Returns the
		 * node's own time (n8n's `executionTime` for "Send"), the n8n process's CPU time during the
		 * execution, and the node's output items.
		 */
		async run(workflow, leads) {
			const hookPath = workflow.nodes[0].parameters.path;
			const cpuBefore = cpuMsOf(server.child.pid);
			const res = await fetch(`${server.url}/webhook/${hookPath}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ leads }),
			});
			const answer = await res.text();
			// A failed execution answers 500 and is still measured (the HTTP Request node against a rate limit).
			if (!res.ok && res.status !== 500)
				throw new Error(`${hookPath}: the webhook answered ${res.status}: ${answer.slice(0, 500)}`);
			const cpuMs = cpuMsOf(server.child.pid) - cpuBefore;
			const execution = await finishedExecution(workflow.id);
			const { parse } = n8nRequire('flatted');
			const data = typeof execution.data === 'string' ? parse(execution.data) : execution.data;
			const send = data.resultData.runData.Send?.[0];
			if (!send)
				throw new Error(
					`${hookPath}: the Send node did not run (${execution.status}): ${JSON.stringify(data.resultData.error ?? {}).slice(0, 500)}`,
				);
			return {
				status: execution.status,
				nodeMs: send.executionTime,
				cpuMs,
				error: send.error?.message ?? data.resultData.error?.message,
				output: send.data?.main?.[0]?.map((item) => item.json) ?? [],
			};
		},
		async stop() {
			await server.stop();
			fs.rmSync(userFolder, { recursive: true, force: true });
		},
	};
}
