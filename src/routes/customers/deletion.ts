import { createRoute, z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { principalOf, requireSuperAdmin } from "../../auth/principal";
import { ownedTables, resourceKinds } from "../../db/owned";
import { deletionJobs, deletionJobStatuses, storageAccounts } from "../../db/schema";
import { errorResponses, notFound } from "../../lib/errors";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";
import { iso, isoOrNull } from "../../lib/time";
import { CustomerIdParams, findCustomerOr404 } from "./shared";

// The owned kinds and the storage account: the rows a permanent deletion removes.
const receiptTables = [
  ...resourceKinds.map((kind) => [kind, ownedTables[kind]] as const),
  ["storage_accounts", storageAccounts] as const,
];
const counts = z.object(Object.fromEntries(receiptTables.map(([k]) => [k, z.number().int()])));

const DeletionReceiptSchema = z
  .object({
    customer_id: z.uuid(),
    status: z.enum(deletionJobStatuses),
    tm_start: z.string(),
    tm_finish: z.string().nullable(),
    deleted: counts
      .extend({
        storage_objects: z.number().int().openapi({ description: "File objects removed from storage so far." }),
      })
      .openapi({ description: "Rows removed so far, by kind (all it owned, once finished), and storage objects." }),
    remaining: counts.openapi({ description: "Rows of the customer still in D1, counted now." }),
  })
  .openapi("DeletionReceipt");

export const getDeletion = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/customers/{id}/deletion",
    tags: ["Customers (admin)"],
    summary: "Follow a customer's permanent deletion",
    security: authenticated,
    request: { params: CustomerIdParams },
    responses: { 200: jsonResponse(DeletionReceiptSchema, "The deletion job"), ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    requireSuperAdmin(await principalOf(c));
    const db = c.get("db");
    const { id } = await findCustomerOr404(db, c.req.valid("param").id);
    const [jobRows, ...remainingRows] = await db.batch([
      db.select().from(deletionJobs).where(eq(deletionJobs.customerId, id)).limit(1),
      ...receiptTables.map(([, table]) =>
        db.select({ n: sql<number>`count(*)` }).from(table).where(eq(table.customerId, id)),
      ),
    ]);
    const job = jobRows[0];
    if (!job) throw notFound("deletion job");
    const remaining: Record<string, number> = {};
    const deleted: Record<string, number> = {};
    receiptTables.forEach(([kind], i) => {
      remaining[kind] = Number(remainingRows[i]?.[0]?.n ?? 0);
      // The job holds what the customer owned when it was deleted; what is gone is the difference.
      deleted[kind] = Math.max(
        0,
        (job?.deleted[kind] ?? 0) - (job?.status === "finished" ? 0 : (remaining[kind] ?? 0)),
      );
    });
    return c.json(
      {
        customer_id: job.customerId,
        status: job.status,
        tm_start: iso(job.tmStart),
        tm_finish: isoOrNull(job.tmFinish),
        // Counted by the cascade as it deletes them (R2 has no count to take at deletion time).
        deleted: { ...deleted, storage_objects: Number(job.deleted.storage_objects ?? 0) },
        remaining,
      },
      200,
    );
  },
);
