import { resourceKinds } from "../../db/owned";
import type { RouteModule } from "../../lib/route";
import { changeAgentPassword } from "./agent-password";
import { billingForceRoutes } from "./billing-force";
import { contactItemRoutes, contactLookupRoute } from "./contacts";
import { crudRoutes, setterRoutes } from "./crud";
import { getMe } from "./me";
import { kindDefaults, kindRules } from "../../resources/rules";

// Fixed paths precede /v1.0/{kind}/{id} so they are not read as an id.
export const resourceRoutes: RouteModule<any>[] = [
  changeAgentPassword,
  getMe,
  contactLookupRoute,
  ...resourceKinds.flatMap((kind) => crudRoutes(kind, kindRules[kind], kindDefaults[kind])),
  ...resourceKinds.flatMap((kind) => setterRoutes(kind, kindRules[kind])),
  ...contactItemRoutes,
  ...billingForceRoutes,
];
