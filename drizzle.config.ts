import { defineConfig } from "drizzle-kit";

// Migrations are generated offline from the schema and applied with wrangler (dev, deploy) or
// applyD1Migrations (tests); drizzle-kit never talks to a database here.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
