import { createCustomerRoute } from "./create";
import { getCustomer } from "./get";
import { listCustomers } from "./list";
import { updateCustomerMetadata, updateCustomerRoute } from "./update";

export const customersRoutes = [listCustomers, createCustomerRoute, getCustomer, updateCustomerRoute, updateCustomerMetadata];
