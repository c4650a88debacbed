-- Browser sessions of the web pages and one-time customer portal links.
-- Both are found by the SHA-256 of their secret (never stored) and pruned
-- once expired; a user's sessions are revoked with their tokens.
CREATE TABLE web_sessions (
	id         text COLLATE "C" PRIMARY KEY,
	hash       text COLLATE "C", -- NULL when empty
	user_id    text COLLATE "C" NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	record     jsonb NOT NULL
);
CREATE UNIQUE INDEX web_sessions_hash ON web_sessions (hash);
CREATE INDEX web_sessions_user ON web_sessions (user_id, created_at, id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at, id);

CREATE TABLE portal_links (
	id         text COLLATE "C" PRIMARY KEY,
	hash       text COLLATE "C", -- NULL when empty
	expires_at timestamptz NOT NULL,
	record     jsonb NOT NULL
);
CREATE UNIQUE INDEX portal_links_hash ON portal_links (hash);
CREATE INDEX portal_links_expiry ON portal_links (expires_at, id);
