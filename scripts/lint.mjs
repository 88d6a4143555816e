#!/usr/bin/env node
// `npm run lint`: n8n's own checks for a community node package, run locally and offline.
//
// 1. lint     The rules `n8n-node lint` (@n8n/node-cli) applies: eslint 9 with the root
//             `eslint.config.mjs`, which must stay byte-for-byte (modulo whitespace) the
//             node-cli template `export default config` from '@n8n/node-cli/eslint' because
//             package.json has `"n8n": { "strict": true }` (the CLI refuses a modified config
//             in strict mode; this script applies the same check). That config brings
//             @eslint/js recommended, typescript-eslint recommended, `no-console`,
//             import-x recommended, `@n8n/eslint-plugin-community-nodes` "recommended" (the
//             n8n Cloud variant) and the `eslint-plugin-n8n-nodes-base` `nodes`,
//             `credentials` and `community` (package.json) rule sets.
//             Linted: nodes/, credentials/, package.json. (`n8n-node lint` itself runs
//             `eslint .`, which would also lint test/ and dev/ with the node rules.)
// 2. scanner  `@n8n/scan-community-package`, the gate n8n runs before verifying a package,
//             through its exported `analyzePackage(dir, patterns)`: once on the sources (repo
//             root, SOURCE_FILE_PATTERNS) and once on the unpacked `npm pack` tarball
//             (['**/*.js', 'package.json']). It ignores eslint-disable comments.
//
// The tarball leg needs dist/. By default the script runs `npm run build` when dist/ is
// missing or older than its inputs (nodes/, credentials/, icons/, tsconfig*.json,
// gulpfile.js) or holds outputs without a source; `--build` always builds first,
// `--no-build` never builds (fails if dist/ is missing). Note `npm run build` starts with
// `rimraf dist build`.
//
// Exit code 0 only when all three legs report 0 errors (warnings are printed, not fatal).
// Temporary folders (pack destination, unpacked tarball, the scanner's own temp dir) are
// removed on exit. No network: eslint runs in-process; npm runs with offline settings.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();

const args = new Set(process.argv.slice(2));
if (args.has('--help') || args.has('-h')) {
	console.log('Usage: node scripts/lint.mjs [--build | --no-build]');
	process.exit(0);
}
for (const arg of args) {
	if (arg !== '--build' && arg !== '--no-build') {
		console.error(`Unknown argument: ${arg} (try --help)`);
		process.exit(2);
	}
}
if (args.has('--build') && args.has('--no-build')) {
	console.error('--build and --no-build are mutually exclusive');
	process.exit(2);
}

// eslint-plugin-n8n-nodes-base treats EVERY file as a node and credential file when
// NODE_ENV === 'test' (read once when the plugin loads): never lint under that setting.
if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;

// npm settings for the child npm processes: no registry, audit, fund or update checks.
const npmEnv = {
	...process.env,
	npm_config_offline: 'true',
	npm_config_audit: 'false',
	npm_config_fund: 'false',
	npm_config_update_notifier: 'false',
	npm_config_ignore_scripts: 'true',
};

const tmpBase = fs.mkdtempSync(path.join(os.tmpdir(), 'samespace-lint-'));
const cleanup = () => fs.rmSync(tmpBase, { recursive: true, force: true });
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => process.exit(130));
}

const isTty = process.stdout.isTTY;
const bold = (s) => (isTty ? `\x1b[1m${s}\x1b[22m` : s);
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const heading = (s) => console.log(`\n${bold(`== ${s}`)}`);
const relTmp = (s, dir, label) => s.split(dir).join(label);

function walk(dir) {
	if (!fs.existsSync(dir)) return [];
	const out = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) out.push(...walk(full));
		else if (entry.isFile()) out.push(full);
	}
	return out;
}

function run(cmd, cmdArgs, opts = {}) {
	return spawnSync(cmd, cmdArgs, { cwd: ROOT, env: npmEnv, encoding: 'utf8', ...opts });
}

// ---------------------------------------------------------------------------------------
// 1. n8n-node lint rules

async function lintLeg() {
	heading('lint: @n8n/node-cli eslint config (nodes/, credentials/, package.json)');
	let errors = 0;
	let warnings = 0;

	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	const configPath = path.join(ROOT, 'eslint.config.mjs');
	const templatePath = path.join(
		ROOT,
		'node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs',
	);
	const normalize = (s) => s.replace(/\s+/g, ' ').trim();
	if (!fs.existsSync(configPath)) {
		console.log(
			'error  eslint.config.mjs not found: it must contain exactly\n' +
				fs.readFileSync(templatePath, 'utf8'),
		);
		return { errors: 1, warnings };
	}
	if (
		pkg.n8n?.strict === true &&
		normalize(fs.readFileSync(configPath, 'utf8')) !==
			normalize(fs.readFileSync(templatePath, 'utf8'))
	) {
		// Same comparison as `n8n-node lint` in strict mode (dist/commands/lint.js).
		console.log(
			'error  Strict mode violation: eslint.config.mjs differs from the @n8n/node-cli ' +
				'default. Expected:\n' +
				fs.readFileSync(templatePath, 'utf8'),
		);
		errors += 1;
	}

	const { ESLint } = await import('eslint');
	const eslint = new ESLint({ cwd: ROOT, errorOnUnmatchedPattern: false });
	const targets = ['nodes', 'credentials', 'package.json'].filter((t) =>
		fs.existsSync(path.join(ROOT, t)),
	);
	const results = await eslint.lintFiles(targets);

	const nodeFiles = results.filter((r) => r.filePath.endsWith('.node.ts'));
	if (nodeFiles.length === 0) {
		console.log('error  no nodes/**/*.node.ts file was linted');
		errors += 1;
	}

	for (const r of results) {
		errors += r.errorCount; // includes fatal (parse) errors
		warnings += r.warningCount;
	}
	const formatter = await eslint.loadFormatter('stylish');
	const text = await formatter.format(results);
	const tsFiles = results.filter((r) => r.filePath.endsWith('.ts')).length;
	console.log(
		`${plural(results.length, 'file')} linted (${tsFiles} .ts); ` +
			`${plural(errors, 'error')}, ${plural(warnings, 'warning')}`,
	);
	if (text.trim()) console.log(relTmp(text, `${ROOT}${path.sep}`, ''));

	const cloudOnly = ['@n8n/community-nodes/no-restricted-imports', '@n8n/community-nodes/no-restricted-globals'];
	if (results.some((r) => r.messages.some((m) => cloudOnly.includes(m.ruleId)))) {
		console.log(
			'note   no-restricted-imports / no-restricted-globals are the n8n Cloud compatibility rules.',
		);
	}
	return { errors, warnings };
}

// ---------------------------------------------------------------------------------------
// 2. n8n community package scanner

function distState() {
	const dist = path.join(ROOT, 'dist');
	const outputs = walk(dist).filter((f) => f.endsWith('.js'));
	if (outputs.length === 0) return 'missing';
	const builtAt = Math.min(...outputs.map((f) => fs.statSync(f).mtimeMs));
	const inputs = [
		...walk(path.join(ROOT, 'nodes')),
		...walk(path.join(ROOT, 'credentials')),
		...walk(path.join(ROOT, 'icons')),
		...['tsconfig.json', 'tsconfig.build.json', 'gulpfile.js'].map((f) => path.join(ROOT, f)),
	].filter((f) => fs.existsSync(f));
	if (inputs.some((f) => fs.statSync(f).mtimeMs > builtAt)) return 'stale';
	const sources = inputs.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
	const expected = new Set(
		sources
			.filter((f) => !f.endsWith('.test.ts'))
			.map((f) => path.join(dist, path.relative(ROOT, f)).replace(/\.ts$/, '.js')),
	);
	const shipped = outputs.filter((f) => /^(nodes|credentials)\//.test(path.relative(dist, f)));
	if (shipped.some((f) => !expected.has(f))) return 'stale';
	if ([...expected].some((f) => !fs.existsSync(f))) return 'stale';
	return 'fresh';
}

function ensureBuilt() {
	const state = distState();
	let build = args.has('--build') || (!args.has('--no-build') && state !== 'fresh');
	if (args.has('--no-build') && state === 'missing') {
		console.log('error  dist/ is missing and --no-build was given: run `npm run build`');
		return false;
	}
	if (!build) {
		console.log(`dist/ is ${state}${state === 'stale' ? ' (--no-build: using it anyway)' : ''}`);
		return true;
	}
	console.log(`building (dist/ ${args.has('--build') ? 'rebuild requested' : state}): npm run build`);
	const t0 = Date.now();
	const res = run('npm', ['run', '--silent', 'build']);
	if (res.status !== 0) {
		console.log(`error  npm run build failed (exit ${res.status ?? res.signal}):`);
		console.log(`${res.stdout ?? ''}${res.stderr ?? ''}`.trim());
		return false;
	}
	console.log(`built in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
	return true;
}

function packAndUnpack() {
	const packDir = path.join(tmpBase, 'pack');
	const pkgDir = path.join(tmpBase, 'package');
	fs.mkdirSync(packDir);
	fs.mkdirSync(pkgDir);
	const res = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir]);
	if (res.status !== 0) {
		console.log(`error  npm pack failed (exit ${res.status ?? res.signal}):`);
		console.log(`${res.stdout ?? ''}${res.stderr ?? ''}`.trim());
		return null;
	}
	let info;
	try {
		info = JSON.parse(res.stdout)[0];
	} catch {
		console.log(`error  cannot read npm pack output:\n${res.stdout}${res.stderr}`);
		return null;
	}
	const tgz = path.join(packDir, info.filename);
	const untar = spawnSync('tar', ['-xzf', tgz, '-C', pkgDir, '--strip-components=1'], {
		encoding: 'utf8',
	});
	if (untar.status !== 0) {
		console.log(`error  tar extraction failed: ${untar.stderr}`);
		return null;
	}
	const files = info.files.map((f) => f.path).sort();
	console.log(
		`packed ${info.filename}: ${plural(files.length, 'file')}, ` +
			`${(info.size / 1024).toFixed(1)} kB packed / ${(info.unpackedSize / 1024).toFixed(1)} kB unpacked`,
	);
	console.log(`  ${files.filter((f) => !f.endsWith('.map') && !f.endsWith('.d.ts')).join('\n  ')}`);
	const hidden = files.filter((f) => f.endsWith('.map') || f.endsWith('.d.ts')).length;
	if (hidden) console.log(`  (+ ${hidden} .d.ts/.map files)`);
	return pkgDir;
}

function scanReport(label, result, dir, dirLabel) {
	let errors = 0;
	let warnings = 0;
	if (result.details) {
		const text = relTmp(result.details, `${dir}${path.sep}`, dirLabel);
		const m = /\((\d+) errors?, (\d+) warnings?\)/.exec(stripAnsi(text));
		if (m) {
			errors = Number(m[1]);
			warnings = Number(m[2]);
		}
		console.log(text.trim());
	}
	if (!result.passed && errors === 0) errors = 1; // e.g. "Analysis failed: ..."
	console.log(
		`${label}: ${result.passed ? 'passed' : `FAILED (${result.message ?? 'unknown'})`}` +
			(result.message && result.passed ? ` - ${result.message}` : '') +
			(result.details ? `; ${plural(errors, 'error')}, ${plural(warnings, 'warning')}` : '; 0 errors'),
	);
	return errors;
}

async function scanLeg() {
	heading('scanner: @n8n/scan-community-package analyzePackage()');
	// scanner.mjs creates a temp dir (tmp.dirSync) when it is imported and never removes it:
	// point the temp location into our own folder while importing, so cleanup() removes it.
	const scanTmp = path.join(tmpBase, 'scanner');
	fs.mkdirSync(scanTmp);
	const saved = { TMPDIR: process.env.TMPDIR, TMP: process.env.TMP, TEMP: process.env.TEMP };
	process.env.TMPDIR = process.env.TMP = process.env.TEMP = scanTmp;
	let scanner;
	try {
		scanner = await import(
			pathToFileURL(path.join(ROOT, 'node_modules/@n8n/scan-community-package/scanner/scanner.mjs'))
				.href
		);
	} finally {
		for (const [k, v] of Object.entries(saved)) {
			if (v === undefined) delete process.env[k];
			else process.env[k] = v;
		}
	}
	const { analyzePackage, SOURCE_FILE_PATTERNS } = scanner;

	console.log(`sources: ${ROOT} with ${JSON.stringify(SOURCE_FILE_PATTERNS)}`);
	const sourceResult = await analyzePackage(ROOT, SOURCE_FILE_PATTERNS);
	const sourceErrors = scanReport('scanner sources', sourceResult, ROOT, '');

	console.log('');
	if (!ensureBuilt()) return { sourceErrors, tarballErrors: 1, tarballNote: 'not scanned: build failed' };
	const pkgDir = packAndUnpack();
	if (!pkgDir) return { sourceErrors, tarballErrors: 1, tarballNote: 'not scanned: npm pack failed' };
	const tarResult = await analyzePackage(pkgDir, ['**/*.js', 'package.json']);
	const tarballErrors = scanReport('scanner tarball', tarResult, pkgDir, '<tarball>/');
	return { sourceErrors, tarballErrors };
}

// ---------------------------------------------------------------------------------------

let lint = { errors: 1, warnings: 0 };
let scan = { sourceErrors: 1, tarballErrors: 1, tarballNote: 'not scanned: scanner crashed' };
try {
	lint = await lintLeg();
} catch (error) {
	console.log(`error  lint crashed: ${error?.stack ?? error}`);
}
try {
	scan = await scanLeg();
} catch (error) {
	console.log(`error  scanner crashed: ${error?.stack ?? error}`);
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
const failed = lint.errors + scan.sourceErrors + scan.tarballErrors > 0;
console.log(
	`\n${bold(
		`lint: ${plural(lint.errors, 'error')}, ${plural(lint.warnings, 'warning')}; ` +
			`scanner: sources ${plural(scan.sourceErrors, 'error')}, ` +
			`tarball ${scan.tarballNote ?? plural(scan.tarballErrors, 'error')} (${seconds}s) - ` +
			(failed ? 'FAILED' : 'OK'),
	)}`,
);
process.exitCode = failed ? 1 : 0;
