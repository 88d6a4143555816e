// A CPU profile of the running n8n server, taken through Node's inspector (n8n is started with
// `--inspect=127.0.0.1:0`), covering exactly the runs in between `start()` and `stop()`. The
// profile is saved as a .cpuprofile (open it in Chrome DevTools > Performance, or VS Code);
// `shareByPackage` only adds the one figure the bench reports: how much of n8n's CPU time is
// spent in which package's own code (self time), ours included.
import { createRequire } from 'node:module';
import path from 'node:path';

import { N8N_PREFIX } from '../n8n/config.mjs';

const WebSocket = createRequire(path.join(N8N_PREFIX, 'node_modules', 'n8n', 'package.json'))('ws');

/** The inspector address n8n printed ("Debugger listening on ws://..."). */
export function inspectorUrl(logs) {
	const line = logs.find((l) => l.includes('Debugger listening on ws://'));
	if (!line)
		throw new Error('n8n did not print an inspector address: was it started with --inspect?');
	return line.slice(line.indexOf('ws://')).trim();
}

/** A client of the inspector's Profiler (the DevTools protocol) over its WebSocket. */
export async function connectProfiler(url) {
	const socket = new WebSocket(url);
	await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
	let lastId = 0;
	const pending = new Map();
	socket.on('message', (raw) => {
		const { id, result, error } = JSON.parse(String(raw));
		// Resolving with a rejected promise rejects.
		pending.get(id)?.(error ? Promise.reject(new Error(error.message)) : result);
		pending.delete(id);
	});
	const send = (method, params = {}) =>
		new Promise((resolve) => {
			pending.set(++lastId, resolve);
			socket.send(JSON.stringify({ id: lastId, method, params }));
		});
	await send('Profiler.enable');
	await send('Profiler.setSamplingInterval', { interval: 200 });
	return {
		start: () => send('Profiler.start'),
		/** Stops and returns the profile (Chrome's .cpuprofile format). */
		stop: async () => (await send('Profiler.stop')).profile,
		close: () => socket.close(),
	};
}

/** The package a frame's code belongs to (the folder after the last node_modules/), if any. */
function packageOf(url) {
	const parts = url.split('node_modules/');
	if (parts.length === 1) return undefined;
	const rest = parts.at(-1).split('/');
	return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
}

/**
 * Self time per package, as shares of the non-idle time: [[owner, share], ...] largest first.
 * Time in V8 built-ins (JSON.parse, RegExp, ...) and Node's own modules counts for the nearest
 * package up the stack that called them: a JSON.parse our node runs is our cost. GC and V8's
 * "(program)" stay on their own; n8n's expressions run in a separate isolate, which this profile
 * (of the main isolate) does not see, but their cost shows in the CPU per item.
 */
export function shareByPackage(profile) {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map();
	for (const node of profile.nodes)
		for (const child of node.children ?? []) parent.set(child, node.id);
	const above = new Map();
	/** The nearest package at or above this frame. */
	const packageAbove = (id) => {
		if (!above.has(id)) {
			const { url } = byId.get(id).callFrame;
			above.set(
				id,
				(url ? packageOf(url) : undefined) ??
					(parent.has(id) ? packageAbove(parent.get(id)) : undefined),
			);
		}
		return above.get(id);
	};
	const ownerOf = (id) => {
		const { url, functionName } = byId.get(id).callFrame;
		if (['(garbage collector)', '(idle)', '(program)'].includes(functionName)) return functionName;
		return (
			packageAbove(id) ??
			(url.startsWith('node:') ? 'Node.js internals' : url ? 'other' : 'V8 built-ins')
		);
	};
	const time = new Map();
	profile.samples.forEach((id, index) => {
		const owner = ownerOf(id);
		time.set(owner, (time.get(owner) ?? 0) + (profile.timeDeltas[index] ?? 0));
	});
	time.delete('(idle)');
	const total = [...time.values()].reduce((a, b) => a + b, 0);
	return [...time.entries()].map(([owner, t]) => [owner, t / total]).sort((a, b) => b[1] - a[1]);
}
