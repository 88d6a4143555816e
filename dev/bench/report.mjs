// The bench's tables (Markdown), its targets, and BENCHMARKS.md between its markers.
import fs from 'node:fs';
import path from 'node:path';

import { ROOT } from '../n8n/config.mjs';

/** Targets: real n8n, default settings, 1,000 items, 10 in flight; and a rate-limited API. */
export const TARGETS = { nodeVsHttp: 0.35, nodeVsFetch: 6, rateTime: 1.15, rateLimitedShare: 0.05 };

const fmt = (value, digits = 0) =>
	value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const verdict = (ok) => (ok ? 'met' : 'MISSED');

/** A Markdown table: `columns` are [header, (row) => cell] pairs; the first column left-aligned. */
function table(rows, columns) {
	const line = (cells) => `| ${cells.join(' | ')} |`;
	return [
		line(columns.map(([header]) => header)),
		line(columns.map((_c, i) => (i === 0 ? ':---' : '---:'))),
		...rows.map((row) => line(columns.map(([, cell]) => cell(row)))),
	].join('\n');
}

/** `**value**`, with the target and its verdict when `target` applies to the row. */
const against = (value, digits, target, applies) =>
	`**${fmt(value, digits)}**${applies ? ` (target <= ${target}: ${verdict(value <= target)})` : ''}`;

export function renderReport(r) {
	const atTarget = (row) => row.items === 1000 && row.concurrency === 10;
	const ours = (row) => row.label.startsWith('Samespace');
	return [
		`Measured ${r.when.toISOString().replace('T', ' ').slice(0, 19)} UTC on ${r.cpu}, ${r.platform}; n8n ${r.n8nVersion} on Node ${r.nodeVersion} (the version \`npm run test:e2e\` installs), a running server with default settings; the bench took ${fmt(r.seconds)} s; 1-minute load average ${r.load[0].toFixed(1)} at the start, ${r.load[1].toFixed(1)} at the end.`,
		'Reproduce: `npm run bench`.',
		'',
		'### 1. Cost per call in real n8n',
		'',
		"Each execution: Webhook -> Split Out (one item per lead) -> the measured node. **ms/item**: n8n's own `executionTime` of the measured node / items (median of the rounds). **CPU ms/item**: CPU time of the n8n process during the whole execution / items. Ratios are taken per round (the same round's runs) and their median shown. The HTTP Request node sends every item at once (it has no in-flight cap), so its row is the same for both concurrencies. The fetch loop runs in a process of its own with the same number in flight.",
		'',
		table(r.throughput, [
			['items', (row) => fmt(row.items)],
			['in flight', (row) => row.concurrency],
			['Samespace node ms/item', (row) => fmt(row.node.msPerItem, 3)],
			['HTTP Request node ms/item', (row) => fmt(row.http.msPerItem, 3)],
			['fetch loop ms/item', (row) => fmt(row.fetch.msPerItem, 3)],
			[
				'**Samespace / HTTP Request**',
				(row) => against(row.nodeVsHttp, 2, TARGETS.nodeVsHttp, atTarget(row)),
			],
			[
				'**Samespace / fetch**',
				(row) => against(row.nodeVsFetch, 1, TARGETS.nodeVsFetch, atTarget(row)),
			],
			[
				'CPU ms/item: Samespace, HTTP Request, fetch',
				(row) =>
					`${fmt(row.node.cpuMsPerItem, 2)}, ${fmt(row.http.cpuMsPerItem, 2)}, ${fmt(row.fetch.cpuMsPerItem, 3)}`,
			],
			['rounds', (row) => row.rounds],
		]),
		'',
		'### 2. Draining a list at the rate the API allows',
		'',
		`The emulator allows R calls per second (a token bucket of R tokens; beyond it, 429 with \`Retry-After\`). **time / ideal**: the node's time / (items / R). Targets for the Samespace node: time <= ${TARGETS.rateTime} x ideal, 429 answers <= ${TARGETS.rateLimitedShare * 100}% of the calls, no duplicate calls.`,
		'',
		table(r.rateLimited, [
			['R (calls/s)', (row) => row.rate],
			['run', (row) => row.label],
			['items', (row) => fmt(row.items)],
			['time s', (row) => fmt(row.ms / 1000, 1)],
			[
				'**time / ideal**',
				(row) => {
					const ok =
						row.ms / row.ideal <= TARGETS.rateTime &&
						row.placed === row.items &&
						row.duplicates === 0;
					return `**${fmt(row.ms / row.ideal, 2)}**${ours(row) ? ` (${verdict(ok)})` : ''}`;
				},
			],
			['placed', (row) => fmt(row.placed)],
			[
				'429 answers (share of items)',
				(row) => {
					const share = row.limited / row.items;
					const ok = share <= TARGETS.rateLimitedShare;
					return `${fmt(row.limited)} (${fmt(share * 100, 1)}%)${ours(row) ? ` (${verdict(ok)})` : ''}`;
				},
			],
			['duplicates', (row) => row.duplicates],
			['execution', (row) => row.status],
		]),
		'',
		'### 3. Where n8n spends its CPU while the node runs',
		'',
		`Self time by package, from a CPU profile of the n8n server (Node's inspector) over three executions of 1,000 items, 10 in flight; idle time excluded. The profile is saved as \`${r.profile.file}\` (open it in Chrome DevTools).`,
		'',
		table(r.profile.shares.slice(0, 12), [
			[
				'package',
				([owner]) => (owner === 'n8n-nodes-samespace' ? `**${owner} (this package)**` : owner),
			],
			['share of CPU', ([, share]) => `${fmt(share * 100, 1)}%`],
		]),
		'',
		'### 4. Checking a flow vs JSON.stringify',
		'',
		'`checkItemFlow` from dist/ (what the node runs per item) on valid flows of 10, 100 and 1,000 steps, against `JSON.stringify` of the request body (the least any client must do). Median of rotated rounds, in this process.',
		'',
		table(r.validation, [
			['steps', (row) => fmt(row.steps)],
			['body bytes', (row) => fmt(row.payloadBytes)],
			['JSON.stringify µs', (row) => fmt(row.stringifyUs, 1)],
			['step list µs', (row) => fmt(row.fromStepsUs, 1)],
			['JSON text µs', (row) => fmt(row.fromJsonUs, 1)],
			['step list / stringify', (row) => fmt(row.stepsRatio, 1)],
			['JSON text / stringify', (row) => fmt(row.jsonRatio, 1)],
		]),
	].join('\n');
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
