# TAP helpers for the shell tests (source it): ok DESCRIPTION,
# not_ok DESCRIPTION [DETAILS], and finish (the plan; exit status 1 when a
# case failed).  The Python tests use tap.py.
n=0; failed=0
ok()     { n=$((n+1)); echo "ok $n - $1"; }
not_ok() { n=$((n+1)); failed=$((failed+1)); echo "not ok $n - $1"; sed 's/^/# /' <<<"${2:-}"; }
finish() { echo "1..$n"; [ "$failed" -eq 0 ]; exit $?; }
