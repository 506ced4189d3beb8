# libFuzzer harnesses: a GNU make fragment for the top-level Makefile,
# included after LIB_SRC, PKG_CFLAGS and PKG_LIBS are defined:
#
#   include tests/fuzz/fuzz.mk
#
#   make fuzz              each harness FUZZ_SECONDS (default 60) on a copy
#                          of its seeds in build/fuzz/corpus-<name>
#   make fuzz-smoke        the same, 20 seconds each (CI)
#   make fuzz-regress      each harness over its seed files only (no fuzzing)
#   make fuzz-seeds        regenerate the generated seeds (tests/fuzz/gen_seeds.c)
#   make fuzz FUZZ_NAMES=cursor FUZZ_ARGS='-jobs=2'   one harness, extra flags
#
# Each harness prints one line (runs, seconds, coverage, corpus size); its
# full output goes to build/fuzz/<fuzz|smoke|regress>-<name>.log, whose
# end is shown and whose name is printed when it fails.
# Needs clang with libFuzzer (Debian: apt-get install clang libclang-rt-14-dev).
# A crash leaves its input in build/fuzz/artifacts-<name>/; reproduce with
# build/fuzz/fuzz_<name> <file>. build/fuzz/corpus-* keep growing across runs
# (rm -rf build/fuzz/corpus-* to start again from the seeds); the seed
# corpora under tests/fuzz/corpus/ are never written by the fuzzers.

# Keep the including Makefile's default goal (normally `all`).
FUZZ_SAVED_GOAL	:= $(.DEFAULT_GOAL)

LIB_SRC		?= $(sort $(wildcard lib/*.c))

FUZZ_CC		?= clang
FUZZ_SECONDS	?= 60
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_ARGS	?=
FUZZ_NAMES	?= query cursor handler
FUZZ_DIR	:= build/fuzz
FUZZ_SRC_DIR	:= tests/fuzz
FUZZ_SAN	:= -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS	 = -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L $(FUZZ_SAN) \
		   $(PKG_CFLAGS) -MMD -MP
# libFuzzer options for every run: a hang is a finding too.
FUZZ_RUN_FLAGS	 = -timeout=10 -print_final_stats=1

FUZZ_BIN	:= $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_SUPPORT	:= $(LIB_SRC) tests/unit/fake_store.c
FUZZ_OBJ	:= $(FUZZ_SUPPORT:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_MAIN_OBJ	:= $(FUZZ_NAMES:%=$(FUZZ_DIR)/obj/$(FUZZ_SRC_DIR)/fuzz_%.o)

.PHONY: fuzz fuzz-smoke fuzz-regress fuzz-build fuzz-seeds

fuzz-build: $(FUZZ_BIN)

$(FUZZ_OBJ) $(FUZZ_MAIN_OBJ): $(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(say) CLANG $@
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BIN): $(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/$(FUZZ_SRC_DIR)/fuzz_%.o \
    $(FUZZ_OBJ)
	$(say) LD $@
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(PKG_LIBS)

# Quiet build lines unless the including Makefile says otherwise.
Q		?= @
say		?= @printf '  %-7s %s\n'

# $(call fuzz_summary,LOG): one line from a libFuzzer log: runs, coverage,
# features, corpus size (from -print_final_stats and the last status line).
fuzz_summary = runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(1) | tail -n 1); \
	status=$$(grep -E '^\#[0-9]+' $(1) | tail -n 1); \
	cov=$$(echo "$$status" | sed -n 's/.* cov: \([0-9]*\).*/\1/p'); \
	ft=$$(echo "$$status" | sed -n 's/.* ft: \([0-9]*\).*/\1/p'); \
	corp=$$(echo "$$status" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')

# $(call fuzz_run,SECONDS,NAME): fuzz every harness from a copy of its
# seeds, its output in build/fuzz/NAME-<harness>.log and one line here;
# run them all, then fail if any crashed (or leaked, or hung), naming the
# log and showing its end.
define fuzz_run
	@fail=; for n in $(FUZZ_NAMES); do \
	    corpus=$(FUZZ_DIR)/corpus-$$n; art=$(FUZZ_DIR)/artifacts-$$n/; \
	    log=$(FUZZ_DIR)/$(2)-$$n.log; \
	    mkdir -p $$corpus $$art; \
	    cp -p $(FUZZ_SRC_DIR)/corpus/$$n/* $$corpus/; \
	    dict=; [ -f $(FUZZ_SRC_DIR)/$$n.dict ] && \
	        dict=-dict=$(FUZZ_SRC_DIR)/$$n.dict; \
	    t0=$$(date +%s); rc=0; \
	    $(FUZZ_DIR)/fuzz_$$n -max_total_time=$(1) $(FUZZ_RUN_FLAGS) \
	        -artifact_prefix=$$art $$dict $(FUZZ_ARGS) $$corpus \
	        >$$log 2>&1 || rc=$$?; \
	    secs=$$(( $$(date +%s) - t0 )); \
	    $(call fuzz_summary,$$log); \
	    if [ $$rc -eq 0 ]; then \
	        echo "fuzz_$$n: $$runs runs in $$secs s, cov $$cov, ft $$ft, corpus $$corp ($$log)"; \
	    else \
	        fail="$$fail $$n"; tail -n 40 $$log; \
	        echo "fuzz_$$n: FAILED (exit $$rc) after $$secs s; log $$log, inputs in $$art"; \
	    fi; \
	done; \
	if [ -n "$$fail" ]; then \
	    echo "fuzz: FAILED:$$fail (logs $(FUZZ_DIR)/$(2)-*.log, inputs in $(FUZZ_DIR)/artifacts-*/)"; \
	    exit 1; \
	fi; echo "fuzz: no crashes"
endef

fuzz: $(FUZZ_BIN)
	$(call fuzz_run,$(FUZZ_SECONDS),fuzz)

fuzz-smoke: $(FUZZ_BIN)
	$(call fuzz_run,$(FUZZ_SMOKE_SECONDS),smoke)

# Every seed (crash-* regression inputs included) once, no fuzzing.
fuzz-regress: $(FUZZ_BIN)
	@fail=; for n in $(FUZZ_NAMES); do \
	    set -- $(FUZZ_SRC_DIR)/corpus/$$n/*; \
	    log=$(FUZZ_DIR)/regress-$$n.log; \
	    if $(FUZZ_DIR)/fuzz_$$n $(FUZZ_RUN_FLAGS) "$$@" >$$log 2>&1; then \
	        echo "fuzz_$$n: $$# seeds pass ($$log)"; \
	    else \
	        fail="$$fail $$n"; tail -n 60 $$log; \
	        echo "fuzz_$$n: FAILED on its seeds; log $$log"; \
	    fi; \
	done; \
	if [ -n "$$fail" ]; then \
	    echo "fuzz-regress: FAILED:$$fail (logs in $(FUZZ_DIR)/regress-*.log)"; \
	    exit 1; \
	fi; echo "fuzz-regress: all seeds pass"

# The seed generator: plain ASan/UBSan, no libFuzzer (it has its own main).
$(FUZZ_DIR)/gen_seeds: $(FUZZ_SRC_DIR)/gen_seeds.c $(FUZZ_SUPPORT) \
    $(FUZZ_SRC_DIR)/fuzz_common.h
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L \
	    -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	    $(PKG_CFLAGS) -o $@ $(FUZZ_SRC_DIR)/gen_seeds.c $(FUZZ_SUPPORT) \
	    $(PKG_LIBS)

fuzz-seeds: $(FUZZ_DIR)/gen_seeds
	@mkdir -p $(FUZZ_NAMES:%=$(FUZZ_SRC_DIR)/corpus/%)
	$(FUZZ_DIR)/gen_seeds $(FUZZ_SRC_DIR)/corpus

-include $(FUZZ_OBJ:.o=.d) $(FUZZ_MAIN_OBJ:.o=.d)

.DEFAULT_GOAL	:= $(FUZZ_SAVED_GOAL)
