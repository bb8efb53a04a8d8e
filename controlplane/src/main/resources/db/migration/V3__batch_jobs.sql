-- IPIP-0013 batch jobs, on the Postgres queue the IPIP defines as its fallback
-- (FOR UPDATE SKIP LOCKED over jobs_batch_chunks).

create table jobs_batch (
  id                   uuid primary key default gen_random_uuid(),
  user_id              uuid not null references auth.users(id),
  kind                 text not null,
  model                text not null,
  status               text not null check (status in ('queued', 'in_progress', 'completed', 'failed', 'cancelled')),
  chunk_count          integer not null,
  item_count           integer not null,
  options              jsonb not null default '{}'::jsonb,
  result_manifest_url  text,
  created_at           timestamptz not null default now(),
  started_at           timestamptz,
  completed_at         timestamptz,
  webhook_url          text,
  webhook_secret       text
);

create table jobs_batch_chunks (
  id             uuid primary key default gen_random_uuid(),
  job_id         uuid not null references jobs_batch(id) on delete cascade,
  chunk_index    integer not null,
  status         text not null check (status in ('queued', 'running', 'done', 'failed', 'failed_terminal')),
  attempts       integer not null default 0,
  max_attempts   integer not null default 3,
  payload        jsonb not null,
  result         jsonb,
  result_url     text,
  last_error     text,
  last_provider  uuid,
  providers      uuid[] not null default '{}',
  worker_id      text,
  visible_at     timestamptz not null default now(),
  created_at     timestamptz not null default now(),
  done_at        timestamptz,
  unique (job_id, chunk_index)
);
create index jobs_batch_chunks_visible_idx on jobs_batch_chunks (status, visible_at) where status in ('queued', 'failed');

-- The inference jobs a chunk attempt runs as (one per item for chat and classify, one per
-- chunk for embed).
alter table jobs add column batch_chunk_id uuid references jobs_batch_chunks(id) on delete set null;
create index jobs_batch_chunk_idx on jobs (batch_chunk_id) where batch_chunk_id is not null;
