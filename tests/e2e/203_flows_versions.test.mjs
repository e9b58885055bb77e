// Publishing: a publish snapshots the draft as an immutable version;
// editing after it changes only the draft until the next publish;
// unpublish; duplicate makes an unpublished "<name> (copy)".
import test from 'node:test';
import assert from 'node:assert/strict';
import { api, psql, tenant } from './lib/harness.mjs';
import { mosendError } from './lib/expect.mjs';
import {
	createFlow, flowPath, flowShape, mosendOk, ONBOARDING, pathOf, testRun,
} from './lib/flows.mjs';

const t = tenant();
const V1 = [{ id: 'hi', type: 'message', text: 'version one' }];
const V2 = [{ id: 'hi', type: 'message', text: 'version two' }];
const V3 = [{ id: 'hi', type: 'message', text: 'draft three' }];

const publish = async (id) => flowShape(mosendOk(await api('POST', flowPath(t, id, '/publish'), t.key), 201));
const unpublish = async (id) => flowShape(mosendOk(await api('POST', flowPath(t, id, '/unpublish'), t.key), 201));
const patch = async (id, body) => flowShape(mosendOk(await api('PATCH', flowPath(t, id), t.key, { body })));
const said = async (id, version) => {
	const run = await testRun(t, id, version === undefined ? { messages: [] } : { messages: [], version });
	return run.steps[0].output.sent[0].text;
};

test('publish, edit, publish: versions 1 and 2, the draft apart from both', async () => {
	const f = await createFlow(t, { steps: V1 });
	const p1 = await publish(f.id);
	assert.equal(p1.published, true);
	assert.equal(p1.version, 1);
	assert.equal(p1.publishedVersion, 1);
	assert.ok(Math.abs(Date.parse(p1.publishedAt) - Date.now()) < 60000);
	assert.equal(p1.hasUnpublishedChanges, false);
	assert.deepEqual(p1.steps, V1);

	// editing after publishing changes only the draft
	const e = await patch(f.id, { steps: V2 });
	assert.deepEqual(e.steps, V2);
	assert.equal(e.published, true);
	assert.equal(e.version, 1);
	assert.equal(e.publishedVersion, 1);
	assert.equal(e.publishedAt, p1.publishedAt);
	assert.equal(e.hasUnpublishedChanges, true);
	assert.equal(await said(f.id), 'version two');		// the draft
	assert.equal(await said(f.id, 'draft'), 'version two');
	assert.equal(await said(f.id, 'published'), 'version one');
	assert.equal(await said(f.id, 1), 'version one');

	const p2 = await publish(f.id);
	assert.equal(p2.version, 2);
	assert.equal(p2.publishedVersion, 2);
	assert.equal(p2.hasUnpublishedChanges, false);
	assert.ok(Date.parse(p2.publishedAt) >= Date.parse(p1.publishedAt));
	assert.equal(await said(f.id, 'published'), 'version two');
	// version 1 is still there, as it was
	assert.equal(await said(f.id, 1), 'version one');
	const run = await testRun(t, f.id, { messages: [], version: 2 });
	assert.equal(run.version, 2);
	assert.equal((await testRun(t, f.id, { messages: [] })).version, 'draft');

	// a settings-only change is not a definition change
	const n = await patch(f.id, { name: 'Renamed', enabled: false });
	assert.equal(n.hasUnpublishedChanges, false);
	// publishing an unchanged draft again changes nothing
	const again = await publish(f.id);
	assert.equal(again.version, 2);
	assert.equal(again.publishedAt, p2.publishedAt);
	// a third draft, then a version that does not exist
	await patch(f.id, { json: V3 });
	assert.equal(await said(f.id), 'draft three');
	assert.equal(await said(f.id, 'published'), 'version two');
	const p = flowPath(t, f.id, '/test-run');
	const r = await api('POST', p, t.key, { body: { messages: [], version: 3 } });
	assert.equal(mosendError(r, 404, 'Not Found', p).message, 'flow version 3 not found');
	assert.equal(psql(`SELECT count(*) FROM wa.bot_flow_versions WHERE flow_id = '${f.id}'`, { as: 'super' }), '2');
});

test('published versions are immutable in the database', async () => {
	const f = await createFlow(t, { steps: V1 });
	await publish(f.id);
	const set = `BEGIN; SELECT set_config('wa.org_id', '${t.orgId}', true);`;
	assert.throws(() => psql(`${set} UPDATE wa.bot_flow_versions SET steps = '[]' WHERE flow_id = '${f.id}'; COMMIT;`),
		/permission denied/);
	assert.throws(() => psql(`UPDATE wa.bot_flow_versions SET steps = '[]' WHERE flow_id = '${f.id}'`, { as: 'super' }),
		/published flow versions are immutable/);
	assert.throws(() => psql(`${set} DELETE FROM wa.bot_flow_versions WHERE flow_id = '${f.id}'; COMMIT;`),
		/permission denied/);
	assert.equal(await said(f.id, 1), 'version one');
});

test('unpublish: not live, version kept; publishing again brings the same version back', async () => {
	const f = await createFlow(t, { steps: V1 });
	await publish(f.id);
	const u = await unpublish(f.id);
	assert.equal(u.published, false);
	assert.equal(u.publishedAt, null);
	assert.equal(u.publishedVersion, null);
	assert.equal(u.version, 1);
	assert.deepEqual(u.steps, V1);
	const p = flowPath(t, f.id, '/test-run');
	const r = await api('POST', p, t.key, { body: { messages: [], version: 'published' } });
	assert.match(mosendError(r, 422, 'Unprocessable Entity', p).message, /not published/);
	assert.equal(await said(f.id, 1), 'version one');
	// unpublishing twice is harmless
	const u2 = await unpublish(f.id);
	assert.equal(u2.updatedAt, u.updatedAt);
	const back = await publish(f.id);
	assert.equal(back.published, true);
	assert.equal(back.version, 1);
	assert.equal(back.publishedVersion, 1);
});

test('a flow without steps cannot be published: 422', async () => {
	const f = await createFlow(t);
	const p = flowPath(t, f.id, '/publish');
	const e = mosendError(await api('POST', p, t.key), 422, 'Unprocessable Entity', p);
	assert.equal(e.message, 'A flow needs at least one step to be published');
	assert.equal(mosendOk(await api('GET', flowPath(t, f.id), t.key)).published, false);
});

test('duplicate: an unpublished "<name> (copy)" of the draft and settings', async () => {
	const f = await createFlow(t, {
		name: 'Onboarding', description: 'New customers', phoneNumberId: t.accountId,
		triggerType: 'KEYWORD', triggerConfig: { keywords: ['start'] }, steps: V1,
	});
	await publish(f.id);
	await patch(f.id, { steps: ONBOARDING });
	const d = flowShape(mosendOk(await api('POST', flowPath(t, f.id, '/duplicate'), t.key), 201));
	assert.notEqual(d.id, f.id);
	assert.equal(d.name, 'Onboarding (copy)');
	for (const k of ['description', 'phoneNumberId', 'triggerType', 'triggerConfig', 'enabled']) {
		assert.deepEqual(d[k], f[k], k);
	}
	assert.equal(JSON.stringify(d.steps), JSON.stringify(ONBOARDING));	// the draft
	assert.equal(d.published, false);
	assert.equal(d.version, 0);
	assert.equal(d.publishedVersion, null);
	assert.deepEqual(d.lint, []);
	// the original is untouched; the copy runs on its own
	const o = mosendOk(await api('GET', flowPath(t, f.id), t.key));
	assert.equal(o.name, 'Onboarding');
	assert.equal(o.published, true);
	assert.equal(pathOf(await testRun(t, d.id, { messages: [] })), 'greet>next ask_email');
	// a copy of a copy, and a name at the length limit
	const dd = mosendOk(await api('POST', flowPath(t, d.id, '/duplicate'), t.key), 201);
	assert.equal(dd.name, 'Onboarding (copy) (copy)');
	const long = await createFlow(t, { name: 'é'.repeat(255) });
	const dl = mosendOk(await api('POST', flowPath(t, long.id, '/duplicate'), t.key), 201);
	assert.equal(dl.name, `${'é'.repeat(248)} (copy)`);
	// the body the SDK may send is ignored
	const withBody = await api('POST', flowPath(t, f.id, '/duplicate'), t.key, { body: {} });
	assert.equal(mosendOk(withBody, 201).name, 'Onboarding (copy)');
});
