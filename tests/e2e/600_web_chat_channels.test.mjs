// Web chat channels (docs/web-chat.md) through nginx: create with the
// defaults and with every setting, each setting's validation, partial
// updates and clearing, the install snippet, the identity secret (shown
// once, stored sealed, rotated, revoked), roles, other tenants, the
// quota.
import test from 'node:test';
import assert from 'node:assert/strict';
import { admin, api, key, psql, tenant } from './lib/harness.mjs';
import { mosendError, TS, UUID } from './lib/expect.mjs';
import { mosendOk, mosendValidation } from './lib/flows.mjs';

const t = tenant({ account: false });
const other = tenant({ account: false });
const member = key(t.orgId, { role: 'member' }).WA_API_KEY;
const q = (sql) => psql(sql, { as: 'super' });
const base = (x = t) => `/organizations/${x.orgId}/web-chat/channels`;
const post = (body, x = t, k = x.key) => api('POST', base(x), k, { body });
const patch = (id, body, k = t.key) => api('PATCH', `${base()}/${id}`, k, { body });

const KEYS = ['id', 'name', 'token', 'color', 'welcomeMessage', 'avatarUrl', 'avatarMediaId', 'allowedDomains', 'precaptureEnabled',
	'botEnabled', 'enabled', 'identityRequired', 'hasIdentitySecret', 'identitySecretCreatedAt',
	'operatingHours', 'offlineAction', 'offlineMessage', 'prechatFields', 'departments', 'proactiveTriggers',
	'linkEmailBannerEnabled', 'createdAt', 'updatedAt'];

const FULL = () => ({
	name: 'Store chat', color: '#1A2B3C', welcomeMessage: 'Hi! How can we help?',
	allowedDomains: ['Shop.Example.com', '*.example.org', 'http://localhost:8080', 'shop.example.com'],
	precaptureEnabled: true, botEnabled: false, enabled: true, identityRequired: true,
	operatingHours: {
		enabled: true, timezone: 'America/Bogota', extra: 'dropped',
		schedule: [{ day: 'mon', open: '09:00', close: '13:00', note: 'x' }, { day: 'mon', open: '14:00', close: '24:00' }],
	},
	offlineAction: { type: 'collect_email' }, offlineMessage: 'We are away; leave your email.',
	prechatFields: [
		{ name: 'email', label: 'Your email', type: 'email', required: true },
		{ name: 'topic', label: 'Topic', type: 'select', options: ['Sales', 'Support'] },
	],
	departments: [{ id: 'sales', name: 'Sales' }, { id: 'support', name: 'Support' }],
	proactiveTriggers: [
		{ type: 'time_on_page', delaySeconds: 30, message: 'Need a hand?', enabled: true },
		{ type: 'url_match', urlPattern: '/pricing', message: 'Questions about plans?' },
	],
	linkEmailBannerEnabled: true,
	unknownMember: 'ignored',
});

test('a channel with only a name: the defaults, a public token, listed and read', async () => {
	const c = mosendOk(await post({ name: 'Support' }), 201);
	assert.deepEqual(Object.keys(c), KEYS);
	assert.match(c.id, UUID);
	assert.match(c.token, /^wc_[A-Za-z0-9]{32}$/);
	assert.equal(c.color, '#25d366');
	assert.deepEqual([c.welcomeMessage, c.allowedDomains, c.precaptureEnabled, c.botEnabled, c.enabled,
		c.identityRequired, c.hasIdentitySecret, c.identitySecretCreatedAt, c.operatingHours, c.offlineAction,
		c.offlineMessage, c.prechatFields, c.departments, c.proactiveTriggers, c.linkEmailBannerEnabled],
	[null, [], false, true, true, false, false, null, null, null, null, [], [], [], false]);
	assert.match(c.createdAt, TS);
	const list = mosendOk(await api('GET', base(), member));
	assert.ok(list.some((x) => x.id === c.id && x.token === c.token));
	assert.deepEqual(mosendOk(await api('GET', `${base()}/${c.id}`, member)), c);
	// another organization sees none of it
	assert.equal(mosendOk(await api('GET', base(other), other.key)).length, 0);
	mosendError(await api('GET', `${base(other)}/${c.id}`, other.key), 404, 'Not Found', `${base(other)}/${c.id}`);
	mosendError(await api('GET', `${base()}/nope`, t.key), 404, 'Not Found', `${base()}/nope`);
});

test('every setting: stored as given, normalized, only the members wagate knows', async () => {
	const c = mosendOk(await post(FULL()), 201);
	assert.equal(c.color, '#1a2b3c');
	assert.deepEqual(c.allowedDomains, ['shop.example.com', '*.example.org', 'http://localhost:8080']);
	assert.deepEqual(c.operatingHours, {
		enabled: true, timezone: 'America/Bogota',
		schedule: [{ day: 'mon', open: '09:00', close: '13:00' }, { day: 'mon', open: '14:00', close: '24:00' }],
	});
	assert.deepEqual(c.offlineAction, { type: 'collect_email' });
	assert.deepEqual(c.prechatFields, FULL().prechatFields);
	assert.deepEqual(c.departments, FULL().departments);
	assert.deepEqual(c.proactiveTriggers, FULL().proactiveTriggers);
	assert.equal(c.botEnabled, false);
	assert.equal(c.identityRequired, true);
	assert.equal(q(`SELECT operating_hours::text LIKE '%dropped%' OR prechat_fields::text LIKE '%unknown%'
		FROM wa.web_chat_channels WHERE id = '${c.id}'`), 'f');
});

test('each setting is checked, every problem listed at once, nothing stored', async () => {
	const before = q(`SELECT count(*) FROM wa.web_chat_channels WHERE org_id = '${t.orgId}'`);
	const cases = [
		[{}, ['name is required']],
		[{ name: '' }, ['name must not be empty']],
		[{ name: 'x'.repeat(101) }, ['name must be at most 100 characters']],
		[{ name: 'a', color: 'green' }, ['color must be a color such as #25d366']],
		[{ name: 'a', allowedDomains: ['https://shop.example.com/path', 'exa mple.com', 'shop.example.com:8080', '-x.com'] }, [
			'allowedDomains[0] must be a host (shop.example.com, *.example.com) or an origin (https://shop.example.com:8443)',
			'allowedDomains[1] must be a host (shop.example.com, *.example.com) or an origin (https://shop.example.com:8443)',
			'allowedDomains[2] must be a host (shop.example.com, *.example.com) or an origin (https://shop.example.com:8443)',
			'allowedDomains[3] must be a host (shop.example.com, *.example.com) or an origin (https://shop.example.com:8443)',
		]],
		[{ name: 'a', allowedDomains: Array.from({ length: 51 }, (_, i) => `s${i}.example.com`) },
			['allowedDomains must have at most 50 items']],
		[{ name: 'a', botEnabled: 'yes' }, ['botEnabled must be a boolean']],
		[{ name: 'a', operatingHours: { timezone: 'Mars/Olympus', schedule: [] } },
			['operatingHours.timezone must be an IANA time zone such as America/Bogota']],
		[{ name: 'a', operatingHours: { timezone: '../../etc/passwd', schedule: [] } },
			['operatingHours.timezone must be an IANA time zone such as America/Bogota']],
		// a table of the zone directory, not a zone
		[{ name: 'a', operatingHours: { timezone: 'zone.tab', schedule: [] } },
			['operatingHours.timezone must be an IANA time zone such as America/Bogota']],
		[{ name: 'a', operatingHours: { timezone: 'UTC', schedule: [{ day: 'monday', open: '9:00', close: '18:00' },
			{ day: 'tue', open: '18:00', close: '09:00' }, { day: 'wed', open: '24:30', close: '25:00' }] } }, [
			'operatingHours.schedule[0].day must be one of: mon, tue, wed, thu, fri, sat, sun',
			'operatingHours.schedule[0].open must be a time HH:MM (00:00 to 24:00)',
			'operatingHours.schedule[1].close must be after open (18:00)',
			'operatingHours.schedule[2].open must be a time HH:MM (00:00 to 24:00)',
		]],
		[{ name: 'a', operatingHours: { schedule: [] } }, ['operatingHours.timezone is required']],
		[{ name: 'a', offlineAction: { type: 'teleport' } },
			['offlineAction.type must be one of: accept, collect_email, reject, hide']],
		[{ name: 'a', prechatFields: [{ name: 'email', label: 'E', type: 'email' }, { name: 'email', label: 'F', type: 'text' },
			{ name: 'pick', label: 'P', type: 'select' }, { name: 'n', label: 'N', type: 'text', options: ['a'] },
			{ name: '1bad', label: '', type: 'date' }] }, [
			'prechatFields[1].name must be unique ("email" is given twice)',
			'prechatFields[2].options must list the choices of a select field',
			'prechatFields[3].options only a select field has options',
			"prechatFields[4].name must be 1-40 letters, digits, '_' or '-', starting with a letter",
			'prechatFields[4].label must not be empty',
			'prechatFields[4].type must be one of: text, email, phone, textarea, select',
		]],
		[{ name: 'a', departments: [{ id: 'sales', name: 'Sales' }, { id: 'sales', name: 'Other' }] },
			['departments[1].id must be unique ("sales" is given twice)']],
		[{ name: 'a', proactiveTriggers: [{ type: 'time_on_page', message: 'hi' }, { type: 'url_match', message: 'hi' },
			{ type: 'exit_intent', message: '', delaySeconds: 4000 }] }, [
			'proactiveTriggers[0].delaySeconds is required for a time_on_page trigger',
			'proactiveTriggers[1].urlPattern is required for a url_match trigger',
			'proactiveTriggers[2].message must not be empty',
		]],
	];
	for (const [body, want] of cases) {
		mosendValidation(await post(body), base(), want);
	}
	assert.equal(q(`SELECT count(*) FROM wa.web_chat_channels WHERE org_id = '${t.orgId}'`), before);
});

test('PATCH changes what it names; null clears; the token never changes', async () => {
	const c = mosendOk(await post(FULL()), 201);
	const u = mosendOk(await patch(c.id, { name: 'Renamed', welcomeMessage: null, operatingHours: null,
		offlineAction: null, offlineMessage: null, allowedDomains: [], enabled: false, token: 'wc_x' }));
	assert.equal(u.name, 'Renamed');
	assert.equal(u.token, c.token);
	assert.deepEqual([u.welcomeMessage, u.operatingHours, u.offlineAction, u.offlineMessage], [null, null, null, null]);
	assert.deepEqual(u.allowedDomains, []);
	assert.equal(u.enabled, false);
	// untouched
	assert.deepEqual(u.prechatFields, c.prechatFields);
	assert.equal(u.color, c.color);
	assert.ok(Date.parse(u.updatedAt) >= Date.parse(c.updatedAt));
	mosendValidation(await patch(c.id, { name: '', color: null }), `${base()}/${c.id}`,
		['name must not be empty', 'color must not be null']);
	mosendError(await patch('00000000-0000-0000-0000-000000000000', { name: 'x' }), 404, 'Not Found',
		`${base()}/00000000-0000-0000-0000-000000000000`);
	const theirs = mosendOk(await post({ name: 'Theirs' }, other), 201);
	mosendError(await patch(theirs.id, { name: 'mine now' }), 404, 'Not Found', `${base()}/${theirs.id}`);
	assert.equal(mosendOk(await api('GET', `${base(other)}/${theirs.id}`, other.key)).name, 'Theirs');
});

test('the install snippet loads the widget with the channel\'s token', async () => {
	const c = mosendOk(await post({ name: 'Snippet' }), 201);
	const s = mosendOk(await api('GET', `${base()}/${c.id}/snippet`, member));
	assert.deepEqual(Object.keys(s), ['channelId', 'token', 'scriptUrl', 'snippet']);
	assert.equal(s.token, c.token);
	assert.match(s.scriptUrl, /^https:\/\/[^/]+\/web-chat\/widget\.js$/);
	assert.equal(s.snippet, `<script src="${s.scriptUrl}" data-wagate-channel="${c.token}" async></script>`);
});

test('the identity secret: shown once, stored sealed, rotated, revoked', async () => {
	const c = mosendOk(await post({ name: 'Identity', identityRequired: true }), 201);
	const path = `${base()}/${c.id}/identity-secret`;
	const s1 = mosendOk(await api('POST', path, t.key), 201);
	assert.deepEqual(Object.keys(s1), ['channelId', 'secret', 'createdAt']);
	assert.match(s1.secret, /^[0-9a-f]{64}$/);
	const stored = q(`SELECT encode(identity_secret_enc, 'hex') FROM wa.web_chat_channels WHERE id = '${c.id}'`);
	assert.ok(stored.length > 64 && !stored.includes(s1.secret), 'sealed, not the secret itself');
	const got = mosendOk(await api('GET', `${base()}/${c.id}`, t.key));
	assert.equal(got.hasIdentitySecret, true);
	assert.equal(got.identitySecretCreatedAt, s1.createdAt);
	assert.ok(!JSON.stringify(got).includes(s1.secret));
	const s2 = mosendOk(await api('POST', path, t.key), 201);
	assert.notEqual(s2.secret, s1.secret);
	const gone = mosendOk(await api('DELETE', path, t.key));
	assert.equal(gone.hasIdentitySecret, false);
	assert.equal(gone.identitySecretCreatedAt, null);
	assert.equal(q(`SELECT identity_secret_enc IS NULL FROM wa.web_chat_channels WHERE id = '${c.id}'`), 't');
	mosendError(await api('POST', `${base(other)}/${c.id}/identity-secret`, other.key), 404, 'Not Found',
		`${base(other)}/${c.id}/identity-secret`);
});

test('roles: members read, admins change', async () => {
	const c = mosendOk(await post({ name: 'Roles' }), 201);
	for (const [m, p, body] of [['POST', base(), { name: 'x' }], ['PATCH', `${base()}/${c.id}`, { name: 'x' }],
		['DELETE', `${base()}/${c.id}`], ['POST', `${base()}/${c.id}/identity-secret`],
		['DELETE', `${base()}/${c.id}/identity-secret`]]) {
		mosendError(await api(m, p, member, { body }), 403, 'Forbidden', p);
	}
	mosendError(await api('GET', base(), 'mk_live_nope.nope'), 401, 'Unauthorized', base());
	mosendOk(await api('GET', `${base()}/${c.id}/snippet`, member));
});

test('DELETE answers the channel once; then it is gone', async () => {
	const c = mosendOk(await post({ name: 'Gone soon' }), 201);
	const d = mosendOk(await api('DELETE', `${base()}/${c.id}`, t.key));
	assert.equal(d.id, c.id);
	mosendError(await api('DELETE', `${base()}/${c.id}`, t.key), 404, 'Not Found', `${base()}/${c.id}`);
	mosendError(await api('GET', `${base()}/${c.id}/snippet`, t.key), 404, 'Not Found', `${base()}/${c.id}/snippet`);
});

test('an organization at its quota of channels gets 422', async () => {
	const x = tenant({ account: false });
	admin('org', 'quota', '--org', x.orgId, '--web-chat-channels', '1');
	mosendOk(await post({ name: 'One' }, x), 201);
	const e = mosendError(await post({ name: 'Two' }, x), 422, 'Unprocessable Entity', base(x));
	assert.match(String(e.message), /limit of 1 web chat channels/);
	assert.equal(mosendOk(await api('GET', base(x), x.key)).length, 1);
});
