DROP INDEX `customer_events_pending_idx`;--> statement-breakpoint
ALTER TABLE `customer_events` ADD `tm_lease_expire` integer;--> statement-breakpoint
CREATE INDEX `customer_events_lease_idx` ON `customer_events` (`tm_lease_expire`,`tm_create`) WHERE delivery_status = 'pending';