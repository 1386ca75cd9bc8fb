import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/errors";
import { routePropertiesOf } from "../lib/route";
import { MAX_FILE_BYTES } from "../storage/objects";

/** A request that carries bytes instead of JSON: a multipart file upload (routes declared `upload`). */
export const isUpload = (c: Context<AppEnv>) => routePropertiesOf(c).upload === true;

/** Multipart framing around the file: boundaries, part headers and small fields. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

export const fileTooLarge = () =>
  new ApiError("PAYLOAD_TOO_LARGE", "FILE_TOO_LARGE", `A file may hold at most ${MAX_FILE_BYTES} bytes.`, [
    { field: "file", description: `at most ${MAX_FILE_BYTES} bytes` },
  ]);

/** A JSON-only middleware (body limit, media type) that lets the upload path through. */
export const unlessUpload = (mw: MiddlewareHandler<AppEnv>) =>
  createMiddleware<AppEnv>(async (c, next) => (isUpload(c) ? next() : mw(c, next)));

/** The upload's own limit, checked on the stream before anything buffers it. */
const uploadLimit = bodyLimit({
  maxSize: MAX_FILE_BYTES + MULTIPART_OVERHEAD_BYTES,
  onError: () => {
    throw fileTooLarge();
  },
});
export const uploadBodyLimit = createMiddleware<AppEnv>(async (c, next) =>
  isUpload(c) ? uploadLimit(c, next) : next(),
);
