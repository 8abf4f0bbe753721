# Builds every tools/fuzz/fuzz_*.c harness with clang's libFuzzer and runs
# each for FUZZ_SECONDS, starting from a seed corpus made by seed.sh with a
# consort binary this file builds itself (so that it works from a fresh
# clone).  Run through `make fuzz`; FUZZ_ONLY=order runs only the harnesses
# whose name holds "order".  `make -f tools/fuzz/fuzz.mk smoke` runs every
# harness once over its seeds and stops.

FUZZ_SECONDS ?= 60
FUZZ_ONLY ?=
FUZZ_BUILD := .build/fuzz
FUZZ_CC := clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -Isync
FUZZ_LIBS := $(shell pkg-config --libs msgpack libsodium jansson libuv libzip expat) -llmdb -lcsv -lm

CORE_SRC := $(filter-out src/main.c src/cmd.c src/cmd-args.c,$(wildcard src/*.c)) $(wildcard sync/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
ALL_HARNESSES := $(patsubst tools/fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard tools/fuzz/fuzz_*.c))
HARNESSES := $(if $(FUZZ_ONLY),$(foreach h,$(ALL_HARNESSES),$(if $(findstring $(FUZZ_ONLY),$(notdir $(h))),$(h))),$(ALL_HARNESSES))
SEED_BUILD := $(FUZZ_BUILD)/seed-build
SEED_BIN := $(SEED_BUILD)/consort
SEEDS := $(FUZZ_BUILD)/corpus/seed

.PHONY: run smoke seed-bin

# each harness from its own corpus and its seeds (common ones if it has none)
run: $(HARNESSES) $(SEEDS)/.seeded
	@for h in $(HARNESSES); do \
		n=$$(basename $$h); mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
		s=$(SEEDS)/$$n; [ -d $$s ] || s=$(SEEDS)/common; \
		echo "== $$n for $(FUZZ_SECONDS) s"; \
		$$h -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/$$n- \
			$(FUZZ_BUILD)/corpus/$$n $$s >$(FUZZ_BUILD)/$$n.log 2>&1; \
		rc=$$?; tail -n 4 $(FUZZ_BUILD)/$$n.log; \
		if [ $$rc != 0 ]; then echo "$$n failed: see $(FUZZ_BUILD)/$$n.log"; exit 1; fi; \
	done

# every harness once over its seeds: a quick check that none crashes
smoke: $(HARNESSES) $(SEEDS)/.seeded
	@for h in $(HARNESSES); do \
		n=$$(basename $$h); s=$(SEEDS)/$$n; [ -d $$s ] || s=$(SEEDS)/common; \
		$$h -runs=0 $$s >$(FUZZ_BUILD)/$$n.smoke.log 2>&1 || \
			{ tail -n 20 $(FUZZ_BUILD)/$$n.smoke.log; echo "$$n failed on its seeds"; exit 1; }; \
		echo "ok $$n ($$(ls $$s | wc -l) seeds)"; \
	done

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: tools/fuzz/fuzz_%.c $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(CORE_OBJ) $(FUZZ_LIBS)

# the seeds need a consort binary: built here by the project's Makefile
seed-bin:
	@$(MAKE) -s -f Makefile BUILD=$(SEED_BUILD) all

$(SEEDS)/.seeded: tools/fuzz/seed.sh $(wildcard tests/data/*) | seed-bin
	@rm -rf $(SEEDS)
	@sh tools/fuzz/seed.sh $(SEED_BIN) $(SEEDS)
	@touch $@

-include $(CORE_OBJ:.o=.d)
