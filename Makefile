# The two commands that matter: `make run` and `make test`.
GO       ?= go
BIN      := $(CURDIR)/bin
TEMPORAL := $(BIN)/temporal

# Tests and `dsr dev` find Temporal's CLI here.
export DSR_TEMPORAL_CLI ?= $(TEMPORAL)

.PHONY: run test build bench vet clean

## run: build everything and run the product on this machine (dsr dev)
run: $(TEMPORAL) build
	$(BIN)/dsr dev

## build: build bin/dsr
build:
	$(GO) build -o $(BIN)/dsr ./cmd/dsr

# Temporal's CLI (with its dev server) is built from the Go module proxy at
# the version pinned in tools/temporal, a module of its own so that its
# dependencies never pin the SDK the product uses.
$(TEMPORAL): tools/temporal/go.mod tools/temporal/go.sum
	@echo "Building Temporal's dev server (github.com/temporalio/cli) from the Go module proxy."
	@echo "The first build takes a few minutes; later builds use the cache."
	cd tools/temporal && $(GO) build -o $(TEMPORAL) github.com/temporalio/cli/cmd/temporal

## test: every test: unit, database (SQLite; PostgreSQL too when
## DSR_TEST_DATABASE_URL is set), workflow, integration on the real
## Temporal dev server, and the browser test when Chromium is installed
test: $(TEMPORAL) vet
	$(GO) test -count=1 -timeout 30m ./...

vet:
	$(GO) vet ./...

## bench: intake throughput against the dev server beside a bare
## StartWorkflow baseline, and the queue, search and dashboard queries at
## a million cases beside ten thousand, each measured in the same run
## (PostgreSQL when DSR_BENCH_DATABASE_URL is set; DSR_BENCH_CASES to resize)
bench: $(TEMPORAL)
	$(GO) test -p 1 -count=1 -run '^$$' -bench . -benchtime 1x -timeout 60m ./bench/...

clean:
	rm -rf $(BIN)
