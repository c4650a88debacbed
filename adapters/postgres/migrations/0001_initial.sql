-- The initial layout. Every aggregate is one table: the record itself as
-- jsonb (the same versioned record the bbolt store writes, so the two
-- stores stay field-for-field alike), plus the fields the ports look
-- records up or order them by as real columns with their indexes. The
-- columns are derived from the record on every Put; Check verifies they
-- still agree. Identifiers and keys use the "C" collation so that id order
-- is byte order, as in the bbolt store.

CREATE TABLE plans (
	id     text COLLATE "C" PRIMARY KEY,
	slug   text COLLATE "C", -- NULL when empty
	record jsonb NOT NULL
);
CREATE UNIQUE INDEX plans_slug ON plans (slug);

CREATE TABLE users (
	id       text COLLATE "C" PRIMARY KEY,
	username text COLLATE "C", -- exact, case-sensitive; NULL when empty
	is_admin boolean NOT NULL,
	record   jsonb NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (username);
CREATE INDEX users_admin ON users (id) WHERE is_admin;

CREATE TABLE tokens (
	id     text COLLATE "C" PRIMARY KEY,
	hash   text COLLATE "C" NOT NULL,
	record jsonb NOT NULL
);
CREATE INDEX tokens_hash ON tokens (hash, id);

CREATE TABLE subscriptions (
	id             text COLLATE "C" PRIMARY KEY,
	owner_id       text COLLATE "C" NOT NULL,
	created_at     timestamptz NOT NULL,
	native_id      text COLLATE "C" NOT NULL,
	next_action_at timestamptz, -- NULL: nothing due
	status         text COLLATE "C" NOT NULL,
	record         jsonb NOT NULL
);
CREATE INDEX subscriptions_owner ON subscriptions (owner_id, created_at, id);
CREATE INDEX subscriptions_native ON subscriptions (native_id, id) WHERE native_id <> '';
CREATE INDEX subscriptions_due ON subscriptions (next_action_at, id) WHERE next_action_at IS NOT NULL;
CREATE INDEX subscriptions_status ON subscriptions (status);

CREATE TABLE payments (
	id              text COLLATE "C" PRIMARY KEY,
	order_id        text COLLATE "C", -- NULL when empty
	owner_id        text COLLATE "C" NOT NULL,
	subscription_id text COLLATE "C" NOT NULL,
	created_at      timestamptz NOT NULL,
	open            boolean NOT NULL, -- status creating, pending or challenge
	refunding       boolean NOT NULL, -- a refund in status requested
	record          jsonb NOT NULL
);
CREATE UNIQUE INDEX payments_order ON payments (order_id);
CREATE INDEX payments_owner ON payments (owner_id, created_at, id);
CREATE INDEX payments_subscription ON payments (subscription_id, created_at, id);
CREATE INDEX payments_open ON payments (created_at, id) WHERE open;
CREATE INDEX payments_refunding ON payments (created_at, id) WHERE refunding;

CREATE TABLE invoices (
	id              text COLLATE "C" PRIMARY KEY,
	number          text COLLATE "C", -- NULL when empty
	owner_id        text COLLATE "C" NOT NULL,
	subscription_id text COLLATE "C" NOT NULL,
	key             text COLLATE "C", -- NULL when empty
	created_at      timestamptz NOT NULL,
	open_due        timestamptz, -- the due date of an open invoice, else NULL
	record          jsonb NOT NULL
);
CREATE UNIQUE INDEX invoices_number ON invoices (number);
CREATE UNIQUE INDEX invoices_key ON invoices (subscription_id, key);
CREATE INDEX invoices_owner ON invoices (owner_id, created_at, id);
CREATE INDEX invoices_subscription ON invoices (subscription_id, created_at, id);
CREATE INDEX invoices_open_due ON invoices (open_due, id) WHERE open_due IS NOT NULL;

CREATE TABLE webhook_logs (
	id          text COLLATE "C" PRIMARY KEY,
	received_at timestamptz NOT NULL,
	pending     boolean NOT NULL, -- status received
	record      jsonb NOT NULL
);
CREATE INDEX webhook_logs_received ON webhook_logs (received_at, id);
CREATE INDEX webhook_logs_pending ON webhook_logs (received_at, id) WHERE pending;

-- The applied set of webhook event keys.
CREATE TABLE webhook_applied (
	event_key text COLLATE "C" PRIMARY KEY
);

CREATE TABLE wallets (
	id         text COLLATE "C" PRIMARY KEY,
	owner_id   text COLLATE "C" NOT NULL,
	created_at timestamptz NOT NULL,
	record     jsonb NOT NULL
);
CREATE INDEX wallets_owner ON wallets (owner_id, created_at, id);

-- The append-only ledger: one row per (wallet, sequence).
CREATE TABLE wallet_entries (
	wallet_id text COLLATE "C" NOT NULL,
	seq       bigint NOT NULL,
	record    jsonb NOT NULL,
	PRIMARY KEY (wallet_id, seq)
);

CREATE TABLE topups (
	id         text COLLATE "C" PRIMARY KEY,
	owner_id   text COLLATE "C" NOT NULL,
	created_at timestamptz NOT NULL,
	record     jsonb NOT NULL
);
CREATE INDEX topups_owner ON topups (owner_id, created_at, id);

CREATE TABLE payment_methods (
	id         text COLLATE "C" PRIMARY KEY,
	owner_id   text COLLATE "C" NOT NULL,
	created_at timestamptz NOT NULL,
	account_id text COLLATE "C" NOT NULL,
	record     jsonb NOT NULL
);
CREATE INDEX payment_methods_owner ON payment_methods (owner_id, created_at, id);
CREATE INDEX payment_methods_account ON payment_methods (account_id, id) WHERE account_id <> '';

CREATE TABLE notifications (
	id         text COLLATE "C" PRIMARY KEY,
	user_id    text COLLATE "C" NOT NULL,
	recipient  text COLLATE "C" NOT NULL,
	created_at timestamptz NOT NULL,
	queued_at  timestamptz, -- NextAttemptAt of a queued notification, else NULL
	record     jsonb NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, created_at, id);
CREATE INDEX notifications_recipient ON notifications (recipient, created_at, id);
CREATE INDEX notifications_queued ON notifications (queued_at, id) WHERE queued_at IS NOT NULL;

CREATE TABLE outbox (
	seq    bigint PRIMARY KEY,
	record jsonb NOT NULL
);

CREATE TABLE idempotency (
	key        text COLLATE "C" PRIMARY KEY,
	expires_at timestamptz, -- NULL: never expires
	record     jsonb NOT NULL
);
CREATE INDEX idempotency_expiry ON idempotency (expires_at, key) WHERE expires_at IS NOT NULL;

CREATE TABLE organizations (
	id         text COLLATE "C" PRIMARY KEY,
	member_ids text[] COLLATE "C" NOT NULL,
	record     jsonb NOT NULL
);
CREATE INDEX organizations_members ON organizations USING gin (member_ids);

CREATE TABLE coupons (
	id     text COLLATE "C" PRIMARY KEY,
	code   text COLLATE "C", -- upper-cased; NULL when empty
	record jsonb NOT NULL
);
CREATE UNIQUE INDEX coupons_code ON coupons (code);

CREATE TABLE webhook_endpoints (
	id     text COLLATE "C" PRIMARY KEY,
	record jsonb NOT NULL
);

-- Counters of MetaRepo.NextSequence and the outbox: transactional, so a
-- rolled-back transaction gives its numbers back (gapless).
CREATE TABLE meta_sequences (
	name  text COLLATE "C" PRIMARY KEY,
	value bigint NOT NULL
);

-- Named instants of MetaRepo.PutTime, as RFC 3339 text with nanoseconds:
-- timestamptz would round them to microseconds.
CREATE TABLE meta_times (
	name  text COLLATE "C" PRIMARY KEY,
	value text NOT NULL
);

-- One row rewritten by Writable (the /readyz write round trip).
CREATE TABLE write_probe (
	id integer PRIMARY KEY,
	at timestamptz NOT NULL
);
