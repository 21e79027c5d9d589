#!/bin/sh
# The engine from another language, through its JSON command line: a case on standard
# input, the result as JSON on standard output (exit 0), or one line on standard error
# naming the JSON path at fault (exit 2).
#
#     sh examples/engine_from_shell.sh        (PYTHON=.venv/bin/python to choose the Python)
set -eu
PYTHON="${PYTHON:-python3}"
here="$(dirname "$0")"

# The result as JSON, and its outcome picked out by the engine's own JSON reader.
"$PYTHON" -m decisions.engine evaluate - < "$here/consent_case.json" > /tmp/decisions-result.$$
"$PYTHON" -c 'import json, sys; print("outcome:", json.load(sys.stdin)["outcome"])' \
    < /tmp/decisions-result.$$
rm -f /tmp/decisions-result.$$

# The explanation in French, as text.
"$PYTHON" -m decisions.engine evaluate --explain fr "$here/consent_case.json"

# A malformed case: status 2, one line naming the fault, nothing on standard output.
if echo '{"family": "consent", "electorate": {"members": ["a"]}, "ballots": [{"voter": "a", "position": "maybe", "cast_at": "2026-03-02T10:00:00Z"}]}' \
        | "$PYTHON" -m decisions.engine evaluate - 2> /tmp/decisions-error.$$; then
    echo "a malformed case was accepted" >&2
    exit 1
else
    status=$?
    echo "malformed case: exit $status, $(cat /tmp/decisions-error.$$)"
fi
rm -f /tmp/decisions-error.$$
