-- The full-text vector of a page covers a bounded prefix of its text. Postgres refuses a
-- tsvector over 1 MB ("string is too long for tsvector"), which a note of a few hundred KB
-- with a large vocabulary reaches; such a page would then fail to import at all. 100,000
-- characters of body (and 10,000 of title) stay under that limit whatever the text (measured
-- worst case: ~470 KB for distinct two-character CJK words); the body itself is stored whole.
drop index pages_search_idx;
alter table pages drop column search;
alter table pages add column search tsvector generated always as (
  setweight(to_tsvector('english'::regconfig, left(title, 10000)), 'A') ||
  to_tsvector('english'::regconfig, left(body, 100000))
) stored;
create index pages_search_idx on pages using gin (search);
