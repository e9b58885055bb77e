/*
 * metasim: start-up, options and shutdown.  The secrets come from the
 * environment (WA_META_APP_SECRET, WA_META_VERIFY_TOKEN), never from
 * the command line, where any user could read them.  The carrier
 * sandbox's API key (METASIM_TELNYX_KEY, --telnyx-key, default
 * KEY_SANDBOX) is no secret: a well-known key for a fake carrier; nor
 * are the billing sandbox's secret key and webhook signing secret
 * (METASIM_STRIPE_KEY, --stripe-key, default sk_test_sandbox;
 * METASIM_STRIPE_WEBHOOK_SECRET, --stripe-webhook-secret, default
 * whsec_sandbox).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "metasim.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: metasim [--listen 127.0.0.1:PORT] [--listen [::1]:PORT]\n"
	    "    [--cert PEM --key PEM] [--public-url URL] [--version vNN.N]\n"
	    "    [--app-id DIGITS] [--webhook-url URL] [--webhook-ca PEM]\n"
	    "    [--review-ms N] [--status-delay-ms N] [--no-statuses]\n"
	    "    [--limits] [--mps N] [--no-window] [--no-auto-provision]\n"
	    "    [--status-profile classic|documented] [--retry-base-ms N]\n"
	    "    [--retry-max N] [--status-batch N] [--threads N]\n"
	    "    [--delivery-threads N] [--telnyx-key KEY] [--stripe-key KEY]\n"
	    "    [--stripe-webhook-secret WHSEC] [--stripe-webhook-url URL]\n"
	    "environment: WA_META_APP_SECRET (signs webhooks),\n"
	    "    WA_META_VERIFY_TOKEN (the GET handshake), METASIM_TELNYX_KEY\n"
	    "    (the carrier sandbox's key, default KEY_SANDBOX),\n"
	    "    METASIM_STRIPE_KEY (default sk_test_sandbox),\n"
	    "    METASIM_STRIPE_WEBHOOK_SECRET (default whsec_sandbox),\n"
	    "    METASIM_STRIPE_WEBHOOK_URL; see docs/meta.md\n");
}

static int
num(const char *s, int min, int max, int *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int
main(int argc, char **argv)
{
	struct sim_config	*c = &sim.cfg;
	const char		*listen[4], *cert = NULL;
	const char		*key = NULL, *pub = NULL, *v, *arg;
	const char		*tkey = NULL, *skey = NULL, *swh = NULL;
	char			 where[256];
	int			 port, threads = 4, dthreads = 2, i, sig;
	int			 nlisten = 0;
	size_t			 n;
	sigset_t		 set;

	c->review_ms = 1500;
	c->status_delay_ms = 200;
	c->statuses = 1;
	c->mps = 80;
	c->pair_burst = 45;
	c->window = 1;
	c->auto_provision = 1;
	c->retry_base_ms = 500;
	c->retry_max = 8;
	c->status_batch = 1;
	snprintf(sim.app_id, sizeof(sim.app_id), "100000000000000");
	snprintf(sim.version, sizeof(sim.version), "v23.0");
	for (i = 1; i < argc; i++) {
		arg = argv[i];
		v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "--no-statuses") == 0)
			c->statuses = 0;
		else if (strcmp(arg, "--limits") == 0)
			c->limits = 1;
		else if (strcmp(arg, "--no-window") == 0)
			c->window = 0;
		else if (strcmp(arg, "--no-auto-provision") == 0)
			c->auto_provision = 0;
		else if (v == NULL)
			goto bad;
		else if (i++, strcmp(arg, "--listen") == 0 &&
		    nlisten < (int)(sizeof(listen) / sizeof(listen[0])))
			listen[nlisten++] = v;
		else if (strcmp(arg, "--cert") == 0)
			cert = v;
		else if (strcmp(arg, "--key") == 0)
			key = v;
		else if (strcmp(arg, "--public-url") == 0)
			pub = v;
		else if (strcmp(arg, "--telnyx-key") == 0 && v[0] != '\0' &&
		    strlen(v) < sizeof(sim.telnyx.key))
			tkey = v;
		else if (strcmp(arg, "--stripe-key") == 0 && v[0] != '\0' &&
		    strlen(v) < sizeof(sim.stripe.key))
			skey = v;
		else if (strcmp(arg, "--stripe-webhook-secret") == 0 &&
		    v[0] != '\0' &&
		    strlen(v) < sizeof(sim.stripe.webhook_secret))
			swh = v;
		else if (strcmp(arg, "--stripe-webhook-url") == 0 &&
		    strlen(v) < sizeof(c->stripe_webhook_url))
			snprintf(c->stripe_webhook_url,
			    sizeof(c->stripe_webhook_url), "%s", v);
		else if (strcmp(arg, "--version") == 0 && strlen(v) < 16 &&
		    v[0] == 'v')
			snprintf(sim.version, sizeof(sim.version), "%s", v);
		else if (strcmp(arg, "--app-id") == 0 && strlen(v) > 0 &&
		    strlen(v) < sizeof(sim.app_id) &&
		    strspn(v, "0123456789") == strlen(v))
			snprintf(sim.app_id, sizeof(sim.app_id), "%s", v);
		else if (strcmp(arg, "--webhook-url") == 0 &&
		    strlen(v) < sizeof(c->webhook_url))
			snprintf(c->webhook_url, sizeof(c->webhook_url),
			    "%s", v);
		else if (strcmp(arg, "--webhook-ca") == 0 &&
		    strlen(v) < sizeof(sim.ca_file))
			snprintf(sim.ca_file, sizeof(sim.ca_file), "%s", v);
		else if (strcmp(arg, "--status-profile") == 0 &&
		    (strcmp(v, "classic") == 0 || strcmp(v, "documented") == 0))
			c->documented = strcmp(v, "documented") == 0;
		else if (!((strcmp(arg, "--review-ms") == 0 &&
		    num(v, 0, 86400000, &c->review_ms) == 0) ||
		    (strcmp(arg, "--status-delay-ms") == 0 &&
		    num(v, 0, 3600000, &c->status_delay_ms) == 0) ||
		    (strcmp(arg, "--mps") == 0 &&
		    num(v, 1, 100000, &c->mps) == 0) ||
		    (strcmp(arg, "--retry-base-ms") == 0 &&
		    num(v, 1, 3600000, &c->retry_base_ms) == 0) ||
		    (strcmp(arg, "--retry-max") == 0 &&
		    num(v, 1, 100, &c->retry_max) == 0) ||
		    (strcmp(arg, "--status-batch") == 0 &&
		    num(v, 1, SIM_BATCH_MAX, &c->status_batch) == 0) ||
		    (strcmp(arg, "--threads") == 0 &&
		    num(v, 1, 64, &threads) == 0) ||
		    (strcmp(arg, "--delivery-threads") == 0 &&
		    num(v, 1, 8, &dthreads) == 0)))
			goto bad;
	}
	if (nlisten == 0)
		listen[nlisten++] = "127.0.0.1:8444";
	/* the port of the first address names the simulator (base_url) */
	if ((cert == NULL) != (key == NULL) ||
	    (v = strrchr(listen[0], ':')) == NULL ||
	    num(v + 1, 1, 65535, &port) != 0)
		goto bad;
	if ((v = getenv("WA_META_APP_SECRET")) != NULL)
		snprintf(sim.app_secret, sizeof(sim.app_secret), "%s", v);
	if ((v = getenv("WA_META_VERIFY_TOKEN")) != NULL)
		snprintf(sim.verify_token, sizeof(sim.verify_token), "%s", v);
	if (tkey == NULL && (v = getenv("METASIM_TELNYX_KEY")) != NULL &&
	    v[0] != '\0')
		tkey = v;
	snprintf(sim.telnyx.key, sizeof(sim.telnyx.key), "%s",
	    tkey != NULL ? tkey : "KEY_SANDBOX");
	if (skey == NULL && (v = getenv("METASIM_STRIPE_KEY")) != NULL &&
	    v[0] != '\0')
		skey = v;
	snprintf(sim.stripe.key, sizeof(sim.stripe.key), "%s",
	    skey != NULL ? skey : "sk_test_sandbox");
	if (swh == NULL && (v = getenv("METASIM_STRIPE_WEBHOOK_SECRET")) !=
	    NULL && v[0] != '\0')
		swh = v;
	snprintf(sim.stripe.webhook_secret, sizeof(sim.stripe.webhook_secret),
	    "%s", swh != NULL ? swh : "whsec_sandbox");
	if (c->stripe_webhook_url[0] == '\0' &&
	    (v = getenv("METASIM_STRIPE_WEBHOOK_URL")) != NULL &&
	    strlen(v) < sizeof(c->stripe_webhook_url))
		snprintf(c->stripe_webhook_url, sizeof(c->stripe_webhook_url),
		    "%s", v);
	if (sim.app_secret[0] == '\0')
		fprintf(stderr, "metasim: WA_META_APP_SECRET is not set: "
		    "webhooks are signed with an empty key\n");
	if (pub != NULL)
		snprintf(sim.base_url, sizeof(sim.base_url), "%s", pub);
	else
		snprintf(sim.base_url, sizeof(sim.base_url),
		    "%s://localhost:%d", cert != NULL ? "https" : "http", port);
	sim.cfg0 = *c;

	/* the signals go to sigwait() below, in no other thread */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	state_init();
	if (hooks_start(dthreads) != 0)
		return 1;
	where[0] = '\0';
	for (i = 0; i < nlisten; i++) {
		if (http_start(listen[i], cert, key, threads) != 0)
			return 1;
		n = strlen(where);
		snprintf(where + n, sizeof(where) - n, "%s%s",
		    i > 0 ? " " : "", listen[i]);
	}
	fprintf(stderr, "metasim: serving %s (Graph %s, app %s) on %s, "
	    "webhooks to %s, Stripe's events to %s\n", sim.base_url,
	    sim.version, sim.app_id, where, c->webhook_url[0] != '\0' ?
	    c->webhook_url : "(none)", c->stripe_webhook_url[0] != '\0' ?
	    c->stripe_webhook_url : "(none)");
	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "metasim: stopping (signal %d)\n", sig);
	hooks_stop();
	http_stop();
	pthread_mutex_lock(&sim.lock);
	state_free();
	telnyx_reset();
	stripe_reset();
	pthread_mutex_unlock(&sim.lock);
	curl_global_cleanup();
	return 0;
bad:
	usage();
	return 2;
}
