import type { AuthSession, Principal } from "./auth/principal";
import type { DecodedCredential } from "./auth/credentials";
import type { Db } from "./db/client";
import type { Env } from "./env";
import type { IdempotencyClaim } from "./middleware/idempotency";
import type { Work } from "./lib/after-response";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** A write's JSON body, parsed once (undefined when absent or malformed). */
    jsonBody: unknown;
    /** The body's top-level fields the route ignored (X-Ignored-Fields names them, encoded). */
    ignoredFields: string[];
    db: Db;
    /** The request's credential, decoded once (see credentialOf). */
    credential: DecodedCredential | null;
    /** The credential, checked on first use (reads can check it in their own query's batch). */
    auth: AuthSession;
    /** Set by `authenticate` for writes only; reads get it through principalOf / principalWith. */
    principal: Principal;
    /** Whether the request spent its customer's API budget, or will once its access key is looked up (middleware/rate-limit.ts). */
    rateBudget: "pending" | "spent";
    /** The Idempotency-Key this request holds, if any (middleware/idempotency.ts). */
    idempotencyClaim: IdempotencyClaim;
    /** Work to start once the answer is complete (lib/after-response.ts). */
    afterResponse: Work[];
  };
}
