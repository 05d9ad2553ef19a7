# Haven's tasks. `make test` runs every test: Go (SQLite and PostgreSQL
# storage contract included) and the browser tests in headless Chromium.
GO        ?= go
# The Go toolchain every build and test uses. Go 1.26.8's standard library
# has 12 vulnerabilities Haven's code reaches (govulncheck, fixed in
# 1.26.9-1.26.10); 1.27.3 is the approved newer release. go.mod asks for
# it with its toolchain line, but machines here start on their own Go with
# GOTOOLCHAIN=local, which ignores that line, so it is set here and
# exported: the go command fetches it from the module proxy once per
# machine (about 76 MB). go.mod's go line stays at 1.26.8, the oldest Go
# the code builds with, so that plain tools (go vet, an editor) still run
# on such a machine; haven serve warns when it was built with an older Go.
GOTOOLCHAIN := go1.27.3
export GOTOOLCHAIN
STATICCHECK_VERSION ?= v0.8.2
# govulncheck and the Go vulnerability database it reads. The database is
# built locally from the golang.org/x/vulndb module's OSV files (the only
# way this project's machines reach it); bump VULNDB_VERSION (a pseudo-
# version, or `latest`) for newer data.
GOVULNCHECK_VERSION ?= v1.9.0
VULNDB_VERSION ?= v0.0.0-20261105234957-e22db6528018
# The PostgreSQL half of the storage contract suite. The default is the
# server this project's machines run; set it empty to skip PostgreSQL.
HAVEN_TEST_POSTGRES ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
export HAVEN_TEST_POSTGRES

.PHONY: test go-test browser-test browser-deps lint vulncheck bench run fuzz

test: go-test browser-test

# With the race detector, the SQLite store and the PostgreSQL half
# included (about six minutes on two cores).
go-test:
	$(GO) test -race -count=1 ./...

# Browser tests need Debian's chromium (never a downloaded browser) and the
# npm packages pinned in e2e/package-lock.json.
# Fonts for every script the pages are written in (Arabic, Khmer, Hangul,
# Han): without them Chromium draws boxes and the layout checks measure boxes.
BROWSER_PKGS = chromium fonts-noto-core fonts-noto-cjk
browser-deps:
	@missing=$$(for p in $(BROWSER_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else echo "browser tests need Debian packages: sudo apt-get install -y $$missing" >&2; exit 1; fi; \
	fi
	cd e2e && npm ci --no-audit --no-fund --loglevel=error

browser-test: browser-deps
	$(GO) build -o e2e/.bin/haven ./cmd/haven
	cd e2e && HAVEN_BIN=$(CURDIR)/e2e/.bin/haven npm test

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# Fails on any known vulnerability that Haven's code reaches, in the
# standard library or a module.
vulncheck:
	GOVULNCHECK_VERSION=$(GOVULNCHECK_VERSION) VULNDB_VERSION=$(VULNDB_VERSION) ./scripts/vulncheck.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	./bench/startup.sh

fuzz:
	$(GO) test ./internal/pack -run '^$$' -fuzz FuzzLoadServices -fuzztime 30s
	$(GO) test ./internal/directory -run '^$$' -fuzz FuzzParseClock -fuzztime 10s
	$(GO) test ./internal/strictjson -run '^$$' -fuzz FuzzDecode -fuzztime 10s
	$(GO) test ./internal/intake -run '^$$' -fuzz FuzzReadJSON -fuzztime 10s
	$(GO) test ./internal/tiphttp -run '^$$' -fuzz FuzzReadMultipart -fuzztime 10s
	$(GO) test ./internal/search -run '^$$' -fuzz FuzzParseFilter -fuzztime 10s

run:
	$(GO) run ./cmd/haven serve
