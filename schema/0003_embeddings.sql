-- Embeddings (DESIGN §5). Vectors are stored by (model, chunk hash): an edit re-embeds only
-- the chunks whose text changed, and identical text in several pages or sources is embedded
-- once per model.

-- One row per model as it actually ran: a changed model (other weights, pooling, dimensions)
-- gets a new row, so its vectors never mix with the old ones.
create table embed_models (
  id          bigint generated always as identity primary key,
  provider    text not null,
  model       text not null,
  dimensions  integer not null check (dimensions > 0),
  fingerprint text not null,
  created_at  timestamptz not null default now(),
  unique (provider, model, fingerprint)
);

-- A plain real[] works on every server: on PGLite and on a Postgres with pgvector, search
-- casts it to vector(D) (an index per model is an expression index on that cast); a Postgres
-- without pgvector ranks it by exact scan.
create table embeddings (
  model_id   bigint not null references embed_models (id) on delete cascade,
  chunk_hash text not null,
  vec        real[] not null,
  created_at timestamptz not null default now(),
  primary key (model_id, chunk_hash)
);

-- Chunk hashes of a source that may still need a vector for the source's model: filled when
-- chunks are written (and when a source's model changes), emptied as vectors are stored or
-- found. Counting a source's backlog is an index range scan, never an anti-join over all of
-- its chunks. Several embed workers share it through claims that expire when a worker dies.
create table embed_queue (
  source_id        bigint not null references sources (id) on delete cascade,
  chunk_hash       text not null,
  claimed_by       text,
  claim_expires_at timestamptz,
  primary key (source_id, chunk_hash)
);

-- How to reach an http model: the server, and the name of the environment variable that
-- holds its key (the key itself is never stored).
alter table sources add column embed_url text;
alter table sources add column embed_key_env text;

insert into embed_queue (source_id, chunk_hash)
select distinct p.source_id, c.chunk_hash from chunks c join pages p on p.id = c.page_id
on conflict do nothing;
