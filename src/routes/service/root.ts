import { createRoute, z } from "@hono/zod-openapi";
import { defineRoute, jsonResponse } from "../../lib/route";

const LinksSchema = z
  .object({
    name: z.string(),
    docs: z.string().openapi({ example: "/docs" }),
    openapi: z.string().openapi({ example: "/openapi.json" }),
    console: z.string().openapi({ example: "/console" }),
    health: z.string().openapi({ example: "/health" }),
  })
  .openapi("ServiceLinks");

/** GET /: where a person who opens the bare origin goes next. */
export const root = defineRoute(
  createRoute({
    method: "get",
    path: "/",
    tags: ["Service"],
    summary: "Where to start",
    description: "Links to the API reference, the OpenAPI document, the console and the health check.",
    security: [],
    responses: { 200: jsonResponse(LinksSchema, "Links") },
  }),
  (c) =>
    c.json(
      {
        name: "VoIPBIN Customer API",
        docs: "/docs",
        openapi: "/openapi.json",
        console: "/console",
        health: "/health",
      },
      200,
    ),
);
