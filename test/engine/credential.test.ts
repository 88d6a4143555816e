/**
 * The credential's test request, run the way n8n's credential tester runs it: as the routing
 * request of a declarative node, through n8n's engine, with the credential's own generic
 * `authenticate`, and judged by the credential's rules (n8n's CredentialsTester logic: a thrown
 * HTTP error whose status matches a `responseCode` rule fails with that rule's message; any other
 * non-2xx fails; everything else passes).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ICredentialTestRequest } from 'n8n-workflow';

import type { SamespaceEmulator } from '../../dev/emulator';
import { chain, itemsNode, runWorkflow } from '../../dev/engine';
import { REPO_ROOT } from '../../dev/examples';
import { CLOUD_ID, SECRET_TOKEN, startEmulator, visibleText } from '../support/samespace';

let emulator: SamespaceEmulator;
let packageDir: string;
let testRequest: ICredentialTestRequest;

beforeAll(async () => {
	emulator = await startEmulator();
	// A package holding our built credential and a declarative node whose only request is the
	// credential's test request, as n8n's credential tester builds one.
	packageDir = mkdtempSync(path.join(tmpdir(), 'samespace-credential-test-'));
	mkdirSync(path.join(packageDir, 'dist', 'credentials'), { recursive: true });
	mkdirSync(path.join(packageDir, 'dist', 'nodes'), { recursive: true });
	const builtCredential = path.join(REPO_ROOT, 'dist', 'credentials', 'SamespaceApi.credentials.js');
	copyFileSync(builtCredential, path.join(packageDir, 'dist', 'credentials', 'SamespaceApi.credentials.js'));
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
async function testCredential(credentials: { cloudId: string; authToken: string; baseUrl: string }) {
	const result = await runWorkflow({
		packageDir,
		nodes: [
			itemsNode('Start', [{}]),
			{ id: 't', name: 'Tester', type: 'n8n-nodes-credential-tester.tester', typeVersion: 1, position: [200, 0], parameters: {} },
		],
		connections: chain('Start', 'Tester'),
		credentials: { samespaceApi: credentials },
	});
	if (!result.error) return { status: 'OK' as const, result };
	const httpCode = Number((result.error.raw as { httpCode?: string })?.httpCode);
	const rule = testRequest.rules?.find((r) => r.type === 'responseCode' && r.properties.value === httpCode);
	return { status: 'Error' as const, message: rule ? String(rule.properties.message) : result.error.message, httpCode, result };
}

test('valid credentials pass, and the empty test flow places no call', async () => {
	const outcome = await testCredential({ cloudId: CLOUD_ID, authToken: SECRET_TOKEN, baseUrl: emulator.baseUrl });

	expect(outcome.status).toBe('OK');
	expect(emulator.requests).toHaveLength(1);
	expect(emulator.requests[0].body).toEqual({ cloud_id: CLOUD_ID, auth_token: SECRET_TOKEN, record: false, flow: [] });
	expect(emulator.requests[0].status).toBe(400); // the emulator refuses the empty flow itself
	expect(emulator.placedCalls).toHaveLength(0);
});

test('a wrong token fails with the rule for 401', async () => {
	const wrongToken = 'tok_wrong_credential_test_0c9d8e7f6a5b';
	const outcome = await testCredential({ cloudId: CLOUD_ID, authToken: wrongToken, baseUrl: emulator.baseUrl });

	expect(outcome).toEqual(expect.objectContaining({ status: 'Error', httpCode: 401, message: 'Samespace did not accept this Cloud ID and Auth Token' }));
	expect(emulator.placedCalls).toHaveLength(0);
});

test('a wrong Base URL (trailing slash tolerated) fails with the rule for 404', async () => {
	const outcome = await testCredential({ cloudId: CLOUD_ID, authToken: SECRET_TOKEN, baseUrl: `${emulator.origin}/api/public/v9/` });

	expect(outcome).toEqual(
		expect.objectContaining({ status: 'Error', httpCode: 404, message: 'No Samespace Call Flow API answers at this Base URL: check it' }),
	);
	expect(emulator.requests[0].path).toBe('/api/public/v9/call/flow');
});

test('a Base URL with a trailing slash still reaches /call/flow', async () => {
	const outcome = await testCredential({ cloudId: CLOUD_ID, authToken: SECRET_TOKEN, baseUrl: `${emulator.baseUrl}/` });

	expect(outcome.status).toBe('OK');
	expect(emulator.requests[0].path).toBe('/api/public/v1/call/flow');
	expect(visibleText(outcome.result).includes(SECRET_TOKEN)).toBe(false);
});
