import type { CustomerRow } from "../db/schema";
import { ApiError, type ErrorStatus, type HttpErrorCode } from "../lib/errors";
import type { Env } from "../env";

/** Errors cross the Durable Object RPC boundary as data; the Worker turns them back into ApiErrors. */
export interface TransitionError {
  status: ErrorStatus;
  reason: string;
  message: string;
  /** When the status's usual HTTP code is not the right one. */
  code?: HttpErrorCode;
}

export type TransitionResult = { ok: true; customer: CustomerRow } | { ok: false; error: TransitionError };

export const lifecycleOf = (env: Env, customerId: string) =>
  env.CUSTOMER_LIFECYCLE.get(env.CUSTOMER_LIFECYCLE.idFromName(customerId));

export function unwrap(result: TransitionResult): CustomerRow {
  if (result.ok) return result.customer;
  throw new ApiError(result.error.status, result.error.reason, result.error.message, [], result.error.code);
}
