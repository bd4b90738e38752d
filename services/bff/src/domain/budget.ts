import { Deadline } from '@storefront/resilience'

/** `ms` from now, but never past the request's own deadline. */
export function within(ms: number, deadline: Deadline | undefined): Deadline {
  return Deadline.earliest(Deadline.after(ms), deadline) ?? Deadline.after(ms)
}
