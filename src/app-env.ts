import type { Principal } from "./auth/principal";
import type { Db } from "./db/client";
import type { Env } from "./env";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    db: Db;
    principal: Principal;
  };
}
