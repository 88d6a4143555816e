import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { SAMESPACE_DEFAULT_BASE_URL } from '../../credentials/SamespaceApi.credentials';
import { samespaceProperties } from './SamespaceDescription';
import {
	acceptedCallItem,
	cancelledRunError,
	failedCallItem,
	invalidFlowError,
	invalidFlowItem,
	makeRedactor,
	MASK,
	stoppedRunError,
	type Redact,
} from './execute/output';
import { prepareItem, type ItemFlow } from './execute/prepare';
import { readSendOptions, type SendOptions } from './execute/send-options';
import { dispatch } from './transport/dispatch';
import type { Outcome } from './transport/outcome';
import { withRetries, type RetryResult } from './transport/retry';
import { CREDENTIAL_TYPE, sendOnce, type CallRequest } from './transport/send';
import { waitUnlessStopped } from './transport/wait';

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
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		const redact = makeRedactor(String(credentials.authToken ?? ''));
		const continueOnFail = this.continueOnFail();
		const options = readSendOptions(this);
		const url = `${String(credentials.baseUrl || SAMESPACE_DEFAULT_BASE_URL).trim().replace(/\/+$/, '')}/call/flow`;

		// Every item is checked before the first call is placed, so a bad item never leaves
		// the list half-called.
		const prepared = items.map((_item, itemIndex) => readItem(this, itemIndex));
		const firstInvalid = prepared.findIndex((item) => !item.ok);
		if (firstInvalid >= 0 && !continueOnFail) {
			throw invalidFlowError(this.getNode(), firstInvalid, prepared[firstInvalid] as Extract<ItemFlow, { ok: false }>, redact);
		}
		addWarningHints(this, prepared, redact);

		const output: INodeExecutionData[] = new Array(items.length);
		const toSend: number[] = [];
		prepared.forEach((item, itemIndex) => {
			if (!item.ok) output[itemIndex] = invalidFlowItem(itemIndex, item, redact);
			else if (options.validateOnly) output[itemIndex] = preview(itemIndex, url, String(credentials.cloudId ?? ''), item, redact);
			else toSend.push(itemIndex);
		});
		if (toSend.length > 0) await sendAll(this, toSend, prepared, url, options, continueOnFail, redact, output);
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

function preview(itemIndex: number, url: string, cloudId: string, item: Extract<ItemFlow, { ok: true }>, redact: Redact): INodeExecutionData {
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

async function sendAll(
	ctx: IExecuteFunctions,
	toSend: number[],
	prepared: ItemFlow[],
	url: string,
	options: SendOptions,
	continueOnFail: boolean,
	redact: Redact,
	output: INodeExecutionData[],
) {
	const signal = ctx.getExecutionCancelSignal();
	const wait = (ms: number) => waitUnlessStopped(ms, signal);
	const policy = { maxRetries: options.retries, maxWaitMs: options.maxRetryWaitMs, baseDelayMs: 1000 };

	const callItem = async (slot: number): Promise<RetryResult> => {
		const item = prepared[toSend[slot]] as Extract<ItemFlow, { ok: true }>;
		const request: CallRequest = { url, record: item.record, flow: item.flow };
		try {
			return await withRetries(() => sendOnce(ctx, request, options.timeoutMs), policy, wait);
		} catch (error) {
			// Nothing above should throw; if something does, treat the call as possibly placed.
			const outcome: Outcome = {
				kind: 'uncertain',
				retryable: false,
				message: `Unexpected error while sending: ${(error as Error).message}`,
				description: 'The call may have been placed: check in Samespace before you send this item again.',
			};
			return { outcome, attempts: 1 };
		}
	};

	const run = await dispatch(toSend.length, callItem, (result) => result.outcome.kind !== 'accepted', {
		concurrency: options.concurrency,
		minIntervalMs: options.minIntervalMs,
		stopOnFailure: !continueOnFail,
		signal,
	}, wait);

	const summary = {
		accepted: toSend.filter((_itemIndex, slot) => run.results[slot]?.outcome.kind === 'accepted'),
		notStarted: toSend.filter((_itemIndex, slot) => run.results[slot] === undefined),
	};
	if (run.cancelled) throw cancelledRunError(ctx.getNode(), summary);
	if (run.stoppedAt !== undefined) {
		const failed = run.results[run.stoppedAt] as RetryResult;
		if (failed.outcome.kind !== 'accepted') throw stoppedRunError(ctx.getNode(), toSend[run.stoppedAt], failed.outcome, summary, redact);
	}

	run.results.forEach((result, slot) => {
		const itemIndex = toSend[slot];
		if (!result) throw new NodeOperationError(ctx.getNode(), `Item ${itemIndex + 1} was not sent`, { itemIndex });
		const item = prepared[itemIndex] as Extract<ItemFlow, { ok: true }>;
		output[itemIndex] =
			result.outcome.kind === 'accepted'
				? acceptedCallItem(itemIndex, result.outcome.body, options.includeFlow ? { record: item.record, flow: item.flow } : undefined, redact)
				: failedCallItem(itemIndex, result.outcome, result.attempts, redact);
	});
}
