// Secrets (DESIGN.md, "Tenancy and security"): API keys, Meta access
// tokens and card data never appear in a response or in any log of the
// stack, and only a hash of a key's secret is stored.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { api, DIR, psql, sleep, tenant } from './lib/harness.mjs';
import { sentError, sentOk } from './lib/expect.mjs';

test('keys, tokens and card numbers reach neither responses nor logs', async () => {
	const t = tenant();
	const token = `EAAtoken${crypto.randomUUID().replace(/-/g, '')}`;
	const card = '4000056655665556';
	const secret = t.key.split('.')[1];
	const bodies = [];
	const keep = (r) => { bodies.push(r.text); return r; };

	sentOk(keep(await api('POST', '/v3/profiles', t.key, {
		body: { name: 'secretive', whatsapp_business_account: { waba_id: '424242', phone_number_id: '434343', access_token: token } },
	})), 201);
	sentError(keep(await api('POST', '/v3/profiles', t.key, {
		body: { name: 'card', payment_details: { card_number: card, expiry: '12/39', cvc: '737', zip_code: '10001' } },
	})), 422, 'BUSINESS_015');
	// a card that fails validation is not echoed either
	sentError(keep(await api('POST', '/v3/profiles', t.key, {
		body: { name: 'card', payment_details: { card_number: `${card.slice(0, -1)}7`, expiry: '12/39', cvc: '737', zip_code: '10001' } },
	})), 400, 'VALIDATION_001');
	// a wrong secret for a real prefix, and a request to an unknown path with the key
	const wrong = `${t.key.split('.')[0]}.${'Q'.repeat(secret.length)}`;
	sentError(keep(await api('GET', '/v3/profiles', wrong)), 401, 'AUTH_002');
	sentError(keep(await api('GET', '/v3/__nowhere', t.key)), 404, 'RESOURCE_000');
	sentOk(keep(await api('GET', '/v3/profiles', t.key)));

	for (const b of bodies) {
		for (const s of [token, card, secret, t.key]) assert.ok(!b.includes(s), `response contains a secret: ${b}`);
	}
	// nginx flushes its access log every second
	await sleep(1200);
	const logs = fs.readdirSync(path.join(DIR, 'log')).map((f) => path.join(DIR, 'log', f));
	assert.ok(logs.some((f) => f.endsWith('sender_profiles.log')));
	for (const f of logs) {
		const text = fs.readFileSync(f, 'latin1');
		for (const [what, s] of [['access token', token], ['card number', card], ['key secret', secret], ['wrong secret', wrong]]) {
			assert.ok(!text.includes(s), `${path.basename(f)} contains the ${what}`);
		}
	}
	// stored: a 32-byte hash of the key and a sealed token
	assert.equal(psql(`SELECT length(secret_hash) FROM wa.api_keys WHERE prefix = '${t.key.slice(8, 20)}'`, { as: 'super' }), '32');
	assert.equal(psql(`SELECT count(*) FROM wa.wa_accounts WHERE waba_id = '424242'
		AND position(convert_to('${token}', 'UTF8') IN access_token_enc) = 0`, { as: 'super' }), '1');
});
