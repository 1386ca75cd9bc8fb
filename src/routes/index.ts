import type { RouteModule } from "../lib/route";
import { accesskeyRoutes } from "./accesskeys";
import { authRoutes } from "./auth";
import { customerRoutes } from "./customer";
import { customersRoutes } from "./customers";
import { planRoutes } from "./plans";
import { resourceRoutes } from "./resources";
import { storageAccountRoutes } from "./storage-accounts";
import { serviceRoutes } from "./service";
import { serviceAgentRoutes } from "./service-agents";
import { storageFileRoutes } from "./storage-files";

export const routes: RouteModule[] = [
  ...authRoutes,
  ...customerRoutes,
  ...customersRoutes,
  ...planRoutes,
  ...accesskeyRoutes,
  ...resourceRoutes,
  ...storageFileRoutes,
  ...storageAccountRoutes,
  ...serviceAgentRoutes,
  ...serviceRoutes,
];
