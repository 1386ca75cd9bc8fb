import type { RouteModule } from "../../lib/route";
import { contactItemRoutesAt, contactLookupAt, type ContactRouteOptions } from "../resources/contacts";
import { readRoutes, writeRoutes } from "../resources/crud";
import { AGENT_ROUTES, SERVICE_AGENTS } from "./caller";

// The customer's contacts, for every agent of it: list, get, create, change, delete, their
// addresses and tags one at a time, and the lookup, from the customer-level factories.

const base = `${SERVICE_AGENTS}/contacts`;
const items: ContactRouteOptions = {
  tags: AGENT_ROUTES.tags,
  readMask: AGENT_ROUTES.mask,
  writeMask: AGENT_ROUTES.mask,
  middleware: AGENT_ROUTES.middleware,
};

const [list, get] = readRoutes("contacts", base, AGENT_ROUTES);
const { create, update, remove } = writeRoutes("contacts", base, AGENT_ROUTES);

export const serviceAgentContactRoutes: RouteModule[] = [
  // Before {id}, so "lookup" is not read as an id.
  contactLookupAt(`${base}/lookup`, items),
  list,
  create,
  get,
  update,
  remove,
  ...contactItemRoutesAt(base, items),
];
