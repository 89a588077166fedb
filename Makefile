# rebootconf — see README.md. Two commands on a fresh machine:
#   make run    the main job: every suite against the embedded emulator, JUnit in reports/junit.xml
#   make test   the project's own tests (race detector on)
GO        ?= go
BIN       := bin
SUITES    := conformance properties sdkclients
JUNIT     ?= reports/junit.xml
RUN_FLAGS ?=

.PHONY: all build suites run test test-short vet deps-check bench fuzz fuzz-nightly tools node-deps clean

all: build

# bin/ginkgo: `run --procs N` runs each suite's specs in N processes through the Ginkgo CLI.
build: suites
	$(GO) build -o $(BIN)/rebootconf ./cmd/rebootconf
	$(GO) build -o $(BIN)/rebootconf-testee ./cmd/rebootconf-testee
	$(GO) build -o $(BIN)/ginkgo github.com/onsi/ginkgo/v2/ginkgo

# Suite binaries are prebuilt so `rebootconf run` needs no Go toolchain at run time.
suites:
	@mkdir -p $(BIN)/suites
	@for s in $(SUITES); do \
		$(GO) test -c -o $(BIN)/suites/$$s.test ./suites/$$s || exit 1; \
	done

run: build node-deps
	$(BIN)/rebootconf run --junit-report $(JUNIT) $(RUN_FLAGS)

tools:
	@./.ci/install-tools

# @alicloud/pop-core for the sdkclients suite; without npm its specs skip with the reason.
node-deps:
	@./.ci/install-tools --node-only

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

# fixtures/, reports/ and cmd/ must never pull in test frameworks (rapid panics outside go test).
# cmd/rebootconf-testee links the Tea SDK, whose github.com/alibabacloud-go/tea/utils imports
# testing itself: that binary is held to the frameworks only.
deps-check:
	@bad=$$($(GO) list -deps ./fixtures/... ./reports/... $$($(GO) list ./cmd/... | grep -v /cmd/rebootconf-testee$$) | grep -E '^(testing|pgregory.net/rapid|github.com/onsi/gomega.*|github.com/onsi/ginkgo/v2)$$'); \
	bad="$$bad$$($(GO) list -deps ./cmd/rebootconf-testee | grep -E '^(pgregory.net/rapid|github.com/onsi/gomega.*|github.com/onsi/ginkgo/v2)$$')"; \
	if [ -n "$$bad" ]; then echo "forbidden imports in fixtures/reports/cmd: $$bad"; exit 1; fi
	@$(GO) test -count=1 -run 'TestDependencyRules' ./fixtures/vocab >/dev/null || { $(GO) test -count=1 -run 'TestDependencyRules' ./fixtures/vocab; exit 1; }; echo "deps-check: ok"

test: tools vet deps-check
	$(GO) test -race -timeout 60m ./...

test-short:
	$(GO) test -short ./...

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3s ./fixtures/... ./generators/... | tee reports/bench.txt

# Every native fuzz target in turn (go test runs one -fuzz target per package at a time).
FUZZTIME ?= 30s
FUZZ_TARGETS = fixtures/emulator:FuzzHandler fixtures/protocol:FuzzVerifyV1 fixtures/protocol:FuzzVerifyACS3 \
	fixtures/protocol:FuzzDecodeResponse fixtures/protocol:FuzzRedactMatchesPattern reports:FuzzMarshal reports:FuzzRedactPlanted
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "== $$t ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) ./$${t%%:*}; \
	done

# Nightly property fuzzing against the embedded emulator (or REBOOTCONF_ENDPOINT): a wall-clock budget.
FUZZ_DURATION ?= 10m
fuzz-nightly:
	REBOOTCONF_FUZZ_DURATION=$(FUZZ_DURATION) $(GO) test -timeout 0 ./suites/properties -ginkgo.v

clean:
	rm -rf $(BIN) reports/*.xml
