import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../app-env";
import { requireOwnCustomer } from "../../auth/principal";
import { insertIf } from "../../db/insert-where";
import { files, Permission } from "../../db/schema";
import { ApiError, errorResponses } from "../../lib/errors";
import { authenticated, defineRoute, jsonResponse } from "../../lib/route";
import { detailField, nameField } from "../../lib/validation";
import { accountNotActive, requireActive } from "../../lifecycle/guards";
import { fileTooLarge } from "../../middleware/upload-body";
import { kindSpecs, mimeType } from "../../resources/kinds";
import { quotaGuard, quotaRefusal } from "../../storage/accounts";
import { fileRowExists, MAX_FILE_BYTES, objectKey } from "../../storage/objects";
import { quotaResponses } from "../../plans/openapi";
import { schemasFor, serializerFor } from "../../resources/schemas";
import { configOf } from "../../config";
import { operationIdOf } from "../../lib/operation-id";

const spec = kindSpecs.files;
const { Resource } = schemasFor(spec);
const serialize = serializerFor(spec);
type FileRow = typeof files.$inferSelect;

export const filePart = z
  .instanceof(File, { message: "must be a file part (with a filename)" })
  .openapi({ type: "string", format: "binary", description: `The file's bytes, at most ${MAX_FILE_BYTES} bytes.` });

const UploadForm = z
  .object({
    file: filePart,
    type: z
      .enum(["", "rag", "talk", "recording"])
      .optional()
      .openapi({ description: "The file's purpose; empty when left out." }),
    name: nameField.optional().openapi({ description: "Defaults to the part's filename." }),
    detail: detailField.optional(),
  })
  .openapi("StorageFileUpload");

/** Only multipart reaches the form validator; anything else is a clear 415, not a parse error. */
const requireMultipart = createMiddleware<AppEnv>(async (c, next) => {
  const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "multipart/form-data") {
    throw new ApiError(
      "UNSUPPORTED_MEDIA_TYPE",
      "UNSUPPORTED_MEDIA_TYPE",
      'Upload the file as multipart/form-data with a part named "file".',
    );
  }
  await next();
});

const customerActive = (customerId: string) =>
  sql`EXISTS (SELECT 1 FROM customers WHERE id = ${customerId} AND status = 'active')`;

/** `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266). */
export function contentDisposition(filename: string): string {
  // Never throws, whatever the name: encodeURIComponent would on a lone surrogate.
  const name = filename.toWellFormed();
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_") || "file";
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export const MAX_FILENAME_CODE_POINTS = 255;

/** A part's filename, cut by code point: a cut by UTF-16 unit can split a surrogate pair (an emoji). */
export const uploadFilename = (name: string) =>
  Array.from(name.toWellFormed()).slice(0, MAX_FILENAME_CODE_POINTS).join("");

/** Where an upload route is published, who may call it, and what its form holds. */
export interface UploadOptions {
  path: string;
  tags: string[];
  summary: string;
  description: string;
  /** The permissions that may upload (the customer must be active). */
  mask: number;
  middleware?: MiddlewareHandler<AppEnv>[];
  /** The multipart form: a `file` part, and optionally `type`, `name` and `detail`. */
  form: z.ZodObject;
  /** The path the file's uri_download points under (`<base>/{id}/file`). */
  downloadBase: string;
  /** The detail when the form has none. */
  detail?: string;
  /** The type when the form has none. */
  type?: string;
}

/** The multipart upload: the part's bytes to R2, then the file's row; the owner is the caller. */
export function uploadRoute(opts: UploadOptions) {
  return defineRoute(
    createRoute({
      method: "post",
      path: opts.path,
      operationId: operationIdOf("post", opts.path),
      tags: opts.tags,
      summary: opts.summary,
      description: opts.description,
      security: authenticated,
      middleware: [...(opts.middleware ?? []), requireMultipart],
      request: { body: { required: true, content: { "multipart/form-data": { schema: opts.form } } } },
      responses: {
        200: jsonResponse(Resource, "The stored file"),
        ...errorResponses(400, 401, 403, 413, 415),
        ...quotaResponses(),
      },
    }),
    async (c) => {
      const principal = c.get("principal");
      const customer = requireOwnCustomer(principal, opts.mask);
      requireActive(customer);
      const form = c.req.valid("form") as { file: File; type?: string; name?: string; detail?: string };
      const file = form.file;
      if (file.size > MAX_FILE_BYTES) throw fileTooLarge();
      const id = crypto.randomUUID();
      const key = objectKey(customer.id, id);
      const filename = uploadFilename(file.name);
      const contentType = mimeType.safeParse(file.type.split(";")[0]?.trim()).data ?? "application/octet-stream";
      const now = Date.now();
      const db = c.get("db");
      // A file that cannot fit is refused before any byte goes to R2; the INSERT below decides.
      const early = await quotaRefusal(db, c.env, customer.id, file.size);
      if (early) throw early;

      // The object first, then its row: a crash in between leaves an object with no row, which
      // the cron removes once it is older than any upload in flight (storage/objects.ts).
      await c.env.FILES_BUCKET.put(key, file, {
        httpMetadata: { contentType, contentDisposition: contentDisposition(filename) },
        customMetadata: { customer_id: customer.id, file_id: id },
      });
      const base = configOf(c.env).publicBaseUrl ?? new URL(c.req.url).origin;
      const row = {
        id,
        customerId: customer.id,
        name: form.name ?? filename,
        detail: form.detail ?? opts.detail ?? "",
        filename,
        contentType,
        sizeBytes: file.size,
        type: form.type ?? opts.type ?? "",
        ownerType: principal.kind,
        ownerId: principal.id,
        uriDownload: `${base}${opts.downloadBase}/${id}/file`,
        tmCreate: now,
        tmUpdate: now,
        version: 1,
      };
      // The row is written only if, when the INSERT runs, the file fits the quota and the customer
      // is still active (a deletion landing mid-upload: a row written after the deletion's batch
      // would outlive the cascade); the storage totals move in the same batch.
      const quota = quotaGuard(db, c.env, customer.id, file.size, now);
      let inserted: FileRow | null;
      try {
        inserted = await insertIf(db, files, row, {
          condition: sql`(${quota.condition}) AND ${customerActive(customer.id)}`,
          also: quota.also,
        });
      } catch (err) {
        // No row, so no object either; unless the insert did land (a lost reply), then both stay.
        try {
          if (!(await fileRowExists(c.env, customer.id, id))) await c.env.FILES_BUCKET.delete(key);
        } catch {
          // the cron removes the object if its row never came
        }
        throw err;
      }
      if (!inserted) {
        await c.env.FILES_BUCKET.delete(key).catch(() => {}); // else the cron's
        const still = await db.get<{ active: number }>(sql`SELECT ${customerActive(customer.id)} AS active`);
        throw still?.active ? await quota.refusal() : accountNotActive();
      }
      return c.json(serialize(inserted), 200);
    },
    { upload: true },
  );
}

export const uploadStorageFile = uploadRoute({
  path: "/v1.0/storage_files",
  tags: ["Files"],
  summary: "Upload a file",
  description:
    `Stores the bytes of the multipart part \`file\` (at most ${MAX_FILE_BYTES} bytes) and answers its record: ` +
    "filename and filesize from the part, owner from the credential, uri_download where to fetch the bytes. " +
    "The file counts against the customer's storage quota (STORAGE_QUOTA_BYTES): one that does not fit is refused " +
    "with 429 STORAGE_QUOTA_EXCEEDED and leaves nothing stored.",
  mask: Permission.CustomerAdmin | Permission.CustomerManager,
  form: UploadForm,
  downloadBase: "/v1.0/storage_files",
});
