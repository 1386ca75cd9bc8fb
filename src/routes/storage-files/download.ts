import { createRoute, z } from "@hono/zod-openapi";
import { files } from "../../db/schema";
import { ApiError, errorResponses, notFound } from "../../lib/errors";
import { authenticated, defineRoute } from "../../lib/route";
import { objectKey } from "../../storage/objects";
import { ownRow } from "../../resources/own-data";
import { READ } from "../../resources/store";
import { IdParams, type RouteOptions } from "../resources/crud";
import { contentDisposition } from "./upload";

type DownloadOptions = Pick<RouteOptions, "tags" | "mask" | "middleware" | "scope">;

/** The bytes of one of the caller's files; the same handler under both names of the kind and the service_agents view. */
export function downloadRoute(base: string, opts: DownloadOptions = { tags: ["Files"], mask: READ }) {
  return defineRoute(
    createRoute({
      method: "get",
      path: `${base}/{id}/file`,
      tags: opts.tags,
      summary: "Download a file's bytes",
      description:
        "Answers the uploaded bytes with their Content-Type, as an attachment. A file recorded without an upload (JSON create) has none: 404.",
      security: authenticated,
      middleware: opts.middleware ?? [],
      request: { params: IdParams },
      responses: {
        200: {
          description: "The file's bytes",
          content: { "application/octet-stream": { schema: z.string().openapi({ type: "string", format: "binary" }) } },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const scope = opts.scope ? await opts.scope.where(c) : undefined;
      const row = await ownRow(c, files, c.req.valid("param").id, opts.mask, scope);
      if (!row) throw notFound("file");
      const object = await c.env.FILES_BUCKET.get(objectKey(row.customerId, row.id));
      if (!object) throw new ApiError("NOT_FOUND", "FILE_CONTENT_NOT_FOUND", "The file has no stored content.");
      return new Response(object.body, {
        status: 200,
        headers: {
          "Content-Type": row.contentType,
          "Content-Length": String(object.size),
          "Content-Disposition": contentDisposition(row.filename),
          // Served from the API's origin: never let a browser run an uploaded page or script.
          "Content-Security-Policy": "sandbox; default-src 'none'",
          "Cache-Control": "private, no-store",
        },
      }) as never;
    },
  );
}

export const downloadStorageFile = downloadRoute("/v1.0/storage_files");
export const downloadFile = downloadRoute("/v1.0/files");
