// Installs this package into an n8n user folder the way n8n 2.41's Settings > Community nodes
// does (CommunityPackagesService.installOrUpdatePackage + downloadPackage), except that the
// tarball comes from `npm pack` of this repository instead of `npm pack <name>@<version>` from the
// registry:
//
//   1. <user>/.n8n/nodes/package.json exists ({"name":"installed-nodes","private":true,"dependencies":{}})
//   2. mkdir <user>/.n8n/nodes/node_modules/<name>
//   3. tar -xzf <tarball> -C <that folder> --strip-components=1
//   4. rewrite its package.json without devDependencies, peerDependencies and optionalDependencies
//   5. npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow
//                  --ignore-scripts=true --package-lock=false   (in that folder)
//   6. dependencies[<name>] = <version> in <user>/.n8n/nodes/package.json (n8n's "ledger")
//   7. the installed_packages / installed_nodes rows n8n saves after loading the package
//      (InstalledPackagesRepository.persistPackageWithNodes), so Settings > Community nodes lists it.
//
// n8n loads every package in <user>/.n8n/nodes/node_modules at start-up
// (CommunityPackagesModule.nodeLoaders -> scanDirectoryForPackages), so steps 1-6 are what makes
// the node available; step 7 is bookkeeping, done with the sqlite3 module n8n itself uses.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { N8N_PREFIX, NODE_BIN, PACKAGE_NAME, ROOT } from './config.mjs';

/** `npm pack` of the repository, dist/ rebuilt first if stale. Returns the tarball's absolute path. */
export function packPackage(
	destination = fs.mkdtempSync(path.join(os.tmpdir(), 'samespace-pack-')),
) {
	createRequire(import.meta.url)('../../scripts/build.cjs').ensureFresh('dist');
	const args = ['pack', '--json', '--pack-destination', destination, '--ignore-scripts'];
	const out = execFileSync('npm', args, { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
	const [info] = JSON.parse(out);
	return {
		tarball: path.join(destination, info.filename),
		files: info.files.map((f) => f.path),
		version: info.version,
		size: info.size,
	};
}

/** Steps 1-6 above. Returns the installed package folder. */
export function installTarball(userFolder, tarball) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const ledger = path.join(nodesDir, 'package.json');
	fs.mkdirSync(nodesDir, { recursive: true });
	let ledgerJson = { name: 'installed-nodes', private: true, dependencies: {} };
	if (fs.existsSync(ledger)) ledgerJson = JSON.parse(fs.readFileSync(ledger, 'utf8'));
	ledgerJson.dependencies ??= {};
	fs.writeFileSync(ledger, JSON.stringify(ledgerJson, null, 2), 'utf8');
	// Not n8n's: listing Settings > Community nodes runs `npm outdated` in this folder (n8n 1.x with
	// its environment stripped to PATH and NODE_PATH, so no proxy or CA settings and no outbound
	// guard; here that took 70 s of failed registry requests). Offline, it answers at once.
	fs.writeFileSync(path.join(nodesDir, '.npmrc'), 'offline=true\n', 'utf8');

	const packageDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	fs.rmSync(packageDir, { recursive: true, force: true });
	fs.mkdirSync(packageDir, { recursive: true });
	execFileSync('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);

	const pkgPath = path.join(packageDir, 'package.json');
	// eslint-disable-next-line no-unused-vars
	const { devDependencies, peerDependencies, optionalDependencies, ...packageJson } = JSON.parse(
		fs.readFileSync(pkgPath, 'utf8'),
	);
	fs.writeFileSync(pkgPath, JSON.stringify(packageJson, null, 2), 'utf8');

	const env = { ...process.env };
	for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
	const r = spawnSync(
		'npm',
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
		],
		{ cwd: packageDir, env, encoding: 'utf8' },
	);
	if (r.status !== 0)
		throw new Error(`npm install in ${packageDir} failed:\n${r.stdout}\n${r.stderr}`);

	ledgerJson.dependencies[packageJson.name] = packageJson.version;
	fs.writeFileSync(ledger, JSON.stringify(ledgerJson, null, 2), 'utf8');
	return { packageDir, packageJson };
}

/**
 * Step 7, on n8n's sqlite database (migrated: run any n8n CLI command first). The node list is
 * read from the installed package the way n8n's loader sees it: each `n8n.nodes` entry's
 * description (name, displayName, version).
 */
export function recordInstalledPackage(userFolder, packageDir) {
	const script = `
const path = require('node:path');
const sqlite3 = require(${JSON.stringify(path.join(N8N_PREFIX, 'node_modules', 'sqlite3'))});
const [db, dir] = process.argv.slice(1);
const pkg = require(path.join(dir, 'package.json'));
const nodes = pkg.n8n.nodes.map((file) => {
	const mod = require(path.join(dir, file));
	const Cls = Object.values(mod).find((v) => typeof v === 'function');
	const d = new Cls().description;
	const version = Array.isArray(d.version) ? Math.max(...d.version) : d.version;
	return { name: d.displayName, type: pkg.name + '.' + d.name, latestVersion: version };
});
const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
const conn = new sqlite3.Database(db);
conn.serialize(() => {
	conn.run('PRAGMA foreign_keys = ON');
	conn.run('DELETE FROM installed_packages WHERE packageName = ?', [pkg.name]);
	conn.run('INSERT INTO installed_packages (packageName, installedVersion, authorName, authorEmail, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)',
		[pkg.name, pkg.version, pkg.author && pkg.author.name || null, pkg.author && pkg.author.email || null, now, now]);
	for (const n of nodes) conn.run('INSERT OR REPLACE INTO installed_nodes (name, type, latestVersion, package) VALUES (?, ?, ?, ?)', [n.name, n.type, n.latestVersion, pkg.name]);
	conn.all('SELECT type FROM installed_nodes WHERE package = ?', [pkg.name], (err, rows) => {
		if (err) { console.error(err.message); process.exitCode = 1; }
		else console.log(JSON.stringify(rows.map((r) => r.type)));
		conn.close();
	});
});
`;
	const db = path.join(userFolder, '.n8n', 'database.sqlite');
	if (!fs.existsSync(db)) throw new Error(`${db} does not exist yet: run an n8n command first`);
	// The package's only import, n8n-workflow, resolves to n8n's copy (as it does inside n8n).
	const NODE_PATH = [
		path.join(N8N_PREFIX, 'node_modules', 'n8n', 'node_modules'),
		path.join(N8N_PREFIX, 'node_modules'),
	].join(path.delimiter);
	const r = spawnSync(NODE_BIN, ['-e', script, db, packageDir], {
		encoding: 'utf8',
		env: { ...process.env, NODE_PATH },
	});
	if (r.status !== 0)
		throw new Error(`recording the package in n8n's database failed:\n${r.stderr}`);
	return JSON.parse(r.stdout.trim().split('\n').pop());
}
