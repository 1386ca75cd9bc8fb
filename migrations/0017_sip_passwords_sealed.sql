-- Extension and trunk passwords are SIP credentials: a registrar checks them with digest
-- authentication, so the service must be able to give them back. They are now stored sealed
-- (AES-256-GCM under SIP_CREDENTIALS_KEY, src/lib/sealed.ts), not hashed. A stored one-way hash
-- cannot be turned back into its password, so existing rows become unset (''): the customer's
-- admins set those passwords again (PUT /v1.0/extensions/{id} or /v1.0/trunks/{id}).
ALTER TABLE `extensions` RENAME COLUMN `password_hash` TO `password_sealed`;--> statement-breakpoint
UPDATE `extensions` SET `password_sealed` = '';--> statement-breakpoint
ALTER TABLE `trunks` RENAME COLUMN `password_hash` TO `password_sealed`;--> statement-breakpoint
UPDATE `trunks` SET `password_sealed` = '';
