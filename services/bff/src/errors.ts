import { defineErrors } from '@storefront/service-kit'

/** The BFF's own error codes; a downstream's client errors are passed on with theirs. */
export const bffErrors = defineErrors({
  SIGN_IN_REQUIRED: ['BFF_ERR_SIGN_IN_REQUIRED', 'Sign-in required', 401],
  BAD_TOKEN: ['BFF_ERR_BAD_TOKEN', 'Invalid or expired token', 401],
  CROSS_SITE: ['BFF_ERR_CROSS_SITE_REQUEST', 'Cross-site request refused', 403],
  RATE_LIMITED: ['BFF_ERR_RATE_LIMITED', 'Too many requests', 429],
  OPS_TOKEN_REQUIRED: ['BFF_ERR_OPS_TOKEN_REQUIRED', 'Operator token required', 401],
  OPS_TOKEN_WRONG: ['BFF_ERR_OPS_TOKEN_WRONG', 'Operator token refused', 403],
  SESSION_REVOKED: ['BFF_ERR_SESSION_REVOKED', 'Session signed out', 401],
  FAULT_CONTROL_DISABLED: ['BFF_ERR_FAULT_CONTROL_DISABLED', 'Fault control is off', 403],
  FAULT_CONTROL_FAILED: ['BFF_ERR_FAULT_CONTROL_FAILED', 'The service did not take the fault settings', 502],
})
