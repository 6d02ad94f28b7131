#!/bin/sh
# The README's first command: make a git repository of the example notes, create the default
# PGLite brain, add the notes as a source, sync them, and show what the brain now holds.
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
echo "Try: node bin/brainsync.js pages list --source example   (or: npm link, then brainsync ...)" >&2
exit "$status"
