#!/usr/bin/env node
// `npm run lint`: the checks n8n runs on a community node package, locally and offline.
//
// 1. `n8n-node lint` (@n8n/node-cli), as is: the strict-mode check that eslint.config.mjs is the
//    CLI's one-line default, then `eslint .` with that config. The CLI lints the folder it runs in,
//    and here `.` would also take test/ and dev/ (harness code that may use `process`, timers and
//    node: modules, which the node rules forbid). So it runs in a staging folder holding exactly
//    what n8n's verification lints from the attested commit: package.json, nodes/, credentials/
//    (plus icons/ for the icon rules, eslint.config.mjs, tsconfig.json and a node_modules link).
// 2. n8n's package scanner (@n8n/scan-community-package `analyzePackage`), which the CLI lacks:
//    once on the sources, once on the unpacked `npm pack` tarball. It ignores eslint-disable
//    comments. The tarball needs dist/: rebuilt when stale, as scripts/build.cjs decides
//    (`--build` always builds, `--no-build` never does).
//
// Exit code 0 only when every leg reports 0 errors. Temporary folders are removed on exit.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build, ensureFresh } from './build.cjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const started = Date.now();
// eslint-plugin-n8n-nodes-base treats every file as a node file when NODE_ENV is 'test'.
if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;

const env = {
	...process.env,
	npm_config_offline: 'true',
	npm_config_update_notifier: 'false',
	npm_config_ignore_scripts: 'true',
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'samespace-lint-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const heading = (s) => console.log(`\n== ${s}`);
const run = (cmd, argv, cwd = ROOT) => spawnSync(cmd, argv, { cwd, env, encoding: 'utf8' });
const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');
/** 1. `n8n-node lint` on package.json, nodes/, credentials/. Returns the error count. */
function cliLint() {
	heading('n8n-node lint (package.json, nodes/, credentials/)');
	const stage = path.join(tmp, 'stage');
	fs.mkdirSync(stage);
	for (const f of ['package.json', 'eslint.config.mjs', 'tsconfig.json']) {
		if (fs.existsSync(path.join(ROOT, f))) fs.copyFileSync(path.join(ROOT, f), path.join(stage, f));
	}
	for (const d of ['nodes', 'credentials', 'icons'])
		fs.cpSync(path.join(ROOT, d), path.join(stage, d), { recursive: true });
	fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
	const r = run(path.join(ROOT, 'node_modules', '.bin', 'n8n-node'), ['lint'], stage);
	const out = strip(`${r.stdout}${r.stderr}`).split(`${stage}${path.sep}`).join('');
	console.log(out.trim());
	const m = /(\d+) problems? \((\d+) errors?, (\d+) warnings?\)/.exec(out);
	if (r.status === 0) return 0;
	return m && Number(m[2]) > 0 ? Number(m[2]) : 1;
}

function scanReport(label, result, dir) {
	const text = strip(result.details ?? '')
		.split(`${dir}${path.sep}`)
		.join('');
	if (text.trim()) console.log(text.trim());
	const m = /\((\d+) errors?, (\d+) warnings?\)/.exec(text);
	const errors = m ? Number(m[1]) : result.passed ? 0 : 1;
	console.log(
		`${label}: ${result.passed ? 'passed' : `FAILED (${result.message ?? 'unknown'})`}, ${errors} error(s)`,
	);
	return errors;
}

/** 2. The scanner on the sources and on the packed tarball. Returns the error count. */
async function scan() {
	heading('n8n package scanner (sources, tarball)');
	// scanner.mjs makes a temp dir when imported and never removes it: put it inside ours.
	const saved = process.env.TMPDIR;
	process.env.TMPDIR = tmp;
	const scannerUrl = pathToFileURL(
		path.join(ROOT, 'node_modules/@n8n/scan-community-package/scanner/scanner.mjs'),
	).href;
	const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(scannerUrl).finally(() => {
		if (saved === undefined) delete process.env.TMPDIR;
		else process.env.TMPDIR = saved;
	});
	let errors = scanReport(
		'scanner sources',
		await analyzePackage(ROOT, SOURCE_FILE_PATTERNS),
		ROOT,
	);

	try {
		if (args.has('--build')) build('dist', { stdio: 'pipe' });
		else if (!args.has('--no-build')) ensureFresh('dist', { log: console.log });
	} catch (error) {
		console.log(error.message);
		return errors + 1;
	}
	const packDir = path.join(tmp, 'pack');
	const pkgDir = path.join(tmp, 'package');
	fs.mkdirSync(packDir);
	fs.mkdirSync(pkgDir);
	const p = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir]);
	if (p.status !== 0) return (console.log(`npm pack failed:\n${p.stdout}${p.stderr}`), errors + 1);
	const [info] = JSON.parse(p.stdout);
	spawnSync('tar', [
		'-xzf',
		path.join(packDir, info.filename),
		'-C',
		pkgDir,
		'--strip-components=1',
	]);
	console.log(
		`packed ${info.filename}: ${info.files.length} files, ${(info.size / 1024).toFixed(1)} kB`,
	);
	errors += scanReport(
		'scanner tarball',
		await analyzePackage(pkgDir, ['**/*.js', 'package.json']),
		pkgDir,
	);
	return errors;
}

let lintErrors = 1;
let scanErrors = 1;
try {
	lintErrors = cliLint();
} catch (error) {
	console.log(`n8n-node lint crashed: ${error?.stack ?? error}`);
}
try {
	scanErrors = await scan();
} catch (error) {
	console.log(`scanner crashed: ${error?.stack ?? error}`);
}
const failed = lintErrors + scanErrors > 0;
console.log(
	`\nlint: ${lintErrors} error(s); scanner: ${scanErrors} error(s) (${((Date.now() - started) / 1000).toFixed(1)} s) - ${failed ? 'FAILED' : 'OK'}`,
);
process.exitCode = failed ? 1 : 0;
