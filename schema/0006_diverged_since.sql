-- When a sync first found a local checkout's branch diverged from its upstream (local commits
-- the upstream lacks, and the reverse), so that `git pull --ff-only` could not bring the
-- upstream's changes. Such a run still syncs the local branch, and ends synced or up to date,
-- but the brain no longer receives what is pushed upstream: status counts the source's
-- staleness from this moment until a run pulls again (or the branch has no upstream).
-- Null when the last pull that could tell found nothing diverged.
alter table sources add column diverged_since timestamptz;
