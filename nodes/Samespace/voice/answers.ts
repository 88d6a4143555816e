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

export function inWords(request: VoiceRequest, outcome: Outcome): Outcome {
	if (outcome.kind === 'accepted') return outcome;
	if (outcome.kind === 'refused' && outcome.said !== undefined) {
		return {
			...outcome,
			message:
				knownRefusal(request, outcome.said) ??
				`Samespace refused the request for ${request.subject}: ${outcome.said}`,
			description: `${NOTHING[request.operation][0].toUpperCase()}${NOTHING[request.operation].slice(1)}. Samespace answered HTTP ${outcome.statusCode ?? '?'} with success: false and the message "${outcome.said}".`,
		};
	}
	if (outcome.mayHavePlaced)
		return { ...outcome, description: MAY_HAVE_HAPPENED[request.operation] };
	return outcome;
}
