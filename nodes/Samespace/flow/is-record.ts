/** An object that is not a list (nor null): a JSON object as parsed, or an n8n item's data. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
