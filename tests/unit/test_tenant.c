/*
 * Unit tests for lib/tenant.c: the bound of one organization's requests
 * in flight, shared by forked workers, and given back by the master for
 * a worker that died.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "tenant.h"

#define A	"11111111-1111-4111-8111-111111111111"
#define B	"22222222-2222-4222-8222-222222222222"

static void
test_bound(void **state)
{
	pid_t	pid;
	int	st;

	(void)state;
	/* no table: everyone enters */
	assert_int_equal(wa_tenant_enter(A), 1);
	wa_tenant_leave();

	assert_int_equal(wa_tenant_init(4, 2), 0);
	/* two workers of A enter, the third is refused; B is not */
	wa_tenant_worker(0);
	assert_int_equal(wa_tenant_enter(A), 1);
	pid = fork();
	if (pid == 0) {
		wa_tenant_worker(1);
		if (wa_tenant_enter(A) != 1)
			_exit(1);
		_exit(0);		/* dies holding its place */
	}
	assert_true(waitpid(pid, &st, 0) == pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	wa_tenant_worker(2);
	assert_int_equal(wa_tenant_enter(A), 0);
	assert_int_equal(wa_tenant_enter(B), 1);
	wa_tenant_leave();
	/* the master gives back what the dead worker held */
	wa_tenant_reap(1);
	assert_int_equal(wa_tenant_enter(A), 1);
	wa_tenant_leave();
	wa_tenant_worker(0);
	wa_tenant_leave();
	/* and with nothing held, the slots are free again: many
	 * organizations come and go without filling the table */
	for (st = 0; st < 1000; st++) {
		char org[40];

		snprintf(org, sizeof(org), "org-%d", st);
		assert_int_equal(wa_tenant_enter(org), 1);
		wa_tenant_leave();
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
