CREATE TABLE `accesskeys` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`token_hash` text NOT NULL,
	`tm_expire` integer NOT NULL,
	`tm_create` integer NOT NULL,
	`tm_update` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accesskeys_token_hash_uq` ON `accesskeys` (`token_hash`);--> statement-breakpoint
CREATE INDEX `accesskeys_customer_list_idx` ON `accesskeys` (`customer_id`,`tm_create`,`id`);--> statement-breakpoint
CREATE TABLE `agents` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`tm_create` integer NOT NULL,
	`tm_update` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`permission` integer NOT NULL,
	`is_guest` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX `agents_customer_list_idx` ON `agents` (`customer_id`,`tm_create`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `agents_username_uq` ON `agents` (`username`);--> statement-breakpoint
CREATE TABLE `billing_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`tm_create` integer NOT NULL,
	`tm_update` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`balance` real DEFAULT 0 NOT NULL,
	`currency` text DEFAULT 'USD' NOT NULL,
	`payment_type` text DEFAULT 'prepaid' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `billing_accounts_customer_list_idx` ON `billing_accounts` (`customer_id`,`tm_create`,`id`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`tm_create` integer NOT NULL,
	`tm_update` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`first_name` text DEFAULT '' NOT NULL,
	`last_name` text DEFAULT '' NOT NULL,
	`email` text DEFAULT '' NOT NULL,
	`phone_number` text DEFAULT '' NOT NULL,
	`company` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `contacts_customer_list_idx` ON `contacts` (`customer_id`,`tm_create`,`id`);--> statement-breakpoint
CREATE TABLE `customer_events` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`tm_create` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `customer_events_customer_list_idx` ON `customer_events` (`customer_id`,`tm_create`,`id`);--> statement-breakpoint
CREATE INDEX `customer_events_tm_create_idx` ON `customer_events` (`tm_create`);--> statement-breakpoint
CREATE TABLE `customers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`email` text DEFAULT '' NOT NULL,
	`phone_number` text DEFAULT '' NOT NULL,
	`address` text DEFAULT '' NOT NULL,
	`webhook_method` text DEFAULT '' NOT NULL,
	`webhook_uri` text DEFAULT '' NOT NULL,
	`billing_account_id` text DEFAULT '00000000-0000-0000-0000-000000000000' NOT NULL,
	`rtp_debug` integer DEFAULT false NOT NULL,
	`email_verified` integer DEFAULT false NOT NULL,
	`status` text NOT NULL,
	`identity_verification_status` text DEFAULT 'none' NOT NULL,
	`webhook_secret` text DEFAULT '' NOT NULL,
	`tm_deletion_scheduled` integer,
	`tm_create` integer NOT NULL,
	`tm_update` integer NOT NULL,
	`tm_delete` integer,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `customers_list_idx` ON `customers` (`tm_create`,`id`);--> statement-breakpoint
CREATE INDEX `customers_status_list_idx` ON `customers` (`status`,`tm_create`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `customers_email_live_uq` ON `customers` (`email`) WHERE status NOT IN ('deleted', 'expired') AND email <> '';--> statement-breakpoint
CREATE INDEX `customers_email_idx` ON `customers` (`email`);--> statement-breakpoint
CREATE INDEX `customers_deletion_due_idx` ON `customers` (`status`,`tm_deletion_scheduled`);--> statement-breakpoint
CREATE TABLE `deletion_jobs` (
	`customer_id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`deleted` text NOT NULL,
	`error` text DEFAULT '' NOT NULL,
	`tm_start` integer NOT NULL,
	`tm_progress` integer NOT NULL,
	`tm_finish` integer
);
--> statement-breakpoint
CREATE INDEX `deletion_jobs_status_progress_idx` ON `deletion_jobs` (`status`,`tm_progress`);--> statement-breakpoint
CREATE TABLE `email_verifications` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`email` text NOT NULL,
	`tm_expire` integer NOT NULL,
	`tm_used` integer,
	`tm_create` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `email_verifications_customer_idx` ON `email_verifications` (`customer_id`);--> statement-breakpoint
CREATE TABLE `extensions` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`tm_create` integer NOT NULL,
	`tm_update` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`extension` text NOT NULL,
	`password_hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `extensions_customer_list_idx` ON `extensions` (`customer_id`,`tm_create`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `extensions_customer_extension_uq` ON `extensions` (`customer_id`,`extension`);--> statement-breakpoint
CREATE TABLE `files` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`tm_create` integer NOT NULL,
	`tm_update` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`filename` text DEFAULT '' NOT NULL,
	`content_type` text DEFAULT 'application/octet-stream' NOT NULL,
	`size_bytes` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `files_customer_list_idx` ON `files` (`customer_id`,`tm_create`,`id`);--> statement-breakpoint
CREATE TABLE `flows` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`tm_create` integer NOT NULL,
	`tm_update` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`type` text DEFAULT 'flow' NOT NULL,
	`actions` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `flows_customer_list_idx` ON `flows` (`customer_id`,`tm_create`,`id`);--> statement-breakpoint
CREATE TABLE `numbers` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`tm_create` integer NOT NULL,
	`tm_update` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`number` text NOT NULL,
	`call_flow_id` text DEFAULT '00000000-0000-0000-0000-000000000000' NOT NULL,
	`message_flow_id` text DEFAULT '00000000-0000-0000-0000-000000000000' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `numbers_customer_list_idx` ON `numbers` (`customer_id`,`tm_create`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `numbers_number_uq` ON `numbers` (`number`);--> statement-breakpoint
CREATE TABLE `queues` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`tm_create` integer NOT NULL,
	`tm_update` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`routing_method` text DEFAULT 'random' NOT NULL,
	`tag_ids` text DEFAULT '[]' NOT NULL,
	`wait_timeout` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `queues_customer_list_idx` ON `queues` (`customer_id`,`tm_create`,`id`);--> statement-breakpoint
CREATE TABLE `sweep_cursors` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tags` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`tm_create` integer NOT NULL,
	`tm_update` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tags_customer_list_idx` ON `tags` (`customer_id`,`tm_create`,`id`);--> statement-breakpoint
CREATE TABLE `transcriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`tm_create` integer NOT NULL,
	`tm_update` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`reference_type` text DEFAULT '' NOT NULL,
	`reference_id` text DEFAULT '00000000-0000-0000-0000-000000000000' NOT NULL,
	`language` text DEFAULT 'en-US' NOT NULL,
	`status` text DEFAULT 'done' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `transcriptions_customer_list_idx` ON `transcriptions` (`customer_id`,`tm_create`,`id`);--> statement-breakpoint
CREATE TABLE `trunks` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`tm_create` integer NOT NULL,
	`tm_update` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`domain_name` text DEFAULT '' NOT NULL,
	`allowed_ips` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `trunks_customer_list_idx` ON `trunks` (`customer_id`,`tm_create`,`id`);