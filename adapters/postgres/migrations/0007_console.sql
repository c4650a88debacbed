-- The admin console: webhook logs found by the order they name, and the
-- daily figures its chart reads (one row per day in the billing zone,
-- keyed "2006-01-02", which sorts as the days do).
ALTER TABLE webhook_logs ADD COLUMN order_id text COLLATE "C" NOT NULL DEFAULT '';
UPDATE webhook_logs SET order_id = coalesce(record->>'OrderID', '');
CREATE INDEX webhook_logs_order ON webhook_logs (order_id, received_at, id) WHERE order_id <> '';

CREATE TABLE daily_figures (
	day    text COLLATE "C" PRIMARY KEY,
	record jsonb NOT NULL
);
