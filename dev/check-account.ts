/**
 * `npm run check:account`: tells a Samespace customer, in words, which of this package's
 * assumptions about Samespace's undocumented behaviour hold for their cloud (`ASSUMPTIONS`;
 * docs/development.md, "Checking a real Samespace account"). Credentials come from the environment
 * and are stored nowhere. The token is never printed, nor any part of it: answers are masked with
 * the node's own redaction before anything is cut or shown, and a body is shown as its shape, with
 * only `success` and a masked `message` as they came.
 *
 * Without flags it sends only requests that cannot reach a person or create anything:
 * 1. `/call/flow` with an empty flow (what the credential's Test button sends): no call step, so no
 *    number to ring, whatever Samespace does with it;
 * 2. the same with a made-up token (not derived from the real one, so an echo of it shows nothing);
 * 3. Click to Call for `n8n-check-<random>@<cloud>`, an agent that cannot exist, so no dock gets
 *    the event; its number cannot ring either (555-01xx, reserved for fiction, in the unassigned
 *    area code 555), and `custom` says it is a check, should an agent ever see it;
 * 4. Callback to a team `n8n-check-<random>` that cannot exist, with a "number" that is not one.
 * A Campaign add is never sent without `--add-lead`: even one that looks refused may create a
 * campaign, a dial list or a lead the dialer calls, and a wrong token cannot be trusted to stop it.
 * Each flag sends exactly one more request, to a number the user names.
 */
import { randomBytes } from 'node:crypto';

import {
	callFlowEndpoint,
	SAMESPACE_DEFAULT_BASE_URL,
	voiceApiOrigin,
} from '../nodes/Samespace/transport/credential';
import { isMaskableToken, makeRedactor } from '../nodes/Samespace/transport/redact';

/** Each assumption the docs list as an undocumented decision, and the Voice APIs' answer shapes. */
export const ASSUMPTIONS = {
	credentials: 'Call Flow API: the Cloud ID and Auth Token are read from the JSON body',
	badToken:
		'Call Flow API: a wrong Auth Token is refused with 401 or 403 (the Test button reads it)',
	emptyFlow: "Call Flow API: an empty flow (the Test button's request) is refused",
	errorFormat: 'Errors are JSON {"success": false, "message": "..."}',
	success200: 'Some refusals come with HTTP 200 and "success": false',
	redirects: 'The APIs answer at their address, without a redirect (the node follows none)',
	rateLimit: 'A rate limit is answered 429 with Retry-After',
	accepted: 'An accepted call flow answers {"success": true, ...} with a call id',
	idsText: 'A call flow with step ids as text and the number as digits only is accepted',
	httpMethod: "An HTTP step's method has no default (the node always sends one)",
	metadata: 'Call metadata can be queried',
	voiceNoToken: 'Click to Call and Callback take no token',
	notLoggedIn:
		'Click to Call, agent not logged in: HTTP 200, success false, "Cant make call! Not logged In"',
	callbackRefusal: 'Callback refuses an unknown team or number with {"success": false, "message"}',
	spaceId: "Callback's space_id is the Cloud ID",
	clickAccepted: 'An accepted Click to Call answers {"success": true, "message"}',
	callbackAccepted: 'An accepted Callback answers {"success": true, "message"}',
	leadAccepted: 'Campaign add takes cloud_id + auth_token, answers {"success": true, "message"}',
	leadUpdate: 'Adding a number already in the dial list updates that lead',
} as const;
type Id = keyof typeof ASSUMPTIONS;
type Verdict = 'HOLDS' | 'DOES NOT HOLD' | 'NOT CHECKED';

interface Seen {
	n: number;
	label: string;
	status?: number;
	json?: any;
	contentType?: string;
	bytes?: number;
	location?: string;
	rateHeaders: string[];
	error?: string;
}

const USAGE = `Usage: npm run check:account [-- flags]
Environment: SAMESPACE_CLOUD_ID, SAMESPACE_AUTH_TOKEN (required), SAMESPACE_BASE_URL (optional),
SAMESPACE_CLUSTER or SAMESPACE_VOICE_API_URL (for the Voice APIs). Without flags nothing can ring.
Each flag sends ONE real request:
  --call <number> [--caller-id <n>]          a call that says one sentence and hangs up
  --click-to-call <agent> --number <n>       the agent's dock dials <n>
  --callback <team> --number <n>             the team calls <n> back
  --add-lead <campaign>:<team>:<dialList> --number <n>   a lead the dialer will call`;
const ENV = ['CLOUD_ID', 'AUTH_TOKEN', 'CLUSTER', 'VOICE_API_URL'];
const FLAGS = ['call', 'caller-id', 'click-to-call', 'callback', 'add-lead', 'number'];
const FICTIONAL_NUMBER = '15555550100';
const NOT_LOGGED_IN = 'Cant make call! Not logged In';
const NOTE = 'n8n-nodes-samespace account check (npm run check:account)';
const VOICE_ENV = 'needs SAMESPACE_CLUSTER or SAMESPACE_VOICE_API_URL';
const SAY = 'This is a test call from n8n, checking your Samespace account. Goodbye.';
type Env = Record<string, string | undefined>;

const isObj = (v: unknown): v is Record<string, any> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);
const accepted = (s?: Seen) => isObj(s?.json) && s.json.success === true;
const refused = (s?: Seen) => !!s && (s.status! >= 400 || s.json?.success === false);
const message = (s?: Seen) => (typeof s?.json?.message === 'string' ? s.json.message : '');
const cut = (text: string, max = 120) => (text.length > max ? `${text.slice(0, max)}…` : text);
const digits = (raw?: string) => {
	const d = raw?.replace(/[\s()+.-]/g, '');
	return d && /^\d{2,15}$/.test(d) ? d : undefined;
};
/** A URL that follows the credential's Base URL rules, without trailing slashes; or undefined. */
const validBase = (url?: string) =>
	url && callFlowEndpoint(url) !== undefined ? url.replace(/\/+$/, '') : undefined;

/** Why an answer says nothing about the API it was sent to; undefined when it does. */
function blocked(s?: Seen): string | undefined {
	if (!s) return 'not sent';
	if (s.error) return `no answer (${s.error})`;
	if (s.status! >= 300 && s.status! < 400) return `redirected (HTTP ${s.status})`;
	if (s.status === 404 || s.status === 405) return `nothing answers there (HTTP ${s.status})`;
	return undefined;
}

/** An answer as its shape: status, `success`, the masked message, the other keys' types. */
function shape(s: Seen): string {
	if (s.error) return `no answer: ${s.error}`;
	const parts = [`HTTP ${s.status}`];
	if (s.location !== undefined) parts.push(`Location: ${cut(s.location)}`);
	if (!isObj(s.json)) parts.push(`${s.contentType || 'no Content-Type'}, ${s.bytes} bytes`);
	else {
		const keys = Object.entries(s.json).map(([k, v]) => {
			if (k === 'success') return `success: ${JSON.stringify(v)}`;
			if (k === 'message' && typeof v === 'string') return `message: ${JSON.stringify(cut(v))}`;
			return `${cut(k, 40)}: ${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v}`;
		});
		parts.push(`JSON {${keys.join(', ')}}`);
	}
	return [...parts, ...s.rateHeaders].join(', ');
}

function parseArgs(argv: string[]): Record<string, string> | string {
	const out: Record<string, string> = {};
	for (let i = 0; i < argv.length; i++) {
		const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
		if (!m || !FLAGS.includes(m[1])) return `Unknown argument ${argv[i]}.`;
		const value = m[2] ?? argv[++i];
		if (!value) return `--${m[1]} needs a value.`;
		out[m[1]] = value;
	}
	return out;
}

export async function main(argv: string[], env: Env, out: (line: string) => void): Promise<number> {
	if (argv.includes('--help')) return (out(USAGE), 0);
	const args = parseArgs(argv);
	const get = (name: string) => env[`SAMESPACE_${name}`]?.trim() || undefined;
	const [cloud, token, cluster, voiceUrl] = ENV.map(get);
	const base = validBase(get('BASE_URL') ?? SAMESPACE_DEFAULT_BASE_URL);
	// The node's own rules for where the Voice APIs are: the cluster's host, or the override.
	const origin = voiceApiOrigin(cluster, voiceUrl);
	const voice = origin.ok ? origin.origin : undefined;
	const a = typeof args === 'string' ? {} : args;
	const [callNumber, number] = [digits(a.call), digits(a.number)];
	const callerId = a['caller-id'] === undefined ? callNumber : digits(a['caller-id']);
	const voiceFlag = ['click-to-call', 'callback', 'add-lead'].find((f) => a[f] !== undefined);
	const lead = a['add-lead']?.split(':');
	const badLead = lead && (lead.length !== 3 || lead.some((part) => !part.trim()));
	const problem = (
		[
			[typeof args === 'string', args],
			[!cloud || !token, 'Set SAMESPACE_CLOUD_ID and SAMESPACE_AUTH_TOKEN.'],
			[!isMaskableToken(token), 'SAMESPACE_AUTH_TOKEN is under 8 characters: paste all of it.'],
			[!base, 'SAMESPACE_BASE_URL breaks the Base URL rules (docs/reference.md).'],
			[
				(cluster || voiceUrl) && !origin.ok,
				!origin.ok &&
					`SAMESPACE_${origin.field === 'Cluster' ? 'CLUSTER' : 'VOICE_API_URL'} ${origin.problem}.`,
			],
			[a.call !== undefined && !callNumber, '--call needs a phone number of 2-15 digits.'],
			[a['caller-id'] && !(callNumber && callerId), '--caller-id: 2-15 digits, with --call.'],
			[voiceFlag && !number, `--${voiceFlag} needs --number <2-15 digits>.`],
			[a.number !== undefined && !voiceFlag, '--number goes with a Voice API flag.'],
			[voiceFlag && !voice, `--${voiceFlag} ${VOICE_ENV}.`],
			[badLead, '--add-lead takes <campaign>:<team>:<dialList>.'],
		] as Array<[unknown, string]>
	).find(([bad]) => bad);
	if (problem) return (out(`${problem[1]}\nNothing was sent.\n\n${USAGE}`), 2);

	const redact = makeRedactor(token!);
	const seen: Seen[] = [];
	const ask = async (go: unknown, label: string, url: string, body: object) => {
		if (!go) return undefined;
		const s: Seen = { n: seen.length + 1, label, rateHeaders: [] };
		seen.push(s);
		try {
			// Never follow a redirect: the token is in the body (a 307/308 would resend it elsewhere).
			const res = await fetch(url, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
				body: JSON.stringify(body),
				redirect: 'manual',
				signal: AbortSignal.timeout(20_000),
			});
			const text = await res.text();
			[s.status, s.bytes] = [res.status, Buffer.byteLength(text)];
			s.contentType = res.headers.get('content-type') ?? undefined;
			s.location = res.headers.has('location') ? redact(res.headers.get('location')!) : undefined;
			res.headers.forEach((value, name) => {
				if (/^(retry-after|x-?rate-?limit.*|ratelimit.*)$/i.test(name))
					s.rateHeaders.push(redact(`${name}: ${cut(value, 60)}`));
			});
			try {
				s.json = redact(JSON.parse(text));
			} catch {
				s.json = undefined; // not JSON: shown as its content type and size only
			}
		} catch (e) {
			const cause = (e as { cause?: { code?: string; message?: string } }).cause;
			s.error = redact(cut(String(cause?.code ?? cause?.message ?? (e as Error).message)));
		}
		return s;
	};

	const flowUrl = callFlowEndpoint(base)!;
	const [clickUrl, callbackUrl] = [`${voice}/apiv1/make_call`, `${voice}/apiv1/team/make_call`];
	out(`Samespace account check, cloud "${cloud}" (token: ${token!.length} characters, not shown)`);
	out(`Call Flow API: ${flowUrl}\nVoice APIs: ${voice ?? `not checked (${VOICE_ENV})`}\n`);
	const auth = { cloud_id: cloud, auth_token: token };
	const noFlow = { record: false, flow: [] };
	const fake = { cloud_id: cloud, auth_token: `n8n-check-${randomBytes(16).toString('hex')}` };
	const [right, made] = [
		{ ...auth, ...noFlow },
		{ ...fake, ...noFlow },
	];
	const empty = (await ask(true, 'empty call flow (no call step)', flowUrl, right))!;
	const wrong = (await ask(true, 'empty call flow, made-up token', flowUrl, made))!;
	const who = `n8n-check-${randomBytes(4).toString('hex')}`;
	const note = { note: NOTE };
	const agentProbe = { username: `${who}@${cloud}`, number: FICTIONAL_NUMBER, custom: note };
	const clickProbe = await ask(voice, `Click to Call, no agent ${who}`, clickUrl, agentProbe);
	const teamProbe = { space_id: cloud, team_name: who, number: 'not-a-number', attributes: note };
	const callbackProbe = await ask(voice, `Callback, no team ${who}`, callbackUrl, teamProbe);
	const first = { id: '1', type: 'call', number: callNumber, caller_id: callerId, next_step: '2' };
	const callBody = { ...auth, record: false, flow: [first, { id: '2', type: 'play', text: SAY }] };
	const call = await ask(callNumber, `--call: a REAL call to ${callNumber}`, flowUrl, callBody);
	const agent = a['click-to-call'];
	const user = agent?.includes('@') ? agent : `${agent}@${cloud}`;
	const clickBody = { username: user, number, custom: note };
	const click = await ask(agent, `--click-to-call: ${user}`, clickUrl, clickBody);
	const cbBody = { space_id: cloud, team_name: a.callback, number, attributes: note };
	const callback = await ask(a.callback, `--callback: team ${a.callback}`, callbackUrl, cbBody);
	const [campaign, team_name, source] = lead ?? [];
	const leadBody = { ...auth, campaign, team_name, source, number, data: note };
	const leadUrl = `${voice}/router/api/v2/campaign/add`;
	const added = await ask(lead, `--add-lead: ${lead?.join(' / ')}`, leadUrl, leadBody);

	out('Requests sent:');
	for (const s of seen) out(`  #${s.n} ${s.label}\n      -> ${shape(s)}`);

	// Each assumption: the first case whose condition is true gives the verdict and why.
	const results: Array<[Id, Verdict, string]> = [];
	const judge = (id: Id, ...cases: Array<[unknown, Verdict, string]>) => {
		const [, verdict, why] = cases.find(([when]) => when)!;
		results.push([id, verdict, why]);
	};
	const [H, D, N] = ['HOLDS', 'DOES NOT HOLD', 'NOT CHECKED'] as const;
	const ids = (items: Array<Seen | undefined>) => items.map((s) => `#${s?.n}`).join(', ');
	const answered = seen.filter((s) => !blocked(s));
	const refusals = answered.filter(refused);
	const badFormat = refusals.filter((s) => !(s.json?.success === false && message(s)));
	const with200 = refusals.filter((s) => s.status! < 300);
	const redirected = seen.filter((s) => s.status! >= 300 && s.status! < 400);
	const limited = seen.filter((s) => s.status === 429);
	const noRetryAfter = limited.filter((s) => !s.rateHeaders.some((h) => /^retry-after/i.test(h)));
	const rateHeaders = [...new Set(seen.flatMap((s) => s.rateHeaders))].join('; ') || 'none';
	const idKey = accepted(call) && Object.keys(call!.json).find((k) => /(^|_)id$|Id$/.test(k));
	const voiceSeen = [clickProbe, callbackProbe, click, callback].filter((s) => s && !blocked(s));
	const denied = (s?: Seen) => s?.status === 401 || s?.status === 403;
	const asksToken = voiceSeen.filter((s) => denied(s) || /token|auth|credenti/i.test(message(s)));
	const sameAnswer = wrong.status === empty.status && message(wrong) === message(empty);
	const loggedOut = clickProbe?.status === 200 && message(clickProbe) === NOT_LOGGED_IN;

	judge(
		'credentials',
		[blocked(empty), N, `#1: ${blocked(empty)}`],
		[denied(empty), D, `#1 refused them: check them; if right, Samespace wants them elsewhere`],
		[!blocked(wrong) && sameAnswer, N, '#1 and #2 got the same answer: the token may be unread'],
		[true, H, 'your token and a made-up one got different answers (#1, #2)'],
	);
	judge(
		'badToken',
		[blocked(wrong), N, `#2: ${blocked(wrong)}`],
		[denied(wrong), H, '#2'],
		[true, D, "#2: the credential's Test button would pass a wrong token"],
	);
	judge(
		'emptyFlow',
		[blocked(empty), N, `#1: ${blocked(empty)}`],
		[refused(empty) && !accepted(wrong), H, '#1, #2'],
		[true, D, '#1 or #2 was not refused: tell Samespace, and do not use the Test button'],
	);
	judge(
		'errorFormat',
		[!refusals.length, N, 'no refusal was seen'],
		[badFormat.length, D, `not in that format: ${ids(badFormat)}`],
		[true, H, `every refusal: ${ids(refusals)}`],
	);
	judge(
		'success200',
		[with200.length, H, `${ids(with200)}; the node reads "success", not only the status`],
		[refusals.length, N, `not seen: each refusal had an error status (${ids(refusals)})`],
		[true, N, 'no refusal was seen'],
	);
	judge(
		'redirects',
		[redirected.length, D, `${ids(redirected)}: use the Location if it is Samespace's address`],
		[answered.length, H, `no redirect in ${seen.length} answers`],
		[true, N, 'no answer'],
	);
	judge(
		'rateLimit',
		[noRetryAfter.length, D, `429 without Retry-After: ${ids(noRetryAfter)}`],
		[limited.length, H, ids(limited)],
		[true, N, `it takes a burst of requests, never sent here; rate-limit headers: ${rateHeaders}`],
	);
	judge(
		'accepted',
		[!call, N, 'needs --call <number> (one real call)'],
		[idKey, H, `#${call?.n}: the id is "${idKey}"`],
		[accepted(call), D, `#${call?.n}: accepted, with no id field`],
		[true, N, `#${call?.n} was not accepted (try --caller-id <a number of your cloud>)`],
	);
	judge(
		'idsText',
		[!call, N, 'needs --call <number> (one real call)'],
		[accepted(call), H, `#${call?.n} (ids "1" and "2", the number as digits) was accepted`],
		[/\bids?\b/i.test(message(call)), D, `#${call?.n}'s refusal names ids`],
		[true, N, `#${call?.n} was not accepted, for another reason`],
	);
	judge('httpMethod', [true, N, 'needs an HTTP step calling an address you watch; none is sent']);
	judge('metadata', [true, N, 'the document names no endpoint for it, so none is tried']);
	judge(
		'voiceNoToken',
		[!voice, N, VOICE_ENV],
		[!voiceSeen.length, N, `#3: ${blocked(clickProbe)}; #4: ${blocked(callbackProbe)}`],
		[asksToken.length, D, `${ids(asksToken)} asked for credentials`],
		[true, H, `answered without one: ${ids(voiceSeen)}`],
	);
	judge(
		'notLoggedIn',
		[!voice, N, VOICE_ENV],
		[blocked(clickProbe), N, `#3: ${blocked(clickProbe)}`],
		[loggedOut && clickProbe?.json?.success === false, H, '#3 (an agent that does not exist)'],
		[accepted(clickProbe), D, '#3 was ACCEPTED for an agent that cannot exist: tell Samespace'],
		[true, D, '#3 (an agent that does not exist; a logged-out one may be worded otherwise)'],
	);
	judge(
		'callbackRefusal',
		[!voice, N, VOICE_ENV],
		[blocked(callbackProbe), N, `#4: ${blocked(callbackProbe)}`],
		[callbackProbe?.json?.success === false && message(callbackProbe), H, '#4'],
		[accepted(callbackProbe), D, '#4 was ACCEPTED for a team that cannot exist: tell Samespace'],
		[true, D, '#4'],
	);
	judge(
		'spaceId',
		[!callback, N, 'needs --callback <team> --number <n> (a real callback)'],
		[accepted(callback), H, `#${callback?.n}`],
		[/space/i.test(message(callback)), D, `#${callback?.n}'s refusal names the space`],
		[true, N, `#${callback?.n} was refused for another reason`],
	);
	for (const [id, s, flag] of [
		['clickAccepted', click, '--click-to-call <agent> --number <n> (the agent dials)'],
		['callbackAccepted', callback, '--callback <team> --number <n> (the team calls)'],
		['leadAccepted', added, '--add-lead; never sent without it: it may create leads'],
	] as Array<[Id, Seen | undefined, string]>)
		judge(
			id,
			[!s, N, `needs ${flag}`],
			[blocked(s), N, `#${s?.n}: ${blocked(s)}`],
			[id === 'leadAccepted' && denied(s), D, `#${s?.n}: the Cloud ID and token were refused`],
			[accepted(s) && message(s), H, `#${s?.n}`],
			[refused(s), N, `#${s?.n} was refused`],
			[true, D, `#${s?.n}: no "success" and "message" in the answer`],
		);
	judge('leadUpdate', [true, N, 'needs a second add of the same number: run --add-lead twice']);

	out('\nAssumptions:');
	for (const [id, verdict, why] of results)
		out(`${verdict.padEnd(14)} ${ASSUMPTIONS[id]}\n${' '.repeat(15)}${why}`);
	const count = (v: Verdict) => results.filter((r) => r[1] === v).length;
	const real = [call, click, callback, added].filter(Boolean).length;
	const what = real ? `${real} of them real (a flag)` : 'none could ring anyone or create anything';
	out(
		`\nSummary: ${count(H)} hold, ${count(D)} do not hold, ${count(N)} not checked; ` +
			`${seen.length} requests sent, ${what}.`,
	);
	return count(D) ? 1 : 0;
}

if (require.main === module) {
	void main(process.argv.slice(2), process.env, (line) => console.log(line)).then((code) => {
		process.exitCode = code;
	});
}
