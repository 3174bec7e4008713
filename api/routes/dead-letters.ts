import { Type } from '@sinclair/typebox';
import { listDeadLetters } from '../../analytics/dead-letters.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import { replayDeadLetters } from '../../pipelines/dead-letters.ts';
import type { EventLog } from '../../pipelines/log/event-log.ts';
import type { Api } from '../instance.ts';

export interface DeadLetterDeps {
  warehouse: Warehouse;
  log: EventLog;
}

const DeadLetter = Type.Object({
  dead_letter_id: Type.String(),
  topic: Type.String(),
  reason: Type.String(),
  record: Type.String({ description: 'The record as JSON text' }),
  failed_at: Type.String(),
});

/** Records the pipelines could not handle: who failed, why, and a way to send them through again. */
export async function deadLetterRoutes(app: Api, deps: DeadLetterDeps): Promise<void> {
  app.get(
    '/v1/dead-letters',
    {
      schema: {
        summary: 'Records that could not be stored or delivered, newest first, with the reason',
        tags: ['operations'],
        security: [{ bearer: [] }],
        querystring: Type.Object({
          topic: Type.Optional(Type.String({ maxLength: 64 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: { 200: Type.Object({ dead_letters: Type.Array(DeadLetter) }) },
      },
      config: { roles: ['admin'] },
    },
    async (request) => ({ dead_letters: await listDeadLetters(deps.warehouse, request.query.topic ?? '', request.query.limit ?? 100) }),
  );

  app.post(
    '/v1/dead-letters/replay',
    {
      schema: {
        summary: 'Send dead-lettered records back to their topic, optionally corrected',
        tags: ['operations'],
        security: [{ bearer: [] }],
        body: Type.Object(
          {
            ids: Type.Array(Type.String({ maxLength: 256 }), { minItems: 1, maxItems: 10_000 }),
            corrections: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Corrected record by dead_letter_id' })),
          },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ replayed: Type.Array(Type.String()), not_found: Type.Array(Type.String()) }) },
      },
      config: { roles: ['admin'] },
    },
    async (request, reply) => reply.code(202).send(await replayDeadLetters(deps.log, deps.warehouse, request.body.ids, request.body.corrections)),
  );
}
