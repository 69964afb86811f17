# InferLab: two commands do everything on a fresh machine.
#   make serve   set up, build, serve on http://127.0.0.1:8080 (live reload)
#   make test    set up, then every test (lint, native, wasm in Chromium, Playwright)
#   make test-real  our load tester vs AIPerf against a real llama-server (README: Against a real engine)
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:/usr/local/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true

.PHONY: setup serve build test bench test-native test-wasm test-e2e test-real lint fmt clean

setup:
	@bash scripts/setup.sh

serve: setup
	trunk serve --address 127.0.0.1 --port 8080

build: setup
	trunk build --release

test: setup
	@bash scripts/test.sh all

lint:
	@bash scripts/test.sh lint
test-native:
	@bash scripts/test.sh native
test-wasm:
	@bash scripts/test.sh wasm
test-e2e:
	@bash scripts/test.sh e2e
test-real: setup
	@bash scripts/test.sh real

bench: setup
	@bash scripts/bench.sh

fmt:
	cargo fmt --all

clean:
	cargo clean; rm -rf dist
