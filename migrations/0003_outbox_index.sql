DROP INDEX `customer_events_undispatched_idx`;--> statement-breakpoint
CREATE INDEX `customer_events_pending_idx` ON `customer_events` (`tm_dispatched`,`tm_create`) WHERE delivery_status = 'pending';