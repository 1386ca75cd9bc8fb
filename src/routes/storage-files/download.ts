import { createRoute, z } from "@hono/zod-openapi";
import { files, Permission } from "../../db/schema";
import { ApiError, errorResponses, notFound } from "../../lib/errors";
import { authenticated, defineRoute } from "../../lib/route";
import { objectKey } from "../../storage/objects";
import { ownRow } from "../../resources/own-data";
import { contentDisposition } from "./upload";

const READ = Permission.CustomerAgent | Permission.CustomerAdmin | Permission.CustomerManager;
const IdParams = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });

/** The bytes of one of the caller's files; the same handler under both names of the kind. */
function downloadRoute(base: string) {
  return defineRoute(
    createRoute({
      method: "get",
      path: `${base}/{id}/file`,
      tags: ["Files"],
      summary: "Download a file's bytes",
      description:
        "Answers the uploaded bytes with their Content-Type, as an attachment. A file recorded without an upload (JSON create) has none: 404.",
      security: authenticated,
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
      const row = await ownRow(c, files, c.req.valid("param").id, READ);
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
