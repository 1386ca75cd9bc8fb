import type { GoModel } from "./replay";

/**
 * The response models of voipbin/voipbin-go (gens/voipbin_client/gen.go, generated from the
 * platform's OpenAPI): each field's json tag and the JSON type its Go field decodes. Every field
 * is a pointer with omitempty, so null decodes too; `?` marks where null is a fair answer (unset
 * ids and times). Trunk and extension `password` (SIP credentials) come back to the customer's
 * admins and access keys; other callers get the resource without it (`…WithoutPassword`).
 */

const times: GoModel = { tm_create: "string", tm_update: "string?", tm_delete: "string?" };

export const AgentModel: GoModel = {
  id: "string",
  customer_id: "string",
  username: "string",
  name: "string",
  detail: "string",
  ring_method: "string",
  status: "string",
  permission: "uint",
  tag_ids: "string[]",
  addresses: "object[]",
  ...times,
};

export const CustomerModel: GoModel = {
  id: "string",
  name: "string",
  detail: "string",
  email: "string",
  phone_number: "string",
  address: "string",
  webhook_method: "string",
  webhook_uri: "string",
  billing_account_id: "string?",
  ...times,
};

export const AccesskeyModel: GoModel = {
  id: "string",
  customer_id: "string",
  name: "string",
  detail: "string",
  tm_expire: "string?",
  ...times,
};

export const FileModel: GoModel = {
  id: "string",
  customer_id: "string",
  owner_id: "string?",
  name: "string",
  detail: "string",
  filename: "string",
  filesize: "int",
  reference_type: "string",
  reference_id: "string?",
  uri_download: "string?",
  tm_download_expire: "string?",
  ...times,
};

export const BillingAccountModel: GoModel = {
  id: "string",
  customer_id: "string",
  name: "string",
  detail: "string",
  balance: "number",
  payment_method: "string",
  payment_type: "string",
  ...times,
};

export const NumberModel: GoModel = {
  id: "string",
  customer_id: "string",
  number: "string",
  name: "string",
  detail: "string",
  call_flow_id: "string?",
  message_flow_id: "string?",
  status: "string",
  t38_enabled: "bool",
  emergency_enabled: "bool",
  tm_purchase: "string?",
  tm_renew: "string?",
  ...times,
};

export const QueueModel: GoModel = {
  id: "string",
  customer_id: "string",
  name: "string",
  detail: "string",
  routing_method: "string",
  tag_ids: "string[]",
  wait_flow_id: "string?",
  wait_timeout: "int",
  service_timeout: "int",
  wait_queuecall_ids: "string[]",
  service_queuecall_ids: "string[]",
  total_incoming_count: "int",
  total_serviced_count: "int",
  total_abandoned_count: "int",
  ...times,
};

export const TranscribeModel: GoModel = {
  id: "string",
  customer_id: "string",
  reference_type: "string",
  reference_id: "string",
  status: "string",
  language: "string",
  direction: "string",
  ...times,
};

export const TrunkModel: GoModel = {
  id: "string",
  customer_id: "string",
  name: "string",
  detail: "string",
  domain_name: "string",
  auth_types: "string[]",
  username: "string",
  password: "string",
  allowed_ips: "string[]",
  ...times,
};

export const ExtensionModel: GoModel = {
  id: "string",
  customer_id: "string",
  name: "string",
  detail: "string",
  extension: "string",
  domain_name: "string",
  username: "string",
  password: "string",
  ...times,
};

/** An extension as an agent reads it (GetServiceAgentsExtensions): the SIP password is for admins. */
export const { password: _extensionPassword, ...ExtensionWithoutPassword } = ExtensionModel;

export const FlowModel: GoModel = {
  id: "string",
  customer_id: "string",
  type: "string",
  name: "string",
  detail: "string",
  actions: "object[]",
  on_complete_flow_id: "string?",
  ...times,
};

export const TagModel: GoModel = { id: "string", name: "string", detail: "string", ...times };

/** `AuthLoginResponse`: plain (non-pointer) strings. */
export const LoginModel: GoModel = { username: "string", token: "string" };
