// tsc compiles only TypeScript. The icons go to dist/icons, where the built node and credential
// find them (`file:../../icons/…` is resolved relative to the .js file, as in the sources), and
// each node's codex file (`<Name>.node.json`: categories, documentation links) goes beside the
// built node, where n8n looks for it.
const { src, dest, parallel } = require('gulp');

function icons() {
	return src('icons/*.svg').pipe(dest('dist/icons'));
}

function codexFiles() {
	return src('nodes/**/*.node.json', { base: 'nodes' }).pipe(dest('dist/nodes'));
}

exports['build:icons'] = parallel(icons, codexFiles);
