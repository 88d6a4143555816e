/**
 * Property-based tests of the answer report (nodes/Samespace/flow/answer-step.ts): the address a Send
 * Answer to Workflow step reports to, filled the way Samespace fills it and parsed the way n8n
 * parses it, reads back as the digits gathered; a `#` put into the address as it is cuts the report,
 * and the reader says exactly where; and no query at all makes the reader throw.
 *
 * Every property tries all its cases and then fails with one line per kind of failure (with the
 * shortest example found), rather than stopping at the first. Seeds are fixed: a run is repeatable.
 */
import { isDeepStrictEqual } from 'node:util';

import fc from 'fast-check';

import {
	answerReportUrl,
	readAnswerReport,
	type AnswerReport,
} from '../../nodes/Samespace/flow/answer-step';
import type { Gen } from './arbitraries/shared';
import { Findings, attempt, forAll, pick, preview } from './checks';

const SEED = 20_250_902;
const RUNS = Number(process.env.PROPERTY_RUNS ?? 2000);

const KEYPAD_KEYS = '0123456789*#'.split('');
const RESUME_URLS = [
	'https://n8n.example.com/webhook-waiting/123/node-1',
	'https://n8n.example.com/webhook-waiting/123/node-1?signature=9f86d081884c7d659a2feaa0c55ad015',
	'http://localhost:5678/webhook-waiting/7/abc?signature=x&other=1',
	'https://n8n.example.com:8443/base/path/webhook-waiting/1/n?a=b',
];
/** Reference characters, with the ones that need encoding (space, &, =, #, +, %, /, ?, non-ASCII). */
const REF_UNIT = fc.constantFrom(...'abcXYZ019-_.~ &=#+%/?é日'.split(''));

// Built once: an arbitrary made inside each case (g(fc.string, { unit: ... })) costs far more than the case.
const NAMES = fc.uniqueArray(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/), { maxLength: 6 });
const KEYPAD = fc.constantFrom(...KEYPAD_KEYS);
const KEYS = {
	5: fc.string({ unit: KEYPAD, maxLength: 5 }),
	8: fc.string({ unit: KEYPAD, maxLength: 8 }),
};
const REFERENCE = fc.string({ unit: REF_UNIT, minLength: 1, maxLength: 16 });
const ANY_QUERY = fc.dictionary(fc.string({ maxLength: 8 }), fc.anything(), { maxKeys: 5 });
const ANYTHING = fc.anything();
const ANY_REF = fc.oneof(fc.string(), fc.anything());
const SHORT_NAME = fc.string({ maxLength: 6 });

const variableNames = (g: Gen) => g(() => NAMES);
const keypadString = (g: Gen, maxLength: 5 | 8 = 8) => g(() => KEYS[maxLength]);
const reference = (g: Gen) => g(() => REFERENCE);

/** The report address with each `{{variable}}` filled by `fill(keys)`, as Samespace does at call time. */
function filled(
	template: string,
	variables: readonly string[],
	keys: readonly string[],
	fill: (keys: string) => string,
): string {
	let url = template;
	variables.forEach((name, index) => {
		url = url.split(`{{${name}}}`).join(fill(keys[index]));
	});
	return url;
}

/** The query of the request, as n8n hands it to the node (one value per name). */
const queryOf = (url: string): Record<string, unknown> =>
	Object.fromEntries(new URL(url).searchParams);

/** Runs `run`; an exception becomes a finding instead of ending the property. */

// -------------------------------------------------------------------------------------------------

describe('answer reports', () => {
	test('filled with URL-encoded keys, every report reads back as exactly the digits gathered, complete', () => {
		const findings = new Findings('encoded reports');
		let withHash = 0;
		forAll(findings, SEED + 1, RUNS, (g) => {
			const variables = variableNames(g);
			const keys = variables.map(() => keypadString(g));
			const resumeUrl = pick(g, RESUME_URLS);
			const ref = reference(g);
			if (keys.some((k) => k.includes('#'))) withHash++;
			const input = () => ({ resumeUrl, ref, variables, keys });
			const template = attempt(findings, 'answerReportUrl', input, () =>
				answerReportUrl(resumeUrl, ref, variables),
			);
			if (template === undefined) return;
			const url = filled(template, variables, keys, encodeURIComponent);
			const query = attempt(findings, 'new URL', input, () => queryOf(url));
			if (query === undefined) return;
			const report = attempt(findings, 'readAnswerReport', input, () =>
				readAnswerReport(query, ref),
			);
			if (report === undefined) return;
			const expected: AnswerReport = {
				ok: true,
				digits: Object.fromEntries(variables.map((name, i) => [name, keys[i]])),
				complete: true,
			};
			if (!isDeepStrictEqual(report, expected))
				findings.add(
					report.ok ? 'the report reads back other digits' : 'the report is refused',
					input,
					() => `${url} → ${preview(report)}`,
				);
		});
		findings.print(`${withHash} with a "#"`);
		expect(withHash).toBeGreaterThan(RUNS / 5);
		expect(findings.failures()).toEqual([]);
	});

	test('filled with keys as they are, a "#" cuts the report: complete exactly when no value has a "#", else cut at the first one', () => {
		const findings = new Findings('raw reports');
		let cut = 0;
		forAll(findings, SEED + 2, RUNS, (g) => {
			const variables = variableNames(g);
			const keys = variables.map(() => keypadString(g, 5));
			const resumeUrl = pick(g, RESUME_URLS);
			const ref = reference(g);
			const input = () => ({ resumeUrl, ref, variables, keys });
			const template = attempt(findings, 'answerReportUrl', input, () =>
				answerReportUrl(resumeUrl, ref, variables),
			);
			if (template === undefined) return;
			const url = filled(template, variables, keys, (k) => k);
			const query = attempt(findings, 'new URL', input, () => queryOf(url));
			if (query === undefined) return;
			const report = attempt(findings, 'readAnswerReport', input, () =>
				readAnswerReport(query, ref),
			);
			if (report === undefined) return;
			const detail = () => `${url} → ${preview(report)}`;
			if (!report.ok) {
				findings.add('the report is refused', input, detail);
				return;
			}
			const at = keys.findIndex((k) => k.includes('#'));
			if (at < 0) {
				const expected = Object.fromEntries(variables.map((name, i) => [name, keys[i]]));
				if (!report.complete) findings.add('a report without "#" is not complete', input, detail);
				if (report.cutAt !== undefined)
					findings.add('a complete report names a cut', input, detail);
				if (!isDeepStrictEqual(report.digits, expected))
					findings.add('a complete report reads back other digits', input, detail);
				return;
			}
			cut++;
			const expected = Object.fromEntries([
				...variables.slice(0, at).map((name, i) => [name, keys[i]]),
				[variables[at], keys[at].slice(0, keys[at].indexOf('#'))],
			]);
			if (report.complete) findings.add('a report cut at a "#" is complete', input, detail);
			if (report.cutAt !== variables[at])
				findings.add('cutAt is not the first variable with a "#"', input, detail);
			if (!isDeepStrictEqual(report.digits, expected))
				findings.add('the digits are not those before the "#"', input, detail);
			if (variables.slice(at + 1).some((name) => Object.hasOwn(report.digits, name)))
				findings.add('a variable after the cut is present', input, detail);
		});
		findings.print(`${cut} cut`);
		expect(cut).toBeGreaterThan(RUNS / 5);
		expect(findings.failures()).toEqual([]);
	});

	test('any query object: never throws; refused (400 or 409) unless the reference matches and every key_ value is keypad keys', () => {
		const findings = new Findings('any query');
		const REF = 'Xy7Qa91LmZt3b0Cd';
		const counts = { ok: 0, 400: 0, 409: 0 };
		forAll(findings, SEED + 3, RUNS, (g) => {
			const query: Record<string, unknown> = { ...g(() => ANY_QUERY) };
			// Steer towards the interesting cases: the right reference, keypad values, the end marker.
			const refChoice = g(fc.integer, { min: 0, max: 9 });
			if (refChoice < 5) query.ref = REF;
			else if (refChoice < 7) query.ref = g(() => ANY_REF);
			const extra = g(fc.integer, { min: 0, max: 3 });
			for (let i = 0; i < extra; i++) {
				const name = g(() => SHORT_NAME);
				query[`key_${name}`] =
					g(fc.integer, { min: 0, max: 5 }) === 0 ? g(() => ANYTHING) : keypadString(g);
			}
			if (g(fc.boolean))
				query.end = g(fc.integer, { min: 0, max: 2 }) === 0 ? g(() => ANYTHING) : '1';
			const input = () => query;

			const report = attempt(findings, 'readAnswerReport', input, () =>
				readAnswerReport(query, REF),
			);
			if (report === undefined) return;
			const given = query.ref;
			const keyEntries = Object.entries(query).filter(([key]) => key.startsWith('key_'));
			const keypad = keyEntries.every(
				([key, value]) => key !== 'key_' && typeof value === 'string' && /^[0-9*#]*$/.test(value),
			);
			const expectedStatus =
				typeof given !== 'string' || given === ''
					? 400
					: given !== REF
						? 409
						: keypad
							? undefined
							: 400;
			const detail = () => preview(report);
			if (!report.ok) {
				counts[report.status]++;
				if (report.status !== expectedStatus)
					findings.add(
						`refused with ${report.status} where ${expectedStatus ?? 'ok'} was expected`,
						input,
						detail,
					);
				if (typeof report.error !== 'string' || report.error === '')
					findings.add('a refusal without an error text', input, detail);
				return;
			}
			counts.ok++;
			if (expectedStatus !== undefined)
				findings.add(`accepted where ${expectedStatus} was expected`, input, detail);
			const digits = Object.fromEntries(keyEntries.map(([key, value]) => [key.slice(4), value]));
			if (!isDeepStrictEqual(report.digits, digits))
				findings.add('the digits are not the key_ values', input, detail);
			const complete = query.end === '1';
			if (report.complete !== complete)
				findings.add(
					`complete is ${report.complete} with end ${preview(query.end)}`,
					input,
					detail,
				);
			const last =
				keyEntries.length > 0 ? keyEntries[keyEntries.length - 1][0].slice(4) : undefined;
			if (report.cutAt !== (complete ? undefined : last))
				findings.add('cutAt is not the last variable of an incomplete report', input, detail);
		});
		findings.print(`${counts.ok} ok, ${counts[400]} refused 400, ${counts[409]} refused 409`);
		expect(counts.ok).toBeGreaterThan(RUNS / 10);
		expect(counts[400]).toBeGreaterThan(RUNS / 10);
		expect(counts[409]).toBeGreaterThan(RUNS / 20);
		expect(findings.failures()).toEqual([]);
	});
});
