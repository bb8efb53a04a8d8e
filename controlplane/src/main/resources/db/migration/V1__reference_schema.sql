-- The reference network's tables (profullstack/infernet-protocol, supabase/migrations), with
-- the same names, columns and meanings, so that its concepts map one to one. Supabase's
-- auth.users (the humans behind bearer tokens) is a plain table here. Row-level security,
-- the realtime publication and the demo/treasury seed rows are left out: there is one
-- trusted server process and no client-side database access.

create extension if not exists pgcrypto;

create schema if not exists auth;

create table auth.users (
  id          uuid primary key default gen_random_uuid(),
  email       text not null unique,
  created_at  timestamptz not null default now()
);

create table nodes (
  id                uuid primary key default gen_random_uuid(),
  name              text not null,
  role              text not null,
  status            text not null default 'available',
  location          text,
  region            text,
  capacity          text,
  compute_capacity  integer,
  created_at        timestamptz not null default now()
);

create table providers (
  id          uuid primary key default gen_random_uuid(),
  name        text not null,
  status      text not null default 'available',
  gpu_model   text,
  price       numeric(12, 4) not null default 0,
  reputation  integer not null default 50,
  created_at  timestamptz not null default now(),
  node_id     text unique,
  public_key  text,
  address     text,
  port        integer,
  specs       jsonb not null default '{}'::jsonb,
  last_seen   timestamptz,
  is_public   boolean not null default true
);
create index providers_status_idx on providers (status);
create index providers_public_key_idx on providers (public_key);
create index providers_status_last_seen_idx on providers (status, last_seen);

create table aggregators (
  id           uuid primary key default gen_random_uuid(),
  name         text not null,
  status       text not null default 'available',
  active_jobs  integer not null default 0,
  created_at   timestamptz not null default now(),
  node_id      text unique,
  public_key   text,
  address      text,
  port         integer,
  reputation   integer not null default 50,
  last_seen    timestamptz,
  is_public    boolean not null default true
);
create index aggregators_public_key_idx on aggregators (public_key);

create table clients (
  id          uuid primary key default gen_random_uuid(),
  name        text not null,
  status      text not null default 'active',
  budget_usd  numeric(12, 4) not null default 0,
  created_at  timestamptz not null default now(),
  node_id     text unique,
  public_key  text,
  address     text,
  last_seen   timestamptz,
  is_public   boolean not null default true
);
create index clients_public_key_idx on clients (public_key);

create table models (
  id              uuid primary key default gen_random_uuid(),
  name            text not null unique,
  family          text,
  context_length  integer,
  visibility      text not null default 'private',
  created_at      timestamptz not null default now()
);

create table jobs (
  id               uuid primary key default gen_random_uuid(),
  title            text not null,
  status           text not null default 'pending',
  payment_offer    numeric(12, 4) not null default 0,
  model_name       text,
  client_name      text,
  created_at       timestamptz not null default now(),
  type             text not null default 'inference',
  client_id        uuid references clients(id) on delete set null,
  provider_id      uuid references providers(id) on delete set null,
  aggregator_id    uuid references aggregators(id) on delete set null,
  input_spec       jsonb not null default '{}'::jsonb,
  result           jsonb,
  error            text,
  payment_coin     text,
  payment_tx_hash  text,
  payment_status   text not null default 'unpaid',
  payment_invoice  text,
  updated_at       timestamptz not null default now(),
  assigned_at      timestamptz,
  completed_at     timestamptz
);
create index jobs_status_idx on jobs (status);
create index jobs_provider_id_idx on jobs (provider_id);
create index jobs_type_status_idx on jobs (type, status);

create table job_events (
  id          bigserial primary key,
  job_id      uuid not null references jobs(id) on delete cascade,
  event_type  text not null,
  data        jsonb not null default '{}'::jsonb,
  created_at  timestamptz not null default now()
);
create index job_events_job_id_id_idx on job_events (job_id, id);
create index job_events_created_at_idx on job_events (created_at);

create table users (
  id                uuid primary key default gen_random_uuid(),
  nostr_public_key  text not null unique,
  display_name      text,
  email             text,
  created_at        timestamptz not null default now()
);

create table settings (
  id          uuid primary key default gen_random_uuid(),
  key         text not null unique,
  value       jsonb not null default '{}'::jsonb,
  updated_at  timestamptz not null default now()
);

create table platform_wallets (
  id          uuid primary key default gen_random_uuid(),
  coin        text not null,
  network     text,
  address     text not null,
  label       text,
  active      boolean not null default true,
  created_at  timestamptz not null default now(),
  unique (coin, address)
);

create table provider_payouts (
  id           uuid primary key default gen_random_uuid(),
  provider_id  uuid not null references providers(id) on delete cascade,
  coin         text not null,
  network      text,
  address      text not null,
  is_default   boolean not null default false,
  created_at   timestamptz not null default now(),
  unique (provider_id, coin, address)
);

create table payment_transactions (
  id                uuid primary key default gen_random_uuid(),
  direction         text not null,
  job_id            uuid references jobs(id) on delete set null,
  provider_id       uuid references providers(id) on delete set null,
  client_id         uuid references clients(id) on delete set null,
  coin              text not null,
  network           text,
  amount            numeric(36, 18) not null,
  amount_usd        numeric(14, 4),
  address           text not null,
  tx_hash           text,
  invoice_id        text,
  status            text not null default 'pending',
  provider_gateway  text,
  metadata          jsonb not null default '{}'::jsonb,
  created_at        timestamptz not null default now(),
  confirmed_at      timestamptz
);
create index payment_transactions_job_id_idx on payment_transactions (job_id);

create table pubkey_links (
  id                 uuid primary key default gen_random_uuid(),
  user_id            uuid not null references auth.users(id) on delete cascade,
  pubkey             text not null check (length(pubkey) = 64),
  role               text not null check (role in ('provider', 'aggregator', 'client')),
  label              text,
  created_at         timestamptz not null default now(),
  default_is_public  boolean not null default true,
  unique (pubkey, role)
);
create index pubkey_links_user_id_idx on pubkey_links (user_id);

create table cli_sessions (
  code           text primary key,
  user_id        uuid references auth.users(id) on delete cascade,
  authorized_at  timestamptz,
  consumed_at    timestamptz,
  expires_at     timestamptz not null,
  created_at     timestamptz not null default now()
);

create table node_commands (
  id            uuid primary key default gen_random_uuid(),
  pubkey        text not null,
  command       text not null,
  args          jsonb not null default '{}'::jsonb,
  status        text not null default 'pending',
  issued_by     uuid references auth.users(id) on delete set null,
  result        jsonb,
  error         text,
  issued_at     timestamptz not null default now(),
  started_at    timestamptz,
  completed_at  timestamptz
);
create index node_commands_pending_idx on node_commands (pubkey, status) where status in ('pending', 'running');
