// Real n8n for the benchmark: the pinned n8n (installed by dev/n8n/install.mjs, as the e2e does),
// running as a server with default settings, the packed package installed as Settings > Community
// nodes installs it, and one credential that both the Samespace node and the HTTP Request node use.
// Workflows are started through their production webhooks, as a CRM would start them; timings come
// from n8n's own record of the execution (each node's `executionTime`).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { packPackage } from '../n8n/community-install.mjs';
import { CREDENTIAL, DEV_DIR, N8N_PREFIX } from '../n8n/config.mjs';
import { installN8n } from '../n8n/install.mjs';
import { N8nRest, freePort, n8nCliOk, n8nEnv, startN8n } from '../n8n/n8n.mjs';
import { prepareInstance } from '../n8n/setup.mjs';

const n8nRequire = createRequire(path.join(N8N_PREFIX, 'node_modules', 'n8n', 'package.json'));
const flatted = n8nRequire('flatted');

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

/** A REST call, tried again for up to a minute while n8n answers 503 (its database busy). */
async function retryingBusy(request) {
	for (let tries = 0; ; tries++) {
		try {
			return await request();
		} catch (error) {
			if (error.status !== 503 || tries >= 120) throw error;
			await sleep(500);
		}
	}
}

/** CPU time (user + system) of a process and its children so far, in ms, from /proc. */
function cpuMsOf(pid) {
	const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	// After "pid (comm) ": state is field 0; utime 11, stime 12 (clock ticks, 100 per second).
	return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Installs n8n (once), packs the package, prepares a fresh user folder with the credential (its
 * Base URL: the emulator) and `workflows`, publishes them and starts the server.
 * `nodeArgs`: extra Node flags for the n8n process (the profiler's `--inspect`).
 */
export async function startBenchN8n({ emulatorBaseUrl, workflows, nodeArgs = [], log }) {
	const install = installN8n();
	log(
		install.skipped
			? 'n8n already installed under .n8n-dev/'
			: `installed n8n in ${Math.round(install.ms / 1000)} s`,
	);
	const { tarball } = packPackage();
	const userFolder = path.join(DEV_DIR, 'bench');
	fs.rmSync(userFolder, { recursive: true, force: true });
	const port = await freePort();
	const env = n8nEnv({ userFolder, port, brokerPort: await freePort(), logLevel: 'warn' });
	await prepareInstance({ userFolder, env, tarball, emulatorBaseUrl, examples: false });
	const wfDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samespace-bench-'));
	try {
		for (const workflow of workflows)
			fs.writeFileSync(path.join(wfDir, `${workflow.id}.json`), JSON.stringify(workflow));
		await n8nCliOk(['import:workflow', '--separate', `--input=${wfDir}`], { env });
		for (const workflow of workflows)
			await n8nCliOk(['publish:workflow', `--id=${workflow.id}`], { env });
	} finally {
		fs.rmSync(wfDir, { recursive: true, force: true });
	}
	const server = await startN8n({ env, port, nodeArgs });
	const rest = new N8nRest(server.url);
	await rest.setupOwner();
	await rest.login();
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

	const seen = new Map();
	/** The workflow's newest execution once n8n has saved it as ended (the webhook answers first). */
	const finishedExecution = async (workflowId) => {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		for (let tries = 0; tries < 1800; tries++) {
			// n8n answers 503 "Database is not ready" while SQLite is busy saving a large execution.
			const [latest] = (
				await retryingBusy(() => rest.request('GET', `/rest/executions?filter=${filter}&limit=1`))
			).results;
			if (
				latest &&
				latest.id !== seen.get(workflowId) &&
				!['new', 'running'].includes(latest.status)
			) {
				seen.set(workflowId, latest.id);
				return latest;
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
			const latest = await finishedExecution(workflow.id);
			const execution = await retryingBusy(() =>
				rest.request('GET', `/rest/executions/${latest.id}`),
			);
			const data =
				typeof execution.data === 'string' ? flatted.parse(execution.data) : execution.data;
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
