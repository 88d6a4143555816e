/**
 * zod's v4 API (`zod/v4`), taken from the zod n8n ships: the package has no runtime dependencies,
 * so `zod` resolves to n8n's own copy. n8n 1.100 and later ship zod 3.25, which has the `zod/v4`
 * entry point (1.123.81: 3.25.67; 2.41.1: 3.25.76). Older n8n ships zod 3.24 (n8n 1.99.1: 3.24.1),
 * which has none: a plain import would stop the package from loading with only "Package subpath
 * './v4' is not defined" in n8n's log. Loaded here, so that the error says what is wrong and
 * what to do.
 */
import type * as ZodV4 from 'zod/v4';

// CommonJS `require` (the build compiles without Node's types).
declare function require(id: string): unknown;

export const ZOD_V4_MISSING =
	"n8n-nodes-samespace needs n8n 1.100 or newer (tested on 1.123.81 and 2.41.1): this n8n's zod has no 'zod/v4' entry point. Update n8n to use the Samespace node.";

/** The `zod/v4` module, or an error that names the n8n versions this package needs. */
export function loadZodV4(load: (id: string) => unknown): typeof ZodV4 {
	let loaded: unknown;
	let cause = '';
	try {
		loaded = load('zod/v4');
	} catch (error) {
		cause = ` (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
	}
	// No node yet (the package is being loaded), so a plain Error: n8n logs its message.
	if (!loaded || typeof (loaded as typeof ZodV4).z?.object !== 'function')
		throw new Error(ZOD_V4_MISSING + cause);
	return loaded as typeof ZodV4;
}

export const { z } = loadZodV4(require);
