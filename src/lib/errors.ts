import { z } from "@hono/zod-openapi";

// Google-style status names, as the platform's clients expect them in the error envelope.
export type ErrorStatus =
  | "INVALID_ARGUMENT"
  | "FAILED_PRECONDITION"
  | "UNAUTHENTICATED"
  | "PERMISSION_DENIED"
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "ABORTED"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "RESOURCE_EXHAUSTED"
  | "INTERNAL";

export type HttpErrorCode = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 429 | 500;

const defaultCode: Record<ErrorStatus, HttpErrorCode> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
};

export type ErrorDetail = Record<string, unknown>;

export class ApiError extends Error {
  readonly code: HttpErrorCode;
  constructor(
    readonly status: ErrorStatus,
    readonly reason: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    code?: HttpErrorCode,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.code = code ?? defaultCode[status];
  }
}

export const invalidArgument = (reason: string, message: string, details: ErrorDetail[] = []) =>
  new ApiError("INVALID_ARGUMENT", reason, message, details);
export const unauthenticated = (message = "A valid token or access key is required.") =>
  new ApiError("UNAUTHENTICATED", "UNAUTHENTICATED", message);
export const permissionDenied = (reason: string, message: string, details: ErrorDetail[] = []) =>
  new ApiError("PERMISSION_DENIED", reason, message, details);
export const notFound = (what = "resource") => new ApiError("NOT_FOUND", "NOT_FOUND", `The ${what} was not found.`);
/** Other writers kept winning a compare-and-set: nothing was written; the client reads again and retries. */
export const concurrentUpdate = (noun: string) =>
  new ApiError(
    "ABORTED",
    "CONCURRENT_UPDATE",
    `The ${noun} is being changed by other writers; read it again and retry.`,
    [],
    409,
  );
export const alreadyExists = (reason: string, message: string, details: ErrorDetail[] = []) =>
  new ApiError("ALREADY_EXISTS", reason, message, details);
export const failedPrecondition = (
  reason: string,
  message: string,
  details: ErrorDetail[] = [],
  code?: HttpErrorCode,
) => new ApiError("FAILED_PRECONDITION", reason, message, details, code);
export const tooManyRequests = (
  retryAfterSeconds: number,
  reason = "TOO_MANY_ATTEMPTS",
  message = "Too many failed attempts; try again later.",
) =>
  new ApiError("RESOURCE_EXHAUSTED", reason, message, [{ retry_after_seconds: retryAfterSeconds }], 429, {
    "Retry-After": String(retryAfterSeconds),
  });

export const ErrorEnvelopeSchema = z
  .object({
    error: z.object({
      status: z.string().openapi({ example: "NOT_FOUND" }),
      reason: z.string().openapi({ example: "NOT_FOUND" }),
      message: z.string().openapi({ example: "The customer was not found." }),
      request_id: z.string().openapi({ example: "0d6f0c2e-8b9a-4b5e-9d55-2f0b3c7b6a10" }),
      details: z.array(z.record(z.string(), z.unknown())),
    }),
  })
  .openapi("Error");

const errorDescriptions: Record<number, string> = {
  400: "Invalid argument or failed precondition",
  401: "Missing, invalid or revoked credential",
  403: "The credential lacks the permission, or the account state forbids it",
  404: "Not found (also for ids of other tenants and malformed ids)",
  409: "Already exists",
  412: "If-Match does not match the current ETag",
  413: "Request body too large",
  415: "Content-Type is not application/json",
  429: "Too many attempts",
};

/** OpenAPI response entries for the error codes a route can answer with. */
export function errorResponses<C extends keyof typeof errorDescriptions>(...codes: C[]) {
  const out: Record<
    number,
    { description: string; content: { "application/json": { schema: typeof ErrorEnvelopeSchema } } }
  > = {};
  for (const code of codes) {
    out[code] = {
      description: errorDescriptions[code]!,
      content: { "application/json": { schema: ErrorEnvelopeSchema } },
    };
  }
  return out as Record<
    C,
    { description: string; content: { "application/json": { schema: typeof ErrorEnvelopeSchema } } }
  >;
}

export function envelope(err: ApiError, requestId: string) {
  return {
    error: {
      status: err.status,
      reason: err.reason,
      message: err.message,
      request_id: requestId,
      details: err.details,
    },
  };
}
