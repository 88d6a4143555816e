/** The vocabulary of the Samespace Call Flow API, shared by the schema and the wiring checks. */

export const STEP_TYPES = ['call', 'play', 'digits', 'http', 'connect'] as const;

/**
 * Steps that only this node knows. `answer` ("Send Answer to Workflow") becomes, before the flow is
 * sent, an http step that reports the digits gathered so far to the waiting n8n execution.
 */
export const NODE_STEP_TYPES = ['answer'] as const;
export const ANSWER_STEP_TYPE = 'answer';

export type StepType = (typeof STEP_TYPES)[number] | (typeof NODE_STEP_TYPES)[number];

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Keys a digits step may route on. Samespace uses `*` for "any input". */
export const ROUTE_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'] as const;
export const ANY_INPUT_KEY = '*';
/** The keys a person presses to choose (a menu route, an approval): the digits and "#". */
export const CHOICE_KEYS: readonly string[] = ROUTE_KEYS.filter((key) => key !== ANY_INPUT_KEY);

/** `{{name}}` placeholders that Samespace fills from gathered digits. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
