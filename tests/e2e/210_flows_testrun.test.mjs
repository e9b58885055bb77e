// Test-runs of a realistic onboarding flow (greeting, an e-mail question
// with a retry, a choice, a branch on it, a mocked CRM call, a handoff),
// checked step by step, and the other ways through it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { api, tenant } from './lib/harness.mjs';
import { TS } from './lib/expect.mjs';
import {
	CRM_OK, createFlow, flowPath, mosendOk, ONBOARDING, pathOf, testRun,
} from './lib/flows.mjs';

const t = tenant();
const flow = await createFlow(t, { name: 'Onboarding', steps: ONBOARDING });
const NOW = '2026-05-01T09:00:00.000Z';
const CONTACT = { name: 'Ana', phone: '+34612345678', city: 'Madrid' };
const run = (body) => testRun(t, flow.id, { contact: CONTACT, now: NOW, ...body });

test('the happy path to sales, step by step', async () => {
	const r = await run({
		messages: ['ana.garcia@', 'ana.garcia@acme.io', '2'],
		mocks: { lookup: CRM_OK },
	});
	assert.deepEqual(Object.keys(r), ['flowId', 'version', 'status', 'error', 'stoppedAt', 'steps',
		'finalVariables', 'coverage', 'lint', 'stepsRun', 'messagesConsumed', 'messagesLeft']);
	assert.equal(r.flowId, flow.id);
	assert.equal(r.version, 'draft');
	assert.equal(r.status, 'handoff');
	assert.equal(r.error, null);
	assert.equal(r.stoppedAt, 'agent');
	assert.equal(pathOf(r), 'greet>next ask_email>retry ask_email>next ask_plan>next route>branches[1] '
		+ 'lookup>on_success tag>next agent');
	assert.equal(r.stepsRun, 8);
	assert.equal(r.messagesConsumed, 3);
	assert.equal(r.messagesLeft, 0);
	for (const s of r.steps) assert.deepEqual(Object.keys(s), ['stepId', 'type', 'output']);
	const [greet, email1, email2, plan, route, lookup, tag, agent] = r.steps;

	assert.equal(greet.type, 'message');
	assert.deepEqual(greet.output, {
		sent: [{ type: 'text', text: 'Hi Ana, welcome to Acme!' }], exit: 'next', next: 'ask_email',
	});

	assert.equal(email1.type, 'question');
	assert.deepEqual(email1.output, {
		sent: [{ type: 'text', text: "What's your email?" }], attempt: 1, input: 'ana.garcia@',
		valid: false, reason: 'is not an email address', exit: 'retry', next: 'ask_email',
	});
	assert.deepEqual(email2.output, {
		sent: [{ type: 'text', text: "Hmm, that doesn't look like an email. Try again?" }], attempt: 2,
		input: 'ana.garcia@acme.io', valid: true, variables: { 'flow.email': 'ana.garcia@acme.io' },
		exit: 'next', next: 'ask_plan',
	});

	assert.deepEqual(plan.output, {
		sent: [{ type: 'text', text: 'Which plan are you interested in?',
			options: ['Starter', 'Business', 'Enterprise'] }],
		attempt: 1, input: '2', option: 'business', valid: true,
		variables: { 'flow.plan': 'business' }, exit: 'next', next: 'route',
	});

	assert.equal(route.type, 'condition');
	assert.deepEqual(route.output, {
		checks: [
			{ var: 'flow.plan', op: 'eq', value: 'enterprise', actual: 'business', result: false },
			{ var: 'flow.plan', op: 'eq', value: 'business', actual: 'business', result: true },
			{ var: 'flow.email', op: 'not_contains', value: '@gmail.', actual: 'ana.garcia@acme.io', result: true },
		],
		branch: 1, exit: 'branches[1]', next: 'lookup',
	});

	assert.equal(lookup.type, 'http_request');
	assert.deepEqual(lookup.output, {
		request: {
			method: 'POST',
			url: 'https://crm.example.com/api/leads?source=whatsapp&email=ana.garcia%40acme.io',
			headers: { Authorization: 'Bearer crm-test-token', 'X-Flow': 'onboarding' },
			body: { email: 'ana.garcia@acme.io', plan: 'business', name: 'Ana' },
			timeoutMs: 5000,
		},
		mocked: true,
		response: { status: 201, body: { lead: { id: 'L-1001', owner: 'Marta' } } },
		variables: { 'flow.lead_id': 'L-1001', 'flow.owner': 'Marta', 'flow.crm_status': 201 },
		exit: 'on_success', next: 'tag',
	});

	assert.deepEqual(tag.output, {
		variables: { 'flow.summary': 'Lead L-1001 for Marta', 'contact.plan': 'business' },
		exit: 'next', next: 'agent',
	});

	assert.equal(agent.type, 'handoff');
	assert.deepEqual(agent.output, {
		sent: [{ type: 'text', text: 'Connecting you with Marta now.' }],
		team: 'sales', department: 'onboarding',
	});

	assert.deepEqual(r.finalVariables, {
		flow: {
			email: 'ana.garcia@acme.io', plan: 'business', lead_id: 'L-1001', owner: 'Marta',
			crm_status: 201, summary: 'Lead L-1001 for Marta',
		},
		contact: { name: 'Ana', phone: '+34612345678', city: 'Madrid', plan: 'business' },
		system: { now: NOW, channel: 'whatsapp', phone: null },
	});
	// 8 steps; exits: greet 1, ask_email 3, ask_plan 2, route 3,
	// lookup 2, tag 1 (a handoff and an end have none)
	assert.deepEqual(r.coverage, {
		steps: { hit: 7, total: 8, percent: 87.5 },
		exits: { hit: 6, total: 12, percent: 50 },
		missedSteps: ['bye'],
		missedExits: [
			{ stepId: 'ask_email', exit: 'on_invalid' }, { stepId: 'ask_email', exit: 'on_timeout' },
			{ stepId: 'ask_plan', exit: 'on_invalid' }, { stepId: 'route', exit: 'branches[0]' },
			{ stepId: 'route', exit: 'default' }, { stepId: 'lookup', exit: 'on_error' },
		],
	});
	assert.deepEqual(r.lint, []);
});

test('the other ways through the flow', async () => {
	const cases = [
		// [name, messages, mocks, status, path, stoppedAt]
		['enterprise goes straight to an agent', ['ana@acme.io', 'Enterprise'], {}, 'handoff',
			'greet>next ask_email>next ask_plan>next route>branches[0] agent', 'agent'],
		['starter ends the flow', ['ana@acme.io', 'starter'], {}, 'completed',
			'greet>next ask_email>next ask_plan>next route>default bye', null],
		['business on gmail is not looked up', ['ana@gmail.com', 'business'], {}, 'completed',
			'greet>next ask_email>next ask_plan>next route>default bye', null],
		['the CRM fails: an agent takes over', ['ana@acme.io', 'business'], { lookup: { status: 500, body: { error: 'down' } } },
			'handoff', 'greet>next ask_email>next ask_plan>next route>branches[1] lookup>on_error agent', 'agent'],
		['no mock: a test-run never calls out, the call fails', ['ana@acme.io', 'business'], {},
			'handoff', 'greet>next ask_email>next ask_plan>next route>branches[1] lookup>on_error agent', 'agent'],
		['three bad emails: on_invalid', ['a', 'b', 'c', 'never read'], {}, 'handoff',
			'greet>next ask_email>retry ask_email>retry ask_email>on_invalid agent', 'agent'],
		['no answer within the hour: on_timeout', [{ timeout: true }], {}, 'completed',
			'greet>next ask_email>on_timeout bye', null],
		['no messages: waits at the first question', [], {}, 'waiting_input',
			'greet>next ask_email', 'ask_email'],
		['one answer: waits at the second question', ['ana@acme.io'], {}, 'waiting_input',
			'greet>next ask_email>next ask_plan', 'ask_plan'],
		['a choice that is not offered, then one that is', ['ana@acme.io', 'Premium', { text: 'starter' }], {},
			'completed', 'greet>next ask_email>next ask_plan>retry ask_plan>next route>default bye', null],
	];
	for (const [name, messages, mocks, status, path, at] of cases) {
		const r = await run({ messages, mocks });
		assert.equal(pathOf(r), path, name);
		assert.equal(r.status, status, name);
		assert.equal(r.stoppedAt, at, name);
	}
});

test("Mosend's own example, a body without messages, runs the flow until it first waits", async () => {
	// the seed's curl: -d '{"name": "string","description": "string"}'
	for (const body of [{ name: 'string', description: 'string' }, {}, { messages: null }]) {
		const r = await testRun(t, flow.id, body);
		assert.equal(r.status, 'waiting_input', JSON.stringify(body));
		assert.equal(r.stoppedAt, 'ask_email');
		assert.equal(pathOf(r), 'greet>next ask_email');
		assert.deepEqual(r.steps[1].output, {
			sent: [{ type: 'text', text: "What's your email?" }], attempt: 1, waiting: true,
		});
		assert.equal(r.messagesConsumed, 0);
		assert.equal(r.messagesLeft, 0);
		assert.equal(r.version, 'draft');
	}
});

test('details of the other endings', async () => {
	let r = await run({ messages: ['a', 'b', 'c', 'never read'] });
	assert.equal(r.messagesConsumed, 3);
	assert.equal(r.messagesLeft, 1);
	assert.deepEqual(r.steps.at(-1).output.sent, [{ type: 'text', text: 'Connecting you with our team now.' }]);
	r = await run({ messages: [{ timeout: true }] });
	assert.deepEqual(r.steps[1].output.input, { timeout: true });
	// the clock moved by the question's timeout
	assert.equal(r.finalVariables.system.now, '2026-05-01T10:00:00.000Z');
	assert.deepEqual(r.steps[2].output.sent, [{ type: 'text', text: 'Thanks, Ana! Talk soon.' }]);
	r = await run({ messages: [] });
	assert.deepEqual(r.steps[1].output, {
		sent: [{ type: 'text', text: "What's your email?" }], attempt: 1, waiting: true,
	});
	assert.deepEqual(r.finalVariables.flow, {});
	r = await run({ messages: ['ana@acme.io', 'business'] });
	assert.match(r.steps[4].output.error, /^no mock for step lookup/);
	assert.equal(r.steps[4].output.response, undefined);
	r = await testRun(t, flow.id, { messages: [] });
	// no contact: the defaults; no now: the server's clock
	assert.deepEqual(r.steps[0].output.sent, [{ type: 'text', text: 'Hi there, welcome to Acme!' }]);
	assert.match(r.finalVariables.system.now, TS);
	assert.ok(Math.abs(Date.parse(r.finalVariables.system.now) - Date.now()) < 60000);
});

test('a flow bound to a number: system.phone is that number', async () => {
	const f = await createFlow(t, {
		phoneNumberId: t.accountId,
		steps: [{ id: 'm', type: 'message', text: 'You wrote to {{system.phone}} on {{system.channel}}' }],
	});
	const r = await testRun(t, f.id, { messages: [] });
	assert.equal(r.steps[0].output.sent[0].text, `You wrote to ${t.display} on whatsapp`);
	assert.equal(r.finalVariables.system.phone, t.display);
});

test('a test-run changes nothing: the flow and its versions stay as they were', async () => {
	const before = mosendOk(await api('GET', flowPath(t, flow.id), t.key));
	await run({ messages: ['ana@acme.io', '2'], mocks: { lookup: CRM_OK } });
	assert.deepEqual(mosendOk(await api('GET', flowPath(t, flow.id), t.key)), before);
});
