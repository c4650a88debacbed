-- Money as numeric beside the record it is read from. Each column is
-- generated from the record on every write, so it can never disagree with
-- it; SQL tools and reports read amounts without parsing jsonb; and CHECK
-- constraints hold what core promises (no negative wallet, balance after
-- an entry, amount or invoice total), so that no instance, whatever its
-- version, commits an impossible amount. The columns are exact numeric
-- without a scale: nothing is rounded. Adding a stored column rewrites the
-- table once, under its lock.
ALTER TABLE plans ADD COLUMN price numeric GENERATED ALWAYS AS ((record->'Price'->>'amount')::numeric) STORED;

ALTER TABLE payments
	ADD COLUMN amount numeric GENERATED ALWAYS AS ((record->'Amount'->>'amount')::numeric) STORED,
	ADD COLUMN refunded numeric GENERATED ALWAYS AS ((record->'Refunded'->>'amount')::numeric) STORED,
	ADD CONSTRAINT payments_amount_not_negative CHECK (amount >= 0);

ALTER TABLE invoices
	ADD COLUMN total numeric GENERATED ALWAYS AS ((record->'Total'->>'amount')::numeric) STORED,
	ADD CONSTRAINT invoices_total_not_negative CHECK (total >= 0);

ALTER TABLE credit_notes
	ADD COLUMN amount numeric GENERATED ALWAYS AS ((record->'Amount'->>'amount')::numeric) STORED,
	ADD CONSTRAINT credit_notes_amount_not_negative CHECK (amount >= 0);

ALTER TABLE wallets
	ADD COLUMN balance numeric GENERATED ALWAYS AS ((record->'Balance'->>'amount')::numeric) STORED,
	ADD CONSTRAINT wallets_balance_not_negative CHECK (balance >= 0);

ALTER TABLE wallet_entries
	ADD COLUMN amount numeric GENERATED ALWAYS AS ((record->'Amount'->>'amount')::numeric) STORED,
	ADD COLUMN balance_after numeric GENERATED ALWAYS AS ((record->'BalanceAfter'->>'amount')::numeric) STORED,
	ADD CONSTRAINT wallet_entries_balance_not_negative CHECK (balance_after >= 0);

ALTER TABLE topups
	ADD COLUMN amount numeric GENERATED ALWAYS AS ((record->'Amount'->>'amount')::numeric) STORED,
	ADD CONSTRAINT topups_amount_not_negative CHECK (amount >= 0);
