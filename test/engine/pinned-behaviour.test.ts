/**
 * Pins what a user sees of the node, so that a restructure of the source tree (files moved and
 * renamed, no behaviour change) can be shown to change nothing: the node and credential types as
 * n8n loads them from dist/; for each Samespace node of each example workflow, what it outputs
 * (after the call answers, for the waiting operations) and what Samespace receives; a few error
 * messages. All compared with test/fixtures/pinned/, written from the current code by
 *
 *   npm run build && UPDATE_PINNED=1 npx jest test/engine/pinned-behaviour.test.ts
 *
 * Nothing is imported from nodes/ or credentials/ (the paths a restructure moves): the harness
 * loads the built package through package.json, as n8n does. Only what differs from run to run is
 * replaced, by named placeholders (see `Normalizer`); everything else must stay byte for byte, the
 * key order of outputs and bodies included (a description's keys are sorted: n8n ignores order).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { nodeNameToToolName, type INode } from 'n8n-workflow';

import {
	chain,
	itemsNode,
	loadedTypes,
	runWorkflow,
	type WorkflowRunResult,
} from '../../dev/engine';
import {
	EXAMPLES_DIR,
	REPO_ROOT,
	loadExample,
	samespaceNode,
	type ExampleWorkflow,
} from '../../dev/examples';
import {
	CLOUD_ID,
	SECRET_TOKEN,
	expectNoSecret,
	secretShapes,
	straightSteps,
	useCallSimulation,
} from '../support/samespace';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'pinned');
const UPDATE = process.env.UPDATE_PINNED === '1';
const PACKAGE = 'n8n-nodes-samespace.';
const TOOL = `${PACKAGE}samespaceTool`;
const HITL = `${PACKAGE}samespaceHitlTool`;
const HOW_TO_UPDATE =
	'`npm run build && UPDATE_PINNED=1 npx jest test/engine/pinned-behaviour.test.ts`';
const { emulator, waits } = useCallSimulation();

// Each test pins its entries; the last test checks (or, with UPDATE_PINNED=1, writes) the files
// as a whole, so that a partial run can never write a partial fixture.

const produced: Record<string, Record<string, unknown>> = {
	'description.json': {},
	'examples.json': {},
};
const pinnedFiles = new Map<string, Record<string, unknown>>();

const asText = (value: unknown) => `${JSON.stringify(value, null, '\t')}\n`;
const leakedShapes = (text: string) =>
	secretShapes(SECRET_TOKEN).filter((shape) => text.includes(shape));

function pinned(file: string): Record<string, unknown> {
	const target = path.join(FIXTURES, file);
	if (!existsSync(target))
		throw new Error(
			`test/fixtures/pinned/${file} is missing: create it from the current code with ${HOW_TO_UPDATE}`,
		);
	if (!pinnedFiles.has(file))
		pinnedFiles.set(file, JSON.parse(readFileSync(target, 'utf8')) as Record<string, unknown>);
	return pinnedFiles.get(file) as Record<string, unknown>;
}

function pin(file: string, key: string, value: unknown): void {
	const text = asText(value);
	expect(leakedShapes(text)).toEqual([]);
	produced[file][key] = JSON.parse(text);
	if (UPDATE) return;
	const expected = pinned(file)[key];
	if (expected === undefined)
		throw new Error(`test/fixtures/pinned/${file} has no entry "${key}": ${HOW_TO_UPDATE}`);
	// toEqual shows a readable diff; the text comparison then also catches a change of key order.
	expect(JSON.parse(text)).toEqual(expected);
	expect(text).toBe(asText(expected));
}

/** JSON with every object's keys sorted: key order means nothing to n8n in a type description.
 * Functions are left out, as in the types n8n sends its editor; a RegExp is kept as its source. */
function sortedKeys(value: unknown): unknown {
	const text = JSON.stringify(value, (_key, v: unknown) =>
		Object.prototype.toString.call(v) === '[object RegExp]' ? String(v) : v,
	);
	const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);
	return JSON.parse(text, (_key, v: unknown) =>
		v === null || typeof v !== 'object' || Array.isArray(v)
			? v
			: Object.fromEntries(Object.entries(v).sort(byKey)),
	) as unknown;
}

test('the node and credential types, as n8n loads them from dist/', async () => {
	const types = await loadedTypes(REPO_ROOT);
	// No tool variants: n8n's CLI, not its loader, makes samespaceTool (usableAsTool) and
	// samespaceHitlTool from the description pinned here, and the CLI is not installed here.
	pin('description.json', 'packageName', types.packageName);
	pin('description.json', 'nodes', sortedKeys(types.nodes));
	pin('description.json', 'credentials', sortedKeys(types.credentials));
});

/**
 * Replaces what is drawn at random or read off the clock by named placeholders: equal values get
 * the same name (the report URL carries the reference the output holds: `<ref1>` in both). Call
 * ids are named by the number called, as concurrent calls are placed in any order. A human
 * review's approve and decline keys are drawn per call: `<approveKey>`, `<declineKey>` where the
 * call says them, in its digit routes and in the keys the simulated person pressed.
 */
class Normalizer {
	private readonly exact = new Map<string, string>([[SECRET_TOKEN, '<authToken>']]);
	private readonly refs = new Map<string, string>();

	constructor(
		results: WorkflowRunResult[],
		private readonly drawn: { approve?: string; decline?: string },
	) {
		for (const call of emulator.placedCalls)
			this.exact.set(call.call_id, `<callId:${String(call.number)}>`);
		// The emulator's Voice APIs give each click, callback and lead an id of their own.
		for (const record of [
			...emulator.voice.clicks,
			...emulator.voice.callbacks,
			...emulator.voice.leadRequests,
		])
			if (typeof record.id === 'string') this.exact.set(record.id, '<voiceId>');
		for (const result of results) {
			this.exact.set(result.executionId, '<executionId>');
			this.exact.set(result.workflowId, '<workflowId>');
		}
	}

	private ref(value: string): string {
		if (!this.refs.has(value)) this.refs.set(value, `<ref${this.refs.size + 1}>`);
		return this.refs.get(value) as string;
	}

	private text(value: string): string {
		let text = value;
		for (const [from, to] of this.exact) text = text.split(from).join(to);
		text = text
			.replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/g, '<timestamp>')
			.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
			.replace(/([?&]signature=)[0-9a-f]{16,}/g, '$1<signature>')
			.replace(
				/([?&]ref=)([A-Za-z0-9]+)/g,
				(_m, head: string, ref: string) => head + this.ref(ref),
			);
		const { approve, decline } = this.drawn;
		if (approve !== undefined)
			text = text
				.replaceAll(`Press ${approve} to approve.`, 'Press <approveKey> to approve.')
				.replaceAll(`Press ${decline} to decline.`, 'Press <declineKey> to decline.');
		return text;
	}

	private drawnKey(key: string): string | undefined {
		if (this.drawn.approve === undefined) return undefined;
		return { [this.drawn.approve]: '<approveKey>', [String(this.drawn.decline)]: '<declineKey>' }[
			key
		];
	}

	value(value: unknown, key = ''): unknown {
		if (typeof value === 'string') {
			if (key === 'callRef' || key === 'approvalRef') return this.ref(value);
			if (key === 'keys') return this.drawnKey(value) ?? value;
			return this.text(value);
		}
		if (Array.isArray(value)) return value.map((v) => this.value(v));
		if (value === null || typeof value !== 'object') return value;
		const entries = Object.entries(value).map(([k, v]) => [
			this.drawnKey(k) ?? this.text(k),
			this.value(v, k),
		]);
		// Digit keys come first in a JS object, ordered by the digits drawn: put the placeholders
		// first, approve then decline, whatever the digits were (a stable sort keeps the rest).
		const rank = (k: unknown) => ['<approveKey>', '<declineKey>', k].indexOf(k);
		entries.sort(([a], [b]) => rank(a) - rank(b));
		return Object.fromEntries(entries);
	}
}

/** What a run shows: its status, error, execution hints and the node's output items. */
function shown(result: WorkflowRunResult, nodeName: string) {
	expectNoSecret(result);
	const { message, description, nodeName: errorNode } = result.error ?? {};
	return {
		status: result.status,
		...(result.error ? { error: { message, description, nodeName: errorNode } } : {}),
		hints: result.hints[nodeName] ?? [],
		output: result.outputs[nodeName] ?? [],
	};
}

/** What Samespace received, in a fixed order (concurrent calls arrive in any order). */
const received = () =>
	emulator.requests
		.map(({ method, path: at, status, body }) => ({ method, path: at, status, body }))
		.map((request) => [JSON.stringify(request), request] as const)
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		.map(([, request]) => request);

interface Run {
	node: INode;
	items: Array<Record<string, unknown>>;
	/** Keys the person called presses at the call's Gather Digits steps, by number called. */
	press?: { number: string; keys: string[] };
}

/**
 * Runs the node on the items (from a harness trigger), lets a waiting run's call answer and
 * resumes it; returns all it showed and sent, normalized.
 */
async function record({ node, items, press }: Run) {
	if (press) emulator.simulator?.pressKeys(press.number, press.keys);
	const startedAt = Date.now();
	const result = await runWorkflow({
		packageDir: REPO_ROOT,
		nodes: [itemsNode('Trigger', items), node],
		connections: chain('Trigger', node.name),
		credentials: {
			samespaceApi: {
				cloudId: CLOUD_ID,
				authToken: SECRET_TOKEN,
				baseUrl: emulator.baseUrl,
				voiceApiUrl: emulator.voiceApiUrl,
			},
		},
		webhookWaitingBaseUrl: waits.baseUrl,
	});
	const runs = [result];
	let resumed: unknown;
	const waitTill = result.waiting?.waitTill;
	if (result.status === 'waiting') {
		const execution = waits.register(result);
		await emulator.simulator?.idle();
		if (!execution.result) throw new Error('the simulated call never resumed the execution');
		runs.push(execution.result);
		const path = (emulator.simulator?.calls ?? []).flatMap((call) =>
			call.path.map(({ id, type, keys, request }) => ({ id, type, keys, request })),
		);
		resumed = { ...shown(execution.result, node.name), path };
	}
	await emulator.simulator?.idle();
	// A refused call is in `requests` only.
	const said = emulator.requests
		.flatMap(
			(request) => (request.body as { flow?: Array<{ id: string; text?: string }> }).flow ?? [],
		)
		.find((step) => step.id === 'ask')?.text;
	const drawn =
		node.type === HITL
			? /Press (\d) to approve\. Press (\d) to decline\.$/.exec(String(said))
			: null;
	return new Normalizer(runs, { approve: drawn?.[1], decline: drawn?.[2] }).value({
		...shown(result, node.name),
		// When n8n would end the wait unanswered (Limit Wait Time), in minutes from the run.
		...(waitTill ? { waitsMinutes: Math.round((waitTill.getTime() - startedAt) / 60_000) } : {}),
		...(resumed ? { resumed } : {}),
		received: received(),
	});
}

/** What each example's trigger gives its Samespace node (an example without an entry fails). */
const TRIGGER_ITEMS: Record<string, (example: ExampleWorkflow) => Array<Record<string, unknown>>> =
	{
		// n8n's Webhook node outputs the POSTed JSON as `body`.
		'new-lead-call.json': () => [
			{ body: { firstName: 'Ada', lastName: 'Lovelace', phone: '+1 (415) 555-0199' } },
		],
		'appointment-reminder.json': () => [
			{ body: { firstName: 'Grace', phone: '+1 415 555 0142', when: 'tomorrow at 10' } },
		],
		'crm-lead-to-campaign.json': () => [
			{
				body: {
					firstName: 'Ada',
					lastName: 'Lovelace',
					email: 'ada@example.com',
					company: 'Analytical Engines',
					phone: '+1 (415) 555-0199',
				},
			},
		],
		'website-callback.json': () => [
			{
				body: {
					name: 'Grace Hopper',
					email: 'grace@example.com',
					topic: 'pricing',
					phone: '+44 20 7946 0958',
				},
			},
		],
		'crm-click-to-call.json': () => [
			{
				body: { agent: 'jane', phone: '+1 415 555 0123', contact: 'Ada Lovelace', deal: 'D-1042' },
			},
		],
		// The example's own leads, one item each, as its Set and Split Out nodes make them.
		'bulk-lead-calls.json': (example) => {
			const set = example.nodes.find((n) => n.type === 'n8n-nodes-base.set');
			return (JSON.parse(String(set?.parameters.jsonOutput)) as { leads: [] }).leads;
		},
	};

/** A tool call's arguments, as the agent's model would give them. */
const TOOL_ARGUMENTS: Record<string, string> = {
	phone_number: '+1 415 555 0199',
	message: 'Your demo with Acme is confirmed for tomorrow at 10 am.',
	name: 'Grace Hopper',
	topic: 'pricing',
};

/** The arguments a tool node asks the model for (its `$fromAI` keys), as the model gives them. */
function toolArguments(name: string, node: INode): Record<string, string> {
	const keys = [...JSON.stringify(node.parameters).matchAll(/\$fromAI\('(\w+)'/g)].map((m) => m[1]);
	for (const key of keys)
		if (!(key in TOOL_ARGUMENTS)) throw new Error(`${name}: no value for $fromAI('${key}')`);
	return Object.fromEntries(keys.map((key) => [key, TOOL_ARGUMENTS[key]]));
}

/**
 * One run per Samespace node of an example. A tool (`samespaceTool`) runs the node's own execute
 * (n8n's CLI generates the type from it; the harness knows only `samespace`), with the tool call's
 * arguments as its input item, from which `$fromAI(...)` reads them as in n8n. A human review
 * (`samespaceHitlTool`) gets the tool call of the tool connected to it, and what n8n's generated
 * node sets but the example does not save: its operation and its Message as n8n renders it (see
 * callFlow/sendAndWait.operation.test.ts); the approver presses the approve key said on the call. A callAndWait
 * call is answered with 1 (the appointment is confirmed).
 */
function exampleRuns(file: string): Array<[string, Run]> {
	const example = loadExample(file);
	return example.nodes
		.filter((node) => node.type.startsWith(PACKAGE))
		.map((node): [string, Run] => {
			const name = `${file} ${node.name}`;
			if (node.type === TOOL)
				return [
					name,
					{ node: { ...node, type: `${PACKAGE}samespace` }, items: [toolArguments(name, node)] },
				];
			if (node.type === HITL) {
				const reviewed = Object.entries(example.connections).find(([, outputs]) =>
					outputs.ai_tool?.some((list) => list?.some((c) => c.node === node.name)),
				)?.[0];
				const tool = nodeNameToToolName(String(reviewed));
				const reviewedNode = example.nodes.find((n) => n.name === reviewed) as INode;
				const message = `The agent wants to run this tool: ${tool}\n\nInput:\n[object Object]`;
				return [
					name,
					{
						node: {
							...node,
							parameters: { ...node.parameters, operation: 'sendAndWait', message },
						},
						items: [
							{ tool, toolParameters: toolArguments(name, reviewedNode), toolCallId: 'call_1' },
						],
						press: { number: String(node.parameters.number), keys: ['{approve}'] },
					},
				];
			}
			const trigger = TRIGGER_ITEMS[file];
			if (!trigger) throw new Error(`${name}: say in TRIGGER_ITEMS what its trigger gives`);
			const items = trigger(example);
			if (node.parameters.operation !== 'callAndWait') return [name, { node, items }];
			const phone = String((items[0].body as { phone?: string }).phone).replace(/\D/g, '');
			return [name, { node, items, press: { number: phone, keys: ['1'] } }];
		});
}

const EXAMPLE_RUNS = readdirSync(EXAMPLES_DIR)
	.filter((file) => file.endsWith('.json'))
	.sort()
	.flatMap(exampleRuns);

test.each(EXAMPLE_RUNS)('%s', async (name, run) => {
	pin('examples.json', name, await record(run));
});

// Error messages.
const LEAD = [{ phone: '14155550123' }];
const noNumber = [
	{ type: 'call', callerId: '14155550100' },
	{ type: 'play', text: 'Hi.' },
];
const reviewCall = {
	tool: 'Refund_order',
	toolParameters: { order_id: 1042 },
	toolCallId: 'call_1',
};
/** Each with `refused`: Samespace answers its request 403. */
const ERROR_RUNS: Array<[string, Run & { refused?: boolean }]> = [
	[
		'a Call step without a number',
		{ node: samespaceNode({ steps: { step: noNumber } }), items: LEAD },
	],
	[
		'a call Samespace refuses (HTTP 403)',
		{ node: samespaceNode({ steps: straightSteps() }), items: LEAD, refused: true },
	],
	[
		'a call Samespace refuses (HTTP 403), continue on fail',
		{ node: samespaceNode({ steps: straightSteps() }, true), items: LEAD, refused: true },
	],
	[
		'a human review whose call Samespace refuses (HTTP 403)',
		{
			node: {
				...samespaceNode({
					operation: 'sendAndWait',
					number: '14155550177',
					callerId: '14155550100',
					message: `The agent wants to run this tool: ${reviewCall.tool}\n\nInput:\n[object Object]`,
				}),
				type: HITL,
			},
			items: [reviewCall],
			refused: true,
		},
	],
];

const RUNS = EXAMPLE_RUNS.length + ERROR_RUNS.length;

test.each(ERROR_RUNS)('error: %s', async (name, run) => {
	if (run.refused) emulator.inject({ kind: 'status', status: 403, message: 'not allowed' });
	pin('examples.json', `error: ${name}`, await record(run));
});

test('the fixtures hold exactly the entries above', () => {
	const count = (file: string) => Object.keys(produced[file]).length;
	if (count('description.json') !== 3 || count('examples.json') !== RUNS)
		throw new Error('some tests above failed or were filtered out: run the whole file');
	for (const [file, entries] of Object.entries(produced)) {
		if (UPDATE) {
			mkdirSync(FIXTURES, { recursive: true });
			const text = asText(entries);
			expect(leakedShapes(text)).toEqual([]);
			writeFileSync(path.join(FIXTURES, file), text);
			console.log(`UPDATE_PINNED=1: wrote test/fixtures/pinned/${file} from the current code`);
		} else expect(Object.keys(pinned(file)).sort()).toEqual(Object.keys(entries).sort());
	}
});
