-- Since when a sync has found that it could not pull a local checkout's branch, and why:
-- 'diverged' (local commits the upstream lacks and the reverse, so `git pull --ff-only`
-- cannot fast-forward) or 'local_changes' (uncommitted or untracked files in the working tree
-- that the upstream's changes would overwrite). Such a run still syncs the branch as it is
-- and ends synced or up to date, but the brain no longer receives what is pushed upstream:
-- status counts the source's staleness from pull_blocked_since until a run pulls again (or
-- the branch has no upstream). Both null when the last pull that could tell went through.
alter table sources add column pull_blocked_since timestamptz;
alter table sources add column pull_blocked_by text check (pull_blocked_by in ('diverged', 'local_changes'));
