// The physical limit: a plain loop that POSTs the node's exact request bodies with Node's own
// fetch (undici, keep-alive), `concurrency` in flight, reading and parsing every answer. It runs in
// a process of its own (started by the bench with the Node binary n8n runs on), so it competes with
// nothing: timed in-process, the same loop is about 3x slower.
//
//   node fetch-limit.mjs <job.json>    job: { url, bodies: string[], concurrency, warmup }
//   prints { ms, cpuMs, accepted }     ms: the timed loop only (after a warm-up of `warmup` bodies)
import fs from 'node:fs';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

async function send(body) {
	const res = await fetch(job.url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body,
	});
	const answer = JSON.parse(await res.text());
	return res.ok && answer.success !== false ? 1 : 0;
}

async function loop(bodies) {
	let next = 0;
	let accepted = 0;
	const worker = async () => {
		while (next < bodies.length) {
			const ok = await send(bodies[next++]);
			accepted += ok;
		}
	};
	await Promise.all(Array.from({ length: Math.min(job.concurrency, bodies.length) }, worker));
	return accepted;
}

await loop(job.bodies.slice(0, job.warmup));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const accepted = await loop(job.bodies);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, accepted }));
