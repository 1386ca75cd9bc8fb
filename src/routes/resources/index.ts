import { resourceKinds } from "../../db/owned";
import type { RouteModule } from "../../lib/route";
import { changeAgentPassword } from "./agent-password";
import { crudRoutes } from "./crud";
import { kindDefaults, kindRules } from "./rules";

// The agent password route must precede /v1.0/agents/{id} so it is not read as an id.
export const resourceRoutes: RouteModule<any>[] = [
  changeAgentPassword,
  ...resourceKinds.flatMap((kind) => crudRoutes(kind, kindRules[kind], kindDefaults[kind])),
];
