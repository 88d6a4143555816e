/**
 * The guard that keeps tests off a stale build (scripts/build.cjs, run by jest's global setup
 * and by `npm run lint`). In a temporary tree with a stand-in build step (it writes one file and
 * counts its runs), so the real dist/ that other test files load is never touched.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Target {
	out: string;
	folders: string[];
	extensions: string[];
	files: string[];
	steps: Array<[string, string[]]>;
}
interface Options {
	root?: string;
	target?: Target;
	log?: (line: string) => void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const freshness = require('../../scripts/build.cjs') as {
	ROOT: string;
	TARGETS: Record<'dist' | 'dev', Target>;
	sources: (target: Target, root: string) => Array<{ file: string; mtimeMs: number }>;
	staleness: (name: string, options?: Options) => string | undefined;
	ensureFresh: (name: string, options?: Options) => boolean;
};
const { ROOT, TARGETS, sources, staleness, ensureFresh } = freshness;

const FAKE_BUILD = `
	const fs = require('node:fs');
	fs.mkdirSync('dist/nodes', { recursive: true });
	fs.writeFileSync('dist/nodes/built.js', 'built');
	fs.appendFileSync('builds.log', 'x');
`;

let root: string;
let lines: string[];
let target: Target;

const write = (file: string, text = 'x', ageMs = 0) => {
	const full = path.join(root, file);
	fs.mkdirSync(path.dirname(full), { recursive: true });
	fs.writeFileSync(full, text);
	if (ageMs !== 0) setAge(file, ageMs);
};
/** Sets a file's modification time `ageMs` in the past (negative: in the future). */
const setAge = (file: string, ageMs: number) => {
	const when = new Date(Date.now() - ageMs);
	fs.utimesSync(path.join(root, file), when, when);
};
const builds = () =>
	fs.existsSync(path.join(root, 'builds.log'))
		? fs.readFileSync(path.join(root, 'builds.log'), 'utf8').length
		: 0;
const refresh = () => ensureFresh('dist', { root, target, log: (line) => lines.push(line) });

beforeEach(() => {
	root = fs.mkdtempSync(path.join(os.tmpdir(), 'samespace-freshness-'));
	lines = [];
	// The real rules (folders, extensions, files); only the build step is a stand-in.
	target = { ...TARGETS.dist, steps: [[process.execPath, ['-e', FAKE_BUILD]]] };
	const hourAgo = 3_600_000;
	write('nodes/Samespace/Samespace.node.ts', 'node', hourAgo);
	write('nodes/Samespace/Samespace.node.json', '{}', hourAgo);
	write('credentials/SamespaceApi.credentials.ts', 'credential', hourAgo);
	write('icons/samespace.svg', '<svg/>', hourAgo);
	write('package.json', '{}', hourAgo);
	write('tsconfig.build.json', '{}', hourAgo);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

test('the real dist/ build reads nodes/, credentials/, icons/ and compiles tsconfig.build.json only', () => {
	expect(TARGETS.dist.folders).toEqual(['nodes', 'credentials', 'icons']);
	expect(TARGETS.dist.files).toEqual(
		expect.arrayContaining(['package.json', 'tsconfig.build.json']),
	);
	const args = TARGETS.dist.steps.map(([command, argv]) => [path.basename(command), ...argv]);
	expect(args).toContainEqual(['tsc', '-p', 'tsconfig.build.json']);
	expect(args.flat()).not.toContain('tsconfig.dev.json');
});

test('dist/ missing: built, and said in one line', () => {
	expect(refresh()).toBe(true);
	expect(builds()).toBe(1);
	expect(lines).toEqual([expect.stringMatching(/^dist\/ rebuilt in [\d.]+ s: dist\/ is missing$/)]);
	expect(fs.readFileSync(path.join(root, 'dist/nodes/built.js'), 'utf8')).toBe('built');
});

test('fresh: not built again, nothing said', () => {
	refresh();
	lines = [];
	expect(staleness('dist', { root, target })).toBeUndefined();
	expect(refresh()).toBe(false);
	expect(builds()).toBe(1);
	expect(lines).toEqual([]);
});

test('a source newer than the build: rebuilt, naming the file', () => {
	refresh();
	// Saved after that build started (it takes tens of ms), before the next one.
	setAge('nodes/Samespace/Samespace.node.ts', 1);
	expect(refresh()).toBe(true);
	expect(builds()).toBe(2);
	expect(lines[1]).toMatch(/: nodes\/Samespace\/Samespace\.node\.ts is newer than dist\/$/);
	expect(refresh()).toBe(false);
});

test('icons, codex files, package.json and tsconfig.build.json count as sources', () => {
	refresh();
	for (const file of [
		'icons/samespace.svg',
		'nodes/Samespace/Samespace.node.json',
		'package.json',
		'tsconfig.build.json',
	]) {
		setAge(file, -1000);
		expect(staleness('dist', { root, target })).toBe(`${file} is newer than dist/`);
		setAge(file, 3_600_000);
	}
});

test('a new folder with an old file, a moved file, a deleted file: each rebuilds', () => {
	refresh();
	// Files keep their time when they move or come from elsewhere: the list of sources counts too.
	write('nodes/Samespace/transport/new.ts', 'new', 3_600_000);
	expect(staleness('dist', { root, target })).toBe(
		'nodes/Samespace/transport/new.ts is new since dist/ was built',
	);
	refresh();
	fs.mkdirSync(path.join(root, 'nodes/Samespace/moved'));
	fs.renameSync(
		path.join(root, 'nodes/Samespace/transport/new.ts'),
		path.join(root, 'nodes/Samespace/moved/new.ts'),
	);
	expect(staleness('dist', { root, target })).toBe(
		'nodes/Samespace/moved/new.ts is new since dist/ was built',
	);
	refresh();
	fs.rmSync(path.join(root, 'credentials/SamespaceApi.credentials.ts'));
	expect(staleness('dist', { root, target })).toBe(
		'credentials/SamespaceApi.credentials.ts was removed or moved since dist/ was built',
	);
	expect(refresh()).toBe(true);
	expect(builds()).toBe(4);
});

test('files that are not built from (notes, editor files) do not rebuild', () => {
	refresh();
	write('nodes/Samespace/NOTES.md', 'notes');
	write('nodes/Samespace/.Samespace.node.ts.swp', 'swap');
	expect(refresh()).toBe(false);
});

test('dist/ emptied or built without a stamp: rebuilt', () => {
	refresh();
	fs.rmSync(path.join(root, 'dist/nodes'), { recursive: true });
	expect(staleness('dist', { root, target })).toBe('dist/ is missing');
	refresh();
	fs.rmSync(path.join(root, 'build/stamps'), { recursive: true });
	expect(staleness('dist', { root, target })).toMatch(/^dist\/ has no build stamp/);
});

test('a failing build throws with the tool output and leaves the target stale', () => {
	refresh();
	setAge('nodes/Samespace/Samespace.node.ts', -1000);
	const failing: Target = {
		...target,
		steps: [
			[process.execPath, ['-e', 'console.error("x.ts(1,1): error TS1005"); process.exit(2)']],
		],
	};
	expect(() => ensureFresh('dist', { root, target: failing, log: () => {} })).toThrow(
		/building dist\/ failed: node -e[\s\S]*error TS1005/,
	);
	expect(staleness('dist', { root, target })).toBe('dist/ is missing');
	expect(refresh()).toBe(true);
});

test('two processes finding dist/ stale at once: one builds, the other waits and finds it fresh', async () => {
	const slowBuild = `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500); ${FAKE_BUILD}`;
	const script = `
		const { TARGETS, ensureFresh } = require(${JSON.stringify(require.resolve('../../scripts/build.cjs'))});
		const target = { ...TARGETS.dist, steps: [[process.execPath, ['-e', ${JSON.stringify(slowBuild)}]]] };
		process.stdout.write(String(ensureFresh('dist', { root: ${JSON.stringify(root)}, target, log: () => {} })));
	`;
	const run = () =>
		new Promise<string>((resolve, reject) =>
			execFile(process.execPath, ['-e', script], (error, stdout) =>
				error ? reject(error) : resolve(stdout),
			),
		);
	expect((await Promise.all([run(), run()])).sort()).toEqual(['false', 'true']);
	expect(builds()).toBe(1);
	expect(fs.existsSync(path.join(root, 'build/stamps/dist.lock'))).toBe(false);
});

test("this run's global setup left the real dist/ fresh (but for sources edited since)", () => {
	const runStarted = Number(process.env.SAMESPACE_TEST_RUN_STARTED);
	const stamp = JSON.parse(fs.readFileSync(path.join(ROOT, 'build/stamps/dist.json'), 'utf8'));
	const newerBeforeTheRun = sources(TARGETS.dist, ROOT).filter(
		(s) => s.mtimeMs >= stamp.startedAt && s.mtimeMs < runStarted,
	);
	expect(runStarted).toBeGreaterThan(0);
	expect(newerBeforeTheRun).toEqual([]);
});
