-- Claims made before leases existed: a claim whose event was never attempted gets the one-minute
-- lease from its claim time (a stranded one is taken over at the next dispatch); one already in
-- the queue's retries keeps the queue's two days of retries to itself.
UPDATE customer_events
SET tm_lease_expire = tm_dispatched + CASE
    WHEN EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = customer_events.id) THEN 172800000
    ELSE 60000
  END
WHERE delivery_status = 'pending' AND tm_dispatched IS NOT NULL AND tm_lease_expire IS NULL;
