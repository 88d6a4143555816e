/**
 * Unit tests of the `zod/v4` guard (flow/zod.ts): on an n8n whose zod has no `zod/v4` entry point
 * (n8n before 1.100 ships zod 3.24), loading the package fails with a message that names the n8n
 * versions it needs, not only Node's "Package subpath './v4' is not defined".
 */
import * as zodV4 from 'zod/v4';

import { loadZodV4, ZOD_V4_MISSING } from '../../../nodes/Samespace/flow/zod';

describe('loadZodV4', () => {
	it("returns zod's v4 API where it exists (the zod n8n 1.100+ and 2.x ship)", () => {
		const loaded = loadZodV4(() => zodV4);
		expect(loaded.z).toBe(zodV4.z);
		expect(loaded.z.string().safeParse('x').success).toBe(true);
	});

	it('names the n8n versions needed when zod has no v4 entry point (zod 3.24)', () => {
		// What Node throws for `require('zod/v4')` with zod 3.24.1, whose exports have no './v4'.
		const missing = Object.assign(
			new Error(
				'Package subpath \'./v4\' is not defined by "exports" in /n8n/node_modules/zod/package.json',
			),
			{ code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' },
		);
		expect(() =>
			loadZodV4(() => {
				throw missing;
			}),
		).toThrow(ZOD_V4_MISSING);
		expect(() =>
			loadZodV4(() => {
				throw missing;
			}),
		).toThrow(/n8n 1\.100 or newer.*Package subpath '\.\/v4' is not defined/);
	});

	it('refuses a zod/v4 that is not the v4 API', () => {
		expect(() => loadZodV4(() => ({}))).toThrow(ZOD_V4_MISSING);
	});
});
