// n8n-core writes an encryption key into $N8N_USER_FOLDER/.n8n/config on first use. Give the
// whole test run one throwaway folder (workers inherit the variable) and remove it afterwards.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

module.exports = async () => {
	if (process.env.N8N_USER_FOLDER) return;
	const folder = mkdtempSync(path.join(tmpdir(), 'n8n-nodes-samespace-test-'));
	process.env.N8N_USER_FOLDER = folder;
	process.env.SAMESPACE_TEST_USER_FOLDER = folder;
};
