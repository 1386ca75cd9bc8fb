import type { RouteModule } from "../../lib/route";
import { serviceAgentMeRoutes } from "./me";
import { serviceAgentViewRoutes } from "./views";

/** The contract's /v1.0/service_agents/*: the logged-in agent itself, and read-only views of its customer. */
export const serviceAgentRoutes: RouteModule<any>[] = [...serviceAgentMeRoutes, ...serviceAgentViewRoutes];
