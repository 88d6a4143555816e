/**
 * The one place where the node reads the Samespace API credential for a request: the Base URL,
 * through the credential's own rules (which its test request uses too), becomes the endpoint;
 * the Auth Token is checked and gives the redactor. Nothing here sends anything: a bad
 * credential is refused before any request, with what to fix.
 */
import {
	NodeOperationError,
	type ICredentialsDecrypted,
	type IExecuteFunctions,
} from 'n8n-workflow';

import {
	callFlowEndpoint,
	CREDENTIAL_TYPE,
	SAMESPACE_DEFAULT_BASE_URL,
	voiceApiOrigin,
} from './credential';
import { isMaskableToken, makeRedactor, MIN_TOKEN_LENGTH, type Redact } from './redact';

export interface CheckedCredential {
	cloudId: string;
	/** `{Base URL}/call/flow`. */
	endpoint: string;
	/** Masks the token in every shape it can be shown in (the token itself is sent by the credential's `authenticate`, never by the node). */
	redact: Redact;
}

export interface Connection extends CheckedCredential {
	/**
	 * The credential as read (and decrypted) once for this execution. Every request authenticates
	 * with it, so n8n neither reads it from its database nor decrypts it again per call.
	 */
	credential: ICredentialsDecrypted;
}

export interface CredentialProblem {
	ok: false;
	/** One line naming the field and what is wrong. */
	message: string;
	/** How to fix it; always says that nothing was sent. */
	description: string;
}

export type ConnectionCheck = ({ ok: true } & CheckedCredential) | CredentialProblem;

const NOTHING_SENT = 'No call was placed: nothing was sent.';

/**
 * `{Base URL}/call/flow` from the credential's Base URL, or what is wrong with it. Whether a Base
 * URL is accepted is decided by the credential's own rules (`callFlowEndpoint`, shared with its
 * test request); this only adds the explanation. `redact` masks the token in the Base URL before
 * any of it is quoted (and cut) in a problem.
 */
export function resolveEndpoint(
	baseUrl: unknown,
	redact: Redact = (value) => value,
): { ok: true; endpoint: string } | { ok: false; problem: string } {
	const endpoint = callFlowEndpoint(baseUrl);
	if (endpoint !== undefined) return { ok: true, endpoint };
	if (typeof baseUrl !== 'string' && !Array.isArray(baseUrl)) {
		return {
			ok: false,
			problem: `is not text: an expression in the credential gave a ${typeof baseUrl}`,
		};
	}
	return { ok: false, problem: explainBaseUrl(String(baseUrl).trim(), redact) };
}

/** Why a Base URL breaks the rules, in the words of the most likely mistake. */
function explainBaseUrl(raw: string, redact: Redact): string {
	/** The Base URL as a message may quote it: token masked, no user info, not overly long. */
	const shown = () => {
		const text = redact(raw).replace(/^((?:[a-z][a-z0-9+.-]*:)?\/\/)?[^/?#]*@/i, '$1');
		return text.length > 120 ? `${text.slice(0, 120)}…` : text;
	};
	if (!/^[a-z][a-z0-9+.-]*:/i.test(raw))
		return `has no https:// in front ("${shown()}"): write it as https://${shown()}`;
	if (
		/\s/.test(raw) ||
		[...raw].some((char) => char.charCodeAt(0) < 32 || char.charCodeAt(0) === 127)
	) {
		return 'contains spaces, tabs or line breaks: remove them (a web address has none)';
	}
	let url: URL | undefined;
	try {
		url = new URL(raw);
	} catch {
		url = undefined;
	}
	if (url && url.protocol !== 'https:' && url.protocol !== 'http:') {
		return `starts with "${url.protocol}", but a call request can only go to an https:// (or http://) address`;
	}
	if (/^[a-z]+:\/\/[^/?#]*@/i.test(raw)) {
		return 'contains a user name or password before the host (user:password@host): remove it. Samespace takes the Cloud ID and Auth Token from their own fields of the credential';
	}
	if (raw.includes('?'))
		return 'contains a query ("?…"): remove it and everything after it. Requests go to {Base URL}/call/flow';
	if (raw.includes('#'))
		return 'contains a fragment ("#…"): remove it and everything after it. Requests go to {Base URL}/call/flow';
	if (!/^https?:\/\/[^/\\]/i.test(raw) || /^https?:\/\/https?:/i.test(raw)) {
		return `does not start with https:// and a host name ("${shown()}")`;
	}
	if (/^https?:\/\/[^/]*\/.*\/\/./i.test(raw))
		return `has an empty part ("//") in its path ("${shown()}")`;
	return `is not a valid web address ("${shown()}"): write it as https://host/path, with a host name of letters, digits, dots and hyphens (a name in another script in its xn-- form)`;
}

/** Reads and checks the credential's fields; nothing is sent when it returns a problem. */
export function readConnection(credentials: Record<string, unknown>): ConnectionCheck {
	const { authToken, cloudId, baseUrl } = credentials;
	if (!isMaskableToken(authToken)) {
		return {
			ok: false,
			message:
				typeof authToken === 'string' && authToken.trim() !== ''
					? 'The Auth Token in the Samespace API credential is too short'
					: 'The Auth Token in the Samespace API credential is empty',
			description: `${NOTHING_SENT} A Samespace auth token is at least ${MIN_TOKEN_LENGTH} characters long (spaces do not count), and a shorter one could not be kept out of the node's output safely. Paste the whole token from Samespace into the credential.`,
		};
	}
	const redact = makeRedactor(authToken);
	const cloud =
		typeof cloudId === 'string'
			? cloudId.trim()
			: typeof cloudId === 'number'
				? String(cloudId)
				: '';
	if (cloud === '') {
		return {
			ok: false,
			message: 'The Cloud ID in the Samespace API credential is empty',
			description: `${NOTHING_SENT} Enter the ID of your Samespace cloud (workspace) in the credential.`,
		};
	}
	const endpoint = resolveEndpoint(baseUrl, redact);
	if (!endpoint.ok) {
		return {
			ok: false,
			message: redact(`The Base URL in the Samespace API credential ${endpoint.problem}`),
			description: `${NOTHING_SENT} Use the address of Samespace's API, for example ${SAMESPACE_DEFAULT_BASE_URL} (leave the field blank for that one).`,
		};
	}
	return { ok: true, cloudId: cloud, endpoint: endpoint.endpoint, redact };
}

/**
 * The node's credential, read once per execution and checked: a bad Base URL or token throws what
 * to fix, and nothing is sent.
 */
export async function connectionFor(ctx: IExecuteFunctions): Promise<Connection> {
	const data = await ctx.getCredentials(CREDENTIAL_TYPE);
	const checked = readConnection(data);
	if (!checked.ok)
		throw new NodeOperationError(ctx.getNode(), checked.message, {
			description: checked.description,
		});
	const { id, name } = ctx.getNode().credentials?.[CREDENTIAL_TYPE] ?? {};
	return {
		cloudId: checked.cloudId,
		endpoint: checked.endpoint,
		redact: checked.redact,
		credential: { id: id ?? '', name: name ?? '', type: CREDENTIAL_TYPE, data },
	};
}

export interface VoiceApiConnection extends Connection {
	/** `https://<cluster>.samespace.com`, or the credential's Voice API URL. */
	voiceApi: string;
}

/**
 * The credential for Samespace's other Voice APIs: as connectionFor, plus where they live (the
 * cluster's host, or the Voice API URL). A missing or bad cluster throws what to fix; nothing is
 * sent.
 */
export async function voiceApiConnectionFor(ctx: IExecuteFunctions): Promise<VoiceApiConnection> {
	const connection = await connectionFor(ctx);
	const { cluster, voiceApiUrl } = connection.credential.data ?? {};
	const origin = voiceApiOrigin(cluster, voiceApiUrl);
	if (!origin.ok)
		throw new NodeOperationError(
			ctx.getNode(),
			connection.redact(`The ${origin.field} in the Samespace API credential ${origin.problem}`),
			{
				description: `${NOTHING_SENT} Click to Call, Request Callback and Add Lead to Dial List use Samespace's Voice API at https://{cluster}.samespace.com: set the Cluster in the credential (or a Voice API URL for a test endpoint).`,
			},
		);
	return { ...connection, voiceApi: origin.origin };
}
