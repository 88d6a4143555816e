// The e2e scripts' checks: each prints `ok`, `FAIL` (with the reason) or `skip` (with the reason
// a check cannot run here), and the script ends with one line `e2e: N passed, M failed`.
export const results = [];
export const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function assert(condition, message) {
	if (!condition) throw new Error(message);
}

/** Runs `fn`; its return value is printed as the check's detail. Resolves to whether it passed. */
export async function check(name, fn) {
	const t = Date.now();
	try {
		const detail = await fn();
		results.push({ name, ok: true, ms: Date.now() - t });
		console.log(
			`  ok    ${name} (${seconds(Date.now() - t)})${detail ? `\n        ${String(detail).split('\n').join('\n        ')}` : ''}`,
		);
		return true;
	} catch (error) {
		results.push({ name, ok: false, ms: Date.now() - t, error });
		console.log(
			`  FAIL  ${name} (${seconds(Date.now() - t)})\n        ${String(error?.message ?? error)
				.split('\n')
				.slice(0, 30)
				.join('\n        ')}`,
		);
		return false;
	}
}

/** A check this setup cannot run: reported with the reason, counted neither passed nor failed. */
export function skip(name, reason) {
	results.push({ name, skipped: true, reason });
	console.log(`  skip  ${name}\n        ${reason}`);
}

/** Polls `fn` every `everyMs` until it returns something truthy; throws after `timeoutMs`. */
export async function until(what, fn, timeoutMs = 30_000, everyMs = 100) {
	const started = Date.now();
	for (;;) {
		const value = await fn();
		if (value) return value;
		if (Date.now() - started > timeoutMs)
			throw new Error(`${what}: not after ${seconds(timeoutMs)}`);
		await sleep(everyMs);
	}
}

/**
 * Runs the script's `main`, counts a crash as a failed check, prints the summary (`label`:
 * what ran, `timings`) and exits: 0 only when something passed and nothing failed.
 */
export async function runChecks(main, { label, timings = {}, started = Date.now() }) {
	try {
		await main();
	} catch (error) {
		results.push({ name: 'e2e runner', ok: false, error });
		console.log(`  FAIL  e2e runner: ${error?.stack ?? error}`);
	}
	const passed = results.filter((r) => r.ok).length;
	const skipped = results.filter((r) => r.skipped).length;
	const failed = results.length - passed - skipped;
	console.log(
		`\ntimings (${label}): ${JSON.stringify({ ...timings, total: seconds(Date.now() - started) })}`,
	);
	if (skipped)
		console.log(
			`skipped: ${skipped} (on ${label}: ${[...new Set(results.filter((r) => r.skipped).map((r) => r.reason))].join('; ')})`,
		);
	console.log(`e2e: ${passed} passed, ${failed} failed`);
	process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
