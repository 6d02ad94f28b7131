#!/bin/sh
# Create a git repository from the example brain in examples/notes/.
#
#   examples/make-example-repo.sh DEST
#
# Copies examples/notes/ (dotfiles included) into a fresh repository at DEST and commits it
# on branch `main` with a fixed author, committer and date, so the commit sha is the same
# on every machine for the same notes. Prints DEST's absolute path on stdout; a summary
# goes to stderr. Needs only git and a POSIX shell.

set -eu

prog=$(basename -- "$0")

die() {
    printf '%s: error: %s\n' "$prog" "$1" >&2
    exit "${2:-1}"
}

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
    printf 'usage: %s DEST\n' "$prog" >&2
    exit 2
fi
case $1 in
    -h|--help)
        printf 'usage: %s DEST\n' "$prog"
        exit 0
        ;;
esac

DEST=$1
SCRIPT_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
SRC=$SCRIPT_DIR/notes

command -v git >/dev/null 2>&1 || die "git is not installed or not on PATH"
[ -d "$SRC" ] || die "example notes not found at $SRC"

if [ -e "$DEST" ] || [ -L "$DEST" ]; then
    [ -d "$DEST" ] || die "$DEST exists and is not a directory"
    if [ -n "$(ls -A -- "$DEST")" ]; then
        die "refusing to use $DEST: it exists and is not empty (choose a new path or empty it first)"
    fi
fi

mkdir -p -- "$DEST" || die "cannot create $DEST"
DEST=$(CDPATH='' cd -- "$DEST" && pwd)

# "SRC/." copies the directory's contents, dotfiles (.brainsyncignore) included.
cp -R -- "$SRC/." "$DEST/" || die "copying $SRC to $DEST failed"
# Normalise file modes so the tree (and so the sha) does not depend on the umask or on
# how examples/ was checked out.
find "$DEST" -type d -exec chmod 755 {} + || die "chmod failed in $DEST"
find "$DEST" -type f -exec chmod 644 {} + || die "chmod failed in $DEST"

# Fixed identity and dates; ignore the caller's global/system git config (hooks, templates,
# signing, autocrlf, ...) so nothing but the notes decides the sha.
GIT_AUTHOR_NAME='Fernhill Water Team'
GIT_AUTHOR_EMAIL='water-team@fernhill.example'
GIT_AUTHOR_DATE='1719748800 +0000'        # 2024-06-30T12:00:00Z
GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME
GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE \
       GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE \
       GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES

cd -- "$DEST"
git init -q . || die "git init failed in $DEST"
# Works on git versions without `git init -b`.
git symbolic-ref HEAD refs/heads/main
git config user.name "$GIT_AUTHOR_NAME"
git config user.email "$GIT_AUTHOR_EMAIL"
git config commit.gpgsign false
git config core.autocrlf false
git add -A
git commit -q --no-verify -m "Example brain: Fernhill water team notes" \
    || die "git commit failed in $DEST"

files=$(git ls-files | wc -l | tr -d ' ')
sha=$(git rev-parse HEAD)
printf '%s: created %s: %s files on main, commit %s\n' "$prog" "$DEST" "$files" "$sha" >&2
printf '%s\n' "$DEST"
