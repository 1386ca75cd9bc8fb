-- Any change of an agent's password or permission, by whichever route or statement, moves its
-- token version on, so every JWT issued before the change answers 401 (src/auth/principal.ts).
-- A trigger rather than code in each route: routes added later are covered without doing anything.
CREATE TRIGGER `agents_token_version_bump`
AFTER UPDATE OF `password_hash`, `permission` ON `agents`
WHEN OLD.`password_hash` IS NOT NEW.`password_hash` OR OLD.`permission` IS NOT NEW.`permission`
BEGIN
  UPDATE `agents` SET `token_version` = `token_version` + 1 WHERE `id` = NEW.`id`;
END;
