#!/usr/bin/env node
// Builds, and knows when a build is stale. One module for `npm run build`, the dev tools' build,
// jest's global setup (test/support/global-setup.js) and `npm run lint` (scripts/lint.mjs).
//
//   node scripts/build.cjs                    dist/: what ships (tsc -p tsconfig.build.json, icons)
//   node scripts/build.cjs dev                build/dev/: the dev tools (tsc -p tsconfig.dev.json)
//   node scripts/build.cjs --if-stale dist dev   only the targets whose sources changed
//
// A build records, in build/stamps/<target>.json, the time it started and the source files it
// read. A target is stale when its output or stamp is missing, when a source file is newer than
// that time, or when the list of source files differs (a file added, removed or moved, even with
// its old time kept). Source folders are walked, never listed by name: whatever appears under
// nodes/, credentials/, icons/ (or dev/) counts.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);

/** What each target is built from, where it goes, and the commands that build it (in ROOT). */
const TARGETS = {
	dist: {
		out: 'dist',
		folders: ['nodes', 'credentials', 'icons'],
		extensions: ['.ts', '.json', '.svg'],
		files: [
			'package.json',
			'tsconfig.json',
			'tsconfig.build.json',
			'gulpfile.js',
			'scripts/build.cjs',
		],
		steps: [
			[bin('tsc'), ['-p', 'tsconfig.build.json']],
			[bin('gulp'), ['--silent', 'build:icons']],
		],
	},
	dev: {
		out: 'build/dev',
		folders: ['dev'],
		extensions: ['.ts'],
		files: ['tsconfig.json', 'tsconfig.dev.json', 'scripts/build.cjs'],
		steps: [[bin('tsc'), ['-p', 'tsconfig.dev.json']]],
	},
};

const stampFile = (name, root) => path.join(root, 'build', 'stamps', `${name}.json`);

/** The target's source files (relative, sorted) with their modification times. */
function sources(target, root) {
	const found = [];
	for (const folder of target.folders) {
		const dir = path.join(root, folder);
		if (!fs.existsSync(dir)) continue;
		for (const entry of fs.readdirSync(dir, { recursive: true })) {
			const file = path.join(folder, entry);
			if (
				target.extensions.includes(path.extname(file)) &&
				fs.statSync(path.join(root, file)).isFile()
			)
				found.push(file);
		}
	}
	found.push(...target.files.filter((f) => fs.existsSync(path.join(root, f))));
	return found
		.map((file) => ({
			file: file.split(path.sep).join('/'),
			mtimeMs: fs.statSync(path.join(root, file)).mtimeMs,
		}))
		.sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** Why the target must be built (one line), or undefined when its build is fresh. */
function staleness(name, { root = ROOT, target = TARGETS[name] } = {}) {
	const outDir = path.join(root, target.out);
	if (!fs.existsSync(outDir) || fs.readdirSync(outDir).length === 0)
		return `${target.out}/ is missing`;
	let stamp;
	try {
		stamp = JSON.parse(fs.readFileSync(stampFile(name, root), 'utf8'));
	} catch {
		return `${target.out}/ has no build stamp (built by hand, or a build failed)`;
	}
	const now = sources(target, root);
	const newer = now.find((s) => s.mtimeMs >= stamp.startedAt);
	if (newer) return `${newer.file} is newer than ${target.out}/`;
	const added = now.find((s) => !stamp.files.includes(s.file));
	if (added) return `${added.file} is new since ${target.out}/ was built`;
	const gone = stamp.files.find((file) => !now.some((s) => s.file === file));
	if (gone) return `${gone} was removed or moved since ${target.out}/ was built`;
	return undefined;
}

/** Cleans the target's output, runs its steps and writes its stamp. Throws with the tools' output. */
function build(name, { root = ROOT, target = TARGETS[name], stdio = 'inherit' } = {}) {
	const startedAt = Date.now();
	const files = sources(target, root).map((s) => s.file);
	fs.rmSync(stampFile(name, root), { force: true });
	fs.rmSync(path.join(root, target.out), { recursive: true, force: true });
	for (const [command, args] of target.steps) {
		const r = spawnSync(command, args, { cwd: root, stdio, encoding: 'utf8' });
		if (r.status !== 0) {
			const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim();
			throw new Error(
				`building ${target.out}/ failed: ${path.basename(command)} ${args.join(' ')}\n${output}`,
			);
		}
	}
	fs.mkdirSync(path.dirname(stampFile(name, root)), { recursive: true });
	fs.writeFileSync(stampFile(name, root), `${JSON.stringify({ startedAt, files }, null, '\t')}\n`);
	return Date.now() - startedAt;
}

/**
 * Runs `fn` holding the target's lock (a folder beside its stamp), so that two processes (jest and
 * `npm run lint`, say) never clean and build one target at the same time. A lock left by a build
 * that died is taken over after 5 minutes.
 */
function locked(name, root, fn) {
	const lock = stampFile(name, root).replace(/\.json$/, '.lock');
	fs.mkdirSync(path.dirname(lock), { recursive: true });
	for (;;) {
		try {
			fs.mkdirSync(lock);
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0);
			if (age > 300_000) fs.rmSync(lock, { recursive: true, force: true });
			else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200); // sleep 200 ms
		}
	}
	try {
		return fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

/**
 * Builds the target when it is stale and says so in one line (`log`); returns whether it built.
 * Build output is shown only when the build fails (in the error).
 */
function ensureFresh(name, { root = ROOT, target = TARGETS[name], log = console.error } = {}) {
	return locked(name, root, () => {
		const reason = staleness(name, { root, target });
		if (!reason) return false;
		const ms = build(name, { root, target, stdio: 'pipe' });
		log(`${target.out}/ rebuilt in ${(ms / 1000).toFixed(1)} s: ${reason}`);
		return true;
	});
}

module.exports = { ROOT, TARGETS, sources, staleness, build, ensureFresh };

if (require.main === module) {
	const argv = process.argv.slice(2);
	const names = argv.filter((a) => !a.startsWith('--'));
	try {
		for (const name of names.length > 0 ? names : ['dist']) {
			if (!TARGETS[name])
				throw new Error(`unknown target ${name}: ${Object.keys(TARGETS).join(', ')}`);
			if (argv.includes('--if-stale')) ensureFresh(name);
			else {
				const ms = locked(name, ROOT, () => build(name));
				console.error(`built ${TARGETS[name].out}/ in ${(ms / 1000).toFixed(1)} s`);
			}
		}
	} catch (error) {
		console.error(error.message);
		process.exit(1);
	}
}
