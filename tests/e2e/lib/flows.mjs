// Helpers for the bot-flow end-to-end tests (tests/e2e/2xx_*): paths,
// the Mosend success envelope, the flow object, and the onboarding flow
// the test-run tests walk through step by step.
import assert from 'node:assert/strict';
import { api } from './harness.mjs';
import { jsonHeaders, mosendError, TS, UUID } from './expect.mjs';

export const flowsPath = (t, org = t.orgId) => `/organizations/${org}/bot/flows`;
export const flowPath = (t, id, rest = '', org = t.orgId) => `${flowsPath(t, org)}/${id}${rest}`;

// Mosend's success envelope {data, timestamp}; returns data.
export function mosendOk(r, status = 200) {
	assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
	jsonHeaders(r);
	assert.deepEqual(Object.keys(r.json).sort(), ['data', 'timestamp']);
	assert.match(r.json.timestamp, TS);
	return r.json.data;
}

// A 400 whose message is a list holding each of `want` (exact
// sentences), and nothing but sentences.  Returns the list.
export function mosendValidation(r, path, want = []) {
	const e = mosendError(r, 400, 'Bad Request', path);
	assert.ok(Array.isArray(e.message), `message is a list: ${r.text}`);
	for (const m of e.message) assert.equal(typeof m, 'string');
	for (const w of want) {
		assert.ok(e.message.includes(w), `"${w}" in ${JSON.stringify(e.message, null, 1)}`);
	}
	return e.message;
}

export const FLOW_KEYS = [
	'id', 'name', 'description', 'phoneNumberId', 'triggerType', 'triggerConfig',
	'enabled', 'steps', 'published', 'publishedAt', 'version', 'createdAt',
	'updatedAt', 'publishedVersion', 'hasUnpublishedChanges', 'lint',
];
export const LIST_KEYS = FLOW_KEYS.filter((k) => k !== 'steps' && k !== 'lint').concat('stepCount');

// Every key of a flow object in its order, with its type.
export function flowShape(f, keys = FLOW_KEYS) {
	assert.deepEqual(Object.keys(f), keys);
	assert.match(f.id, UUID);
	assert.equal(typeof f.name, 'string');
	assert.ok(f.description === null || typeof f.description === 'string');
	assert.ok(f.phoneNumberId === null || UUID.test(f.phoneNumberId));
	assert.ok(['KEYWORD', 'INTENT', 'MANUAL', 'AUTO_REPLY'].includes(f.triggerType));
	assert.ok(f.triggerConfig === null || typeof f.triggerConfig === 'object');
	assert.equal(typeof f.enabled, 'boolean');
	assert.equal(typeof f.published, 'boolean');
	assert.ok(f.published ? TS.test(f.publishedAt) : f.publishedAt === null);
	assert.ok(Number.isInteger(f.version) && f.version >= 0);
	assert.ok(f.published ? Number.isInteger(f.publishedVersion) : f.publishedVersion === null);
	assert.match(f.createdAt, TS);
	assert.match(f.updatedAt, TS);
	assert.equal(typeof f.hasUnpublishedChanges, 'boolean');
	if (keys.includes('steps')) assert.ok(Array.isArray(f.steps));
	if (keys.includes('lint')) assert.ok(Array.isArray(f.lint));
	return f;
}

export async function createFlow(t, body = {}) {
	const r = await api('POST', flowsPath(t), t.key, { body: { name: 'Flow', ...body } });
	return flowShape(mosendOk(r, 201));
}

export async function testRun(t, id, body) {
	return mosendOk(await api('POST', flowPath(t, id, '/test-run'), t.key, { body }), 201);
}

// "stepId>exit ..." for a trace, as the unit tests write it.
export const pathOf = (run) => run.steps
	.map((s) => (s.output.exit ? `${s.stepId}>${s.output.exit}` : s.stepId)).join(' ');

// The onboarding flow of the issue: a greeting, an e-mail question with
// a retry, a choice, a branch on it, a mocked CRM call, a handoff.
export const ONBOARDING = [
	{ id: 'greet', type: 'message', text: 'Hi {{contact.name|there}}, welcome to Acme!' },
	{
		id: 'ask_email', type: 'question', prompt: "What's your email?", input: 'email',
		save_to: 'email', max_attempts: 3,
		retry_message: "Hmm, {{flow.email|that}} doesn't look like an email. Try again?",
		on_invalid: 'agent', timeout_s: 3600, on_timeout: 'bye',
	},
	{
		id: 'ask_plan', type: 'question', prompt: 'Which plan are you interested in?',
		input: 'choice', save_to: 'plan', on_invalid: 'agent',
		options: [{ id: 'starter', title: 'Starter' }, { id: 'business', title: 'Business' },
			{ id: 'enterprise', title: 'Enterprise' }],
	},
	{
		id: 'route', type: 'condition',
		branches: [
			{ when: { any: [{ var: 'plan', op: 'eq', value: 'enterprise' }] }, next: 'agent' },
			{ when: { all: [{ var: 'plan', op: 'eq', value: 'business' },
				{ var: 'email', op: 'not_contains', value: '@gmail.' }] }, next: 'lookup' },
		],
		default: 'bye',
	},
	{
		id: 'lookup', type: 'http_request', method: 'POST',
		url: 'https://crm.example.com/api/leads?source=whatsapp&email={{flow.email}}',
		headers: { Authorization: 'Bearer crm-test-token', 'X-Flow': 'onboarding' },
		body: { email: '{{flow.email}}', plan: '{{flow.plan}}', name: '{{contact.name|}}' },
		timeout_ms: 5000,
		mapping: { 'flow.lead_id': 'body.lead.id', 'flow.owner': 'body.lead.owner', 'flow.crm_status': 'status' },
		on_success: 'tag', on_error: 'agent',
	},
	{
		id: 'tag', type: 'set_variable',
		assignments: [
			{ var: 'summary', expr: "'Lead ' + flow.lead_id + ' for ' + flow.owner" },
			{ var: 'contact.plan', value: '{{flow.plan}}' },
		],
	},
	{
		id: 'agent', type: 'handoff', team: 'sales', department: 'onboarding',
		message: 'Connecting you with {{flow.owner|our team}} now.',
	},
	{ id: 'bye', type: 'end', message: 'Thanks, {{contact.name|friend}}! Talk soon.' },
];

export const CRM_OK = { status: 201, body: { lead: { id: 'L-1001', owner: 'Marta' } } };

// Every flow the tests create is a plain list of steps; this checks a
// 404 in the Mosend envelope for path p.
export function notFound(r, p) {
	const e = mosendError(r, 404, 'Not Found', p);
	assert.equal(typeof e.message, 'string');
	return e;
}
