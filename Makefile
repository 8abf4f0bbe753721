# consort — plain GNU make with pkg-config.
#
#   make          build ./consort
#   make deps     install the missing Debian packages (as root), or print
#                 the apt-get line that would
#   make demo     build and run the demo consortium
#   make test     unit tests (cmocka) and end-to-end tests of the binary
#   make asan     the same tests under AddressSanitizer + UBSan (the leak
#                 checker on the unit tests and a few end-to-end ones)
#   make soak     the randomized convergence test over 100000 seeds
#   make fuzz     run every libFuzzer harness for a bounded time (clang)
#   make bench    the benchmark on ../shared/data (BENCH_SCALES='1 10 100';
#                 not part of make test)
#   make pot      regenerate schema/po/consort.pot from the sources, merge it into
#                 schema/po/*.po (then translate what msgfmt --statistics counts)
#   make install  PREFIX=/usr/local

PREFIX ?= /usr/local
BUILD ?= .build
CC ?= cc
PKG_CONFIG ?= pkg-config
FUZZ_SECONDS ?= 60
FUZZ_ONLY ?=

PKGS := msgpack libsodium libuv jansson libzip expat
DEB_PKGS := gcc libc6-dev pkg-config liblmdb-dev lmdb-utils libmsgpack-dev libsodium-dev \
	libuv1-dev libjansson-dev libcsv-dev libzip-dev libexpat1-dev libcmocka-dev python3 time \
	gettext
FUZZ_DEB_PKGS := clang libclang-rt-14-dev

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
LMDB_LIBS := $(shell $(PKG_CONFIG) --libs lmdb 2>/dev/null || echo -llmdb)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter
WERROR ?= -Werror
OPT ?= -O2 -g
SAN ?=
CFLAGS += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(WERROR) $(SAN) -Iinclude -Isrc \
	$(PKG_CFLAGS) -MMD -MP
LDLIBS += $(PKG_LIBS) $(LMDB_LIBS) -lcsv -lm -lpthread -Wl,-z,now

CMD_TOP := src/main.c src/cmd.c src/cmd-args.c
CORE_SRC := $(filter-out $(CMD_TOP),$(wildcard src/*.c)) $(wildcard sync/*.c)
CMD_SRC := $(CMD_TOP) $(wildcard src/cmd/*.c)
TEST_SRC := $(wildcard tests/test_*.c)

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ := $(CMD_SRC:%.c=$(BUILD)/%.o)
TESTS := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
# A dishonest member's consort for the end-to-end tests (tests/forge.c).
FORGE := $(BUILD)/tests/forge
LIB := $(BUILD)/libconsort.a
BIN := $(if $(filter .build,$(BUILD)),consort,$(BUILD)/consort)

# The translations (schema/po/LANG.po), built as LANG/LC_MESSAGES/consort.mo under
# $(BUILD)/locale, which the binary of the tree reads (its path is built
# in: a tree moved needs make clean); make install builds a binary that
# reads LOCALEDIR instead, where it installs them.
LINGUAS := fr
LOCALEDIR ?= $(PREFIX)/share/locale
MO := $(LINGUAS:%=$(BUILD)/locale/%/LC_MESSAGES/consort.mo)
# The messages of the sources (_(), N_(), errors.def), in schema/po/consort.pot.
POT_SRC = $(sort $(wildcard src/*.c src/*.h src/cmd/*.c src/cmd/*.h sync/*.c sync/*.h)) \
	schema/errors.def
XGETTEXT := xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ \
	--keyword=XX:2 --no-location --sort-output --no-wrap --package-name=consort \
	--msgid-bugs-address= --add-comments=TRANSLATORS:

.PHONY: all deps deps-fuzz demo test test-build unit po-check cli checks asan soak fuzz \
	bench pot install clean

all: $(BIN) $(MO)

$(BUILD)/src/main.o: CFLAGS += -DLOCALEDIR='"$(abspath $(BUILD))/locale"'

$(BUILD)/locale/%/LC_MESSAGES/consort.mo: schema/po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(CMD_OBJ) $(LIB)
	$(CC) $(CFLAGS) -o $@ $(CMD_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(wildcard tests/*.h) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(LIB) $(LDLIBS) $(CMOCKA_LIBS)

# The fault-injection test puts its own versions in front of LMDB's.
$(BUILD)/tests/test_faults: LDLIBS += -Wl,--wrap=mdb_txn_commit \
	-Wl,--wrap=mdb_put -Wl,--wrap=mdb_txn_abort

# Missing packages are installed when root (one line says which; apt's own
# output goes to a log shown only on failure), printed otherwise.
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done | tr '\n' ' '); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "missing packages; run: sudo apt-get install -y --no-install-recommends $$missing"; exit 1; \
	fi; \
	echo "installing: $$missing"; \
	log=$$(mktemp "$${TMPDIR:-/tmp}/consort-deps.XXXXXX"); \
	if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing; } >"$$log" 2>&1; then \
		tail -n 20 "$$log"; echo "apt-get failed (log: $$log)"; exit 1; \
	fi; \
	rm -f "$$log"

deps-fuzz:
	@$(MAKE) -s deps DEB_PKGS="$(FUZZ_DEB_PKGS)"

demo: deps
	@$(MAKE) -s all
	@sh tools/demo.sh ./consort

# The unit tests' temporary folders go to memory where the system has it
# (/dev/shm): the tests call fsync as the code does, and the randomized
# convergence test's thousands of small key files and stores spend most of
# their time waiting for a disk that gives them nothing to check.
TEST_TMPDIR ?= $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo "$${TMPDIR:-/tmp}")

# The unit tests run UNIT_JOBS at a time (default: JOBS, the cores), the
# convergence test first: it takes about as long as all the others together.
UNIT_JOBS ?= $(JOBS)

unit: $(TESTS)
	@TMPDIR=$(TEST_TMPDIR) bash tests/unit.sh $(UNIT_JOBS) \
	    $(filter %/test_converge,$(TESTS)) $(filter-out %/test_converge,$(TESTS))

# Every message of the sources is in schema/po/consort.pot and translated in each
# schema/po/LANG.po: none missing, untranslated or fuzzy.
po-check:
	@sh tools/po-check.sh "$(XGETTEXT)" $(LINGUAS:%=schema/po/%.po) -- $(POT_SRC)

# (no creation date in the files: a date would make every merge conflict)
pot:
	@$(XGETTEXT) -o schema/po/consort.pot $(POT_SRC) 2>/dev/null
	@for l in $(LINGUAS); do \
		msgmerge -q --update --backup=none --no-location --sort-output \
		    --no-wrap schema/po/$$l.po schema/po/consort.pot; \
		msgattrib --no-obsolete --no-wrap -o schema/po/$$l.po schema/po/$$l.po; \
	done
	@sed -i '/^"POT-Creation-Date:/d' schema/po/consort.pot $(LINGUAS:%=schema/po/%.po)
	@for l in $(LINGUAS); do msgfmt --statistics -o /dev/null schema/po/$$l.po; done

# CLI_TESTS: name patterns of the end-to-end tests to run (default: all).
CLI_TESTS ?=

cli: $(BIN) $(FORGE) $(MO)
	@CONSORT=$(abspath $(BIN)) CONSORT_FORGE=$(abspath $(FORGE)) sh tests/cli/run.sh $(CLI_TESTS)

# The acceptance checks kept beside the project, when present (standard
# input is no terminal there, as in tests/cli: nothing asks a passphrase).
CHECKS ?= foundation sync conflicts

checks: $(BIN)
	@set -e; for c in $(CHECKS); do \
		if [ -x ../shared/checks/$$c.sh ]; then \
			LC_ALL=C CONSORT=$(abspath $(BIN)) bash ../shared/checks/$$c.sh </dev/null; \
		else echo "(no ../shared/checks/$$c.sh: acceptance check skipped)"; fi; \
	done

# Everything the tests run, built first with JOBS compilers at a time
# (the tests then run one after the other, each with its own jobs).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

test-build: $(BIN) $(FORGE) $(MO) $(TESTS)

test: deps
	@$(MAKE) -s -j$(JOBS) test-build
	@$(MAKE) -s unit po-check cli checks

# The randomized convergence test over many more seeds than make test's 1000.
SOAK_SEEDS ?= 100000
soak: $(BUILD)/tests/test_converge
	CONSORT_SEEDS=$(SOAK_SEEDS) $(BUILD)/tests/test_converge

# The sanitizers slow the convergence test tenfold: 250 seeds there.  The
# sanitized end-to-end tests run three at a time: their processes wait on
# the kernel (the sanitizers' shadow memory) as much as on the two cores.  The
# leak checker costs every process about 80 ms at its exit, so the thousands
# of short commands of the end-to-end tests run without it, except the
# ASAN_LEAK_CLI tests (import, the order request, its history and the
# Region's answer, conflicts, export, a sync between three nodes, whoami),
# which run with it.
ASAN_MAKE = $(MAKE) -s BUILD=.build/asan OPT="-O1 -g" \
	SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
ASAN_LEAK_CLI ?= test-import.sh test-order.sh test-order-history test-order-region \
	test-conflicts test-export test-sync-three test-whoami

asan: deps
	@$(ASAN_MAKE) -j$(JOBS) test-build
	@CONSORT_SEEDS=$${CONSORT_SEEDS:-250} $(ASAN_MAKE) unit
	@echo "== end-to-end tests, the leak checker on: $(ASAN_LEAK_CLI)"
	@ASAN_OPTIONS=detect_leaks=0 CLI_LEAK_TESTS="$(ASAN_LEAK_CLI)" \
	    CLI_TIMEOUT=$${CLI_TIMEOUT:-300} CLI_JOBS=$${CLI_JOBS:-3} \
	    $(ASAN_MAKE) cli checks

# FUZZ_SECONDS=0: each harness once over its seeds; FUZZ_ONLY=NAME: only
# the harnesses whose name holds NAME.
fuzz: deps deps-fuzz
	@$(MAKE) -s -f tools/fuzz/fuzz.mk $(if $(filter 0,$(FUZZ_SECONDS)),smoke,run) \
		FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_ONLY=$(FUZZ_ONLY)

BENCH_TOOLS := $(patsubst tools/bench/%.c,$(BUILD)/tools/bench/%,$(wildcard tools/bench/*.c))

$(BUILD)/tools/bench/%: tools/bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

bench: deps
	@$(MAKE) -s all $(BENCH_TOOLS)
	@BENCH_BIN=$(abspath $(BUILD))/tools/bench sh tools/bench/bench.sh ./consort

# The installed binary is ./consort's objects with a main.o that reads the
# catalogues from LOCALEDIR.
install: deps
	@$(MAKE) -s all
	@mkdir -p $(BUILD)/install
	$(CC) $(CFLAGS) -DLOCALEDIR='"$(LOCALEDIR)"' -c -o $(BUILD)/install/main.o src/main.c
	$(CC) $(CFLAGS) -o $(BUILD)/install/consort $(BUILD)/install/main.o \
		$(filter-out $(BUILD)/src/main.o,$(CMD_OBJ)) $(LIB) $(LDLIBS)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/install/consort $(DESTDIR)$(PREFIX)/bin/consort
	@set -e; for l in $(LINGUAS); do \
		echo "install $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/consort.mo"; \
		install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES; \
		install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/consort.mo \
		    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/consort.mo; \
	done

clean:
	rm -rf .build consort

-include $(CORE_OBJ:.o=.d) $(CMD_OBJ:.o=.d)
