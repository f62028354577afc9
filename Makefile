# ClinicDesk — the two commands a new user needs:
#   make run    build the desktop app and start it on the demo practice
#   make test   run every test (Go, frontend unit, end-to-end in Chromium, real window)
# Both install what is missing first (Debian packages, the wails CLI, npm packages).

SHELL      := /bin/bash
GO         ?= go
GOBIN      := $(shell $(GO) env GOPATH)/bin
WAILS      := $(GOBIN)/wails
WAILS_VER  := v2.15.0
NFPM       := $(GOBIN)/nfpm
NFPM_VER   := v2.48.0
TAGS       := webkit2_41
APP        := build/bin/clinicdesk
APT_PKGS   := libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config xvfb xauth chromium imagemagick xdotool x11-utils sqlite3 python3-gi gir1.2-gtk-3.0 postgresql wine64 nsis gcc-mingw-w64-x86-64 systemd curl
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FUZZTIME   ?= 5s

.PHONY: dist wine-test package-test nfpm-cli run build test deps apt wails-cli npm bindings go-test go-vet fuzz frontend-test e2e portal-e2e window-test bench clean

## run: build the app and start it (demo practice on first run; data in the user's config dir)
run: build
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
		echo "No display found: starting ClinicDesk under Xvfb :99 (screenshot with: DISPLAY=:99 import -window root shot.png)"; \
		(Xvfb :99 -screen 0 1280x900x24 >/dev/null 2>&1 &) ; sleep 1; DISPLAY=:99 ./$(APP) $(ARGS); \
	else ./$(APP) $(ARGS); fi

## build: the production binary in build/bin/
build: deps
	$(WAILS) build -tags $(TAGS) -clean -o clinicdesk && test -x $(APP)

deps: apt wails-cli nfpm-cli npm

apt:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; fi

wails-cli:
	@if ! $(WAILS) version 2>/dev/null | grep -q "$(WAILS_VER)"; then \
		echo "Installing the wails CLI $(WAILS_VER)"; $(GO) install github.com/wailsapp/wails/v2/cmd/wails@$(WAILS_VER); fi

nfpm-cli:
	@if ! $(GO) version -m $(NFPM) 2>/dev/null | grep -q "mod.*github.com/goreleaser/nfpm/v2.*$(NFPM_VER)"; then \
		echo "Installing nfpm $(NFPM_VER)"; $(GO) install github.com/goreleaser/nfpm/v2/cmd/nfpm@$(NFPM_VER); fi

npm: frontend/node_modules/.package-lock.json
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

## bindings: regenerate frontend/wailsjs from the bound Go structs
bindings: wails-cli
	$(WAILS) generate module -tags $(TAGS) >/dev/null

## test: every test, in two lanes side by side (a 2-core machine runs the
## browser suites while the Go tests wait on the database): the Go lane's
## output is printed when both are done, the UI lane's as it runs.
GO_LANE   := go-test fuzz wine-test
UI_LANE   := frontend-test e2e portal-e2e window-test package-test
test: deps go-vet bindings
	@log=$$(mktemp); t0=$$(date +%s); \
	echo "make test: the Go lane ($(GO_LANE)) runs in the background, its output follows the UI lane's"; \
	( $(MAKE) --no-print-directory $(GO_LANE) >$$log 2>&1 ) & gopid=$$!; \
	$(MAKE) --no-print-directory $(UI_LANE); ui=$$?; \
	wait $$gopid; golane=$$?; \
	echo "---- Go lane ($(GO_LANE)) ----"; cat $$log; rm -f $$log; \
	echo "make test: UI lane exit $$ui, Go lane exit $$golane, $$(( $$(date +%s) - t0 )) s"; \
	[ $$ui = 0 ] && [ $$golane = 0 ] && echo "make test: all suites passed"

go-vet:
	@test -z "$$(gofmt -l main.go app.go backend)" || { gofmt -l main.go app.go backend; echo "gofmt needed"; exit 1; }
	$(GO) vet -tags $(TAGS) ./...

## go-test: every backend test; the hub tests run on SQLite and on a throwaway PostgreSQL
go-test:
	@dsn=$$(bash backend/hub/testdata/postgres.sh) || { echo "could not start PostgreSQL for the hub tests"; exit 1; }; \
	CLINICDESK_NO_OPEN=1 CLINICDESK_TEST_POSTGRES="$$dsn" $(GO) test -race -timeout 30m -count=1 ./backend/...; status=$$?; \
	bash backend/hub/testdata/postgres.sh stop >/dev/null 2>&1 || true; exit $$status

## fuzz: run each fuzz target briefly over its committed seed corpus and new inputs
## (one test binary per package, run from the package folder so testdata/fuzz is found)
fuzz:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	for dir in $$(grep -l '^func Fuzz' $$(find backend -name '*_test.go') | xargs -n1 dirname | sort -u); do \
		$(GO) test -c -o $$tmp/pkg.test ./$$dir; \
		for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go | sed 's/func //'); do \
			echo "fuzz $$dir $$f ($(FUZZTIME))"; \
			(cd $$dir && $$tmp/pkg.test -test.run '^$$' -test.fuzz "^$$f$$" -test.fuzztime $(FUZZTIME) -test.fuzzcachedir $$tmp/cache >$$tmp/out 2>&1) \
				|| { cat $$tmp/out; exit 1; }; \
		done; \
	done

frontend-test: bindings npm
	cd frontend && npm run check && npm test

## e2e: the app with its Go bindings (wails dev under Xvfb) driven by headless Chromium
e2e: bindings npm
	bash frontend/e2e/run.sh

## portal-e2e: the hub's client portal in headless Chromium
portal-e2e: npm
	bash backend/hub/e2e/run.sh

## window-test: the built app in a real window under Xvfb, screenshots kept in docs/
window-test: build
	bash build/window-test.sh

## dist: every package a practice installs, into dist/ with SHA256SUMS (see build/dist.sh)
dist: deps
	bash build/dist.sh

## wine-test: the backend's tests cross-built for windows/amd64 and run under wine64
wine-test: apt
	bash build/wine-test.sh

## package-test: install the previous .debs, make data, upgrade, check, remove (root)
package-test: deps
	bash build/package-test.sh

## bench: benchmarks and baselines (see bench/README.md)
bench: deps
	bash bench/run.sh

clean:
	rm -rf dist build/bin frontend/dist/assets frontend/dist/index.html
