# hearth - one binary for home sensor data.
#
#   make          dev build (build/dev/hearth), warnings are errors
#   make deps     install missing Debian packages (apt-get), saying which
#   make run      deps, build, demo database, dashboard
#   make check    deps, dev + ASan/UBSan + TSan builds, every test; ends "N passed, N failed"
#   make bench    benchmarks, each printed beside its peer
#   make install  PREFIX=/usr/local DESTDIR=  (the binary, man page, and
#                 a systemd unit for `hearth serve` with its user: see
#                 scripts/install-service.sh)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
DATADIR ?= /var/lib/hearth
HEARTH_USER ?= hearth
CC ?= cc
V ?= dev

PKGS := sqlite3 libmicrohttpd jansson openssl zlib libpq libmosquitto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter
DEFS := -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64
ifeq ($(V),san)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
else ifeq ($(V),tsan)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
else
OPT := -O2 -g
endif
CFLAGS_ALL = $(WARN) $(DEFS) $(OPT) $(PKG_CFLAGS) -Isrc/lib -Isrc $(CFLAGS)
LDFLAGS_ALL = $(OPT) -Wl,--as-needed $(LDFLAGS)
LIBS_ALL = $(PKG_LIBS) -lm -lpthread

B := build/$(V)
LIB_SRC := $(wildcard src/lib/*/*.c)
CMD_SRC := $(wildcard src/*.c src/cmd/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CMD_OBJ := $(CMD_SRC:%.c=$(B)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
# Every fuzz harness, built with the normal compiler around a main that
# replays inputs (fuzz/replay.c): make check runs them on fuzz/seeds and
# fuzz/regressions, so a harness cannot stop compiling unseen.
FUZZ_REPLAY := $(FUZZ_SRC:fuzz/%.c=$(B)/fuzz/%)

all: $(B)/hearth $(UNIT_BIN) $(FUZZ_REPLAY) $(B)/bench/insert_loop

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(B)/libhearth.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/hearth: $(CMD_OBJ) $(B)/libhearth.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(CMD_OBJ) $(B)/libhearth.a $(LIBS_ALL)

$(B)/tests/%: tests/unit/%.c tests/unit/t.h tests/unit/t_store.h $(B)/libhearth.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(B)/libhearth.a $(LIBS_ALL)

$(B)/fuzz/%: fuzz/%.c fuzz/replay.c fuzz/fuzz.h $(B)/libhearth.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< fuzz/replay.c $(B)/libhearth.a $(LIBS_ALL)

$(B)/bench/insert_loop: bench/insert_loop.c $(B)/libhearth.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(B)/libhearth.a $(LIBS_ALL)

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d)

deps:
	@scripts/deps.sh build

# The ASan/UBSan build runs every test, and the ThreadSanitizer build
# those of the code that runs threads; the dev build proves the code is
# warning-free and is what benchmarks and `make run` use.
check:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory V=dev all
	@$(MAKE) --no-print-directory V=san all
	@$(MAKE) --no-print-directory V=tsan build/tsan/hearth build/tsan/tests/test_checkpointer \
		build/tsan/tests/test_writeq
	@tests/run.sh build/san build/tsan

run:
	@scripts/deps.sh build
	@$(MAKE) --no-print-directory V=dev all
	@scripts/demo.sh build/dev/hearth

bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory V=dev all
	@bench/run.sh build/dev

install:
	@$(MAKE) --no-print-directory V=dev build/dev/hearth
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 build/dev/hearth $(DESTDIR)$(BINDIR)/hearth
	install -m 644 man/hearth.1 $(DESTDIR)$(MANDIR)/man1/hearth.1
	@DESTDIR="$(DESTDIR)" BINDIR="$(BINDIR)" UNITDIR="$(UNITDIR)" \
		DATADIR="$(DATADIR)" HEARTH_USER="$(HEARTH_USER)" \
		scripts/install-service.sh

clean:
	rm -rf build

.PHONY: all deps check run bench install clean

# libFuzzer harnesses, one per input surface: `make fuzz FUZZ_SECONDS=60`.
# Each starts from fuzz/seeds/NAME and keeps what it finds in
# build/fuzz/corpus-NAME; a crash is saved as build/fuzz/NAME-crash-*.
# Once fixed, copy the crash into fuzz/regressions/NAME/: make check
# replays it from then on.
FUZZ_SECONDS ?= 30
# The harnesses build with the project's warnings, as errors.
fuzz:
	@scripts/deps.sh fuzz
	@mkdir -p build/fuzz
	@for f in $(FUZZ_SRC); do \
		n=$$(basename $$f .c); \
		clang -g -O1 $(WARN) $(DEFS) -fsanitize=fuzzer,address,undefined \
			-fno-sanitize-recover=undefined \
			-Isrc/lib -Isrc -o build/fuzz/$$n $$f $(LIB_SRC) $(PKG_CFLAGS) $(LIBS_ALL) || exit 1; \
		mkdir -p build/fuzz/corpus-$$n; \
		echo "== $$n ($(FUZZ_SECONDS)s)"; \
		build/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			-artifact_prefix=build/fuzz/$$n- build/fuzz/corpus-$$n \
			$$(ls -d fuzz/seeds/$$n fuzz/regressions/$$n 2>/dev/null) \
			>build/fuzz/$$n.log 2>&1 || { tail -n 30 build/fuzz/$$n.log; exit 1; }; \
		tail -n 1 build/fuzz/$$n.log; \
	done

.PHONY: fuzz
