/**
 * The example workflows in `examples/`, made runnable by the engine harness: n8n-nodes-base is
 * not installed here, so each example's trigger node is replaced by a harness node that emits
 * the given items under the same name (expressions such as `$json.body.phone` keep working).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { IConnections, INode, INodeParameters } from 'n8n-workflow';

import { itemsNode } from './engine';

/** The package folder, found from here whether this runs from `dev/` (ts-jest) or `build/dev/`. */
export const REPO_ROOT = (() => {
	for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (
			existsSync(manifest) &&
			JSON.parse(readFileSync(manifest, 'utf8')).name === 'n8n-nodes-samespace'
		)
			return dir;
	}
	throw new Error(`n8n-nodes-samespace's package.json not found above ${__dirname}`);
})();
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

/** The Samespace node as a workflow holds it, for the engine tests and the bench. */
export function samespaceNode(parameters: INodeParameters, continueOnFail = false): INode {
	return {
		id: 'samespace-node',
		name: 'Samespace',
		type: 'n8n-nodes-samespace.samespace',
		typeVersion: 1,
		position: [200, 0],
		parameters,
		...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
}

export interface ExampleWorkflow {
	name: string;
	nodes: INode[];
	connections: IConnections;
}

export function loadExample(fileName: string): ExampleWorkflow {
	return JSON.parse(readFileSync(path.join(EXAMPLES_DIR, fileName), 'utf8')) as ExampleWorkflow;
}

/** The example with its trigger (the node nothing feeds) replaced by one that emits `items`. */
export function runnableExample(
	fileName: string,
	items: Array<Record<string, unknown>>,
): ExampleWorkflow {
	const example = loadExample(fileName);
	const fed = new Set(
		Object.values(example.connections).flatMap((outputs) =>
			Object.values(outputs).flatMap((lists) =>
				(lists ?? []).flatMap((list) => (list ?? []).map((c) => c.node)),
			),
		),
	);
	const nodes = example.nodes.map((node) =>
		fed.has(node.name) ? node : itemsNode(node.name, items, node.position as [number, number]),
	);
	return { ...example, nodes };
}
