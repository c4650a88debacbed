-- Coordination of several instances on one database: named leases (the
-- billing leader) and claims on due subscriptions. Claims live in a table
-- of their own so that claiming never rewrites a subscription row (which
-- would collide with the units of work changing that subscription).
CREATE TABLE leases (
	name       text COLLATE "C" PRIMARY KEY,
	holder     text COLLATE "C" NOT NULL,
	expires_at timestamptz NOT NULL
);

CREATE TABLE subscription_claims (
	subscription_id text COLLATE "C" PRIMARY KEY,
	holder          text COLLATE "C" NOT NULL,
	until           timestamptz NOT NULL
);
CREATE INDEX subscription_claims_holder ON subscription_claims (holder);
