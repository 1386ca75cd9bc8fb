import { updateOwnBillingAccount } from "./billing-account";
import { sendOwnEmailVerification } from "./email-verification";
import { getOwnCustomer } from "./get";
import { updateOwnMetadata } from "./metadata";
import { updateOwnCustomer } from "./update";

export const customerRoutes = [getOwnCustomer, updateOwnCustomer, updateOwnMetadata, sendOwnEmailVerification, updateOwnBillingAccount];
