import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifySchema } from 'fastify';
import { upsertMasterData } from '../../analytics/master-data.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import type { EventPublisher } from '../../pipelines/event-publisher.ts';
import { ingestRows } from '../../pipelines/metrics.ts';
import { IngestResult, MASTER_DATA, type MasterDataKind } from '../../contracts/records.ts';
import { EVENT_STREAMS, type EventStream } from '../../pipelines/log/topics.ts';
import { recordCheck } from '../../pipelines/validate.ts';
import { unavailable } from '../errors.ts';
import { bodyFormat, bodyRows, XLSX } from '../rows.ts';
import type { UserRole } from '../../contracts/enums.ts';
import type { Api } from '../instance.ts';

export interface RecordRoutesDeps {
  warehouse: Warehouse;
  publisher: EventPublisher;
  maxRowsPerRequest: number;
  /** Records waiting for the warehouse sink; above `maxSinkLag` ingest answers 503 with Retry-After. */
  sinkLag: () => number;
  maxSinkLag: number;
}

const BODY_FORMATS = ['application/json', 'application/x-ndjson', 'text/csv', XLSX];

/** The body is validated row by row (bad rows are reported, good rows still go in); the schema documents it. */
function rowsSchema(schema: TSchema, summary: string, description: string): FastifySchema {
  return {
    summary,
    description:
      `${description} Body: a JSON array, NDJSON (application/x-ndjson), CSV (text/csv, header row = field names; UTF-8, or GBK/GB18030 ` +
      'named by charset= or told from the bytes) or an .xlsx workbook (its first sheet, header row = field names). `null` in an optional ' +
      'field means absent; fields the record does not have are ignored and named in ignored_fields.',
    consumes: BODY_FORMATS,
    body: Type.Array(schema),
    response: { 202: IngestResult },
    security: [{ bearer: [] }],
  };
}

/** The body's schema documents the route; its rows are checked one by one (splitChecked), so a bad row is rejected with its line while the others go in. */
const rowsCheckedOneByOne = () => () => true;

function splitChecked<T>(rows: ReturnType<typeof bodyRows>, check: ReturnType<typeof recordCheck>) {
  const valid: { line: number; value: T; text?: string | undefined }[] = [];
  const rejected: IngestResult['rejected'] = [];
  const ignored = new Set<string>();
  for (const row of rows) {
    if ('error' in row) {
      rejected.push({ line: row.line, error: row.error });
      continue;
    }
    for (const field of row.ignored ?? []) ignored.add(field);
    const checked = check(row.value);
    // The check hands the row's value back as it is, so the row itself goes on.
    if (checked.ok) valid.push(row as (typeof valid)[number]);
    else rejected.push({ line: row.line, error: checked.error });
  }
  return { valid, rejected, ignored_fields: [...ignored] };
}

const MASTER_DATA_ROLES: readonly UserRole[] = ['admin'];
const EVENT_ROLES: readonly UserRole[] = ['admin'];

export async function recordRoutes(app: Api, deps: RecordRoutesDeps): Promise<void> {
  for (const [kind, spec] of Object.entries(MASTER_DATA) as [MasterDataKind, (typeof MASTER_DATA)[MasterDataKind]][]) {
    const check = recordCheck(spec.schema);
    app.post(
      `/v1/${kind}`,
      {
        schema: { ...rowsSchema(spec.schema, `Upsert ${kind}`, `Upserts ${kind} by ${spec.key.join(' + ')}; the latest write wins.`), tags: ['master data'] },
        validatorCompiler: rowsCheckedOneByOne,
        config: { roles: MASTER_DATA_ROLES, rateLimit: {} },
      },
      async (request, reply) => {
        const rows = bodyRows(bodyFormat(request.headers['content-type']), request.body, spec.schema, deps.maxRowsPerRequest);
        const { valid, rejected, ignored_fields } = splitChecked<Record<string, unknown>>(rows, check);
        const accepted = await upsertMasterData(
          deps.warehouse,
          spec.table,
          valid.map((v) => v.value),
        );
        ingestRows.inc({ stream: kind, outcome: 'accepted' }, accepted);
        ingestRows.inc({ stream: kind, outcome: 'rejected' }, rejected.length);
        return reply.code(202).send({ accepted, duplicates: 0, rejected, ignored_fields } satisfies IngestResult);
      },
    );
  }

  for (const [stream, spec] of Object.entries(EVENT_STREAMS) as [EventStream, (typeof EVENT_STREAMS)[EventStream]][]) {
    const check = recordCheck(spec.schema);
    app.post(
      `/v1/events/${stream}`,
      {
        schema: {
          ...rowsSchema(spec.schema, `Append ${stream}`, `Appends ${stream} events; re-sending an event_id never counts twice.`),
          tags: ['events'],
        },
        validatorCompiler: rowsCheckedOneByOne,
        config: { roles: EVENT_ROLES, rateLimit: {} },
      },
      async (request, reply) => {
        if (deps.sinkLag() > deps.maxSinkLag) {
          throw unavailable(`the warehouse is ${deps.sinkLag()} records behind; retry shortly`, 5);
        }
        const rows = bodyRows(bodyFormat(request.headers['content-type']), request.body, spec.schema, deps.maxRowsPerRequest);
        const { valid, rejected, ignored_fields } = splitChecked<{ event_id: string; store_id: string; ts: string }>(rows, check);
        const { accepted, duplicates } = await deps.publisher.publish(
          stream,
          valid.map((v) => v.value),
          { encoded: valid.map((v) => v.text), checked: true },
        );
        ingestRows.inc({ stream, outcome: 'accepted' }, accepted);
        ingestRows.inc({ stream, outcome: 'duplicate' }, duplicates);
        ingestRows.inc({ stream, outcome: 'rejected' }, rejected.length);
        return reply.code(202).send({ accepted, duplicates, rejected, ignored_fields } satisfies IngestResult);
      },
    );
  }
}
