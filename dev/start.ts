/**
 * `npm start`: runs the example workflow `examples/new-lead-call.json` (a CRM lead, then the
 * Samespace node with a call, play, digits, http and connect flow) through n8n's real execution
 * engine, against the bundled Samespace API emulator on 127.0.0.1, and prints what the emulator
 * received (auth token masked) and what the node output.
 *
 * `npm start -- --live` sends to the real Samespace API instead, with credentials given in
 * environment variables (see the README's "Trying it against the real API").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { REPO_ROOT, runnableExample } from './examples';

const EXAMPLE = 'new-lead-call.json';
const MASK = '********';

const lead = (phone: string) => ({
	body: { firstName: 'Ada', lastName: 'Lovelace', phone, source: 'website form', createdAt: new Date().toISOString() },
});

interface Target {
	credentials: { cloudId: string; authToken: string; baseUrl: string };
	phone: string;
	close: () => Promise<void>;
	received: () => unknown[];
}

async function emulatorTarget(): Promise<Target> {
	const { SamespaceEmulator } = await import('./emulator');
	const emulator = await SamespaceEmulator.start();
	return {
		credentials: { cloudId: emulator.cloudId, authToken: emulator.authToken, baseUrl: emulator.baseUrl },
		phone: '+1 (415) 555-0199',
		close: () => emulator.close(),
		received: () => emulator.requests.map((request) => request.body),
	};
}

function liveTarget(): Target {
	const env = process.env;
	const missing = ['SAMESPACE_CLOUD_ID', 'SAMESPACE_AUTH_TOKEN', 'SAMESPACE_TO'].filter((name) => !env[name]);
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
		console.log(live ? `against the REAL Samespace API at ${target.credentials.baseUrl}\n` : `against the Samespace API emulator at ${target.credentials.baseUrl}\n`);

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
		for (const hint of result.hints.Samespace ?? []) console.log(`Hint: ${masked((hint as { message?: string }).message, secret)}`);
		if (result.error) {
			console.error(`\nThe workflow failed: ${masked(result.error.message, secret)}`);
			if (result.error.description) console.error(masked(result.error.description, secret));
			process.exitCode = 1;
		}
	} finally {
		await target.close();
		rmSync(userFolder, { recursive: true, force: true });
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
