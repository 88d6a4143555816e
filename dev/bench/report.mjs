// The bench's tables (Markdown), its targets, and BENCHMARKS.md between its markers.
import fs from 'node:fs';
import path from 'node:path';

import { ROOT } from '../n8n/config.mjs';

/** Targets: real n8n, default settings, 1,000 items, 10 in flight; and a rate-limited API. */
export const TARGETS = { nodeVsHttp: 0.35, nodeVsFetch: 6, rateTime: 1.15, rateLimitedShare: 0.05 };

const fmt = (value, digits = 0) =>
	value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const verdict = (ok) => (ok ? 'met' : 'MISSED');

function table(header, rows) {
	const line = (cells) => `| ${cells.join(' | ')} |`;
	return [
		line(header),
		line(header.map((_h, i) => (i === 0 ? ':---' : '---:'))),
		...rows.map(line),
	].join('\n');
}

export function renderReport(r) {
	const out = [];
	out.push(
		`Measured ${r.when.toISOString().replace('T', ' ').slice(0, 19)} UTC on ${r.cpu}, ${r.platform}; n8n ${r.n8nVersion} on Node ${r.nodeVersion} (the version \`npm run test:e2e\` installs), a running server with default settings; the bench took ${fmt(r.seconds)} s; 1-minute load average ${r.load[0].toFixed(1)} at the start, ${r.load[1].toFixed(1)} at the end.`,
		'Reproduce: `npm run bench`.',
		'',
		'### 1. Cost per call in real n8n',
		'',
		"Each execution: Webhook -> Split Out (one item per lead) -> the measured node. **ms/item**: n8n's own `executionTime` of the measured node / items (median of the rounds). **CPU ms/item**: CPU time of the n8n process during the whole execution / items. Ratios are taken per round (the same round's runs) and their median shown. The HTTP Request node sends every item at once (it has no in-flight cap), so its row is the same for both concurrencies. The fetch loop runs in a process of its own with the same number in flight.",
		'',
	);
	out.push(
		table(
			[
				'items',
				'in flight',
				'Samespace node ms/item',
				'HTTP Request node ms/item',
				'fetch loop ms/item',
				'**Samespace / HTTP Request**',
				'**Samespace / fetch**',
				'CPU ms/item: Samespace, HTTP Request, fetch',
				'rounds',
			],
			r.throughput.map((row) => {
				const target = row.items === 1000 && row.concurrency === 10;
				return [
					fmt(row.items),
					row.concurrency,
					fmt(row.node.msPerItem, 3),
					fmt(row.http.msPerItem, 3),
					fmt(row.fetch.msPerItem, 3),
					`**${fmt(row.nodeVsHttp, 2)}**${target ? ` (target <= ${TARGETS.nodeVsHttp}: ${verdict(row.nodeVsHttp <= TARGETS.nodeVsHttp)})` : ''}`,
					`**${fmt(row.nodeVsFetch, 1)}**${target ? ` (target <= ${TARGETS.nodeVsFetch}: ${verdict(row.nodeVsFetch <= TARGETS.nodeVsFetch)})` : ''}`,
					`${fmt(row.node.cpuMsPerItem, 2)}, ${fmt(row.http.cpuMsPerItem, 2)}, ${fmt(row.fetch.cpuMsPerItem, 3)}`,
					row.rounds,
				];
			}),
		),
	);
	out.push(
		'',
		'### 2. Draining a list at the rate the API allows',
		'',
		`The emulator allows R calls per second (a token bucket of R tokens; beyond it, 429 with \`Retry-After\`). **time / ideal**: the node's time / (items / R). Targets for the Samespace node: time <= ${TARGETS.rateTime} x ideal, 429 answers <= ${TARGETS.rateLimitedShare * 100}% of the calls, no duplicate calls.`,
		'',
	);
	out.push(
		table(
			[
				'R (calls/s)',
				'run',
				'items',
				'time s',
				'**time / ideal**',
				'placed',
				'429 answers (share of items)',
				'duplicates',
				'execution',
			],
			r.rateLimited.map((row) => {
				const ours = row.label.startsWith('Samespace');
				const ratio = row.ms / row.ideal;
				const share = row.limited / row.items;
				const ok = row.placed === row.items && row.duplicates === 0;
				return [
					row.rate,
					row.label,
					fmt(row.items),
					fmt(row.ms / 1000, 1),
					`**${fmt(ratio, 2)}**${ours ? ` (${verdict(ratio <= TARGETS.rateTime && ok)})` : ''}`,
					fmt(row.placed),
					`${fmt(row.limited)} (${fmt(share * 100, 1)}%)${ours ? ` (${verdict(share <= TARGETS.rateLimitedShare)})` : ''}`,
					row.duplicates,
					row.status,
				];
			}),
		),
	);
	out.push(
		'',
		'### 3. Where n8n spends its CPU while the node runs',
		'',
		`Self time by package, from a CPU profile of the n8n server (Node's inspector) over three executions of 1,000 items, 10 in flight; idle time excluded. The profile is saved as \`${r.profile.file}\` (open it in Chrome DevTools).`,
		'',
		table(
			['package', 'share of CPU'],
			r.profile.shares
				.slice(0, 12)
				.map(([owner, share]) => [
					owner === 'n8n-nodes-samespace' ? `**${owner} (this package)**` : owner,
					`${fmt(share * 100, 1)}%`,
				]),
		),
		'',
		'### 4. Checking a flow vs JSON.stringify',
		'',
		'`checkItemFlow` from dist/ (what the node runs per item) on valid flows of 10, 100 and 1,000 steps, against `JSON.stringify` of the request body (the least any client must do). Median of rotated rounds, in this process.',
		'',
		table(
			[
				'steps',
				'body bytes',
				'JSON.stringify µs',
				'step list µs',
				'JSON text µs',
				'step list / stringify',
				'JSON text / stringify',
			],
			r.validation.map((row) => [
				fmt(row.steps),
				fmt(row.payloadBytes),
				fmt(row.stringifyUs, 1),
				fmt(row.fromStepsUs, 1),
				fmt(row.fromJsonUs, 1),
				fmt(row.stepsRatio, 1),
				fmt(row.jsonRatio, 1),
			]),
		),
	);
	return out.join('\n');
}

const START_MARKER =
	'<!-- bench:results:start (written by `npm run bench`; edit outside the markers) -->';
const END_MARKER = '<!-- bench:results:end -->';

export function writeBenchmarksFile(rendered) {
	const file = path.join(ROOT, 'BENCHMARKS.md');
	const block = `${START_MARKER}\n${rendered}\n${END_MARKER}`;
	let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
	const start = text.indexOf(START_MARKER);
	const end = text.indexOf(END_MARKER);
	if (start >= 0 && end > start)
		text = text.slice(0, start) + block + text.slice(end + END_MARKER.length);
	else text = `# Benchmarks\n\n## Latest results\n\n${block}\n${text ? `\n${text}` : ''}`;
	fs.writeFileSync(file, text);
	return file;
}
