/**
 * Runs a workflow through n8n's REAL execution engine (n8n-core's `WorkflowExecute`), with a
 * built community package loaded the way n8n loads it (`PackageDirectoryLoader.loadAll()`).
 *
 * Used by the engine tests and the `npm start` demo. Nothing here is shipped in the package.
 *
 *   const { outputs, error, logs } = await runWorkflow({
 *     packageDir: repoRoot,                       // after `npm run build`
 *     nodes: [
 *       itemsNode('CRM', [{ phone: '+15550100' }]),
 *       { name: 'Samespace', type: 'n8n-nodes-samespace.samespace', typeVersion: 1, ... },
 *     ],
 *     connections: chain('CRM', 'Samespace'),
 *     credentials: { samespaceApi: { ... } },
 *   });
 *
 * What matches n8n: node types are addressed as `<package name>.<node name>`; the run is a
 * manual full execution (`new WorkflowExecute(additionalData, 'manual').run({ workflow })`,
 * which is what n8n's ManualExecutionService does for "Execute workflow" without pin/run
 * data), workflow settings `executionOrder: 'v1'` (n8n's default for new workflows); the
 * engine's own parameter-issue check runs first; credentials get the credential type's
 * defaults and generic `authenticate` applied as n8n's CredentialsHelper does; the stop
 * button is `PCancelable.cancel()`.
 *
 * Differences from a full n8n instance: no database, no sub-workflows, no task runner (Code
 * node), no external secrets, no credential overwrites, no OAuth, pre-authentication or
 * credential types that extend others (refused with an error); credential data given as a plain
 * object per credential *type*, attached automatically to every node that declares that
 * credential type (as n8n's editor does when one credential of the type exists).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as N8nCore from 'n8n-core';
import {
	ICredentialsHelper,
	NodeHelpers,
	NodeConnectionTypes,
	LoggerProxy,
	UserError,
	Workflow,
	isExpression,
} from 'n8n-workflow';
import type {
	ExecutionStatus,
	ICredentialDataDecryptedObject,
	ICredentialsExpressionResolveValues,
	ICredentialType,
	IConnections,
	IExecuteData,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IRunData,
	ITriggerFunctions,
	ITriggerResponse,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	Logger,
	LogMetadata,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { WaitingExecution } from './waiting';

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export interface RunWorkflowOptions {
	/** Package folder to load: a folder with a package.json whose `n8n` section lists built
	 * `dist/...js` nodes and credentials (our repo root after `npm run build`). Loaded once per
	 * process and folder (a rebuild during the same process is not picked up). */
	packageDir: string;
	/** Workflow nodes. Package nodes are `<package name>.<node name>` (e.g.
	 * `n8n-nodes-samespace.samespace`); the harness adds `harness.items` and `harness.noOp`
	 * (see {@link HARNESS_ITEMS_NODE_TYPE}). The start node is picked as n8n does: the trigger. */
	nodes: INode[];
	connections: IConnections;
	/** Credential data per credential type name, e.g. `{ samespaceApi: { token: '...' } }`. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Aborting it stops the execution as n8n's "stop" button does: the engine's abort signal
	 * (`this.getExecutionCancelSignal()`, also passed to `httpRequest*` helpers) fires, no
	 * further node starts, and the run resolves with status `canceled` once the running node
	 * returns. */
	signal?: AbortSignal;
	/** The execution's mode, `manual` by default; `retry` is what n8n's Retry of a failed
	 * execution runs in (`this.getMode()`). */
	mode?: WorkflowExecuteMode;
	/** n8n's `webhookWaitingBaseUrl` (the start of `$execution.resumeUrl`); default
	 * `http://localhost:5678/webhook-waiting`. Point it at a `WaitingWebhookServer` to let
	 * something outside call a waiting execution back. */
	webhookWaitingBaseUrl?: string;
	/** Called with each log call as it happens (the result's `logEntries` only come at the end):
	 * to see what a run had logged at a given moment while it is still going. */
	onLog?: (entry: LogEntry) => void;
}

export interface WorkflowRunError {
	message: string;
	description?: string;
	/** The node the error came from, if any (the engine sets it for node errors). */
	nodeName?: string;
	/** The error as the engine recorded it in `resultData.error` (for node errors a plain
	 * copy of the thrown error's own properties, not an Error instance), or the thrown error
	 * if the engine refused to start (e.g. `WorkflowHasIssuesError`). */
	raw: unknown;
}

export interface WorkflowRunResult {
	/** Main output 0 of each executed node's last run. */
	outputs: Record<string, INodeExecutionData[]>;
	/** The execution error, if the execution failed or was canceled (on cancel: the error the
	 * running node threw when its request was aborted, or n8n's "The execution was cancelled
	 * manually"). A node with "continue on fail" (`onError: 'continueRegularOutput'`) that
	 * throws has its error in `runData[node][i].error` and its INPUT items forwarded as its
	 * output; engine quirk: if it was the last node to run, its error is still reported here
	 * with status `error`. */
	error?: WorkflowRunError;
	/** The engine's final status: `success`, `error`, `canceled`, `waiting`, ... */
	status: ExecutionStatus;
	/** Everything n8n's loggers (LoggerProxy and n8n-core's DI `Logger`, which also receives
	 * the ErrorReporter's reports) were asked to log during this run, one string per call:
	 * `<level> <message> <metadata as JSON>`. Errors in metadata are serialized with all
	 * their own properties. */
	logs: string[];
	/** The same calls, structured: level, message and the metadata as it serializes (a JSON copy). */
	logEntries: LogEntry[];
	/** The execution's id (`this.getExecutionId()`) and its workflow's id (`this.getWorkflow().id`). */
	executionId: string;
	workflowId: string;
	/** Execution hints per executed node (`this.addExecutionHints(...)`), all runs merged.
	 * The engine only keeps the hints of a node run that returned: a node that throws loses
	 * its hints. */
	hints: Record<string, unknown[]>;
	/** Full run data, for anything else. */
	runData: IRunData;
	/** When `status` is `waiting`: the execution, to be resumed as n8n resumes it (see dev/waiting.ts). */
	waiting?: WaitingExecution;
	/** How many times the run read (and, in n8n, decrypted) a credential: `getDecrypted` calls. */
	credentialReads: number;
}

/** One call to n8n's loggers during a run. */
export interface LogEntry {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	metadata: Record<string, unknown>;
}

/** What one run's log capture collects. */
interface LogCapture {
	lines: string[];
	entries: LogEntry[];
	onLog?: (entry: LogEntry) => void;
}

/** Built-in trigger node: outputs its `items` parameter (an array of JSON objects, or a JSON
 * string of one) as items, like a Manual Trigger followed by a Set node. */
export const HARNESS_ITEMS_NODE_TYPE = 'harness.items';
/** Built-in pass-through node: outputs its input items unchanged. */
export const HARNESS_NOOP_NODE_TYPE = 'harness.noOp';

/** A `harness.items` node holding `items`. */
export function itemsNode(
	name: string,
	items: Array<Record<string, unknown>>,
	position: [number, number] = [0, 0],
): INode {
	return {
		id: randomUUID(),
		name,
		type: HARNESS_ITEMS_NODE_TYPE,
		typeVersion: 1,
		position,
		parameters: { items: JSON.stringify(items) },
	};
}

/** Connections for a straight chain `a -> b -> c` on main output 0. */
export function chain(...nodeNames: string[]): IConnections {
	const connections: IConnections = {};
	for (let i = 0; i + 1 < nodeNames.length; i++) {
		connections[nodeNames[i]] = {
			main: [[{ node: nodeNames[i + 1], type: NodeConnectionTypes.Main, index: 0 }]],
		};
	}
	return connections;
}

/**
 * Runs the workflow once, as a manual execution, and returns what the engine produced.
 * Never rejects for errors of the workflow itself (they are in `error`); rejects only if the
 * package cannot be loaded. After `signal` aborts, resolves once the running node returns (a
 * node that ignores `this.getExecutionCancelSignal()` keeps the run open, as in n8n).
 * The first call in a process loads n8n-core and the package (~1 s); later runs of a small
 * workflow take a few milliseconds.
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRunResult> {
	const logs: LogCapture = { lines: [], entries: [], onLog: options.onLog };
	return await logSink.run(logs, async () => {
		const core = loadN8nCore();
		installCapturingLogger(core);
		const pkg = await loadPackage(core, options.packageDir);
		return await execute(core, pkg, options, logs);
	});
}

/** What n8n's loader made of a package: the node and credential types n8n serves to its editor. */
export interface LoadedTypes {
	packageName: string;
	/** Every node type's description, one per version, as `loader.types.nodes` holds them. */
	nodes: INodeTypeDescription[];
	/** Every credential type, as `loader.types.credentials` holds them. */
	credentials: ICredentialType[];
}

/**
 * The package's types as n8n's `PackageDirectoryLoader.loadAll()` produced them: the same loaded
 * package (and the same objects) the runs use. Not the tool variants (`<node>Tool`,
 * `<node>HitlTool`): n8n's CLI generates those from these descriptions after loading.
 */
export async function loadedTypes(packageDir: string): Promise<LoadedTypes> {
	const core = loadN8nCore();
	installCapturingLogger(core);
	const { packageName, loader } = await loadPackage(core, packageDir);
	return { packageName, nodes: loader.types.nodes, credentials: loader.types.credentials };
}

// ---------------------------------------------------------------------------------------------
// n8n-core, loaded lazily so that N8N_USER_FOLDER is set before any of its code runs
// ---------------------------------------------------------------------------------------------

interface Core {
	core: typeof N8nCore;
	/** n8n-core's own DI container (n8n-core ships its own copy of @n8n/di). */
	Container: {
		get<T>(token: abstract new (...args: never[]) => T): T;
		set<T>(token: abstract new (...args: never[]) => T, instance: T): void;
	};
	/** The `Logger` class n8n-core resolves from its container (@n8n/backend-common). */
	LoggerToken: abstract new (...args: never[]) => Logger;
}

function loadN8nCore(): Core {
	if (!process.env.N8N_USER_FOLDER) {
		// The engine writes an encryption key to $N8N_USER_FOLDER/.n8n/config on first use
		// (default: the home folder). Removed at process exit; under jest, whose sandboxed
		// `process` never emits 'exit', it stays behind unless the test sets its own folder.
		const folder = mkdtempSync(path.join(tmpdir(), 'n8n-harness-'));
		process.env.N8N_USER_FOLDER = folder;
		process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
	}
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const core = require('n8n-core') as typeof N8nCore;
	// Resolve DI and Logger through n8n-core: it has its own nested copies of @n8n/di and
	// @n8n/backend-common, distinct from the hoisted ones other dev tools pull in.
	const coreRequire = createRequire(require.resolve('n8n-core'));
	const { Container } = coreRequire('@n8n/di') as { Container: Core['Container'] };
	const { Logger: LoggerToken } = coreRequire('@n8n/backend-common') as {
		Logger: Core['LoggerToken'];
	};
	return { core, Container, LoggerToken };
}

// ---------------------------------------------------------------------------------------------
// Logging: one global capturing logger; each run's calls go to that run's array
// ---------------------------------------------------------------------------------------------

/** Routes log calls to the capture of the run they happen in (async context). */
const logSink = new AsyncLocalStorage<LogCapture>();

function installCapturingLogger({ Container, LoggerToken }: Core): void {
	const write =
		(level: LogEntry['level']) =>
		(message: string, metadata?: LogMetadata): void => {
			const capture = logSink.getStore();
			if (!capture) return;
			const json = metadata && Object.keys(metadata).length > 0 ? serialize(metadata) : undefined;
			capture.lines.push(`${level} ${message}${json ? ` ${json}` : ''}`);
			const entry: LogEntry = { level, message, metadata: json ? parsed(json) : {} };
			capture.entries.push(entry);
			capture.onLog?.(entry);
		};
	const logger = {
		error: write('error'),
		warn: write('warn'),
		info: write('info'),
		debug: write('debug'),
		scoped: () => logger,
	};
	LoggerProxy.init(logger);
	// Everything in n8n-core that logs asks the container for `Logger` (loader, ErrorReporter,
	// node contexts' `this.logger`). Set it before anything constructs the real one (which
	// would also re-point LoggerProxy at itself and print to the console).
	Container.set(LoggerToken, logger as unknown as Logger);
}

function parsed(json: string): Record<string, unknown> {
	try {
		return JSON.parse(json) as Record<string, unknown>;
	} catch {
		return { unserializable: json };
	}
}

/** JSON with cycles cut and errors expanded to all their own properties. */
function serialize(value: unknown): string {
	const seen = new WeakSet<object>();
	try {
		return JSON.stringify(value, (_key, v: unknown) => {
			if (typeof v === 'bigint') return v.toString();
			if (typeof v === 'function') return `[Function ${v.name}]`;
			if (v !== null && typeof v === 'object') {
				if (seen.has(v)) return '[Circular]';
				seen.add(v);
				if (v instanceof Error) {
					const out: Record<string, unknown> = { name: v.name, message: v.message };
					for (const k of Object.getOwnPropertyNames(v))
						out[k] = (v as unknown as Record<string, unknown>)[k];
					return out;
				}
			}
			return v;
		});
	} catch (e) {
		return `[unserializable: ${(e as Error).message}]`;
	}
}

// ---------------------------------------------------------------------------------------------
// Package loading (the only cache: loading is slow)
// ---------------------------------------------------------------------------------------------

interface LoadedPackage {
	packageName: string;
	loader: N8nCore.PackageDirectoryLoader;
}

const packageCache = new Map<string, Promise<LoadedPackage>>();

async function loadPackage({ core }: Core, packageDir: string): Promise<LoadedPackage> {
	const key = realpathSync(packageDir);
	let pending = packageCache.get(key);
	if (!pending) {
		pending = (async () => {
			const loader = new core.PackageDirectoryLoader(key);
			await loader.loadAll();
			return { packageName: loader.packageName, loader };
		})();
		packageCache.set(key, pending);
		pending.catch(() => packageCache.delete(key));
	}
	return await pending;
}

// ---------------------------------------------------------------------------------------------
// Node types: the package's nodes plus the harness's built-ins
// ---------------------------------------------------------------------------------------------

const harnessItemsNode: INodeType = {
	description: {
		displayName: 'Harness Items',
		name: HARNESS_ITEMS_NODE_TYPE,
		group: ['trigger'],
		version: 1,
		description: 'Outputs the given items (test harness)',
		defaults: { name: 'Items' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Items',
				name: 'items',
				type: 'json',
				default: '[]',
				description: 'Array of JSON objects, one per output item',
			},
		],
	},
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const manualTriggerFunction = async () => {
			this.emit([this.helpers.returnJsonArray(harnessItems(this.getNodeParameter('items')))]);
		};
		return { manualTriggerFunction };
	},
	// The engine runs `execute` when a node has one, in every mode: in a mode other than `manual`
	// (a `retry`, say) a trigger would only pass its empty input on.
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.helpers.returnJsonArray(harnessItems(this.getNodeParameter('items', 0)))];
	},
};

function harnessItems(raw: unknown): Array<Record<string, never>> {
	const items = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
	if (!Array.isArray(items)) throw new UserError('harness.items: "items" must be an array');
	return items as Array<Record<string, never>>;
}

const harnessNoOpNode: INodeType = {
	description: {
		displayName: 'Harness No Op',
		name: HARNESS_NOOP_NODE_TYPE,
		group: ['transform'],
		version: 1,
		description: 'Passes items through (test harness)',
		defaults: { name: 'No Op' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	},
};

class HarnessNodeTypes implements INodeTypes {
	constructor(private readonly pkg: LoadedPackage) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		if (nodeType === HARNESS_ITEMS_NODE_TYPE) return harnessItemsNode;
		if (nodeType === HARNESS_NOOP_NODE_TYPE) return harnessNoOpNode;
		const prefix = `${this.pkg.packageName}.`;
		if (nodeType.startsWith(prefix)) {
			// n8n's CLI generates `<node>HitlTool` (an AI Agent's human review) from a node with a
			// send-and-wait operation; its execute is the node's own, run with the tool call as input.
			return this.pkg.loader.getNode(nodeType.slice(prefix.length).replace(/HitlTool$/, '')).type;
		}
		throw new UserError(
			`Unrecognized node type: ${nodeType} (known: ${HARNESS_ITEMS_NODE_TYPE}, ${HARNESS_NOOP_NODE_TYPE}, ` +
				`${this.pkg.loader.loadedNodes.map((n) => prefix + n.name).join(', ')})`,
		);
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes() {
		return {};
	}
}

// ---------------------------------------------------------------------------------------------
// Credentials: given data per type; defaults, expressions and `authenticate` as n8n applies them
// ---------------------------------------------------------------------------------------------

class HarnessCredentialsHelper extends ICredentialsHelper {
	/** `getDecrypted` calls so far. */
	reads = 0;

	constructor(
		private readonly core: Core,
		private readonly pkg: LoadedPackage,
		/** Per-run copy: `updateCredentials` writes here. */
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
	}

	private credentialType(typeName: string): ICredentialType {
		return this.pkg.loader.getCredential(typeName).type;
	}

	/** No parent types: the package's credential extends none (getCredentialsProperties refuses one that does). */
	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		let type: ICredentialType;
		try {
			type = this.credentialType(credentialType);
		} catch {
			return true;
		}
		if (!type.restrictToSupportedNodes) return true;
		return (type.supportedNodes ?? []).some((n) => `${this.pkg.packageName}.${n}` === nodeType);
	}

	/** Same algorithm as n8n's CredentialsHelper.authenticate (packages/cli). */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions as IHttpRequestOptions;
		const { authenticate } = this.credentialType(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions);
		}
		if (authenticate && typeof authenticate === 'object') {
			if (!workflow || !node) {
				throw new UserError(
					'Workflow and node are required for declarative credential authentication',
				);
			}
			requestOptions.headers ??= {};
			if (authenticate.type === 'generic') {
				const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
				for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
					for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
						const resolvedKey = resolveCredentialValue(key, credentials, workflow, node);
						const resolvedValue = resolveCredentialValue(value, credentials, workflow, node);
						target[outerKey] ??= {};
						target[outerKey][resolvedKey] = resolvedValue;
					}
				}
			}
		}
		return requestOptions;
	}

	/** Pre-authentication (a token fetched before requests) is not emulated: refused if a type has it. */
	async preAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<undefined> {
		if (this.credentialType(typeName).preAuthentication)
			throw new UserError(`${typeName}: preAuthentication is not supported by the test harness`);
		return undefined;
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<undefined> {
		return await this.preAuthentication(helpers, credentials, typeName);
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string) {
		const credentials = new this.core.core.Credentials(nodeCredentials, type);
		await credentials.setData(this.stored(nodeCredentials, type));
		return credentials;
	}

	/** Like n8n: stored data, plus the credential type's defaults, with expressions resolved. */
	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		this.reads++;
		const stored = this.stored(nodeCredentials, type);
		if (raw === true) return stored;
		let data = NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			stored as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (expressionResolveValues) {
			const v = expressionResolveValues;
			const { getAdditionalKeys } = this.core.core;
			try {
				data = v.workflow.expression.getParameterValue(
					data as INodeParameters,
					v.runExecutionData,
					v.runIndex,
					v.itemIndex,
					v.node.name,
					v.connectionInputData,
					mode,
					getAdditionalKeys(additionalData, mode, null, { isCredential: true }),
					executeData,
					false,
					data,
				) as ICredentialDataDecryptedObject;
			} catch (e) {
				(e as Error).message += ' [Error resolving credentials]';
				throw e;
			}
		}
		return data;
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.data[type] = { ...data };
	}

	async updateCredentialsOauthTokenData(): Promise<void> {
		throw new UserError('OAuth credentials are not supported by the test harness');
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.credentialType(type);
		if (credentialType.extends?.length)
			throw new UserError(
				`${type}: credential types that extend others are not supported by the test harness`,
			);
		return credentialType.properties;
	}

	private stored(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): ICredentialDataDecryptedObject {
		const data = this.data[type];
		if (data === undefined) {
			throw new UserError(
				`Credential with ID "${nodeCredentials.id}" does not exist for type "${type}" ` +
					'(harness: no data given for this credential type in `credentials`).',
			);
		}
		return structuredClone(data);
	}
}

function resolveCredentialValue(
	value: string,
	credentials: ICredentialDataDecryptedObject,
	workflow: Workflow,
	node: INode,
): string {
	if (!isExpression(value)) return value;
	const resolved = workflow.expression.getSimpleParameterValue(
		node,
		value,
		'internal',
		{ $credentials: credentials },
		undefined,
		'',
	);
	return resolved ? String(resolved) : '';
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

async function execute(
	core: Core,
	pkg: LoadedPackage,
	options: RunWorkflowOptions,
	logs: LogCapture,
): Promise<WorkflowRunResult> {
	const nodeTypes = new HarnessNodeTypes(pkg);
	const credentialData = structuredClone(options.credentials ?? {});
	const nodes = attachCredentials(structuredClone(options.nodes), nodeTypes, credentialData);
	const workflowId = `harness-${randomUUID()}`;
	const executionId = randomUUID();
	const ids = { executionId, workflowId };
	const settings = { executionOrder: 'v1' } as const;

	let workflow: Workflow;
	try {
		// Throws for an unknown node type, as in n8n.
		workflow = new Workflow({
			id: workflowId,
			name: 'Harness workflow',
			nodes,
			connections: options.connections,
			active: false,
			nodeTypes,
			settings,
		});
	} catch (error) {
		return refused(error, logs, ids);
	}
	const now = new Date();
	const workflowData: IWorkflowBase = {
		id: workflowId,
		name: 'Harness workflow',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: now,
		updatedAt: now,
		nodes,
		connections: options.connections,
		settings,
	};
	const mode = options.mode ?? 'manual';
	const credentialsHelper = new HarnessCredentialsHelper(core, pkg, credentialData);
	const newAdditionalData = (executionMode: WorkflowExecuteMode) =>
		createAdditionalData(
			executionId,
			workflowId,
			new core.core.ExecutionLifecycleHooks(executionMode, executionId, workflowData),
			credentialsHelper,
			options.webhookWaitingBaseUrl,
		);
	const additionalData = newAdditionalData(mode);

	let run: IRun;
	const workflowExecute = new core.core.WorkflowExecute(additionalData, mode);
	let execution: ReturnType<typeof workflowExecute.run>;
	try {
		// Throws synchronously when the engine refuses to start (no start node, parameter issues).
		execution = workflowExecute.run({ workflow });
	} catch (error) {
		return refused(error, logs, ids);
	}
	const cancel = () => execution.cancel();
	options.signal?.addEventListener('abort', cancel, { once: true });
	try {
		if (options.signal?.aborted) cancel();
		run = await execution;
	} finally {
		options.signal?.removeEventListener('abort', cancel);
	}

	const result = resultOf(run, logs, ids);
	result.credentialReads = credentialsHelper.reads;
	if (run.status === 'waiting') {
		result.waiting = new WaitingExecution(
			{
				core: core.core,
				workflow,
				executionId,
				newAdditionalData,
				resultOf: (later) => resultOf(later, logs, ids),
				run: (fn) => logSink.run(logs, fn),
				hmacSecret: () => core.Container.get(core.core.InstanceSettings).hmacSignatureSecret,
			},
			run.data,
		);
	}
	return result;
}

interface RunIds {
	executionId: string;
	workflowId: string;
}

function resultOf(run: IRun, logs: LogCapture, ids: RunIds): WorkflowRunResult {
	const { runData, error } = run.data.resultData;
	const outputs: Record<string, INodeExecutionData[]> = {};
	const hints: Record<string, unknown[]> = {};
	for (const [nodeName, taskDataList] of Object.entries(runData)) {
		const last = taskDataList.at(-1);
		const main = last?.data?.main?.[0];
		if (main) outputs[nodeName] = main;
		hints[nodeName] = taskDataList.flatMap((t) => t.hints ?? []);
	}
	return {
		outputs,
		error: error ? toRunError(error, run.data.resultData.lastNodeExecuted) : undefined,
		status: run.status,
		logs: logs.lines,
		logEntries: logs.entries,
		...ids,
		hints,
		runData,
		credentialReads: 0,
	};
}

/** Gives every node that declares a credential type with data in `credentials` a reference
 * to it (n8n's editor does this when a credential of the type exists). */
function attachCredentials(
	nodes: INode[],
	nodeTypes: INodeTypes,
	credentials: Record<string, ICredentialDataDecryptedObject>,
): INode[] {
	for (const node of nodes) {
		let declared: string[] = [];
		try {
			declared = (
				nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description.credentials ?? []
			).map((c) => c.name);
		} catch {
			continue; // unknown type: the engine reports it
		}
		for (const type of declared) {
			if (credentials[type] === undefined || node.credentials?.[type]) continue;
			node.credentials = {
				...node.credentials,
				[type]: { id: `harness-${type}`, name: `${type} (harness)` },
			};
		}
	}
	return nodes;
}

function createAdditionalData(
	executionId: string,
	workflowId: string,
	hooks: N8nCore.ExecutionLifecycleHooks,
	credentialsHelper: ICredentialsHelper,
	webhookWaitingBaseUrl = 'http://localhost:5678/webhook-waiting',
): IWorkflowExecuteAdditionalData {
	const unsupported = (what: string) => async (): Promise<never> => {
		throw new UserError(`${what} is not supported by the test harness`);
	};
	const base = 'http://localhost:5678';
	return {
		credentialsHelper,
		hooks,
		executionId,
		workflowId,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		variables: {},
		executeWorkflow: unsupported('Executing sub-workflows'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: unsupported('The task runner (Code node)'),
		// No external secrets provider: `$secrets` is empty.
		externalSecretsProxy: {
			getSecret: () => undefined,
			hasSecret: () => false,
			hasProvider: () => false,
			listProviders: () => [],
			listSecrets: () => [],
		} as unknown as IWorkflowExecuteAdditionalData['externalSecretsProxy'],
	};
}

/** Result for a workflow the engine refused to start. */
function refused(error: unknown, logs: LogCapture, ids: RunIds): WorkflowRunResult {
	return {
		outputs: {},
		error: toRunError(error),
		status: 'error',
		logs: logs.lines,
		logEntries: logs.entries,
		...ids,
		hints: {},
		runData: {},
		credentialReads: 0,
	};
}

function toRunError(error: unknown, lastNodeExecuted?: string): WorkflowRunError {
	const e = (error ?? {}) as {
		message?: unknown;
		description?: unknown;
		node?: { name?: unknown };
	};
	const nodeName = typeof e.node?.name === 'string' ? e.node.name : lastNodeExecuted;
	return {
		message: typeof e.message === 'string' ? e.message : String(error),
		...(typeof e.description === 'string' && e.description ? { description: e.description } : {}),
		...(nodeName ? { nodeName } : {}),
		raw: error,
	};
}
