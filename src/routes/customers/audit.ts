import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { principalOf, requireSuperAdmin } from "../../auth/principal";
import { auditLog } from "../../db/schema";
import { errorResponses } from "../../lib/errors";
import { listPage, pageSchema, PageQuerySchema } from "../../lib/pagination";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";
import { iso } from "../../lib/time";
import { CustomerIdParams, findCustomerOr404 } from "./shared";

const AuditEntrySchema = z
  .object({
    id: z.uuid(),
    customer_id: z.string(),
    actor_kind: z.enum(["agent", "accesskey", "anonymous"]),
    actor_id: z.string(),
    actor_permission: z.number().int(),
    action: z.string().openapi({ example: "PUT /v1.0/customers/{id}" }),
    changed_fields: z.array(z.string()).openapi({ description: "Names of the fields sent, never their values." }),
    status_code: z.number().int(),
    request_id: z.string(),
    ip: z.string().openapi({ description: "Erased when the customer is deleted." }),
    tm_create: z.string(),
  })
  .openapi("AuditEntry");

export const listAudit = defineRoute(
  createRoute({
    method: "get",
    path: "/v1.0/customers/{id}/audit",
    operationId: "GetCustomersIdAudit",
    tags: ["Customers (admin)"],
    summary: "A customer's audit trail",
    description: "Every state-changing request on the customer, newest first.",
    security: authenticated,
    request: { params: CustomerIdParams, query: PageQuerySchema },
    responses: {
      200: jsonResponse(pageSchema(AuditEntrySchema, "AuditEntryList"), "A page of audit entries"),
      ...errorResponses(400, 401, 403, 404),
    },
  }),
  async (c) => {
    requireSuperAdmin(await principalOf(c));
    const db = c.get("db");
    const { id } = await findCustomerOr404(db, c.req.valid("param").id);
    const page = await listPage(db, auditLog, eq(auditLog.customerId, id), c.req.valid("query"), (r) => ({
      id: r.id,
      customer_id: r.customerId,
      actor_kind: r.actorKind,
      actor_id: r.actorId,
      actor_permission: r.actorPermission,
      action: r.action,
      changed_fields: r.changedFields,
      status_code: r.statusCode,
      request_id: r.requestId,
      ip: r.ip,
      tm_create: iso(r.tmCreate),
    }));
    return c.json(page, 200);
  },
);
