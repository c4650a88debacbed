-- Credit notes (nota kredit): each credits part of an invoice. Numbers are
-- unique, and so is a note's key per invoice (one note per refund state or
-- downgrade).
CREATE TABLE credit_notes (
	id         text COLLATE "C" PRIMARY KEY,
	number     text COLLATE "C", -- NULL when empty
	invoice_id text COLLATE "C" NOT NULL,
	key        text COLLATE "C", -- NULL when empty
	owner_id   text COLLATE "C" NOT NULL,
	created_at timestamptz NOT NULL,
	issued_at  timestamptz NOT NULL,
	record     jsonb NOT NULL
);
CREATE UNIQUE INDEX credit_notes_number ON credit_notes (number);
CREATE UNIQUE INDEX credit_notes_key ON credit_notes (invoice_id, key);
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id, created_at, id);
CREATE INDEX credit_notes_owner ON credit_notes (owner_id, created_at, id);
CREATE INDEX credit_notes_issued ON credit_notes (issued_at, id);
