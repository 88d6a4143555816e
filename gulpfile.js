// tsc compiles only TypeScript: the icons and each node's codex file (`<Name>.node.json`, which
// n8n reads beside the built node for its categories and documentation links) are copied here.
const { src, dest, parallel } = require('gulp');

function codexFiles() {
	return src('nodes/**/*.node.json', { base: 'nodes' }).pipe(dest('dist/nodes'));
}

function nodeIcons() {
	return src('icons/*.svg').pipe(dest('dist/nodes/Samespace'));
}

function credentialIcons() {
	return src('icons/*.svg').pipe(dest('dist/credentials'));
}

exports['build:icons'] = parallel(codexFiles, nodeIcons, credentialIcons);
