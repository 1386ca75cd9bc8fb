-- Issue 17: storage accounts (one per customer: its files' count and bytes, kept in the same
-- batch as the file rows) and the index the virtual-number limit counts on.
CREATE TABLE `storage_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`total_file_count` integer DEFAULT 0 NOT NULL,
	`total_file_size` integer DEFAULT 0 NOT NULL,
	`tm_create` integer NOT NULL,
	`tm_update` integer NOT NULL
);
--> statement-breakpoint
-- Exactly one per customer: a second creation, however concurrent, is a UNIQUE violation (409).
CREATE UNIQUE INDEX `storage_accounts_customer_uq` ON `storage_accounts` (`customer_id`);--> statement-breakpoint
CREATE INDEX `storage_accounts_list_idx` ON `storage_accounts` (`tm_create`,`id`);--> statement-breakpoint
-- Virtual numbers (+899…) are counted per customer as a range of this index, not a table scan.
CREATE INDEX `numbers_customer_number_idx` ON `numbers` (`customer_id`,`number`);--> statement-breakpoint
-- Every customer that can still hold files gets its account, with the totals of the rows it has.
INSERT INTO `storage_accounts` (`id`, `customer_id`, `total_file_count`, `total_file_size`, `tm_create`, `tm_update`)
SELECT
	lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
		substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
	c.`id`,
	(SELECT count(*) FROM `files` f WHERE f.`customer_id` = c.`id`),
	(SELECT coalesce(sum(f.`size_bytes`), 0) FROM `files` f WHERE f.`customer_id` = c.`id`),
	CAST(unixepoch('subsec') * 1000 AS INTEGER),
	CAST(unixepoch('subsec') * 1000 AS INTEGER)
FROM `customers` c
WHERE c.`status` NOT IN ('deleted', 'expired');
