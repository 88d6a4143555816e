/**
 * Parameters the Voice API operations share: a phone number, name-value data (fields or JSON)
 * and their sending options.
 */
import type { INodeProperties } from 'n8n-workflow';

import type { DataInput } from '../voice/requests';
import { optionsCollection, sendOptions } from './callFlow/flow.descriptions';

export const phoneNumberProperty = (description: string): INodeProperties => ({
	displayName: 'Phone Number',
	name: 'phoneNumber',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 14155550123',
	description: `${description}, country code first (spaces, dashes, brackets and a leading + are removed)`,
});

/**
 * Name-value data, as fields or as JSON: `name` is the parameter's name (`leadData`), `label` what
 * the editor shows ("Lead Data").
 */
export function dataProperties(
	name: string,
	label: string,
	description: string,
): INodeProperties[] {
	return [
		{
			displayName: `Specify ${label}`,
			name: `${name}Mode`,
			type: 'options',
			options: [
				{ name: 'Using Fields Below', value: 'fields' },
				{ name: 'Using JSON', value: 'json' },
			],
			default: 'fields',
		},
		{
			displayName: label,
			name: `${name}Fields`,
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Field',
			default: {},
			description,
			displayOptions: { show: { [`${name}Mode`]: ['fields'] } },
			options: [
				{
					displayName: 'Field',
					name: 'field',
					values: [
						{
							displayName: 'Name',
							name: 'name',
							type: 'string',
							default: '',
							placeholder: 'e.g. email',
						},
						{ displayName: 'Value', name: 'value', type: 'string', default: '' },
					],
				},
			],
		},
		{
			displayName: `${label} (JSON)`,
			name: `${name}Json`,
			type: 'json',
			default: '{}',
			description: `${description}, as a JSON object of names and values`,
			displayOptions: { show: { [`${name}Mode`]: ['json'] } },
		},
	];
}

/** The data parameters of item `itemIndex`, as the request builders take them. */
export function readDataInput(
	getNodeParameter: (name: string, itemIndex: number, fallback: unknown) => unknown,
	name: string,
	itemIndex: number,
): DataInput {
	if (getNodeParameter(`${name}Mode`, itemIndex, 'fields') === 'json')
		return { mode: 'json', json: getNodeParameter(`${name}Json`, itemIndex, '{}') };
	const fields = getNodeParameter(`${name}Fields.field`, itemIndex, []) as Array<{
		name?: unknown;
		value?: unknown;
	}>;
	return { mode: 'fields', fields: Array.isArray(fields) ? fields : [] };
}

/** The sending options of a Voice API operation, with its own `extra` ones, sorted by name. */
export const voiceOptionsWith = (...extra: INodeProperties[]): INodeProperties =>
	optionsCollection(
		[
			sendOptions.concurrency,
			sendOptions.maxRetryWait,
			sendOptions.callsPerSecond,
			sendOptions.timeout,
			sendOptions.retries,
			sendOptions.validateOnly,
			...extra,
		].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	);
