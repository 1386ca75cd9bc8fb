import { updateOwnBillingAccount } from "./billing-account";
import { sendOwnEmailVerification } from "./email-verification";
import { getOwnCustomer } from "./get";
import { updateOwnMetadata } from "./metadata";
import { updateOwnCustomer } from "./update";
import { listOwnDeliveries, listOwnEvents, rotateWebhookSecret } from "./webhooks";

export const customerRoutes = [
  getOwnCustomer,
  updateOwnCustomer,
  updateOwnMetadata,
  sendOwnEmailVerification,
  updateOwnBillingAccount,
  listOwnEvents,
  listOwnDeliveries,
  rotateWebhookSecret,
];
