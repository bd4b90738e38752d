import { describe, expect, it } from 'vitest'

import { RevokedTokens } from '../../src/auth/revoked-tokens.js'

describe('RevokedTokens', () => {
  it('holds a token until it would have expired, then lets it go', () => {
    let now = 1_000_000
    const revoked = new RevokedTokens({ now: () => now })
    revoked.revoke('token-a', now + 60_000)
    expect(revoked.has('token-a')).toBe(true)
    expect(revoked.has('token-b')).toBe(false)
    now += 59_999
    expect(revoked.has('token-a')).toBe(true)
    now += 1
    expect(revoked.has('token-a')).toBe(false)
  })

  it('ignores a token that has already expired', () => {
    const revoked = new RevokedTokens({ now: () => 5000 })
    revoked.revoke('old', 5000)
    expect(revoked.size).toBe(0)
    expect(revoked.has('old')).toBe(false)
  })

  it('stays within maxEntries, forgetting the oldest revocations first', () => {
    const revoked = new RevokedTokens({ maxEntries: 100, now: () => 0 })
    for (let index = 0; index < 1000; index++) {
      revoked.revoke(`token-${index}`, 1_000_000)
      expect(revoked.size).toBeLessThanOrEqual(100)
    }
    expect(revoked.has('token-999')).toBe(true)
    expect(revoked.has('token-900')).toBe(true)
    expect(revoked.has('token-899')).toBe(false)
  })

  it('drops expired revocations as the list grows', () => {
    let now = 0
    const revoked = new RevokedTokens({ now: () => now })
    for (let index = 0; index < 1023; index++) {
      revoked.revoke(`short-${index}`, 10)
    }
    now = 20
    revoked.revoke('long', 1000)
    expect(revoked.size).toBe(1)
    expect(revoked.has('long')).toBe(true)
  })
})
