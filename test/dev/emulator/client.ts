/**
 * What the tests of the emulator (dev/emulator.ts) share: the credentials it starts with, a valid
 * flow and payload, and a POST to its call flow endpoint.
 */
import type { SamespaceEmulator } from '../../../dev/emulator';

export const CLOUD = 'demo-cloud';
export const TOKEN = 'demo-token';

export function step(id: string, type: string, extra: Record<string, unknown> = {}) {
	return { id, type, ...extra };
}

export function validFlow(number = '15550001') {
	return [
		step('start', 'call', { number, caller_id: '15559999', next_step: 'greet' }),
		step('greet', 'play', { text: 'Hello. Enter your 4 digit id.', next_step: 'ask' }),
		step('ask', 'digits', { count: 4, variable: 'ID', next_step: { '*': 'lookup', '0': 'agent' } }),
		step('lookup', 'http', {
			url: 'https://example.com/api/{{ID}}',
			method: 'GET',
			next_step: { success: 'bye', fail: 'agent' },
		}),
		step('bye', 'play', { url: 'https://example.com/bye.mp3' }),
		step('agent', 'connect', { number: '5263', caller_id: '15559999' }),
	];
}

export function payload(flow: unknown = validFlow(), extra: Record<string, unknown> = {}) {
	return { cloud_id: CLOUD, auth_token: TOKEN, record: false, flow, ...extra };
}

export async function post(emu: SamespaceEmulator, body: unknown, init: RequestInit = {}) {
	return fetch(emu.callFlowUrl, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: typeof body === 'string' ? body : JSON.stringify(body),
		...init,
	});
}

/** Response.json() is typed `unknown`; the tests inspect the bodies freely. */
export const json = (r: Response): Promise<any> => r.json();

/** The error code behind a failed fetch (fetch wraps it in TypeError('fetch failed', {cause})). */
export async function fetchError(p: Promise<unknown>): Promise<string> {
	try {
		const r = await p;
		if (r instanceof Response) await r.text();
	} catch (e) {
		const cause = (e as { cause?: { code?: string; name?: string } }).cause;
		return cause?.code ?? cause?.name ?? (e as Error).name;
	}
	throw new Error('expected the request to fail');
}
