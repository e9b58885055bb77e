// The web chat widget in a real browser (docs/web-chat.md, "The
// widget"): Debian's Chromium, headless, driven by playwright-core.  A
// host page on an allowed origin (this test's own HTTP server) embeds
// the channel's snippet as GET .../snippet gives it; the visitor opens
// the widget, fills the prechat form and writes; the bot answers; an
// agent answers through the API and the visitor sees it without a
// reload (nchan); a reload keeps the history; a host-identified visitor
// with a wrong hash is refused; a page on another origin cannot start a
// session.  The open widget's screenshot is kept in build/e2e-artifacts.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, api, psql, tenant } from './lib/harness.mjs';
import { mosendOk } from './lib/flows.mjs';

const CHROMIUM = process.env.WA_CHROMIUM || '/usr/bin/chromium';
const ART = path.join(ROOT, 'build', 'e2e-artifacts');
const t = tenant({ account: false });
const org = `/organizations/${t.orgId}`;

// The host site: / is a page with the snippet (and, with ?as=, the
// host's identity settings before it).
let snippets = {};
const site = http.createServer((req, res) => {
	const u = new URL(req.url, 'http://x');
	const name = u.pathname.slice(1) || 'main';
	const s = snippets[name];
	if (!s) {
		res.writeHead(404);
		res.end();
		return;
	}
	res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
	res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body style="font-family: sans-serif; background: #f4f4f4"><h1>The shop</h1><p>Products.</p>
${s.settings ? `<script>window.wagateSettings = ${JSON.stringify(s.settings)};</script>` : ''}
${s.html}
</body></html>`);
});
await new Promise((ok) => site.listen(0, '127.0.0.1', ok));
const PORT = site.address().port;
const ALLOWED = `http://127.0.0.1:${PORT}`;
const FOREIGN = `http://localhost:${PORT}`;	// another origin, same server

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
test.after(async () => {
	await browser.close();
	site.close();
});

async function page() {
	const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1000, height: 760 } });
	const p = await ctx.newPage();
	const errors = [];
	p.on('pageerror', (e) => errors.push(e.message));
	return { ctx, p, errors };
}

async function channel(body) {
	const c = mosendOk(await api('POST', `${org}/web-chat/channels`, t.key, { body }), 201);
	const sn = mosendOk(await api('GET', `${org}/web-chat/channels/${c.id}/snippet`, t.key));
	return { c, html: sn.snippet };
}

const W = (sel) => `[data-wagate="${sel}"]`;
const messages = (p) => p.locator(W('message')).evaluateAll((els) =>
	els.map((e) => [e.getAttribute('data-sender'), e.textContent]));

test('a visitor chats: prechat, the bot, an agent live, a reload keeps the history', async (ctx) => {
	const flows = `${org}/bot/flows`;
	const f = mosendOk(await api('POST', flows, t.key, { body: {
		name: 'hours', triggerType: 'KEYWORD', triggerConfig: { keywords: ['hours'] },
		steps: [{ id: 'bye', type: 'end', message: 'We open at 9 every day.' }],
	} }), 201);
	mosendOk(await api('POST', `${flows}/${f.id}/publish`, t.key), 201);
	const { html } = await channel({ name: 'Shop chat', color: '#0b5cad', welcomeMessage: 'Hi! Ask us anything.',
		allowedDomains: [ALLOWED], precaptureEnabled: true,
		prechatFields: [{ name: 'name', label: 'Your name', type: 'text', required: true }] });
	snippets = { main: { html } };
	const { ctx: bctx, p, errors } = await page();
	try {
		await p.goto(`${ALLOWED}/main`);
		await p.locator(W('launcher')).click();
		await assert.doesNotReject(p.locator(W('welcome')).waitFor());
		assert.match(await p.locator(W('welcome')).textContent(), /Ask us anything/);
		// the prechat form, by its label
		const form = p.locator(W('prechat'));
		await form.getByLabel('Your name').fill('Rosa');
		await p.locator(W('prechat-submit')).click();
		const input = p.locator(W('input'));
		await input.waitFor();
		await input.fill('hours');
		await input.press('Enter');
		await p.locator(`${W('message')}[data-sender="bot"]`).waitFor({ timeout: 10000 });
		const visitor = await p.evaluate(() => window.WagateChat.state());
		assert.ok(visitor.conversationId);
		// the live connection, then an agent's answer without a reload
		await p.waitForFunction(() => window.WagateChat.state().live === 'open', null, { timeout: 10000 });
		mosendOk(await api('POST', `${org}/conversations/${visitor.conversationId}/web-chat/send`, t.key,
			{ body: { body: 'Hello Rosa, an agent here.' } }), 201);
		await p.locator(`${W('message')}[data-sender="agent"]`).waitFor({ timeout: 3000 });
		const seen = await messages(p);
		assert.deepEqual(seen.map(([s]) => s), ['visitor', 'bot', 'agent']);
		assert.match(seen[0][1], /hours/);
		assert.match(seen[1][1], /We open at 9 every day\./);
		assert.match(seen[2][1], /Hello Rosa, an agent here\./);
		// the prechat answer reached the agents
		const conv = mosendOk(await api('GET', `${org}/conversations/${visitor.conversationId}`, t.key));
		assert.equal(conv.visitor.prechat.name, 'Rosa');
		fs.mkdirSync(ART, { recursive: true });
		const shot = path.join(ART, 'web-chat-widget.png');
		await p.screenshot({ path: shot });
		ctx.diagnostic(`screenshot of the open widget: ${shot}`);
		// a reload: the same visitor, its history, no prechat form
		await p.reload();
		await p.locator(W('launcher')).click();
		try {
			await p.locator(`${W('message')}[data-sender="agent"]`).waitFor({ timeout: 5000 });
		} catch (e) {
			await p.screenshot({ path: path.join(ART, 'web-chat-widget-reload.png') });
			throw e;
		}
		assert.deepEqual((await messages(p)).map(([s]) => s), ['visitor', 'bot', 'agent']);
		assert.equal(await p.locator(W('prechat')).count(), 0);
		assert.equal((await p.evaluate(() => window.WagateChat.state())).visitorId, visitor.visitorId);
		// keyboard: Escape closes and gives the launcher its focus back
		await p.keyboard.press('Escape');
		assert.equal(await p.locator(W('launcher')).getAttribute('aria-expanded'), 'false');
		assert.deepEqual(errors, []);
	} finally {
		await bctx.close();
	}
});

test('a host-identified visitor with a wrong hash is refused', async () => {
	const { c, html } = await channel({ name: 'Members chat', allowedDomains: [ALLOWED], identityRequired: true });
	mosendOk(await api('POST', `${org}/web-chat/channels/${c.id}/identity-secret`, t.key), 201);
	snippets = { members: { html, settings: { userId: 'u-1', name: 'Ada', hash: '0'.repeat(64) } } };
	const { ctx: bctx, p } = await page();
	try {
		await p.goto(`${ALLOWED}/members`);
		const refused = p.waitForResponse((r) => r.url().endsWith('/sessions'));
		await p.locator(W('launcher')).click();
		assert.equal((await refused).status(), 401);
		await p.locator(W('error')).waitFor({ state: 'visible' });
		assert.equal(await p.locator(W('input')).isVisible(), false, 'no composer');
	} finally {
		await bctx.close();
	}
	assert.equal(psql(`SELECT count(*) FROM wa.web_chat_visitors WHERE channel_id = '${c.id}'`, { as: 'super' }).trim(), '0');
});

test('a page on another origin cannot start a session', async () => {
	const { c, html } = await channel({ name: 'Closed chat', allowedDomains: [ALLOWED] });
	snippets = { other: { html } };
	const { ctx: bctx, p } = await page();
	try {
		// the widget asks for its channel, which the browser refuses
		// the page (403 without CORS headers for this origin)
		const asked = p.waitForRequest((r) => r.url().endsWith('/channel'));
		await p.goto(`${FOREIGN}/other`);
		await asked;
		await p.waitForTimeout(500);
		assert.equal(await p.locator(W('launcher')).count(), 0);
		// and a session forced from that page is refused by the server
		const status = await p.evaluate(async (u) => {
			try {
				const r = await fetch(u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
				return r.status;
			} catch (e) {
				return 'blocked';
			}
		}, `${new URL(html.match(/src="([^"]+)"/)[1]).origin}/web-chat/${c.token}/sessions`);
		assert.equal(status, 'blocked');
	} finally {
		await bctx.close();
	}
	assert.equal(psql(`SELECT count(*) FROM wa.web_chat_visitors WHERE channel_id = '${c.id}'`, { as: 'super' }).trim(), '0');
});
