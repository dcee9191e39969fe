# SPDX-License-Identifier: GPL-2.0
#
# vgetrandom: fast userspace getrandom() for Linux 6.1 - the one entry point.
# "make help" lists the targets.

B := build
BUILD := $(abspath $(B))
KTREE := $(BUILD)/linux
ST := $(KTREE)/tools/testing/selftests
CC := gcc

# Guest tests: tools/testing/selftests/<dir>/<name>.c, built static, run in
# QEMU in this order.  <name>_SRCS lists extra sources (relative to ST),
# <name>_ARGS its command line.  The last four are the base tree's own vm
# selftests, run to show that ordinary memory behaves as before.
GUEST_TESTS := vgetrandom/boot_test vDSO/vgetrandom_vdso_test \
	vgetrandom/vdso_rng_data_test vgetrandom/vgetrandom_alloc_test \
	vgetrandom/libvgetrandom_test vgetrandom/vgetrandom_drop_test \
	vgetrandom/vgetrandom_reentry_test vgetrandom/vdso_kat_test \
	vgetrandom/vgetrandom_stress_test vgetrandom/vgetrandom_fuzz \
	vgetrandom/vgetrandom_secrecy_test \
	vm/droppable vm/droppable_pressure \
	vm/madv_populate vm/mremap_test vm/mlock2-tests vm/userfaultfd
# Run after those, in the guest of this machine's own architecture only
# (x86_64 here: Debian's musl-tools, rngtest, dieharder and python3 are
# this machine's): the library's test built with musl-gcc, the statistical
# tests (Debian 12's rngtest and dieharder), and the host's python3 with
# and without the preload library (the harness shares the host's /usr and
# /etc, and $(B)/host/lib, with the guest over 9p).
NATIVE_GUEST_TESTS := vgetrandom/libvgetrandom_test_musl \
	vgetrandom/vgetrandom_stats_test vgetrandom/debian_python_test
# Then, in every guest: a program on Debian 13's glibc 2.41 of the guest's
# architecture, and a Go 1.24 program (Debian 13's Go, which cross-builds).
CONSUMER_TESTS := vgetrandom/trixie_glibc_test vgetrandom/vgetrandom_go_test
# Of those, the tests that also run on the host's own kernel: those of
# mainline's ABI, the library's, and vgetrandom_alloc_test, which must find
# no vgetrandom_alloc() there and skip without making the system call.
MAINLINE_TESTS := vDSO/vgetrandom_vdso_test vgetrandom/vgetrandom_alloc_test \
	vgetrandom/libvgetrandom_test vgetrandom/libvgetrandom_test_musl \
	vgetrandom/trixie_glibc_test vgetrandom/vgetrandom_drop_test \
	vgetrandom/vgetrandom_secrecy_test vgetrandom/vgetrandom_go_test
# Programs in the guest that are not tests.
GUEST_PROGS := vgetrandom/vgetrandom_demo

# -s: the core dump and ksmd tests too (they change and restore sysctls).
vm/droppable_ARGS := -s
vm/userfaultfd_ARGS := anon 16 4
vm/madv_populate_SRCS := vm/vm_util.c
vm/userfaultfd_SRCS := vm/vm_util.c

vgetrandom/boot_test_SRCS := vDSO/parse_vdso.c
vgetrandom/vgetrandom_demo_SRCS := vDSO/parse_vdso.c
vDSO/vgetrandom_vdso_test_SRCS := vDSO/parse_vdso.c
vgetrandom/vgetrandom_alloc_test_SRCS := vDSO/parse_vdso.c
vgetrandom/vgetrandom_drop_test_SRCS := vDSO/parse_vdso.c
vgetrandom/vgetrandom_reentry_test_SRCS := vDSO/parse_vdso.c
vgetrandom/vdso_kat_test_SRCS := vDSO/parse_vdso.c
vgetrandom/vgetrandom_stats_test_SRCS := vDSO/parse_vdso.c
vgetrandom/debian_python_test_SRCS := vDSO/parse_vdso.c
vgetrandom/debian_python_test_ARGS := -r
vgetrandom/vgetrandom_go_test_SRCS := vDSO/parse_vdso.c
vgetrandom/vgetrandom_fuzz_SRCS := vDSO/parse_vdso.c
# A fixed seed, bounded in time (operations done vary with the machine).
vgetrandom/vgetrandom_fuzz_ARGS := -s 1 -t 20

# The library (tools/lib/vgetrandom) is built into its test.
vgetrandom/libvgetrandom_test_SRCS := ../../lib/vgetrandom/vgetrandom.c \
	../../lib/vgetrandom/vgetrandom_buf.c ../../lib/vgetrandom/vgetrandom_os.c \
	vDSO/parse_vdso.c
vgetrandom/vgetrandom_stress_test_SRCS := $(vgetrandom/libvgetrandom_test_SRCS)
vgetrandom/vgetrandom_secrecy_test_SRCS := $(vgetrandom/libvgetrandom_test_SRCS)

GUEST_CFLAGS := -static -O2 -g -Wall -Werror -isystem $(BUILD)/headers/include -I $(BUILD)/host
GUEST_LDLIBS := -lpthread

# Host tests (userspace builds of the vDSO code): their own Makefile.
HOST_DIR := $(ST)/vgetrandom/host

# The guest of make kernel, initramfs and run: one of the architectures
# described in harness/arch/ (harness/arch.sh), x86_64 by default (make run
# ARCH=arm64).  make test runs them all.  harness/arch.sh mk gives their
# descriptions to make as ARCH_<name>_<VAR>; another architecture than
# x86_64 builds under $(B)/<DIR> with its cross compiler, and its test
# programs are the same sources, static, against its own uapi headers.
ARCH ?= x86_64
include $(BUILD)/arch.mk
$(BUILD)/arch.mk: harness/arch.sh $(wildcard harness/arch/*)
	@mkdir -p $(BUILD)
	@harness/arch.sh mk > $@.tmp && mv $@.tmp $@
# (Empty until make has made arch.mk and read itself again.)
$(if $(ARCHES),$(if $(filter $(ARCH),$(ARCHES)),,$(error ARCH=$(ARCH): harness/arch/ describes $(ARCHES))))
HOST_DEB_ARCH := $(shell dpkg --print-architecture)
# $(call arch_out,NAME): where that architecture's files go.
arch_out = $(BUILD)$(if $(ARCH_$(1)_DIR),/$(ARCH_$(1)_DIR))

.PHONY: help deps overlay kernel bins guest-bins $(addprefix guest-bins-,$(ARCHES)) host-bins initramfs run test \
	demo-bins \
	bench fuzz install check-config check-harness patches checkpatch check-series \
	check-sparse check-fresh debian-test deb clean distclean

help:
	@echo "make run            build the kernel, boot it in QEMU, show vDSO getrandom at work"
	@echo "                    (ARCH=arm64: the arm64 kernel in qemu-system-aarch64;"
	@echo "                    VARIANT=kasan: the kernel with KASAN, UBSAN and KFENCE)"
	@echo "make test           every test: host, mainline ABI on the host kernel, x86_64, sanitized, each harness/arch guest, Debian systems"
	@echo "                    x86_64 (KASAN, UBSAN, KFENCE) and arm64 guests"
	@echo "make deps           install build and test dependencies (apt-get, root)"
	@echo "make kernel         unpack the 6.1 base, lay the overlay over it, configure, build"
	@echo "make initramfs      guest userland: busybox, init, test binaries"
	@echo "make bench          speed on the host: ours vs mainline's vDSO, the syscall and userspace generators"
	@echo "make fuzz           SECONDS=N (default 300) of the libFuzzer target over lib/vdso/getrandom.c,"
	@echo "                    then of the syscall fuzzer in the sanitized guest (FUZZ_SEED=N, default random)"
	@echo "make install        the library, its header, .pc and man pages, the OpenSSL provider"
	@echo "                    (DESTDIR, PREFIX; the provider into libcrypto's modulesdir)"
	@echo "make check-config   compile what the overlay changes under Debian's full amd64 config"
	@echo "make check-harness  prove that failures, panics and hangs fail 'make test'"
	@echo "make patches        export the overlay as a git-am-able series into $(B)/patches"
	@echo "make checkpatch     the base's checkpatch.pl over the exported series"
	@echo "make check-series   build the guest kernel after each patch of the series in turn"
	@echo "make check-sparse   sparse over what the overlay changes, Debian's config; fails on new warnings"
	@echo "make check-fresh    'make run' and 'make test' in a bare Debian 12 root (debootstrap, chroot)"
	@echo "make deb            Debian packages: our kernel from Debian's amd64 config, every module"
	@echo "                    (hours), and the library's (libvgetrandom1, -dev, -preload)"
	@echo "make debian-test    Debian 13 and 12 systems (systemd) on our kernel package and Debian's,"
	@echo "                    getrandom system calls counted (make test runs it too)"
	@echo "make clean          remove build outputs, keep the unpacked base"
	@echo "make distclean      remove $(B)/ entirely"

deps:
	@harness/deps.sh

overlay: deps
	@harness/kernel.sh $(BUILD) overlay

# VARIANT=kasan: also the sanitized kernel of harness/config/kasan (make run
# VARIANT=kasan boots it; the guest userland is the same).
VARIANT ?=
kernel: deps
	@VGR_ARCH=$(ARCH) harness/kernel.sh $(BUILD) build
	$(if $(VARIANT),@VGR_ARCH=$(ARCH) VGR_VARIANT=$(VARIANT) harness/kernel.sh $(BUILD) build)

# Binaries are built in a second make, after the overlay has updated the
# tree, so their prerequisites are seen as they are now.  Every
# architecture's vdso_kat_test takes its known answers from the host build
# in $(KTREE) (KAT_H, below): that tree is laid out too.
bins: kernel
	@VGR_ARCH=x86_64 harness/kernel.sh $(BUILD) overlay
	@$(MAKE) --no-print-directory guest-bins-$(ARCH) $(if $(filter $(HOST_DEB_ARCH),$(ARCH_$(ARCH)_DEB_ARCH)),host-bins)

initramfs: bins
	@VGR_ARCH=$(ARCH) harness/initramfs.sh $(BUILD)

# The demo needs the kernel and one program: its own initramfs
# (initramfs-demo.cpio.gz), so that a first make run builds little else.
DEMO := $(call arch_out,$(ARCH))/guest/$(GUEST_PROGS)
run: kernel
	@$(MAKE) --no-print-directory demo-bins
	@VGR_ARCH=$(ARCH) VGR_INITRAMFS=demo harness/initramfs.sh $(BUILD)
	@VGR_ARCH=$(ARCH) VGR_VARIANT=$(VARIANT) VGR_INITRAMFS=demo harness/qemu.sh $(BUILD) run quiet

demo-bins: $(DEMO)

test:
	@$(MAKE) --no-print-directory ARCH=x86_64 VARIANT=kasan initramfs
	@$(foreach a,$(filter-out x86_64,$(ARCHES)),$(MAKE) --no-print-directory ARCH=$(a) initramfs &&) :
	@harness/test.sh $(BUILD)

# Speed is measured on the host (guests run under TCG): our generic code and
# ChaCha20 built unchanged, against the host kernel's own vDSO, the syscall,
# the library and the userspace generators programs use instead; the table on
# stdout, every figure in bench.json, the one-thread curves in bench.svg.
BENCH_REPS ?= 7
bench: overlay
	@$(MAKE) --no-print-directory host-bins
	@$(BUILD)/host/vgetrandom_bench -r $(BENCH_REPS) -j $(BUILD)/bench.json -d $(BUILD)/bench.dat
	@gnuplot -e "datafile='$(BUILD)/bench.dat'; outfile='$(BUILD)/bench.svg'" \
		$(HOST_DIR)/vgetrandom_bench.gp
	@sed -i -e 's/[[:space:]]*$$//' -e '$${/^$$/d}' $(BUILD)/bench.svg
	@echo "bench: $(BUILD)/bench.json $(BUILD)/bench.svg"

# Long fuzzing runs on the host: the libFuzzer target over the generic
# state machine (corpus kept in $(B)/fuzz/corpus, failing inputs in
# $(B)/fuzz/), then the syscall-sequence fuzzer as long in a guest of the
# sanitized kernel (harness/fuzz-guest.sh; make test runs it for 20 s with
# seed 1 in every guest).
SECONDS ?= 300
FUZZ_SEED ?= $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
fuzz: overlay
	@$(MAKE) --no-print-directory host-bins
	@mkdir -p $(BUILD)/fuzz/corpus
	$(BUILD)/host/vgetrandom_fuzz -max_total_time=$(SECONDS) -max_len=4096 -seed=$(FUZZ_SEED) \
		-print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus
	@$(MAKE) --no-print-directory ARCH=x86_64 VARIANT=kasan initramfs
	@harness/fuzz-guest.sh $(BUILD) $(SECONDS) $(FUZZ_SEED)

# The userspace pieces a distribution ships: the static and shared library,
# its header, pkg-config file and man pages, the vgetrandom_alloc(2) man
# page, and where libssl-dev is installed the OpenSSL provider (into
# OpenSSL's modules directory, under DESTDIR).  DESTDIR and PREFIX as usual.
PREFIX ?= /usr/local
DESTDIR ?=
install: overlay
	@$(MAKE) -s --no-print-directory -C $(KTREE)/tools/lib/vgetrandom \
		O=$(BUILD)/lib KSRC=$(KTREE) DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) install
	install -D -m 644 Documentation/vgetrandom/vgetrandom_alloc.2 \
		$(DESTDIR)$(PREFIX)/share/man/man2/vgetrandom_alloc.2

# Distributions build with their own, full configuration: compile what we
# change under Debian's amd64 config (needs linux-config-6.1).
check-config: overlay
	@harness/check-config.sh $(BUILD)

# sparse (make C=2) over the same files; fails on what the base lacks.
check-sparse: overlay
	@harness/check-sparse.sh $(BUILD)

# The README's two commands on a bare Debian 12 (minbase + make) root made
# with debootstrap, in a clean clone of HEAD.  Root only.
check-fresh: deps
	@harness/check-fresh.sh $(BUILD)

# Whole Debian systems booting with systemd (issue #20): Debian 13 on our
# kernel package (in $(B)/deb) and on Debian's own, Debian 12 with the
# preload library on ours; the guest suites run in the first, and the
# kernel's tracing counts every system's getrandom system calls
# (harness/debian-test.sh: results in $(B)/debian-test-results.txt, the
# counts in $(B)/debian-counts.txt).  make test runs it as its last step.
debian-test: bins
	@harness/debian-test.sh $(BUILD)

# What a distribution installs: linux-image (and -headers, linux-libc-dev)
# built with bindeb-pkg from Debian's own amd64 configuration, every module
# ($(B)/deb-full; harness/deb.sh), and the library's packages from debian/
# ($(B)/deb/lib; harness/libdeb.sh).  make test builds and boots the
# module-trimmed variant of the same configuration ($(B)/deb).
deb: overlay
	@harness/deb.sh $(BUILD) full
	@harness/libdeb.sh $(BUILD)

check-harness: initramfs
	@harness/check-harness.sh $(BUILD)

patches: overlay
	@harness/patches.sh $(BUILD)

# The base's checkpatch.pl over the exported series: fails on any error;
# the warnings that stay are listed, with why, in the README.
checkpatch: patches
	@for p in $(BUILD)/patches/[0-9]*.patch; do \
		case $$p in */0000-*) continue ;; esac; \
		echo "== $$(basename $$p)"; \
		perl $(BUILD)/linux-pristine/scripts/checkpatch.pl --no-tree --terse -q $$p || :; \
	done | tee $(BUILD)/checkpatch.log
	@awk '/^total:/ { e += $$2; w += $$4 } \
		END { printf "checkpatch: %d errors, %d warnings\n", e, w; exit e > 0 }' \
		$(BUILD)/checkpatch.log

# Bisectability: the guest kernel builds after every patch of the series
# (its own tree, $(B)/series-tree).
check-series: patches
	@harness/check-series.sh $(BUILD)

# The known answers of vdso_kat_test come from the host build of the
# generic code (host/vgetrandom_vdso_kat.c).
KAT_H := $(BUILD)/host/vgetrandom_vdso_kat.h
$(KAT_H): $(HOST_DIR)/vgetrandom_vdso_kat.c $(ST)/vgetrandom/vgetrandom_vdso_kat_calls.h \
		$(KTREE)/lib/vdso/getrandom.c
	@mkdir -p $(BUILD)/host
	@$(MAKE) -s --no-print-directory -C $(HOST_DIR) O=$(BUILD)/host KSRC=$(KTREE) $@

.SECONDEXPANSION:
guest-bins: guest-bins-x86_64

# $(call arch_rules,NAME): the guest programs of one architecture, in
# $(OUT)/guest, listed with their arguments in $(OUT)/guest/list: every
# guest test but those its description skips, the native ones in the guest
# of this machine's architecture, then the consumers.  The list of tests
# that also run on the host's kernel goes beside the native guest's.
define arch_rules
$(1)_OUT := $(call arch_out,$(1))
$(1)_ST := $$($(1)_OUT)/linux/tools/testing/selftests
$(1)_CC := $(ARCH_$(1)_CC)
$(1)_CFLAGS := -static -O2 -g -Wall -Werror -isystem $$($(1)_OUT)/headers/include -I $(BUILD)/host
$(1)_NATIVE := $(filter $(HOST_DEB_ARCH),$(ARCH_$(1)_DEB_ARCH))
$(1)_TESTS := $(filter-out $(ARCH_$(1)_SKIP),$(GUEST_TESTS)) \
	$$(if $$($(1)_NATIVE),$(NATIVE_GUEST_TESTS)) $(CONSUMER_TESTS)
$(1)_HDRS = $$(wildcard $$($(1)_ST)/*.h $$($(1)_ST)/*/*.h $$($(1)_OUT)/linux/tools/lib/vgetrandom/*.h)

guest-bins-$(1): $$(addprefix $$($(1)_OUT)/guest/,$$($(1)_TESTS) $(GUEST_PROGS))
	@printf '%s\n' $$(foreach t,$$($(1)_TESTS),"$$t $$(or $$(ARCH_$(1)_ARGS_$$t),$$($$t_ARGS))") > $$($(1)_OUT)/guest/list
	$$(if $$($(1)_NATIVE),@printf '%s\n' $(MAINLINE_TESTS) > $$($(1)_OUT)/guest/mainline.list)

$$($(1)_OUT)/guest/%: $$($(1)_ST)/%.c $$$$(addprefix $$($(1)_ST)/,$$$$($$$$*_SRCS)) $$$$($(1)_HDRS)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$(patsubst $(BUILD)/%,%,$$@)"
	@$$($(1)_CC) $$($(1)_CFLAGS) -o $$@ $$< $$(addprefix $$($(1)_ST)/,$$($$*_SRCS)) $(GUEST_LDLIBS)

# vdso_kat_test's known answers (KAT_H, above).
$$($(1)_OUT)/guest/vgetrandom/vdso_kat_test: $(KAT_H)

# glibc 2.41: Debian 13's ld.so and libc of this architecture
# (harness/trixie.sh fetches them once), and a program built here,
# dynamically, on Debian 12's glibc headers (a cross glibc for another
# architecture), which trixie_glibc_test runs on them with ld.so
# --library-path.
$$($(1)_OUT)/guest/glibc-2.41/libc.so.6: harness/trixie.sh
	@harness/trixie.sh $(BUILD) libc $(ARCH_$(1)_DEB_ARCH)
	@mkdir -p $$(dir $$@)
	@cp $(BUILD)/trixie$(if $(filter amd64,$(ARCH_$(1)_DEB_ARCH)),,-$(ARCH_$(1)_DEB_ARCH))/root/usr/lib/$(ARCH_$(1)_TRIPLET)/$(ARCH_$(1)_LDSO) \
		$(BUILD)/trixie$(if $(filter amd64,$(ARCH_$(1)_DEB_ARCH)),,-$(ARCH_$(1)_DEB_ARCH))/root/usr/lib/$(ARCH_$(1)_TRIPLET)/libc.so.6 $$(dir $$@)
	@chmod 755 $$(dir $$@)*

$$($(1)_OUT)/guest/vgetrandom/vgetrandom_glibc_test: $$($(1)_ST)/vgetrandom/vgetrandom_glibc_test.c \
		$$($(1)_ST)/vDSO/parse_vdso.c $$$$($(1)_HDRS)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$(patsubst $(BUILD)/%,%,$$@) (dynamic)"
	@$$($(1)_CC) $$(filter-out -static,$$($(1)_CFLAGS)) -o $$@ $$< $$($(1)_ST)/vDSO/parse_vdso.c $(GUEST_LDLIBS)

# Paths relative to the script, so that it runs in the guest and here.
$$($(1)_OUT)/guest/vgetrandom/trixie_glibc_test: $$($(1)_OUT)/guest/vgetrandom/vgetrandom_glibc_test \
		$$($(1)_OUT)/guest/glibc-2.41/libc.so.6 Makefile
	$$(call trixie_wrapper,$(ARCH_$(1)_LDSO))

$$($(1)_OUT)/guest/vgetrandom/vgetrandom_go_test: $$($(1)_OUT)/guest/vgetrandom/vgetrandom_go
$$($(1)_OUT)/guest/vgetrandom/vgetrandom_go: $$($(1)_ST)/vgetrandom/vgetrandom_go.go $(GO)
	$$(call go_build,$(ARCH_$(1)_GOARCH))
endef

# musl: the library built with Debian's musl-gcc, and the library's test,
# unchanged, linked static against it (musl itself never uses the vDSO).
LIB_DIR := $(KTREE)/tools/lib/vgetrandom
MUSL_LIB := $(BUILD)/musl-lib/libvgetrandom.a
$(MUSL_LIB): $$(wildcard $(LIB_DIR)/*.c $(LIB_DIR)/*.h $(LIB_DIR)/Makefile)
	@echo "  MUSL    libvgetrandom.a"
	@$(MAKE) -s --no-print-directory -C $(LIB_DIR) CC=musl-gcc O=$(BUILD)/musl-lib \
		KSRC=$(KTREE) KHDR=$(BUILD)/headers/include $@

$(BUILD)/guest/vgetrandom/libvgetrandom_test_musl: $(ST)/vgetrandom/libvgetrandom_test.c \
		$(MUSL_LIB) $$(x86_64_HDRS)
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  guest/vgetrandom/libvgetrandom_test_musl"
	@musl-gcc $(GUEST_CFLAGS) -o $@ $< $(MUSL_LIB) $(GUEST_LDLIBS)

# $(call trixie_wrapper,LD.SO): the script that runs vgetrandom_glibc_test
# (built on Debian 12) on Debian 13's glibc beside it, through that ld.so.
define trixie_wrapper
@printf '%s\n' '#!/bin/sh' \
	'# vgetrandom_glibc_test (built on Debian 12) on Debian 13'"'"'s glibc' \
	'd=$$(dirname "$$0")' \
	'exec "$$d/../glibc-2.41/$(1)" --library-path "$$d/../glibc-2.41" "$$d/vgetrandom_glibc_test" "$$@"' \
	> $@
@chmod +x $@
endef

# Go 1.24: Debian 13's toolchain (harness/trixie.sh fetches it once) builds
# vgetrandom_go, static, for each guest; vgetrandom_go_test runs it.  Its
# caches stay under $(B); nothing is fetched while building (GOPROXY=off,
# and GOTOOLCHAIN=local: never another toolchain).
GO_ROOT := $(BUILD)/trixie-go/root/usr/lib/go-1.24
GO := $(GO_ROOT)/bin/go
GO_ENV := GOROOT=$(GO_ROOT) GOCACHE=$(BUILD)/go/cache GOPATH=$(BUILD)/go/path \
	GOENV=off GOFLAGS= GOTOOLCHAIN=local GOPROXY=off GOTELEMETRY=off CGO_ENABLED=0
$(GO): harness/trixie.sh
	@harness/trixie.sh $(BUILD) go
	@touch $@

# $(call go_build,GOARCH): vgetrandom_go.go into $@.
define go_build
@mkdir -p $(dir $@)
@echo "  GO      $(patsubst $(BUILD)/%,%,$@) ($(1))"
@cd $(dir $<) && env $(GO_ENV) GOARCH=$(1) $(GO) build -trimpath -o $@ $(notdir $<)
endef

# Every architecture's rules (arch_rules above).
$(foreach a,$(ARCHES),$(eval $(call arch_rules,$(a))))

# Debian 12's rngtest and dieharder for vgetrandom_stats_test, with the
# libraries they load, each run by a script through that ld.so.
STATS := $(BUILD)/guest/stats
$(BUILD)/guest/vgetrandom/vgetrandom_stats_test: $(STATS)/rngtest $(STATS)/dieharder
$(STATS)/%: Makefile
	@mkdir -p $(STATS)/bin $(STATS)/lib
	@echo "  STATS   guest/stats/$*"
	@cp /usr/bin/$* $(STATS)/bin/
	@ldd /usr/bin/$* | awk '/=> \//{print $$3} /^\t\/[^ ]*ld-linux/{print $$1}' | \
		xargs -I{} cp -L {} $(STATS)/lib/
	@chmod 755 $(STATS)/lib/* $(STATS)/bin/*
	@printf '%s\n' '#!/bin/sh' '# Debian 12'"'"'s $* with its own libraries' \
		'd=$$(dirname "$$0")' \
		'exec "$$d/lib/ld-linux-x86-64.so.2" --library-path "$$d/lib" "$$d/bin/$*" "$$@"' \
		> $@
	@chmod +x $@

host-bins:
	@mkdir -p $(BUILD)/host
	@if [ -f $(HOST_DIR)/Makefile ]; then \
		$(MAKE) -s --no-print-directory -C $(HOST_DIR) O=$(BUILD)/host KSRC=$(KTREE) all && \
		$(MAKE) --no-print-directory -s -C $(HOST_DIR) O=$(BUILD)/host KSRC=$(KTREE) list | tr ' ' '\n' | sed '/^$$/d' > $(BUILD)/host/list; \
	else \
		: > $(BUILD)/host/list; \
	fi

clean:
	rm -rf $(BUILD)/guest $(BUILD)/host $(BUILD)/patches $(BUILD)/*.tap \
		$(BUILD)/*.log $(BUILD)/*.txt $(BUILD)/initramfs* $(BUILD)/bzImage
	[ ! -d $(KTREE) ] || $(MAKE) -s -C $(KTREE) clean

distclean:
	rm -rf $(BUILD)
