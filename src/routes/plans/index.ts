import type { RouteModule } from "../../lib/route";
import { updatePlanType } from "./plan-type";
import { getCustomerUsage, getOwnUsage } from "./usage";

/** Plans and usage: the operator's plan setter and the usage reads (issue 17). */
export const planRoutes: RouteModule[] = [updatePlanType, getOwnUsage, getCustomerUsage];
