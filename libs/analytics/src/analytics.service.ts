import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { BrandsService } from '@siyu/platform';
import { SegmentQueryService, SegmentsService } from '@siyu/segments';
import { AnalyticsException } from './analytics.errors';
import { localDay, localMonths, ReportRange, resolveRange, startOfLocalDay } from './report-range';
import { ReportQuery, ReportRunner } from './report-runner';
import {
  COHORT_COLUMNS,
  CohortReport,
  CohortRow,
  cohortsQuery,
  shapeCohorts,
} from './reports/cohorts.report';
import {
  GROUP_CHAT_COLUMNS,
  GroupChatFigure,
  GroupChatRow,
  groupChatsQuery,
  shapeGroupChat,
} from './reports/group-chats.report';
import { FUNNEL_COLUMNS, FunnelFigure, funnelQuery, FunnelRow, shapeFunnel } from './reports/funnel.report';
import { MemberFilter } from './reports/report-sql';
import {
  REPURCHASE_COLUMNS,
  RepurchaseReport,
  repurchaseQuery,
  RepurchaseRow,
  shapeRepurchase,
} from './reports/repurchase.report';
import { RFM_COLUMNS, rfmQuery, RfmRow, RfmSnapshot, shapeRfm } from './reports/rfm.report';
import {
  shapeTierMovement,
  TIER_MOVEMENT_COLUMNS,
  TierMovementMonth,
  tierMovementQuery,
  TierMovementRow,
} from './reports/tier-movement.report';

/** The most monthly RFM snapshots one request may ask for (each scans the orders up to its date). */
export const MAX_RFM_SNAPSHOTS = 36;

export interface RangeQuery {
  from?: string;
  to?: string;
}
export interface SegmentRangeQuery extends RangeQuery {
  segmentId?: string;
}

/** What every report answers besides its figures: the range it covers, in brand time and UTC. */
export interface ReportHeader {
  from: string;
  to: string;
  timeZone: string;
  start: Date;
  end: Date;
  segmentId: string | null;
}

/** A report's statement and, for the JSON answer, how to shape its rows. */
interface Prepared<R, T> {
  header: ReportHeader;
  query: ReportQuery;
  shape: (rows: R[]) => T;
}

const header = (r: ReportRange, segmentId?: string): ReportHeader => ({
  from: r.from,
  to: r.to,
  timeZone: r.timeZone,
  start: r.start,
  end: r.end,
  segmentId: segmentId ?? null,
});

/**
 * The analytics reports. Each is one SQL statement (see reports/*.report.ts and the README); the
 * JSON answer and the CSV export run the same statement, so they show the same figures.
 */
@Injectable()
export class AnalyticsService {
  constructor(
    private readonly runner: ReportRunner,
    private readonly brands: BrandsService,
    private readonly segments: SegmentsService,
    private readonly segmentQuery: SegmentQueryService,
  ) {}

  private async zone(brandId: string): Promise<string> {
    return (await this.brands.get(brandId)).timeZone;
  }

  /** The saved segment's member-id query (404 for another brand's or an unknown segment). */
  private async segmentFilter(
    brandId: string,
    segmentId: string | undefined,
    params: unknown[],
  ): Promise<MemberFilter | null> {
    if (!segmentId) return null;
    const segment = await this.segments.get(brandId, segmentId);
    const prepared = await this.segments.prepareSaved(segment);
    return { sql: this.segmentQuery.memberIdsSql(prepared, params) };
  }

  private async run<R, T>(p: Prepared<R, T>): Promise<{ header: ReportHeader } & T> {
    const [rows] = await this.runner.rows<R>(p.query);
    return { header: p.header, ...p.shape(rows) };
  }

  private async prepareRepurchase(
    brandId: string,
    q: SegmentRangeQuery,
    now = new Date(),
  ): Promise<Prepared<RepurchaseRow, RepurchaseReport>> {
    const range = resolveRange(q, await this.zone(brandId), now);
    const asOf = range.end < now ? range.end : now;
    const params: unknown[] = [brandId, range.start, range.end, asOf];
    const filter = await this.segmentFilter(brandId, q.segmentId, params);
    return {
      header: header(range, q.segmentId),
      query: repurchaseQuery(filter, params),
      shape: (rows) => shapeRepurchase(rows, asOf),
    };
  }

  repurchase(brandId: string, q: SegmentRangeQuery) {
    return this.prepareRepurchase(brandId, q).then((p) => this.run(p));
  }

  async repurchaseCsv(brandId: string, q: SegmentRangeQuery): Promise<Readable> {
    return this.runner.csv((await this.prepareRepurchase(brandId, q)).query, REPURCHASE_COLUMNS);
  }

  private async prepareCohorts(
    brandId: string,
    q: SegmentRangeQuery,
    now = new Date(),
  ): Promise<Prepared<CohortRow, CohortReport>> {
    const range = resolveRange(q, await this.zone(brandId), now);
    const lastEnd = new Date(range.end.getTime() - 1);
    const months = localMonths(range.start, lastEnd > now ? lastEnd : now, range.timeZone);
    const params: unknown[] = [brandId, range.start, range.end, months.starts, months.labels];
    const filter = await this.segmentFilter(brandId, q.segmentId, params);
    return { header: header(range, q.segmentId), query: cohortsQuery(filter, params), shape: shapeCohorts };
  }

  cohorts(brandId: string, q: SegmentRangeQuery) {
    return this.prepareCohorts(brandId, q).then((p) => this.run(p));
  }

  async cohortsCsv(brandId: string, q: SegmentRangeQuery): Promise<Readable> {
    return this.runner.csv((await this.prepareCohorts(brandId, q)).query, COHORT_COLUMNS);
  }

  /** One snapshot at the end of `date` (brand time), or now. */
  private async prepareRfmAt(
    brandId: string,
    q: { date?: string; segmentId?: string },
    now = new Date(),
  ): Promise<Prepared<RfmRow, { snapshots: RfmSnapshot[] }>> {
    const timeZone = await this.zone(brandId);
    const day = q.date ?? localDay(now, timeZone);
    const end = startOfLocalDay(day, timeZone, 1);
    const asOf = end < now ? end : now;
    const params: unknown[] = [brandId, [asOf], [day]];
    const filter = await this.segmentFilter(brandId, q.segmentId, params);
    return {
      header: {
        from: day,
        to: day,
        timeZone,
        start: startOfLocalDay(day, timeZone),
        end,
        segmentId: q.segmentId ?? null,
      },
      query: rfmQuery(filter, params),
      shape: (rows) => ({ snapshots: shapeRfm(rows) }),
    };
  }

  rfmAt(brandId: string, q: { date?: string; segmentId?: string }) {
    return this.prepareRfmAt(brandId, q).then((p) => this.run(p));
  }

  async rfmAtCsv(brandId: string, q: { date?: string; segmentId?: string }): Promise<Readable> {
    return this.runner.csv((await this.prepareRfmAt(brandId, q)).query, RFM_COLUMNS);
  }

  /**
   * One snapshot per brand-local month of the range, as of the month's end (the range's end for
   * its last month, and never later than now). 400 naming `from` past MAX_RFM_SNAPSHOTS months.
   */
  private async prepareRfmMonthly(
    brandId: string,
    q: SegmentRangeQuery,
    now = new Date(),
  ): Promise<Prepared<RfmRow, { snapshots: RfmSnapshot[] }>> {
    const range = resolveRange(q, await this.zone(brandId), now);
    const months = localMonths(range.start, new Date(range.end.getTime() - 1), range.timeZone);
    const count = months.labels.length - 1;
    if (count > MAX_RFM_SNAPSHOTS)
      throw AnalyticsException.badParam('from', `the range may span at most ${MAX_RFM_SNAPSHOTS} months`);
    const asOfs = months.starts.slice(1).map((s) => {
      const end = s < range.end ? s : range.end;
      return end < now ? end : now;
    });
    const params: unknown[] = [brandId, asOfs, months.labels.slice(0, count)];
    const filter = await this.segmentFilter(brandId, q.segmentId, params);
    return {
      header: header(range, q.segmentId),
      query: rfmQuery(filter, params),
      shape: (rows) => ({ snapshots: shapeRfm(rows) }),
    };
  }

  rfmMonthly(brandId: string, q: SegmentRangeQuery) {
    return this.prepareRfmMonthly(brandId, q).then((p) => this.run(p));
  }

  async rfmMonthlyCsv(brandId: string, q: SegmentRangeQuery): Promise<Readable> {
    return this.runner.csv((await this.prepareRfmMonthly(brandId, q)).query, RFM_COLUMNS);
  }

  private async prepareTierMovement(
    brandId: string,
    q: RangeQuery,
    now = new Date(),
  ): Promise<Prepared<TierMovementRow, { months: TierMovementMonth[] }>> {
    const range = resolveRange(q, await this.zone(brandId), now);
    const months = localMonths(range.start, new Date(range.end.getTime() - 1), range.timeZone);
    const labels = months.labels.slice(0, -1);
    return {
      header: header(range),
      query: tierMovementQuery([brandId, range.start, range.end, months.starts, months.labels]),
      shape: (rows) => ({ months: shapeTierMovement(rows, labels) }),
    };
  }

  tierMovement(brandId: string, q: RangeQuery) {
    return this.prepareTierMovement(brandId, q).then((p) => this.run(p));
  }

  async tierMovementCsv(brandId: string, q: RangeQuery): Promise<Readable> {
    return this.runner.csv((await this.prepareTierMovement(brandId, q)).query, TIER_MOVEMENT_COLUMNS);
  }

  private async prepareGroupChats(
    brandId: string,
    q: RangeQuery,
    limit: number | null,
    now = new Date(),
  ): Promise<Prepared<GroupChatRow, { groups: GroupChatFigure[] }>> {
    const range = resolveRange(q, await this.zone(brandId), now);
    return {
      header: header(range),
      query: groupChatsQuery([brandId, range.start, range.end, limit]),
      shape: (rows) => ({ groups: rows.map(shapeGroupChat) }),
    };
  }

  groupChats(brandId: string, q: RangeQuery & { limit: number }) {
    return this.prepareGroupChats(brandId, q, q.limit).then((p) => this.run(p));
  }

  async groupChatsCsv(brandId: string, q: RangeQuery): Promise<Readable> {
    return this.runner.csv((await this.prepareGroupChats(brandId, q, null)).query, GROUP_CHAT_COLUMNS);
  }

  private async prepareFunnel(
    brandId: string,
    q: RangeQuery,
    now = new Date(),
  ): Promise<Prepared<FunnelRow, { campaigns: FunnelFigure[] }>> {
    const range = resolveRange(q, await this.zone(brandId), now);
    return {
      header: header(range),
      query: funnelQuery([brandId, range.start, range.end]),
      shape: (rows) => ({ campaigns: rows.map(shapeFunnel) }),
    };
  }

  funnel(brandId: string, q: RangeQuery) {
    return this.prepareFunnel(brandId, q).then((p) => this.run(p));
  }

  async funnelCsv(brandId: string, q: RangeQuery): Promise<Readable> {
    return this.runner.csv((await this.prepareFunnel(brandId, q)).query, FUNNEL_COLUMNS);
  }
}
