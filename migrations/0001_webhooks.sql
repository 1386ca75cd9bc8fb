CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`event_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`status_code` integer DEFAULT 0 NOT NULL,
	`error` text DEFAULT '' NOT NULL,
	`tm_create` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_customer_list_idx` ON `webhook_deliveries` (`customer_id`,`tm_create`,`id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_tm_create_idx` ON `webhook_deliveries` (`tm_create`);--> statement-breakpoint
ALTER TABLE `customer_events` ADD `webhook_method` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `customer_events` ADD `webhook_uri` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `customer_events` ADD `signing_secrets` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `customer_events` ADD `delivery_status` text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE `customer_events` ADD `tm_dispatched` integer;--> statement-breakpoint
CREATE INDEX `customer_events_undispatched_idx` ON `customer_events` (`tm_create`) WHERE delivery_status = 'pending' AND tm_dispatched IS NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `webhook_secret_previous` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `tm_webhook_secret_rotated` integer;--> statement-breakpoint
ALTER TABLE `customers` ADD `webhook_disabled` integer DEFAULT false NOT NULL;