# calls-api: plain GNU make. `make`, `make test`, `make demo`, `make stop`.

PREFIX		?= /usr/local
LIBEXECDIR	?= $(PREFIX)/lib/calls-api
SBINDIR		?= $(PREFIX)/sbin
SYSCONFDIR	?= $(PREFIX)/etc
DATADIR		?= $(PREFIX)/share/calls-api
MANDIR		?= $(PREFIX)/share/man
# systemd reads units from /usr/local/lib/systemd/system too.
SYSTEMDUNITDIR	?= $(PREFIX)/lib/systemd/system
DESTDIR		?=

CC		?= cc
CFLAGS		?= -O2 -g
WARNINGS	 = -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes \
		   -Wshadow -Wwrite-strings -Wformat=2 -Wpointer-arith
HARDENING	 = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDHARDENING	 = -pie -Wl,-z,relro,-z,now

# Quiet build lines ("  CC      build/lib/db.o"); V=1 prints the commands,
# make -s nothing.
ifeq ($(V),1)
Q		 =
say		 = @:
else ifneq ($(findstring s,$(filter-out -%,$(firstword $(MAKEFLAGS)))),)
Q		 = @
say		 = @:
else
Q		 = @
say		 = @printf '  %-7s %s\n'
endif

ifeq ($(WERROR),1)
WARNINGS	+= -Werror
endif

# SANITIZE=1 builds everything with ASan+UBSan into its own directory.
ifeq ($(SANITIZE),1)
BUILD		?= build/sanitize
SANFLAGS	 = -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
HARDENING	 = -fPIE
else
BUILD		?= build
SANFLAGS	 =
endif

PKG_CFLAGS	:= $(shell pkg-config --cflags jansson libcrypto zlib 2>/dev/null) \
		   $(shell mariadb_config --cflags 2>/dev/null)
# The responder links libcrypto, zlib (--version asks it) and the
# connector; the tests also jansson, which checks every JSON body they see.
LIB_LIBS	:= $(shell pkg-config --libs libcrypto zlib 2>/dev/null) \
		   $(shell mariadb_config --libs 2>/dev/null)

# STATIC=1 (set by `make static` for its own sub-make, BUILD=build/static):
# linked -static against the Connector/C that scripts/connector-c.sh built
# (CONNECTOR_C: its prefix; the authentication plugins built in) and
# Debian's libfcgi.a, libssl.a, libcrypto.a, libz.a. Not PIE: `file` says
# "statically linked" (a static-pie would need glibc's rcrt1).
ifeq ($(STATIC),1)
PKG_CFLAGS	:= -I$(CONNECTOR_C)/include/mariadb
LIB_LIBS	:= $(CONNECTOR_C)/lib/libmariadbclient.a -lssl -lcrypto -lz \
		   -lpthread -ldl -lm
LDHARDENING	 = -static -Wl,-z,relro,-z,now
STATIC_DEFINES	 = -DCALLS_API_STATIC
# A rebuilt connector relinks the binary (its headers: the .d files).
$(BUILD)/calls-api: $(CONNECTOR_C)/lib/libmariadbclient.a
endif
STATIC_BIN	:= build/static/calls-api
PKG_LIBS	:= $(shell pkg-config --libs jansson 2>/dev/null) $(LIB_LIBS)

ALL_CFLAGS	 = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARNINGS) $(HARDENING) \
		   $(SANFLAGS) $(PKG_CFLAGS) $(DEFINES) -MMD -MP $(CFLAGS)
ALL_LDFLAGS	 = $(LDHARDENING) $(SANFLAGS) $(LDFLAGS)

LIB_SRC		:= $(sort $(wildcard lib/*.c))
LIB_OBJ		:= $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC	:= $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN	:= $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SUPPORT	:= $(BUILD)/tests/unit/fake_store.o
BIN		:= $(BUILD)/calls-api

# Demo settings.
SERVER		?= apache
PORT		?= 8080
ROWS		?= 100000
ORG		?= org_acme

.PHONY: all deps grammar-deps test check unit unit-build valgrind demo stop seed \
	install clean bench bench-cgi bench-rows bench-pool bench-agents soak static release FORCE

all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/cgi/main.o: DEFINES = -DCALLS_API_DEFAULT_CONF='"$(SYSCONFDIR)/calls-api.cnf"'

# The version (git describe) and libfcgi's package version, baked into
# lib/version.o; build_info.h is rewritten only when they change.
$(BUILD)/gen/build_info.h: FORCE
	@mkdir -p $(@D)
	$(Q)scripts/build-info.sh $@
$(BUILD)/lib/version.o: $(BUILD)/gen/build_info.h
$(BUILD)/lib/version.o: DEFINES = -include $(BUILD)/gen/build_info.h \
    $(STATIC_DEFINES)
FORCE:

$(BIN): $(BUILD)/cgi/main.o $(LIB_OBJ)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ -lfcgi $(LIB_LIBS)

# Benchmark tools: the trivial FastCGI ceiling and the query-only loop.
$(BUILD)/bench/trivial: $(BUILD)/bench/trivial.o
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ -lfcgi

# The CGI ceiling (libc only) and the start-up timer of bench/cgi.sh.
$(BUILD)/bench/trivial_cgi: $(BUILD)/bench/trivial_cgi.o
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

$(BUILD)/bench/exec_time: $(BUILD)/bench/exec_time.o
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

$(BUILD)/bench/query_loop: $(BUILD)/bench/query_loop.o $(LIB_OBJ)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIB_LIBS)

$(BUILD)/bench/mint_cursor: $(BUILD)/bench/mint_cursor.o $(LIB_OBJ)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIB_LIBS)
-include $(wildcard $(BUILD)/bench/*.d)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(TEST_SUPPORT) $(LIB_OBJ)
	@mkdir -p $(@D)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

deps:
	@scripts/deps.sh

# make static: build/static/calls-api, statically linked, with
# MariaDB Connector/C built from Debian's source by scripts/connector-c.sh
# (pinned; cached under ~/.cache/calls-api, about a minute the first time).
static:
ifeq ($(SANITIZE),1)
	@echo 'make static: not with SANITIZE=1 (the sanitizer runtimes' \
	    'cannot be linked statically)' >&2; exit 1
endif
	@prefix=$$(scripts/connector-c.sh build) && \
	    $(MAKE) --no-print-directory STATIC=1 SANITIZE= BUILD=build/static \
	    CONNECTOR_C="$$prefix" $(STATIC_BIN)
	@file $(STATIC_BIN) | grep -q 'statically linked' || \
	    { echo 'make static: $(STATIC_BIN) is not statically linked:' >&2; \
	    file $(STATIC_BIN) >&2; exit 1; }

# make release: dist/calls-api-VERSION-linux-x86_64.tar.gz from the static
# binary (scripts/release.sh says what goes in).
release: static
	@scripts/release.sh $(STATIC_BIN) dist

# From npm: MySQL's grammar, for tests/15-schema-portable.t, and the OpenAPI
# validator that checks every response of the integration tests
# (tests/openapi; npm only when its node_modules is missing or stale).
grammar-deps:
	@scripts/deps.sh grammar

# make test: the whole matrix, as CI runs it.
#  1. -Werror build and the static binary: every unit test and every
#     integration test (private MariaDB, real Apache mod_fcgid / mod_cgi /
#     mod_cgid / mod_proxy_fcgi, nginx and lighttpd on free loopback
#     ports; the static binary's, install, packaging and demo tests too);
#  2. the same unit and integration tests on an ASan+UBSan build, but for
#     those that run no responder C code of their own (12-openapi,
#     15-schema-portable, 90-install, 91-operator-install: packaging; 92,
#     95, 96: the static binary and the demo, built plain; 86: web server
#     configs), which skip there naming the plain pass;
#  3. the libFuzzer harnesses over their seeds, then 20 s of fuzzing each;
#  4. the unit tests under valgrind.
# Steps 1, 2 and 4 run TEST_JOBS (2) test files at once (make check).
# Each step says what it is; the fuzzers' output goes to build/fuzz/*.log
# (one summary line per harness here, the log named on failure).
test: deps grammar-deps
	@echo '== make test 1/4: -Werror build, static build, unit and' \
	    'integration tests'
	@$(MAKE) --no-print-directory WERROR=1 static
	@$(MAKE) --no-print-directory WERROR=1 check
	@echo '== make test 2/4: the same on an ASan+UBSan build'
	@$(MAKE) --no-print-directory WERROR=1 SANITIZE=1 check
	@echo '== make test 3/4: libFuzzer harnesses, seeds then' \
	    '$(FUZZ_SMOKE_SECONDS) s each'
	@$(MAKE) --no-print-directory fuzz-regress fuzz-smoke
	@echo '== make test 4/4: unit tests under valgrind'
	@$(MAKE) --no-print-directory WERROR=1 valgrind
	@echo '== make test: all passed'

# Tests of the static binary (make static) run when it exists, not on the
# sanitizer build (they skip there, saying so).
ifneq ($(SANITIZE),1)
STATIC_ENV	 = $(if $(wildcard $(STATIC_BIN)),\
		   CALLS_API_STATIC_BIN=$(CURDIR)/$(STATIC_BIN))
endif

# TEST_JOBS: test files run at once (prove -j; each has its own run dir,
# MariaDB and free ports). DB_TEMPLATE: the tests' MariaDB datadirs are
# copies of one that mariadb-install-db makes once per check
# (scripts/db.sh), removed at the end. PROVE_FLAGS: more prove options
# (e.g. --timer). The longest test first, so that the two lanes end
# together.
TEST_JOBS	?= 2
PROVE_FLAGS	?=
SLOW_TESTS	:= tests/95-demo-anywhere.t
TESTS		:= $(SLOW_TESTS) $(filter-out $(SLOW_TESTS),\
		   $(sort $(wildcard tests/*.t)))
check: all $(UNIT_BIN) grammar-deps
	$(Q)tpl=$$(mktemp -d /tmp/calls-api-db-template.XXXXXX) && \
	    trap 'rm -rf "$$tpl"' EXIT && trap 'exit 1' INT TERM && \
	    CALLS_API_BIN=$(CURDIR)/$(BIN) $(STATIC_ENV) SANITIZE=$(SANITIZE) \
	    DB_TEMPLATE=$$tpl prove -f -j$(TEST_JOBS) $(PROVE_FLAGS) \
	    $(UNIT_BIN) $(TESTS)

# The unit test binaries, built (silent when they are up to date).
unit-build: $(UNIT_BIN)
	@:

unit: $(UNIT_BIN)
	$(Q)prove -f $(UNIT_BIN)

# valgrind does not mix with ASan: always the plain build.
VALGRIND	 = valgrind -q --error-exitcode=1 --leak-check=full \
		   --errors-for-leak-kinds=definite
valgrind:
	@$(MAKE) --no-print-directory SANITIZE= BUILD=build unit-build
	$(Q)prove -f -j$(TEST_JOBS) --exec '$(VALGRIND)' \
	    $(UNIT_SRC:tests/unit/%.c=build/tests/%)

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh start "$(SERVER)" "$(PORT)" "$(CURDIR)/$(BIN)"

stop:
	@scripts/demo.sh stop

seed:
	@scripts/seed.sh "$(CURDIR)/run" "$(ROWS)" "$(ORG)"

# make bench: throughput, ceilings, depth, memory, rows examined per page in
# one run (bench/run.sh, BENCHMARKS.md); about 10 minutes, everything it
# starts is stopped.
# Its CGI part (bench/cgi.sh) takes the static binary too when there is
# one (CALLS_API_STATIC_BIN, else build/static/calls-api).
CGI_BENCH_TOOLS	 = $(BUILD)/bench/trivial_cgi $(BUILD)/bench/exec_time
bench: deps all $(BUILD)/bench/trivial $(BUILD)/bench/query_loop \
    $(BUILD)/bench/mint_cursor $(CGI_BENCH_TOOLS)
	@BUILD=$(BUILD) bench/run.sh

# make bench-cgi: the CGI part alone (about 4 minutes; BENCH_CGI_QUICK=1
# about 1): calls-api under Apache mpm_event + mod_cgid against a trivial
# CGI program, writes bench/results-cgi.md (bench/cgi.sh, BENCHMARKS.md).
bench-cgi: deps all $(CGI_BENCH_TOOLS)
	@BUILD=$(BUILD) bench/cgi.sh

# make bench-rows: the rows MariaDB examines for one page (first, 100th,
# 20,000th and the pages before them through prev_cursor) for each query
# string of bench/rows-queries.txt, on 1,000,000 calls of its own: writes
# bench/results-rows.md (bench/rows.sh, BENCHMARKS.md; 14 minutes on the
# 2-CPU test machine at a load average of 12, 4.5 of them seeding: it
# walks 51,000 pages to reach its depths). Also part of make bench.
bench-rows: deps all
	@BUILD=$(BUILD) bench/rows.sh

# make bench-pool: p99 at 1x, 2x, 4x the process count and in the first
# second after an idle spell, for mod_fcgid, mod_proxy_fcgi + pool, nginx
# + pool, lighttpd and lighttpd + pool; writes bench/results-pool.md
# (bench/pool.sh; about 5 minutes, BENCH_POOL_QUICK=1 about 1).
bench-pool: deps all
	@BUILD=$(BUILD) bench/pool.sh

# make bench-agents: the list endpoint before issue 12's part 2 (built
# from git), with the join and with the agent cache, alternating rounds
# through lighttpd, the hit and the miss path; writes
# bench/results-agents.md (bench/agents.sh; about 6 minutes,
# BENCH_AGENTS_QUICK=1 about 2).
bench-agents: deps all
	@BUILD=$(BUILD) bench/agents.sh

# make soak: wrk through Apache + mod_fcgid for SOAK_SECONDS (default 60):
# zero non-2xx, zero socket errors, responder RSS flat (bench/soak.sh).
soak: deps all
	@BUILD=$(BUILD) bench/soak.sh

# make install: the binary, calls-api-setup (database, schema, account and
# config file; README "Installing on a Debian server"), the schema, the
# server snippets (mod_fcgid, mod_proxy_fcgi, nginx, lighttpd with its own
# responders or an external pool), the systemd units of the pool (README
# "Running a pool"), the OpenAPI document, the example config (0644: it
# holds no secret) and the man pages calls-api(8) and calls-api-key(8),
# with this installation's directories in their .ds lines (a '-' in a path
# written as groff's \-). Paths inside the snippets and units follow
# PREFIX, LIBEXECDIR, SYSCONFDIR and DATADIR.
MAN_PAGES	 = doc/calls-api.8 doc/calls-api-key.8
man_dir		 = $(subst -,\\-,$(1))
MAN_SED		 = -e 's|^\.ds libexecdir .*|.ds libexecdir $(call man_dir,$(LIBEXECDIR))|' \
		   -e 's|^\.ds sysconfdir .*|.ds sysconfdir $(call man_dir,$(SYSCONFDIR))|' \
		   -e 's|^\.ds sbindir .*|.ds sbindir $(call man_dir,$(SBINDIR))|' \
		   -e 's|^\.ds datadir .*|.ds datadir $(call man_dir,$(DATADIR))|'
INSTALL_PATHS	 = sed -e 's|/usr/local/lib/calls-api|$(LIBEXECDIR)|g' \
		   -e 's|/usr/local/etc|$(SYSCONFDIR)|g' \
		   -e 's|/usr/local/share/calls-api|$(DATADIR)|g'
install: $(BIN)
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SYSCONFDIR) \
	    $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(DATADIR)/schema $(DESTDIR)$(DATADIR)/apache \
	    $(DESTDIR)$(DATADIR)/lighttpd $(DESTDIR)$(DATADIR)/nginx \
	    $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(LIBEXECDIR)/calls-api
	sed -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    -e 's|@DATADIR@|$(DATADIR)|g' scripts/setup.sh \
	    > $(DESTDIR)$(SBINDIR)/calls-api-setup
	chmod 0755 $(DESTDIR)$(SBINDIR)/calls-api-setup
	install -m 0644 schema/*.sql $(DESTDIR)$(DATADIR)/schema/
	install -m 0644 doc/openapi.yaml $(DESTDIR)$(DATADIR)/openapi.yaml
	install -m 0644 apache/htaccess.example $(DESTDIR)$(DATADIR)/apache/
	$(INSTALL_PATHS) apache/calls-api.conf \
	    > $(DESTDIR)$(DATADIR)/apache/calls-api.conf
	$(INSTALL_PATHS) apache/calls-api-proxy-fcgi.conf \
	    > $(DESTDIR)$(DATADIR)/apache/calls-api-proxy-fcgi.conf
	$(INSTALL_PATHS) lighttpd/calls-api.conf \
	    > $(DESTDIR)$(DATADIR)/lighttpd/calls-api.conf
	$(INSTALL_PATHS) lighttpd/calls-api-external.conf \
	    > $(DESTDIR)$(DATADIR)/lighttpd/calls-api-external.conf
	$(INSTALL_PATHS) nginx/calls-api.conf \
	    > $(DESTDIR)$(DATADIR)/nginx/calls-api.conf
	$(INSTALL_PATHS) systemd/calls-api.service \
	    > $(DESTDIR)$(SYSTEMDUNITDIR)/calls-api.service
	install -m 0644 systemd/calls-api.socket \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/calls-api.socket
	install -m 0644 calls-api.cnf.example \
	    $(DESTDIR)$(SYSCONFDIR)/calls-api.cnf.example
	for page in $(MAN_PAGES); do \
	    sed $(MAN_SED) $$page > $(DESTDIR)$(MANDIR)/man8/$${page##*/} && \
	    chmod 0644 $(DESTDIR)$(MANDIR)/man8/$${page##*/} || exit 1; \
	done

clean:
	rm -rf build dist

include tests/fuzz/fuzz.mk

.SECONDARY:

-include $(LIB_OBJ:.o=.d) $(BUILD)/cgi/main.d \
    $(wildcard $(BUILD)/tests/unit/*.d)
