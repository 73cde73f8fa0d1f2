import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ValidationException } from '@siyu/platform';
import { stringify } from 'csv-stringify';
import { DataSource } from 'typeorm';
import { AcquisitionReportQueryDto, ReportDimension } from './dto/acquisition-report-query.dto';

export interface AcquisitionReportRow {
  dimension: ReportDimension;
  /** The channel code id (or a registry kind such as `referral`), the source channel, or the staff userid. */
  key: string;
  label: string;
  /** ISO week of the add in the brand's zone (`2026-W47`), or `all`. */
  cohort: string;
  adds: number;
  welcomesDelivered: number;
  deletedWithin1d: number;
  deletedWithin7d: number;
  /** Adds at least 7 days old, and of those the ones not deleted within 7 days. */
  eligible7d: number;
  retained7d: number;
  eligible30d: number;
  retained30d: number;
  /** Adds whose member placed their first order on or after the add. */
  firstOrders: number;
  /** Median hours from the add to that first order; null with no first orders. */
  medianHoursToFirstOrder: number | null;
}

export interface AcquisitionReport {
  timeZone: string;
  from: string;
  to: string;
  rows: AcquisitionReportRow[];
}

const COLUMNS: Array<keyof AcquisitionReportRow> = [
  'dimension',
  'key',
  'label',
  'cohort',
  'adds',
  'welcomesDelivered',
  'deletedWithin1d',
  'deletedWithin7d',
  'eligible7d',
  'retained7d',
  'eligible30d',
  'retained30d',
  'firstOrders',
  'medianHoursToFirstOrder',
];

/**
 * The acquisition report, one SQL statement over the acquired contacts: per channel code, source
 * channel and staff member, cohorted by the ISO week of the add in the brand's zone (and over all
 * weeks). Deletes are the contact relationship's end (community_contact_follows.ended_at, either
 * side) within 1 / 7 days of the add; retained at N days counts the adds at least N days old not
 * deleted within N days; a first order is the member's earliest non-cancelled order, counted when
 * placed on or after the add.
 */
@Injectable()
export class AcquisitionReportService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async report(brandId: string, q: AcquisitionReportQueryDto): Promise<AcquisitionReport> {
    const [{ tz, today }]: Array<{ tz: string; today: string }> = await this.ds.query(
      `SELECT time_zone AS tz, to_char((now() AT TIME ZONE time_zone)::date, 'YYYY-MM-DD') AS today FROM brands WHERE id = $1`,
      [brandId],
    );
    const to = q.to ?? today;
    const from =
      q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 83 * 86_400_000).toISOString().slice(0, 10);
    if (from > to) throw new ValidationException([{ field: 'from', message: 'from must not be after to' }]);
    const rows: Array<Record<string, unknown>> = await this.ds.query(REPORT_SQL, [
      brandId,
      from,
      to,
      q.dimension ?? null,
    ]);
    return {
      timeZone: tz,
      from,
      to,
      rows: rows.map((r) => ({
        dimension: r.dimension as ReportDimension,
        key: r.key as string,
        label: r.label as string,
        cohort: r.cohort as string,
        adds: Number(r.adds),
        welcomesDelivered: Number(r.welcomes),
        deletedWithin1d: Number(r.del1),
        deletedWithin7d: Number(r.del7),
        eligible7d: Number(r.elig7),
        retained7d: Number(r.ret7),
        eligible30d: Number(r.elig30),
        retained30d: Number(r.ret30),
        firstOrders: Number(r.first_orders),
        medianHoursToFirstOrder:
          r.median_hours === null ? null : Math.round(Number(r.median_hours) * 100) / 100,
      })),
    };
  }

  async csv(brandId: string, q: AcquisitionReportQueryDto): Promise<Readable> {
    const report = await this.report(brandId, q);
    return Readable.from(report.rows.map((r) => COLUMNS.map((c) => r[c]))).pipe(
      stringify({ header: true, columns: COLUMNS as string[] }),
    );
  }
}

const REPORT_SQL = `
WITH b AS (SELECT time_zone AS tz FROM brands WHERE id = $1),
c AS (
  SELECT COALESCE(a.code_id::text, a.kind) AS code_key, COALESCE(cc.name, a.kind) AS code_label,
         COALESCE(a.source_channel, 'unknown') AS source, a.staff_userid AS staff,
         to_char(date_trunc('week', a.added_at AT TIME ZONE b.tz), 'IYYY-"W"IW') AS cohort,
         a.added_at, w.status = 'sent' AS welcomed,
         CASE WHEN f.ended_at >= a.added_at THEN f.ended_at END AS ended_at,
         fo.first_order_at
    FROM acquisition_contacts a
    CROSS JOIN b
    LEFT JOIN acquisition_channel_codes cc ON cc.id = a.code_id AND cc.brand_id = a.brand_id
    LEFT JOIN acquisition_welcomes w ON w.contact_id = a.id
    LEFT JOIN community_staff s ON s.brand_id = a.brand_id AND s.userid = a.staff_userid
    LEFT JOIN community_contact_follows f
           ON f.brand_id = a.brand_id AND f.staff_id = s.id AND f.external_userid = a.external_userid
    LEFT JOIN LATERAL (
      SELECT min(o.placed_at) AS first_order_at FROM orders o
       WHERE o.brand_id = a.brand_id AND o.member_id = a.member_id AND o.status <> 'cancelled'
    ) fo ON a.member_id IS NOT NULL
   WHERE a.brand_id = $1
     AND a.added_at >= ($2::date::timestamp AT TIME ZONE b.tz)
     AND a.added_at < (($3::date + 1)::timestamp AT TIME ZONE b.tz)
),
g AS (
  SELECT CASE WHEN GROUPING(code_key) = 0 THEN 'code' WHEN GROUPING(source) = 0 THEN 'source' ELSE 'staff' END AS dimension,
         COALESCE(code_key, source, staff) AS key,
         CASE WHEN GROUPING(code_key) = 0 THEN min(code_label) WHEN GROUPING(source) = 0 THEN source ELSE staff END AS label,
         COALESCE(cohort, 'all') AS cohort,
         count(*) AS adds,
         count(*) FILTER (WHERE welcomed) AS welcomes,
         count(*) FILTER (WHERE ended_at < added_at + interval '1 day') AS del1,
         count(*) FILTER (WHERE ended_at < added_at + interval '7 days') AS del7,
         count(*) FILTER (WHERE added_at + interval '7 days' <= now()) AS elig7,
         count(*) FILTER (WHERE added_at + interval '7 days' <= now()
                            AND (ended_at IS NULL OR ended_at >= added_at + interval '7 days')) AS ret7,
         count(*) FILTER (WHERE added_at + interval '30 days' <= now()) AS elig30,
         count(*) FILTER (WHERE added_at + interval '30 days' <= now()
                            AND (ended_at IS NULL OR ended_at >= added_at + interval '30 days')) AS ret30,
         count(*) FILTER (WHERE first_order_at >= added_at) AS first_orders,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_order_at - added_at) / 3600)
           FILTER (WHERE first_order_at >= added_at) AS median_hours
    FROM c
   GROUP BY GROUPING SETS ((code_key, cohort), (code_key), (source, cohort), (source), (staff, cohort), (staff))
)
SELECT * FROM g WHERE $4::text IS NULL OR dimension = $4
 ORDER BY CASE dimension WHEN 'code' THEN 1 WHEN 'source' THEN 2 ELSE 3 END, key, cohort = 'all' DESC, cohort`;
