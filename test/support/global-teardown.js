const { rmSync } = require('node:fs');

module.exports = async () => {
	const folder = process.env.SAMESPACE_TEST_USER_FOLDER;
	if (folder) rmSync(folder, { recursive: true, force: true });
};
