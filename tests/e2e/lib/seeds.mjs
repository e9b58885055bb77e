// The seed-request catalogue of the hostile-input suite and of the
// cross-tenant probe (tests/e2e/lib/hostile.mjs): for each route, keyed
// "METHOD pattern" exactly as `<family> --routes` prints it, a request
// that the route accepts.  The suite mutates every string leaf of it
// with the naughty strings, one at a time and all at once.
//
// A route without an entry is still fuzzed (its path parameters, query
// parameters, headers and the generic bodies of GENERIC_BODIES); an entry
// makes it reach the handler's validation and storage.  A new family adds
// its routes here, and a resolver in PARAMS for each new path parameter
// (docs/testing.md, "The hostile-input suite").
//
// Each entry may have:
//   query(c)       query parameters of a valid request (an object)
//   body(c)        a valid JSON body (an object); called once per request,
//                  so unique values (phones, names) stay unique
//   needs          objects to create before body/query are built
//                  (parameter names, resolved as path parameters of the
//                  route's family are; they land in c.ids)
//   destructive    the route removes its target: every position gets a
//                  fresh one
//   raw            the route stores the body as bytes without parsing it
//                  (no duplicate-key or Content-Type expectation)
//   sign           the body is signed as Meta signs webhooks
//   headers        more headers to fuzz besides the common ones
//   okTypes        content types a 2xx of the route may have besides JSON
//   freeKeys       paths of free-form objects whose member names are
//                  fuzzed as well
//   crossTenant    for the cross-tenant probe: { ok: [statuses] } for
//                  routes that skip, without an error, ids they cannot
//                  see in their body (bulk actions); { claim(victim),
//                  expect: [statuses] }: a body that claims the victim's
//                  own resource (its WhatsApp number), and the answers
//                  it must get
// c is the route's context: c.t (a tenant whose WhatsApp account the
// Meta simulator knows: orgId, accountId, wabaId, phoneNumberId, display,
// token, key), c.ids (resolved objects), c.uniq() (a fresh token),
// c.phone() (a fresh E.164 number), c.verifyToken.

const NOW = '2026-05-01T09:00:00.000Z';

// A small valid flow: a message, a question with a retry, an end.
const STEPS = () => [
	{ id: 'greet', type: 'message', text: 'Hi {{contact.name|there}}, welcome!' },
	{
		id: 'ask', type: 'question', prompt: "What's your email?", input: 'email',
		save_to: 'email', max_attempts: 2, retry_message: 'Try again?', on_invalid: 'bye',
	},
	{ id: 'bye', type: 'end', message: 'Thanks, {{contact.name|friend}}!' },
];

const TEMPLATE_COMPONENTS = () => [
	{
		type: 'body', text: 'Your order {{1}} has been confirmed. Expected delivery: {{2}}',
		example: { body_text: [['A-17', 'Monday']] },
	},
	{ type: 'footer', text: 'Acme Inc' },
];

const BRAND = () => ({
	contact: { name: 'Jane Roe', businessName: 'Acme Corp', email: 'jane@acme.example', phone: '+14155550100', role: 'Owner' },
	business: { legalName: 'Acme LLC', city: 'Springfield', country: 'US', url: 'https://acme.example' },
	compliance: {
		vertical: 'RETAIL', brandRelationship: 'BASIC_ACCOUNT', primaryUseCase: 'Order notifications',
		destinationCountries: [{ id: 'US', isMain: true }], notes: 'peaks',
	},
});

// A Meta webhook with one inbound text message for the context's number.
function inboundWebhook(c) {
	const u = c.uniq();
	return {
		object: 'whatsapp_business_account',
		entry: [{
			id: c.t.wabaId,
			changes: [{
				field: 'messages',
				value: {
					messaging_product: 'whatsapp',
					metadata: { display_phone_number: c.t.display.slice(1), phone_number_id: c.t.phoneNumberId },
					contacts: [{ profile: { name: 'Hostile Sender' }, wa_id: '16505551234' }],
					messages: [{
						from: '16505551234', id: `wamid.hostile${u}`, timestamp: '1767225600',
						type: 'text', text: { body: `hello ${u}` },
					}],
				},
			}],
		}],
	};
}

export const SEEDS = {
	// ---- Sent: sender_profiles ----------------------------------------
	'GET /v3/profiles': { needs: ['profileId'] },
	'POST /v3/profiles': {
		body: (c) => ({
			name: `Hostile ${c.uniq()}`, short_name: 'HOST', description: 'a sender profile',
			icon: 'https://acme.example/icon.png', billing_model: 'organization', brand: BRAND(),
		}),
		// the probe's claim of the victim's number: it must be proven at
		// Meta (422) and one organization's at a time (409)
		crossTenant: {
			claim: (victim) => ({
				name: 'Claimed', whatsapp_business_account: {
					waba_id: victim.wabaId, phone_number_id: victim.phoneNumberId, access_token: 'not-the-victims-token',
				},
			}),
			expect: [409, 422],
		},
	},
	'GET /v3/profiles/{profileId}': {},
	'PATCH /v3/profiles/{profileId}': {
		body: () => ({
			name: 'Renamed', description: 'changed', short_name: 'NEW1', icon: 'https://acme.example/n.png',
			whatsapp_phone_number: '+14155550123', billing_model: 'profile',
			billing_contact: { email: 'billing@acme.example', name: 'Billing', address: '1 Main St', phone: '+14155550199' },
		}),
	},
	// sandbox: the whole delete runs and is rolled back, the profile stays
	'DELETE /v3/profiles/{profileId}': { body: () => ({ sandbox: true }) },

	// ---- Late: contacts and groups -------------------------------------
	'GET /v1/whatsapp/contacts': {
		needs: ['contactId'],
		query: (c) => ({ accountId: c.t.accountId, search: 'ana', tag: 'vip', group: 'g1', optedIn: 'true', limit: '10', skip: '0' }),
	},
	'POST /v1/whatsapp/contacts': {
		body: (c) => ({
			accountId: c.t.accountId, phone: c.phone(), name: 'Ana Garcia', email: 'ana@acme.example',
			company: 'Acme', tags: ['vip'], groups: ['g1'], isOptedIn: true,
			customFields: { plan: 'gold' }, notes: 'met at the fair',
		}),
		freeKeys: [['customFields']],
	},
	'POST /v1/whatsapp/contacts/import': {
		body: (c) => ({
			accountId: c.t.accountId,
			contacts: [
				{ phone: c.phone(), name: 'Imported One', email: 'one@acme.example', tags: ['imp'], customFields: { k: 'v' } },
				{ phone: c.phone(), name: 'Imported Two', company: 'Acme', groups: ['g2'] },
			],
			defaultTags: ['batch'], defaultGroups: ['imports'], skipDuplicates: true,
		}),
	},
	'POST /v1/whatsapp/contacts/bulk': {
		needs: ['contactId'],
		body: (c) => ({ action: 'addTags', contactIds: [c.ids.contactId], tags: ['bulk'], groups: ['bg'] }),
		crossTenant: { ok: [200] },
	},
	'DELETE /v1/whatsapp/contacts/bulk': {
		needs: ['contactId'],
		destructive: true,
		body: (c) => ({ contactIds: [c.ids.contactId] }),
		crossTenant: { ok: [200] },
	},
	'GET /v1/whatsapp/contacts/{contactId}': {},
	'PUT /v1/whatsapp/contacts/{contactId}': {
		body: () => ({
			name: 'Ana G.', email: 'ana.g@acme.example', company: 'Acme Two', notes: 'updated',
			tags: ['vip', 'new'], groups: ['g1'], isOptedIn: false, customFields: { plan: 'silver', old: null },
		}),
		freeKeys: [['customFields']],
	},
	'DELETE /v1/whatsapp/contacts/{contactId}': { destructive: true },
	'GET /v1/whatsapp/groups': { needs: ['contactId'], query: (c) => ({ accountId: c.t.accountId }) },
	'POST /v1/whatsapp/groups': {
		needs: ['contactId'],
		body: (c) => ({ accountId: c.t.accountId, oldName: 'g1', newName: `g-${c.uniq()}` }),
	},
	'DELETE /v1/whatsapp/groups': {
		needs: ['contactId'],
		body: (c) => ({ accountId: c.t.accountId, groupName: 'g-gone' }),
	},

	// ---- business profiles (Meta is asked: the simulator answers) ----
	'GET /organizations/{orgId}/phone-numbers/{phoneId}/profile': {},
	'PUT /organizations/{orgId}/phone-numbers/{phoneId}/profile': { body: () => BUSINESS_PROFILE() },
	'GET /v1/whatsapp/business-profile': { query: (c) => ({ accountId: c.t.accountId }) },
	// uploads: the members are form fields, with a file part (hostile.mjs)
	'POST /organizations/{orgId}/phone-numbers/{phoneId}/profile/picture': { body: () => ({ note: 'hello' }) },
	'POST /v1/whatsapp/business-profile/photo': { body: (c) => ({ accountId: c.t.accountId }) },
	'POST /organizations/{orgId}/media': { body: () => ({ note: 'hello' }) },
	'POST /v1/whatsapp/business-profile': { body: (c) => ({ accountId: c.t.accountId, ...BUSINESS_PROFILE() }) },
	// ---- the media store (uploads are multipart: only their generic
	// fuzzing; a media id is fuzzed as a random id) ------------------
	'POST /organizations/{orgId}/media/from-meta': {
		body: (c) => ({ phoneNumberId: c.t.accountId, mediaId: '1037543291543636' }),
	},
	// ---- Late: templates (Meta is asked: the simulator answers) --------
	'GET /v1/whatsapp/templates': { needs: ['templateName'], query: (c) => ({ accountId: c.t.accountId, status: 'APPROVED', name: 'order', language: 'en_US' }) },
	'POST /v1/whatsapp/templates': {
		body: (c) => ({
			accountId: c.t.accountId, name: `hostile_${c.uniq()}`, category: 'UTILITY', language: 'en_US',
			components: TEMPLATE_COMPONENTS(),
		}),
	},
	'GET /v1/whatsapp/templates/{templateName}': { query: (c) => ({ accountId: c.t.accountId, language: 'en_US' }) },
	'PATCH /v1/whatsapp/templates/{templateName}': {
		body: (c) => ({ accountId: c.t.accountId, language: 'en_US', components: TEMPLATE_COMPONENTS() }),
	},
	'DELETE /v1/whatsapp/templates/{templateName}': {
		destructive: true,
		query: (c) => ({ accountId: c.t.accountId, language: 'en_US' }),
	},

	// ---- Mosend: bot flows --------------------------------------------
	'GET /organizations/{orgId}/bot/flows': { needs: ['id'], query: (c) => ({ phoneNumberId: c.t.accountId }) },
	'POST /organizations/{orgId}/bot/flows': {
		body: (c) => ({
			name: `Flow ${c.uniq()}`, description: 'onboarding', phoneNumberId: c.t.accountId,
			triggerType: 'KEYWORD', triggerConfig: { keywords: ['hola', 'start'], matchMode: 'exact' },
			enabled: true, steps: STEPS(),
		}),
		freeKeys: [['triggerConfig']],
	},
	'GET /organizations/{orgId}/bot/flows/{id}': {},
	'PATCH /organizations/{orgId}/bot/flows/{id}': {
		body: () => ({ name: 'Renamed flow', description: 'new', triggerType: 'INTENT', triggerConfig: { intents: ['pricing'] }, steps: STEPS() }),
	},
	'DELETE /organizations/{orgId}/bot/flows/{id}': { destructive: true },
	// these three read no body (a body is ignored): no seed body
	'POST /organizations/{orgId}/bot/flows/{id}/publish': {},
	'POST /organizations/{orgId}/bot/flows/{id}/unpublish': {},
	'POST /organizations/{orgId}/bot/flows/{id}/duplicate': {},
	'POST /organizations/{orgId}/bot/flows/{id}/test-run': {
		body: () => ({
			messages: ['ana@acme.example'], contact: { name: 'Ana', phone: '+34612345678', city: 'Madrid' },
			now: NOW, variables: { source: 'web' },
		}),
		freeKeys: [['variables'], ['contact']],
	},

	// ---- sending (docs/sending.md) --------------------------------------
	// Sends go to the simulator; a bulk request waits for their results.
	'POST /v1/whatsapp/bulk': {
		needs: ['templateName'],
		body: (c) => ({
			accountId: c.t.accountId, template: { name: c.ids.templateName, language: 'en_US' },
			recipients: [{ phone: c.phone(), variables: { 1: 'A-17', 2: 'Monday' } }],
		}),
		freeKeys: [['recipients', 0, 'variables']],
	},
	'GET /v1/whatsapp/broadcasts': { query: () => ({ status: 'draft', limit: '10', skip: '0' }) },
	'POST /v1/whatsapp/broadcasts': {
		needs: ['templateName'],
		body: (c) => ({
			accountId: c.t.accountId, name: `Spring ${c.uniq()}`, description: 'the spring offer',
			template: { name: c.ids.templateName, language: 'en_US' },
			recipients: [{ phone: c.phone(), name: 'Ana', variables: { 1: 'A-17', 2: 'Monday' } }],
		}),
	},
	'DELETE /v1/whatsapp/broadcasts/{broadcastId}': { destructive: true },
	// a draft that is sent or scheduled is a draft no longer
	'POST /v1/whatsapp/broadcasts/{broadcastId}/send': { destructive: true },
	'POST /v1/whatsapp/broadcasts/{broadcastId}/schedule': {
		destructive: true,
		body: () => ({ scheduledAt: new Date(Date.now() + 7 * 86400000).toISOString() }),
	},
	// reads no body (a draft's is 400 "not scheduled"): no seed body
	'DELETE /v1/whatsapp/broadcasts/{broadcastId}/schedule': {},
	'GET /v1/whatsapp/broadcasts/{broadcastId}/recipients': { query: () => ({ status: 'pending', limit: '10', skip: '0' }) },
	'PATCH /v1/whatsapp/broadcasts/{broadcastId}/recipients': {
		body: (c) => ({ recipients: [{ phone: c.phone(), name: 'Ben', variables: { 1: 'B-2', 2: 'Friday' } }] }),
	},
	'DELETE /v1/whatsapp/broadcasts/{broadcastId}/recipients': { body: (c) => ({ phones: [c.phone()] }) },

	// ---- conversations (docs/conversations.md) ------------------------
	'GET /organizations/{orgId}/conversations': {
		query: (c) => ({
			status: 'open', channel: 'whatsapp', phoneNumberId: c.t.accountId, assigneeId: 'agent-1', team: 'sales',
			unread: 'true', limit: '10',
		}),
	},
	'POST /organizations/{orgId}/conversations': { body: (c) => ({ phoneNumberId: c.t.accountId, phone: c.phone() }) },
	'PATCH /organizations/{orgId}/conversations/{conversationId}': {
		body: () => ({ status: 'pending', assigneeId: 'agent-1', team: 'sales', department: 'north' }),
	},
	'GET /organizations/{orgId}/conversations/{conversationId}/messages': { query: () => ({ limit: '10' }) },
	// reads no body
	'POST /organizations/{orgId}/conversations/{conversationId}/read': {},
	// outside the window (an agent started it): a template goes out.  A
	// template is named, not an id: another organization's is not in the
	// number's WABA (422), never sent
	'POST /organizations/{orgId}/conversations/{conversationId}/messages': {
		needs: ['templateName'],
		crossTenant: { ok: [422] },
		body: (c) => ({
			type: 'template', template: {
				name: c.ids.templateName, language: 'en_US',
				components: [{ type: 'body', parameters: [{ type: 'text', text: 'A-17' }, { type: 'text', text: 'Monday' }] }],
			},
		}),
	},

	// a WhatsApp conversation (the resolver's): 422 wrong_channel, after
	// the body's checks
	'POST /organizations/{orgId}/conversations/{conversationId}/web-chat/send': {
		body: () => ({ type: 'text', body: 'Thanks for waiting!' }),
	},

	'PUT /organizations/{orgId}/conversations/keywords/{phoneNumberId}': {
		body: () => ({ optOut: ['PARAR'], optIn: ['VOLVER'] }),
	},

	// ---- web chat channels (docs/web-chat.md) -------------------------
	'POST /organizations/{orgId}/web-chat/channels': { body: (c) => WEB_CHAT_CHANNEL(c) },
	'PATCH /organizations/{orgId}/web-chat/channels/{channelId}': { body: (c) => WEB_CHAT_CHANNEL(c) },
	'DELETE /organizations/{orgId}/web-chat/channels/{channelId}': { destructive: true },
	// read no body
	'GET /organizations/{orgId}/web-chat/channels': {},
	'GET /organizations/{orgId}/web-chat/channels/{channelId}': {},
	'GET /organizations/{orgId}/web-chat/channels/{channelId}/snippet': {},
	'POST /organizations/{orgId}/web-chat/channels/{channelId}/identity-secret': {},
	'DELETE /organizations/{orgId}/web-chat/channels/{channelId}/identity-secret': {},
	'DELETE /organizations/{orgId}/web-chat/channels/{channelId}/avatar': {},
	// the widget's: a channel open to any site; messages and history
	// need a visitor token the suite does not make (their auth is fuzzed)
	'POST /web-chat/{token}/sessions': {
		body: () => ({ mode: 'identified', name: 'Hostile Visitor', email: 'visitor@acme.example', prechat: {} }),
	},
	'POST /web-chat/{token}/messages': { body: () => ({ body: 'Hello there' }) },
	'GET /web-chat/{token}/history': { query: () => ({ limit: '10' }) },
	// preflights read no body
	'OPTIONS /web-chat/{token}/sessions': {},
	'OPTIONS /web-chat/{token}/messages': {},
	'OPTIONS /web-chat/{token}/history': {},
	'OPTIONS /web-chat/{token}/client-error': {},
	'OPTIONS /web-chat/{token}/presence': {},
	'POST /web-chat/{token}/presence': { body: () => ({ state: 'typing' }) },
	// uploads: the members are form fields, with a file part (hostile.mjs)
	'POST /web-chat/{token}/upload': { body: () => ({ note: 'hello' }) },
	'OPTIONS /web-chat/{token}/upload': {},
	// one address each: after its first code, the 30 s between two codes
	// answers (429) and the mail server is not flooded by the suite
	'POST /web-chat/{token}/sessions/resend-otp': { body: () => ({ email: 'hostile-otp@example.com' }) },
	'OPTIONS /web-chat/{token}/sessions/resend-otp': {},
	'POST /web-chat/{token}/sessions/link-email': { body: () => ({ email: 'hostile-link@example.com' }) },
	'OPTIONS /web-chat/{token}/sessions/link-email': {},
	'GET /web-chat/{token}/push/vapid': {},
	'OPTIONS /web-chat/{token}/push/vapid': {},
	// a browser's keys (RFC 8291's example), an endpoint on a test host
	// name that resolves nowhere: nothing is ever delivered
	'POST /web-chat/{token}/push/subscribe': { body: (c) => ({
		endpoint: `https://push.invalid/send/${c.uniq()}`,
		keys: { p256dh: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
			auth: 'BTBZMqHH6r4Tts7J_aSIgg' },
	}) },
	'OPTIONS /web-chat/{token}/push/subscribe': {},
	'POST /web-chat/{token}/push/unsubscribe': { body: (c) => ({ endpoint: `https://push.invalid/send/${c.uniq()}` }) },
	'OPTIONS /web-chat/{token}/push/unsubscribe': {},
	'POST /organizations/{orgId}/web-chat/channels/{channelId}/avatar': { body: () => ({ note: 'hello' }) },
	'POST /organizations/{orgId}/conversations/{conversationId}/web-chat/media': { body: () => ({ note: 'hello' }) },
	'POST /web-chat/{token}/client-error': {
		body: () => ({
			message: 'TypeError: x is undefined', stack: 'at widget.js:1:2', url: 'https://shop.example.com/',
			line: 1, column: 2, userAgent: 'Mozilla/5.0',
		}),
	},

	// ---- Meta's webhooks ----------------------------------------------
	'GET /webhooks/meta': {
		query: (c) => ({ 'hub.mode': 'subscribe', 'hub.verify_token': c.verifyToken, 'hub.challenge': 'challenge-1234' }),
		okTypes: ['text/plain'],
	},
	'POST /webhooks/meta': { body: inboundWebhook, sign: true, raw: true, headers: ['x-hub-signature-256'] },
};

// A profile update with every member (docs/profiles.md).
function BUSINESS_PROFILE() {
	return { about: 'Succulent specialists', address: '1 Hacker Way', description: 'We grow plants.',
		email: 'hello@example.com', websites: ['https://example.com'], vertical: 'RETAIL' };
}

// A channel with every setting (docs/web-chat.md).
function WEB_CHAT_CHANNEL(c) {
	return {
		name: `Site chat ${c.marker}`, color: '#1A2B3C', welcomeMessage: 'Hi! How can we help?',
		allowedDomains: ['shop.example.com', '*.example.org', 'http://localhost:8080'],
		precaptureEnabled: true, botEnabled: true, enabled: true, identityRequired: false,
		operatingHours: { enabled: true, timezone: 'America/Bogota', schedule: [{ day: 'mon', open: '09:00', close: '18:00' }] },
		offlineAction: { type: 'collect_email' }, offlineMessage: 'We are away; leave your email.',
		prechatFields: [{ name: 'email', label: 'Your email', type: 'email', required: true },
			{ name: 'topic', label: 'Topic', type: 'select', options: ['Sales', 'Support'] }],
		departments: [{ id: 'sales', name: 'Sales' }],
		proactiveTriggers: [{ type: 'time_on_page', delaySeconds: 30, message: 'Need a hand?', enabled: true }],
		linkEmailBannerEnabled: true,
	};
}

// Bodies for a route without a seed (a family not in the catalogue yet):
// each is sent as is and with its string leaves mutated.
export const GENERIC_BODIES = [
	(c) => ({ name: 'generic', accountId: c.t.accountId, id: c.t.accountId, text: 'hello', phone: '+14155550100' }),
	() => ({}),
];

// Query parameters the families are known to read, fuzzed on every GET
// and DELETE of the face (besides those of the route's seed).
export const FACE_QUERY = {
	sent: ['limit', 'cursor'],
	late: ['accountId', 'limit', 'skip', 'status', 'search', 'tag', 'group', 'optedIn', 'name', 'language'],
	mosend: ['phoneNumberId', 'limit', 'cursor', 'status', 'channel', 'assigneeId', 'team', 'unread', 'before', 'after'],
};

// How a path parameter (or an object a seed needs) gets a real value:
// "family:param" first, then "param".  Each resolver gets the context
// and the API helper (call(method, path, body) → {status, json}) and
// returns the value.  An unknown parameter is fuzzed with a random id.
export const PARAMS = {
	orgId: (c) => c.t.orgId,
	// wagate's WhatsApp account (Mosend's phoneId)
	phoneNumberId: (c) => c.t.accountId,
	phoneId: (c) => c.t.accountId,
	profileId: async (c, call) => {
		const r = await call('POST', '/v3/profiles', { name: `Target ${c.uniq()}`, description: `marker ${c.marker}` });
		return r.json.data.id;
	},
	contactId: async (c, call) => {
		const r = await call('POST', '/v1/whatsapp/contacts', {
			accountId: c.t.accountId, phone: c.phone(), name: `Target ${c.marker}`, tags: ['vip'], groups: ['g1'],
			email: `target-${c.uniq()}@acme.example`,
		});
		return r.json.contact.id;
	},
	templateName: async (c, call, { approve }) => {
		const name = `target_${c.uniq()}`;
		const r = await call('POST', '/v1/whatsapp/templates', {
			accountId: c.t.accountId, name, category: 'UTILITY', language: 'en_US', components: TEMPLATE_COMPONENTS(),
		});
		if (r.status !== 200) throw new Error(`template ${name}: ${r.status} ${r.text}`);
		await approve(c.t.wabaId, name);
		return name;
	},
	// a draft of one recipient, with an approved template of its own
	broadcastId: async (c, call, helpers) => {
		const name = await PARAMS.templateName(c, call, helpers);
		const r = await call('POST', '/v1/whatsapp/broadcasts', {
			accountId: c.t.accountId, name: `Target ${c.marker}`, template: { name, language: 'en_US' },
			recipients: [{ phone: c.phone(), variables: { 1: 'A-17', 2: 'Monday' } }],
		});
		if (r.status !== 200 && r.status !== 201) throw new Error(`broadcast: ${r.status} ${r.text}`);
		return r.json.broadcast.id;
	},
	// one a key's agent started with a fresh phone
	conversationId: async (c, call) => {
		const r = await call('POST', `/organizations/${c.t.orgId}/conversations`, {
			phoneNumberId: c.t.accountId, phone: c.phone(),
		});
		if (r.status !== 201) throw new Error(`conversation: ${r.status} ${r.text}`);
		return r.json.data.id;
	},
	channelId: async (c, call) => {
		const r = await call('POST', `/organizations/${c.t.orgId}/web-chat/channels`, WEB_CHAT_CHANNEL(c));
		if (r.status !== 201) throw new Error(`channel: ${r.status} ${r.text}`);
		return r.json.data.id;
	},
	// a web chat channel's public token (any site may use it)
	'web_chat:token': async (c, call) => {
		const r = await call('POST', `/organizations/${c.t.orgId}/web-chat/channels`, { name: `Widget ${c.marker}` });
		if (r.status !== 201) throw new Error(`channel: ${r.status} ${r.text}`);
		return r.json.data.token;
	},
	'bot_flows:id': async (c, call) => {
		const r = await call('POST', `/organizations/${c.t.orgId}/bot/flows`, {
			name: `Target ${c.marker}`, phoneNumberId: c.t.accountId, steps: STEPS(),
		});
		return r.json.data.id;
	},
};
