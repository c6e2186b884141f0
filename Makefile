# claimscrub -- build, test, demo, bench.
# Dependencies come from Debian packages through pkg-config (see `make deps`).

CC      ?= cc
PKGS    := lua5.4 libcjson
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Wshadow \
           -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
           -Wno-format-truncation
CPPFLAGS += -Iengine/include -Iengine/src \
           -DCS_DEFAULT_ROOT='"$(CURDIR)"' -DCS_DEFAULT_DATA='"$(CURDIR)/$(B)/data/starter"' \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
TEST_LDLIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

B       := build
LIB_SRC := $(wildcard engine/src/*.c)
LIB_OBJ := $(LIB_SRC:engine/src/%.c=$(B)/obj/%.o)
CLI_SRC := $(wildcard engine/cli/*.c)
CLI_OBJ := $(CLI_SRC:engine/cli/%.c=$(B)/obj/cli/%.o)
TESTS   := $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/test_*.c))

APT_PKGS := build-essential pkg-config liblua5.4-dev libcjson-dev libcmocka-dev lua-check time valgrind gzip \
            clang libclang-rt-14-dev

.PHONY: all deps demo test bench clean check-deps sanitize valgrind fuzz
all: $(B)/claimscrub $(B)/data/starter/.built

# The starter reference data set: the hand-written CSVs of data/starter,
# imported as three releases by data/starter/import.sh (see its header).
STARTER_CSV := $(wildcard data/starter/*.csv) data/starter/import.sh
$(B)/data/starter/.built: $(STARTER_CSV) $(B)/claimscrub
	@echo "  DATA    $(B)/data/starter"
	@data/starter/import.sh $(B)/claimscrub $(B)/data/starter && touch $@

$(B)/obj/%.o: engine/src/%.c $(wildcard engine/src/*.h) engine/include/claimscrub.h | check-deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(B)/obj/cli/%.o: engine/cli/%.c $(wildcard engine/cli/*.h) engine/include/claimscrub.h | check-deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(B)/libclaimscrub.a: $(LIB_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

$(B)/claimscrub: $(CLI_OBJ) $(B)/libclaimscrub.a
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: tests/%.c $(wildcard tests/*.h) $(B)/libclaimscrub.a
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes $(shell pkg-config --cflags cmocka) \
	    -o $@ $< $(TEST_OBJ) $(B)/libclaimscrub.a $(TEST_LDLIBS) $(LDLIBS)

# test_input checks the CLI's record reader, which is not in the library.
$(B)/tests/test_input: $(B)/obj/cli/input.o
$(B)/tests/test_input: TEST_OBJ := $(B)/obj/cli/input.o
$(B)/tests/test_input: CPPFLAGS += -Iengine/cli
# test_faults fails allocations at will: its allocation functions are
# wrapped (tests/faultalloc.h, docs/testing.md).
$(B)/tests/test_faults: TEST_LDLIBS += -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=strdup,--wrap=mmap,--wrap=munmap

# test_regressions replays tests/fuzz/regressions/<name>/ through the fuzz
# targets' own code, built without libFuzzer (entry point fuzz_<name>).
FUZZ_NAMES := claim jsonl manifest script refimport x12
FUZZ_REG_OBJ = $(FUZZ_NAMES:%=$(B)/obj/fuzz/fuzz_%.o) $(B)/obj/cli/input.o
$(B)/obj/fuzz/fuzz_%.o: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h engine/cli/input.h \
                       engine/include/claimscrub.h | check-deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) -Iengine/cli $(CFLAGS) -DFUZZ_ENTRY=fuzz_$* -c $< -o $@
$(B)/tests/test_regressions: $(FUZZ_REG_OBJ)
$(B)/tests/test_regressions: TEST_OBJ = $(FUZZ_REG_OBJ)

# Fails with the install command when a dependency is missing.
check-deps:
	@pkg-config --exists $(PKGS) cmocka || { \
	    echo "missing build dependencies; run: make deps" >&2; exit 1; }

# Install what is missing (as root), or print the command to run.
deps:
	@missing=""; for p in $(APT_PKGS); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "deps: all installed"; \
	elif [ "$$(id -u)" = 0 ]; then \
	    echo "deps: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "deps: missing$$missing; run as root:"; \
	    echo "  apt-get update && apt-get install -y$$missing"; exit 1; fi

demo: deps
	@$(MAKE) --no-print-directory all
	@echo "== claimscrub check --format text examples/claims/"
	@$(B)/claimscrub check --format text examples/claims/*.json; \
	    rc=$$?; [ $$rc -le 1 ] || exit $$rc

test: deps
	@$(MAKE) --no-print-directory all $(TESTS)
	@sh tests/run.sh $(TESTS)
	@echo "== claimscrub lint: the packs"
	@$(B)/claimscrub lint
	@echo "== claimscrub lint: the client overlay (rules root examples/)"
	@$(B)/claimscrub lint --rules examples
	@echo "== claimscrub test: the client overlay's test cases (rules root examples/)"
	@$(B)/claimscrub test --rules examples examples/clients/riverside-clinic
	@echo "== claimscrub test: the packs' test cases"
	@$(B)/claimscrub test

bench: deps
	@$(MAKE) --no-print-directory all $(B)/bench_gen $(B)/bench_parse
	@sh bench/run.sh

$(B)/bench_%: bench/%.c $(B)/libclaimscrub.a
	@echo "  CC      $@"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -o $@ $< $(B)/libclaimscrub.a $(LDLIBS)

# The whole suite built with AddressSanitizer and UndefinedBehaviorSanitizer.
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
sanitize: deps
	@$(MAKE) --no-print-directory B=build/san CFLAGS="$(SAN_FLAGS)" all \
	    $(patsubst $(B)/%,build/san/%,$(TESTS))
	@CLAIMSCRUB=build/san/claimscrub ASAN_OPTIONS=detect_leaks=1 \
	    sh tests/run.sh $(patsubst $(B)/%,build/san/%,$(TESTS))

# The command-line tool over the examples under memcheck: no error, no leak.
valgrind: all
	@valgrind --quiet --leak-check=full --errors-for-leak-kinds=all --error-exitcode=9 \
	    $(B)/claimscrub check --format text examples/claims/ > /dev/null; \
	    rc=$$?; [ $$rc -le 1 ] || { echo "valgrind: errors (exit $$rc)"; exit 1; }; \
	    echo "valgrind: claimscrub check examples/claims/: no errors, no leaks"

# libFuzzer targets (tests/fuzz/fuzz_<name>.c), built with clang, ASan and
# UBSan into build/fuzz/; each runs FUZZ_SECONDS from its seed corpus
# tests/fuzz/corpus/<name>/ (new inputs go to build/fuzz/corpus/<name>/).
# Fails when a target finds a crash; the input is build/fuzz/crash-<name>-*:
# fix it, then keep it in tests/fuzz/regressions/<name>/.
FUZZ_SECONDS ?= 60
FUZZ_CC    := clang
FUZZ_B     := build/fuzz
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=all -std=c11 -D_POSIX_C_SOURCE=200809L
FUZZ_OBJ   := $(LIB_SRC:engine/src/%.c=$(FUZZ_B)/obj/%.o) $(FUZZ_B)/obj/cli/input.o
.SECONDARY: $(FUZZ_OBJ)
$(FUZZ_B)/obj/%.o: engine/src/%.c $(wildcard engine/src/*.h) engine/include/claimscrub.h
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_B)/obj/cli/input.o: engine/cli/input.c engine/cli/input.h
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_OBJ)
	@echo "  FUZZLD  $@"
	@$(FUZZ_CC) $(CPPFLAGS) -Iengine/cli $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_OBJ) $(LDLIBS)
fuzz: deps
	@$(MAKE) --no-print-directory all $(FUZZ_NAMES:%=$(FUZZ_B)/fuzz_%)
	@fail=""; for n in $(FUZZ_NAMES); do \
	    mkdir -p $(FUZZ_B)/corpus/$$n; echo "== fuzz $$n ($(FUZZ_SECONDS) s)"; \
	    $(FUZZ_B)/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -timeout=30 -rss_limit_mb=4096 \
	        -max_len=65536 -print_final_stats=1 -artifact_prefix=$(FUZZ_B)/crash-$$n- \
	        $(FUZZ_B)/corpus/$$n tests/fuzz/corpus/$$n > $(FUZZ_B)/$$n.log 2>&1 \
	        || fail="$$fail $$n"; \
	    grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' $(FUZZ_B)/$$n.log; \
	done; \
	if [ -n "$$fail" ]; then for n in $$fail; do echo "== fuzz $$n: FAILED"; \
	    tail -n 40 $(FUZZ_B)/$$n.log; done; exit 1; fi; echo "fuzz: no crashes"

clean:
	rm -rf build

# The Tuva Project's demo claims as claim JSONL, and the differential test
# of the NCCI PTP and MUE rules over them (tests/corpus/, docs/accuracy.md).
$(B)/tuva2jsonl: tests/corpus/tuva2jsonl.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(CFLAGS) -o $@ $<
$(B)/tests/test_tuva: $(B)/tuva2jsonl
