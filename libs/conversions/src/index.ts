/** Tracked links, clicks, orders in (webhooks, affiliate reports) and attribution. */
export * from './ingest';
export { AttributionService } from './attribution.service';
export type { RuleCounts } from './attribution.service';
export { ClickDrainer } from './click-drainer.service';
export { ClickRecorder } from './click-recorder.service';
export { ConversionSettingsService } from './conversion-settings.service';
export type { ConversionSettingsView } from './conversion-settings.service';
export * from './conversions-http.module';
export * from './conversions-worker.module';
export * from './conversions.constants';
export * from './conversions.errors';
export * from './conversions.module';
export * from './conversions.roles';
export { randomLinkCode } from './link-codes';
export { LinkResolver } from './link-resolver.service';
export { LinksService } from './links.service';
export { RedirectServer } from './redirect-server';
export type { LinkStats } from './links.service';
