/**
 * The parameters the operations share: the call flow (step list or JSON) and the sending options.
 * Each operation picks what it needs and shows it for itself (see its `description`).
 */
import type { INodeProperties } from 'n8n-workflow';

import {
	DEFAULT_CALLS_PER_SECOND,
	DEFAULT_CONCURRENCY,
	DEFAULT_MAX_RETRY_WAIT_SECONDS,
	DEFAULT_RETRIES,
	DEFAULT_TIMEOUT_SECONDS,
	MAX_CONCURRENCY,
	MAX_RETRIES,
} from '../../helpers/send-options';
import { DEFAULT_WAIT_MINUTES } from '../../helpers/resume';
import { ANSWER_STEP_TYPE, CHOICE_KEYS, HTTP_METHODS } from '../../flow/schema';
import { END_CALL_TYPES } from '../../flow/step-list';
import { stepTypeNames } from '../../flow/step-names';

const showFor = (...types: string[]) => ({ show: { type: types } });

/**
 * The node's versions. 1.1 (new nodes) takes one Caller ID for the whole call, splits Play into
 * Say Text and Play Audio File so each has a required field, and starts JSON mode from a flow
 * that rings nobody. Saved version-1 nodes keep their parameters and behaviour.
 */
export const NODE_VERSIONS = [1, 1.1];
export type FlowVersion = 1 | 1.1;
const onlyVersion = (version: FlowVersion) => ({
	'@version': version === 1 ? [1] : [{ _cnd: { gte: 1.1 } }],
});

/** The keys a person can choose with; "*" is Samespace's "any input", which has its own field. */
export const keyOptions = CHOICE_KEYS.map((key) => ({ name: key, value: key }));

const nextStepHint =
	'Leave blank to continue with the next step in the list (the last step ends the call)';

/** What each step type does, for the Type dropdown; its names come from `flow/step-names.ts`. */
const STEP_TYPE_DESCRIPTIONS: Record<string, string> = {
	call: 'Place the call to a phone number (the first step)',
	connect: 'Connect the person to an agent, team or number',
	digits: 'Let the person type digits on their keypad',
	http: 'Call a web address during the call, e.g. to look up an account',
	play: 'Speak a text or play an audio file',
	playAudio: 'Play an MP3 file from a web address',
	answer: 'Report the digits gathered so far to this workflow, which then continues with them',
};

/** Version 1.1's Say Text only speaks (Play Audio File plays the files). */
const STEP_TYPE_DESCRIPTIONS_V11: Record<string, string> = {
	...STEP_TYPE_DESCRIPTIONS,
	play: 'Speak a text',
};

/** The Type dropdown of `version`, sorted by name as n8n's lint wants. */
const stepTypeOptions = (version: FlowVersion, withAnswer: boolean) => {
	const names = stepTypeNames(version);
	return Object.keys(names)
		.filter((type) => withAnswer || type !== ANSWER_STEP_TYPE)
		.map((type) => ({
			name: names[type],
			value: type,
			description: (version === 1 ? STEP_TYPE_DESCRIPTIONS : STEP_TYPE_DESCRIPTIONS_V11)[type],
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
};

/**
 * The fields of one step of the step list; `withAnswer` offers the Send Answer to Workflow type.
 * n8n 2.x shows a step's required fields and those with a value; the others (ids, branching, the
 * Method) come with "Add Step Option" (`hideOptionalFields`). n8n 1.x shows them all.
 */
const stepFields = (withAnswer: boolean, version: FlowVersion): INodeProperties[] => [
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		noDataExpression: true,
		options: stepTypeOptions(version, withAnswer),
		// A new node starts with a Call step; a step added after it is most often something to play.
		default: 'play',
		typeOptions: { showEvenWhenOptional: true },
	},
	{
		displayName: 'Phone Number',
		name: 'number',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.phone }} or 14155550123',
		description:
			'The number to call, country code first (spaces, dashes, brackets and a leading + are removed). Usually an expression that reads it from the incoming item.',
		displayOptions: showFor('call'),
	},
	{
		displayName: 'Connect To',
		name: 'number',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 5263 or 14155550123',
		description: 'The agent extension, team number or phone number to connect the person to',
		displayOptions: showFor('connect'),
	},
	version === 1
		? {
				displayName: 'Caller ID',
				name: 'callerId',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'e.g. 14155550100',
				description: 'The number the person sees as calling. Use a number of your Samespace cloud.',
				displayOptions: showFor('call', 'connect'),
			}
		: {
				displayName: 'Caller ID for This Step',
				name: 'callerId',
				type: 'string',
				default: '',
				placeholder: 'e.g. 14155550100',
				description:
					'Shown instead of the Caller ID above for this step only. Use a number of your Samespace cloud.',
				displayOptions: showFor('call', 'connect'),
			},
	{
		displayName: 'Text to Speak',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 2, showEvenWhenOptional: true },
		...(version === 1 ? {} : { required: true }),
		default: '',
		placeholder: 'e.g. Hi {{ $json.firstName }}, press 1 to talk to sales.',
		description:
			version === 1
				? 'Spoken to the person. Give this, an Audio URL, or both.'
				: 'Spoken to the person',
		displayOptions: showFor('play'),
	},
	{
		displayName: 'Audio URL',
		name: 'audioUrl',
		type: 'string',
		...(version === 1 ? {} : { required: true }),
		default: '',
		placeholder: 'e.g. https://example.com/greeting.mp3',
		description:
			version === 1
				? 'Address of an MP3 file to play. Give this, a Text to Speak, or both.'
				: 'Address of an MP3 file to play',
		displayOptions: showFor(version === 1 ? 'play' : 'playAudio'),
	},
	{
		displayName: 'Digits to Gather',
		name: 'count',
		type: 'number',
		required: true,
		typeOptions: { minValue: 1 },
		default: 1,
		description:
			'How many digits to wait for: 1 for a menu choice, more for an account number or PIN',
		displayOptions: showFor('digits'),
	},
	{
		displayName: 'Save Digits As',
		name: 'variable',
		type: 'string',
		default: 'digits',
		placeholder: 'e.g. account_id',
		description:
			'Variable name for the digits typed (default: digits). An HTTP Request step can use it in its URL as {{account_id}}.',
		displayOptions: showFor('digits'),
	},
	{
		displayName: 'Routes',
		name: 'routes',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Route',
		default: {},
		description: 'Where to go when a given key is pressed (for a one-digit menu)',
		displayOptions: showFor('digits'),
		options: [
			{
				displayName: 'Route',
				name: 'route',
				values: [
					{
						displayName: 'Key Pressed',
						name: 'key',
						type: 'options',
						options: keyOptions,
						default: '1',
					},
					{
						displayName: 'Go to Step',
						name: 'step',
						noDataExpression: true,
						type: 'string',
						required: true,
						default: '',
						placeholder: 'e.g. sales',
						description: 'Step ID of the step to go to',
					},
				],
			},
		],
	},
	{
		displayName: 'Any Other Input Goes To',
		name: 'anyInput',
		noDataExpression: true,
		type: 'string',
		default: '',
		placeholder: 'e.g. menu',
		description: `Step ID of the step for input that matches no route. ${nextStepHint}.`,
		displayOptions: showFor('digits'),
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. https://crm.example.com/api/accounts/{{account_id}}',
		description:
			'Web address Samespace calls during the call. {{name}} is replaced with digits saved by a Gather Digits step.',
		displayOptions: showFor('http'),
	},
	{
		displayName: 'Method',
		name: 'method',
		type: 'options',
		options: HTTP_METHODS.map((method) => ({ name: method, value: method })),
		default: 'GET',
		description: 'The HTTP method of the request (default: GET)',
		displayOptions: showFor('http'),
	},
	{
		displayName: 'On Success Go To',
		name: 'onSuccess',
		noDataExpression: true,
		type: 'string',
		default: '',
		placeholder: 'e.g. connect-sales',
		description: `Step ID of the step after a successful request (for Send Answer to Workflow: the answer was taken). ${nextStepHint}.`,
		displayOptions: showFor('http', 'answer'),
	},
	{
		displayName: 'On Failure Go To',
		name: 'onFailure',
		noDataExpression: true,
		type: 'string',
		default: '',
		placeholder: 'e.g. sorry',
		description: `Step ID of the step after a failed request (for Send Answer to Workflow: the answer was not taken). ${nextStepHint}.`,
		displayOptions: showFor('http', 'answer'),
	},
	{
		displayName: 'Step ID',
		name: 'stepId',
		type: 'string',
		// Wiring is fixed when the flow is built: no expressions, and no "let the AI model decide".
		noDataExpression: true,
		default: '',
		placeholder: 'e.g. menu',
		description:
			'A name other steps can go to. Leave blank if no step goes here by name: the step is then known by its position (1, 2, 3…), which changes when steps are moved.',
	},
	{
		displayName: 'End Call After This Step',
		name: 'endCall',
		type: 'boolean',
		noDataExpression: true,
		default: false,
		description:
			'Whether the call ends here instead of going on to another step, e.g. after connecting to an agent',
		displayOptions: showFor(...END_CALL_TYPES),
	},
	{
		displayName: 'Next Step',
		name: 'nextStep',
		type: 'string',
		noDataExpression: true,
		default: '',
		placeholder: 'e.g. menu',
		description: `Step ID of the step that comes next. ${nextStepHint}.`,
		// `hide` rather than `show: { endCall: [false] }`: a Call step has no endCall value to match.
		displayOptions: {
			show: { type: ['call', 'play', 'playAudio', 'connect'] },
			hide: { endCall: [true] },
		},
	},
];

export const recordCallProperty: INodeProperties = {
	displayName: 'Record Call',
	name: 'record',
	type: 'boolean',
	default: false,
	description: 'Whether Samespace records the call',
};

/** The Caller ID of every Call and Connect step (version 1.1; in version 1 each step has its own). */
const callWideCallerId: INodeProperties = {
	displayName: 'Caller ID',
	name: 'callerId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. 14155550100',
	description:
		'The number people see as calling, for every Call and Connect step: a number of your Samespace cloud. A step can show another one (its Add Step Option > Caller ID for This Step).',
	displayOptions: { show: { source: ['steps'], ...onlyVersion(1.1) } },
};

/** Version 1's JSON sample rang a fixed number as is; version 1.1's rings nobody until filled in. */
const JSON_DEFAULTS: Record<FlowVersion, string> = {
	1: '[\n  {"id": "1", "type": "call", "number": "14155550123", "caller_id": "14155550100", "next_step": "2"},\n  {"id": "2", "type": "play", "text": "Hello from Acme."}\n]',
	1.1: '[\n  {"id": "1", "type": "call", "number": "", "caller_id": "", "next_step": "2"},\n  {"id": "2", "type": "play", "text": "Hello from Acme."}\n]',
};

/** Prose, not labels: the lint's title case for labels does not apply (so not literals). */
const STEPS_TIP =
	'Steps run from top to bottom. To jump to a step, give it a Step ID and go to that ID.';
const ANSWER_TIP =
	'Add a "Send Answer to Workflow" step after the Gather Digits steps whose keys you need: the call reports them there, and this workflow continues with them. The node places one call per execution.';

/**
 * The Call Flow operations' tips: callouts (n8n shows a notice in a warning's yellow). They come
 * before every operation's parameters in the node's list: n8n puts the credential after the first
 * callout shown, and the AI tool's Tool Description after the last callout of the whole list, so a
 * callout further down would split the form and push Tool Description below Place Call's Options.
 */
export const callFlowTips: INodeProperties[] = [
	{
		displayName: ANSWER_TIP,
		name: 'answerNotice',
		type: 'callout',
		default: '',
		displayOptions: { show: { operation: ['callAndWait'] } },
	},
	{
		displayName: STEPS_TIP,
		name: 'stepsTip',
		type: 'callout',
		default: '',
		displayOptions: {
			show: { operation: ['placeCall', 'callAndWait'], source: ['steps'] },
		},
	},
];

/** The step list and the JSON of one node version. */
const flowOfVersion = (withAnswer: boolean, version: FlowVersion): INodeProperties[] => {
	const jsonDefault = JSON_DEFAULTS[version];
	return [
		{
			displayName: 'Steps',
			name: 'steps',
			type: 'fixedCollection',
			typeOptions: {
				multipleValues: true,
				sortable: true,
				hideOptionalFields: true,
				addOptionalFieldButtonText: 'Add Step Option',
			},
			placeholder: 'Add Step',
			default: {
				step:
					version === 1
						? [
								{ type: 'call', stepId: '', number: '', callerId: '', nextStep: '' },
								{ type: 'play', stepId: '', text: '', audioUrl: '', nextStep: '' },
							]
						: [
								{ type: 'call', number: '' },
								{ type: 'play', text: '' },
							],
			},
			description: 'The call flow, first step first. The first step must be a Call.',
			displayOptions: { show: { source: ['steps'], ...onlyVersion(version) } },
			options: [{ displayName: 'Step', name: 'step', values: stepFields(withAnswer, version) }],
		},
		{
			displayName: 'Flow (JSON)',
			name: 'flowJson',
			type: 'json',
			default: jsonDefault,
			description:
				'The "flow" array of a Samespace call flow. A whole payload with a "flow" key is accepted too; its cloud_id and auth_token are ignored (the credential is used).',
			hint: 'From an earlier node: {{ $json.flow }}. Step IDs may be text or numbers; they are sent as text.',
			displayOptions: { show: { source: ['json'], ...onlyVersion(version) } },
		},
	];
};

/**
 * The call flow: a step list built in the editor, or JSON. `withAnswer`: the step list offers Send
 * Answer to Workflow (operation Call and Wait for Answer).
 */
export const flowProperties = (withAnswer: boolean): INodeProperties[] => [
	{
		displayName: 'Define Flow',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Step List',
				value: 'steps',
				description: 'Build the call step by step in this node',
			},
			{
				name: 'JSON',
				value: 'json',
				description: 'Give the flow array as Samespace documents it, e.g. from an earlier node',
			},
		],
		default: 'steps',
		// n8n drops what the other mode held when the mode changes. Call and Wait for Answer's Validate
		// Only shows the flow with its report steps, which is not what its JSON mode takes.
		hint: withAnswer
			? 'Switching starts the other mode afresh.'
			: 'Switching starts the other mode afresh. To get a step list as JSON, run it with Options > Validate Only: the output shows the flow.',
	},
	callWideCallerId,
	recordCallProperty,
	...flowOfVersion(withAnswer, 1),
	...flowOfVersion(withAnswer, 1.1),
];

/** The options, one by one: each operation offers those that apply to it. */
export const sendOptions = {
	concurrency: {
		displayName: 'Calls in Parallel',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
		default: DEFAULT_CONCURRENCY,
		description:
			'How many calls may be sent to Samespace at the same time when the node gets many items. Output order always follows input order.',
	},
	includeFlow: {
		displayName: 'Include Submitted Flow',
		name: 'includeFlow',
		type: 'boolean',
		default: false,
		description: 'Whether to add the flow that was sent (as "submitted") to each output item',
	},
	maxRetryWait: {
		displayName: 'Longest Retry Wait (Seconds)',
		name: 'maxRetryWait',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: DEFAULT_MAX_RETRY_WAIT_SECONDS,
		description:
			'The longest the node waits before a retry. If Samespace asks for a longer wait (Retry-After), the item fails with a clear error instead.',
	},
	callsPerSecond: {
		displayName: 'Max Calls per Second',
		name: 'callsPerSecond',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: DEFAULT_CALLS_PER_SECOND,
		description:
			'A fixed pace for starting calls, e.g. 2 for at most two new calls each second. 0 means no fixed pace: the node still slows down by itself when Samespace answers 429 Too Many Requests.',
	},
	callsOnRetry: {
		displayName: 'Place Calls When Retrying',
		name: 'callsOnRetry',
		type: 'boolean',
		default: false,
		description:
			'Whether to place calls when n8n retries a failed execution. Off: a retried execution places no call, because n8n runs the node again with all of its items and everyone accepted the first time would be phoned again.',
	},
	timeout: {
		displayName: 'Request Timeout (Seconds)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 1 },
		default: DEFAULT_TIMEOUT_SECONDS,
		description:
			'How long a call request may take, from sending to the last byte of the answer. A call that times out is never resent, because it may have been placed.',
	},
	retries: {
		displayName: 'Retries',
		name: 'retries',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: MAX_RETRIES },
		default: DEFAULT_RETRIES,
		description:
			'How often to retry a call that Samespace certainly did not place: when it answers 429 or 503, or when the connection could not be made. Nothing that may have placed a call is ever retried.',
	},
	validateOnly: {
		displayName: 'Validate Only',
		name: 'validateOnly',
		type: 'boolean',
		default: false,
		description:
			'Whether to only check the flow and output the request that would be sent (auth token masked), without placing any call',
	},
} satisfies Record<string, INodeProperties>;

/** How long the waiting operations wait for the call to report back. */
export const limitWaitTimeOption: INodeProperties = {
	displayName: 'Limit Wait Time',
	name: 'limitWaitTime',
	type: 'fixedCollection',
	description: `How long to wait for the call to report back before the node outputs a time-out (without this option: ${DEFAULT_WAIT_MINUTES} minutes). n8n checks waits about once a minute, so a time-out can come up to a minute late.`,
	default: {
		values: {
			limitType: 'afterTimeInterval',
			resumeAmount: DEFAULT_WAIT_MINUTES,
			resumeUnit: 'minutes',
		},
	},
	options: [
		{
			displayName: 'Values',
			name: 'values',
			values: [
				{
					displayName: 'Limit Type',
					name: 'limitType',
					type: 'options',
					default: 'afterTimeInterval',
					description: 'Wait for a time after the call is placed, or until a date and time',
					options: [
						{
							name: 'After Time Interval',
							description: 'Waits for a certain amount of time',
							value: 'afterTimeInterval',
						},
						{
							name: 'At Specified Time',
							description: 'Waits until the set date and time',
							value: 'atSpecifiedTime',
						},
					],
				},
				{
					displayName: 'Amount',
					name: 'resumeAmount',
					type: 'number',
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
					typeOptions: { minValue: 0.01, numberPrecision: 2 },
					default: DEFAULT_WAIT_MINUTES,
					description: 'The time to wait',
				},
				{
					displayName: 'Unit',
					name: 'resumeUnit',
					type: 'options',
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
					options: [
						{ name: 'Seconds', value: 'seconds' },
						{ name: 'Minutes', value: 'minutes' },
						{ name: 'Hours', value: 'hours' },
						{ name: 'Days', value: 'days' },
					],
					default: 'minutes',
					description: 'Unit of the interval value',
				},
				{
					displayName: 'Max Date and Time',
					name: 'maxDateAndTime',
					type: 'dateTime',
					displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
					default: '',
					description: 'Stop waiting at this date and time',
				},
			],
		},
	],
};

/** The Options collection of an operation, its options sorted by name as n8n's lint wants. */
export const optionsCollection = (options: INodeProperties[]): INodeProperties => ({
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [...options].sort((a, b) => a.displayName.localeCompare(b.displayName)),
});
