// /organizations/{orgId}/bot/flows: create, read, list (with the
// phoneNumberId filter), PATCH (settings, steps, the json alias) and
// DELETE, through nginx (seed 003, docs/flows.md).
import test from 'node:test';
import assert from 'node:assert/strict';
import { admin, api, tenant } from './lib/harness.mjs';
import { TS } from './lib/expect.mjs';
import {
	createFlow, flowPath, flowsPath, flowShape, LIST_KEYS, mosendOk, notFound, ONBOARDING,
} from './lib/flows.mjs';

const t = tenant();

test('a new organization has no flows: data is []', async () => {
	const u = tenant();
	assert.deepEqual(mosendOk(await api('GET', flowsPath(u), u.key)), []);
});

test('POST with only a name (seed 003): 201, every field, documented defaults', async () => {
	const r = await api('POST', flowsPath(t), t.key, { body: { name: 'Onboarding nuevo cliente', steps: [] } });
	const f = flowShape(mosendOk(r, 201));
	assert.equal(f.name, 'Onboarding nuevo cliente');
	assert.deepEqual(f.steps, []);
	assert.equal(f.description, null);
	assert.equal(f.phoneNumberId, null);
	assert.equal(f.triggerType, 'MANUAL');
	assert.equal(f.triggerConfig, null);
	assert.equal(f.enabled, true);
	assert.equal(f.published, false);
	assert.equal(f.publishedAt, null);
	assert.equal(f.version, 0);
	assert.equal(f.publishedVersion, null);
	assert.equal(f.hasUnpublishedChanges, true);
	assert.deepEqual(f.lint, []);
	assert.equal(f.createdAt, f.updatedAt);
	assert.ok(Math.abs(Date.parse(f.createdAt) - Date.now()) < 60000);
	// without steps at all, the same
	const g = await createFlow(t, { name: 'No steps' });
	assert.deepEqual(g.steps, []);
});

test('POST with every field: values kept, the definition returned as sent, wabaId ignored', async () => {
	const body = {
		name: 'Welcome', description: 'Greets new contacts', phoneNumberId: t.accountId,
		triggerType: 'KEYWORD', triggerConfig: { keywords: ['hola', 'hello'], matchMode: 'exact' },
		enabled: false, steps: ONBOARDING, wabaId: '1234567890',
	};
	const f = flowShape(mosendOk(await api('POST', flowsPath(t), t.key, { body }), 201));
	assert.equal(f.description, 'Greets new contacts');
	assert.equal(f.phoneNumberId, t.accountId);
	assert.equal(f.triggerType, 'KEYWORD');
	assert.deepEqual(f.triggerConfig, { keywords: ['hola', 'hello'], matchMode: 'exact' });
	assert.equal(f.enabled, false);
	// the steps read back as written, key order included
	assert.equal(JSON.stringify(f.steps), JSON.stringify(ONBOARDING));
	assert.ok(!('wabaId' in f));
	assert.deepEqual(f.lint, []);
	// GET returns the same object
	const g = mosendOk(await api('GET', flowPath(t, f.id), t.key));
	assert.deepEqual(g, f);
});

test('GET a flow: 200 with lint warnings of its definition', async () => {
	const f = await createFlow(t, {
		steps: [
			{ id: 'hi', type: 'message', text: 'Hi {{flow.name}}' },
			{ id: 'end', type: 'end' },
			{ id: 'orphan', type: 'message', text: 'never sent', colour: 'red' },
		],
	});
	const g = mosendOk(await api('GET', flowPath(t, f.id), t.key));
	const rules = g.lint.map((w) => `${w.stepId} ${w.rule}`).sort();
	assert.deepEqual(rules, ['hi read_before_write', 'orphan unknown_field', 'orphan unreachable']);
	const w = g.lint.find((x) => x.rule === 'read_before_write');
	assert.deepEqual(w, {
		stepId: 'hi', path: 'steps[0].text', rule: 'read_before_write',
		message: 'steps[0].text reads flow.name, which no path from the first step sets before it',
	});
	assert.deepEqual(f.lint, g.lint);
});

test('list: newest first, summaries without steps, phoneNumberId filter', async () => {
	const u = tenant();
	const second = admin('account', 'add', '--org', u.orgId, '--waba', `9${Date.now()}`,
		'--phone-number-id', `8${Date.now()}`, '--display', '+15550009999', '--token', 'tok').WA_ACCOUNT_ID;
	const all = await createFlow(u, { name: 'All numbers', steps: ONBOARDING });
	const one = await createFlow(u, { name: 'Main number', phoneNumberId: u.accountId });
	const two = await createFlow(u, { name: 'Second number', phoneNumberId: second });
	const list = mosendOk(await api('GET', flowsPath(u), u.key));
	assert.deepEqual(list.map((f) => f.id), [two.id, one.id, all.id]);
	for (const f of list) flowShape(f, LIST_KEYS);
	assert.equal(list[2].stepCount, ONBOARDING.length);
	assert.equal(list[0].stepCount, 0);
	// a flow for all numbers is a flow of each number
	const mine = mosendOk(await api('GET', `${flowsPath(u)}?phoneNumberId=${u.accountId}`, u.key));
	assert.deepEqual(mine.map((f) => f.id), [one.id, all.id]);
	const theirs = mosendOk(await api('GET', `${flowsPath(u)}?phoneNumberId=${second}`, u.key));
	assert.deepEqual(theirs.map((f) => f.id), [two.id, all.id]);
	// an empty filter is no filter
	assert.equal(mosendOk(await api('GET', `${flowsPath(u)}?phoneNumberId=`, u.key)).length, 3);
	// a number that is not the organization's: 404
	const p = `${flowsPath(u)}?phoneNumberId=${t.accountId}`;
	notFound(await api('GET', p, u.key), flowsPath(u));
	notFound(await api('GET', `${flowsPath(u)}?phoneNumberId=nope`, u.key), flowsPath(u));
});

test('PATCH changes what it names and nothing else; updatedAt moves', async () => {
	const f = await createFlow(t, {
		name: 'Before', description: 'd', triggerType: 'INTENT', triggerConfig: { intents: ['pricing'] },
		steps: [{ id: 'a', type: 'end' }],
	});
	await new Promise((res) => setTimeout(res, 5));
	const p = mosendOk(await api('PATCH', flowPath(t, f.id), t.key, { body: { name: 'After' } }));
	flowShape(p);
	assert.equal(p.name, 'After');
	for (const k of ['description', 'triggerType', 'triggerConfig', 'enabled', 'steps', 'phoneNumberId', 'createdAt']) {
		assert.deepEqual(p[k], f[k], k);
	}
	assert.ok(Date.parse(p.updatedAt) > Date.parse(f.updatedAt));
	// null clears the nullable ones
	const q = mosendOk(await api('PATCH', flowPath(t, f.id), t.key, {
		body: { description: null, triggerConfig: null, phoneNumberId: t.accountId, enabled: false },
	}));
	assert.equal(q.description, null);
	assert.equal(q.triggerConfig, null);
	assert.equal(q.phoneNumberId, t.accountId);
	assert.equal(q.enabled, false);
	assert.equal(q.triggerType, 'INTENT');
	const back = mosendOk(await api('PATCH', flowPath(t, f.id), t.key, { body: { phoneNumberId: null } }));
	assert.equal(back.phoneNumberId, null);
	// an empty body changes nothing but updatedAt
	const e = mosendOk(await api('PATCH', flowPath(t, f.id), t.key, { body: {} }));
	assert.deepEqual({ ...e, updatedAt: null }, { ...back, updatedAt: null });
});

test('PATCH steps, and json as an alias that replaces the whole definition', async () => {
	const f = await createFlow(t, { steps: ONBOARDING });
	const steps = [{ id: 'only', type: 'message', text: 'one step' }];
	const a = mosendOk(await api('PATCH', flowPath(t, f.id), t.key, { body: { steps } }));
	assert.deepEqual(a.steps, steps);
	const json = [{ id: 'x', type: 'end', message: 'from json' }];
	const b = mosendOk(await api('PATCH', flowPath(t, f.id), t.key, { body: { json } }));
	assert.deepEqual(b.steps, json);
	// json may also be {"steps": [...]}
	const c = mosendOk(await api('PATCH', flowPath(t, f.id), t.key, { body: { json: { steps: ONBOARDING } } }));
	assert.equal(JSON.stringify(c.steps), JSON.stringify(ONBOARDING));
	// settings and json together
	const d = mosendOk(await api('PATCH', flowPath(t, f.id), t.key, { body: { name: 'Both', json: [] } }));
	assert.equal(d.name, 'Both');
	assert.deepEqual(d.steps, []);
	// json on create too
	const g = await createFlow(t, { json: steps });
	assert.deepEqual(g.steps, steps);
});

test('DELETE: 204 without a body, then 404 everywhere', async () => {
	const f = await createFlow(t, { steps: ONBOARDING });
	const r = await api('DELETE', flowPath(t, f.id), t.key);
	assert.equal(r.status, 204);
	assert.equal(r.text, '');
	assert.ok(r.headers['x-request-id']);
	notFound(await api('GET', flowPath(t, f.id), t.key), flowPath(t, f.id));
	notFound(await api('DELETE', flowPath(t, f.id), t.key), flowPath(t, f.id));
	notFound(await api('PATCH', flowPath(t, f.id), t.key, { body: { name: 'x' } }), flowPath(t, f.id));
	for (const op of ['publish', 'unpublish', 'duplicate']) {
		notFound(await api('POST', flowPath(t, f.id, `/${op}`), t.key), flowPath(t, f.id, `/${op}`));
	}
	notFound(await api('POST', flowPath(t, f.id, '/test-run'), t.key, { body: { messages: [] } }),
		flowPath(t, f.id, '/test-run'));
	assert.ok(!mosendOk(await api('GET', flowsPath(t), t.key)).some((x) => x.id === f.id));
	// the SDK's DELETE with a body
	const g = await createFlow(t);
	assert.equal((await api('DELETE', flowPath(t, g.id), t.key, { body: {} })).status, 204);
});

test('timestamps are RFC 3339 with milliseconds', async () => {
	const f = await createFlow(t);
	assert.match(f.createdAt, TS);
});
