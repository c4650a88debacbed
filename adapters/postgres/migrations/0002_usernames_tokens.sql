-- Usernames are unique in their lower-case form: the column holds that form
-- (two users differing only in case make this migration fail on
-- users_username; rename one first). Tokens are listed by their user.
UPDATE users SET username = lower(username) WHERE username IS NOT NULL AND username <> lower(username);
COMMENT ON COLUMN users.username IS 'lower-case username; NULL when empty';

ALTER TABLE tokens ADD COLUMN user_id text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN created_at timestamptz NOT NULL DEFAULT 'epoch';
UPDATE tokens SET user_id = COALESCE(record->>'UserID', ''),
	created_at = COALESCE((record->>'CreatedAt')::timestamptz, 'epoch');
ALTER TABLE tokens ALTER COLUMN user_id DROP DEFAULT, ALTER COLUMN created_at DROP DEFAULT;
CREATE INDEX tokens_user ON tokens (user_id, created_at, id);
