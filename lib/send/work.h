/*
 * work: the sending worker's own state, shared by worker.c and
 * refresh.c (not for families: send.h is the interface).
 */
#ifndef WA_SEND_WORK_H
#define WA_SEND_WORK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "req.h"
#include "send.h"

#define WA_SEND_LANES_MAX	256	/* lanes one worker holds */
#define WA_SEND_LANE_LEASE_S	10	/* renewed every WA_SEND_HOUSE_US */
#define WA_SEND_HOUSE_US	250000
#define WA_SEND_RECOVER_US	5000000
#define WA_SEND_CLAIM_MAX	100	/* messages per claim */
#define WA_SEND_POLL_MS		50
/* A lane whose claim finds nothing is kept for WA_SEND_KEEP_US after its
 * last work, looked at every WA_SEND_RECHECK_US, before it is handed
 * back: a trickle of messages (a bot's answers, an agent's) then needs
 * no claim of the lane's row, which every insert of the number's
 * messages locks (sql/0006_sending.sql). */
#define WA_SEND_KEEP_US		1000000
#define WA_SEND_RECHECK_US	10000
#define WA_SEND_REFRESH_MAX	8	/* templates refreshed per pass */

/* A message's result, waiting to be written. */
struct result {
	char		 id[WA_UUID_LEN];
	const char	*status;	/* static: "sent", "queued", ... */
	char		*wamid;
	char		*error_code;
	char		*error;
	int		 meta_code;
	int		 delay_s;	/* queued: again after */
};

/* A template Meta refused: wagate's copy is refreshed from Meta. */
struct refresh {
	char		*name;
	char		*language;
};

/* One account whose queue this worker drains. */
struct lane {
	char		 org_id[WA_UUID_LEN];
	char		 account_id[WA_UUID_LEN];
	char		*waba_id;
	char		*phone_id;
	char		*token;
	struct wa_send_pace pace;
	size_t		 inflight;
	int64_t		 idle_until;	/* no claim before (monotonic) */
	int64_t		 busy_us;	/* its last claim that found work */
	int		 gone;		/* released or paused */
	struct result	*res;
	size_t		 nres;
	size_t		 capres;
	struct refresh	 refresh[WA_SEND_REFRESH_MAX];
	size_t		 nrefresh;
};

/* One message in flight (the transfer's udata). */
struct item {
	struct lane	*lane;
	char		 id[WA_UUID_LEN];
	int		 attempts;
	char		*tpl_name;
	char		*tpl_language;
};

struct sender {
	pid_t			 pid;
	char			 owner[80];
	struct wa_graph_multi	*multi;
	struct lane		*lanes[WA_SEND_LANES_MAX];
	size_t			 nlanes;
	size_t			 inflight;
	int64_t			 house_us;
	int64_t			 recover_us;
	int			 stopping;
};

/* refresh.c: Meta refused a template wagate thought fine (132000, ...):
 * note it, and at the end of the pass refresh wagate's copy from Meta
 * and fail the queued messages the refreshed copy can no longer carry
 * (the drift guard, docs/sending.md). */
void	work_template_changed(struct wa_req *, struct lane *,
	    const char *name, const char *language);
void	work_templates(struct wa_req *, struct lane *const *lanes,
	    size_t nlanes);

#endif /* WA_SEND_WORK_H */
