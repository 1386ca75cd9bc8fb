CREATE TABLE `password_resets` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`tm_expire` integer NOT NULL,
	`tm_used` integer,
	`tm_create` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `password_resets_agent_idx` ON `password_resets` (`agent_id`);--> statement-breakpoint
CREATE INDEX `password_resets_tm_expire_idx` ON `password_resets` (`tm_expire`);--> statement-breakpoint
ALTER TABLE `accesskeys` ADD `token_prefix` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `accesskeys` ADD `operator_binding` text DEFAULT '' NOT NULL;