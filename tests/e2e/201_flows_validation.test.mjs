// Validation: every problem of a body is one sentence of Mosend's
// message list, the definition's problems included (docs/flows.md);
// hostile bodies are refused with a 400 or 413, never a 500.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { api, request, tenant } from './lib/harness.mjs';
import { mosendError } from './lib/expect.mjs';
import {
	createFlow, flowPath, flowsPath, mosendOk, mosendValidation, notFound, ONBOARDING,
} from './lib/flows.mjs';

const t = tenant();
const post = (body) => api('POST', flowsPath(t), t.key, { body });

test('create: each field problem is its own sentence', async () => {
	mosendValidation(await post({}), flowsPath(t), ['name is required']);
	mosendValidation(await post({ name: '' }), flowsPath(t), ['name must not be empty']);
	mosendValidation(await post({ name: null }), flowsPath(t), ['name is required']);
	mosendValidation(await post({ name: 'x'.repeat(256) }), flowsPath(t),
		['name must be at most 255 characters']);
	const m = mosendValidation(await post({
		name: 5, description: 'd'.repeat(2001), triggerType: 'WEEKLY', enabled: 'yes',
		steps: {}, phoneNumberId: 'abc', triggerConfig: 'hola',
	}), flowsPath(t), [
		'name must be a string',
		'description must be at most 2000 characters',
		'triggerType must be one of: KEYWORD, INTENT, MANUAL, AUTO_REPLY',
		'enabled must be a boolean',
		'steps must be an array of steps',
		'phoneNumberId must be the id of a WhatsApp number of the organization (a UUID)',
		'triggerConfig must be an object',
	]);
	assert.equal(m.length, 7);
	// nothing was created
	assert.deepEqual(mosendOk(await api('GET', flowsPath(t), t.key)), []);
});

test('KEYWORD flows need keywords, on create and on PATCH', async () => {
	mosendValidation(await post({ name: 'k', triggerType: 'KEYWORD' }), flowsPath(t),
		['triggerConfig.keywords is required when triggerType is KEYWORD']);
	mosendValidation(await post({ name: 'k', triggerType: 'KEYWORD', triggerConfig: { keywords: [] } }),
		flowsPath(t), ['triggerConfig.keywords must have at least 1 items']);
	mosendValidation(await post({ name: 'k', triggerType: 'KEYWORD', triggerConfig: { keywords: ['ok', 7, ''] } }),
		flowsPath(t), ['triggerConfig.keywords[1] must be a string']);
	const f = await createFlow(t, { triggerType: 'KEYWORD', triggerConfig: { keywords: ['hola'] } });
	// dropping the keywords of a KEYWORD flow
	mosendValidation(await api('PATCH', flowPath(t, f.id), t.key, { body: { triggerConfig: {} } }),
		flowPath(t, f.id), ['triggerConfig.keywords is required']);
	// switching a flow without keywords to KEYWORD
	const g = await createFlow(t);
	mosendValidation(await api('PATCH', flowPath(t, g.id), t.key, { body: { triggerType: 'KEYWORD' } }),
		flowPath(t, g.id), ['triggerConfig.keywords is required when triggerType is KEYWORD']);
	// both at once is fine; leaving KEYWORD without config too
	mosendOk(await api('PATCH', flowPath(t, g.id), t.key,
		{ body: { triggerType: 'KEYWORD', triggerConfig: { keywords: ['start'] } } }));
	const h = mosendOk(await api('PATCH', flowPath(t, f.id), t.key,
		{ body: { triggerType: 'AUTO_REPLY', triggerConfig: null } }));
	assert.equal(h.triggerType, 'AUTO_REPLY');
});

test('definition errors: one message per problem, with the JSON path', async () => {
	const steps = [
		{ id: 'hi', type: 'message', text: 'Hi {{contact.name', next: 'nowhere' },
		{ id: 'ask', type: 'question', prompt: 'Email?', input: 'email' },
		{ id: 'ask', type: 'jump', target: 'hi' },
		{ id: 'c', type: 'condition', branches: [{ when: { all: [{ var: 'flow.x', op: 'like', value: 1 }] } }] },
		{ id: 's', type: 'set_variable', assignments: [{ var: 'system.now', expr: '1 +' }] },
		{ id: 'h', type: 'http_request', url: 'ftp://example.com', timeout_ms: 99999 },
		{ id: 'd', type: 'delay', seconds: 0 },
		{ id: 'bad id!', type: 'teleport' },
	];
	const m = mosendValidation(await post({ name: 'broken', steps }), flowsPath(t), [
		'steps[0].text has {{ without its }}',
		'steps[0].next must name a step of this flow (there is no step "nowhere")',
		'steps[1].on_invalid is required',
		'steps[2].id repeats the id "ask" (step ids are unique)',
		'steps[2].max_jumps is required',
		'steps[3].branches[0].when.all[0].op must be one of: eq, ne, contains, not_contains, gt, gte, lt, lte, is_set, is_empty, starts_with, ends_with, matches',
		'steps[3].branches[0].next is required',
		'steps[4].assignments[0].var names a read-only system variable; steps write flow.* and contact.*',
		'steps[4].assignments[0].expr has nothing where a value was expected (at character 4)',
		'steps[5].url must be an absolute http(s) URL',
		'steps[5].timeout_ms must be an integer from 100 to 30000',
		'steps[6].seconds must be an integer from 1 to 86400',
		'steps[7].id must be 1 to 64 letters, digits, _ or -',
		'steps[7].type must be one of: message, question, condition, set_variable, http_request, delay, jump, handoff, end',
	]);
	assert.equal(m.length, 14, JSON.stringify(m, null, 1));
	// through the alias, the path is json[...] or json.steps[...]
	mosendValidation(await post({ name: 'j', json: [{ id: 'a', type: 'jump', target: 'a' }] }),
		flowsPath(t), ['json[0].max_jumps is required']);
	mosendValidation(await post({ name: 'j', json: { steps: [{ id: 'a', type: 'delay' }] } }),
		flowsPath(t), ['json.steps[0].seconds is required']);
	mosendValidation(await post({ name: 'j', json: { steps: 'x' } }), flowsPath(t),
		['json.steps must be an array of steps']);
	mosendValidation(await post({ name: 'j', json: 5 }), flowsPath(t), ['json must be an array of steps']);
	mosendValidation(await post({ name: 'j', steps: [], json: [] }), flowsPath(t),
		['json cannot be given together with steps (json is an alias that replaces the whole definition)']);
});

test('PATCH with a broken definition: 400, and the flow is unchanged', async () => {
	const f = await createFlow(t, { steps: ONBOARDING });
	mosendValidation(await api('PATCH', flowPath(t, f.id), t.key, {
		body: { name: 'renamed', steps: [{ id: 'q', type: 'question', prompt: '?' }] },
	}), flowPath(t, f.id), ['steps[0].on_invalid is required']);
	const g = mosendOk(await api('GET', flowPath(t, f.id), t.key));
	assert.equal(g.name, f.name);
	assert.deepEqual(g.steps, f.steps);
	mosendValidation(await api('PATCH', flowPath(t, f.id), t.key, { body: { name: '' } }),
		flowPath(t, f.id), ['name must not be empty']);
	mosendValidation(await api('PATCH', flowPath(t, f.id), t.key, { body: { name: null } }),
		flowPath(t, f.id), ['name must not be null']);
});

test('more problems than the list holds: 31 sentences and a count of the rest', async () => {
	const steps = Array.from({ length: 60 }, (_, i) => ({ id: `d${i}`, type: 'delay' }));
	const m = mosendValidation(await post({ name: 'many', steps }), flowsPath(t));
	assert.equal(m.length, 32);
	assert.equal(m[0], 'steps[0].seconds is required');
	assert.equal(m[30], 'steps[30].seconds is required');
	assert.equal(m[31], 'steps has 29 more problems not listed');
});

test('phoneNumberId of another organization: 404, like one that does not exist', async () => {
	const u = tenant();
	const a = await post({ name: 'x', phoneNumberId: u.accountId });
	const b = await post({ name: 'x', phoneNumberId: crypto.randomUUID() });
	notFound(a, flowsPath(t));
	notFound(b, flowsPath(t));
	assert.equal(a.json.message, 'WhatsApp account not found');
	assert.equal(b.json.message, a.json.message);
});

test('malformed bodies: 400 with a message, not a list', async () => {
	for (const body of ['{', '[1,2]', '"name"', '{"name": "a"} x', '{"name":"\\u0000"}']) {
		const r = await request('POST', flowsPath(t), { headers: { 'x-api-key': t.key, 'content-type': 'application/json' }, body });
		const e = mosendError(r, 400, 'Bad Request', flowsPath(t));
		assert.equal(typeof e.message, 'string', body);
	}
	const deep = `{"name":"d","steps":${'['.repeat(40)}${']'.repeat(40)}}`;
	const r = await request('POST', flowsPath(t), { headers: { 'x-api-key': t.key }, body: deep });
	assert.match(mosendError(r, 400, 'Bad Request', flowsPath(t)).message, /nested too deeply/);
});

test('hostile definitions: huge arrays, deep conditions, long strings are bounded', async () => {
	const many = Array.from({ length: 501 }, (_, i) => ({ id: `s${i}`, type: 'end' }));
	assert.deepEqual(mosendValidation(await post({ name: 'big', steps: many }), flowsPath(t)),
		['steps must have at most 500 steps']);
	const options = Array.from({ length: 5000 }, (_, i) => `option ${i}`);
	assert.deepEqual(mosendValidation(await post({
		name: 'opts', steps: [{ id: 'q', type: 'question', prompt: '?', input: 'choice', options, on_invalid: 'q' }],
	}), flowsPath(t)), ['steps[0].options must have 1 to 10 items']);
	let when = { var: 'x', op: 'is_set' };
	for (let i = 0; i < 6; i++) when = { any: [when] };
	mosendValidation(await post({
		name: 'deep', steps: [{ id: 'c', type: 'condition', branches: [{ when, next: 'c' }] }],
	}), flowsPath(t), ['steps[0].branches[0].when.any[0].any[0].any[0].any[0] nests all/any deeper than 4']);
	mosendValidation(await post({
		name: 'long', steps: [{ id: 'm', type: 'message', text: 'x'.repeat(4097) }],
	}), flowsPath(t), ['steps[0].text must be at most 4096 characters']);
	mosendValidation(await post({
		name: 're', steps: [{ id: 'q', type: 'question', prompt: '?', input: 'regex', pattern: '((a{100}){100}){100}', on_invalid: 'q' }],
	}), flowsPath(t), ['steps[0].pattern is too complex (repetitions expand to more than 2000 steps)']);
	mosendValidation(await post({
		name: 'expr', steps: [{ id: 's', type: 'set_variable', assignments: [{ var: 'x', expr: `${'('.repeat(40)}1${')'.repeat(40)}` }] }],
	}), flowsPath(t), ['steps[0].assignments[0].expr nests deeper than 32 (at character 33)']);
	// a cycle is legal (a loop is a flow's business) and linted
	const f = await createFlow(t, { steps: [
		{ id: 'a', type: 'message', text: 'ping', next: 'b' },
		{ id: 'b', type: 'message', text: 'pong', next: 'a' },
	] });
	assert.deepEqual(f.lint.map((w) => w.rule), ['endless_loop']);
	assert.equal(f.lint[0].message, 'steps[0] starts a loop that waits for nothing and never ends (a -> b -> a); the run stops at the step budget');
});

test('a body over 1 MiB: 413 in the Mosend envelope (nginx)', async () => {
	const r = await post({ name: 'big', description: 'x'.repeat(1100000) });
	assert.equal(r.status, 413);
	assert.equal(r.json.statusCode, 413);
	assert.equal(r.json.error, 'Payload Too Large');
});

test('odd values anywhere in a definition: a 400 or a flow, never a 500', async () => {
	const odd = [null, true, 0, -1, 1e308, '', 'x', [], {}, [null], { a: null }, 'ü\u202e', '{{', '}}'];
	const fields = ['id', 'type', 'next', 'text', 'prompt', 'input', 'options', 'branches', 'when',
		'assignments', 'url', 'headers', 'body', 'mapping', 'seconds', 'target', 'max_jumps', 'on_invalid'];
	const types = ['message', 'question', 'condition', 'set_variable', 'http_request', 'delay', 'jump', 'handoff', 'end'];
	let n = 0;
	for (const type of types) {
		for (const field of fields) {
			const v = odd[n++ % odd.length];
			const r = await post({ name: 'odd', steps: [{ id: 'a', type, [field]: v }] });
			assert.ok(r.status === 201 || r.status === 400, `${type}.${field}=${JSON.stringify(v)}: ${r.status} ${r.text}`);
		}
	}
});

test('test-run input: each problem is a sentence', async () => {
	const f = await createFlow(t, { steps: ONBOARDING });
	const p = flowPath(t, f.id, '/test-run');
	const run = (body) => api('POST', p, t.key, { body });
	// no messages at all is a run to the first wait (210_flows_testrun);
	// messages that are not a list are refused
	mosendValidation(await run({ messages: 'ana@acme.io' }), p, ['messages must be an array']);
	const m = mosendValidation(await run({
		messages: ['ok', 5, { timeout: false }], variables: { 'system.now': 1 }, contact: [],
		mocks: { lookup: { status: 700 }, other: [] }, now: 'yesterday', version: 'latest',
	}), p, [
		'version must be "draft", "published" or a version number',
		'messages[1] must be a string, {"text": "..."} or {"timeout": true}',
		'messages[2] must be a string, {"text": "..."} or {"timeout": true}',
		'variables.system.now is not a flow or contact variable',
		'contact must be an object',
		'mocks.lookup.status must be an HTTP status from 100 to 599',
		'mocks.other must have 1 to 50 responses',
		'now must be an RFC 3339 timestamp such as 2026-05-01T09:00:00Z',
	]);
	assert.equal(m.length, 8);
	mosendValidation(await run({ messages: Array(201).fill('x') }), p, ['messages must have at most 200 items']);
	mosendValidation(await run({ messages: ['x'.repeat(4097)] }), p, ['messages[0] must be at most 4096 characters']);
	mosendValidation(await run({ messages: [], version: 0 }), p, ['version must be "draft", "published" or a version number']);
});
