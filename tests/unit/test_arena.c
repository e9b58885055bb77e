/* Unit tests for lib/arena.c: alignment, growth, copies, cleanups. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

#include "helpers.h"

static void
test_alloc_sizes(void **state)
{
	static const struct {
		size_t	size;
		size_t	counted;	/* what wa_arena_used() adds */
	} cases[] = {
		{ 0, 16 }, { 1, 16 }, { 15, 16 }, { 16, 16 }, { 17, 32 },
		{ 100, 112 }, { 4095, 4096 }, { 4096, 4096 },
		{ 4097, 4112 },		/* first size on the side list */
		{ 100000, 100000 }, { 3u * 1024 * 1024, 3u * 1024 * 1024 },
	};
	struct wa_arena	*a;
	size_t		 i, before;
	char		*p;

	(void)state;
	a = wa_arena_new(0);
	for (i = 0; i < NELEM(cases); i++) {
		before = wa_arena_used(a);
		p = wa_arena_alloc(a, cases[i].size);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 0xa5, cases[i].size);
		assert_int_equal(wa_arena_used(a) - before, cases[i].counted);
	}
	wa_arena_free(a);
}

static void
test_zero_size_unique(void **state)
{
	struct wa_arena	*a = wa_arena_new(0);
	void		*p[8];
	size_t		 i, j;

	(void)state;
	for (i = 0; i < NELEM(p); i++)
		p[i] = wa_arena_alloc(a, 0);
	for (i = 0; i < NELEM(p); i++)
		for (j = i + 1; j < NELEM(p); j++)
			assert_ptr_not_equal(p[i], p[j]);
	wa_arena_free(a);
}

/* Many small objects across several blocks never overlap. */
static void
test_no_overlap(void **state)
{
	static const size_t sizes[] = { 1, 7, 16, 33, 100, 1000, 4096 };
	struct wa_arena	*a = wa_arena_new(0);
	unsigned char	*p[3000];
	size_t		 i, k;

	(void)state;
	for (i = 0; i < NELEM(p); i++) {
		p[i] = wa_arena_alloc(a, sizes[i % NELEM(sizes)]);
		memset(p[i], (int)(i & 0xff), sizes[i % NELEM(sizes)]);
	}
	for (i = 0; i < NELEM(p); i++)
		for (k = 0; k < sizes[i % NELEM(sizes)]; k++)
			if (p[i][k] != (unsigned char)(i & 0xff))
				fail_msg("object %zu byte %zu overwritten",
				    i, k);
	wa_arena_free(a);
}

static void
test_calloc_zeroed(void **state)
{
	static const struct { size_t n, sz; } cases[] = {
		{ 0, 0 }, { 0, 8 }, { 8, 0 }, { 1, 1 }, { 3, 7 },
		{ 100, 100 }, { 1, 70000 },
	};
	struct wa_arena	*a = wa_arena_new(0);
	unsigned char	*p;
	size_t		 i, k;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		/* dirty the arena first so zeroing is visible */
		memset(wa_arena_alloc(a, 256), 0xff, 256);
		p = wa_arena_calloc(a, cases[i].n, cases[i].sz);
		assert_non_null(p);
		for (k = 0; k < cases[i].n * cases[i].sz; k++)
			assert_int_equal(p[k], 0);
	}
	wa_arena_free(a);
}

static void
test_strdup(void **state)
{
	static const struct {
		const char	*in;
		size_t		 n;	/* (size_t)-1: strdup */
		const char	*want;
	} cases[] = {
		{ "", (size_t)-1, "" },
		{ "abc", (size_t)-1, "abc" },
		{ "abc", 2, "ab" },
		{ "abc", 0, "" },
		{ "h\xc3\xa9llo", (size_t)-1, "h\xc3\xa9llo" },
		{ NULL, (size_t)-1, NULL },
		{ NULL, 3, NULL },
	};
	struct wa_arena	*a = wa_arena_new(0);
	const char	*got;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		got = cases[i].n == (size_t)-1 ?
		    wa_arena_strdup(a, cases[i].in) :
		    wa_arena_strndup(a, cases[i].in, cases[i].n);
		if (cases[i].want == NULL) {
			assert_null(got);
			continue;
		}
		assert_string_equal(got, cases[i].want);
		assert_ptr_not_equal(got, cases[i].in);
	}
	wa_arena_free(a);
}

static void
test_printf(void **state)
{
	struct wa_arena	*a = wa_arena_new(0);
	char		 big[5001];
	const char	*s;

	(void)state;
	assert_string_equal(wa_arena_printf(a, "%s", ""), "");
	assert_string_equal(wa_arena_printf(a, "%d-%s-%zu", -5, "x",
	    (size_t)7), "-5-x-7");
	assert_string_equal(wa_arena_printf(a, "%.3s", "abcdef"), "abc");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = wa_arena_printf(a, "<%s>", big);
	assert_int_equal(strlen(s), 5002);
	assert_int_equal(s[0], '<');
	assert_int_equal(s[5001], '>');
	wa_arena_free(a);
}

static int	order[8];
static size_t	norder;

static void
record(void *p)
{
	order[norder++] = *(int *)p;
}

static void
test_defer_lifo(void **state)
{
	static int	 ids[] = { 1, 2, 3, 4 };
	struct wa_arena	*a = wa_arena_new(0);
	size_t		 i;

	(void)state;
	norder = 0;
	for (i = 0; i < NELEM(ids); i++)
		wa_arena_defer(a, record, &ids[i]);
	wa_arena_defer(a, record, NULL);	/* ignored */
	assert_int_equal(norder, 0);
	wa_arena_reset(a);
	assert_int_equal(norder, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(order[i], ids[3 - i]);
	/* the cleanups ran once: a second reset runs nothing */
	wa_arena_reset(a);
	assert_int_equal(norder, 4);
	/* free runs what is pending */
	wa_arena_defer(a, record, &ids[0]);
	wa_arena_free(a);
	assert_int_equal(norder, 5);
	assert_int_equal(order[4], 1);
}

static void
test_reset_reuse(void **state)
{
	struct wa_arena	*a = wa_arena_new(100);
	char		*p;
	int		 round;

	(void)state;
	for (round = 0; round < 5; round++) {
		(void)wa_arena_alloc(a, 50000);
		p = wa_arena_strdup(a, "kept until reset");
		assert_true(wa_arena_used(a) > 50000);
		assert_string_equal(p, "kept until reset");
		wa_arena_reset(a);
		assert_int_equal(wa_arena_used(a), 0);
	}
	wa_arena_free(a);
	wa_arena_free(NULL);
}

/* A size computation that overflows aborts instead of under-allocating. */
static void
test_calloc_overflow_aborts(void **state)
{
	static const struct { size_t n, sz; } cases[] = {
		{ SIZE_MAX, 2 }, { SIZE_MAX / 2 + 1, 2 }, { 2, SIZE_MAX },
	};
	size_t	i;
	pid_t	pid;
	int	st;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		fflush(NULL);
		if ((pid = fork()) == 0) {
			struct wa_arena *a = wa_arena_new(0);

			/* quiet the expected fatal log line */
			if (freopen("/dev/null", "w", stderr) == NULL)
				_exit(3);
			(void)wa_arena_calloc(a, cases[i].n, cases[i].sz);
			_exit(0);
		}
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFSIGNALED(st));
		assert_int_equal(WTERMSIG(st), SIGABRT);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_sizes),
		cmocka_unit_test(test_zero_size_unique),
		cmocka_unit_test(test_no_overlap),
		cmocka_unit_test(test_calloc_zeroed),
		cmocka_unit_test(test_strdup),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_defer_lifo),
		cmocka_unit_test(test_reset_reuse),
		cmocka_unit_test(test_calloc_overflow_aborts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
