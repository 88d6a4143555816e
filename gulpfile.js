// Icons are not TypeScript, so tsc leaves them behind: copy each SVG next to the built node or
// credential that names it (`file:samespace.svg` is resolved relative to the .js file).
const { src, dest, parallel } = require('gulp');

function nodeIcons() {
	return src('icons/*.svg').pipe(dest('dist/nodes/Samespace'));
}

function credentialIcons() {
	return src('icons/*.svg').pipe(dest('dist/credentials'));
}

exports['build:icons'] = parallel(nodeIcons, credentialIcons);
