import { Type } from '@sinclair/typebox';
import { distributionReport, storeRanking } from '../../analytics/reports.ts';
import type { Warehouse } from '../../analytics/warehouse.ts';
import { USER_ROLES } from '../../contracts/enums.ts';
import {
  DistributionCellSchema,
  DistributionSchema,
  DistributionSkuSchema,
  RankedStoreSchema,
  RankingSchema,
  TerritoryAttainmentSchema,
} from '../../contracts/reports.ts';
import { badRequest } from '../errors.ts';
import { FormatQuery, sendTable, tableFormat } from '../exports.ts';
import type { Api } from '../instance.ts';

export interface ReportRoutesDeps {
  warehouse: Warehouse;
}

const SPREADSHEET = 'As a spreadsheet with ?format=csv|xlsx (or the Accept header).';

export async function reportRoutes(app: Api, deps: ReportRoutesDeps): Promise<void> {
  app.get(
    '/v1/reports/ranking',
    {
      schema: {
        summary: 'Sales against the month’s targets: attainment, pace and the store ranking, per store and territory',
        description: `Targets come from POST /v1/targets. The month so far counts up to the latest sales day. ${SPREADSHEET} The xlsx has a stores and a territories sheet, the csv the stores.`,
        tags: ['reports'],
        security: [{ bearer: [] }],
        querystring: Type.Object({
          month: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM; default the month of the latest sales day' })),
          format: Type.Optional(FormatQuery),
        }),
        response: { 200: RankingSchema },
      },
      config: { roles: USER_ROLES },
    },
    async (request, reply) => {
      const { month, format } = request.query;
      const principal = request.principal!;
      const ranking = await storeRanking(deps.warehouse, { month, storeIds: principal.storeIds, territories: principal.territories });
      const wanted = tableFormat(request, format);
      if (wanted === 'json') return ranking;
      return sendTable(reply, wanted, `ranking-${ranking.month}`, [
        { name: 'stores', schema: RankedStoreSchema, rows: ranking.stores },
        { name: 'territories', schema: TerritoryAttainmentSchema, rows: ranking.territories },
      ]);
    },
  );

  app.get(
    '/v1/reports/distribution',
    {
      schema: {
        summary: 'Distribution and on-shelf availability: where each ranged SKU was seen on the shelf, sold, or missing',
        description: `Every SKU × store pair of the assortment in the reader’s scope, from the period’s analysed photos and scans (default: the 28 days up to the latest sales day). ${SPREADSHEET} The xlsx has a skus and a stores sheet, the csv the SKU × store pairs.`,
        tags: ['reports'],
        security: [{ bearer: [] }],
        querystring: Type.Object({
          from: Type.Optional(Type.String({ format: 'date' })),
          to: Type.Optional(Type.String({ format: 'date' })),
          category: Type.Optional(Type.String({ maxLength: 512 })),
          brand: Type.Optional(Type.String({ maxLength: 512 })),
          format: Type.Optional(FormatQuery),
        }),
        response: { 200: DistributionSchema },
      },
      config: { roles: USER_ROLES },
    },
    async (request, reply) => {
      const { format, ...filters } = request.query;
      if (filters.from && filters.to && filters.from > filters.to) throw badRequest(`from ${filters.from} is after to ${filters.to}`);
      const principal = request.principal!;
      const report = await distributionReport(deps.warehouse, { ...filters, storeIds: principal.storeIds, territories: principal.territories });
      const wanted = tableFormat(request, format);
      if (wanted === 'json') return report;
      const sheets = [
        { name: 'stores', schema: DistributionCellSchema, rows: report.cells },
        { name: 'skus', schema: DistributionSkuSchema, rows: report.skus },
      ];
      return sendTable(reply, wanted, `distribution-${report.from}-${report.to}`, wanted === 'xlsx' ? sheets.reverse() : sheets);
    },
  );
}
