# wagate: plain GNU make.  `make run` and `make test` are the two
# commands of the README; everything else supports them.

CC	?= cc
BUILD	?= build
PKGS	 = libpq libcjson fcgi openssl libcurl libjwt libmagic libpng libjpeg \
	libwebp
CFLAGS_BASE = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral \
	-g -fstack-protector-strong -fPIE
OPT	?= -O2 -D_FORTIFY_SOURCE=2
SAN	?=
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpq -lcjson -lfcgi -lssl -lcrypto -lcurl -ljwt \
	-lmagic -lpng16 -ljpeg -lwebp)
CFLAGS	+= $(CFLAGS_BASE) $(OPT) $(SAN) $(PKG_CFLAGS) -Ilib
LDFLAGS	+= -pie -Wl,-z,relro,-z,now $(SAN)
LDLIBS	+= $(PKG_LIBS) -lm

LIB_SRC	 = $(wildcard lib/*.c lib/*/*.c)
LIB_OBJ	 = $(LIB_SRC:%.c=$(BUILD)/%.o)
LIBWA	 = $(BUILD)/libwa.a

# One binary per family: fcgi/<family>.c or fcgi/<family>/*.c
FAMILY_DIRS  = $(patsubst fcgi/%/,%,$(sort $(dir $(wildcard fcgi/*/*.c))))
FAMILY_FILES = $(patsubst fcgi/%.c,%,$(wildcard fcgi/*.c))
FAMILIES     = $(FAMILY_DIRS) $(FAMILY_FILES)
FAMILY_BINS  = $(FAMILIES:%=$(BUILD)/bin/%)

TOOL_BINS    = $(BUILD)/bin/wa-admin $(BUILD)/bin/metasim
NGINX_SRC   ?= /usr/share/nginx/src
NGINX_MOD    = build/nginx/ngx_http_wa_deadline_module.so
UNIT_SRC     = $(wildcard tests/unit/test_*.c)
UNIT_BINS    = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps deps-test run stop test test-unit test-asan test-fuzz \
	test-e2e test-hostile bench lint clean asan fuzz format
.SUFFIXES:

all: $(LIBWA) $(FAMILY_BINS) $(TOOL_BINS) $(NGINX_MOD)

# nginx's total deadline on a request body (nginx/module): a dynamic
# module of the installed nginx, built with Debian's nginx-dev and the
# system compiler once for every build (the stack loads it from here).
$(NGINX_MOD): nginx/module/config nginx/module/ngx_http_wa_deadline_module.c \
    scripts/nginx-module.sh
	@sh scripts/nginx-module.sh $(NGINX_SRC) build/nginx $(CURDIR)/nginx/module

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIBWA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

define family_rule
$(BUILD)/bin/$(1): $(patsubst %.c,$(BUILD)/%.o,$(wildcard fcgi/$(1)/*.c fcgi/$(1).c)) $(LIBWA)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach f,$(FAMILIES),$(eval $(call family_rule,$(f))))

$(BUILD)/bin/wa-admin: $(patsubst %.c,$(BUILD)/%.o,$(wildcard scripts/admin/*.c)) $(LIBWA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The Meta simulator (scripts/metasim, docs/meta.md): not a family.
METASIM_LIBS := $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd) -lpthread
$(BUILD)/bin/metasim: $(patsubst %.c,$(BUILD)/%.o,$(wildcard scripts/metasim/*.c)) $(LIBWA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(METASIM_LIBS) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBWA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

-include $(LIB_OBJ:.o=.d) $(wildcard $(BUILD)/fcgi/*.d $(BUILD)/fcgi/*/*.d $(BUILD)/tests/unit/*.d $(BUILD)/scripts/admin/*.d $(BUILD)/scripts/metasim/*.d)

# ---- the two commands -------------------------------------------------

# What building and running needs (make run), and that plus what only
# the tests need (make test): scripts/install-deps.sh.
deps:
	@sh scripts/install-deps.sh run

deps-test:
	@sh scripts/install-deps.sh test

run: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/stack.sh up var

stop:
	@sh scripts/stack.sh down var

test: deps-test
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-fuzz
	@$(MAKE) --no-print-directory test-e2e

# ---- tests ------------------------------------------------------------

# test_graph_sim starts the Meta simulator built next to it
test-unit: $(UNIT_BINS) $(BUILD)/bin/metasim
	@sh tests/unit/run.sh $(UNIT_BINS)

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan OPT="-O1" \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" all $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)

test-asan: asan
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    sh tests/unit/run.sh $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)

# libFuzzer targets for the parsers of outside bytes, built with clang:
# the lib sources are compiled again into build/fuzz/lib (the gcc-built
# libwa.a has no coverage instrumentation).  test-fuzz runs each target
# for FUZZ_TIME seconds over its seed corpus in tests/fuzz/corpus/.
FUZZ_CC	 ?= clang
FUZZ_TIME ?= 4
FUZZ_DIR  = build/fuzz
FUZZ_SAN  = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_CFLAGS = $(CFLAGS_BASE) -O1 $(FUZZ_SAN) $(PKG_CFLAGS) -Ilib
FUZZ_SRC  = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES = $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_BINS = $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_LIB_OBJ = $(LIB_SRC:lib/%.c=$(FUZZ_DIR)/lib/%.o)

$(FUZZ_DIR)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -MT $@ \
	    -MF $@.d -o $@ $< $(FUZZ_LIB_OBJ) $(PKG_LIBS) -lm

-include $(wildcard $(FUZZ_DIR)/lib/*.d $(FUZZ_DIR)/lib/*/*.d $(FUZZ_DIR)/*.d)

fuzz: $(FUZZ_BINS)

test-fuzz: fuzz
	@FUZZ_TIME=$(FUZZ_TIME) sh tests/fuzz/run.sh $(FUZZ_NAMES)

# The media store's tests run twice: on the file backend with the rest,
# then on the S3 backend (the sandbox's S3-compatible server).
test-e2e: all asan
	@sh tests/e2e/run.sh
	@WA_MEDIA_BACKEND=s3 WA_E2E_ONLY="tests/e2e/71*_media*.test.mjs" \
	    sh tests/e2e/run.sh

# The hostile-input suite over the whole naughty-strings corpus and the
# cross-tenant probe (test-e2e runs a sample of the first); the rate
# limit is raised for it (docs/testing.md).
test-hostile: all asan
	@WA_HOSTILE=full WA_E2E_RATE=5000 WA_E2E_BURST=10000 \
	    WA_E2E_ONLY="tests/e2e/96_hostile.test.mjs tests/e2e/97_cross_tenant.test.mjs" \
	    sh tests/e2e/run.sh

bench: deps-test
	@$(MAKE) --no-print-directory all
	@sh tests/bench/run.sh

lint:
	@sh scripts/checksrc.sh

format:
	clang-format -i lib/*.[ch] lib/*/*.[ch] fcgi/*/*.[ch] scripts/admin/*.c tests/unit/*.[ch]

clean:
	rm -rf build
