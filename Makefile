# RiskGrid developer and CI entry points (GNU make). `make` alone builds.
#   make build   build the solution (Release) and publish the CLI to build/riskgrid (run it with bin/riskgrid)
#   make test    start PostgreSQL and install Chromium when missing, then run every test project
#   make run     build, then the stress lab (`bin/riskgrid stress`): a crash replayed against a seeded book, a report
#   make bench   BenchmarkDotNet, all benchmarks
#   make clean   remove build outputs
# ARTIFACTS_PATH=/some/dir keeps all dotnet outputs there (engineers building side by side on one machine).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

DOTNET ?= dotnet
CONFIGURATION ?= Release
ARTIFACTS_PATH ?=
ARTIFACTS_FLAG := $(if $(ARTIFACTS_PATH),--artifacts-path $(ARTIFACTS_PATH))
PUBLISH_DIR := build/riskgrid
# ReadyToRun: precompiled code cuts `riskgrid --help` start-up (measured: see docs/notes/package-status.md).
PUBLISH_FLAGS := -r linux-x64 --self-contained false -p:PublishReadyToRun=true
TEST_LOG := build/test.log

export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1
# Playwright drives Debian's /usr/bin/chromium and must never fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: build publish test test-services postgres-up postgres-down chromium run bench clean cluster-up cluster-down

build:
	$(DOTNET) build RiskGrid.sln -c $(CONFIGURATION) $(ARTIFACTS_FLAG)
	$(MAKE) --no-print-directory publish

publish:
	rm -rf $(PUBLISH_DIR)
	$(DOTNET) publish src/RiskGrid.Cli -c $(CONFIGURATION) -o $(PUBLISH_DIR) $(PUBLISH_FLAGS) $(ARTIFACTS_FLAG)

test: test-services
	@mkdir -p $(dir $(TEST_LOG))
	@status=0; \
	$(DOTNET) test RiskGrid.sln -c $(CONFIGURATION) $(ARTIFACTS_FLAG) 2>&1 | tee $(TEST_LOG) || status=$$?; \
	awk '/(Passed|Failed)! +- +Failed:/ { \
	        line = $$0; gsub(/,/, "", line); n = split(line, w, " "); \
	        for (i = 1; i < n; i++) { if (w[i] == "Failed:") f += w[i+1]; if (w[i] == "Passed:") p += w[i+1]; \
	                                  if (w[i] == "Skipped:") s += w[i+1]; } } \
	     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' $(TEST_LOG); \
	exit $$status

test-services: postgres-up chromium

postgres-up:
	bash cluster/postgres-up.sh

postgres-down:
	bash cluster/postgres-down.sh

chromium:
	bash cluster/ensure-chromium.sh

# Builds first when build/riskgrid is missing; see cluster/up.sh for ports, logs and tokens.
cluster-up:
	@if [ ! -x $(PUBLISH_DIR)/riskgrid ]; then $(MAKE) --no-print-directory build; fi
	bash cluster/up.sh

cluster-down:
	bash cluster/down.sh

# The main job: the stress lab (the built-in synthetic crash, SQLite journal under build/stress); the report is
# build/stress/<scenario>/report.html. `riskgrid stress` defaults to the issue's 100,000 accounts, about 900,000
# journaled liquidation steps in this crash, which takes minutes on a 2-core machine (docs/notes/performance.md), so
# make run opens 10,000 (about 35 s). STRESS="--accounts 100000 --scenario NAME" overrides (see docs/stress.md).
STRESS ?= --accounts 10000
run: build
	bin/riskgrid stress $(STRESS)

bench:
	$(DOTNET) run -c $(CONFIGURATION) --project perf/RiskGrid.Benchmarks $(ARTIFACTS_FLAG) -- --filter '*'

clean:
	rm -rf build artifacts
	find src tests perf -type d \( -name bin -o -name obj -o -name BenchmarkDotNet.Artifacts -o -name TestResults \) \
	    -prune -exec rm -rf {} +
