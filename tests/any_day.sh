#!/usr/bin/env bash
# Runs the test suite with the system clock set (libfaketime) to every day on which a
# date-dependent suite would break: each Friday before a Monday off in the built-in holiday
# table (data/holidays/th_2026_2027.csv; "next week" starts with a holiday) and the last
# day of each year it covers. The tests fix caravan's "today" through $CARAVAN_TODAY
# (tests/conftest.py), so every run must pass whatever the clock says.
#
#   tests/any_day.sh                       # every date, the whole suite
#   tests/any_day.sh -m "not browser"      # extra arguments go to pytest
#   DATES="2026-12-04 2027-12-31" tests/any_day.sh
#
# Needs faketime (Debian: apt-get install faketime) and the test venv (make test creates
# it). Each date's output is kept in $LOGS (default tests/artifacts/any_day/DATE.log); the
# last line of each run is printed in a table at the end. Exit status: 1 if any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
LOGS=${LOGS:-tests/artifacts/any_day}
CALENDAR=data/holidays/th_2026_2027.csv

command -v faketime >/dev/null || { echo "any_day.sh: faketime is missing (apt-get install faketime)" >&2; exit 2; }
[ -x "$PYTHON" ] || { echo "any_day.sh: no $PYTHON: run 'make test' once first" >&2; exit 2; }

if [ -z "${DATES:-}" ]; then
    # the Fridays before each Monday off, then the last day of each year of the table
    DATES=$("$PYTHON" - "$CALENDAR" <<'EOF'
import csv, datetime as dt, sys
days = [dt.date.fromisoformat(r["date"]) for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))]
fridays = sorted({d - dt.timedelta(days=3) for d in days if d.weekday() == 0})
ends = sorted({dt.date(d.year, 12, 31) for d in days})
print(" ".join(d.isoformat() for d in fridays + ends))
EOF
)
fi

mkdir -p "$LOGS"
# Chromium hangs under libfaketime (it never loads a page): the browser tests launch it
# through this wrapper ($CARAVAN_CHROMIUM, tests/browser_support.py), which keeps the real
# clock for the browser alone; caravan, the tests and Playwright's driver run on the fake one.
browser=$(realpath "$LOGS")/chromium-real-clock
printf '#!/bin/sh\nexec env -u LD_PRELOAD -u FAKETIME "%s" "$@"\n' \
    "${CARAVAN_CHROMIUM:-/usr/bin/chromium}" >"$browser"
chmod +x "$browser"
export CARAVAN_CHROMIUM=$browser

failed=0
summary=()
for day in $DATES; do
    log="$LOGS/$day.log"
    echo "== $day: the clock starts at $day 10:00 (Asia/Bangkok is UTC+7)"
    # the clock ticks from that moment (monotonic clocks too: libfaketime's sleeps fail
    # with EINVAL when only the wall clock is faked)
    faketime -f "@$day 03:00:00" "$PYTHON" -m pytest -q -rs -p no:cacheprovider "$@" >"$log" 2>&1
    status=$?
    last=$(grep -E "(passed|failed|error)" "$log" | tail -n 1)
    [ "$status" -eq 0 ] || failed=1
    summary+=("$day  exit $status  $last")
    echo "   exit $status: $last"
done

echo
echo "date        result"
printf '%s\n' "${summary[@]}"
exit "$failed"
