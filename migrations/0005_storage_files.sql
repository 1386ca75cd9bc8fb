ALTER TABLE `deletion_jobs` ADD `storage_cursor` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `type` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `owner_type` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `owner_id` text DEFAULT '00000000-0000-0000-0000-000000000000' NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `reference_type` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `reference_id` text DEFAULT '00000000-0000-0000-0000-000000000000' NOT NULL;--> statement-breakpoint
ALTER TABLE `files` ADD `uri_download` text DEFAULT '' NOT NULL;