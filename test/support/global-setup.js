// Once per jest run, before any test file.
//
// 1. Tests never run on a stale build. Engine tests load the built package (dist/), and a test
//    that starts the emulator in a plain Node process loads build/dev/: each is rebuilt here when
//    a source is newer than its last build, or a source was added, removed or moved (one line on
//    stderr says so; scripts/build.cjs decides). build/dev/ only when a selected test file uses it.
// 2. n8n-core writes an encryption key into $N8N_USER_FOLDER/.n8n/config on first use. Give the
//    whole test run one throwaway folder (workers inherit the variable) and remove it afterwards.
const fs = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const { ensureFresh } = require('../../scripts/build.cjs');

/** Whether a test file this run may select reads build/dev/ (found by content, not by name). */
function selectedTestsUseDevBuild(globalConfig) {
	const executor = globalConfig.testPathPatterns?.toExecutor({ rootDir: globalConfig.rootDir });
	const testDir = path.join(__dirname, '..');
	return fs
		.readdirSync(testDir, { recursive: true })
		.map((file) => path.join(testDir, file))
		.filter((file) => file.endsWith('.test.ts') && (executor?.isMatch(file) ?? true))
		.some((file) => /build\/dev\/|'build', 'dev'/.test(fs.readFileSync(file, 'utf8')));
}

module.exports = async (globalConfig) => {
	const log = (line) => process.stderr.write(`\n[global setup] ${line}\n`);
	process.env.SAMESPACE_TEST_RUN_STARTED = String(Date.now());
	ensureFresh('dist', { log });
	if (selectedTestsUseDevBuild(globalConfig)) ensureFresh('dev', { log });

	if (process.env.N8N_USER_FOLDER) return;
	const folder = fs.mkdtempSync(path.join(tmpdir(), 'n8n-nodes-samespace-test-'));
	process.env.N8N_USER_FOLDER = folder;
	process.env.SAMESPACE_TEST_USER_FOLDER = folder;
};
