/**
 * Samespace's answers to the Voice API requests, in words that say what happened to whom. The
 * transport reads every answer the same way (transport/response.ts, written for call flows);
 * this gives a refusal and a lost answer the words of the operation. Pure: no I/O.
 */
import type { Outcome } from '../transport/outcome';
import type { VoiceOperation, VoiceRequest } from './requests';

/** After a lost answer: what may have happened, and what to do. */
const MAY_HAVE_HAPPENED: Record<VoiceOperation, string> = {
	clickToCall:
		"The agent's Samespace dock may have dialled the number: check with the agent before you send this item again. It was not retried, so nobody is rung twice.",
	requestCallback:
		'The callback may have been requested: check the team in Samespace before you send this item again. It was not retried, so the person is not called back twice.',
	addLead:
		'The lead may have been added to the dial list: check the dial list in Samespace before you send this item again. It was not retried, so the lead is not put in the list twice.',
};

const NOTHING: Record<VoiceOperation, string> = {
	clickToCall: 'nothing was dialled',
	requestCallback: 'no callback was requested',
	addLead: 'the lead was not added',
};

/** Samespace's own refusals whose meaning is known, in words. */
function knownRefusal(request: VoiceRequest, said: string): string | undefined {
	if (request.operation === 'clickToCall' && /not\s*logged\s*in/i.test(said))
		return `The agent ${String(request.body.username)} is not logged in to Samespace: ${NOTHING.clickToCall}`;
	return undefined;
}

/** Where a Voice API request goes, as the credential names it. */
const WHERE = 'the Cluster (or the Voice API URL) in the Samespace API credential';

/** What Samespace could not accept about a request that carries no token (401/403). */
const NOT_ACCEPTED: Record<VoiceOperation, string> = {
	clickToCall: `check the agent's username and ${WHERE}`,
	requestCallback: `check the team, the Space ID (the Cloud ID unless set) and ${WHERE}`,
	addLead:
		'check the Cloud ID and Auth Token in the Samespace API credential, and that the token may add leads to campaigns',
};

/** The name-value data each operation sends, as the editor labels it. */
const DATA_FIELD: Record<VoiceOperation, string> = {
	clickToCall: 'Custom Data',
	requestCallback: 'Attributes',
	addLead: 'Lead Data',
};

/** What the user gives an operation, as the editor labels it: what to check after a refusal. */
const FIELDS: Record<VoiceOperation, string> = {
	clickToCall: 'Agent, Phone Number, Caller ID and Custom Data',
	requestCallback: 'Team, Phone Number, Attributes and Space ID',
	addLead: 'Campaign, Team, Dial List, Phone Number and Lead Data',
};

function upper(text: string): string {
	return `${text[0].toUpperCase()}${text.slice(1)}`;
}

export function inWords(request: VoiceRequest, outcome: Outcome): Outcome {
	if (outcome.kind === 'accepted') return outcome;
	const { operation } = request;
	const status = outcome.statusCode;
	// The call-flow API's JSON 503 is Samespace's own "come back later". The Voice APIs (all three
	// on one host) live elsewhere, behind gateways nobody has seen: a 503 there that does not say
	// when to come back may come after the request was forwarded, and none of them may go twice.
	if (outcome.kind === 'busy' && status === 503 && outcome.retryAfterMs === undefined)
		return {
			...outcome,
			kind: 'uncertain',
			retryable: false,
			mayHavePlaced: true,
			message: `Samespace's Voice API answered 503 (Service Unavailable) without saying when to come back`,
			description: MAY_HAVE_HAPPENED[operation],
			reason: 'HTTP 503 without Retry-After',
		};
	// The transport's words are the call-flow API's (its Base URL, "the flow"): say the Voice API's.
	if (outcome.kind === 'notSent')
		return {
			...outcome,
			description: `${upper(NOTHING[operation])}. Check ${WHERE}, and this machine's network.${outcome.code ? ` Network error: ${outcome.code}.` : ''}`,
		};
	if (outcome.kind === 'redirected')
		return {
			...outcome,
			description: `${outcome.mayHavePlaced ? MAY_HAVE_HAPPENED[operation] : `${upper(NOTHING[operation])}.`} The node never follows a redirect: check ${WHERE}.`,
		};
	if (outcome.kind === 'refused' && (status === 404 || status === 405))
		return {
			...outcome,
			message: `No Samespace Voice API answers at this address (HTTP ${status}): check ${WHERE}`,
			description: `${upper(NOTHING[operation])}.`,
		};
	if (outcome.kind === 'refused' && (status === 401 || status === 403))
		return {
			...outcome,
			message: `Samespace did not accept the request for ${request.subject} (HTTP ${status}): ${NOT_ACCEPTED[operation]}`,
			description: `${upper(NOTHING[operation])}.${outcome.said ? ` Samespace said: ${outcome.said}` : ''}`,
		};
	if (outcome.kind === 'refused') {
		const { said } = outcome;
		const answered = `HTTP ${status ?? '?'}${status !== undefined && status < 300 ? ' with success: false' : ''}`;
		if (said !== undefined)
			return {
				...outcome,
				message:
					knownRefusal(request, said) ??
					`Samespace refused the request for ${request.subject}: ${said}`,
				description: `${upper(NOTHING[operation])}. Samespace answered ${answered} and the message "${said}".`,
			};
		// Without Samespace's words the transport's are the call flow's ("refused the flow",
		// "make the flow smaller"): say whose request it was, and what the user can change.
		return {
			...outcome,
			message:
				status === 413
					? `The request for ${request.subject} is too large for Samespace (HTTP 413): give fewer or shorter ${DATA_FIELD[operation]}`
					: `Samespace refused the request for ${request.subject} without saying why (${answered})`,
			description: `${upper(NOTHING[operation])}. Check the item's ${FIELDS[operation]}.`,
		};
	}
	if (outcome.mayHavePlaced) return { ...outcome, description: MAY_HAVE_HAPPENED[operation] };
	return outcome;
}
