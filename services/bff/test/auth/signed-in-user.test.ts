import { AppError } from '@storefront/service-kit'
import { describe, expect, it } from 'vitest'

import { signedInUser } from '../../src/auth/auth-plugin.js'
import { bffPerTest } from '../helper.js'

const start = bffPerTest()

describe('signedInUser', () => {
  it('returns the user the auth hook resolved', () => {
    expect(signedInUser({ userId: 7 })).toBe(7)
  })

  it('throws, without a user, the 401 the auth hook answers a required-auth route with', async () => {
    const bff = await start()
    const hook = await bff.app.inject({ method: 'GET', url: '/auth/me' })
    const problem = hook.json<{ code: string; status: number; detail: string }>()
    let thrown: unknown
    try {
      signedInUser({ userId: undefined })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(AppError)
    expect(thrown).toMatchObject({
      code: problem.code,
      statusCode: 401,
      message: problem.detail,
      headers: { 'www-authenticate': hook.headers['www-authenticate'] },
    })
    expect(problem).toMatchObject({ code: 'BFF_ERR_SIGN_IN_REQUIRED', status: 401 })
  })
})
