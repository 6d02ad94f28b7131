#!/bin/sh
# The README's first command: make a git repository of the example notes, create the default
# PGLite brain, add the notes as a source, sync them (embedding included), show what the brain
# now holds, and search it: once by keyword, once by meaning with words the answer never uses.
set -eu
cd "$(dirname "$0")/.."
data="${BRAINSYNC_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/brainsync}"
repo="$data/example-notes"
brainsync() { node bin/brainsync.js "$@"; }

if [ ! -d "$repo/.git" ]; then
  sh examples/make-example-repo.sh "$repo" >/dev/null
fi
brainsync init
brainsync sources show example >/dev/null 2>&1 || brainsync sources add example "$repo"
status=0
brainsync sync --source example || status=$?
brainsync sources list
echo >&2
echo '$ brainsync search "restore a backup" --limit 3        # keyword: full text and vectors, fused' >&2
brainsync search "restore a backup" --limit 3
echo >&2
echo '$ brainsync search "revenue from cities" --limit 3     # no page has these words: found by meaning' >&2
brainsync search "revenue from cities" --limit 3
echo >&2
echo "Try: node bin/brainsync.js search \"your question\" [--json]   (or: npm link, then brainsync ...)" >&2
exit "$status"
