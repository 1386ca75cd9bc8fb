import { z } from "@hono/zod-openapi";
import type { Db } from "../../db/client";
import type { CustomerRow } from "../../db/schema";
import { getCustomerRow } from "../../domain/customer-store";
import { notFound } from "../../lib/errors";
import { isUuid } from "../../lib/validation";

export const CustomerIdParams = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "5e4a0680-804e-11ec-8477-2fea5968d85b" }),
});

/** A malformed id is just another id that does not exist: 404, never 400. */
export async function findCustomerOr404(db: Db, id: string): Promise<CustomerRow> {
  const row = isUuid(id) ? await getCustomerRow(db, id.toLowerCase()) : null;
  if (!row) throw notFound("customer");
  return row;
}
