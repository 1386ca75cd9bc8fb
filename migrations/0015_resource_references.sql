-- References between a customer's resources (issue 21 #6): a tag list or a flow id names only a
-- resource of the same customer that exists. The check runs inside the writing statement (a
-- trigger), so a deletion racing the write can never leave a dangling reference, whichever route
-- writes (routes added later included); a deletion clears the references to what it deleted in
-- the same statement. The service maps 'REFERENCE_NOT_FOUND: <field>' to a 404 naming the field.
-- The zero UUID is the platform's "none". A deleted customer's cascade skips the clearing: every
-- row of that customer is going anyway.

-- Existing rows first: ids in lower case (as the service stores them from now on), and references
-- to nothing, or to another customer's resource, cleared.
UPDATE `agents` SET `tag_ids` = (
  SELECT json_group_array(lower(j.value)) FROM json_each(`agents`.`tag_ids`) AS j
  WHERE EXISTS (SELECT 1 FROM `tags` WHERE `tags`.`id` = lower(j.value) AND `tags`.`customer_id` = `agents`.`customer_id`)
)
WHERE `tag_ids` <> '[]';
--> statement-breakpoint
UPDATE `queues` SET `tag_ids` = (
  SELECT json_group_array(lower(j.value)) FROM json_each(`queues`.`tag_ids`) AS j
  WHERE EXISTS (SELECT 1 FROM `tags` WHERE `tags`.`id` = lower(j.value) AND `tags`.`customer_id` = `queues`.`customer_id`)
)
WHERE `tag_ids` <> '[]';
--> statement-breakpoint
UPDATE `contacts` SET `tag_ids` = (
  SELECT json_group_array(lower(j.value)) FROM json_each(`contacts`.`tag_ids`) AS j
  WHERE EXISTS (SELECT 1 FROM `tags` WHERE `tags`.`id` = lower(j.value) AND `tags`.`customer_id` = `contacts`.`customer_id`)
)
WHERE `tag_ids` <> '[]';
--> statement-breakpoint
UPDATE `numbers` SET `call_flow_id` = CASE
  WHEN EXISTS (SELECT 1 FROM `flows` AS f WHERE f.`id` = lower(`numbers`.`call_flow_id`) AND f.`customer_id` = `numbers`.`customer_id`)
  THEN lower(`call_flow_id`) ELSE '00000000-0000-0000-0000-000000000000' END
WHERE `call_flow_id` <> '00000000-0000-0000-0000-000000000000';
--> statement-breakpoint
UPDATE `numbers` SET `message_flow_id` = CASE
  WHEN EXISTS (SELECT 1 FROM `flows` AS f WHERE f.`id` = lower(`numbers`.`message_flow_id`) AND f.`customer_id` = `numbers`.`customer_id`)
  THEN lower(`message_flow_id`) ELSE '00000000-0000-0000-0000-000000000000' END
WHERE `message_flow_id` <> '00000000-0000-0000-0000-000000000000';
--> statement-breakpoint
UPDATE `flows` SET `on_complete_flow_id` = CASE
  WHEN EXISTS (SELECT 1 FROM `flows` AS f WHERE f.`id` = lower(`flows`.`on_complete_flow_id`) AND f.`customer_id` = `flows`.`customer_id`)
  THEN lower(`on_complete_flow_id`) ELSE '00000000-0000-0000-0000-000000000000' END
WHERE `on_complete_flow_id` <> '00000000-0000-0000-0000-000000000000';
--> statement-breakpoint
UPDATE `queues` SET `wait_flow_id` = CASE
  WHEN EXISTS (SELECT 1 FROM `flows` AS f WHERE f.`id` = lower(`queues`.`wait_flow_id`) AND f.`customer_id` = `queues`.`customer_id`)
  THEN lower(`wait_flow_id`) ELSE '00000000-0000-0000-0000-000000000000' END
WHERE `wait_flow_id` <> '00000000-0000-0000-0000-000000000000';
--> statement-breakpoint
UPDATE `transcriptions` SET `on_end_flow_id` = CASE
  WHEN EXISTS (SELECT 1 FROM `flows` AS f WHERE f.`id` = lower(`transcriptions`.`on_end_flow_id`) AND f.`customer_id` = `transcriptions`.`customer_id`)
  THEN lower(`on_end_flow_id`) ELSE '00000000-0000-0000-0000-000000000000' END
WHERE `on_end_flow_id` <> '00000000-0000-0000-0000-000000000000';
--> statement-breakpoint
-- Which rows name which tag, kept by the triggers below: a tag's deletion finds the rows that name
-- it by lookup, not by reading every tag list of the customer.
CREATE TABLE `tag_references` (
  `tag_id` text NOT NULL,
  `table_name` text NOT NULL,
  `row_id` text NOT NULL,
  PRIMARY KEY (`tag_id`, `table_name`, `row_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `tag_references_row_idx` ON `tag_references` (`row_id`);
--> statement-breakpoint
INSERT OR IGNORE INTO `tag_references` (`tag_id`, `table_name`, `row_id`)
SELECT j.value, 'agents', `agents`.`id` FROM `agents`, json_each(`agents`.`tag_ids`) AS j;
--> statement-breakpoint
INSERT OR IGNORE INTO `tag_references` (`tag_id`, `table_name`, `row_id`)
SELECT j.value, 'queues', `queues`.`id` FROM `queues`, json_each(`queues`.`tag_ids`) AS j;
--> statement-breakpoint
INSERT OR IGNORE INTO `tag_references` (`tag_id`, `table_name`, `row_id`)
SELECT j.value, 'contacts', `contacts`.`id` FROM `contacts`, json_each(`contacts`.`tag_ids`) AS j;
--> statement-breakpoint
-- Finding the rows that name a deleted flow is an index lookup (only rows that name one are indexed).
CREATE INDEX `numbers_call_flow_idx` ON `numbers` (`call_flow_id`) WHERE `call_flow_id` <> '00000000-0000-0000-0000-000000000000';
--> statement-breakpoint
CREATE INDEX `numbers_message_flow_idx` ON `numbers` (`message_flow_id`) WHERE `message_flow_id` <> '00000000-0000-0000-0000-000000000000';
--> statement-breakpoint
CREATE INDEX `flows_on_complete_flow_idx` ON `flows` (`on_complete_flow_id`) WHERE `on_complete_flow_id` <> '00000000-0000-0000-0000-000000000000';
--> statement-breakpoint
CREATE INDEX `queues_wait_flow_idx` ON `queues` (`wait_flow_id`) WHERE `wait_flow_id` <> '00000000-0000-0000-0000-000000000000';
--> statement-breakpoint
CREATE INDEX `transcriptions_on_end_flow_idx` ON `transcriptions` (`on_end_flow_id`) WHERE `on_end_flow_id` <> '00000000-0000-0000-0000-000000000000';
--> statement-breakpoint
-- The checks, on every insert and on every update that sets the column.
CREATE TRIGGER `agents_tag_ids_exist_on_insert`
BEFORE INSERT ON `agents`
WHEN EXISTS (
  SELECT 1 FROM json_each(NEW.`tag_ids`) AS j
  WHERE NOT EXISTS (SELECT 1 FROM `tags` WHERE `tags`.`id` = j.value AND `tags`.`customer_id` = NEW.`customer_id`)
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: tag_ids');
END;
--> statement-breakpoint
CREATE TRIGGER `agents_tag_ids_exist_on_update`
BEFORE UPDATE OF `tag_ids` ON `agents`
WHEN EXISTS (
  SELECT 1 FROM json_each(NEW.`tag_ids`) AS j
  WHERE NOT EXISTS (SELECT 1 FROM `tags` WHERE `tags`.`id` = j.value AND `tags`.`customer_id` = NEW.`customer_id`)
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: tag_ids');
END;
--> statement-breakpoint
CREATE TRIGGER `queues_tag_ids_exist_on_insert`
BEFORE INSERT ON `queues`
WHEN EXISTS (
  SELECT 1 FROM json_each(NEW.`tag_ids`) AS j
  WHERE NOT EXISTS (SELECT 1 FROM `tags` WHERE `tags`.`id` = j.value AND `tags`.`customer_id` = NEW.`customer_id`)
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: tag_ids');
END;
--> statement-breakpoint
CREATE TRIGGER `queues_tag_ids_exist_on_update`
BEFORE UPDATE OF `tag_ids` ON `queues`
WHEN EXISTS (
  SELECT 1 FROM json_each(NEW.`tag_ids`) AS j
  WHERE NOT EXISTS (SELECT 1 FROM `tags` WHERE `tags`.`id` = j.value AND `tags`.`customer_id` = NEW.`customer_id`)
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: tag_ids');
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_tag_ids_exist_on_insert`
BEFORE INSERT ON `contacts`
WHEN EXISTS (
  SELECT 1 FROM json_each(NEW.`tag_ids`) AS j
  WHERE NOT EXISTS (SELECT 1 FROM `tags` WHERE `tags`.`id` = j.value AND `tags`.`customer_id` = NEW.`customer_id`)
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: tag_ids');
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_tag_ids_exist_on_update`
BEFORE UPDATE OF `tag_ids` ON `contacts`
WHEN EXISTS (
  SELECT 1 FROM json_each(NEW.`tag_ids`) AS j
  WHERE NOT EXISTS (SELECT 1 FROM `tags` WHERE `tags`.`id` = j.value AND `tags`.`customer_id` = NEW.`customer_id`)
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: tag_ids');
END;
--> statement-breakpoint
CREATE TRIGGER `numbers_call_flow_id_exists_on_insert`
BEFORE INSERT ON `numbers`
WHEN NEW.`call_flow_id` <> '00000000-0000-0000-0000-000000000000' AND NOT EXISTS (
  SELECT 1 FROM `flows` AS f WHERE f.`id` = NEW.`call_flow_id` AND f.`customer_id` = NEW.`customer_id`
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: call_flow_id');
END;
--> statement-breakpoint
CREATE TRIGGER `numbers_call_flow_id_exists_on_update`
BEFORE UPDATE OF `call_flow_id` ON `numbers`
WHEN NEW.`call_flow_id` <> '00000000-0000-0000-0000-000000000000' AND NOT EXISTS (
  SELECT 1 FROM `flows` AS f WHERE f.`id` = NEW.`call_flow_id` AND f.`customer_id` = NEW.`customer_id`
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: call_flow_id');
END;
--> statement-breakpoint
CREATE TRIGGER `numbers_message_flow_id_exists_on_insert`
BEFORE INSERT ON `numbers`
WHEN NEW.`message_flow_id` <> '00000000-0000-0000-0000-000000000000' AND NOT EXISTS (
  SELECT 1 FROM `flows` AS f WHERE f.`id` = NEW.`message_flow_id` AND f.`customer_id` = NEW.`customer_id`
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: message_flow_id');
END;
--> statement-breakpoint
CREATE TRIGGER `numbers_message_flow_id_exists_on_update`
BEFORE UPDATE OF `message_flow_id` ON `numbers`
WHEN NEW.`message_flow_id` <> '00000000-0000-0000-0000-000000000000' AND NOT EXISTS (
  SELECT 1 FROM `flows` AS f WHERE f.`id` = NEW.`message_flow_id` AND f.`customer_id` = NEW.`customer_id`
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: message_flow_id');
END;
--> statement-breakpoint
CREATE TRIGGER `flows_on_complete_flow_id_exists_on_insert`
BEFORE INSERT ON `flows`
WHEN NEW.`on_complete_flow_id` <> '00000000-0000-0000-0000-000000000000' AND NOT EXISTS (
  SELECT 1 FROM `flows` AS f WHERE f.`id` = NEW.`on_complete_flow_id` AND f.`customer_id` = NEW.`customer_id`
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: on_complete_flow_id');
END;
--> statement-breakpoint
CREATE TRIGGER `flows_on_complete_flow_id_exists_on_update`
BEFORE UPDATE OF `on_complete_flow_id` ON `flows`
WHEN NEW.`on_complete_flow_id` <> '00000000-0000-0000-0000-000000000000' AND NOT EXISTS (
  SELECT 1 FROM `flows` AS f WHERE f.`id` = NEW.`on_complete_flow_id` AND f.`customer_id` = NEW.`customer_id`
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: on_complete_flow_id');
END;
--> statement-breakpoint
CREATE TRIGGER `queues_wait_flow_id_exists_on_insert`
BEFORE INSERT ON `queues`
WHEN NEW.`wait_flow_id` <> '00000000-0000-0000-0000-000000000000' AND NOT EXISTS (
  SELECT 1 FROM `flows` AS f WHERE f.`id` = NEW.`wait_flow_id` AND f.`customer_id` = NEW.`customer_id`
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: wait_flow_id');
END;
--> statement-breakpoint
CREATE TRIGGER `queues_wait_flow_id_exists_on_update`
BEFORE UPDATE OF `wait_flow_id` ON `queues`
WHEN NEW.`wait_flow_id` <> '00000000-0000-0000-0000-000000000000' AND NOT EXISTS (
  SELECT 1 FROM `flows` AS f WHERE f.`id` = NEW.`wait_flow_id` AND f.`customer_id` = NEW.`customer_id`
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: wait_flow_id');
END;
--> statement-breakpoint
CREATE TRIGGER `transcriptions_on_end_flow_id_exists_on_insert`
BEFORE INSERT ON `transcriptions`
WHEN NEW.`on_end_flow_id` <> '00000000-0000-0000-0000-000000000000' AND NOT EXISTS (
  SELECT 1 FROM `flows` AS f WHERE f.`id` = NEW.`on_end_flow_id` AND f.`customer_id` = NEW.`customer_id`
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: on_end_flow_id');
END;
--> statement-breakpoint
CREATE TRIGGER `transcriptions_on_end_flow_id_exists_on_update`
BEFORE UPDATE OF `on_end_flow_id` ON `transcriptions`
WHEN NEW.`on_end_flow_id` <> '00000000-0000-0000-0000-000000000000' AND NOT EXISTS (
  SELECT 1 FROM `flows` AS f WHERE f.`id` = NEW.`on_end_flow_id` AND f.`customer_id` = NEW.`customer_id`
)
BEGIN
  SELECT RAISE(ABORT, 'REFERENCE_NOT_FOUND: on_end_flow_id');
END;
--> statement-breakpoint
-- tag_references follows every tag list.
CREATE TRIGGER `agents_tag_references_on_insert`
AFTER INSERT ON `agents`
WHEN NEW.`tag_ids` <> '[]'
BEGIN
  INSERT OR IGNORE INTO `tag_references` (`tag_id`, `table_name`, `row_id`)
  SELECT j.value, 'agents', NEW.`id` FROM json_each(NEW.`tag_ids`) AS j;
END;
--> statement-breakpoint
CREATE TRIGGER `agents_tag_references_on_update`
AFTER UPDATE OF `tag_ids` ON `agents`
BEGIN
  DELETE FROM `tag_references` WHERE `row_id` = OLD.`id` AND `table_name` = 'agents';
  INSERT OR IGNORE INTO `tag_references` (`tag_id`, `table_name`, `row_id`)
  SELECT j.value, 'agents', NEW.`id` FROM json_each(NEW.`tag_ids`) AS j;
END;
--> statement-breakpoint
CREATE TRIGGER `agents_tag_references_on_delete`
AFTER DELETE ON `agents`
WHEN OLD.`tag_ids` <> '[]'
BEGIN
  DELETE FROM `tag_references` WHERE `row_id` = OLD.`id` AND `table_name` = 'agents';
END;
--> statement-breakpoint
CREATE TRIGGER `queues_tag_references_on_insert`
AFTER INSERT ON `queues`
WHEN NEW.`tag_ids` <> '[]'
BEGIN
  INSERT OR IGNORE INTO `tag_references` (`tag_id`, `table_name`, `row_id`)
  SELECT j.value, 'queues', NEW.`id` FROM json_each(NEW.`tag_ids`) AS j;
END;
--> statement-breakpoint
CREATE TRIGGER `queues_tag_references_on_update`
AFTER UPDATE OF `tag_ids` ON `queues`
BEGIN
  DELETE FROM `tag_references` WHERE `row_id` = OLD.`id` AND `table_name` = 'queues';
  INSERT OR IGNORE INTO `tag_references` (`tag_id`, `table_name`, `row_id`)
  SELECT j.value, 'queues', NEW.`id` FROM json_each(NEW.`tag_ids`) AS j;
END;
--> statement-breakpoint
CREATE TRIGGER `queues_tag_references_on_delete`
AFTER DELETE ON `queues`
WHEN OLD.`tag_ids` <> '[]'
BEGIN
  DELETE FROM `tag_references` WHERE `row_id` = OLD.`id` AND `table_name` = 'queues';
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_tag_references_on_insert`
AFTER INSERT ON `contacts`
WHEN NEW.`tag_ids` <> '[]'
BEGIN
  INSERT OR IGNORE INTO `tag_references` (`tag_id`, `table_name`, `row_id`)
  SELECT j.value, 'contacts', NEW.`id` FROM json_each(NEW.`tag_ids`) AS j;
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_tag_references_on_update`
AFTER UPDATE OF `tag_ids` ON `contacts`
BEGIN
  DELETE FROM `tag_references` WHERE `row_id` = OLD.`id` AND `table_name` = 'contacts';
  INSERT OR IGNORE INTO `tag_references` (`tag_id`, `table_name`, `row_id`)
  SELECT j.value, 'contacts', NEW.`id` FROM json_each(NEW.`tag_ids`) AS j;
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_tag_references_on_delete`
AFTER DELETE ON `contacts`
WHEN OLD.`tag_ids` <> '[]'
BEGIN
  DELETE FROM `tag_references` WHERE `row_id` = OLD.`id` AND `table_name` = 'contacts';
END;
--> statement-breakpoint
-- Deleting a tag or a flow clears the references to it (the rows' versions move on: their ETags change).
-- The rows are found by id through tag_references (a condition on customer_id as well would lead
-- SQLite to read all of the customer's rows instead).
CREATE TRIGGER `tags_delete_clears_references`
AFTER DELETE ON `tags`
WHEN (SELECT `status` FROM `customers` WHERE `id` = OLD.`customer_id`) IS NOT 'deleted'
BEGIN
  UPDATE `agents` SET
    `tag_ids` = (SELECT json_group_array(j.value) FROM json_each(`agents`.`tag_ids`) AS j WHERE j.value <> OLD.`id`),
    `version` = `version` + 1,
    `tm_update` = max(`tm_update`, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
  WHERE `id` IN (SELECT `row_id` FROM `tag_references` WHERE `tag_id` = OLD.`id` AND `table_name` = 'agents');
  UPDATE `queues` SET
    `tag_ids` = (SELECT json_group_array(j.value) FROM json_each(`queues`.`tag_ids`) AS j WHERE j.value <> OLD.`id`),
    `version` = `version` + 1,
    `tm_update` = max(`tm_update`, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
  WHERE `id` IN (SELECT `row_id` FROM `tag_references` WHERE `tag_id` = OLD.`id` AND `table_name` = 'queues');
  UPDATE `contacts` SET
    `tag_ids` = (SELECT json_group_array(j.value) FROM json_each(`contacts`.`tag_ids`) AS j WHERE j.value <> OLD.`id`),
    `version` = `version` + 1,
    `tm_update` = max(`tm_update`, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
  WHERE `id` IN (SELECT `row_id` FROM `tag_references` WHERE `tag_id` = OLD.`id` AND `table_name` = 'contacts');
  DELETE FROM `tag_references` WHERE `tag_id` = OLD.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `flows_delete_clears_references`
AFTER DELETE ON `flows`
WHEN (SELECT `status` FROM `customers` WHERE `id` = OLD.`customer_id`) IS NOT 'deleted'
BEGIN
  UPDATE `numbers` SET `call_flow_id` = '00000000-0000-0000-0000-000000000000', `version` = `version` + 1, `tm_update` = max(`tm_update`, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
  WHERE `call_flow_id` = OLD.`id` AND `call_flow_id` <> '00000000-0000-0000-0000-000000000000' AND `customer_id` = OLD.`customer_id`;
  UPDATE `numbers` SET `message_flow_id` = '00000000-0000-0000-0000-000000000000', `version` = `version` + 1, `tm_update` = max(`tm_update`, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
  WHERE `message_flow_id` = OLD.`id` AND `message_flow_id` <> '00000000-0000-0000-0000-000000000000' AND `customer_id` = OLD.`customer_id`;
  UPDATE `flows` SET `on_complete_flow_id` = '00000000-0000-0000-0000-000000000000', `version` = `version` + 1, `tm_update` = max(`tm_update`, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
  WHERE `on_complete_flow_id` = OLD.`id` AND `on_complete_flow_id` <> '00000000-0000-0000-0000-000000000000' AND `customer_id` = OLD.`customer_id`;
  UPDATE `queues` SET `wait_flow_id` = '00000000-0000-0000-0000-000000000000', `version` = `version` + 1, `tm_update` = max(`tm_update`, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
  WHERE `wait_flow_id` = OLD.`id` AND `wait_flow_id` <> '00000000-0000-0000-0000-000000000000' AND `customer_id` = OLD.`customer_id`;
  UPDATE `transcriptions` SET `on_end_flow_id` = '00000000-0000-0000-0000-000000000000', `version` = `version` + 1, `tm_update` = max(`tm_update`, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
  WHERE `on_end_flow_id` = OLD.`id` AND `on_end_flow_id` <> '00000000-0000-0000-0000-000000000000' AND `customer_id` = OLD.`customer_id`;
END;
