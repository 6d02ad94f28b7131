-- The embed backlog of each source as last counted, so that the status manifest (rewritten
-- after every run and lock change) reads one column instead of counting embed_queue, which
-- costs O(backlog): ~50 ms per 57K queued chunks on PGLite, and a 100K-page brain synced with
-- --no-embed queues ~570K. Every command that changes a source's queue recounts it when it
-- ends (sync runs, embed, sources set); null means not counted yet.
alter table sources add column embed_pending integer;
alter table sources add column embed_pending_at timestamptz;

update sources s
   set embed_pending = (select count(*) from embed_queue q where q.source_id = s.id),
       embed_pending_at = now();
