// Prepares an n8n user folder for `npm run dev`, the bench and the e2e test: the packed package
// installed as a community node, the "Samespace (emulator)" credential (and one for the scripted
// chat model), and the example workflows (or the bench's) imported with their credentials pointed
// at those, webhook workflows published. Uses n8n's own CLI (`import:credentials`,
// `import:workflow`, `publish:workflow`), so it runs while that instance's server is stopped;
// startInstance then starts it.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { installTarball, packPackage, recordInstalledPackage } from './community-install.mjs';
import {
	CREDENTIAL,
	EMULATOR_AUTH_TOKEN,
	EMULATOR_CLOUD_ID,
	EXAMPLES_DIR,
	N8N_LINE,
	N8N_MAJOR,
	N8N_VERSION,
	shownPath,
} from './config.mjs';
import { installN8n } from './install.mjs';
import { N8nRest, n8nCli, n8nCliOk, n8nEnv, publishWorkflowArgs, startN8n } from './n8n.mjs';

/** The credential the AI-agent example's chat model gets: the scripted model on 127.0.0.1. */
export const LLM_CREDENTIAL = {
	id: 'scriptedOpenAi01',
	name: 'Scripted chat model (offline)',
	type: 'openAiApi',
};

/** A stable n8n-style workflow id (16 alphanumerics) for an example file. */
export const exampleWorkflowId = (fileName) =>
	`ex${createHash('sha256').update(fileName).digest('hex').slice(0, 14)}`;

export function listExamples() {
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((file) => {
			const workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
			return { file, id: exampleWorkflowId(file), name: workflow.name, workflow };
		});
}

/**
 * The example as imported: a stable id, every credential reference pointed at ours, and n8n's own
 * nodes at a version this n8n line has (config.mjs `nodeVersions`; our nodes are never changed).
 */
export function importableExample({ workflow, id }) {
	const copy = structuredClone(workflow);
	copy.id = id;
	copy.active = false;
	const ours = { [CREDENTIAL.type]: CREDENTIAL, [LLM_CREDENTIAL.type]: LLM_CREDENTIAL };
	for (const node of copy.nodes) {
		const newest = N8N_LINE.nodeVersions?.[node.type];
		if (newest !== undefined && node.typeVersion > newest) node.typeVersion = newest;
		for (const { id, name, type } of Object.values(ours))
			if (node.credentials?.[type]) node.credentials[type] = { id, name };
	}
	return copy;
}

export const hasWebhookTrigger = (workflow) =>
	workflow.nodes.some((n) => n.type === 'n8n-nodes-base.webhook');

/**
 * Why this n8n cannot run the example, or undefined. n8n 1.x generates no `<node>HitlTool`
 * (human review for AI tool calls arrived in 2.x), so a workflow using it is imported but not
 * activated there (n8n would refuse its unknown node type at start).
 */
export function unsupportedReason(workflow) {
	if (N8N_MAJOR < 2 && workflow.nodes.some((n) => n.type.endsWith('HitlTool'))) {
		return `n8n ${N8N_VERSION} has no human-review (HitlTool) node types; n8n generates them from 2.x on`;
	}
	return undefined;
}

/**
 * The first n8n command on a new user folder creates the SQLite database and runs every migration.
 * Once, on a loaded clean machine, that failed with `SQLITE_ERROR: table "role" already exists`,
 * most likely a migration half-applied on n8n's pooled SQLite connections (not seen again in three
 * clean runs since, so not confirmed). The
 * database is ours and new, so a failed migration is retried once on a fresh file; the retry is
 * logged, and a second failure is reported with n8n's output.
 */
async function firstCommandOnNewDatabase(args, { env, userFolder, log }) {
	const first = await n8nCli(args, { env });
	if (first.code === 0) return first;
	const output = `${first.stdout}\n${first.stderr}`;
	if (!/migration|SQLITE_ERROR/i.test(output))
		throw new Error(`n8n ${args.join(' ')} exited ${first.code}\n${output}`);
	const reason =
		output.split('\n').find((line) => /SQLITE_ERROR|migration.*fail/i.test(line)) ??
		'a migration failed';
	log(
		`n8n's first migration on the new database failed (${reason.trim()}); retrying once on a fresh database`,
	);
	const dataDir = path.join(userFolder, '.n8n');
	for (const file of fs.readdirSync(dataDir))
		if (file.startsWith('database.sqlite')) fs.rmSync(path.join(dataDir, file), { force: true });
	return await n8nCliOk(args, { env });
}

/**
 * @param {object} o
 * @param {string} o.userFolder     N8N_USER_FOLDER
 * @param {object} o.env            n8nEnv(...) for that folder
 * @param {string} o.tarball        `npm pack` output
 * @param {string} o.emulatorBaseUrl
 * @param {string} [o.llmBaseUrl]
 * @param {boolean} [o.examples]  import the examples (default true; false keeps the instance's copies)
 * @param {object[]} [o.workflows]  import these instead of the examples
 * @param {boolean} [o.recordPackage]  record the package in n8n's SQLite database (default true;
 *   false on Postgres: that row only lists the package in Settings > Community nodes)
 * @param {(msg: string) => void} [o.log]
 */
export async function prepareInstance({
	userFolder,
	env,
	tarball,
	emulatorBaseUrl,
	llmBaseUrl,
	examples: importExamples = true,
	workflows = importExamples ? listExamples().map(importableExample) : [],
	recordPackage = true,
	log = () => {},
}) {
	const timings = {};
	let t = Date.now();
	fs.mkdirSync(userFolder, { recursive: true });
	const { packageDir, packageJson } = installTarball(userFolder, tarball);
	timings.installPackageMs = Date.now() - t;
	log(`installed ${packageJson.name}@${packageJson.version} into ${shownPath(packageDir)}`);

	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'samespace-n8n-import-'));
	try {
		const credentials = [
			{
				id: CREDENTIAL.id,
				name: CREDENTIAL.name,
				type: CREDENTIAL.type,
				data: {
					cloudId: EMULATOR_CLOUD_ID,
					authToken: EMULATOR_AUTH_TOKEN,
					baseUrl: emulatorBaseUrl,
					// The emulator serves the Voice APIs (Campaign, Team, Agent) on the same server.
					voiceApiUrl: new URL(emulatorBaseUrl).origin,
				},
			},
		];
		if (llmBaseUrl) {
			credentials.push({
				id: LLM_CREDENTIAL.id,
				name: LLM_CREDENTIAL.name,
				type: LLM_CREDENTIAL.type,
				data: { apiKey: 'scripted-model-needs-no-key', url: llmBaseUrl, header: false },
			});
		}
		const credFile = path.join(tmp, 'credentials.json');
		fs.writeFileSync(credFile, JSON.stringify(credentials, null, 2));
		t = Date.now();
		await firstCommandOnNewDatabase(['import:credentials', `--input=${credFile}`], {
			env,
			userFolder,
			log,
		});
		timings.importCredentialsMs = Date.now() - t;
		log(
			`imported credential "${CREDENTIAL.name}" -> ${emulatorBaseUrl}${llmBaseUrl ? ` and "${LLM_CREDENTIAL.name}" -> ${llmBaseUrl}` : ''}`,
		);

		// The database exists now: record the package as n8n's installer would.
		if (recordPackage) {
			const types = recordInstalledPackage(userFolder, packageDir);
			log(`recorded the package in n8n's database (nodes: ${types.join(', ')})`);
		}

		if (workflows.length === 0) return { packageDir, packageJson, timings, imported: false };
		const wfDir = path.join(tmp, 'workflows');
		fs.mkdirSync(wfDir);
		for (const workflow of workflows)
			fs.writeFileSync(path.join(wfDir, `${workflow.id}.json`), JSON.stringify(workflow, null, 2));
		t = Date.now();
		await n8nCliOk(['import:workflow', '--separate', `--input=${wfDir}`], { env });
		timings.importWorkflowsMs = Date.now() - t;
		log(`imported ${workflows.length} workflows: ${workflows.map((w) => w.name).join(', ')}`);

		t = Date.now();
		for (const workflow of workflows.filter(hasWebhookTrigger)) {
			const unsupported = unsupportedReason(workflow);
			if (unsupported) {
				log(`not publishing "${workflow.name}": ${unsupported}`);
				continue;
			}
			await n8nCliOk(publishWorkflowArgs(workflow.id), { env });
			log(`published "${workflow.name}" (its production webhook is live when n8n starts)`);
		}
		timings.publishMs = Date.now() - t;
		return { packageDir, packageJson, timings, imported: true };
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

/**
 * For `npm run dev` and the bench: n8n installed (once), this package packed and installed into
 * `userFolder` with the credentials and the workflows (prepareInstance's options), then the server
 * started on `port` and its owner signed in. Returns the server, the REST client and what
 * prepareInstance returned.
 */
export async function startInstance({ userFolder, port, brokerPort, logLevel, start, ...prepare }) {
	installN8n();
	const pack = packPackage();
	prepare.log?.(`packed ${path.basename(pack.tarball)} (${pack.files.length} files)`);
	const env = n8nEnv({ userFolder, port, brokerPort, logLevel });
	const prepared = await prepareInstance({
		userFolder,
		env,
		tarball: pack.tarball,
		...prepare,
	}).finally(() => fs.rmSync(path.dirname(pack.tarball), { recursive: true, force: true }));
	const server = await startN8n({ env, port, ...start });
	const rest = new N8nRest(server.url);
	await rest.setupOwner();
	await rest.login();
	return { server, rest, prepared };
}
