-- How often a file has been tried and failed. A recorded failure is retried only when its
-- blob changes or with --retry-failed, so this counts real attempts, not waves. first_seen_at
-- (0001) is kept across attempts; the record goes when the file imports or disappears.
alter table sync_failures add column attempts integer not null default 1 check (attempts > 0);
