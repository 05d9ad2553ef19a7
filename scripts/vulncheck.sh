#!/usr/bin/env bash
# govulncheck against a Go vulnerability database built on this machine.
#
# The database's public host is out of reach here, but the database itself
# is the golang.org/x/vulndb module (its data/osv folder), which the module
# proxy serves; its own cmd/indexdb turns that folder into the layout
# govulncheck reads with -db file://. The result is cached per version.
#
#   scripts/vulncheck.sh                       # versions from the Makefile
#   VULNDB_VERSION=latest scripts/vulncheck.sh # the newest data
set -euo pipefail
cd "$(dirname "$0")/.."
: "${GOTOOLCHAIN:=go1.27.3}"
: "${GOVULNCHECK_VERSION:=v1.9.0}"
: "${VULNDB_VERSION:=v0.0.0-20261105234957-e22db6528018}"
export GOTOOLCHAIN

mod=$(go mod download -json "golang.org/x/vulndb@${VULNDB_VERSION}")
version=$(printf '%s' "$mod" | sed -n 's/^[[:space:]]*"Version": "\(.*\)",$/\1/p')
dir=$(printf '%s' "$mod" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$version" ] || [ ! -d "$dir/data/osv" ]; then
  echo "vulncheck: golang.org/x/vulndb@${VULNDB_VERSION} has no data/osv folder" >&2
  exit 1
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/haven/vulndb-${version}"
if [ ! -f "$cache/index/db.json" ]; then
  echo "vulncheck: building the vulnerability database from golang.org/x/vulndb@${version}"
  rm -rf "$cache.tmp"
  mkdir -p "$(dirname "$cache")"
  go run "golang.org/x/vulndb/cmd/indexdb@${version}" -vulns "$dir/data/osv" -out "$cache.tmp"
  rm -rf "$cache"
  mv "$cache.tmp" "$cache"
fi

echo "vulncheck: $(go version | cut -d' ' -f3), database golang.org/x/vulndb@${version}"
go run "golang.org/x/vuln/cmd/govulncheck@${GOVULNCHECK_VERSION}" -db "file://$cache" ./...
