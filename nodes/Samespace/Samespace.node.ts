import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { samespaceProperties } from './SamespaceDescription';
import {
	acceptedCallItem,
	failedCallItem,
	invalidFlowError,
	invalidFlowItem,
	unshownAnswerItem,
} from './execute/output';
import { placeCalls, type PendingCall } from './execute/place-calls';
import { prepareItem, type ItemFlow, type PreparedCall, type RejectedCall } from './execute/prepare';
import { repeatedRunError } from './execute/repeat-guard';
import { readSendOptions } from './execute/send-options';
import { readConnection } from './transport/connection';
import { MASK, type Redact } from './transport/redact';
import { CREDENTIAL_TYPE } from './transport/send';

/** At most this many distinct warnings become execution hints; the rest are counted. */
const MAX_HINTS = 10;

export class Samespace implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Samespace',
		name: 'samespace',
		icon: { light: 'file:../../icons/samespace.svg', dark: 'file:../../icons/samespace.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["options"]["validateOnly"] ? "Validate call flow" : "Place call" }}',
		description:
			'Place a phone call through Samespace that plays a message, gathers digits, calls a web address and connects the person to an agent',
		defaults: { name: 'Samespace' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties: samespaceProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		// The credential is checked before anything else: a bad Base URL or token sends nothing.
		const connection = readConnection(await this.getCredentials(CREDENTIAL_TYPE));
		if (!connection.ok) throw new NodeOperationError(this.getNode(), connection.message, { description: connection.description });
		const { redact, endpoint: url } = connection;
		const continueOnFail = this.continueOnFail();
		const options = readSendOptions(this);

		// Every item is checked before the first call is placed, so a bad item never leaves
		// the list half-called.
		const prepared = items.map((_item, itemIndex) => readItem(this, itemIndex));
		const firstInvalid = prepared.findIndex((item) => !item.ok);
		if (firstInvalid >= 0 && !continueOnFail) {
			throw invalidFlowError(this.getNode(), firstInvalid, prepared[firstInvalid] as RejectedCall, redact);
		}
		addWarningHints(this, prepared, redact);

		const output: INodeExecutionData[] = new Array(items.length);
		const pending: PendingCall[] = [];
		prepared.forEach((item, itemIndex) => {
			if (!item.ok) output[itemIndex] = invalidFlowItem(itemIndex, item, redact);
			else if (options.validateOnly) output[itemIndex] = preview(itemIndex, url, connection.cloudId, item, redact);
			else pending.push({ itemIndex, call: item });
		});
		if (pending.length === 0) return [output];

		// n8n can run this node again with items it already sent (Retry of an execution, Retry On
		// Fail): refuse before anyone is called twice.
		const repeated = repeatedRunError(this, options, continueOnFail);
		if (repeated) throw repeated;

		const results = await placeCalls(this, pending, { url, options, continueOnFail, redact });
		results.forEach(({ outcome, attempts }, slot) => {
			const { itemIndex, call } = pending[slot];
			try {
				output[itemIndex] =
					outcome.kind === 'accepted'
						? acceptedCallItem(itemIndex, outcome.body, options.includeFlow ? { record: call.record, flow: call.flow } : undefined, redact)
						: failedCallItem(itemIndex, outcome, attempts, redact);
			} catch (error) {
				// The calls are placed: whatever went wrong while showing one answer, every item keeps its result.
				output[itemIndex] = unshownAnswerItem(itemIndex, outcome, error);
			}
		});
		return [output];
	}
}

function readItem(ctx: IExecuteFunctions, itemIndex: number): ItemFlow {
	try {
		return prepareItem(ctx, itemIndex);
	} catch (error) {
		// An expression that cannot be evaluated for this item, e.g. {{ $json.lead.phone }} on an item without a lead.
		const message = `a parameter could not be read: ${(error as Error).message}`;
		return { ok: false, message, description: `Nothing was sent for this item. Fix the expression: ${message}`, problems: [message], warnings: [] };
	}
}

function addWarningHints(ctx: IExecuteFunctions, prepared: ItemFlow[], redact: Redact) {
	const itemsByWarning = new Map<string, number[]>();
	prepared.forEach((item, itemIndex) => {
		if (!item.ok) return;
		for (const warning of item.warnings) {
			const list = itemsByWarning.get(warning) ?? [];
			list.push(itemIndex);
			itemsByWarning.set(warning, list);
		}
	});
	const hints = [...itemsByWarning].slice(0, MAX_HINTS).map(([warning, indexes]) => ({
		message: redact(
			`${indexes.length === prepared.length ? 'Every item' : indexes.length === 1 ? `Item ${indexes[0] + 1}` : `${indexes.length} items`}: ${warning}`,
		),
		location: 'outputPane' as const,
	}));
	if (itemsByWarning.size > MAX_HINTS)
		hints.push({ message: `${itemsByWarning.size - MAX_HINTS} more warnings: use the Validate Only option to see them all`, location: 'outputPane' });
	if (hints.length > 0) ctx.addExecutionHints(...hints);
}

function preview(itemIndex: number, url: string, cloudId: string, item: PreparedCall, redact: Redact): INodeExecutionData {
	return {
		json: redact({
			valid: true,
			sent: false,
			request: {
				method: 'POST',
				url,
				body: { cloud_id: cloudId, auth_token: MASK, record: item.record, flow: item.flow as unknown as IDataObject[] },
			},
			warnings: item.warnings,
		}),
		pairedItem: { item: itemIndex },
	};
}
