/** Campaign funnel, repurchase, cohorts, RFM, tier movement and group-chat reports. */
export * from './analytics-http.module';
export * from './analytics.errors';
export * from './analytics.module';
export * from './analytics.roles';
export { AnalyticsService } from './analytics.service';
export type { RangeQuery, ReportHeader, SegmentRangeQuery } from './analytics.service';
export * from './report-range';
export type { CohortReport } from './reports/cohorts.report';
export type { FunnelFigure } from './reports/funnel.report';
export type { GroupChatFigure } from './reports/group-chats.report';
export type { RepurchaseReport } from './reports/repurchase.report';
export type { RfmSnapshot } from './reports/rfm.report';
export type { TierMovementMonth } from './reports/tier-movement.report';
