/**
 * The credential's test request, run the way n8n's credential tester runs it: as the routing
 * request of a declarative node, through n8n's engine, with the credential's own
 * `authenticate`, and judged by the credential's rules (n8n's CredentialsTester logic: a thrown
 * HTTP error whose status matches a `responseCode` rule fails with that rule's message; any other
 * non-2xx fails; an error without an answer fails with its code; everything else passes).
 * It submits an empty flow (it can never ring anyone), goes where the node would send, and never
 * follows a redirect with the token in its body.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ICredentialTestRequest } from 'n8n-workflow';

import type { SamespaceEmulator } from '../../dev/emulator';
import { chain, itemsNode, runWorkflow } from '../../dev/engine';
import { REPO_ROOT } from '../../dev/examples';
import { json, useServers } from '../support/hostile-server';
import {
	CLOUD_ID,
	SECRET_TOKEN,
	secretShapes,
	startEmulator,
	visibleText,
} from '../support/samespace';

let emulator: SamespaceEmulator;
let packageDir: string;
let testRequest: ICredentialTestRequest;
const startServer = useServers();

beforeAll(async () => {
	emulator = await startEmulator();
	// A package holding our built credential and a declarative node whose only request is the
	// credential's test request, as n8n's credential tester builds one.
	packageDir = mkdtempSync(path.join(tmpdir(), 'samespace-credential-test-'));
	// The whole build, since the credential requires the node's shared credential rules.
	cpSync(path.join(REPO_ROOT, 'dist'), path.join(packageDir, 'dist'), { recursive: true });
	const builtCredential = path.join(
		REPO_ROOT,
		'dist',
		'credentials',
		'SamespaceApi.credentials.js',
	);
	testRequest = new (require(builtCredential).SamespaceApi)().test;
	writeFileSync(
		path.join(packageDir, 'package.json'),
		JSON.stringify({
			name: 'n8n-nodes-credential-tester',
			version: '0.0.0',
			n8n: {
				n8nNodesApiVersion: 1,
				credentials: ['dist/credentials/SamespaceApi.credentials.js'],
				nodes: ['dist/nodes/Tester.node.js'],
			},
		}),
	);
	writeFileSync(
		path.join(packageDir, 'dist', 'nodes', 'Tester.node.js'),
		`const { SamespaceApi } = require('../credentials/SamespaceApi.credentials.js');
class Tester {
	constructor() {
		this.description = {
			displayName: 'Tester', name: 'tester', group: ['transform'], version: 1, description: '',
			defaults: { name: 'Tester' }, inputs: ['main'], outputs: ['main'],
			credentials: [{ name: 'samespaceApi', required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', default: '',
				routing: { request: new SamespaceApi().test.request } }],
		};
	}
}
module.exports = { Tester };
`,
	);
});

afterAll(async () => {
	await emulator.close();
	rmSync(packageDir, { recursive: true, force: true });
});
beforeEach(() => emulator.reset());

/** Runs the test request and judges it as n8n's CredentialsTester does. */
async function testCredential(
	overrides: Partial<{ cloudId: string; authToken: string; baseUrl: string }> = {},
) {
	const credentials = {
		cloudId: CLOUD_ID,
		authToken: SECRET_TOKEN,
		baseUrl: emulator.baseUrl,
		...overrides,
	};
	const result = await runWorkflow({
		packageDir,
		nodes: [
			itemsNode('Start', [{}]),
			{
				id: 't',
				name: 'Tester',
				type: 'n8n-nodes-credential-tester.tester',
				typeVersion: 1,
				position: [200, 0],
				parameters: {},
			},
		],
		connections: chain('Start', 'Tester'),
		credentials: { samespaceApi: credentials },
	});
	if (!result.error) return { status: 'OK' as const, result };
	const raw = result.error.raw as { httpCode?: string; cause?: { code?: string } };
	const httpCode = Number(raw?.httpCode);
	const rule = testRequest.rules?.find(
		(r) => r.type === 'responseCode' && r.properties.value === httpCode,
	);
	const message = rule
		? String(rule.properties.message)
		: Number.isNaN(httpCode)
			? (raw?.cause?.code ?? result.error.message)
			: result.error.message;
	return { status: 'Error' as const, message, httpCode, result };
}

test('valid credentials pass, and the empty test flow places no call', async () => {
	const outcome = await testCredential();

	expect(outcome.status).toBe('OK');
	expect(emulator.requests).toHaveLength(1);
	expect(emulator.requests[0].body).toEqual({
		cloud_id: CLOUD_ID,
		auth_token: SECRET_TOKEN,
		record: false,
		flow: [],
	});
	expect(emulator.requests[0].status).toBe(400); // the emulator refuses the empty flow itself
	expect(emulator.placedCalls).toHaveLength(0);
});

test('a token and Cloud ID pasted with surrounding whitespace are sent trimmed and pass', async () => {
	const outcome = await testCredential({
		authToken: `  ${SECRET_TOKEN}\n`,
		cloudId: ` ${CLOUD_ID} `,
	});

	expect(outcome.status).toBe('OK');
	expect(emulator.requests[0].body).toEqual(
		expect.objectContaining({ cloud_id: CLOUD_ID, auth_token: SECRET_TOKEN }),
	);
});

test('a wrong token fails with the rule for 401', async () => {
	const outcome = await testCredential({ authToken: 'tok_wrong_credential_test_0c9d8e7f6a5b' });

	expect(outcome).toEqual(
		expect.objectContaining({
			status: 'Error',
			httpCode: 401,
			message: 'Samespace did not accept this Cloud ID and Auth Token',
		}),
	);
	expect(emulator.placedCalls).toHaveLength(0);
});

test('a wrong Base URL fails with the rule for 404', async () => {
	const outcome = await testCredential({ baseUrl: `${emulator.origin}/api/public/v9/` });

	expect(outcome).toEqual(
		expect.objectContaining({
			status: 'Error',
			httpCode: 404,
			message: 'No Samespace Call Flow API answers at this Base URL: check it',
		}),
	);
	expect(emulator.requests[0].path).toBe('/api/public/v9/call/flow');
});

test.each(['/', '//', '/call/flow', '/call/flow/', '/CALL/FLOW'])(
	'a Base URL ending in %s reaches /call/flow, as the node does',
	async (suffix) => {
		const outcome = await testCredential({ baseUrl: `  ${emulator.baseUrl}${suffix} ` });

		expect(outcome.status).toBe('OK');
		expect(emulator.requests.map((request) => request.path)).toEqual(['/api/public/v1/call/flow']);
		expect(visibleText(outcome.result).includes(SECRET_TOKEN)).toBe(false);
	},
);

test.each([
	['file:', 'file:///etc/passwd'],
	['a query', 'BASE?region=eu'],
	['a fragment', 'BASE#v1'],
	['user info', 'BASE_WITH_USER'],
	['a doubled scheme', 'https://https://api.samespace.com/api/public/v1'],
	['no scheme', 'BASE_WITHOUT_SCHEME'],
])(
	'a Base URL with %s is not contacted: the test fails and the token goes nowhere',
	async (_name, pattern) => {
		const baseUrl = pattern
			.replace('BASE_WITH_USER', emulator.baseUrl.replace('http://', 'http://admin:pw12345@'))
			.replace('BASE_WITHOUT_SCHEME', emulator.baseUrl.replace('http://', ''))
			.replace('BASE', emulator.baseUrl);
		const outcome = await testCredential({ baseUrl });

		expect(outcome.status).toBe('Error');
		expect(outcome.message).toBe('Invalid URL');
		expect(emulator.requests).toHaveLength(0);
		expect(visibleText(outcome.result).includes(SECRET_TOKEN)).toBe(false);
	},
);

describe('a redirect is never followed: the token goes nowhere else', () => {
	test.each([301, 302, 303, 307, 308])('HTTP %i', async (status) => {
		const elsewhere = await startServer((_request, response) =>
			json(response, 200, { success: true }),
		);
		const api = await startServer((_request, response) => {
			response.writeHead(status, { location: `${elsewhere.origin}/api/call/flow` });
			response.end();
		});
		const outcome = await testCredential({ baseUrl: api.baseUrl });

		expect(outcome).toEqual(
			expect.objectContaining({
				status: 'Error',
				httpCode: status,
				message: `The Base URL answers with a redirect, which the test does not follow (the token was sent nowhere else): use the address Samespace's API answers at (HTTP ${status})`,
			}),
		);
		expect(api.received).toHaveLength(1);
		expect(elsewhere.received).toHaveLength(0);
	});
});

test('a 5xx answer fails the test; a server that echoes the token does not get it shown', async () => {
	const api = await startServer((request, response) =>
		json(response, 502, { message: `bad gateway for ${request.body}` }),
	);
	const outcome = await testCredential({ baseUrl: api.baseUrl });

	expect(outcome.status).toBe('Error');
	expect(outcome.httpCode).toBe(502);
	const shown = secretShapes(SECRET_TOKEN).filter((shape) =>
		String(outcome.message).includes(shape),
	);
	expect(shown).toEqual([]);
});
