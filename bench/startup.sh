#!/usr/bin/env bash
# Cold start of `haven serve` to the first 200 on an existing database.
set -euo pipefail
# The toolchain the Makefile pins (the machine's own Go is too old).
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/haven
go build -o "$bin" ./cmd/haven
go run ./bench/startup -bin "$bin" "$@"
