import { expect } from 'vitest';
import type { TestServer } from './server.ts';

/**
 * The admin's requests that the API tests repeat, for a server that a `beforeAll` starts later (hence the getter).
 */
export function adminRequests(server: () => TestServer) {
  return {
    /** POSTs as the admin and expects it accepted (2xx); the answer's body. */
    async post(url: string, payload: unknown) {
      const res = await server().app.inject({ method: 'POST', url, headers: server().admin(), payload: payload as object });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json();
    },
    /** The alert list as the admin sees it, with an optional query string. */
    async alerts(query = '') {
      const res = await server().app.inject({ method: 'GET', url: `/v1/alerts?${query}`, headers: server().admin() });
      expect(res.statusCode).toBe(200);
      return res.json().alerts as Record<string, any>[];
    },
  };
}
