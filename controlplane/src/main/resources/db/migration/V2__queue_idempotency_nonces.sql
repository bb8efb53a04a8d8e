-- What this control plane adds to the reference's schema: a job queue with reassignment,
-- idempotent node writes, a replay cache shared by every control plane on the database.

-- jobs: queue and delivery bookkeeping.
--   attempts            assignments so far (1 after the first)
--   excluded_providers  providers this job must not go to again (stale, or failed a batch chunk)
--   polled_at           when the assigned provider first received it (jobs/poll)
--   first_token_at      when its first token event arrived (after that it is never reassigned)
--   finish_reason/usage from the provider's done event (or the completion)
alter table jobs
  add column attempts            integer not null default 0,
  add column excluded_providers  uuid[] not null default '{}',
  add column polled_at           timestamptz,
  add column first_token_at      timestamptz,
  add column finish_reason       text,
  add column usage               jsonb;
create index jobs_pending_idx on jobs (created_at) where status = 'pending';
create index jobs_assigned_idx on jobs (provider_id) where status = 'assigned';

-- Which provider posted an event (null: written by the control plane itself).
alter table job_events add column provider_id uuid;

-- A job is paid at most once.
create unique index payment_transactions_one_payout_per_job
  on payment_transactions (job_id) where direction = 'outbound' and job_id is not null;

-- Idempotency-Key of node writes: a repeated key returns the stored answer.
create table idempotency_keys (
  pubkey        text not null,
  key           text not null,
  request_hash  text not null,
  status_code   integer,
  response      jsonb,
  created_at    timestamptz not null default now(),
  primary key (pubkey, key)
);
create index idempotency_keys_created_at_idx on idempotency_keys (created_at);

-- Envelope nonces accepted by any control plane on this database (120 s are enough: older
-- envelopes fail the 60 s window first).
create table auth_nonces (
  nonce    text primary key,
  seen_at  timestamptz not null default now()
);
create index auth_nonces_seen_at_idx on auth_nonces (seen_at);
