/*
 * The pacing of one lane (send.h): a token bucket.
 *
 * The bucket holds a tenth of a second of messages (at least two): a
 * lane at 80/s sends eight at a time every 100 ms, not 80 at once, and
 * a pass of the worker that takes longer than usual (a slow claim)
 * loses none of its rate.
 * Meta's own bucket holds a second's worth (contract §3), so a lane
 * sending at exactly its rate, however late or early a request arrives
 * there, never finds it empty.
 */
#include "send.h"

#define SLICE		10.0	/* bucket = rate / SLICE */
#define RECOVER		10.0	/* climb back max / RECOVER per second */
#define CALM_US		1000000	/* after a slow-down, before recovery */

static double
burst(const struct wa_send_pace *p)
{
	double	b = p->rate / SLICE;

	/* two at least: a slow lane's fraction of a token is never cut */
	return b < 2.0 ? 2.0 : b;
}

static void
refill(struct wa_send_pace *p, int64_t now)
{
	double	dt;

	if (now <= p->at_us)
		return;
	dt = (double)(now - p->at_us) / 1e6;
	if (now > p->calm_us && p->rate < p->max) {
		p->rate += p->max / RECOVER * dt;
		if (p->rate > p->max)
			p->rate = p->max;
	}
	p->tokens += p->rate * dt;
	if (p->tokens > burst(p))
		p->tokens = burst(p);
	p->at_us = now;
}

void
wa_send_pace_init(struct wa_send_pace *p, double mps, int64_t now)
{
	if (mps < 1.0)
		mps = 1.0;
	p->max = p->rate = mps;
	p->at_us = now;
	p->calm_us = now;
	p->tokens = burst(p);
}

int
wa_send_pace_take(struct wa_send_pace *p, int want, int64_t now)
{
	int	n;

	refill(p, now);
	n = (int)p->tokens;
	if (n > want)
		n = want;
	if (n < 0)
		n = 0;
	p->tokens -= n;
	return n;
}

void
wa_send_pace_refund(struct wa_send_pace *p, int n)
{
	p->tokens += n;
	if (p->tokens > burst(p))
		p->tokens = burst(p);
}

int64_t
wa_send_pace_wait(struct wa_send_pace *p, int64_t now)
{
	refill(p, now);
	if (p->tokens >= 1.0)
		return 0;
	return (int64_t)((1.0 - p->tokens) / p->rate * 1e6) + 1;
}

void
wa_send_pace_slow(struct wa_send_pace *p, int64_t now)
{
	refill(p, now);
	/* one halving per calm period: a burst of 130429 answers to what
	 * was already in flight is one signal, not ten */
	if (now >= p->calm_us - CALM_US / 2) {
		p->rate /= 2.0;
		if (p->rate < 1.0)
			p->rate = 1.0;
	}
	if (p->tokens > burst(p))
		p->tokens = burst(p);
	p->calm_us = now + CALM_US;
}
