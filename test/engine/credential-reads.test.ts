/**
 * The credential is read (in n8n: loaded from the database and decrypted) once per execution, not
 * once per call, and every call still carries the Cloud ID and token the credential holds.
 */
import {
	CLOUD_ID,
	SECRET_TOKEN,
	expectNoSecret,
	outputJson,
	runSamespace,
	straightSteps,
	useEmulator,
} from '../support/samespace';

const emulator = useEmulator();

const leads = (count: number) =>
	Array.from({ length: count }, (_v, index) => ({
		phone: `1415${String(5_100_000 + index).padStart(7, '0')}`,
	}));

test('25 calls read the credential once, and each request carries its fields', async () => {
	const result = await runSamespace(
		emulator,
		{ steps: straightSteps(), options: { concurrency: 5 } },
		{ items: leads(25) },
	);

	expect(result.error).toBeUndefined();
	expect(outputJson(result).every((json) => typeof json.call_id === 'string')).toBe(true);
	expect(result.credentialReads).toBe(1);
	expect(emulator.requests).toHaveLength(25);
	for (const request of emulator.requests) {
		expect(request.body).toMatchObject({ cloud_id: CLOUD_ID, auth_token: SECRET_TOKEN });
	}
	expectNoSecret(result);
});

test('a token and Cloud ID pasted with spaces and a line break are sent trimmed', async () => {
	const result = await runSamespace(
		emulator,
		{ steps: straightSteps() },
		{
			items: leads(2),
			credentials: { cloudId: `  ${CLOUD_ID}\n`, authToken: `${SECRET_TOKEN}\r\n` },
		},
	);

	expect(result.error).toBeUndefined();
	expect(emulator.requests.map((request) => request.body)).toEqual([
		expect.objectContaining({ cloud_id: CLOUD_ID, auth_token: SECRET_TOKEN }),
		expect.objectContaining({ cloud_id: CLOUD_ID, auth_token: SECRET_TOKEN }),
	]);
	expect(result.credentialReads).toBe(1);
});
