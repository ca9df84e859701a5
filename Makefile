# tapstack — build, run and test. `make run` and `make test` work as the first command on a
# fresh Debian 12 machine (as root): both install missing packages through scripts/deps.sh.
#
#   make            build build/tapstack (optimised) and the test binaries
#   make run        the default lab and the interactive shell
#   make test       unit tests (Check), pcap regression, fuzz smoke, live tests vs Linux
#   make fuzz       a longer libFuzzer run of the receive path
#   make bench      benchmarks against the Linux kernel over veth
#   make regolden   re-record the golden pcaps (review the diff before committing!)
#
# The build prints one short line per step ("  CC      net/pkt.c"); `make V=1 ...` prints
# the full commands instead.

CC      ?= gcc
BUILD   ?= build
PKGS    := libpcap libedit
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
               -I. -g $(shell pkg-config --cflags $(PKGS) check 2>/dev/null)
LIBS    := -lev $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Quiet build (as Linux's kbuild): $(Q) hides a command, $(call say,TAG,WHAT) prints the
# short line instead; V=1 shows every command and no short lines.
ifeq ($(V),1)
  Q   :=
  say  = @true
else
  Q   := @
  say  = @printf '  %-7s %s\n' '$(1)' '$(2)'
endif

# The core: everything but the TAP driver and the shell (tests link this alone).
CORE_SRCS := $(filter-out net/tap.c,$(wildcard net/*.c)) $(wildcard arp/*.c ip/*.c icmp/*.c \
             udp/*.c tcp/*.c vxlan/*.c veth/*.c bridge/*.c)
# Shell commands are tested in-process too; the program's loop, terminal and TAP are not.
CMD_SRCS  := shell/cmd.c $(wildcard shell/cmd_*.c) shell/decode.c shell/session.c shell/pcap_file.c
APP_SRCS  := net/tap.c shell/main.c shell/live.c shell/term.c shell/ctl.c shell/replay.c shell/lab.c
TEST_SRCS := $(wildcard tests/*/test_*.c) tests/unit_main.c $(wildcard tests/fixture.c)

OPT_OBJS  = $(patsubst %.c,$(BUILD)/opt/%.o,$(CORE_SRCS) $(CMD_SRCS) $(APP_SRCS))
SAN_CORE  = $(patsubst %.c,$(BUILD)/san/%.o,$(CORE_SRCS) $(CMD_SRCS))
SAN_APP   = $(patsubst %.c,$(BUILD)/san/%.o,$(APP_SRCS))
SAN_TEST  = $(patsubst %.c,$(BUILD)/san/%.o,$(TEST_SRCS))

.PHONY: all deps run test unit pcaptest livetest fuzz fuzz-smoke bench regolden clean

all: $(BUILD)/tapstack $(BUILD)/tapstack-san $(BUILD)/unit_tests

deps:
	@bash scripts/deps.sh

$(BUILD)/opt/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS_BASE) -O2 -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC-SAN,$<)
	$(Q)$(CC) $(CFLAGS_BASE) -O1 $(SAN) -MMD -MP -c $< -o $@

$(BUILD)/tapstack: $(OPT_OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) -o $@ $^ $(LIBS)

# The sanitizer build every test uses.
$(BUILD)/tapstack-san: $(SAN_CORE) $(SAN_APP)
	$(call say,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $^ $(LIBS)

# --wrap: tests see these calls (tests/ip/test_ip_fragment.c, tests/vxlan/test_vxlan.c).
$(BUILD)/unit_tests: $(SAN_CORE) $(SAN_TEST)
	$(call say,LD,$@)
	$(Q)$(CC) $(SAN) -Wl,--wrap=icmp_send,--wrap=pkt_clone,--wrap=pkt_copy -o $@ $^ $(CHECK_LIBS) $(LIBS)

run: deps
	@$(MAKE) --no-print-directory $(BUILD)/tapstack
	$(BUILD)/tapstack

test: deps
	@$(MAKE) --no-print-directory all
	@bash tests/run_all.sh

unit: $(BUILD)/unit_tests
	$(BUILD)/unit_tests

pcaptest: $(BUILD)/tapstack-san
	python3 tests/pcap/run_pcap_tests.py --bin $(BUILD)/tapstack-san

livetest: $(BUILD)/tapstack-san
	bash tests/live/run_live.sh $(BUILD)/tapstack-san

FUZZ_SRCS := $(CORE_SRCS) tests/fuzz/fuzz_rx.c tests/fuzz/fuzz_tcp.c
$(BUILD)/fuzz_rx: $(FUZZ_SRCS)
	@mkdir -p $(BUILD)
	$(call say,CCLD,$@)
	$(Q)clang -std=c11 -D_GNU_SOURCE -I. -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -o $@ $^ -lm

fuzz-smoke: $(BUILD)/fuzz_rx
	bash tests/fuzz/run_fuzz.sh $(BUILD)/fuzz_rx 30

fuzz: deps $(BUILD)/fuzz_rx
	bash tests/fuzz/run_fuzz.sh $(BUILD)/fuzz_rx 600

bench: deps $(BUILD)/tapstack
	bash bench/run_bench.sh $(BUILD)/tapstack

# User-space instructions per received UDP byte (callgrind, no root needed): bench/README.md
.PHONY: bench-instr
bench-instr: $(BUILD)/tapstack
	bash bench/bench_instr.sh $(BUILD)/tapstack

regolden: $(BUILD)/tapstack-san
	python3 tests/pcap/run_pcap_tests.py --bin $(BUILD)/tapstack-san --regolden

clean:
	$(call say,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
