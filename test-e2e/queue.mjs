#!/usr/bin/env node
// `npm run test:e2e:queue` (also run by `npm run test:e2e`): the package in n8n 2.41.1's queue
// mode, the way teams run n8n at scale: Redis, Postgres, one main process and two workers, each
// process with the packed package installed in its own user folder (test-e2e/queue-stack.mjs).
// Every check is made against what the emulator recorded (each call placed, when, and how many of
// one execution's calls overlapped) and what n8n saved and logged:
//
//  1. bulk across workers: 20 executions of 200 leads each, started together: every lead called
//     once, each execution's Calls in Parallel held, both workers busy, no execution run twice;
//  2. the API's rate limit shared by executions on both workers: no duplicates, what it costs;
//  3. call and wait across processes: the call's report reaches main, the execution resumes on a
//     worker with the digits; a time-out fires (main is the leader that times waits);
//  4. a worker killed (kill -9) in the middle of a 500-lead execution: the calls placed, what n8n
//     shows, n8n's own retry (which must place no call), and the trail the node left in the log.
// Options: --keep (keep .n8n-dev/queue, with each process's log, for inspection); --only=<text>
// (run only the scenarios whose name contains it, after the set-up).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { benchWorkflow } from '../dev/bench/n8n-instance.mjs';
import { packPackage } from '../dev/n8n/community-install.mjs';
import {
	DEV_DIR,
	EMULATOR_AUTH_TOKEN,
	EMULATOR_CLOUD_ID,
	N8N_VERSION,
	ROOT,
} from '../dev/n8n/config.mjs';
import { installN8n } from '../dev/n8n/install.mjs';
import { importableExample, listExamples } from '../dev/n8n/setup.mjs';
import { assert, check as runCheck, runChecks, seconds, sleep, until } from './checks.mjs';
import {
	executionsStartedBy,
	installQueueServices,
	outboundAttempts,
	startQueueStack,
} from './queue-stack.mjs';
import {
	LIMIT_SECONDS,
	TIMEOUT_HOOK,
	executionById,
	executionsOf,
	outputOf,
	timeoutWorkflow,
} from './waiting.mjs';

const args = new Set(process.argv.slice(2));
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
/** A scenario's check, unless --only names others (the set-up's checks always run). */
const check = (name, fn, { setUp = false } = {}) =>
	setUp || !only || name.includes(only) ? runCheck(name, fn) : undefined;
const started = Date.now();
const timings = {};
const STACK_DIR = path.join(DEV_DIR, 'queue');

const CALLER_ID = '14155550100';
const WORKERS = 2;
const WORKER_CONCURRENCY = 10;
const BULK = { executions: 20, leads: 200, inParallel: 5, answerMs: 150 };
const RATE = { executions: 10, leads: 100, inParallel: 5, perSecond: 50 };
const CRASH = { leads: 500, inParallel: 5, answerMs: 200, killAfterCalls: 200 };

/** Lead `i` of batch `batch` of scenario `scenario` (1-9): a number that tells all three apart. */
const phoneOf = (scenario, batch, i) =>
	`14${scenario}${String(batch).padStart(3, '0')}${String(i).padStart(5, '0')}`;
const batchOf = (number) => Number(number.slice(3, 6));
const leadsFor = (scenario, batch, count) =>
	Array.from({ length: count }, (_v, i) => ({ phone: phoneOf(scenario, batch, i) }));

/** Webhook (the leads in its body) -> Split Out -> Samespace "Send": Place Call, one per lead. */
const leadsWorkflow = (id, hookPath, { inParallel, callsPerSecond, responseMode }) =>
	benchWorkflow(
		id,
		hookPath,
		{
			type: 'n8n-nodes-samespace.samespace',
			typeVersion: 1,
			parameters: {
				steps: {
					step: [
						{ type: 'call', number: '={{ $json.phone }}', callerId: CALLER_ID },
						{ type: 'play', text: 'Hello from Acme. Your order has shipped.' },
					],
				},
				record: false,
				options: { concurrency: inParallel, ...(callsPerSecond ? { callsPerSecond } : {}) },
			},
		},
		{ responseMode },
	);

/** The workflow's executions once `count` of them have ended (n8n saves them after the webhook answers). */
const endedExecutions = (rest, workflowId, count) =>
	until(`${count} executions saved as ended`, async () => {
		const list = await executionsOf(rest, workflowId, 100);
		const ended = list.filter((e) => !['new', 'running'].includes(e.status));
		return ended.length === count ? ended : undefined;
	});

/**
 * The most requests of each batch of `scenario` that were in flight at once, from the intervals
 * the emulator recorded (body received to answer sent).
 */
function peakInFlightByBatch(requests, scenario) {
	const events = new Map();
	for (const r of requests) {
		const number = r.body?.flow?.[0]?.number;
		if (!number || !String(number).startsWith(`14${scenario}`)) continue;
		const batch = batchOf(String(number));
		if (!events.has(batch)) events.set(batch, []);
		events.get(batch).push([r.time, 1], [r.endedAt ?? Infinity, -1]);
	}
	const peaks = new Map();
	for (const [batch, list] of events) {
		// Ends before starts at the same millisecond: back-to-back requests do not overlap.
		list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
		let now = 0;
		let peak = 0;
		for (const [, delta] of list) peak = Math.max(peak, (now += delta));
		peaks.set(batch, peak);
	}
	return peaks;
}

const post = (url, body) =>
	fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});

/** The node's line in n8n's log for each call Samespace accepted (docs/reference.md). */
const ACCEPTED_LINE = /Samespace call accepted: executionId=(\d+) .*?itemIndex=(\d+) callId=(\S+)/;

/** The numbers of the calls placed for `scenario`'s leads. */
const placedIn = (emulator, scenario) =>
	emulator.placedCalls.map((c) => c.number).filter((n) => n?.startsWith(`14${scenario}`));

/** Numbers placed more than once, from the emulator's own count. */
const duplicatesOf = (emulator) => Object.keys(emulator.counters.duplicatePlacements);

async function main() {
	const require = createRequire(import.meta.url);
	const { SamespaceEmulator } = require(path.join(ROOT, 'build', 'dev', 'emulator.js'));
	console.log(`e2e: queue mode, n8n ${N8N_VERSION}, main + ${WORKERS} workers`);

	await check(
		'install n8n (Node 24) under .n8n-dev/, Redis and Postgres from Debian',
		async () => {
			const n = installN8n();
			const q = installQueueServices();
			return `n8n: ${n.skipped ? 'already installed' : seconds(n.ms)}; ${q.skipped ? 'already installed' : `apt-get ${seconds(q.ms)}`}: ${q.what}`;
		},
		{ setUp: true },
	);
	const pack = packPackage();

	const emulator = await SamespaceEmulator.start({
		cloudId: EMULATOR_CLOUD_ID,
		authToken: EMULATOR_AUTH_TOKEN,
		simulateCalls: { timeScale: 0.3 },
	});
	const appointment = listExamples().find((e) => e.file === 'appointment-reminder.json');
	const workflows = {
		bulk: leadsWorkflow('queueBulk0000001', 'queue-bulk', { inParallel: BULK.inParallel }),
		rate: leadsWorkflow('queueRate0000001', 'queue-rate', { inParallel: RATE.inParallel }),
		ratePaced: leadsWorkflow('queueRatePaced01', 'queue-rate-paced', {
			inParallel: RATE.inParallel,
			callsPerSecond: RATE.perSecond / RATE.executions,
		}),
		crash: leadsWorkflow('queueCrash000001', 'queue-crash', {
			inParallel: CRASH.inParallel,
			responseMode: 'onReceived',
		}),
		appointment: importableExample(appointment),
		timeout: timeoutWorkflow(appointment, phoneOf(3, 0, 1)),
	};
	let stack;
	try {
		await check(
			`start Redis, Postgres, n8n main and ${WORKERS} workers (queue mode), the packed package installed in each`,
			async () => {
				stack = await startQueueStack({
					dir: STACK_DIR,
					tarball: pack.tarball,
					emulatorBaseUrl: emulator.baseUrl,
					workflows: Object.values(workflows),
					workers: WORKERS,
					workerConcurrency: WORKER_CONCURRENCY,
					log: (m) => console.log(`        ${m}`),
				});
				timings.stackStart = seconds(stack.startedMs);
				return `ready in ${timings.stackStart}: main ${stack.main.url}; workers ${stack.workers.map((w) => w.name).join(', ')}`;
			},
			{ setUp: true },
		);
		if (!stack) return;
		const { main: n8n, rest, workers } = stack;
		const hook = (workflow) =>
			`${n8n.url}/webhook/${workflow.nodes.find((n) => n.type === 'n8n-nodes-base.webhook').parameters.path}`;

		// A wait nobody answers, started first: main's wait tracker times it out while the rest runs.
		const timeoutNumber = workflows.timeout.nodes[2].parameters.steps.step[0].number;
		emulator.simulator.unanswered(timeoutNumber);
		const timeoutPosted = Date.now();
		const timeoutStart = await post(`${n8n.url}/webhook/${TIMEOUT_HOOK}`, {});
		const timeoutCall = timeoutStart.ok
			? await until('the unanswered call placed', () =>
					emulator.placedCalls.find((c) => c.number === timeoutNumber),
				).catch(() => undefined)
			: undefined;

		await check(
			`bulk across workers: ${BULK.executions} executions of ${BULK.leads} leads started together; every lead called once, each execution's ${BULK.inParallel} in parallel held, both workers busy`,
			async () => {
				emulator.reset();
				emulator.simulator.unanswered(timeoutNumber);
				emulator.inject({ kind: 'delay', ms: BULK.answerMs }, { times: Infinity });
				const t = Date.now();
				const answers = await Promise.all(
					Array.from({ length: BULK.executions }, (_v, b) =>
						post(hook(workflows.bulk), { leads: leadsFor(1, b, BULK.leads) }),
					),
				);
				const wallMs = Date.now() - t;
				emulator.clearFaults();
				const statuses = answers.map((a) => a.status);
				assert(
					statuses.every((s) => s === 200),
					`webhook answers: ${statuses.join(', ')}`,
				);
				const executions = await endedExecutions(rest, workflows.bulk.id, BULK.executions);
				const notSuccess = executions.filter((e) => e.status !== 'success');
				assert(
					notSuccess.length === 0,
					`executions not successful: ${notSuccess.map((e) => `${e.id} ${e.status}`).join(', ')}`,
				);

				const expected = Array.from({ length: BULK.executions }, (_v, b) =>
					leadsFor(1, b, BULK.leads).map((l) => l.phone),
				).flat();
				const placed = placedIn(emulator, 1);
				assert(
					duplicatesOf(emulator).length === 0,
					`called more than once: ${duplicatesOf(emulator).slice(0, 10).join(', ')}`,
				);
				assert(
					placed.length === expected.length &&
						JSON.stringify([...placed].sort()) === JSON.stringify([...expected].sort()),
					`${placed.length} calls placed for ${expected.length} leads`,
				);

				const peaks = peakInFlightByBatch(emulator.requests, 1);
				const overCap = [...peaks].filter(([, p]) => p > BULK.inParallel);
				const underCap = [...peaks].filter(([, p]) => p < BULK.inParallel);
				assert(
					overCap.length === 0,
					`over the cap: ${overCap.map(([b, p]) => `execution ${b}: ${p}`).join(', ')}`,
				);
				assert(
					underCap.length === 0,
					`never reached the cap (so it was not what limited them): ${underCap.map(([b, p]) => `${b}: ${p}`).join(', ')}`,
				);
				assert(
					emulator.peakConcurrency > BULK.inParallel,
					`at most ${emulator.peakConcurrency} calls in flight in all: the executions did not overlap`,
				);

				const ids = executions.map((e) => String(e.id));
				const byWorker = workers.map((w) =>
					executionsStartedBy(w).filter((id) => ids.includes(id)),
				);
				const ranTwice = ids.filter((id) => byWorker.flat().filter((x) => x === id).length > 1);
				assert(ranTwice.length === 0, `executions started more than once: ${ranTwice.join(', ')}`);
				assert(
					byWorker.every((list) => list.length > 0),
					`executions per worker: ${byWorker.map((l) => l.length).join(', ')}`,
				);
				assert(
					byWorker.flat().length === ids.length,
					`${byWorker.flat().length} of ${ids.length} executions found in the workers' logs`,
				);

				// What n8n saved: each execution's output, one successful item per lead, with a call id
				// the emulator issued for that lead.
				const callIdOf = new Map(emulator.placedCalls.map((c) => [c.call_id, c.number]));
				for (const e of executions) {
					const out = outputOf(await executionById(rest, e.id), 'Send');
					assert(
						out.length === BULK.leads &&
							out.every((o) => o.success === true && callIdOf.has(o.call_id)),
						`execution ${e.id}: ${out.length} items; ${JSON.stringify(out.find((o) => !o.success || !callIdOf.has(o.call_id)) ?? {}).slice(0, 300)}`,
					);
					const batches = new Set(out.map((o) => batchOf(callIdOf.get(o.call_id))));
					assert(batches.size === 1, `execution ${e.id} holds calls of batches ${[...batches]}`);
				}
				timings.bulk = seconds(wallMs);
				return `${placed.length} calls, none twice, in ${seconds(wallMs)}; peak in flight per execution ${[...new Set(peaks.values())].join('/')} (cap ${BULK.inParallel}), ${emulator.peakConcurrency} in all; executions per worker ${byWorker.map((l) => l.length).join(' + ')}`;
			},
		);

		// The same lists against a rate-limited API: first with the defaults (each execution adapts
		// to the 429s it gets by itself), then with Max Calls per Second set to the limit divided by
		// the executions running at once (what docs/reference.md advises in queue mode).
		for (const [variant, workflow, scenario] of [
			['the defaults', workflows.rate, 2],
			[
				`Max Calls per Second ${RATE.perSecond / RATE.executions} (the limit / ${RATE.executions})`,
				workflows.ratePaced,
				5,
			],
		]) {
			await check(
				`the API's rate limit (${RATE.perSecond}/s) shared by ${RATE.executions} executions on both workers, ${variant}: every lead called once, no execution fails`,
				async () => {
					emulator.reset();
					emulator.simulator.unanswered(timeoutNumber);
					emulator.setRateLimit({ perSecond: RATE.perSecond });
					const t = Date.now();
					const answers = await Promise.all(
						Array.from({ length: RATE.executions }, (_v, b) =>
							post(hook(workflow), { leads: leadsFor(scenario, b, RATE.leads) }),
						),
					);
					const wallMs = Date.now() - t;
					emulator.setRateLimit(undefined);
					const executions = await endedExecutions(rest, workflow.id, RATE.executions);
					const placed = placedIn(emulator, scenario);
					const total = RATE.executions * RATE.leads;
					assert(
						duplicatesOf(emulator).length === 0,
						`called more than once: ${duplicatesOf(emulator).slice(0, 10).join(', ')}`,
					);
					const failed = executions.filter((e) => e.status !== 'success');
					const failures = [];
					for (const e of failed) {
						const run = await executionById(rest, e.id);
						failures.push(run.data.resultData.error?.message ?? e.status);
					}
					// The bucket starts full: its first `perSecond` calls need no wait.
					const idealMs = ((total - RATE.perSecond) / RATE.perSecond) * 1000;
					const { rateLimited, requests } = emulator.counters;
					timings[`rate ${scenario}`] = seconds(wallMs);
					const detail = `${placed.length} of ${total} calls placed in ${seconds(wallMs)} (ideal ${seconds(idealMs)}: ${(wallMs / idealMs).toFixed(2)} x); ${rateLimited} answers 429 (${((100 * rateLimited) / requests).toFixed(1)}% of ${requests} requests); ${failed.length} executions failed${failures.length ? `: ${[...new Set(failures)].join(' | ').slice(0, 400)}` : ''}; webhook answers ${[...new Set(answers.map((a) => a.status))].join(',')}`;
					assert(failed.length === 0 && placed.length === total, detail);
					return detail;
				},
			);
		}

		await check(
			'call and wait across processes: the report reaches main, the execution resumes on a worker with the digits',
			async () => {
				const number = phoneOf(3, 0, 2);
				emulator.simulator.pressKeys(number, ['1']);
				const posted = Date.now();
				const res = await post(hook(workflows.appointment), {
					firstName: 'Grace',
					phone: number,
					when: 'tomorrow at 10',
				});
				assert(res.ok, `webhook answered ${res.status}`);
				const newest = (status) => async () =>
					(await executionsOf(rest, workflows.appointment.id)).find(
						(e) => new Date(e.startedAt).getTime() >= posted - 1000 && e.status === status,
					);
				const waiting = await until('the execution waiting', newest('waiting'));
				const done = await until(
					'the execution resumed and finished',
					newest('success'),
					60_000,
				).catch((error) => {
					const call = emulator.simulator.calls.find((c) => c.number === number);
					throw new Error(
						`${error.message}; the call: ${JSON.stringify(call?.path ?? emulator.placedCalls.filter((c) => c.number === number))}`,
					);
				});
				assert(done.id === waiting.id, `waiting ${waiting.id}, finished ${done.id}`);
				const call = emulator.simulator.calls.find((c) => c.number === number);
				const report = call.path.find((s) => s.type === 'http');
				assert(
					report.request.status === 200 &&
						report.request.url.startsWith(`${n8n.url}/webhook-waiting/`),
					`the report went to ${report.request.url} and got ${report.request.status ?? report.request.error}`,
				);
				const [answer] = outputOf(
					await executionById(rest, done.id),
					'Call and wait for the answer',
				);
				assert(
					answer?.answered === true && answer.digits?.choice === '1',
					`node output: ${JSON.stringify(answer)}`,
				);
				const runs = workers.map(
					(w) => executionsStartedBy(w).filter((id) => id === String(done.id)).length,
				);
				assert(
					runs.reduce((a, b) => a + b, 0) === 2,
					`"Worker started execution ${done.id}" lines per worker: ${runs.join(', ')} (expected the start and the resume)`,
				);
				return `execution ${done.id}: waiting, the report to main got 200, resumed and finished on ${runs
					.map((n, i) => (n ? `${workers[i].name} x${n}` : ''))
					.filter(Boolean)
					.join(' and ')}; digits ${answer.digits.choice}`;
			},
		);

		await check(
			`a worker killed (kill -9) in the middle of a ${CRASH.leads}-lead execution: no call placed after it, n8n marks the execution failed, n8n's retry places no call`,
			async () => {
				emulator.reset();
				emulator.simulator.unanswered(timeoutNumber);
				emulator.inject({ kind: 'delay', ms: CRASH.answerMs }, { times: Infinity });
				const res = await post(hook(workflows.crash), { leads: leadsFor(4, 0, CRASH.leads) });
				assert(res.ok, `webhook answered ${res.status}`);
				const execution = await until(
					'the execution started',
					async () => (await executionsOf(rest, workflows.crash.id))[0],
				);
				const id = String(execution.id);
				const victim = await until('a worker started it', () =>
					workers.find((w) => executionsStartedBy(w).includes(id)),
				);
				await until(
					`${CRASH.killAfterCalls} calls placed`,
					() => placedIn(emulator, 4).length >= CRASH.killAfterCalls,
					60_000,
					10,
				);
				victim.child.kill('SIGKILL');
				const killedAt = Date.now();
				// Requests already on their way when it died may still arrive for a moment.
				await sleep(1000);
				const atKill = placedIn(emulator, 4).length;
				const statusNow = (await executionsOf(rest, workflows.crash.id)).find(
					(e) => String(e.id) === id,
				)?.status;
				// n8n's Retry while the execution still shows "running" (the dead worker's lock not expired).
				const retryEarly = await rest
					.request('POST', `/rest/executions/${id}/retry`, { loadWorkflow: false })
					.then(
						(r) => ({ ok: true, r }),
						(e) => ({ ok: false, message: e.message }),
					);
				await sleep(5000);
				const afterKill = placedIn(emulator, 4).length;
				assert(
					afterKill === atKill,
					`${afterKill - atKill} calls placed after the kill (by the dead worker's last requests, the other worker, or n8n's retry)`,
				);
				assert(
					duplicatesOf(emulator).length === 0,
					`called twice: ${duplicatesOf(emulator).join(', ')}`,
				);

				const failedAs = await until(
					'n8n marks the execution failed',
					async () => {
						const e = (await executionsOf(rest, workflows.crash.id)).find(
							(x) => String(x.id) === id,
						);
						return ['error', 'crashed'].includes(e?.status) ? e : undefined;
					},
					180_000,
					1000,
				);
				const failedAfter = Date.now() - killedAt;
				const saved = await executionById(rest, id);
				const retryLate = await rest
					.request('POST', `/rest/executions/${id}/retry`, { loadWorkflow: false })
					.then(
						(r) => ({ ok: true, r }),
						(e) => ({ ok: false, message: e.message }),
					);
				await sleep(5000);
				const retries = (await executionsOf(rest, workflows.crash.id, 50)).filter(
					(e) => e.mode === 'retry',
				);
				// A retry that ran the Send node must have been stopped there by the node's guard; one
				// that did not get that far (n8n fails a retry of an execution without input at once)
				// placed nothing either (checked below against the emulator).
				const retryDetails = [];
				let guarded = 0;
				for (const r of retries) {
					const run = await executionById(rest, r.id);
					const send = run.data.resultData.runData?.Send?.[0];
					if (send) {
						assert(
							send.error?.message?.includes('This is a retry of a failed execution'),
							`retry ${r.id} ran the Send node without the guard: ${JSON.stringify(send.error ?? send.data).slice(0, 300)}`,
						);
						guarded++;
					}
					retryDetails.push(
						`${r.id} ${r.status}, ${send ? "stopped by the node's guard" : 'the Send node did not run'}: ${run.data.resultData.error?.message ?? 'no error'}`,
					);
				}
				assert(
					retries.length > 0,
					`no retry execution (${retryEarly.message ?? ''} ${retryLate.message ?? ''})`,
				);
				// The node's trail in the dead worker's log: one line per call Samespace accepted.
				const leads = leadsFor(4, 0, CRASH.leads);
				const numberOfCall = new Map(emulator.placedCalls.map((c) => [c.call_id, c.number]));
				const logged = victim.logs
					.map((line) => ACCEPTED_LINE.exec(line))
					.filter((m) => m && m[1] === id)
					.map((m) => ({ item: Number(m[2]), callId: m[3] }));
				const wrong = logged.filter((l) => numberOfCall.get(l.callId) !== leads[l.item]?.phone);
				assert(
					wrong.length === 0,
					`log lines that do not match a placed call: ${JSON.stringify(wrong.slice(0, 5))}`,
				);
				const unlogged = atKill - logged.length;
				assert(
					unlogged >= 0 && unlogged <= CRASH.inParallel,
					`${logged.length} log lines for ${atKill} calls placed (more missing than the ${CRASH.inParallel} in flight)`,
				);

				const afterRetry = placedIn(emulator, 4).length;
				assert(afterRetry === atKill, `n8n's retry placed ${afterRetry - atKill} calls`);
				assert(
					duplicatesOf(emulator).length === 0,
					`called twice: ${duplicatesOf(emulator).join(', ')}`,
				);
				return [
					`killed ${victim.name} after ${atKill} of ${CRASH.leads} calls; none placed after the kill, none twice`,
					`n8n showed "${statusNow}" just after the kill and "${failedAs.status}" ${seconds(failedAfter)} after it: ${saved.data?.resultData?.error?.message ?? 'no error message'}; the Send node's saved output: ${outputOf(saved, 'Send').length} items`,
					`retry while running: ${retryEarly.ok ? 'accepted' : retryEarly.message.slice(0, 200)}; retry once failed: ${retryLate.ok ? 'accepted' : retryLate.message.slice(0, 200)}`,
					`n8n retry executions: ${retryDetails.join(' | ')} (${guarded} ran the Send node and were stopped by its guard)`,
					`the worker's log named ${logged.length} of the ${atKill} calls placed (execution ${id}, item, call id); ${unlogged} were in flight when it died`,
				].join('\n');
			},
		);

		await check(
			`a time-out: main (the leader) ends a ${LIMIT_SECONDS} s wait; a worker resumes it with answered: false`,
			async () => {
				assert(timeoutCall, `the webhook did not start the execution (${timeoutStart.status})`);
				const done = await until(
					'the timed-out execution finished',
					async () =>
						(await executionsOf(rest, workflows.timeout.id)).find((e) => e.status === 'success'),
					130_000,
					1000,
				);
				const [item] = outputOf(
					await executionById(rest, done.id),
					workflows.timeout.nodes[2].name,
				);
				assert(
					item?.answered === false && item.reason === 'timeout',
					`output: ${JSON.stringify(item)}`,
				);
				const runs = workers.map(
					(w) => executionsStartedBy(w).filter((x) => x === String(done.id)).length,
				);
				assert(
					runs.reduce((a, b) => a + b, 0) === 2,
					`"Worker started execution ${done.id}" lines per worker: ${runs.join(', ')} (expected the start and the resume after the time-out)`,
				);
				const firedAfter = new Date(done.stoppedAt).getTime() - timeoutPosted;
				assert(
					firedAfter >= LIMIT_SECONDS * 1000,
					`ended ${seconds(firedAfter)} after the webhook, before its ${LIMIT_SECONDS} s limit`,
				);
				return `ended ${seconds(firedAfter)} after the webhook (limit ${LIMIT_SECONDS} s; main checks waits once a minute); started and resumed on workers: ${runs.join(' + ')}`;
			},
		);
		await check('no process of the stack tried a connection outside 127.0.0.1', async () => {
			const attempts = outboundAttempts(STACK_DIR);
			assert(
				attempts.length === 0,
				`${attempts.length} attempts: ${[...new Set(attempts.map((a) => `${a.process} ${a.host}:${a.port}`))].join(', ')}`,
			);
			return `main and ${WORKERS} workers, each with the outbound guard preloaded`;
		});
	} finally {
		if (stack) {
			const t = Date.now();
			await stack.stop();
			timings.stackStop = seconds(Date.now() - t);
		}
		await emulator.close();
		fs.rmSync(path.dirname(pack.tarball), { recursive: true, force: true });
		if (!args.has('--keep')) fs.rmSync(STACK_DIR, { recursive: true, force: true });
	}
}

await runChecks(main, { label: `queue mode, n8n ${N8N_VERSION}`, timings, started });
