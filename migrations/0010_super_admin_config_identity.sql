-- The project super admin now lives in configuration only (src/auth/super-admin.ts): its tokens
-- no longer point at an `agents` row. Rows earlier logins created (customer_id = the zero UUID)
-- would otherwise linger as identities; nothing refers to them.
DELETE FROM `agents` WHERE `customer_id` = '00000000-0000-0000-0000-000000000000';
