-- brainsync schema, version 1. Numbered migrations in schema/ are the only description
-- of the schema; never edit an applied file, add a new one.

create table sources (
  id              bigint generated always as identity primary key,
  name            text not null unique,
  repo            text not null,
  repo_kind       text not null check (repo_kind in ('local', 'remote')),
  branch          text not null,
  subdir          text not null default '',
  embed_model     text,
  bookmark_commit text,
  bookmark_at     timestamptz,
  -- targets of runs that stopped early since the bookmark: their writes may be ahead of the
  -- bookmark, so the next plan also revisits the paths they touched
  pending_targets text[] not null default '{}',
  created_at      timestamptz not null default now()
);

create table pages (
  id           bigint generated always as identity primary key,
  source_id    bigint not null references sources (id) on delete cascade,
  path         text not null,
  slug         text not null,
  title        text not null,
  type         text,
  tags         text[] not null default '{}',
  frontmatter  jsonb not null default '{}',
  body         text not null,
  blob_oid     text not null,
  content_hash text not null,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  search       tsvector generated always as (
                 setweight(to_tsvector('english'::regconfig, title), 'A') ||
                 to_tsvector('english'::regconfig, body)
               ) stored,
  unique (source_id, path),
  unique (source_id, slug)
);
create index pages_search_idx on pages using gin (search);

create table chunks (
  page_id      bigint not null references pages (id) on delete cascade,
  ordinal      integer not null,
  heading_path text not null default '',
  text         text not null,
  chunk_hash   text not null,
  primary key (page_id, ordinal)
);
create index chunks_hash_idx on chunks (chunk_hash);

create table links (
  page_id     bigint not null references pages (id) on delete cascade,
  target_slug text not null,
  label       text,
  kind        text not null check (kind in ('wiki', 'markdown')),
  primary key (page_id, kind, target_slug)
);
create index links_target_idx on links (target_slug);

create table sync_failures (
  source_id     bigint not null references sources (id) on delete cascade,
  path          text not null,
  blob_oid      text not null,
  code          text not null,
  message       text not null,
  first_seen_at timestamptz not null default now(),
  last_seen_at  timestamptz not null default now(),
  primary key (source_id, path)
);

create table sync_runs (
  id            bigint generated always as identity primary key,
  run_id        text not null unique,
  source_id     bigint references sources (id) on delete cascade,
  source_name   text not null,
  status        text not null,
  reason        text,
  error         text,
  bookmark_from text,
  target_commit text,
  counts        jsonb not null default '{}',
  timings       jsonb not null default '{}',
  holder_host   text not null,
  holder_pid    integer not null,
  started_at    timestamptz not null,
  finished_at   timestamptz not null default now()
);
create index sync_runs_source_idx on sync_runs (source_id, finished_at desc);

create table sync_locks (
  name           text primary key,
  token          text not null,
  holder_host    text not null,
  holder_pid     integer not null,
  holder_command text not null default '',
  run_id         text not null,
  acquired_at    timestamptz not null default now(),
  heartbeat_at   timestamptz not null default now(),
  expires_at     timestamptz not null
);
