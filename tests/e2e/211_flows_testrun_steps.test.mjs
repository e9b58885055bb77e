// Test-runs through the API of what the onboarding flow does not use:
// media, input kinds, set_variable errors, delay, jump, matches, the
// step budget on an endless loop, mocks in turn, timeouts.
import test from 'node:test';
import assert from 'node:assert/strict';
import { tenant } from './lib/harness.mjs';
import { createFlow, pathOf, testRun } from './lib/flows.mjs';

const t = tenant();
const runFlow = async (steps, body) => testRun(t, (await createFlow(t, { steps })).id, body);

test('an endless loop stops at the step budget with status error, quickly', async () => {
	const started = Date.now();
	const r = await runFlow([
		{ id: 'ping', type: 'message', text: 'ping', next: 'pong' },
		{ id: 'pong', type: 'set_variable', assignments: [{ var: 'n', expr: "'x'" }], next: 'ping' },
	], { messages: [] });
	assert.equal(r.status, 'error');
	assert.equal(r.stepsRun, 1000);
	assert.equal(r.steps.length, 1000);
	assert.equal(r.stoppedAt, 'ping');
	assert.equal(r.error, 'the run stopped at step ping after 1000 steps, the step budget: the flow loops without waiting for input');
	assert.deepEqual(r.lint.map((w) => w.rule), ['endless_loop']);
	assert.ok(Date.now() - started < 10000);
});

test('a counting loop with a condition ends by itself', async () => {
	const r = await runFlow([
		{ id: 'init', type: 'set_variable', assignments: [{ var: 'i', value: 0 }, { var: 'log', value: '' }] },
		{ id: 'inc', type: 'set_variable', assignments: [{ var: 'i', expr: 'i + 1' }, { var: 'log', expr: 'log + i' }] },
		{ id: 'more', type: 'condition', branches: [{ when: { all: [{ var: 'i', op: 'lt', value: 5 }] }, next: 'inc' }], default: 'done' },
		{ id: 'done', type: 'end', message: 'counted {{i}}: {{log}}' },
	], { messages: [] });
	assert.equal(r.status, 'completed');
	assert.deepEqual(r.steps.at(-1).output.sent, [{ type: 'text', text: 'counted 5: 12345' }]);
	assert.deepEqual(r.finalVariables.flow, { i: 5, log: '12345' });
});

test('set_variable: arithmetic, text, and division by zero stops the run', async () => {
	const r = await runFlow([
		{ id: 'calc', type: 'set_variable', assignments: [
			{ var: 'total', expr: 'qty * price * (1 + tax / 100)' },
			{ var: 'label', expr: "contact.name + ' owes ' + total" },
			{ var: 'contact.segment', value: 'vip-{{flow.qty}}' },
		] },
		{ id: 'avg', type: 'set_variable', assignments: [{ var: 'avg', expr: 'total / count' }] },
		{ id: 'end', type: 'end' },
	], { messages: [], variables: { qty: 3, price: 10, tax: 21, count: 0 }, contact: { name: 'Ana' } });
	assert.equal(r.status, 'error');
	assert.equal(r.stoppedAt, 'avg');
	assert.equal(r.error, 'step avg: assignments[0] (flow.avg): division by zero');
	assert.deepEqual(r.steps[0].output.variables, {
		'flow.total': 36.3, 'flow.label': 'Ana owes 36.3', 'contact.segment': 'vip-3',
	});
	assert.deepEqual(r.steps[1].output, { error: 'assignments[0] (flow.avg): division by zero' });
	const o = await runFlow([
		{ id: 'big', type: 'set_variable', assignments: [{ var: 'x', expr: 'n * n' }] },
	], { messages: [], variables: { n: 1e12 } });
	assert.equal(o.status, 'error');
	assert.match(o.error, /number overflow/);
});

test('media messages and input kinds', async () => {
	const r = await runFlow([
		{ id: 'pic', type: 'message', text: 'Our menu:', media: { type: 'document', url: 'https://cdn.example.com/menu-{{flow.lang|es}}.pdf', caption: 'Menu', filename: 'menu.pdf' } },
		{ id: 'age', type: 'question', prompt: 'Age?', input: 'number', min: 18, max: 120, save_to: 'age', on_invalid: 'bye' },
		{ id: 'birthday', type: 'question', prompt: 'Birthday?', input: 'date', save_to: 'birthday', on_invalid: 'bye' },
		{ id: 'phone', type: 'question', prompt: 'Phone?', input: 'phone', save_to: 'phone', on_invalid: 'bye' },
		{ id: 'zip', type: 'question', prompt: 'Postal code?', input: 'regex', pattern: '^\\d{5}$', save_to: 'zip', on_invalid: 'bye' },
		{ id: 'bye', type: 'end' },
	], { messages: ['17', '42,5', '31/12/1983', '0034 612 34 56 78', '2801', '28013'] });
	assert.equal(pathOf(r), 'pic>next age>retry age>next birthday>next phone>next zip>retry zip>next bye');
	assert.deepEqual(r.steps[0].output.sent, [
		{ type: 'text', text: 'Our menu:' },
		{ type: 'document', url: 'https://cdn.example.com/menu-es.pdf', caption: 'Menu', filename: 'menu.pdf' },
	]);
	assert.equal(r.steps[1].output.reason, 'must be at least 18');
	assert.equal(r.steps[5].output.reason, 'does not have the expected format');
	assert.deepEqual(r.finalVariables.flow, { age: 42.5, birthday: '1983-12-31', phone: '+34612345678', zip: '28013' });
});

test('delay moves the clock; jump repeats, then gives up', async () => {
	const r = await runFlow([
		{ id: 'ask', type: 'question', prompt: 'Code?', input: 'regex', pattern: '^[A-Z]{3}$', max_attempts: 1, save_to: 'code', on_invalid: 'wait' },
		{ id: 'ok', type: 'end', message: 'code {{code}}' },
		{ id: 'wait', type: 'delay', seconds: 600 },
		{ id: 'again', type: 'jump', target: 'ask', max_jumps: 2, on_exhausted: 'human' },
		{ id: 'human', type: 'handoff', team: 'support' },
	], { messages: ['1', '2', '3'], now: '2026-05-01T09:00:00Z' });
	assert.equal(pathOf(r), 'ask>on_invalid wait>next again>target ask>on_invalid wait>next again>target '
		+ 'ask>on_invalid wait>next again>on_exhausted human');
	assert.equal(r.status, 'handoff');
	assert.deepEqual(r.steps[1].output, { seconds: 600, now: '2026-05-01T09:10:00.000Z', exit: 'next', next: 'again' });
	assert.deepEqual(r.steps[2].output, { maxJumps: 2, jumps: 1, exit: 'target', next: 'ask' });
	assert.deepEqual(r.steps[8].output, { maxJumps: 2, jumps: 2, exit: 'on_exhausted', next: 'human' });
	assert.equal(r.finalVariables.system.now, '2026-05-01T09:30:00.000Z');
	assert.deepEqual(r.coverage.steps, { hit: 4, total: 5, percent: 80 });
});

test('conditions: matches, case, numbers in text, is_empty', async () => {
	const f = await createFlow(t, { steps: [
		{ id: 'c', type: 'condition', branches: [
			{ when: { any: [{ var: 'contact.message', op: 'matches', value: 'refund|money back' }] }, next: 'refund' },
			{ when: { all: [{ var: 'flow.score', op: 'gte', value: 8 }, { var: 'contact.email', op: 'is_empty' }] }, next: 'ask' },
			{ when: { all: [{ var: 'contact.country', op: 'eq', value: 'ES', case_sensitive: true }] }, next: 'es' },
		], default: 'other' },
		{ id: 'refund', type: 'end', message: 'refund' },
		{ id: 'ask', type: 'end', message: 'ask' },
		{ id: 'es', type: 'end', message: 'es' },
		{ id: 'other', type: 'end', message: 'other' },
	] });
	const cases = [
		[{ contact: { message: 'I want my MONEY BACK' } }, 'refund'],
		[{ variables: { score: '9' }, contact: { message: 'hi' } }, 'ask'],
		[{ variables: { score: '9' }, contact: { email: 'a@b.co' } }, 'other'],
		[{ contact: { country: 'ES' } }, 'es'],
		[{ contact: { country: 'es' } }, 'other'],
	];
	for (const [input, end] of cases) {
		const r = await testRun(t, f.id, { messages: [], ...input });
		assert.equal(r.steps.at(-1).stepId, end, JSON.stringify(input));
	}
});

test('mocks: answered in turn, the last repeats; errors and timeouts take on_error', async () => {
	const steps = [
		{ id: 'call', type: 'http_request', url: 'https://api.example.com/status', timeout_ms: 1000, mapping: { 'flow.state': 'body.state' }, on_error: 'retry' },
		{ id: 'done', type: 'end', message: 'state {{state}}' },
		{ id: 'retry', type: 'jump', target: 'call', max_jumps: 3, on_exhausted: 'human' },
		{ id: 'human', type: 'handoff' },
	];
	let r = await runFlow(steps, { messages: [], mocks: { call: [{ error: 'connection reset' }, { delay_ms: 5000 }, { status: 200, body: { state: 'ready' } }] } });
	assert.equal(pathOf(r), 'call>on_error retry>target call>on_error retry>target call>on_success done');
	assert.equal(r.steps[0].output.error, 'connection reset');
	assert.equal(r.steps[2].output.error, 'timed out after 1000 ms');
	assert.deepEqual(r.steps.at(-1).output.sent, [{ type: 'text', text: 'state ready' }]);
	r = await runFlow(steps, { messages: [], mocks: { call: { status: 503 } } });
	assert.equal(r.status, 'handoff');
	assert.equal(r.steps.filter((s) => s.stepId === 'call').length, 4);
	// a failed call without on_error ends the run with an error
	r = await runFlow([steps[0], steps[1]].map((s) => ({ ...s, on_error: undefined })), { messages: [], mocks: { call: { status: 404 } } });
	assert.equal(r.status, 'error');
	assert.equal(r.error, 'step call: the server answered HTTP 404 (the step has no on_error)');
	assert.deepEqual(r.lint.map((w) => w.rule), ['no_on_error']);
});

test('a large definition: a 200-step flow with 50 answers runs to the end', async () => {
	const steps = [];
	for (let i = 0; i < 50; i++) {
		steps.push({ id: `m${i}`, type: 'message', text: `Step ${i}, {{contact.name|friend}}` });
		steps.push({ id: `q${i}`, type: 'question', prompt: `Answer ${i}?`, save_to: `a${i}`, on_invalid: 'end' });
		steps.push({ id: `s${i}`, type: 'set_variable', assignments: [{ var: 'count', expr: i === 0 ? '1' : 'count + 1' }] });
		steps.push({ id: `c${i}`, type: 'condition', branches: [{ when: { all: [{ var: `a${i}`, op: 'eq', value: 'stop' }] }, next: 'end' }] });
	}
	steps[199] = { id: 'end', type: 'end', message: 'answered {{count}}' };
	const r = await runFlow(steps, { messages: Array.from({ length: 50 }, (_, i) => `answer ${i}`) });
	assert.equal(r.status, 'completed', r.error);
	assert.equal(r.messagesConsumed, 50);
	assert.equal(r.stepsRun, 200);
	assert.deepEqual(r.steps.at(-1).output.sent, [{ type: 'text', text: 'answered 50' }]);
});
