import { listAudit } from "./audit";
import { updateCustomerBillingAccount, updateIdentityVerification } from "./account-settings";
import { createCustomerRoute } from "./create";
import { getDeletion } from "./deletion";
import { getCustomer } from "./get";
import { deleteCustomer, freezeCustomer, recoverCustomer } from "./lifecycle";
import { listCustomers } from "./list";
import { listCustomerAccesskeys, listCustomerDeliveries, listCustomerEvents } from "./read-views";
import { updateCustomerMetadata, updateCustomerRoute } from "./update";

export const customersRoutes = [
  listCustomers,
  createCustomerRoute,
  getCustomer,
  updateCustomerRoute,
  updateCustomerMetadata,
  freezeCustomer,
  recoverCustomer,
  deleteCustomer,
  getDeletion,
  updateCustomerBillingAccount,
  updateIdentityVerification,
  listAudit,
  listCustomerEvents,
  listCustomerDeliveries,
  listCustomerAccesskeys,
];
