-- What a self-service signup handed out before anyone proved control of its email address: the
-- access key named "default" and, when the signup chose one, the admin agent's password. A row
-- lives while the mailbox owner's decision is pending (src/domain/signup-credentials.ts): the
-- verification page keeps or revokes them, and a password set through a mailed link revokes them.
CREATE TABLE `signup_credentials` (
	`customer_id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`accesskey_id` text NOT NULL,
	`password_set` integer DEFAULT false NOT NULL,
	`tm_create` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `signup_credentials_agent_idx` ON `signup_credentials` (`agent_id`);
--> statement-breakpoint
-- Signups still awaiting verification when this ships get the same protection.
INSERT INTO `signup_credentials` (`customer_id`, `agent_id`, `accesskey_id`, `password_set`, `tm_create`)
SELECT c.`id`, a.`id`, k.`id`, a.`password_hash` LIKE 'pbkdf2-sha256$%', c.`tm_create`
FROM `customers` c
JOIN `agents` a ON a.`customer_id` = c.`id` AND a.`is_guest` = 0 AND a.`username` = c.`email`
JOIN `accesskeys` k ON k.`id` = (SELECT `id` FROM `accesskeys` WHERE `customer_id` = c.`id` ORDER BY `tm_create` LIMIT 1)
WHERE c.`status` = 'initial';
