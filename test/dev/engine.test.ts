/**
 * The engine harness (dev/engine.ts): proved against n8n's real engine with a tiny fixture
 * community package written to a temp folder (so this test does not depend on our own package
 * being built).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INode } from 'n8n-workflow';

import { chain, itemsNode, runWorkflow, HARNESS_NOOP_NODE_TYPE } from '../../dev/engine';

const SECRET = 'tok-SECRET-4d1c9e';

const fixtureFiles: Record<string, string> = {
	'package.json': JSON.stringify({
		name: 'n8n-nodes-fixture',
		version: '0.0.1',
		n8n: {
			n8nNodesApiVersion: 1,
			credentials: ['dist/credentials/FixtureApi.credentials.js'],
			nodes: ['dist/nodes/Fixture/Fixture.node.js', 'dist/nodes/Boom/Boom.node.js'],
		},
	}),
	'dist/credentials/FixtureApi.credentials.js': `
class FixtureApi {
	constructor() {
		this.name = 'fixtureApi';
		this.displayName = 'Fixture API';
		this.properties = [
			{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
			{ displayName: 'Region', name: 'region', type: 'string', default: 'eu' },
		];
		this.authenticate = {
			type: 'generic',
			properties: { body: { auth_token: '={{$credentials.token}}' } },
		};
	}
}
module.exports = { FixtureApi };
`,
	'dist/nodes/Fixture/Fixture.node.js': `
class Fixture {
	constructor() {
		this.description = {
			displayName: 'Fixture',
			name: 'fixture',
			group: ['transform'],
			version: 1,
			description: 'POSTs {hello} with the credential injected',
			defaults: { name: 'Fixture' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'fixtureApi', required: true }],
			properties: [
				{ displayName: 'URL', name: 'url', type: 'string', default: '' },
				{ displayName: 'Greeting', name: 'greeting', type: 'string', default: '' },
			],
		};
	}
	async execute() {
		const items = this.getInputData();
		const out = [];
		for (let i = 0; i < items.length; i++) {
			const url = this.getNodeParameter('url', i);
			const greeting = this.getNodeParameter('greeting', i);
			const credentials = await this.getCredentials('fixtureApi');
			const response = await this.helpers.httpRequestWithAuthentication.call(this, 'fixtureApi', {
				method: 'POST',
				url,
				body: { hello: greeting },
				json: true,
			});
			this.logger.info('fixture sent item', { itemIndex: i });
			out.push({ json: { greeting, region: credentials.region, response }, pairedItem: { item: i } });
		}
		this.addExecutionHints({ message: 'fixture hint', location: 'outputPane' });
		return [out];
	}
}
module.exports = { Fixture };
`,
	'dist/nodes/Boom/Boom.node.js': `
class Boom {
	constructor() {
		this.description = {
			displayName: 'Boom',
			name: 'boom',
			group: ['transform'],
			version: 1,
			description: 'Always throws',
			defaults: { name: 'Boom' },
			inputs: ['main'],
			outputs: ['main'],
			properties: [{ displayName: 'Reason', name: 'reason', type: 'string', default: 'no reason' }],
		};
	}
	async execute() {
		throw new Error('Boom: ' + this.getNodeParameter('reason', 0));
	}
}
module.exports = { Boom };
`,
};

interface Received {
	url: string;
	body: Record<string, unknown>;
}

let packageDir: string;
let userFolder: string;
let server: http.Server;
let baseUrl: string;
const received: Received[] = [];

beforeAll(async () => {
	// The harness would create one itself, but jest's sandboxed `process` never emits 'exit',
	// so the harness could not remove it: own it here (before the first run loads n8n-core).
	userFolder = mkdtempSync(path.join(tmpdir(), 'n8n-harness-test-'));
	process.env.N8N_USER_FOLDER = userFolder;

	packageDir = mkdtempSync(path.join(tmpdir(), 'n8n-fixture-pkg-'));
	for (const [file, content] of Object.entries(fixtureFiles)) {
		mkdirSync(path.dirname(path.join(packageDir, file)), { recursive: true });
		writeFileSync(path.join(packageDir, file), content);
	}

	server = http.createServer((req, res) => {
		let raw = '';
		req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
		req.on('end', () => {
			const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
			received.push({ url: req.url ?? '', body });
			if (req.url === '/slow') return; // never answers: for the cancel test
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ ok: true, echo: body.hello }));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
	rmSync(packageDir, { recursive: true, force: true });
	rmSync(userFolder, { recursive: true, force: true });
});

beforeEach(() => {
	received.length = 0;
});

function fixtureNode(parameters: Record<string, string>, extra: Partial<INode> = {}): INode {
	return {
		id: 'fixture-1',
		name: 'Fixture',
		type: 'n8n-nodes-fixture.fixture',
		typeVersion: 1,
		position: [200, 0],
		parameters,
		...extra,
	};
}

const boomNode: INode = {
	id: 'boom-1',
	name: 'Boom',
	type: 'n8n-nodes-fixture.boom',
	typeVersion: 1,
	position: [200, 0],
	parameters: { reason: 'on purpose' },
};

describe('runWorkflow (n8n engine harness)', () => {
	test('runs items -> package node -> noOp with the credential injected into the body', async () => {
		const result = await runWorkflow({
			packageDir,
			nodes: [
				itemsNode('CRM', [{ x: 'alice' }, { x: 'bob' }]),
				fixtureNode({ url: `=${baseUrl}/calls`, greeting: '={{ $json.x }}' }),
				{
					id: 'noop-1',
					name: 'After',
					type: HARNESS_NOOP_NODE_TYPE,
					typeVersion: 1,
					position: [400, 0],
					parameters: {},
				},
			],
			connections: chain('CRM', 'Fixture', 'After'),
			credentials: { fixtureApi: { token: SECRET } },
		});

		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');

		// The credential's generic `authenticate` put the token into the JSON body.
		expect(received).toEqual([
			{ url: '/calls', body: { hello: 'alice', auth_token: SECRET } },
			{ url: '/calls', body: { hello: 'bob', auth_token: SECRET } },
		]);

		// One output item per input item, paired; `={{ $json.x }}` evaluated per item;
		// the credential type's default (`region`) applied.
		expect(result.outputs.Fixture).toEqual([
			{
				json: { greeting: 'alice', region: 'eu', response: { ok: true, echo: 'alice' } },
				pairedItem: { item: 0 },
			},
			{
				json: { greeting: 'bob', region: 'eu', response: { ok: true, echo: 'bob' } },
				pairedItem: { item: 1 },
			},
		]);
		expect(result.outputs.CRM.map((i) => i.json)).toEqual([{ x: 'alice' }, { x: 'bob' }]);
		expect(result.outputs.After.map((i) => i.json.greeting)).toEqual(['alice', 'bob']);

		expect(result.hints.Fixture).toEqual([{ message: 'fixture hint', location: 'outputPane' }]);
		expect(result.runData.Fixture).toHaveLength(1);

		// The node's logger and the engine's own logging are captured; the token is not in them.
		expect(
			result.logs.some(
				(l) => l.startsWith('info fixture sent item') && l.includes('"itemIndex":1'),
			),
		).toBe(true);
		expect(result.logs.some((l) => l.includes('Workflow execution started'))).toBe(true);
		expect(result.logs.join('\n')).not.toContain(SECRET);
	});

	test('a node that throws gives the execution error with its message', async () => {
		const result = await runWorkflow({
			packageDir,
			nodes: [itemsNode('CRM', [{ x: 1 }]), boomNode],
			connections: chain('CRM', 'Boom'),
		});

		expect(result.status).toBe('error');
		expect(result.error).toMatchObject({ message: 'Boom: on purpose', nodeName: 'Boom' });
		expect(result.outputs.Boom).toBeUndefined();
		expect(result.runData.Boom[0].error?.message).toBe('Boom: on purpose');
		// The engine logs the failure through the captured logger. (Its ErrorReporter also logs
		// plain `Error`s, but sanitized to the class name and stack, without the message.)
		expect(
			result.logs.some((l) => l.startsWith('debug Running node "Boom" finished with error')),
		).toBe(true);
		expect(
			result.logs.some(
				(l) =>
					l.startsWith('debug Workflow execution finished with error') &&
					l.includes('Boom: on purpose'),
			),
		).toBe(true);
	});

	test('continue on fail: input items pass through, node error only in runData', async () => {
		const nodes = [
			itemsNode('CRM', [{ x: 1 }, { x: 2 }]),
			{ ...boomNode, onError: 'continueRegularOutput' as const },
			{
				id: 'noop-1',
				name: 'After',
				type: HARNESS_NOOP_NODE_TYPE,
				typeVersion: 1,
				position: [400, 0] as [number, number],
				parameters: {},
			},
		];
		const result = await runWorkflow({
			packageDir,
			nodes,
			connections: chain('CRM', 'Boom', 'After'),
		});

		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		// The engine forwards the node's INPUT items when a continue-on-fail node throws.
		expect(result.outputs.Boom.map((i) => i.json)).toEqual([{ x: 1 }, { x: 2 }]);
		expect(result.outputs.After.map((i) => i.json)).toEqual([{ x: 1 }, { x: 2 }]);
		expect(result.runData.Boom[0].error?.message).toBe('Boom: on purpose');

		// Engine quirk: if that node is the LAST one to run, its error still becomes the
		// execution's error (status `error`), although its output was kept.
		const last = await runWorkflow({
			packageDir,
			nodes: nodes.slice(0, 2),
			connections: chain('CRM', 'Boom'),
		});
		expect(last.status).toBe('error');
		expect(last.error?.message).toBe('Boom: on purpose');
		expect(last.outputs.Boom.map((i) => i.json)).toEqual([{ x: 1 }, { x: 2 }]);
	});

	test('missing credentials surface as a node error', async () => {
		const result = await runWorkflow({
			packageDir,
			nodes: [
				itemsNode('CRM', [{ x: 1 }]),
				fixtureNode({ url: `=${baseUrl}/calls`, greeting: 'hi' }),
			],
			connections: chain('CRM', 'Fixture'),
		});

		expect(result.status).toBe('error');
		expect(result.error?.nodeName).toBe('Fixture');
		expect(result.error?.message).toMatch(/credentials/i);
		expect(received).toHaveLength(0);
	});

	test('unknown node type is refused before anything runs', async () => {
		const result = await runWorkflow({
			packageDir,
			nodes: [itemsNode('CRM', [{ x: 1 }]), { ...boomNode, type: 'n8n-nodes-fixture.nope' }],
			connections: chain('CRM', 'Boom'),
		});

		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/nope/);
	});

	test('aborting the signal cancels a running execution', async () => {
		const controller = new AbortController();
		const running = runWorkflow({
			packageDir,
			nodes: [
				itemsNode('CRM', [{ x: 'a' }, { x: 'b' }]),
				fixtureNode({ url: `=${baseUrl}/slow`, greeting: '={{ $json.x }}' }),
			],
			connections: chain('CRM', 'Fixture'),
			credentials: { fixtureApi: { token: SECRET } },
			signal: controller.signal,
		});
		while (received.length === 0) await new Promise((r) => setTimeout(r, 5));
		controller.abort();
		const result = await running;

		expect(result.status).toBe('canceled');
		expect(result.error?.message).toMatch(/cancel/i);
		// The in-flight request was aborted and the second item never sent.
		expect(received).toHaveLength(1);
	});

	test('repeated and concurrent runs keep their logs apart', async () => {
		const run = (x: string) =>
			runWorkflow({
				packageDir,
				nodes: [
					itemsNode('CRM', [{ x }]),
					fixtureNode({ url: `=${baseUrl}/calls`, greeting: '={{ $json.x }}' }),
				],
				connections: chain('CRM', 'Fixture'),
				credentials: { fixtureApi: { token: SECRET } },
			});
		const [a, b] = await Promise.all([run('one'), run('two')]);
		expect(a.outputs.Fixture[0].json.greeting).toBe('one');
		expect(b.outputs.Fixture[0].json.greeting).toBe('two');
		expect(a.logs.filter((l) => l.includes('Workflow execution started'))).toHaveLength(1);
		expect(b.logs.filter((l) => l.includes('Workflow execution started'))).toHaveLength(1);
	});
});
