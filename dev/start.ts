/**
 * `npm start`: runs the example workflow `examples/new-lead-call.json` (a CRM lead, then the
 * Samespace node with a call, play, digits, http and connect flow) through n8n's real execution
 * engine, against the bundled Samespace API emulator on 127.0.0.1, and prints what the emulator
 * received (auth token masked) and what the node output. Then a call-and-wait round trip: the
 * Samespace node of `examples/appointment-reminder.json` waits, the emulator's call simulator
 * plays the call out and presses 1, the call reports to the waiting execution, which resumes.
 *
 * `npm start -- --live` sends to the real Samespace API instead, with credentials given in
 * environment variables (see docs/development.md, "Trying it against the real API").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { SamespaceEmulator } from './emulator';
import { REPO_ROOT, loadExample, runnableExample } from './examples';

const EXAMPLE = 'new-lead-call.json';
const WAIT_EXAMPLE = 'appointment-reminder.json';
const MASK = '********';

const lead = (phone: string) => ({
	body: {
		firstName: 'Ada',
		lastName: 'Lovelace',
		phone,
		source: 'website form',
		createdAt: new Date().toISOString(),
	},
});

interface Target {
	credentials: { cloudId: string; authToken: string; baseUrl: string };
	phone: string;
	close: () => Promise<void>;
	received: () => unknown[];
	emulator?: SamespaceEmulator;
}

async function emulatorTarget(): Promise<Target> {
	const { SamespaceEmulator } = await import('./emulator');
	// Calls are played out at a fifth of real time: a few seconds each.
	const emulator = await SamespaceEmulator.start({ simulateCalls: { timeScale: 0.2 } });
	return {
		emulator,
		credentials: {
			cloudId: emulator.cloudId,
			authToken: emulator.authToken,
			baseUrl: emulator.baseUrl,
		},
		phone: '+1 (415) 555-0199',
		close: () => emulator.close(),
		received: () => emulator.requests.map((request) => request.body),
	};
}

function liveTarget(): Target {
	const env = process.env;
	const missing = ['SAMESPACE_CLOUD_ID', 'SAMESPACE_AUTH_TOKEN', 'SAMESPACE_TO'].filter(
		(name) => !env[name],
	);
	if (missing.length > 0) {
		console.error(
			`--live sends a real call, so it needs: ${missing.join(', ')}.\n` +
				'Example: SAMESPACE_CLOUD_ID=acme SAMESPACE_AUTH_TOKEN=... SAMESPACE_TO=14155550123 npm start -- --live\n' +
				'Optional: SAMESPACE_BASE_URL (default https://api.samespace.com/api/public/v1).',
		);
		process.exit(2);
	}
	return {
		credentials: {
			cloudId: env.SAMESPACE_CLOUD_ID as string,
			authToken: env.SAMESPACE_AUTH_TOKEN as string,
			baseUrl: env.SAMESPACE_BASE_URL || 'https://api.samespace.com/api/public/v1',
		},
		phone: env.SAMESPACE_TO as string,
		close: async () => {},
		received: () => [],
	};
}

function masked(value: unknown, secret: string): string {
	return JSON.stringify(value, null, 2).split(secret).join(MASK);
}

/** The appointment example's Samespace node (Call and Wait for Answer), waiting and resumed. */
async function callAndWait(
	target: Target,
	runWorkflow: typeof import('./engine').runWorkflow,
): Promise<void> {
	const { WaitingWebhookServer } = await import('./waiting');
	const emulator = target.emulator as SamespaceEmulator;
	const waits = await WaitingWebhookServer.start();
	const secret = target.credentials.authToken;
	try {
		const example = loadExample(WAIT_EXAMPLE);
		const trigger = runnableExample(WAIT_EXAMPLE, [
			{ body: { firstName: 'Grace', phone: '+1 415 555 0142', when: 'tomorrow at 10' } },
		]).nodes[0];
		const node = example.nodes.find((n) => n.type === 'n8n-nodes-samespace.samespace');
		if (!node) throw new Error(`no Samespace node in examples/${WAIT_EXAMPLE}`);
		emulator.simulator?.pressKeys('14155550142', ['1']);
		console.log(
			`\nCall and wait: the Samespace node of "${example.name}" (examples/${WAIT_EXAMPLE})`,
		);
		const started = Date.now();
		const result = await runWorkflow({
			packageDir: REPO_ROOT,
			nodes: [trigger, node],
			connections: { [trigger.name]: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
			credentials: { samespaceApi: target.credentials },
			webhookWaitingBaseUrl: waits.baseUrl,
		});
		const execution = waits.register(result);
		const report = emulator.placedCalls
			.at(-1)
			?.body.flow.find((step: { type: string }) => step.type === 'http');
		console.log(
			`The execution is ${result.status}: the call reports to ${String(report?.url).replace(/signature=[^&]+/, `signature=${MASK}`)}`,
		);
		await emulator.simulator?.idle();
		console.log('The call, as the emulator played it:');
		for (const step of emulator.simulator?.calls.at(-1)?.path ?? []) {
			const detail =
				step.keys !== undefined
					? `pressed "${step.keys}"`
					: step.request
						? `${step.request.method} -> ${step.request.status ?? step.request.error}`
						: '';
			console.log(
				`  ${((step.at - started) / 1000).toFixed(1).padStart(5)} s  ${step.type.padEnd(7)} ${step.id.padEnd(7)} ${detail}`,
			);
		}
		console.log('What the Samespace node output after the call reported back:');
		console.log(
			masked(execution.result?.outputs[node.name]?.map((item) => item.json) ?? [], secret),
		);
		if (execution.result?.status !== 'success') process.exitCode = 1;
	} finally {
		await waits.close();
	}
}

async function main() {
	const live = process.argv.includes('--live');
	// n8n-core stores an instance key on first use; keep it out of the user's home folder.
	const userFolder = mkdtempSync(path.join(tmpdir(), 'n8n-nodes-samespace-start-'));
	process.env.N8N_USER_FOLDER ??= userFolder;
	const { runWorkflow } = await import('./engine');

	const target = live ? liveTarget() : await emulatorTarget();
	const secret = target.credentials.authToken;
	try {
		const workflow = runnableExample(EXAMPLE, [lead(target.phone)]);
		console.log(`Running "${workflow.name}" (examples/${EXAMPLE}) through n8n's execution engine`);
		console.log(
			live
				? `against the REAL Samespace API at ${target.credentials.baseUrl}\n`
				: `against the Samespace API emulator at ${target.credentials.baseUrl}\n`,
		);

		const result = await runWorkflow({
			packageDir: REPO_ROOT,
			nodes: workflow.nodes,
			connections: workflow.connections,
			credentials: { samespaceApi: target.credentials },
		});

		if (!live) {
			console.log('What the emulator received (POST /call/flow, auth token masked):');
			console.log(masked(target.received(), secret));
			console.log();
		}
		console.log('What the Samespace node output:');
		console.log(masked(result.outputs.Samespace?.map((item) => item.json) ?? [], secret));
		for (const hint of result.hints.Samespace ?? [])
			console.log(`Hint: ${masked((hint as { message?: string }).message, secret)}`);
		if (result.error) {
			console.error(`\nThe workflow failed: ${masked(result.error.message, secret)}`);
			if (result.error.description) console.error(masked(result.error.description, secret));
			process.exitCode = 1;
		}
		if (target.emulator) await callAndWait(target, runWorkflow);
	} finally {
		await target.close();
		rmSync(userFolder, { recursive: true, force: true });
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
