CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` text NOT NULL,
	`actor_permission` integer NOT NULL,
	`action` text NOT NULL,
	`changed_fields` text NOT NULL,
	`status_code` integer NOT NULL,
	`request_id` text NOT NULL,
	`ip` text NOT NULL,
	`tm_create` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_customer_list_idx` ON `audit_log` (`customer_id`,`tm_create`,`id`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`key_hash` text PRIMARY KEY NOT NULL,
	`request_hash` text NOT NULL,
	`state` text NOT NULL,
	`response` text DEFAULT '' NOT NULL,
	`tm_create` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_tm_create_idx` ON `idempotency_keys` (`tm_create`);