/*
 * wagate web chat widget (docs/web-chat.md).
 *
 * A host page loads it with the channel's install snippet
 *
 *   <script src="https://HOST/web-chat/widget.js" data-wagate-channel="wc_..." async></script>
 *
 * and may first say who its visitor is (session mode host-identified):
 * window.wagateSettings = { userId, email, name, hash, hashTimestamp? }.
 *
 * It reads the channel (GET /channel), draws a launcher and a chat panel
 * in an open shadow root (the host's CSS stays out, ours stays in), and
 * talks to the widget's API under /web-chat/<token>/: sessions, history,
 * messages, uploads, presence, link-email, and the live EventSource.
 * Plain ES2017: no framework, no build step, no dependencies.
 *
 * Rules it keeps: nothing it does throws into the host page (handlers and
 * async flows run through guard(), which reports the widget's own errors
 * to /client-error, five per page load at most); its only global is
 * window.WagateChat; server text only ever becomes textContent; its
 * timers and EventSource end with the page.
 *
 * Test hooks: data-wagate="..." on its parts (launcher, panel, log,
 * message, input, send, ...) and WagateChat.state().
 */
(function () {
	'use strict';

	if (window.WagateChat) return;	/* the snippet twice: the first one stays */

	/* ---- where we come from ------------------------------------------- */

	const script = document.currentScript || document.querySelector('script[data-wagate-channel]');
	const CHANNEL = script ? script.getAttribute('data-wagate-channel') : null;
	let BASE = null;
	try { BASE = new URL(script.getAttribute('src'), location.href).origin; } catch (_) { /* none */ }
	if (!CHANNEL || !BASE || BASE === 'null')
		return void console.warn('wagate: the widget needs its script tag (src, data-wagate-channel)');

	const ROOT = BASE + '/web-chat/' + encodeURIComponent(CHANNEL);
	const STORE_KEY = 'wagate:' + CHANNEL;
	const PRESENCE_EVERY = 60e3;	/* "active" again while open and seen */
	const TYPING_EVERY = 5e3;	/* "typing" at most this often */
	const RENEW_MARGIN = 60e3;	/* renew a visitor token this close to its end */
	const LIVE_RETRY_MAX = 60e3;	/* longest wait before a new EventSource */
	const CATCH_UP_PAGES = 20;	/* history?after pages read after a reconnect */
	const UPLOAD_MAX = 16 * 1024 * 1024;
	const MAX_REPORTS = 5;
	const DEFAULT_COLOR = '#1f6feb';
	const OFFLINE_TEXT = 'We are offline right now.';

	/* ---- state -------------------------------------------------------- */

	let channel = null;		/* GET /channel's data */
	let stored = loadStored();	/* {visitorId, resumeToken, mode?, name?, email?, linkedEmail?} */
	let session = null;		/* {token, expiresAt (ms), visitorId, conversationId, mode} */
	let starting = null, renewing = null;	/* sessions under way (promises) */
	let ui = null;			/* the drawn elements */
	let isOpen = false, begun = false, entered = false, pendingOpen = false;
	const shown = new Map();	/* message id -> its record */
	const list = [];		/* the records {m, t, el} shown, oldest first */
	let es = null, liveState = 'closed', liveAttempts = 0;
	const timers = { presence: 0, liveRetry: 0, triggers: [] };
	const exitTriggers = [];
	let lastTyping = 0, sending = false, pendingFile = null, reported = 0;

	/* ---- errors: shown to the visitor, or reported -------------------- */

	/* An API answer other than success, or none at all (status 0); its
	 * message (the server's, joined when a list) is what the visitor reads. */
	class ApiError extends Error {
		constructor(status, message) {
			const texts = Array.isArray(message) ? message.map(String) :
			    [String(message || 'Something went wrong')];
			super(texts.join('; '));
			this.name = 'ApiError';
			this.status = status;
			this.texts = texts;
		}
	}

	/* e when it is the server's word; anything else is a bug: rethrown. */
	function apiError(e) {
		if (!(e instanceof ApiError)) throw e;
		return e;
	}

	/* A failure of the widget itself: logged, and sent to the server (five
	 * per page load).  An ApiError is the server's answer, not a bug. */
	function report(err) {
		try {
			if (err instanceof ApiError) return void console.warn('wagate:', err.message);
			console.error('wagate: internal error', err);
			if (reported++ >= MAX_REPORTS) return;
			const e = err instanceof Error ? err : new Error(String(err));
			const at = /widget\.js[^\s:)]*:(\d+):(\d+)/.exec(e.stack || '') || [];
			const payload = { message: String(e.message || e.name || 'Error').slice(0, 1000),
			    stack: e.stack ? String(e.stack).slice(0, 8000) : undefined,
			    url: String(location.href).slice(0, 2000), line: at[1] ? Number(at[1]) : undefined,
			    column: at[2] ? Number(at[2]) : undefined,
			    userAgent: String(navigator.userAgent).slice(0, 500) };
			fetch(ROOT + '/client-error', { method: 'POST', mode: 'cors', credentials: 'omit',
			    keepalive: true, headers: { 'Content-Type': 'application/json' },
			    body: JSON.stringify(payload) }).catch(() => { /* nothing more to do */ });
		} catch (_) { /* never into the host page */ }
	}

	/* fn, safe to hand to the browser: a throw or a rejected promise is
	 * reported instead of reaching the host page. */
	function guard(fn) {
		return function () {
			try { spawn(fn.apply(this, arguments)); } catch (e) { report(e); }
		};
	}

	function spawn(result) {
		if (result && typeof result.then === 'function') result.then(null, report);
	}

	/* ---- storage (may be unavailable: private modes, sandboxes) -------- */

	function loadStored() {
		try {
			const v = JSON.parse(window.localStorage.getItem(STORE_KEY));
			if (v && typeof v.visitorId === 'string' && typeof v.resumeToken === 'string') return v;
		} catch (_) { /* none, unreadable, or not ours */ }
		return null;
	}

	function saveStored() {
		try {
			if (stored) window.localStorage.setItem(STORE_KEY, JSON.stringify(stored));
			else window.localStorage.removeItem(STORE_KEY);
		} catch (_) { /* kept in memory, for this page only */ }
	}

	function hostSettings() {
		const s = window.wagateSettings;
		return s && typeof s === 'object' ? s : {};
	}

	/* ---- the API ------------------------------------------------------ */

	/* One call: the parsed success envelope ({} for a 204), else an
	 * ApiError.  opts: body (JSON), form (FormData), auth (the visitor
	 * token; a 401 renews the session and tries once more). */
	async function api(method, path, opts) {
		opts = opts || {};
		const headers = {};
		const init = { method, mode: 'cors', credentials: 'omit', headers };
		if (opts.form) {
			init.body = opts.form;	/* the browser writes the multipart boundary */
		} else if (opts.body !== undefined) {
			headers['Content-Type'] = 'application/json';
			init.body = JSON.stringify(opts.body);
		}
		if (opts.auth) headers.Authorization = 'Bearer ' + await visitorToken();
		let res, json = null;
		try {
			res = await fetch(ROOT + path, init);
		} catch (_) {
			throw new ApiError(0, 'Could not reach the chat. Check your connection and try again.');
		}
		if (res.status === 401 && opts.auth && !opts.retried) {
			await renew();
			return api(method, path, Object.assign({}, opts, { retried: true }));
		}
		if (res.status !== 204) {
			try { json = await res.json(); } catch (_) { /* not JSON: the status says it */ }
		}
		if (!res.ok) {
			throw new ApiError(res.status, json && json.message != null ? json.message :
			    'The chat answered ' + res.status);
		}
		return json || {};
	}

	/* ---- sessions ----------------------------------------------------- */

	/* The body that makes this visitor's session (again): the host's
	 * identity, else the stored pair and the name/e-mail it gave. */
	function sessionBody() {
		const s = hostSettings();
		const body = { mode: s.hash ? 'host-identified' : 'anonymous' };
		if (s.hash) {
			['userId', 'email', 'name', 'hash'].forEach((k) => {
				if (s[k] != null && s[k] !== '') body[k] = String(s[k]);
			});
			/* a host that signs the time too (docs/web-chat.md) */
			if (Number.isInteger(s.hashTimestamp)) body.hashTimestamp = s.hashTimestamp;
		} else if (stored) {
			body.visitorId = stored.visitorId;
			body.resumeToken = stored.resumeToken;
			if (stored.mode === 'identified' && (stored.name || stored.email)) {
				body.mode = 'identified';
				if (stored.name) body.name = stored.name;
				if (stored.email) body.email = stored.email;
			}
		}
		return body;
	}

	async function startSession(body) {
		const d = (await api('POST', '/sessions', { body })).data || {};
		if (!d.token || !d.conversationId) throw new ApiError(0, 'The chat answered an unexpected session.');
		const before = session ? session.conversationId : null;
		session = { token: d.token, expiresAt: Date.parse(d.expiresAt) || Date.now() + 30 * 60e3,
		    visitorId: d.visitorId || null, conversationId: d.conversationId, mode: d.mode || body.mode };
		/* host-identified visitors are found by their hash: nothing kept */
		if (session.mode !== 'host-identified' && d.visitorId && d.resumeToken) {
			const next = stored && stored.visitorId === d.visitorId ? Object.assign({}, stored) : {};
			next.visitorId = d.visitorId;
			next.resumeToken = d.resumeToken;
			if (body.mode === 'identified') {
				next.mode = 'identified';
				if (body.name) next.name = body.name;
				if (body.email) next.email = body.email;
			}
			stored = next;
			saveStored();
		}
		if (entered && before && before !== session.conversationId) {
			/* the stored pair no longer matched: another conversation */
			list.splice(0).forEach((rec) => rec.el.remove());
			shown.clear();
			openLive();
			spawn(loadHistory(false));
		}
		return d;
	}

	/* One promise at a time from make(), shared by whoever asks meanwhile. */
	function shared(get, set, make) {
		if (!get()) {
			set(make().then((v) => { set(null); return v; }, (e) => { set(null); throw e; }));
		}
		return get();
	}

	/* A fresh visitor token for the same visitor. */
	function renew() {
		return shared(() => renewing, (p) => { renewing = p; }, () => startSession(sessionBody()));
	}

	async function visitorToken() {
		if (!session) throw new ApiError(0, 'The chat is not connected yet.');
		if (session.expiresAt - Date.now() < RENEW_MARGIN) await renew();
		return session.token;
	}

	function needsPrechat() {
		return !!channel.precaptureEnabled && Array.isArray(channel.prechatFields) &&
		    channel.prechatFields.length > 0;
	}

	/* What the panel offers first, decided on its first opening. */
	function begin() {
		if (channel.identityRequired && !hostSettings().hash) {
			ui.main.appendChild(h('p', { class: 'card', 'data-wagate': 'identity-required',
			    text: 'Please sign in on this site to chat.' }));
			showComposer(false);
		} else if (!hostSettings().hash && !stored && needsPrechat()) {
			drawPrechat();
		} else {
			spawn(connect());
		}
	}

	/* The session of a visitor who fills no form (the host's, a returning
	 * one's, a new anonymous one), then the conversation: true when made. */
	function connect() {
		return shared(() => starting, (p) => { starting = p; }, async () => {
			const resuming = !hostSettings().hash && !!stored;
			ui.log.setAttribute('aria-busy', 'true');
			try {
				await startSession(sessionBody());
			} catch (err) {
				const e = apiError(err);
				if (resuming && e.status === 400 && needsPrechat()) {
					/* the stored visitor is gone: a new one answers first */
					stored = null;
					saveStored();
					drawPrechat();
					if (isOpen) focusInside();
					return false;
				}
				showError(e.message);
				if (e.status === 401 || e.status === 403 || (hostSettings().hash && e.status === 422)) {
					const typing = ui.root.activeElement === ui.input;
					showComposer(false);	/* nothing this visitor can send */
					if (isOpen && typing) focusInside();
				}
				return false;
			} finally {
				ui.log.removeAttribute('aria-busy');
			}
			await enterConversation();
			return true;
		});
	}

	/* With a session: the composer, the extras, the history, live. */
	async function enterConversation() {
		entered = true;
		showComposer(true);
		drawExtras();
		if (isOpen) presenceStart();
		await loadHistory(false);
		openLive();
	}

	/* ---- history and live delivery ------------------------------------ */

	async function loadHistory(quiet) {
		try {
			const res = await api('GET', '/history', { auth: true });
			(Array.isArray(res.data) ? res.data : []).forEach(addMessage);
		} catch (err) {
			const e = apiError(err);
			if (quiet) console.warn('wagate: history:', e.message);
			else showError(e.message);
		}
	}

	/* What arrived while live was away: the messages after the newest one
	 * shown, page by page (the latest, when none is shown). */
	async function catchUp() {
		if (!list.length) return loadHistory(true);
		try {
			let after = list[list.length - 1].m.id;
			for (let page = 0; page < CATCH_UP_PAGES; page++) {
				const res = await api('GET', '/history?after=' + encodeURIComponent(after), { auth: true });
				const got = Array.isArray(res.data) ? res.data : [];
				got.forEach(addMessage);
				if (!res.hasMore || !got.length) break;
				after = got[got.length - 1].id;
			}
		} catch (err) {
			console.warn('wagate: catching up:', apiError(err).message);
		}
		return undefined;
	}

	function openLive() {
		closeLive();
		if (!session || typeof window.EventSource !== 'function') return;
		const source = es = new EventSource(ROOT + '/live/' + encodeURIComponent(session.conversationId) +
		    '?access_token=' + encodeURIComponent(session.token));
		liveState = 'connecting';
		source.onopen = guard(() => {
			if (es !== source) return undefined;
			liveState = 'open';
			liveAttempts = 0;
			/* after a reconnect (and in case a message fell between the
			 * history and the subscription): fill the gap */
			return catchUp();
		});
		source.onmessage = guard((ev) => {
			let event = null;
			try { event = JSON.parse(ev.data); } catch (_) { return; /* not ours to read */ }
			if (es === source && event && event.type === 'message' && event.data) addMessage(event.data);
		});
		source.onerror = guard(() => {
			if (es !== source) return;
			if (source.readyState !== 2) {
				liveState = 'connecting';	/* the browser reconnects by itself */
			} else {
				closeLive();		/* CLOSED: refused, e.g. 403 for an expired token */
				retryLive();
			}
		});
	}

	function closeLive() {
		if (es) {
			es.onopen = es.onmessage = es.onerror = null;
			es.close();
			es = null;
		}
		liveState = 'closed';
		clearTimeout(timers.liveRetry);
		timers.liveRetry = 0;
	}

	/* A closed feed: a renewed session, then a new EventSource; backing off. */
	function retryLive() {
		if (timers.liveRetry) return;
		const delay = Math.min(LIVE_RETRY_MAX, 1000 * Math.pow(2, liveAttempts++));
		timers.liveRetry = setTimeout(guard(async () => {
			timers.liveRetry = 0;
			try { await renew(); } catch (err) { apiError(err); return retryLive(); }
			if (!es) openLive();	/* a new conversation may have opened one */
			return undefined;
		}), delay);
	}

	/* ---- presence ----------------------------------------------------- */

	function presence(state) {
		if (!session) return;
		api('POST', '/presence', { body: { state }, auth: true })
		    .catch((e) => console.debug('wagate: presence:', apiError(e).message)).catch(report);
	}

	function presenceStart() {
		presence('active');
		clearInterval(timers.presence);
		timers.presence = setInterval(guard(() => {
			if (isOpen && !document.hidden) presence('active');
		}), PRESENCE_EVERY);
	}

	function presenceStop() {
		clearInterval(timers.presence);
		timers.presence = 0;
	}

	/* ---- DOM helpers -------------------------------------------------- */

	/* An element: attrs become attributes (text: its textContent; on*:
	 * guarded listeners; null and false left out); children appended. */
	function h(tag, attrs, children) {
		const node = document.createElement(tag);
		Object.keys(attrs || {}).forEach((k) => {
			const v = attrs[k];
			if (v == null || v === false) return;
			if (k === 'text') node.textContent = String(v);
			else if (k === 'class') node.className = v;
			else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), guard(v));
			else node.setAttribute(k, v === true ? '' : String(v));
		});
		(children || []).forEach((c) => {
			if (c != null) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
		});
		return node;
	}

	const ICONS = {		/* [filled or stroked, path] on a 24x24 grid */
		chat: [1, 'M6 4h12a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-7l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'],
		close: [0, 'M6 6l12 12M18 6L6 18'],
		send: [1, 'M3 20.5l18-8.5L3 3.5V10l12 2-12 2z'],
		clip: [0, 'M20 11.5l-8 8a5 5 0 0 1-7-7l8.5-8.5a3.4 3.4 0 0 1 4.8 4.8L10 17a1.7 1.7 0 0 1-2.4-2.4L15 7.2'],
	};

	/* A decorative inline SVG icon, built rather than parsed. */
	function icon(name) {
		const NS = 'http://www.w3.org/2000/svg', filled = ICONS[name][0];
		const svg = document.createElementNS(NS, 'svg'), path = document.createElementNS(NS, 'path');
		const set = (node, attrs) => Object.keys(attrs).forEach((k) => node.setAttribute(k, attrs[k]));
		set(svg, { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' });
		set(path, filled ? { d: ICONS[name][1], fill: 'currentColor' } : { d: ICONS[name][1], fill: 'none',
		    stroke: 'currentColor', 'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' });
		svg.appendChild(path);
		return svg;
	}

	/* An http(s) address, else null (no javascript: and the like). */
	function safeUrl(u) {
		if (typeof u !== 'string' || u === '') return null;
		let url = null;
		try { url = new URL(u, BASE); } catch (_) { return null; }
		return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
	}

	function clock(iso) {
		const d = new Date(iso);
		if (isNaN(d.getTime())) return '';
		const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
		return d.toDateString() === new Date().toDateString() ? time :
		    d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ', ' + time;
	}

	/* ---- colour: the channel's, with readable text on it --------------- */

	/* WCAG 2 relative luminance of [r, g, b] (0-255). */
	function luminance(rgb) {
		const c = rgb.map((v) => (v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
		return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
	}

	function contrast(a, b) {
		const x = luminance(a), y = luminance(b);
		return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
	}

	/* The accent, the text on it (white or near-black, whichever has the
	 * higher contrast), and a focus ring that shows on white (3:1). */
	function palette(color) {
		const m = /^#([0-9a-f]{6})$/i.exec(String(color || '').trim()) || ['', DEFAULT_COLOR.slice(1)];
		const rgb = [0, 2, 4].map((i) => parseInt(m[1].substr(i, 2), 16));
		const white = [255, 255, 255], ink = [17, 17, 17], hex = '#' + m[1].toLowerCase();
		return { accent: hex, onAccent: contrast(rgb, white) >= contrast(rgb, ink) ? '#ffffff' : '#111111',
		    focus: contrast(rgb, white) >= 3 ? hex : '#1f2328' };
	}

	/* ---- messages ----------------------------------------------------- */

	function bubble(m) {
		const kind = m.sender === 'visitor' ? 'mine' : m.sender === 'system' ? 'system' : 'theirs';
		const who = m.sender === 'visitor' ? 'You' : m.sender === 'bot' ? 'Bot' :
		    m.sender === 'system' ? 'Notice' : String(channel.name || 'Agent');
		const el = h('div', { class: 'msg ' + kind, 'data-wagate': 'message', 'data-sender': m.sender || '',
		    'data-id': m.id }, [h('span', { class: 'who', text: who })]);
		if (typeof m.body === 'string' && m.body !== '') el.appendChild(h('p', { class: 'body', text: m.body }));
		const media = m.media && typeof m.media === 'object' ? m.media : null;
		const url = media ? safeUrl(media.url) : null;
		const name = media ? String(media.fileName || 'Attachment') : '';
		if (url && (m.type === 'image' || /^image\//.test(media.mimeType || ''))) {
			el.appendChild(h('a', { class: 'media', href: url, target: '_blank', rel: 'noopener' },
			    [h('img', { src: url, alt: name, loading: 'lazy', width: media.width || null,
			    height: media.height || null, onload: scrollDown })]));
		} else if (url) {
			el.appendChild(h('a', { class: 'file', href: url, target: '_blank', rel: 'noopener', text: name }));
		} else if (m.mediaAssetId || (m.type && m.type !== 'text')) {
			el.appendChild(h('p', { class: 'body', text: 'Attachment unavailable' }));
		}
		el.appendChild(h('time', { datetime: m.createdAt || null, text: clock(m.createdAt) }));
		return el;
	}

	/* A message into the log: once (by id), in time order, scrolled to. */
	function addMessage(m) {
		if (!m || typeof m !== 'object' || typeof m.id !== 'string' || shown.has(m.id)) return;
		if (session && m.conversationId && m.conversationId !== session.conversationId) return;
		const rec = { m, t: Date.parse(m.createdAt) || Date.now(), el: bubble(m) };
		let i = list.length;
		while (i > 0 && list[i - 1].t > rec.t) i--;
		list.splice(i, 0, rec);
		shown.set(m.id, rec);
		ui.log.insertBefore(rec.el, i + 1 < list.length ? list[i + 1].el : null);
		scrollDown();
	}

	function scrollDown() {
		if (ui) ui.main.scrollTop = ui.main.scrollHeight;
	}

	function showError(text) {
		ui.error.textContent = text || '';
		ui.error.hidden = !text;
	}

	/* ---- the composer ------------------------------------------------- */

	function showComposer(on) {
		ui.composer.hidden = !on;
		if (!on) setFile(null);
	}

	function setSending(on) {
		ui.input.readOnly = ui.send.disabled = ui.attach.disabled = on;
		ui.composer.setAttribute('aria-busy', String(on));
	}

	function setFile(file) {
		pendingFile = file ? { file, assetId: null } : null;
		ui.pendingName.textContent = file ? file.name : '';
		ui.pending.hidden = !file;
	}

	function autosize() {
		ui.input.style.height = 'auto';
		ui.input.style.height = Math.min(ui.input.scrollHeight, 120) + 'px';
	}

	/* Send what the composer holds: the staged file (uploaded first), the
	 * text, or both as one message. */
	async function send() {
		const text = ui.input.value.trim();
		if (sending || ui.input.disabled || (!text && !pendingFile)) return;
		sending = true;
		setSending(true);
		showError('');
		try {
			if (!session && !(await connect())) return;
			const body = {};
			if (pendingFile && !pendingFile.assetId) {
				const form = new FormData();
				form.append('file', pendingFile.file, pendingFile.file.name);
				const up = await api('POST', '/upload', { form, auth: true });
				pendingFile.assetId = up.data ? up.data.mediaAssetId : null;
			}
			if (pendingFile) body.mediaAssetId = pendingFile.assetId;
			if (text) body.body = text;
			const res = await api('POST', '/messages', { body, auth: true });
			ui.input.value = '';
			autosize();
			setFile(null);
			addMessage(res.data);
		} catch (err) {
			const e = apiError(err);
			showError(e.status === 429 ? 'Too many messages, wait a moment' : e.message);
		} finally {
			sending = false;
			setSending(false);
			if (isOpen && !ui.composer.hidden) ui.input.focus();
		}
	}

	function onTyping() {
		autosize();
		if (session && ui.input.value !== '' && Date.now() - lastTyping >= TYPING_EVERY) {
			lastTyping = Date.now();
			presence('typing');
		}
	}

	/* A picked file waits beside the composer until Send. */
	function onFilePicked() {
		const file = ui.attach.files && ui.attach.files[0];
		ui.attach.value = '';	/* so that the same file again fires change */
		if (!file) return;
		if (file.size > UPLOAD_MAX) return showError('Files can be 16 MB at most.');
		showError('');
		setFile(file);
		ui.input.focus();
	}

	/* ---- forms: prechat, offline e-mail, e-mail banner ----------------- */

	function field(id, label, control, required) {
		control.id = id;
		return h('div', { class: 'field' }, [h('label', { for: id }, [label, required ?
		    h('span', { 'aria-hidden': 'true', text: ' *' }) : null]), control]);
	}

	function drawPrechat() {
		showComposer(false);
		const controls = {};
		const submit = h('button', { type: 'submit', class: 'primary', 'data-wagate': 'prechat-submit',
		    text: 'Start chat' });
		const form = h('form', { class: 'card', 'data-wagate': 'prechat', 'aria-label': 'Before we start',
		    onsubmit: submitPrechat }, [h('p', { class: 'intro', text: 'Tell us a little about you to start.' })]);
		channel.prechatFields.forEach((f, i) => {
			if (!f || typeof f.name !== 'string') return;
			const id = 'wg-pc-' + i, label = String(f.label || f.name);
			const attrs = { name: f.name, required: !!f.required, 'aria-describedby': id + '-err' };
			const type = f.type === 'email' ? 'email' : f.type === 'phone' ? 'tel' : 'text';
			let c;
			if (f.type === 'textarea') {
				c = h('textarea', Object.assign({ rows: 3 }, attrs));
			} else if (f.type === 'select') {
				c = h('select', attrs, [h('option', { value: '', text: 'Choose…' })].concat(
				    (Array.isArray(f.options) ? f.options : []).map((o) =>
				    h('option', { value: String(o), text: String(o) }))));
			} else {
				c = h('input', Object.assign({ type, placeholder: type === 'tel' ? '+14155550100' : null,
				    autocomplete: type !== 'text' ? type : f.name === 'name' ? 'name' : null }, attrs));
			}
			const err = h('p', { class: 'field-error', id: id + '-err', hidden: true });
			form.appendChild(field(id, label, c, !!f.required)).appendChild(err);
			controls[f.name] = { c, err, label };
		});
		form.appendChild(submit);
		ui.main.appendChild(form);
		ui.prechat = form;

		async function submitPrechat(ev) {
			ev.preventDefault();
			if (submit.disabled) return undefined;
			const answers = {};
			Object.keys(controls).forEach((name) => {
				const ctl = controls[name], v = ctl.c.value.trim();
				ctl.err.hidden = true;
				ctl.c.removeAttribute('aria-invalid');
				if (v !== '') answers[name] = v;
			});
			showError('');
			/* fields named name and email say who the visitor is */
			const body = { mode: answers.name || answers.email ? 'identified' : 'anonymous', prechat: answers };
			if (answers.name) body.name = answers.name;
			if (answers.email) body.email = answers.email;
			submit.disabled = true;
			try {
				await startSession(body);
			} catch (err) {
				return fieldErrors(apiError(err));
			} finally {
				submit.disabled = false;
			}
			form.remove();
			ui.prechat = null;
			const entering = enterConversation();	/* shows the composer at once */
			if (isOpen) focusInside();
			return entering;
		}

		/* "prechat.email must be ..." beside its field; the rest below. */
		function fieldErrors(e) {
			const rest = [];
			let first = null;
			e.texts.forEach((text) => {
				const m = /^(?:prechat\.)?([A-Za-z][\w-]*) (.+)$/.exec(text);
				const ctl = e.status === 400 && m ? controls[m[1]] : null;
				if (!ctl) return void rest.push(text);
				ctl.err.textContent = ctl.label + ' ' + m[2];
				ctl.err.hidden = false;
				ctl.c.setAttribute('aria-invalid', 'true');
				first = first || ctl.c;
			});
			showError(rest.join('; '));
			if (first) first.focus();
		}
	}

	/* A small form: a labelled control and a button; submitting runs
	 * call(value), whose API error goes to the error line. */
	function miniForm(cls, label, control, buttonText, call) {
		const btn = h('button', { type: 'submit', class: 'primary', text: buttonText });
		return h('form', { class: cls, onsubmit: async (ev) => {
			ev.preventDefault();
			const v = control.value.trim();
			if (!v || btn.disabled) return;
			btn.disabled = true;
			showError('');
			try {
				await call(v);
			} catch (err) {
				showError(apiError(err).message);
			} finally {
				btn.disabled = false;
			}
		} }, [h('div', { class: 'row' }, [field(control.id, label, control, true), btn])]);
	}

	function emailInput(id) {
		return h('input', { id, type: 'email', name: 'email', required: true, autocomplete: 'email' });
	}

	/* Under the log: the offline e-mail form, else the e-mail banner. */
	function drawExtras() {
		ui.extras.textContent = '';
		if (offlineAction() === 'collect_email' && session.mode !== 'host-identified' &&
		    !(stored && stored.email))
			drawCollectEmail();
		else if (channel.linkEmailBannerEnabled && !(stored && stored.linkedEmail))
			drawEmailBanner();
	}

	/* Offline, collect_email: the visitor's address, the session identified. */
	function drawCollectEmail() {
		const box = h('div', { class: 'card slim', 'data-wagate': 'collect-email' },
		    [h('p', { class: 'intro', text: 'Leave your e-mail and we will reply there.' })]);
		box.appendChild(miniForm(null, 'Your e-mail', emailInput('wg-ce-email'), 'Save', async (email) => {
			await startSession(Object.assign(sessionBody(), { mode: 'identified', email }));
			box.textContent = '';
			box.appendChild(h('p', { class: 'done', role: 'status', text: 'Thanks! We will reply to ' + email + '.' }));
		}));
		ui.extras.appendChild(box);
	}

	/* "Get our replies by e-mail": an address, the code sent to it, verified. */
	function drawEmailBanner() {
		const box = h('div', { class: 'card slim banner', 'data-wagate': 'email-banner' });
		const dismiss = h('button', { type: 'button', class: 'icon-btn small', 'aria-label': 'Dismiss',
		    onclick: () => box.remove() }, [icon('close')]);
		const address = emailInput('wg-le-email');
		const code = h('input', { id: 'wg-le-code', type: 'text', required: true, inputmode: 'numeric',
		    autocomplete: 'one-time-code', maxlength: 6 });
		let email = '';
		const step = (node, focus) => {
			box.textContent = '';
			box.appendChild(node);
			box.appendChild(dismiss);
			if (focus) focus.focus();
		};
		const askCode = miniForm(null, 'Code from the e-mail', code, 'Verify', async (v) => {
			const res = await api('POST', '/sessions/link-email', { body: { email, code: v }, auth: true });
			const got = res.data && res.data.email ? res.data.email : email;
			if (stored) {
				stored.linkedEmail = got;
				saveStored();
			}
			step(h('p', { class: 'done grow', role: 'status', 'data-wagate': 'email-verified',
			    text: 'Verified: we will send our replies to ' + got + '.' }));
		});
		const askAddress = miniForm('grow', 'Your e-mail', address, 'Send code', async (v) => {
			await api('POST', '/sessions/link-email', { body: { email: v }, auth: true });
			email = v;
			step(h('div', { class: 'grow' }, [h('p', { class: 'intro', text: 'We sent a code to ' + v + '.' }),
			    askCode]), code);
		});
		step(h('button', { type: 'button', class: 'linkish grow', text: 'Get our replies by e-mail',
		    onclick: () => step(askAddress, address) }));
		ui.extras.appendChild(box);
	}

	/* ---- proactive triggers ------------------------------------------- */

	/* urlPattern against the address, '*' matching anything (a pattern
	 * without scheme and host may match the path and query alone). */
	function urlMatches(pattern) {
		if (typeof pattern !== 'string' || pattern === '') return false;
		const re = new RegExp('^' + pattern.split('*').map((part) =>
		    part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
		return re.test(location.href) || re.test(location.pathname + location.search);
	}

	function armTriggers() {
		(Array.isArray(channel.proactiveTriggers) ? channel.proactiveTriggers : []).forEach((t) => {
			if (!t || t.enabled === false || !t.message) return;
			const delay = Math.max(0, Number(t.delaySeconds) || 0) * 1000;
			if (t.type === 'time_on_page' || (t.type === 'url_match' && urlMatches(t.urlPattern)))
				timers.triggers.push(setTimeout(guard(() => showTrigger(t)), delay));
			else if (t.type === 'exit_intent')
				exitTriggers.push(t);
		});
		if (exitTriggers.length) document.addEventListener('mouseout', onMouseOut, true);
	}

	/* The pointer leaving the window through its top edge. */
	const onMouseOut = guard((ev) => {
		if (ev.relatedTarget || ev.clientY > 0) return;
		const t = exitTriggers.shift();
		if (!exitTriggers.length) document.removeEventListener('mouseout', onMouseOut, true);
		if (t) showTrigger(t);
	});

	/* Each trigger fires once per page load, and not over an open panel. */
	function showTrigger(t) {
		if (!ui || isOpen) return;
		ui.triggerText.textContent = String(t.message);
		ui.trigger.hidden = false;
	}

	function hideTrigger() {
		if (ui) ui.trigger.hidden = true;
	}

	/* ---- opening and closing ------------------------------------------ */

	/* Out of hours: what the channel does (null while online). */
	function offlineAction() {
		if (channel.online) return null;
		const a = channel.offlineAction && channel.offlineAction.type;
		return a === 'reject' || a === 'collect_email' || a === 'hide' ? a : 'accept';
	}

	function focusInside() {
		const first = ui.prechat && ui.prechat.querySelector('input, select, textarea');
		if (first) first.focus();
		else if (!ui.composer.hidden && !ui.input.disabled) ui.input.focus();
		else ui.close.focus();
	}

	function open() {
		if (!ui) return void (pendingOpen = true);	/* the channel is still loading */
		if (isOpen) return;
		isOpen = true;
		hideTrigger();
		ui.panel.hidden = false;
		ui.wrap.classList.add('is-open');
		ui.launcher.setAttribute('aria-expanded', 'true');
		if (!begun) {
			begun = true;
			begin();
		} else if (session) {
			presenceStart();
		}
		focusInside();
		scrollDown();
	}

	function close() {
		pendingOpen = false;
		if (!ui || !isOpen) return;
		const hadFocus = !!ui.root.activeElement;
		isOpen = false;
		ui.panel.hidden = true;
		ui.wrap.classList.remove('is-open');
		ui.launcher.setAttribute('aria-expanded', 'false');
		presenceStop();
		presence('away');
		if (hadFocus) ui.launcher.focus();
	}

	/* ---- drawing ------------------------------------------------------ */

	function draw() {
		const host = h('div', { id: 'wagate-chat' });
		const root = host.attachShadow({ mode: 'open' });
		const colors = palette(channel.color);
		const name = String(channel.name || 'Chat');
		const online = !!channel.online;
		const avatar = safeUrl(channel.avatarUrl);
		const wrap = h('div', { class: 'wg', style: '--wg-accent: ' + colors.accent + '; --wg-on-accent: ' +
		    colors.onAccent + '; --wg-focus: ' + colors.focus });

		const triggerText = h('button', { type: 'button', class: 'trigger-text', onclick: open });
		const trigger = h('div', { class: 'trigger', 'data-wagate': 'trigger', hidden: true }, [triggerText,
		    h('button', { type: 'button', class: 'icon-btn small', 'aria-label': 'Dismiss message',
		    onclick: hideTrigger }, [icon('close')])]);

		const closeBtn = h('button', { type: 'button', class: 'icon-btn', 'data-wagate': 'close',
		    'aria-label': 'Close chat', onclick: close }, [icon('close')]);
		const head = h('div', { class: 'head' }, [
			avatar ? h('img', { class: 'avatar', src: avatar, alt: '' }) :
			    h('span', { class: 'avatar', 'aria-hidden': 'true', text: name.charAt(0).toUpperCase() }),
			h('div', { class: 'title' }, [h('h2', { text: name }), h('p', { class: 'status' +
			    (online ? ' online' : ''), 'data-wagate': 'status', text: online ? 'Online' : 'Offline' })]),
			closeBtn,
		]);

		const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Messages',
		    'data-wagate': 'log' });
		if (channel.welcomeMessage) {	/* the first bubble, not a stored message */
			log.appendChild(h('div', { class: 'msg theirs', 'data-wagate': 'welcome' }, [h('span',
			    { class: 'who', text: name }), h('p', { class: 'body', text: channel.welcomeMessage })]));
		}
		const main = h('div', { class: 'main' }, [log]);

		const input = h('textarea', { rows: 1, maxlength: 4096, 'data-wagate': 'input',
		    'aria-label': 'Type a message', placeholder: 'Type a message', oninput: onTyping,
		    onkeydown: (ev) => {	/* Enter sends, Shift+Enter is a new line */
			if (ev.key !== 'Enter' || ev.shiftKey || ev.isComposing) return undefined;
			ev.preventDefault();
			return send();
		} });
		const attach = h('input', { type: 'file', 'data-wagate': 'attach', 'aria-label': 'Attach a file',
		    onchange: onFilePicked });
		const sendBtn = h('button', { type: 'submit', class: 'send', 'data-wagate': 'send', 'aria-label': 'Send' },
		    [icon('send')]);
		const pendingName = h('span', { class: 'pending-name' });
		const pending = h('div', { class: 'pending', 'data-wagate': 'pending-file', hidden: true }, [
			icon('clip'), pendingName,
			h('button', { type: 'button', class: 'icon-btn small', 'aria-label': 'Remove attachment',
			    onclick: () => { setFile(null); input.focus(); } }, [icon('close')]),
		]);
		const composer = h('form', { class: 'composer', 'data-wagate': 'composer',
		    onsubmit: (ev) => { ev.preventDefault(); return send(); } }, [pending,
		    h('div', { class: 'row' }, [h('label', { class: 'attach', title: 'Attach a file' },
		    [attach, icon('clip'), h('span', { class: 'sr', text: 'Attach a file' })]), input, sendBtn])]);

		const extras = h('div');
		const error = h('p', { class: 'error', role: 'alert', 'data-wagate': 'error', hidden: true });
		const panel = h('div', { id: 'wg-panel', class: 'panel', role: 'dialog', 'aria-label': name,
		    'data-wagate': 'panel', hidden: true }, [head, online ? null : h('p', { class: 'notice',
		    'data-wagate': 'offline', text: channel.offlineMessage || OFFLINE_TEXT }),
		    main, extras, error, composer]);

		/* the launcher: the avatar (an icon when it has none or it fails) */
		const launcher = h('button', { type: 'button', class: 'launcher', 'data-wagate': 'launcher',
		    'aria-label': 'Open chat', 'aria-expanded': 'false', 'aria-haspopup': 'dialog',
		    'aria-controls': 'wg-panel', onclick: () => (isOpen ? close() : open()) },
		    [avatar ? h('img', { src: avatar, alt: '', onerror: (ev) => ev.target.replaceWith(icon('chat')) }) :
		    icon('chat')]);

		ui = { root, wrap, panel, launcher, trigger, triggerText, close: closeBtn, main, log, extras,
		    error, composer, input, attach, send: sendBtn, pending, pendingName, prechat: null };
		if (offlineAction() === 'reject') {	/* out of hours, nothing is taken */
			input.disabled = sendBtn.disabled = attach.disabled = true;
			input.placeholder = channel.offlineMessage || OFFLINE_TEXT;
		}

		[trigger, panel, launcher].forEach((n) => wrap.appendChild(n));
		root.appendChild(h('style', { text: CSS }));
		root.appendChild(wrap);
		root.addEventListener('keydown', guard((ev) => {
			if (ev.key !== 'Escape') return;
			if (!isOpen) return hideTrigger();
			ev.stopPropagation();
			close();
			ui.launcher.focus();
		}));
		document.body.appendChild(host);
	}

	/* ---- the page's life ---------------------------------------------- */

	document.addEventListener('visibilitychange', guard(() => {
		if (isOpen && session) presence(document.hidden ? 'away' : 'active');
	}));

	window.addEventListener('pagehide', guard((ev) => {
		closeLive();
		presenceStop();
		if (ev.persisted) return;	/* kept for back/forward: pageshow resumes */
		timers.triggers.forEach(clearTimeout);
		document.removeEventListener('mouseout', onMouseOut, true);
	}));

	window.addEventListener('pageshow', guard((ev) => {
		if (ev.persisted && entered) openLive();
	}));

	async function boot() {
		let res;
		try {
			res = await api('GET', '/channel');
		} catch (err) {
			const e = apiError(err);	/* 403: disabled, or not allowed on this site */
			return void console.warn('wagate: no chat on this page (' + (e.status || 'no answer') + '): ' +
			    e.message);
		}
		channel = res.data && typeof res.data === 'object' ? res.data : null;
		if (!channel || offlineAction() === 'hide') return;
		if (!document.body)
			await new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve));
		draw();
		armTriggers();
		if (pendingOpen) open();
	}

	window.WagateChat = {
		open: guard(open),
		close: guard(close),
		state: () => ({
			visitorId: session ? session.visitorId : stored ? stored.visitorId : null,
			conversationId: session ? session.conversationId : null,
			live: liveState,
			messages: list.length,
		}),
	};

	/* ---- style: inside the shadow root only ---------------------------- */

	const CSS = `
:host { all: initial; }
.wg { --wg-text: #1f2328; --wg-muted: #57606a; --wg-soft: #f0f2f4; --wg-line: #d0d7de; --wg-error: #b42318;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--wg-text); }
.wg *, .wg *::before, .wg *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
button, input, select, textarea { font: inherit; color: inherit; margin: 0; }
button { cursor: pointer; } button:disabled, textarea:disabled { cursor: default; opacity: .6; }
:focus-visible { outline: 3px solid var(--wg-focus); outline-offset: 2px; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.launcher, .panel, .trigger { position: fixed; right: 20px; z-index: 2147483000; }
.launcher { bottom: 20px; width: 56px; height: 56px; padding: 0; border: 0; border-radius: 50%; overflow: hidden;
  box-shadow: 0 4px 14px rgba(0, 0, 0, .25); }
.launcher svg { width: 28px; height: 28px; } .launcher img { width: 100%; height: 100%; object-fit: cover; }
.launcher:focus-visible, .trigger :focus-visible { outline: 2px solid #fff; outline-offset: 0;
  box-shadow: 0 0 0 5px #1f2328; }
.launcher, .head, .msg.mine, .primary, .send { background: var(--wg-accent); color: var(--wg-on-accent); }
.launcher, .avatar, .icon-btn, .attach, .send { display: grid; place-items: center; flex: none; }
.trigger { bottom: 88px; max-width: min(300px, calc(100vw - 40px)); display: flex; align-items: flex-start;
  background: #fff; color: var(--wg-text); border-radius: 12px; box-shadow: 0 6px 24px rgba(0, 0, 0, .2); }
.trigger-text { flex: 1; padding: 12px 4px 12px 14px; border: 0; border-radius: 12px; background: none;
  text-align: left; white-space: pre-wrap; overflow-wrap: anywhere; }
.panel { bottom: 88px; width: 360px; height: 520px; max-width: calc(100vw - 40px); max-height: calc(100vh - 108px);
  display: flex; flex-direction: column; overflow: hidden; background: #fff; border-radius: 12px;
  box-shadow: 0 10px 40px rgba(0, 0, 0, .25); }
@media (max-width: 480px) {
  .panel { inset: 0; width: 100%; height: 100%; max-width: none; max-height: none; border-radius: 0; }
  .wg.is-open .launcher, .wg.is-open .trigger { display: none; }
}
@media (prefers-reduced-motion: no-preference) {
  .panel { animation: wg-in .16s ease-out; }
  @keyframes wg-in { from { opacity: 0; transform: translateY(8px); } }
}
.head { display: flex; align-items: center; gap: 10px; padding: 10px 8px 10px 14px; }
.head :focus-visible, .msg.mine :focus-visible { outline-color: var(--wg-on-accent); outline-offset: -3px; }
.avatar { width: 36px; height: 36px; border-radius: 50%; object-fit: cover; font-weight: 600;
  background: rgba(127, 127, 127, .25); }
.title { flex: 1; min-width: 0; }
.title h2 { margin: 0; font-size: 16px; font-weight: 600; line-height: 1.3; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
.status { margin: 0; font-size: 12px; display: flex; align-items: center; gap: 6px; }
.status::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #8c959f;
  box-shadow: 0 0 0 1px currentColor; }
.status.online::before { background: #2da44e; }
.icon-btn { width: 36px; height: 36px; padding: 0; border: 0; border-radius: 8px; background: none; color: inherit; }
.icon-btn:hover, .attach:hover { background: rgba(127, 127, 127, .2); }
.icon-btn svg, .attach svg, .pending svg, .send svg { width: 20px; height: 20px; }
.icon-btn.small { width: 28px; height: 28px; } .icon-btn.small svg { width: 16px; height: 16px; }
.notice { margin: 0; padding: 8px 14px; font-size: 13px; background: #fff8c5; color: #3b2300;
  border-bottom: 1px solid #d4a72c; }
.main { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 12px; }
.log { display: flex; flex-direction: column; gap: 8px; }
.msg { max-width: 85%; align-self: flex-start; padding: 8px 12px; border-radius: 12px; overflow-wrap: anywhere; }
.msg.theirs { background: var(--wg-soft); color: var(--wg-text); }
.msg.mine { align-self: flex-end; }
.msg.system { align-self: center; color: var(--wg-muted); text-align: center; font-size: 13px; }
.who { display: block; font-size: 12px; font-weight: 600; } .body { margin: 2px 0 0; white-space: pre-wrap; }
.msg a { color: inherit; text-decoration: underline; } .msg .media { display: block; margin-top: 4px; }
.msg img { display: block; max-width: 100%; height: auto; max-height: 240px; border-radius: 8px; }
.msg .file { display: inline-block; margin-top: 4px; font-weight: 600; }
.msg time { display: block; margin-top: 2px; font-size: 11px; } .theirs time { color: var(--wg-muted); }
.card { margin: 0; padding: 12px; border: 1px solid var(--wg-line); border-radius: 10px; display: flex;
  flex-direction: column; gap: 10px; background: #fff; }
.card.slim { margin: 0 12px 8px; padding: 8px 10px; gap: 6px; }
.banner { flex-direction: row; align-items: center; }
.grow { flex: 1; min-width: 0; } .intro, .done { margin: 0; }
.field { display: flex; flex-direction: column; gap: 4px; flex: 1; min-width: 0; }
label { font-size: 13px; font-weight: 600; }
input:not([type=file]), select, textarea { width: 100%; padding: 8px 10px; background: #fff;
  border: 1px solid #6e7781; border-radius: 8px; }
[aria-invalid=true] { border-color: var(--wg-error); }
.field-error, .error { margin: 0; font-size: 13px; color: var(--wg-error); }
.error { padding: 6px 14px; background: #fef3f2; border-top: 1px solid #fecdca; }
.row { display: flex; align-items: flex-end; gap: 6px; }
.primary { flex: none; padding: 8px 14px; border: 0; border-radius: 8px; font-weight: 600; }
.linkish { padding: 4px 0; border: 0; background: none; text-align: left; font-weight: 600;
  text-decoration: underline; }
.composer { padding: 8px; border-top: 1px solid var(--wg-line); }
.composer textarea { flex: 1; min-height: 40px; max-height: 120px; resize: none; }
.attach { position: relative; width: 40px; height: 40px; border-radius: 8px; color: var(--wg-muted); cursor: pointer; }
.attach:focus-within { outline: 3px solid var(--wg-focus); outline-offset: 2px; }
.attach input { position: absolute; inset: 0; width: 100%; height: 100%; opacity: 0; cursor: pointer; }
.send { width: 40px; height: 40px; padding: 0; border: 0; border-radius: 8px; }
.pending { display: flex; align-items: center; gap: 6px; padding: 0 4px 6px; font-size: 13px; }
.pending-name { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
`;

	spawn(boot());
})();
