/**
 * The emulator's Samespace Voice APIs: Click to Call, Callback and Campaign Push (add a lead to a
 * dial list), served by the same 127.0.0.1 server as `/call/flow` (dev/emulator.ts), at the root
 * of its origin as on `https://<cluster>.samespace.com`: a test's Voice API URL is
 * `emulator.voiceApiUrl`. What is known of the real APIs: docs/reference.md ("The Voice API");
 * their answers are not documented, so everything below the paths and the "not logged in" message
 * is this emulator's decision.
 *
 * The emulator applies to these paths what it applies to `/call/flow`, in the same order: request
 * recording (`emulator.requests`, `counters`), 404 for other paths, 405 for a method other than
 * POST, 413, the rate-limit bucket (one bucket for every path: tests that need separate limits start
 * two emulators), injected faults (`emulator.inject`; a `when` predicate sees the request's `path`,
 * see `onPath`), then 400 for a Content-Type that is not JSON or a body that is not a JSON object.
 * A fault that "places" a call (see `faultPlacesCall`) here performs the request when it is valid:
 * the click, callback or lead is recorded with the fault's name.
 *
 * | path | checks, in order | answer |
 * |---|---|---|
 * | `POST /apiv1/make_call` | `username` a string `user@cloud`, `number` 2-15 digits (a string), `callerId` (optional) 2-15 digits, `custom` (optional) an object: else 400; the part after the last `@` is not the emulator's Cloud ID: 200 `{"success":false,"message":"Cant make call! User not found"}`; the agent is not logged in: 200 `{"success":false,"message":"Cant make call! Not logged In"}` | 200 `{"success":true,"message":"Call event sent to the agent","id":"<uuid>"}` |
 * | `POST /apiv1/team/make_call` | `space_id`, `team_name` strings, `number` 2-15 digits, `attributes` (optional) an object: else 400; `space_id` is not the Cloud ID: 200 `{"success":false,"message":"Invalid space_id"}`; no such team: 200 `{"success":false,"message":"Team not found"}` | 200 `{"success":true,"message":"Callback requested","id":"<uuid>"}` |
 * | `POST /router/api/v2/campaign/add` | `cloud_id` + `auth_token` exactly as `/call/flow` checks them (401); `campaign`, `team_name`, `source` non-empty strings, `number` 2-15 digits, `data` (optional) an object: else 400; no such team: 200 `{"success":false,"message":"Team not found"}` | 200 `{"success":true,"message":"Lead added" or "Lead updated","action":"added" or "updated","id":"<lead uuid>"}` |
 *
 * - Errors are `{"success": false, "message"}`: 400/401 for a malformed or unauthenticated request,
 *   200 for a refusal of a well-formed one (as Samespace's "not logged in" answer is).
 * - `id` (all three) and `action` (campaign add) are the emulator's invention: real answers may
 *   have neither, and a node must not need them. The messages other than "not logged in" are
 *   invented too.
 * - Agents: every `user@<cloud>` is logged in unless `setAgent(username, { loggedIn: false })`,
 *   or, with `agentsLoggedInByDefault = false` (option `voice.agentsLoggedIn`), only those set
 *   `{ loggedIn: true }` are. Usernames and team names are compared exactly (case-sensitive).
 * - Teams: option `voice.teams` (default Sales and Support), `addTeam(name)`.
 * - Campaigns and dial lists (`source`) are created on first use; a campaign keeps the team of its
 *   first add (a later add naming another existing team is accepted, the mapping unchanged). A lead
 *   is one (campaign, source, number): a second add replaces its `data` and answers "updated".
 * - Click to Call and Callback take no token: a body holding an `auth_token` field or the token
 *   anywhere (any depth, keys included, or the raw text), and a campaign add holding the token
 *   anywhere but its top-level `auth_token`, is counted in `counters.tokenLeaks` (and listed in
 *   `leaks`) as it arrives, whatever the answer; it is otherwise answered normally.
 * - Accepted clicks and callbacks are counted per (username, number) and (team, number):
 *   `counters.duplicateClicks["jane@acme|14155550123"] = 1` means it was clicked twice.
 * - Record mode `counts` keeps counters and state (agents, teams, campaigns, leads) but not the
 *   lists `clicks`, `callbacks`, `leadRequests` and `leaks`. `emulator.reset()` resets everything
 *   here to the options' state.
 */
import { randomUUID } from 'node:crypto';

import type { RecordMode, RequestInfo, Verdict } from './emulator';

export const CLICK_TO_CALL_PATH = '/apiv1/make_call';
export const CALLBACK_PATH = '/apiv1/team/make_call';
export const CAMPAIGN_ADD_PATH = '/router/api/v2/campaign/add';

/** Samespace's own words (its Voice API page). */
export const NOT_LOGGED_IN_MESSAGE = 'Cant make call! Not logged In';
export const UNKNOWN_USER_MESSAGE = 'Cant make call! User not found';
export const CLICK_ACCEPTED_MESSAGE = 'Call event sent to the agent';
export const INVALID_SPACE_MESSAGE = 'Invalid space_id';
export const UNKNOWN_TEAM_MESSAGE = 'Team not found';
export const CALLBACK_ACCEPTED_MESSAGE = 'Callback requested';
export const LEAD_ADDED_MESSAGE = 'Lead added';
export const LEAD_UPDATED_MESSAGE = 'Lead updated';
export const DEFAULT_TEAMS: readonly string[] = ['Sales', 'Support'];

/** A `when` predicate for `emulator.inject`: only requests to this path (e.g. CALLBACK_PATH). */
export function onPath(path: string): (body: unknown, request: RequestInfo) => boolean {
	return (_body, request) => request.path === path;
}

export interface VoiceOptions {
	/** Teams of the cloud; default Sales and Support. */
	teams?: string[];
	/** Whether an agent never named by `setAgent` is logged in; default true. */
	agentsLoggedIn?: boolean;
}

export interface ClickRecord {
	id: string;
	username: string;
	number: string;
	callerId?: string;
	custom?: unknown;
	time: number;
	/** Set when an injected fault answered instead. */
	fault?: string;
}

export interface CallbackRecord {
	id: string;
	spaceId: string;
	team: string;
	number: string;
	attributes?: unknown;
	time: number;
	fault?: string;
}

export interface Lead {
	id: string;
	campaign: string;
	source: string;
	number: string;
	data: unknown;
	addedAt: number;
	updatedAt: number;
	/** Adds after the first. */
	updates: number;
}

export interface LeadRecord {
	/** The lead's id (the same for its updates). */
	id: string;
	campaign: string;
	team: string;
	source: string;
	number: string;
	data?: unknown;
	action: 'added' | 'updated';
	time: number;
	fault?: string;
}

export interface TokenLeak {
	path: string;
	/** Where in the body: `auth_token`, `custom.note`, `body` (the raw text). */
	where: string[];
	time: number;
}

export interface VoiceCounters {
	clicks: number;
	callbacks: number;
	leadsAdded: number;
	leadsUpdated: number;
	/** Requests that carried the token where it does not belong (see the header). */
	tokenLeaks: number;
	/** `"username|number"`: how many times more than once it was accepted. */
	duplicateClicks: Record<string, number>;
	/** `"team|number"`: how many times more than once it was accepted. */
	duplicateCallbacks: Record<string, number>;
}

/** What the emulator calls for a request to one of these paths (dev/emulator.ts). */
export interface VoiceRoute {
	/** Every body that arrives, before the rate limit and faults: counts token leaks. */
	received(body: unknown, rawBody: string, path: string): void;
	/** The normal answer's decision, without side effects (the JSON checks are the emulator's). */
	verdict(body: Record<string, any>): Verdict;
	/** Does what an accepted request does; its 200 answer. */
	perform(
		body: Record<string, any>,
		fault?: string,
	): { id: string; answer: Record<string, unknown> };
	/** A success answer for a fault that cuts or pads one when nothing was performed. */
	successShape(id: string): Record<string, unknown>;
}

/** What the Voice APIs need of the emulator. */
export interface VoiceHost {
	readonly cloudId: string;
	readonly authToken: string;
	readonly recordMode: RecordMode;
	/** The 401 verdict `/call/flow` gives for these `cloud_id` and `auth_token`, or undefined. */
	checkCredentials(body: Record<string, any>): Verdict | undefined;
}

const OK: Verdict = { ok: true };
const DIGITS = /^\d{2,15}$/;
const USERNAME = /^\S+@[^@\s]+$/;

const isObject = (value: unknown): value is Record<string, any> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const bad = (message: string): Verdict => ({
	ok: false,
	status: 400,
	payload: { success: false, message },
});
const refuse = (message: string): Verdict => ({
	ok: false,
	status: 200,
	payload: { success: false, message },
});

/** The first problem of the fields every route shares, or undefined. */
function fieldProblem(body: Record<string, any>, strings: string[], object?: string) {
	for (const field of strings)
		if (typeof body[field] !== 'string' || body[field].trim() === '')
			return bad(`${field} is required and must be a non-empty string`);
	if (!(typeof body.number === 'string' && DIGITS.test(body.number)))
		return bad('number is required and must be 2 to 15 digits');
	if (object && body[object] !== undefined && !isObject(body[object]))
		return bad(`${object} must be an object`);
	return undefined;
}

export class VoiceApi {
	/** Accepted clicks (record mode `all`). */
	readonly clicks: ClickRecord[] = [];
	/** Accepted callbacks (record mode `all`). */
	readonly callbacks: CallbackRecord[] = [];
	/** Accepted campaign adds, each `added` or `updated` (record mode `all`). */
	readonly leadRequests: LeadRecord[] = [];
	/** Requests that leaked the token (record mode `all`; the count is `counters.tokenLeaks`). */
	readonly leaks: TokenLeak[] = [];
	readonly counters: VoiceCounters = VoiceApi.zeroCounters();
	/** Whether an agent never named by `setAgent` is logged in. */
	agentsLoggedInByDefault: boolean;

	private readonly teamNames = new Set<string>();
	private readonly agents = new Map<string, boolean>();
	private readonly campaignMap = new Map<
		string,
		{ team: string; lists: Map<string, Map<string, Lead>> }
	>();
	private readonly accepted = new Map<string, number>();
	private readonly routes: Map<string, VoiceRoute>;

	constructor(
		private readonly host: VoiceHost,
		private readonly options: VoiceOptions = {},
	) {
		this.agentsLoggedInByDefault = options.agentsLoggedIn ?? true;
		for (const team of options.teams ?? DEFAULT_TEAMS) this.teamNames.add(team);
		this.routes = new Map([
			[CLICK_TO_CALL_PATH, this.clickToCall()],
			[CALLBACK_PATH, this.callback()],
			[CAMPAIGN_ADD_PATH, this.campaignAdd()],
		]);
	}

	private static zeroCounters(): VoiceCounters {
		return {
			clicks: 0,
			callbacks: 0,
			leadsAdded: 0,
			leadsUpdated: 0,
			tokenLeaks: 0,
			duplicateClicks: {},
			duplicateCallbacks: {},
		};
	}

	/** The route served at this path, if any. */
	route(path: string): VoiceRoute | undefined {
		return this.routes.get(path);
	}

	/** Logs an agent (`user@cloud`, as Click to Call names it) in or out. */
	setAgent(username: string, state: { loggedIn: boolean }): void {
		this.agents.set(username, state.loggedIn);
	}

	isLoggedIn(username: string): boolean {
		return this.agents.get(username) ?? this.agentsLoggedInByDefault;
	}

	addTeam(name: string): void {
		this.teamNames.add(name);
	}

	removeTeam(name: string): void {
		this.teamNames.delete(name);
	}

	get teams(): string[] {
		return [...this.teamNames];
	}

	/** Campaigns created so far, with their team and dial lists. */
	get campaigns(): Array<{ name: string; team: string; lists: string[] }> {
		return [...this.campaignMap].map(([name, c]) => ({
			name,
			team: c.team,
			lists: [...c.lists.keys()],
		}));
	}

	/** Leads stored, optionally of one campaign and dial list. */
	leads(campaign?: string, source?: string): Lead[] {
		const out: Lead[] = [];
		for (const [name, c] of this.campaignMap) {
			if (campaign !== undefined && name !== campaign) continue;
			for (const [list, leads] of c.lists)
				if (source === undefined || list === source)
					for (const lead of leads.values()) out.push({ ...lead });
		}
		return out;
	}

	/** Back to the options' state: teams, agents, no campaigns, records or counters. */
	reset(): void {
		this.clicks.length = 0;
		this.callbacks.length = 0;
		this.leadRequests.length = 0;
		this.leaks.length = 0;
		Object.assign(this.counters, VoiceApi.zeroCounters());
		this.agentsLoggedInByDefault = this.options.agentsLoggedIn ?? true;
		this.teamNames.clear();
		for (const team of this.options.teams ?? DEFAULT_TEAMS) this.teamNames.add(team);
		this.agents.clear();
		this.campaignMap.clear();
		this.accepted.clear();
	}

	// ----- the routes -----

	private clickToCall(): VoiceRoute {
		return {
			received: (body, raw, path) => this.checkLeak(body, raw, path, false),
			verdict: (body) => {
				if (typeof body.username !== 'string' || !USERNAME.test(body.username))
					return bad('username is required and must be "user@cloud_id"');
				const problem = fieldProblem(body, [], 'custom');
				if (problem) return problem;
				if (
					body.callerId !== undefined &&
					!(typeof body.callerId === 'string' && DIGITS.test(body.callerId))
				)
					return bad('callerId must be 2 to 15 digits');
				const cloud = body.username.slice(body.username.lastIndexOf('@') + 1);
				if (cloud !== this.host.cloudId) return refuse(UNKNOWN_USER_MESSAGE);
				if (!this.isLoggedIn(body.username)) return refuse(NOT_LOGGED_IN_MESSAGE);
				return OK;
			},
			perform: (body, fault) => {
				const id = randomUUID();
				this.counters.clicks++;
				this.countAccepted('duplicateClicks', `${body.username}|${body.number}`);
				if (this.host.recordMode === 'all') {
					const click: ClickRecord = {
						id,
						username: body.username,
						number: body.number,
						time: Date.now(),
					};
					if (body.callerId !== undefined) click.callerId = body.callerId;
					if (body.custom !== undefined) click.custom = body.custom;
					if (fault) click.fault = fault;
					this.clicks.push(click);
				}
				return { id, answer: { success: true, message: CLICK_ACCEPTED_MESSAGE, id } };
			},
			successShape: (id) => ({ success: true, message: CLICK_ACCEPTED_MESSAGE, id }),
		};
	}

	private callback(): VoiceRoute {
		return {
			received: (body, raw, path) => this.checkLeak(body, raw, path, false),
			verdict: (body) => {
				const problem = fieldProblem(body, ['space_id', 'team_name'], 'attributes');
				if (problem) return problem;
				if (body.space_id !== this.host.cloudId) return refuse(INVALID_SPACE_MESSAGE);
				if (!this.teamNames.has(body.team_name)) return refuse(UNKNOWN_TEAM_MESSAGE);
				return OK;
			},
			perform: (body, fault) => {
				const id = randomUUID();
				this.counters.callbacks++;
				this.countAccepted('duplicateCallbacks', `${body.team_name}|${body.number}`);
				if (this.host.recordMode === 'all') {
					const callback: CallbackRecord = {
						id,
						spaceId: body.space_id,
						team: body.team_name,
						number: body.number,
						time: Date.now(),
					};
					if (body.attributes !== undefined) callback.attributes = body.attributes;
					if (fault) callback.fault = fault;
					this.callbacks.push(callback);
				}
				return { id, answer: { success: true, message: CALLBACK_ACCEPTED_MESSAGE, id } };
			},
			successShape: (id) => ({ success: true, message: CALLBACK_ACCEPTED_MESSAGE, id }),
		};
	}

	private campaignAdd(): VoiceRoute {
		return {
			received: (body, raw, path) => this.checkLeak(body, raw, path, true),
			verdict: (body) => {
				const denied = this.host.checkCredentials(body);
				if (denied) return denied;
				const problem = fieldProblem(body, ['campaign', 'team_name', 'source'], 'data');
				if (problem) return problem;
				if (!this.teamNames.has(body.team_name)) return refuse(UNKNOWN_TEAM_MESSAGE);
				return OK;
			},
			perform: (body, fault) => {
				const now = Date.now();
				let campaign = this.campaignMap.get(body.campaign);
				if (!campaign) {
					campaign = { team: body.team_name, lists: new Map() };
					this.campaignMap.set(body.campaign, campaign);
				}
				let list = campaign.lists.get(body.source);
				if (!list) {
					list = new Map();
					campaign.lists.set(body.source, list);
				}
				let lead = list.get(body.number);
				const action = lead ? 'updated' : 'added';
				if (lead) {
					lead.data = body.data;
					lead.updatedAt = now;
					lead.updates++;
					this.counters.leadsUpdated++;
				} else {
					lead = {
						id: randomUUID(),
						campaign: body.campaign,
						source: body.source,
						number: body.number,
						data: body.data,
						addedAt: now,
						updatedAt: now,
						updates: 0,
					};
					list.set(body.number, lead);
					this.counters.leadsAdded++;
				}
				if (this.host.recordMode === 'all') {
					const record: LeadRecord = {
						id: lead.id,
						campaign: body.campaign,
						team: body.team_name,
						source: body.source,
						number: body.number,
						action,
						time: now,
					};
					if (body.data !== undefined) record.data = body.data;
					if (fault) record.fault = fault;
					this.leadRequests.push(record);
				}
				const message = action === 'added' ? LEAD_ADDED_MESSAGE : LEAD_UPDATED_MESSAGE;
				return { id: lead.id, answer: { success: true, message, action, id: lead.id } };
			},
			successShape: (id) => ({ success: true, message: LEAD_ADDED_MESSAGE, action: 'added', id }),
		};
	}

	private countAccepted(counter: 'duplicateClicks' | 'duplicateCallbacks', key: string): void {
		const mapKey = `${counter}:${key}`;
		const times = (this.accepted.get(mapKey) ?? 0) + 1;
		this.accepted.set(mapKey, times);
		if (times > 1) this.counters[counter][key] = times - 1;
	}

	/**
	 * Counts a request that carries the token where it does not belong: an `auth_token` field or
	 * the token in any key or string (for a campaign add, anywhere but its own `auth_token`).
	 */
	private checkLeak(body: unknown, raw: string, path: string, tokenField: boolean): void {
		const token = this.host.authToken;
		const where = new Set<string>();
		const walk = (value: unknown, at: string, depth: number) => {
			if (depth > 64) return;
			if (typeof value === 'string') {
				if (token && value.includes(token)) where.add(at || 'body');
			} else if (Array.isArray(value))
				value.forEach((inner, i) => walk(inner, `${at}[${i}]`, depth + 1));
			else if (isObject(value))
				for (const [key, inner] of Object.entries(value)) {
					const here = at ? `${at}.${key}` : key;
					const own = tokenField && here === 'auth_token';
					if (!own && (key === 'auth_token' || (token && key.includes(token)))) where.add(here);
					if (!own) walk(inner, here, depth + 1);
				}
		};
		walk(body, '', 0);
		// Text that is not JSON (or not an object) is searched as it came.
		if (where.size === 0 && !isObject(body) && token && raw.includes(token)) where.add('body');
		if (where.size === 0) return;
		this.counters.tokenLeaks++;
		if (this.host.recordMode === 'all')
			this.leaks.push({ path, where: [...where], time: Date.now() });
	}
}
