import type { RouteModule } from "../../lib/route";
import { serviceAgentContactRoutes } from "./contacts";
import { getServiceAgentCustomer } from "./customer";
import { serviceAgentFileRoutes } from "./files";
import { serviceAgentMeRoutes } from "./me";
import { serviceAgentViewRoutes } from "./views";

/** The contract's /v1.0/service_agents/*: the logged-in agent itself, its customer, and its view of the customer's data. */
export const serviceAgentRoutes: RouteModule<any>[] = [
  ...serviceAgentMeRoutes,
  getServiceAgentCustomer,
  ...serviceAgentViewRoutes,
  ...serviceAgentFileRoutes,
  ...serviceAgentContactRoutes,
];
