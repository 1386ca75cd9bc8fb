import type { RouteModule } from "../../lib/route";
import { health } from "./health";
import { root } from "./root";

export const serviceRoutes: RouteModule<any>[] = [root, health];
