# netdiag: one entry point.
#   make            build libnetdiag (static and shared) and the netdiag binary
#   make check      install test dependencies, run every test
#   make demo       install what it needs, run the main job on a built-in example
#   make bench      benchmarks, figures beside the peers'
#   make fuzz       libFuzzer targets, bounded time (FUZZ_SECONDS)
#   make guest      build the probe guest (kernel + busybox initramfs)
#   make deps       install build and test dependencies (apt-get, idempotent)
#   make install    PREFIX=/usr/local

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
B := build
VERSION := 0.1.0
SOVERSION := 0

PKGS := libpcap libnl-3.0 libnl-route-3.0 libmnl libnftnl json-c yaml-0.1 libxml-2.0 libcap-ng zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wno-format-truncation
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE -g $(WARN) -Ilibnetdiag/include -Ilibnetdiag -Ivmm \
	-DND_GUEST_DIR='"$(PREFIX)/lib/netdiag/guest"' \
	-DND_RULES_DIR='"$(PREFIX)/share/netdiag/rules"' $(PKG_CFLAGS)
CFLAGS ?= -O2
ALL_CFLAGS := $(BASE_CFLAGS) $(CFLAGS) -fPIC
SAN_CFLAGS := $(BASE_CFLAGS) -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
LDLIBS := $(PKG_LIBS) -lm

LIB_SRC := $(wildcard libnetdiag/*.c libnetdiag/*/*.c vmm/*.c)
TOOL_SRC := $(wildcard tools/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_HELPERS := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))
GEN_SRC := $(wildcard tests/gen/*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(B)/obj/%.o)
SAN_LIB_OBJ := $(LIB_SRC:%.c=$(B)/san/%.o)
TOOL_OBJ := $(TOOL_SRC:%.c=$(B)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
UNIT_HELPER_OBJ := $(UNIT_HELPERS:%.c=$(B)/san/%.o)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)

NETDIAG := $(B)/netdiag

.PHONY: all deps check unit lab check-corpus demo bench fuzz guest install clean
# keep the unit tests' helper objects between runs (a bare .SECONDARY would
# make every target secondary: an object missing after a rename would not
# be rebuilt)
.SECONDARY: $(UNIT_HELPER_OBJ)
all: $(NETDIAG) $(B)/libnetdiag.so $(B)/libnetdiag.pc $(if $(GEN_SRC),$(B)/ndgen)

deps:
	@sh scripts/deps

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libnetdiag.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# exports: what the public headers declare (they push default visibility)
# and libnetdiag.map lists; everything else stays inside the library
$(LIB_OBJ): ALL_CFLAGS += -fvisibility=hidden

$(B)/libnetdiag.so: $(LIB_OBJ) libnetdiag/libnetdiag.map
	$(CC) -shared -Wl,-soname,libnetdiag.so.$(SOVERSION) \
		-Wl,--version-script=libnetdiag/libnetdiag.map -o $@ $(LIB_OBJ) $(LDLIBS)

$(B)/libnetdiag-san.a: $(SAN_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/libnetdiag.pc: Makefile
	@mkdir -p $(B)
	printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: libnetdiag\nDescription: network diagnostics for VM hosts on tap devices and bridges\nVersion: %s\nRequires.private: %s\nLibs: -L$${libdir} -lnetdiag\nCflags: -I$${includedir}\n' \
		'$(PREFIX)' '$(VERSION)' '$(PKGS)' > $@

$(NETDIAG): $(TOOL_OBJ) $(B)/libnetdiag.a
	$(CC) -o $@ $(TOOL_OBJ) $(B)/libnetdiag.a $(LDLIBS)

# the deterministic capture generator (tests and benchmarks)
$(B)/ndgen: $(GEN_SRC:%.c=$(B)/obj/%.o) $(B)/libnetdiag.a
	$(CC) -o $@ $(filter %.o,$^) $(B)/libnetdiag.a $(LDLIBS)

$(B)/unit/%: tests/unit/%.c $(B)/libnetdiag-san.a $(UNIT_HELPER_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -Itests/unit -o $@ $< $(UNIT_HELPER_OBJ) $(B)/libnetdiag-san.a \
		$(LDLIBS) $(shell pkg-config --libs cmocka)

unit: deps $(UNIT_BIN)
	@sh tests/run-unit $(UNIT_BIN)

lab: deps all guest
	@bash tests/lab/run

check-corpus: deps all
	@sh tests/corpus/run

# every test; the last line is "check: N passed, N failed"
check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory $(UNIT_BIN)
	@$(MAKE) --no-print-directory guest
	@sh tests/check $(UNIT_BIN)

demo: deps all guest
	@sh scripts/demo

bench: deps all guest
	@sh tests/bench/run

$(B)/fuzz/%: tests/fuzz/%.c $(LIB_SRC)
	@mkdir -p $(dir $@)
	clang $(BASE_CFLAGS) -Wno-unknown-warning-option -O1 -fsanitize=fuzzer,address,undefined -o $@ $< $(LIB_SRC) $(LDLIBS)

fuzz: deps $(FUZZ_BIN)
	@sh tests/fuzz/run $(FUZZ_BIN)

# the probe guest: kernel unpacked from Debian's package, busybox initramfs
guest: deps
	@sh vmm/guest/build $(B)/guest

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/netdiag $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/netdiag/rules
	install -m 0755 $(NETDIAG) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(B)/libnetdiag.a $(DESTDIR)$(PREFIX)/lib/
	install -m 0755 $(B)/libnetdiag.so $(DESTDIR)$(PREFIX)/lib/libnetdiag.so.$(VERSION)
	ln -sf libnetdiag.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libnetdiag.so.$(SOVERSION)
	ln -sf libnetdiag.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libnetdiag.so
	install -m 0644 $(B)/libnetdiag.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -m 0644 libnetdiag/include/netdiag/*.h $(DESTDIR)$(PREFIX)/include/netdiag/
	-install -m 0644 docs/man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	-install -m 0644 rules/*.rule $(DESTDIR)$(PREFIX)/share/netdiag/rules/
	if [ -s $(B)/guest/probe.cpio.gz ]; then \
		install -d $(DESTDIR)$(PREFIX)/lib/netdiag/guest && \
		install -m 0644 $(B)/guest/vmlinuz $(B)/guest/probe.cpio.gz \
			$(DESTDIR)$(PREFIX)/lib/netdiag/guest/; fi

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
