/**
 * The emulator's call simulator: after a flow is accepted, it plays the call out as a person and
 * Samespace would. It walks the flow from its first step, waits a realistic time at each step,
 * presses the keys scripted for the called number at each Gather Digits step, makes each http
 * step's request for real (placeholders filled with the keys gathered, the step's method) and
 * follows its success or failure branch by the answer, and records the path.
 *
 * Keys: `pressKeys(number, ['1', '4321'])` scripts the input of the next Gather Digits steps of
 * calls to `number`, one entry per step. Unscripted, a step of `count` digits gets the first
 * `count` of "1234567890" (so a one-key menu hears "1"). An entry may be '' (no input: the "*"
 * route, as Samespace is assumed to route it), or a label in braces, `{approve}`: the person
 * presses the key the call last said for it ("Press 7 to approve"), as one who listens would.
 * Placeholders are filled with the keys as they are (a "#" is not percent-encoded), which is the
 * worst case for a report URL: the node must cope with it. `encodeKeys: true` encodes them.
 * `reportAfter(number, ms)`: calls to `number` make their first http request `ms` after they were
 * placed, as a person who answers and presses at once (the steps before it take no time); the
 * steps after it take their real time, whatever `timeScale` says (so a retried report is timed
 * as a real call would time it).
 * `keysFor` (an option) gives the keys of a call `pressKeys` did not script, asked as it is placed
 * (`npm run dev` reads them from a file, so edits count from the next call).
 * Requests go only to this machine (127.0.0.1, localhost), and with the option `origin` only to
 * that origin (`npm run dev`: its n8n): an http step to anywhere else follows its failure branch
 * without a request, recorded as `skipped`.
 */

export interface SimulatorOptions {
	/** Multiplies every wait; 0 plays the call at once (tests), 1 in real time. Default 1. */
	timeScale?: number;
	/** Percent-encode keys put into URLs. Default false. */
	encodeKeys?: boolean;
	/** The keys of a call to `number` that pressKeys did not script (one entry per digits step). */
	keysFor?: (number: string) => string[] | undefined;
	/** Requests only to this origin (`http://127.0.0.1:5678`), on this machine still. */
	origin?: string;
}

export interface SimulatedStep {
	id: string;
	type: string;
	/** Date.now() when the step began. */
	at: number;
	/** Gather Digits: the keys pressed. */
	keys?: string;
	/** http: the request made and its status (or the error, or why it was not made). */
	request?: { method: string; url: string; status?: number; error?: string; skipped?: string };
}

export interface SimulatedCall {
	callId: string;
	number?: string;
	path: SimulatedStep[];
	/** Resolves when the call has ended. */
	done: Promise<void>;
}

type Step = {
	id?: unknown;
	type?: unknown;
	next_step?: unknown;
	count?: unknown;
	variable?: unknown;
	url?: unknown;
	method?: unknown;
	text?: unknown;
	number?: unknown;
};

/** Realistic durations, in ms, before the step's next one. */
function duration(step: Step): number {
	switch (step.type) {
		case 'call':
			return 3000; // ringing and picking up
		case 'play':
			return 400 + (typeof step.text === 'string' ? step.text.length * 60 : 3000);
		case 'digits':
			return 800 * (typeof step.count === 'number' ? step.count : 1);
		case 'connect':
			return 5000;
		default:
			return 100;
	}
}

/** A script entry as keys: `{label}` is the key `spoken` last gave for that label ('' if none). */
function keyFor(entry: string, spoken: string): string {
	const label = /^\{(.+)\}$/.exec(entry)?.[1];
	if (label === undefined) return entry;
	const said = [...spoken.matchAll(/Press (\d|the hash key) to ([^.]+)\./g)]
		.filter((match) => match[2] === label)
		.at(-1);
	return said === undefined ? '' : said[1] === 'the hash key' ? '#' : said[1];
}

const MAX_STEPS = 200;

async function sleep(ms: number): Promise<void> {
	if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}
const HTTP_TIMEOUT_MS = 10_000;

export class CallSimulator {
	readonly calls: SimulatedCall[] = [];
	private readonly scripts = new Map<string, string[]>();
	private readonly unansweredNumbers = new Set<string>();
	private readonly firstReportAfter = new Map<string, number>();

	constructor(private readonly options: SimulatorOptions = {}) {}

	pressKeys(number: string, keys: string[]): void {
		this.scripts.set(number, [...keys]);
	}

	/** Calls to `number` ring out: nobody picks up, so the flow goes no further than its call step. */
	unanswered(number: string): void {
		this.unansweredNumbers.add(number);
	}

	/** Calls to `number` make their first http request `ms` after they were placed. */
	reportAfter(number: string, ms: number): void {
		this.firstReportAfter.set(number, ms);
	}

	reset(): void {
		this.calls.length = 0;
		this.scripts.clear();
		this.unansweredNumbers.clear();
		this.firstReportAfter.clear();
	}

	/** All calls ended. */
	async idle(): Promise<void> {
		await Promise.all(this.calls.map((call) => call.done));
	}

	play(callId: string, flow: unknown): SimulatedCall {
		const steps = (Array.isArray(flow) ? flow : []) as Step[];
		const number = typeof steps[0]?.number === 'string' ? steps[0].number : undefined;
		const call: SimulatedCall = { callId, number, path: [], done: Promise.resolve() };
		// What the person will do is settled when the call is placed.
		const answered = number === undefined || !this.unansweredNumbers.has(number);
		const reportAt =
			number === undefined || !this.firstReportAfter.has(number)
				? undefined
				: Date.now() + (this.firstReportAfter.get(number) as number);
		const scripted = number === undefined ? undefined : this.scripts.get(number);
		const script = scripted?.length
			? scripted
			: [...((number !== undefined && this.options.keysFor?.(number)) || [])];
		call.done = this.walk(call, steps, script, answered, reportAt);
		this.calls.push(call);
		return call;
	}

	private async walk(
		call: SimulatedCall,
		steps: Step[],
		script: string[],
		answered: boolean,
		reportAt: number | undefined,
	): Promise<void> {
		const byId = new Map(steps.map((step, index) => [String(step.id), index]));
		const gathered: Record<string, string> = {};
		let spoken = '';
		let at: number | undefined = 0;
		for (let count = 0; at !== undefined && count < MAX_STEPS; count++) {
			const step = steps[at];
			const record: SimulatedStep = {
				id: String(step.id),
				type: String(step.type),
				at: Date.now(),
			};
			call.path.push(record);
			if (reportAt === undefined) await this.wait(duration(step));
			else if (call.path.some((done) => done.type === 'http' && done !== record))
				await sleep(duration(step));
			else if (step.type === 'http') await sleep(reportAt - Date.now());
			if (step.type === 'call' && !answered) break;
			if (step.type === 'play' && typeof step.text === 'string') spoken = step.text;
			let next: unknown = step.next_step;
			if (step.type === 'digits') {
				const keys =
					script.length > 0
						? keyFor(script.shift() as string, spoken)
						: '1234567890'.slice(0, typeof step.count === 'number' ? step.count : 1);
				record.keys = keys;
				if (typeof step.variable === 'string') gathered[step.variable] = keys;
				const routes = (next ?? {}) as Record<string, unknown>;
				next = routes[keys] ?? routes['*'];
			} else if (step.type === 'http') {
				const ok = await this.request(record, step, gathered);
				next = (next as { success?: unknown; fail?: unknown } | undefined)?.[
					ok ? 'success' : 'fail'
				];
			}
			at = typeof next === 'string' ? byId.get(next) : undefined;
		}
	}

	private async request(
		record: SimulatedStep,
		step: Step,
		gathered: Record<string, string>,
	): Promise<boolean> {
		const method = typeof step.method === 'string' ? step.method : 'GET';
		// A variable not gathered on this path keeps its placeholder (the worst case: the document
		// does not say what Samespace puts there).
		const url = String(step.url).replace(
			/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g,
			(placeholder, name: string) => {
				const keys = gathered[name];
				if (keys === undefined) return placeholder;
				return this.options.encodeKeys ? encodeURIComponent(keys) : keys;
			},
		);
		record.request = { method, url };
		if (!/^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//i.test(url)) {
			record.request.skipped = 'not on this machine: the simulator makes no request outside it';
			return false;
		}
		if (this.options.origin !== undefined && new URL(url).origin !== this.options.origin) {
			record.request.skipped = `not to ${this.options.origin}: the simulator makes no request elsewhere`;
			return false;
		}
		try {
			const response = await fetch(url, { method, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
			await response.arrayBuffer();
			record.request.status = response.status;
			return response.ok;
		} catch (error) {
			record.request.error = (error as Error).message;
			return false;
		}
	}

	private async wait(ms: number): Promise<void> {
		await sleep(ms * (this.options.timeScale ?? 1));
	}
}
