-- Settled payments the billing run asks Midtrans about, for refunds made
-- at its dashboard whose notifications never arrived.
ALTER TABLE payments ADD COLUMN refund_check_at timestamptz;
CREATE INDEX payments_refund_check ON payments (refund_check_at, id) WHERE refund_check_at IS NOT NULL;
