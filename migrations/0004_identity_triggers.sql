-- A sign-in identity is unique across two tables: live customers' emails and agents' usernames.
-- Each table's own unique index covers its side; these triggers cover the crossing, inside the
-- writing statement itself, so two concurrent creations cannot both claim the same identity.
CREATE TRIGGER `agents_username_not_other_customer_email`
BEFORE INSERT ON `agents`
WHEN EXISTS (
  SELECT 1 FROM `customers`
  WHERE `email` = NEW.`username` AND `status` NOT IN ('deleted', 'expired') AND `id` <> NEW.`customer_id`
)
BEGIN
  SELECT RAISE(ABORT, 'IDENTITY_TAKEN: username');
END;
--> statement-breakpoint
CREATE TRIGGER `customers_email_not_other_agent_username`
BEFORE INSERT ON `customers`
WHEN NEW.`email` <> '' AND EXISTS (
  SELECT 1 FROM `agents` WHERE `username` = NEW.`email` AND `customer_id` <> NEW.`id`
)
BEGIN
  SELECT RAISE(ABORT, 'IDENTITY_TAKEN: email');
END;
--> statement-breakpoint
CREATE TRIGGER `customers_email_update_not_other_agent_username`
BEFORE UPDATE OF `email` ON `customers`
WHEN NEW.`email` <> '' AND NEW.`email` <> OLD.`email` AND EXISTS (
  SELECT 1 FROM `agents` WHERE `username` = NEW.`email` AND `customer_id` <> NEW.`id`
)
BEGIN
  SELECT RAISE(ABORT, 'IDENTITY_TAKEN: email');
END;
