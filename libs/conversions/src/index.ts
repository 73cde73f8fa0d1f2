/** Tracked links, clicks, orders in (webhooks, affiliate reports) and attribution. */
export * from './ingest';
