/**
 * An in-process emulator of the Samespace Call Flow API (`POST {base}/call/flow`), built on Node's
 * `http` module with no dependencies. It serves the demo (`npm start`), the engine tests, the
 * fault-matrix tests and the benchmark.
 *
 * What it decides where the public document is silent:
 * - a placed call is answered `200 {"success":true,"message":"Call flow accepted","call_id":"<uuid>","status":"queued"}`;
 * - errors are answered `{"success":false,"message":"..."}` (+ `errors: [{path, message}]` for an
 *   invalid flow) with a 4xx status;
 * - checks run in this order: Content-Type is JSON and the body parses to a JSON object (400), then
 *   `cloud_id` + `auth_token` (401), then `record` and `flow` (400 with `errors`).
 *
 * The Voice APIs (Click to Call, Callback, Campaign add) are served on the same server by
 * dev/voice-api.ts (`emulator.voice`, at `emulator.voiceApiUrl`), with the same recording, rate
 * limit and faults; what they decide is in that file's header.
 *
 * The server never keeps a process alive (server, sockets and timers are unref'd), can close itself
 * after `idleTimeoutMs` without requests, and `close()` destroys every socket (keep-alive included).
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { randomUUID } from 'node:crypto';

import { CallSimulator, type SimulatorOptions } from './call-simulator';
import { VoiceApi, type VoiceOptions, type VoiceRoute } from './voice-api';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface EmulatorOptions {
	/** Port to listen on; 0 (default) picks a free port. */
	port?: number;
	/** Interface to listen on; default 127.0.0.1. */
	host?: string;
	/** The cloud_id the emulator accepts; default `demo-cloud`. */
	cloudId?: string;
	/** The auth_token the emulator accepts; default `demo-token`. */
	authToken?: string;
	/** Base path of the API; default `/api/public/v1`. */
	basePath?: string;
	/** `all` (default) keeps `requests` and `placedCalls`; `counts` keeps only counters and peak. */
	record?: RecordMode;
	/** Close the server by itself after this many ms without a request (and none in flight). */
	idleTimeoutMs?: number;
	/** Larger request bodies get 413 (not placed). Default 1 MiB. */
	maxBodyBytes?: number;
	/** Reject (400) a body whose Content-Type is not JSON, like a JSON body parser would. Default true. */
	requireJsonContentType?: boolean;
	/** Play every placed call out with the call simulator (dev/call-simulator.ts). Default off. */
	simulateCalls?: boolean | SimulatorOptions;
	/**
	 * Limit call requests as a rate-limited API would: a token bucket holding `burst` tokens
	 * (default `perSecond`), refilled at `perSecond` a second. A `POST {base}/call/flow` (or to a
	 * Voice API path: one bucket for all) that finds no token gets 429 with `Retry-After` (whole
	 * seconds until the next token, at least 1) and `{"success":false,"message":...}`, is not
	 * placed, and is counted in `rateLimited`. Default off.
	 */
	rateLimit?: RateLimitOptions;
	/** The Voice APIs' teams and agents (dev/voice-api.ts). */
	voice?: VoiceOptions;
}

export interface RateLimitOptions {
	/** Tokens added per second (> 0). */
	perSecond: number;
	/** Bucket capacity (>= 1); default `perSecond` (at least 1). The bucket starts full. */
	burst?: number;
	/** The bucket's clock in ms (default Date.now), for tests. */
	now?: () => number;
}

export const RATE_LIMIT_MESSAGE = 'Too many requests: rate limit exceeded';

export type RecordMode = 'all' | 'counts';

/** Retry-After: a number of seconds, a Date (sent as an HTTP date), or a raw header value. */
export type RetryAfter = number | Date | string;

/** Any status with a JSON `{success:false,message}` body (or `body`/`contentType` to override it). */
export interface StatusFault {
	kind: 'status';
	status: number;
	message?: string;
	retryAfter?: RetryAfter;
	/** Whether the call counts as placed. Default: true for 500, 502, 504; false otherwise. */
	placed?: boolean;
	/** Raw body instead of the JSON one (e.g. a gateway's HTML page). */
	body?: string;
	contentType?: string;
}
/** Answer after `ms` milliseconds: normally, or with the `then` fault. Placed unless `then` is not. */
export interface DelayFault {
	kind: 'delay';
	ms: number;
	then?: Fault;
}
/** Destroy the socket after reading the request, before any byte of the response. Placed. */
export interface ResetBeforeResponseFault {
	kind: 'resetBeforeResponse';
}
/** Send 200, headers (full Content-Length) and the first `bytes` (default half) of the JSON body, then destroy the socket. Placed. */
export interface ResetMidBodyFault {
	kind: 'resetMidBody';
	bytes?: number;
}
/**
 * Send 200, headers (full Content-Length) and the first `bytes` (default 11, `{"success":`) of the
 * JSON body, then nothing on the open connection until `ms` (default 60 s), when the socket is
 * destroyed. Placed.
 */
export interface StallMidBodyFault {
	kind: 'stallMidBody';
	bytes?: number;
	ms?: number;
}
/** 200, `Content-Type: application/json`, `Content-Length: 0`. Placed. */
export interface EmptyBodyFault {
	kind: 'emptyBody';
}
/** 200 `text/html` page (e.g. a proxy or login page). Placed. */
export interface HtmlFault {
	kind: 'html';
	body?: string;
}
/** 200 `application/json` with the first half of the success JSON (consistent Content-Length). Placed. */
export interface TruncatedJsonFault {
	kind: 'truncatedJson';
}
/** 200 `{"success":false,"message":...}`. NOT placed. */
export interface SuccessFalseFault {
	kind: 'successFalse';
	message?: string;
}
/** 200 with a valid success JSON padded to about `bytes` (default 5 MiB). Placed. */
export interface OversizedFault {
	kind: 'oversized';
	bytes?: number;
}

export type Fault =
	| StatusFault
	| DelayFault
	| ResetBeforeResponseFault
	| ResetMidBodyFault
	| StallMidBodyFault
	| EmptyBodyFault
	| HtmlFault
	| TruncatedJsonFault
	| SuccessFalseFault
	| OversizedFault;

export type FaultKind = Fault['kind'];
/** Kinds that need no options and may be given as a bare string to `inject`. */
export type SimpleFaultKind = Exclude<FaultKind, 'status' | 'delay'>;
/** A fault, a bare kind name, or a bare status code (a `status` fault). */
export type FaultInput = Fault | SimpleFaultKind | number;

/** What a `when` predicate sees of a request besides its parsed body. */
export interface RequestInfo {
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
}

export interface InjectOptions {
	/** How many matching requests get the fault; default 1. `Infinity` = until removed. */
	times?: number;
	/** Only requests for which this returns true; `body` is the parsed JSON (undefined if not JSON). */
	when?: (body: any, request: RequestInfo) => boolean;
}

export interface RecordedRequest {
	method: string;
	/** Path without the query string. */
	path: string;
	/** Raw request target (with the query string). */
	url: string;
	headers: http.IncomingHttpHeaders;
	/** Parsed JSON body, or undefined when the body is empty or not JSON. */
	body: unknown;
	/** The body as received, as text (undefined when it was over the size limit). */
	rawBody?: string;
	/** Date.now() when the body was fully received. */
	time: number;
	/**
	 * Date.now() when the exchange ended (answer sent, or the socket closed or reset). With `time`,
	 * it gives each request's interval: how many of one client's requests overlapped.
	 */
	endedAt?: number;
	/** Status sent (undefined when the socket was reset before a status line). */
	status?: number;
	/** Name of the injected fault, e.g. `status:500`, `delay`, `resetBeforeResponse`. */
	fault?: string;
	/** call_id when the request placed a call. */
	callId?: string;
}

export interface PlacedCall {
	call_id: string;
	/** The parsed request body. */
	body: any;
	/** The `number` of the first (call) step. */
	number?: string;
	time: number;
	/** Set when the call was placed by a request that got an injected fault. */
	fault?: string;
}

export interface EmulatorCounters {
	/** Requests received (counted on arrival). */
	requests: number;
	/** `200 success:true` answers (including ones delayed by a `delay` fault), Voice APIs' too. */
	accepted: number;
	/** Calls placed: accepted + valid requests answered by a "placed" fault. */
	placed: number;
	/** Normal error answers: 400, 401, 404, 405, 413, and the Voice APIs' 200 `success:false`. */
	rejected: number;
	/** Requests answered by an injected fault. */
	faulted: number;
	/** Sockets destroyed by a reset fault. */
	resets: number;
	/** TCP connections accepted (to see whether a client reuses keep-alive connections). */
	connections: number;
	/** Responses by status code (resets are not counted here). */
	byStatus: Record<number, number>;
	/** Call requests answered 429 by the `rateLimit` bucket (not placed). */
	rateLimited: number;
	/**
	 * Placements of a number that had already been placed since start or reset(), keyed by the
	 * number of the flow's first step: `{ "14155550101": 1 }` means it was placed twice. Kept in
	 * both record modes; empty when nobody was called twice.
	 */
	duplicatePlacements: Record<string, number>;
}

export interface FlowError {
	/** Where, e.g. `flow[2].next_step.success`, `record`, `cloud_id`. */
	path: string;
	message: string;
}

export const DEFAULT_CLOUD_ID = 'demo-cloud';
export const DEFAULT_AUTH_TOKEN = 'demo-token';
export const DEFAULT_BASE_PATH = '/api/public/v1';
export const CALL_FLOW_PATH = '/call/flow';
export const INVALID_CREDENTIALS_MESSAGE = 'Invalid cloud_id or auth_token';
export const ACCEPTED_MESSAGE = 'Call flow accepted';

// ---------------------------------------------------------------------------------------------
// Request validation (an independent oracle, deliberately simple)
// ---------------------------------------------------------------------------------------------

export const STEP_TYPES = ['call', 'play', 'digits', 'http', 'connect'] as const;
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const DIGIT_KEY = /^[0-9*#]+$/;
const HTTP_URL = /^https?:\/\/[^\s/]/i;

function isObject(value: unknown): value is Record<string, any> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
	return typeof value === 'string' && value.trim() !== '';
}

/**
 * Checks a `flow` array against the documented step shapes. Returns every problem found (empty when
 * the flow is valid). Ids must be non-empty unique strings; every next_step reference must name a
 * step; the first step must be a `call`. Reachability and variable use are NOT checked.
 */
export function validateFlow(flow: unknown): FlowError[] {
	const errors: FlowError[] = [];
	const err = (path: string, message: string) => errors.push({ path, message });
	if (flow === undefined || flow === null) {
		err('flow', 'flow is required');
		return errors;
	}
	if (!Array.isArray(flow)) {
		err('flow', 'flow must be an array of steps');
		return errors;
	}
	if (flow.length === 0) {
		err('flow', 'flow must contain at least one step');
		return errors;
	}

	const ids = new Set<string>();
	for (let i = 0; i < flow.length; i++) {
		const step = flow[i];
		if (!isObject(step)) {
			err(`flow[${i}]`, 'step must be an object');
			continue;
		}
		const id = step.id;
		if (id === undefined) err(`flow[${i}].id`, 'id is required');
		else if (typeof id !== 'string' || id === '')
			err(`flow[${i}].id`, `id must be a non-empty string (got ${JSON.stringify(id)})`);
		else if (ids.has(id)) err(`flow[${i}].id`, `duplicate step id "${id}"`);
		else ids.add(id);
	}

	const ref = (path: string, value: unknown) => {
		if (typeof value !== 'string' || value === '')
			err(path, `must be a step id string (got ${JSON.stringify(value)})`);
		else if (!ids.has(value)) err(path, `refers to step "${value}", which does not exist`);
	};
	const requireString = (step: Record<string, any>, p: string, field: string) => {
		if (!isNonEmptyString(step[field]))
			err(`${p}.${field}`, `${field} is required and must be a non-empty string`);
	};

	for (let i = 0; i < flow.length; i++) {
		const step = flow[i];
		if (!isObject(step)) continue;
		const p = `flow[${i}]`;
		const type = step.type;
		switch (type) {
			case 'call':
			case 'connect':
				requireString(step, p, 'number');
				requireString(step, p, 'caller_id');
				if (step.next_step !== undefined) ref(`${p}.next_step`, step.next_step);
				break;
			case 'play': {
				const hasText = step.text !== undefined;
				const hasUrl = step.url !== undefined;
				if (hasText && !isNonEmptyString(step.text))
					err(`${p}.text`, 'text must be a non-empty string');
				if (hasUrl && !(typeof step.url === 'string' && HTTP_URL.test(step.url)))
					err(`${p}.url`, 'url must be an http(s) URL');
				if (!hasText && !hasUrl) err(p, 'a play step needs text or url');
				if (step.next_step !== undefined) ref(`${p}.next_step`, step.next_step);
				break;
			}
			case 'digits': {
				if (!(typeof step.count === 'number' && Number.isInteger(step.count) && step.count > 0)) {
					err(`${p}.count`, 'count must be a positive integer');
				}
				requireString(step, p, 'variable');
				const next = step.next_step;
				if (!isObject(next))
					err(`${p}.next_step`, 'next_step must be an object mapping digits (or "*") to step ids');
				else {
					const keys = Object.keys(next);
					if (keys.length === 0)
						err(`${p}.next_step`, 'next_step must map at least one input to a step id');
					for (const key of keys) {
						if (!DIGIT_KEY.test(key))
							err(`${p}.next_step`, `"${key}" is not a digit key (digits, "*" or "#")`);
						ref(`${p}.next_step.${key}`, next[key]);
					}
				}
				break;
			}
			case 'http': {
				if (!(typeof step.url === 'string' && HTTP_URL.test(step.url)))
					err(`${p}.url`, 'url is required and must be an http(s) URL');
				if (!(HTTP_METHODS as readonly unknown[]).includes(step.method)) {
					err(`${p}.method`, `method must be one of ${HTTP_METHODS.join(', ')}`);
				}
				const next = step.next_step;
				if (!isObject(next))
					err(`${p}.next_step`, 'next_step must be an object {"success": id, "fail": id}');
				else {
					ref(`${p}.next_step.success`, next.success);
					ref(`${p}.next_step.fail`, next.fail);
				}
				break;
			}
			default:
				err(
					`${p}.type`,
					`type must be one of ${STEP_TYPES.join(', ')} (got ${JSON.stringify(type)})`,
				);
		}
	}

	if (isObject(flow[0]) && flow[0].type !== 'call')
		err('flow[0].type', 'the first step must be a "call" step');
	return errors;
}

/** Checks `record` and `flow` of a request body (credentials are checked separately). */
export function validateRequestBody(body: Record<string, any>): FlowError[] {
	const errors: FlowError[] = [];
	if (body.record !== undefined && typeof body.record !== 'boolean') {
		errors.push({ path: 'record', message: 'record must be a boolean' });
	}
	for (const e of validateFlow(body.flow)) errors.push(e);
	return errors;
}

/** A `when` predicate: the request whose flow has a `call` step dialling `number`. */
export function callsNumber(number: string | number): (body: any) => boolean {
	const wanted = String(number);
	return (body: any) =>
		isObject(body) &&
		Array.isArray(body.flow) &&
		body.flow.some((s: any) => isObject(s) && s.type === 'call' && String(s.number) === wanted);
}

/** Whether a fault makes the call count as placed (for a request that is otherwise valid). */
export function faultPlacesCall(fault: Fault): boolean {
	switch (fault.kind) {
		case 'status':
			return fault.placed ?? (fault.status === 500 || fault.status === 502 || fault.status === 504);
		case 'delay':
			return fault.then ? faultPlacesCall(fault.then) : true;
		case 'successFalse':
			return false;
		default:
			return true;
	}
}

/**
 * A base URL where nothing listens (a port that was free a moment ago), for connection-refused
 * tests: `http://127.0.0.1:PORT/api/public/v1`.
 */
export async function refusedBaseUrl(basePath = DEFAULT_BASE_PATH): Promise<string> {
	const srv = net.createServer();
	await new Promise<void>((resolve, reject) => {
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => resolve());
	});
	const port = (srv.address() as net.AddressInfo).port;
	await new Promise<void>((resolve) => srv.close(() => resolve()));
	return `http://127.0.0.1:${port}${basePath}`;
}

// ---------------------------------------------------------------------------------------------
// Fault rules
// ---------------------------------------------------------------------------------------------

let nextRuleId = 1;

export class FaultRule {
	readonly id = nextRuleId++;
	/** Matching requests this rule answered so far. */
	hits = 0;
	constructor(
		readonly fault: Fault,
		/** How many more requests it will answer. */
		public remaining: number,
		readonly when: InjectOptions['when'],
		private readonly owner: SamespaceEmulator,
	) {}
	/** Stop applying this rule. */
	remove(): void {
		this.owner.removeFault(this);
	}
}

function normalizeFault(input: FaultInput): Fault {
	if (typeof input === 'number') return { kind: 'status', status: input };
	if (typeof input === 'string') return { kind: input } as Fault;
	return input;
}

function faultName(fault: Fault): string {
	return fault.kind === 'status' ? `status:${fault.status}` : fault.kind;
}

const STATUS_MESSAGES: Record<number, string> = {
	400: 'Bad request',
	401: INVALID_CREDENTIALS_MESSAGE,
	403: 'Forbidden',
	404: 'Not found',
	405: 'Method not allowed',
	413: 'Payload too large',
	429: 'Too many requests',
	500: 'Internal server error',
	502: 'Bad gateway',
	503: 'Service unavailable',
	504: 'Gateway timeout',
};

const HTML_PAGE =
	'<!DOCTYPE html>\n<html><head><title>Samespace</title></head>' +
	'<body><h1>Samespace</h1><p>Please sign in to continue.</p></body></html>\n';

// ---------------------------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------------------------

interface Ctx {
	req: http.IncomingMessage;
	res: http.ServerResponse;
	path: string;
	done: boolean;
	timer?: NodeJS.Timeout;
	rec?: RecordedRequest;
	/** The Voice API served at this path, if it is one. */
	route?: VoiceRoute;
	/** The Voice API's answer once it performed the request. */
	success?: Record<string, unknown>;
}

/** A normal answer's decision: ok, or an error status and payload (dev/voice-api.ts uses it too). */
export type Verdict =
	| { ok: true }
	| { ok: false; status: number; payload: Record<string, unknown> };

const JSON_TYPE = 'application/json; charset=utf-8';

function retryAfterValue(value: RetryAfter): string {
	if (typeof value === 'number') return String(Math.max(0, Math.ceil(value)));
	if (value instanceof Date) return value.toUTCString();
	return value;
}

function isJsonContentType(header: string | undefined): boolean {
	if (!header) return false;
	const media = header.split(';', 1)[0].trim().toLowerCase();
	return (
		media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'))
	);
}

export class SamespaceEmulator {
	/** Start an emulator; resolves once it listens. */
	/** Turns the `rateLimit` bucket on (full), changes it, or turns it off (undefined), while running. */
	setRateLimit(rateLimit: RateLimitOptions | undefined): void {
		if (!rateLimit) {
			this.bucket = undefined;
			return;
		}
		const { perSecond, burst, now = Date.now } = rateLimit;
		if (!(perSecond > 0 && Number.isFinite(perSecond)))
			throw new Error(`rateLimit.perSecond must be a positive number (got ${perSecond})`);
		const capacity = burst ?? Math.max(1, perSecond);
		if (!(capacity >= 1 && Number.isFinite(capacity)))
			throw new Error(`rateLimit.burst must be at least 1 (got ${burst})`);
		this.bucket = { perSecond, capacity, tokens: capacity, at: now(), now };
	}

	static async start(options: EmulatorOptions = {}): Promise<SamespaceEmulator> {
		const emulator = new SamespaceEmulator(options);
		await emulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
		return emulator;
	}

	/** See `refusedBaseUrl()`. */
	static refusedBaseUrl(basePath = DEFAULT_BASE_PATH): Promise<string> {
		return refusedBaseUrl(basePath);
	}

	cloudId: string;
	authToken: string;
	recordMode: RecordMode;
	readonly basePath: string;
	readonly maxBodyBytes: number;
	readonly requireJsonContentType: boolean;
	readonly idleTimeoutMs: number | undefined;

	/** Every request whose body was received (record mode `all`). Cleared in place by reset(). */
	readonly requests: RecordedRequest[] = [];
	/** Every placed call (record mode `all`). Cleared in place by reset(). */
	readonly placedCalls: PlacedCall[] = [];
	readonly counters: EmulatorCounters = SamespaceEmulator.zeroCounters();
	/** Plays placed calls out (option `simulateCalls`): its `calls` record each call's path. */
	readonly simulator?: CallSimulator;
	/** The Voice APIs on this server (dev/voice-api.ts): agents, teams, leads, what was received. */
	readonly voice: VoiceApi;
	/** Resolves when the server has closed (by close() or the idle timeout). */
	readonly whenClosed: Promise<void>;

	private readonly server: http.Server;
	private readonly sockets = new Set<net.Socket>();
	private readonly timers = new Set<NodeJS.Timeout>();
	private rules: FaultRule[] = [];
	private active = 0;
	private peak = 0;
	private host = '127.0.0.1';
	private portNumber = 0;
	private closing: Promise<void> | undefined;
	private resolveClosed!: () => void;
	private idleTimer: NodeJS.Timeout | undefined;
	private lastActivity = Date.now();
	private readonly callFlowPath: string;
	private paddingCache: { size: number; buf: Buffer } | undefined;
	/** How many times each number was placed (for `duplicatePlacements`). */
	private readonly placements = new Map<string, number>();
	private bucket:
		| { perSecond: number; capacity: number; tokens: number; at: number; now: () => number }
		| undefined;

	private constructor(options: EmulatorOptions) {
		this.cloudId = options.cloudId ?? DEFAULT_CLOUD_ID;
		this.authToken = options.authToken ?? DEFAULT_AUTH_TOKEN;
		this.recordMode = options.record ?? 'all';
		this.basePath = (options.basePath ?? DEFAULT_BASE_PATH).replace(/\/+$/, '');
		this.callFlowPath = this.basePath + CALL_FLOW_PATH;
		this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
		this.requireJsonContentType = options.requireJsonContentType ?? true;
		this.idleTimeoutMs = options.idleTimeoutMs;
		this.setRateLimit(options.rateLimit);
		this.voice = new VoiceApi(this, options.voice);
		if (options.simulateCalls)
			this.simulator = new CallSimulator(
				options.simulateCalls === true ? {} : options.simulateCalls,
			);
		this.whenClosed = new Promise<void>((resolve) => (this.resolveClosed = resolve));
		this.server = http.createServer((req, res) => this.onRequest(req, res));
		this.server.on('connection', (socket: net.Socket) => {
			socket.unref();
			this.counters.connections++;
			this.sockets.add(socket);
			socket.once('close', () => this.sockets.delete(socket));
		});
		// A client that disappears mid-request must never crash the process.
		this.server.on('clientError', (_err, socket) => socket.destroy());
	}

	private static zeroCounters(): EmulatorCounters {
		return {
			requests: 0,
			accepted: 0,
			placed: 0,
			rejected: 0,
			faulted: 0,
			resets: 0,
			connections: 0,
			byStatus: {},
			rateLimited: 0,
			duplicatePlacements: {},
		};
	}

	private listen(port: number, host: string): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			const onError = (e: Error) => reject(e);
			this.server.once('error', onError);
			this.server.listen(port, host, () => {
				this.server.off('error', onError);
				this.server.on('error', () => undefined);
				this.server.unref();
				this.host = host;
				this.portNumber = (this.server.address() as net.AddressInfo).port;
				this.armIdleTimer(this.idleTimeoutMs);
				resolve();
			});
		});
	}

	// ----- accessors -----

	get port(): number {
		return this.portNumber;
	}
	/** `http://127.0.0.1:PORT` */
	get origin(): string {
		return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.portNumber}`;
	}
	/** `http://127.0.0.1:PORT/api/public/v1` */
	get baseUrl(): string {
		return this.origin + this.basePath;
	}
	/** `http://127.0.0.1:PORT/api/public/v1/call/flow` */
	get callFlowUrl(): string {
		return this.origin + this.callFlowPath;
	}
	/** `http://127.0.0.1:PORT`: where the Voice APIs answer (a Voice API URL override). */
	get voiceApiUrl(): string {
		return this.origin;
	}
	/** Requests currently being handled (including those delayed by a fault). */
	get inFlight(): number {
		return this.active;
	}
	/** Highest `inFlight` seen since start or reset(). */
	get peakConcurrency(): number {
		return this.peak;
	}
	get closed(): boolean {
		return this.closing !== undefined;
	}
	/** Fault rules still waiting to apply. */
	get pendingFaults(): readonly FaultRule[] {
		return this.rules;
	}

	// ----- control -----

	/**
	 * Answer the next matching request(s) to `POST {base}/call/flow` or a Voice API path (`when`
	 * can tell them apart by `request.path`) with `fault`. Rules are tried in injection order; the
	 * first whose `when` matches and that has `remaining` > 0 is used.
	 */
	inject(fault: FaultInput, options: InjectOptions = {}): FaultRule {
		const times = options.times ?? 1;
		const rule = new FaultRule(normalizeFault(fault), times, options.when, this);
		if (times > 0) this.rules.push(rule);
		return rule;
	}

	removeFault(rule: FaultRule): void {
		const i = this.rules.indexOf(rule);
		if (i >= 0) this.rules.splice(i, 1);
	}

	clearFaults(): void {
		this.rules = [];
	}

	/** Clear records, counters and peak (peak restarts at the current inFlight); also the fault rules unless keepFaults. */
	reset(options: { keepFaults?: boolean } = {}): void {
		this.requests.length = 0;
		this.placedCalls.length = 0;
		this.placements.clear();
		if (this.bucket) {
			this.bucket.tokens = this.bucket.capacity;
			this.bucket.at = this.bucket.now();
		}
		this.simulator?.reset();
		this.voice.reset();
		const c = SamespaceEmulator.zeroCounters();
		Object.assign(this.counters, c);
		this.peak = this.active;
		if (!options.keepFaults) this.clearFaults();
	}

	/** Close the server and destroy every socket (keep-alive ones too). Idempotent. */
	close(): Promise<void> {
		if (this.closing) return this.closing;
		this.closing = new Promise<void>((resolve) => {
			if (this.idleTimer) clearTimeout(this.idleTimer);
			for (const t of this.timers) clearTimeout(t);
			this.timers.clear();
			this.server.close(() => {
				this.resolveClosed();
				resolve();
			});
			for (const s of this.sockets) s.destroy();
			this.sockets.clear();
		});
		return this.closing;
	}

	// ----- idle timeout -----

	private armIdleTimer(ms: number | undefined): void {
		if (ms === undefined || ms <= 0 || this.closing) return;
		this.idleTimer = setTimeout(() => this.checkIdle(), ms);
		this.idleTimer.unref();
	}

	private checkIdle(): void {
		const limit = this.idleTimeoutMs!;
		if (this.active > 0) return this.armIdleTimer(limit);
		const idleFor = Date.now() - this.lastActivity;
		if (idleFor >= limit) void this.close();
		else this.armIdleTimer(limit - idleFor);
	}

	// ----- request handling -----

	private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
		this.counters.requests++;
		if (++this.active > this.peak) this.peak = this.active;
		if (this.idleTimeoutMs !== undefined) this.lastActivity = Date.now();

		const url = req.url ?? '/';
		const q = url.indexOf('?');
		const ctx: Ctx = { req, res, path: q < 0 ? url : url.slice(0, q), done: false };
		const finish = () => {
			if (ctx.done) return;
			ctx.done = true;
			this.active--;
			if (ctx.rec) ctx.rec.endedAt = Date.now();
			if (ctx.timer) {
				clearTimeout(ctx.timer);
				this.timers.delete(ctx.timer);
			}
			if (this.idleTimeoutMs !== undefined) this.lastActivity = Date.now();
		};
		res.once('finish', finish);
		res.once('close', finish);
		res.on('error', () => undefined);
		req.on('error', () => undefined);

		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		req.on('data', (chunk: Buffer) => {
			if (tooLarge) return;
			size += chunk.length;
			if (size > this.maxBodyBytes) {
				tooLarge = true;
				chunks.length = 0;
			} else chunks.push(chunk);
		});
		req.on('end', () => {
			const text = tooLarge
				? ''
				: chunks.length === 1
					? chunks[0].toString('utf8')
					: Buffer.concat(chunks).toString('utf8');
			this.onBody(ctx, text, tooLarge);
		});
	}

	private onBody(ctx: Ctx, text: string, tooLarge: boolean): void {
		const { req } = ctx;
		let body: unknown;
		let parsed = false;
		if (text !== '') {
			try {
				body = JSON.parse(text);
				parsed = true;
			} catch {
				body = undefined;
			}
		}
		if (this.recordMode === 'all') {
			const rec: RecordedRequest = {
				method: req.method ?? '',
				path: ctx.path,
				url: req.url ?? '',
				headers: req.headers,
				body,
				time: Date.now(),
			};
			if (!tooLarge) rec.rawBody = text;
			this.requests.push(rec);
			ctx.rec = rec;
		}

		ctx.route = this.voice.route(ctx.path);
		ctx.route?.received(body, text, ctx.path);
		if (ctx.path !== this.callFlowPath && !ctx.route) {
			return this.reject(ctx, 404, {
				success: false,
				message: `Not found: ${req.method} ${ctx.path}`,
			});
		}
		if (req.method !== 'POST') {
			return this.reject(
				ctx,
				405,
				{ success: false, message: `Method ${req.method} not allowed; use POST` },
				{ Allow: 'POST' },
			);
		}
		if (tooLarge) {
			return this.reject(ctx, 413, {
				success: false,
				message: `Request body larger than ${this.maxBodyBytes} bytes`,
			});
		}
		const waitMs = this.takeToken();
		if (waitMs !== undefined) {
			// Like an API gateway's limiter: before credentials, flow checks or injected faults.
			this.counters.rateLimited++;
			const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
			return this.send(
				ctx,
				429,
				JSON.stringify({ success: false, message: RATE_LIMIT_MESSAGE }),
				JSON_TYPE,
				{ 'Retry-After': String(retryAfter) },
			);
		}

		if (this.rules.length > 0) {
			const rule = this.matchRule(body, ctx);
			if (rule) {
				this.counters.faulted++;
				const name = faultName(rule.fault);
				if (ctx.rec) ctx.rec.fault = name;
				let callId: string | undefined;
				if (faultPlacesCall(rule.fault) && this.verdict(ctx, body, parsed).ok) {
					callId = this.place(ctx, body, name);
				}
				return this.applyFault(ctx, rule.fault, body, parsed, callId);
			}
		}
		this.answerNormally(ctx, body, parsed);
	}

	private matchRule(body: unknown, ctx: Ctx): FaultRule | undefined {
		for (let i = 0; i < this.rules.length; i++) {
			const rule = this.rules[i];
			if (rule.when) {
				let ok = false;
				try {
					ok = rule.when(body, {
						method: ctx.req.method ?? '',
						path: ctx.path,
						headers: ctx.req.headers,
					});
				} catch {
					ok = false;
				}
				if (!ok) continue;
			}
			rule.hits++;
			if (--rule.remaining <= 0) this.rules.splice(i, 1);
			return rule;
		}
		return undefined;
	}

	/** The normal answer's decision: ok (place the call) or an error status + payload. */
	private verdict(ctx: Ctx, body: unknown, parsed: boolean): Verdict {
		const { req } = ctx;
		if (this.requireJsonContentType && !isJsonContentType(req.headers['content-type'])) {
			return {
				ok: false,
				status: 400,
				payload: { success: false, message: 'Content-Type must be application/json' },
			};
		}
		if (!parsed || !isObject(body)) {
			return {
				ok: false,
				status: 400,
				payload: { success: false, message: 'Request body must be a JSON object' },
			};
		}
		if (ctx.route) return ctx.route.verdict(body);
		const denied = this.checkCredentials(body);
		if (denied) return denied;
		const errors = validateRequestBody(body);
		if (errors.length > 0) {
			const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
			return {
				ok: false,
				status: 400,
				payload: {
					success: false,
					message: `Invalid call flow: ${errors[0].path}: ${errors[0].message}${more}`,
					errors,
				},
			};
		}
		return { ok: true };
	}

	/** The 401 answer for a body whose `cloud_id` and `auth_token` are not this emulator's. */
	checkCredentials(body: Record<string, any>): Verdict | undefined {
		if (body.cloud_id === this.cloudId && body.auth_token === this.authToken) return undefined;
		return {
			ok: false,
			status: 401,
			payload: { success: false, message: INVALID_CREDENTIALS_MESSAGE },
		};
	}

	/** Takes a token from the rate-limit bucket: undefined when taken, else ms until the next token. */
	private takeToken(): number | undefined {
		const bucket = this.bucket;
		if (!bucket) return undefined;
		const now = bucket.now();
		bucket.tokens = Math.min(
			bucket.capacity,
			bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * bucket.perSecond,
		);
		bucket.at = now;
		if (bucket.tokens >= 1) {
			bucket.tokens -= 1;
			return undefined;
		}
		return ((1 - bucket.tokens) / bucket.perSecond) * 1000;
	}

	private place(ctx: Ctx, body: any, fault?: string): string {
		if (ctx.route) {
			// A Voice API request: its click, callback or lead, not a call.
			const { id, answer } = ctx.route.perform(body, fault);
			ctx.success = answer;
			return id;
		}
		const callId = randomUUID();
		this.counters.placed++;
		const number =
			Array.isArray(body?.flow) && isObject(body.flow[0]) ? body.flow[0].number : undefined;
		if (number !== undefined) {
			const key = String(number);
			const times = (this.placements.get(key) ?? 0) + 1;
			this.placements.set(key, times);
			if (times > 1) this.counters.duplicatePlacements[key] = times - 1;
		}
		if (this.recordMode === 'all') {
			const first = Array.isArray(body?.flow) ? body.flow[0] : undefined;
			const call: PlacedCall = { call_id: callId, body, number: first?.number, time: Date.now() };
			if (fault) call.fault = fault;
			this.placedCalls.push(call);
			if (ctx.rec) ctx.rec.callId = callId;
		}
		this.simulator?.play(callId, body?.flow);
		return callId;
	}

	private answerNormally(ctx: Ctx, body: unknown, parsed: boolean, callId?: string): void {
		const v = this.verdict(ctx, body, parsed);
		if (!v.ok) return this.reject(ctx, v.status, v.payload);
		const id = callId ?? this.place(ctx, body);
		this.counters.accepted++;
		this.send(ctx, 200, JSON.stringify(this.successPayload(ctx, id)), JSON_TYPE);
	}

	private successPayload(ctx: Ctx, callId: string) {
		if (ctx.route) return ctx.success ?? ctx.route.successShape(callId);
		return { success: true, message: ACCEPTED_MESSAGE, call_id: callId, status: 'queued' };
	}

	private reject(
		ctx: Ctx,
		status: number,
		payload: Record<string, unknown>,
		headers?: http.OutgoingHttpHeaders,
	): void {
		this.counters.rejected++;
		this.send(ctx, status, JSON.stringify(payload), JSON_TYPE, headers);
	}

	private send(
		ctx: Ctx,
		status: number,
		body: string | Buffer,
		contentType: string,
		headers?: http.OutgoingHttpHeaders,
	): void {
		const { res } = ctx;
		if (res.destroyed || res.writableEnded) return;
		this.counters.byStatus[status] = (this.counters.byStatus[status] ?? 0) + 1;
		if (ctx.rec) ctx.rec.status = status;
		const h: http.OutgoingHttpHeaders = {
			'Content-Type': contentType,
			'Content-Length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
		};
		if (headers) Object.assign(h, headers);
		res.writeHead(status, h);
		res.end(body);
	}

	private resetSocket(ctx: Ctx): void {
		this.counters.resets++;
		ctx.req.socket.destroy();
	}

	private applyFault(
		ctx: Ctx,
		fault: Fault,
		body: unknown,
		parsed: boolean,
		callId: string | undefined,
	): void {
		const { res } = ctx;
		if (res.destroyed || res.writableEnded) return;
		const id = callId ?? randomUUID();
		switch (fault.kind) {
			case 'status': {
				const headers: http.OutgoingHttpHeaders = {};
				if (fault.retryAfter !== undefined)
					headers['Retry-After'] = retryAfterValue(fault.retryAfter);
				const payload =
					fault.body ??
					JSON.stringify({
						success: false,
						message: fault.message ?? STATUS_MESSAGES[fault.status] ?? `Error ${fault.status}`,
					});
				return this.send(
					ctx,
					fault.status,
					payload,
					fault.contentType ?? (fault.body === undefined ? JSON_TYPE : 'text/plain; charset=utf-8'),
					headers,
				);
			}
			case 'delay': {
				const timer = setTimeout(
					() => {
						this.timers.delete(timer);
						ctx.timer = undefined;
						if (fault.then) this.applyFault(ctx, fault.then, body, parsed, callId);
						else this.answerNormally(ctx, body, parsed, callId);
					},
					Math.max(0, fault.ms),
				);
				timer.unref();
				ctx.timer = timer;
				this.timers.add(timer);
				return;
			}
			case 'resetBeforeResponse':
				return this.resetSocket(ctx);
			case 'resetMidBody': {
				const full = Buffer.from(JSON.stringify(this.successPayload(ctx, id)));
				const part = full.subarray(
					0,
					Math.min(full.length - 1, Math.max(1, fault.bytes ?? full.length >> 1)),
				);
				if (ctx.rec) ctx.rec.status = 200;
				this.counters.byStatus[200] = (this.counters.byStatus[200] ?? 0) + 1;
				res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': full.length });
				res.write(part, () => this.resetSocket(ctx));
				return;
			}
			case 'stallMidBody': {
				const full = Buffer.from(JSON.stringify(this.successPayload(ctx, id)));
				if (ctx.rec) ctx.rec.status = 200;
				this.counters.byStatus[200] = (this.counters.byStatus[200] ?? 0) + 1;
				res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': full.length });
				res.write(full.subarray(0, Math.min(full.length - 1, fault.bytes ?? 11)));
				setTimeout(() => ctx.req.socket.destroy(), fault.ms ?? 60_000).unref();
				return;
			}
			case 'emptyBody':
				return this.send(ctx, 200, '', JSON_TYPE);
			case 'html':
				return this.send(ctx, 200, fault.body ?? HTML_PAGE, 'text/html; charset=utf-8');
			case 'truncatedJson': {
				const full = JSON.stringify(this.successPayload(ctx, id));
				return this.send(ctx, 200, full.slice(0, full.length >> 1), JSON_TYPE);
			}
			case 'successFalse':
				return this.send(
					ctx,
					200,
					JSON.stringify({
						success: false,
						message:
							fault.message ??
							(ctx.route ? 'Request could not be processed' : 'Call flow could not be processed'),
					}),
					JSON_TYPE,
				);
			case 'oversized': {
				const head = Buffer.from(
					JSON.stringify(this.successPayload(ctx, id)).slice(0, -1) + ',"padding":"',
				);
				const tail = Buffer.from('"}');
				const padSize = Math.max(0, (fault.bytes ?? 5 * 1024 * 1024) - head.length - tail.length);
				const pad = this.padding(padSize);
				this.counters.byStatus[200] = (this.counters.byStatus[200] ?? 0) + 1;
				if (ctx.rec) ctx.rec.status = 200;
				res.writeHead(200, {
					'Content-Type': JSON_TYPE,
					'Content-Length': head.length + pad.length + tail.length,
				});
				res.write(head);
				res.write(pad);
				res.end(tail);
				return;
			}
		}
	}

	private padding(size: number): Buffer {
		if (!this.paddingCache || this.paddingCache.size !== size) {
			this.paddingCache = { size, buf: Buffer.alloc(size, 'x') };
		}
		return this.paddingCache.buf;
	}
}
