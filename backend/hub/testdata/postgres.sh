#!/usr/bin/env bash
# Start a throwaway PostgreSQL for the hub tests and print its DSN.
#
#   export CLINICDESK_TEST_POSTGRES="$(bash backend/hub/testdata/postgres.sh)"
#   go test ./backend/hub/
#
# Run as root on Debian: installs the postgresql package when missing, makes
# a cluster in a new directory under /tmp owned by the postgres user, starts
# it on 127.0.0.1 (a free port from 55432 up), creates a database and a user
# for the tests, and prints postgres://... on stdout (everything else goes to
# stderr). Stop it with:  bash backend/hub/testdata/postgres.sh stop
set -euo pipefail
log() { echo "postgres.sh: $*" >&2; }
STATE=/tmp/clinicdesk-pg.current

find_bin() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
	done
	return 1
}

as_pg() { runuser -u postgres -- "$@"; }

if [ "${1:-}" = "stop" ]; then
	if [ -f "$STATE" ]; then
		dir=$(cat "$STATE")
		bin=$(find_bin)
		as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
		rm -rf "$dir" "$STATE"
	fi
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	log "run me as root (I install packages and run PostgreSQL as the postgres user)"
	exit 1
fi

if ! bin=$(find_bin); then
	log "installing postgresql from Debian"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2
	apt-get install -y -q --no-install-recommends postgresql >&2
	bin=$(find_bin)
fi
id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres

# A running cluster from an earlier call is reused.
if [ -f "$STATE" ] && [ -f "$(cat "$STATE")/dsn" ]; then
	dir=$(cat "$STATE")
	if as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		cat "$dir/dsn"
		exit 0
	fi
	rm -rf "$dir"
fi

dir=$(mktemp -d /tmp/clinicdesk-pg.XXXXXX)
chown postgres: "$dir"
chmod 700 "$dir"
port=55432
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

log "creating a cluster in $dir (PostgreSQL $("$bin/postgres" --version | awk '{print $3}'), port $port)"
as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null 2>&1 \
	|| as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >&2
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
	-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >&2

psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -q)
as_pg "${psql[@]}" -c "CREATE USER clinicdesk PASSWORD 'clinicdesk'" >&2
as_pg "${psql[@]}" -c "CREATE DATABASE clinicdesk OWNER clinicdesk" >&2

dsn="postgres://clinicdesk:clinicdesk@127.0.0.1:$port/clinicdesk?sslmode=disable"
echo "$dsn" >"$dir/dsn"
echo "$dir" >"$STATE"
echo "$dsn"
