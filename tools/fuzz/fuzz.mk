# Builds every tools/fuzz/fuzz_*.c harness with clang's libFuzzer and runs
# each for FUZZ_SECONDS, starting from a corpus of real change-sets.
# Run through `make fuzz`.

FUZZ_SECONDS ?= 60
FUZZ_BUILD := .build/fuzz
FUZZ_CC := clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -Isync
FUZZ_LIBS := $(shell pkg-config --libs msgpack libsodium jansson libuv) -llmdb -lcsv

CORE_SRC := $(filter-out src/main.c src/cmd.c,$(wildcard src/*.c)) $(wildcard sync/*.c)
HARNESSES := $(patsubst tools/fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard tools/fuzz/fuzz_*.c))

.PHONY: run
run: $(HARNESSES) $(FUZZ_BUILD)/corpus/.seeded
	@for h in $(HARNESSES); do \
		n=$$(basename $$h); mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
		echo "== $$n for $(FUZZ_SECONDS) s"; \
		$$h -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/$$n- \
			$(FUZZ_BUILD)/corpus/$$n $(FUZZ_BUILD)/corpus/seed >$(FUZZ_BUILD)/$$n.log 2>&1; \
		rc=$$?; tail -n 4 $(FUZZ_BUILD)/$$n.log; \
		if [ $$rc != 0 ]; then echo "$$n failed: see $(FUZZ_BUILD)/$$n.log"; exit 1; fi; \
	done

$(FUZZ_BUILD)/%: tools/fuzz/%.c $(CORE_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(CORE_SRC) $(FUZZ_LIBS)

$(FUZZ_BUILD)/corpus/.seeded: consort
	@sh tools/fuzz/seed.sh ./consort $(FUZZ_BUILD)/corpus/seed
	@touch $@
