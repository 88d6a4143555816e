/**
 * The node's parameter list (nodes/Samespace/actions/versionDescription.ts) as n8n's editor and
 * tool generation read it. n8n puts the credential after the first callout shown, and builds the
 * AI tool (`samespaceTool`) by inserting Tool Description after the last callout of the whole list
 * (n8n's tool-generation/ai-tools.js, 2.41.1; load-nodes-and-credentials.js, 1.123): a callout
 * among an operation's parameters would split the form and push Tool Description to the bottom.
 */
import { properties } from '../../../nodes/Samespace/actions/versionDescription';

const indexOf = (name: string) => properties.findIndex((property) => property.name === name);
const lastCallout = properties.reduce(
	(last, property, index) => (property.type === 'callout' ? index : last),
	-1,
);

test('the callouts come right after the operation selectors, before every operation parameter', () => {
	const selectors = properties.filter((p) => p.name === 'resource' || p.name === 'operation');
	const firstCallout = properties.findIndex((property) => property.type === 'callout');
	expect(firstCallout).toBe(selectors.length);
	expect(properties.slice(firstCallout, lastCallout + 1).every((p) => p.type === 'callout')).toBe(
		true,
	);
	expect(lastCallout).toBeLessThan(indexOf('source'));
	expect(lastCallout).toBeLessThan(indexOf('steps'));
});
