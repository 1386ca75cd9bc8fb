import type { RouteModule } from "../lib/route";
import { accesskeyRoutes } from "./accesskeys";
import { authRoutes } from "./auth";
import { customerRoutes } from "./customer";
import { customersRoutes } from "./customers";
import { resourceRoutes } from "./resources";
import { serviceRoutes } from "./service";
import { serviceAgentRoutes } from "./service-agents";
import { storageFileRoutes } from "./storage-files";

export const routes: RouteModule<any>[] = [
  ...authRoutes,
  ...customerRoutes,
  ...customersRoutes,
  ...accesskeyRoutes,
  ...resourceRoutes,
  ...storageFileRoutes,
  ...serviceAgentRoutes,
  ...serviceRoutes,
];
