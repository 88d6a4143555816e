/**
 * Generators of broken JSON text: a valid flow's JSON text, corrupted the ways pasted text is (cut
 * short, junk inserted, typographic quotes, comments, trailing commas, single quotes, edits).
 */
import fc from 'fast-check';

import { validFlow } from './flows';
import { type Gen, pick, chance, int } from './shared';

export interface BrokenText {
	text: string;
	corruption: string;
}

const JUNK_INSERTS = [
	',',
	'{',
	'}',
	'[',
	']',
	':',
	'"',
	"'",
	'\\',
	'x',
	'\u0000',
	'\u0007',
	'“',
	'”',
	'‘',
	'’',
	'«',
	'»',
	'″',
	'NaN',
	'nil',
	'…',
	'\uFEFF',
	'\t"',
	',,',
	'}}',
];

/** A valid flow's JSON text, corrupted; never valid JSON (a corruption that left it valid is followed by a cut). */
export function brokenJsonText(g: Gen): BrokenText {
	const broken = corruptJsonText(g);
	return isValidJson(broken.text)
		? { text: broken.text.slice(0, -1), corruption: `${broken.corruption}, then cut short` }
		: broken;
}

function corruptJsonText(g: Gen): BrokenText {
	const { flow } = validFlow(g);
	const pretty = chance(g, 60);
	const base = JSON.stringify(
		chance(g, 20) ? { cloud_id: 'c', auth_token: 't', record: true, flow } : flow,
		null,
		pretty ? 2 : 0,
	);
	const at = (max = base.length) => int(g, 0, max);
	switch (int(g, 0, 9)) {
		case 0: {
			const cut = at(base.length - 1);
			return { text: base.slice(0, cut), corruption: 'truncated' };
		}
		case 1: {
			const p = at();
			return {
				text: base.slice(0, p) + pick(g, JUNK_INSERTS) + base.slice(p),
				corruption: 'junk inserted',
			};
		}
		case 2: {
			const p = at(base.length - 1);
			return { text: base.slice(0, p) + base.slice(p + 1), corruption: 'character deleted' };
		}
		case 3: {
			// Typographic quotes, as text copied from the Samespace document has.
			let open = true;
			const text = base.replace(/"/g, () =>
				chance(g, 70) ? ((open = !open), open ? '”' : '“') : '"',
			);
			return { text, corruption: 'typographic quotes' };
		}
		case 4: {
			const comment = pick(g, ['# the first step', '// the first step', '#comment', '/* note */']);
			const p = base.indexOf('\n') >= 0 ? base.indexOf('\n') + 1 : 1;
			return { text: `${base.slice(0, p)}${comment}\n${base.slice(p)}`, corruption: 'comment' };
		}
		case 5:
			return {
				text: base.replace(/([}\]])(\s*)$/, ',$1$2').replace(/"(\s*)}/, '",$1}'),
				corruption: 'trailing comma',
			};
		case 6:
			return { text: base.replace(/"/g, "'"), corruption: 'single quotes' };
		case 7:
			return {
				text: pick(g, ['flow = ', 'const flow = ', '```json\n', 'payload: ']) + base,
				corruption: 'prefix',
			};
		case 8:
			return { text: base + pick(g, [']', '}', ';', ' x', '\n```', ',']), corruption: 'suffix' };
		default: {
			// Random edits, several of them.
			let text = base;
			for (let i = 0, n = int(g, 1, 5); i < n; i++) {
				const p = int(g, 0, text.length);
				text = chance(g, 50)
					? text.slice(0, p) +
						g(fc.string, { unit: 'binary', minLength: 1, maxLength: 3 }) +
						text.slice(p)
					: text.slice(0, p) + text.slice(p + int(g, 1, 5));
			}
			return { text, corruption: 'random edits' };
		}
	}
}

export function isValidJson(text: string): boolean {
	try {
		JSON.parse(text.replace(/^\uFEFF/, ''));
		return true;
	} catch {
		return false;
	}
}
