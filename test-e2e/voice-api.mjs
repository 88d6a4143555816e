// The Voice API operations in real n8n (called by test-e2e/run.mjs while n8n runs): each example
// posted to its production webhook reaches the emulator's Voice API with the body Samespace's page
// names, the token only where the page lists it; and an AI Agent books a callback through the
// Request Callback tool with the scripted model.
import { EMULATOR_AUTH_TOKEN, EMULATOR_CLOUD_ID, EXAMPLE_POSTS } from '../dev/n8n/config.mjs';
import { n8nCli, parseExecutionOutput } from '../dev/n8n/n8n.mjs';
import { assert, until } from './checks.mjs';
import { executionById, executionsOf, outputOf } from './waiting.mjs';

/** What the Voice API must receive when each webhook example is posted its EXAMPLE_POSTS body. */
const CASES = [
	{
		file: 'crm-lead-to-campaign.json',
		path: '/router/api/v2/campaign/add',
		expected: {
			campaign: 'Spring Renewals',
			team_name: 'Sales',
			source: 'Web leads',
			number: '14155550199',
			data: { name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Engines' },
			cloud_id: EMULATOR_CLOUD_ID,
			auth_token: EMULATOR_AUTH_TOKEN,
		},
	},
	{
		file: 'website-callback.json',
		path: '/apiv1/team/make_call',
		expected: {
			space_id: EMULATOR_CLOUD_ID,
			team_name: 'Sales',
			number: '442079460958',
			attributes: { name: 'Grace Hopper', email: 'grace@example.com', topic: 'pricing' },
		},
	},
	{
		file: 'crm-click-to-call.json',
		path: '/apiv1/make_call',
		expected: {
			username: `jane@${EMULATOR_CLOUD_ID}`,
			number: '14155550123',
			custom: { contact: 'Ada Lovelace', deal: 'D-1042' },
		},
	},
];

const canonical = (value) =>
	JSON.stringify(value, (_k, v) =>
		v && typeof v === 'object' && !Array.isArray(v)
			? Object.fromEntries(Object.entries(v).sort())
			: v,
	);

export async function checkVoiceWebhooks({ check, n8n, rest, emulator, example }) {
	for (const { file, path, expected } of CASES) {
		const post = EXAMPLE_POSTS[file];
		const workflow = example(file);
		await check(
			`webhook: ${file} sends its Voice API request (${path}) with the page's fields`,
			async () => {
				emulator.reset();
				const hook = workflow.workflow.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
				const posted = Date.now();
				const res = await fetch(`${n8n.url}/webhook/${hook.parameters.path}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(post),
				});
				assert(res.ok, `webhook answered ${res.status}: ${await res.text()}`);
				const received = await until('the Voice API request', () =>
					emulator.requests.find((r) => r.path === path),
				);
				assert(
					canonical(received.body) === canonical(expected),
					`received ${JSON.stringify(received.body)}`,
				);
				if (!('auth_token' in expected))
					assert(
						!String(received.rawBody).includes(EMULATOR_AUTH_TOKEN),
						'the token reached an API that takes none',
					);
				const done = await until('the execution finished', async () =>
					(await executionsOf(rest, workflow.id)).find(
						(e) => new Date(e.startedAt).getTime() >= posted - 1000 && e.status !== 'running',
					),
				);
				assert(done.status === 'success', `execution ${done.id} ended ${done.status}`);
				const sent = emulator.requests.filter((r) => r.path === path).length;
				assert(sent === 1, `${path} received ${sent} requests for one post`);
				const node = workflow.workflow.nodes.find(
					(n) => n.type === 'n8n-nodes-samespace.samespace',
				);
				const [out] = outputOf(await executionById(rest, done.id), node.name);
				assert(out?.success === true && out.submitted, `node output: ${JSON.stringify(out)}`);
				assert(!JSON.stringify(out).includes(EMULATOR_AUTH_TOKEN), 'the token is in the output');
				return `${path}: ${JSON.stringify(received.body).slice(0, 160)}…, once; output success with submitted`;
			},
		);
	}
}

/**
 * Headless, before the server starts (`n8n execute`): the AI Agent of
 * ai-agent-books-callbacks.json, with the scripted model, books a callback through the Request
 * Callback tool.
 */
export async function checkCallbackAgent({ check, env, emulator, llm, example }) {
	const agent = example('ai-agent-books-callbacks.json');
	await check(
		`n8n execute: ${agent.file}: the agent books a callback with the Sales team through the Request Callback tool`,
		async () => {
			emulator.reset();
			llm.requests.length = 0;
			const r = await n8nCli(['execute', `--id=${agent.id}`, '--rawOutput'], { env });
			const run = parseExecutionOutput(r.stdout);
			assert(run.status === 'success', `execution status ${run.status}\n${r.stderr.slice(-1500)}`);
			const toolNode = agent.workflow.nodes.find(
				(n) => n.type === 'n8n-nodes-samespace.samespaceTool',
			);
			const offered = llm.requests[0]?.body.tools?.map((t) => t.function) ?? [];
			const tool = offered.find((f) => /Samespace/.test(f.name));
			assert(
				tool?.description === toolNode.parameters.toolDescription,
				`tools offered: ${JSON.stringify(offered.map((f) => [f.name, f.description]))}`,
			);
			const params = Object.keys(tool.parameters?.properties ?? {}).sort();
			assert(
				JSON.stringify(params) === JSON.stringify(['name', 'phone_number', 'topic']),
				`tool parameters: ${params}`,
			);
			const received = emulator.requests.filter((q) => q.path === '/apiv1/team/make_call');
			assert(received.length === 1, `${received.length} callback requests`);
			assert(
				received[0].body.team_name === 'Sales' &&
					received[0].body.number === '442079460958' &&
					!String(received[0].rawBody).includes(EMULATOR_AUTH_TOKEN),
				`received ${JSON.stringify(received[0].body)}`,
			);
			return `tool "${tool.name}" (${params.join(', ')}); the Sales team was asked to call ${received[0].body.number}`;
		},
	);
}
