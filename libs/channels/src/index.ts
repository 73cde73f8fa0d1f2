export * from './accounts/channel-accounts.service';
export type { OaAppView } from './accounts/dto/oa-app-response.dto';
export type { WecomAccountView } from './accounts/dto/wecom-account-response.dto';
export * from './adapters/channel-adapter';
export * from './adapters/channel-adapters';
export { OaMessageAdapter } from './adapters/oa-message.adapter';
export { outcomeForStatus, WecomGroupAdapter, WecomSingleAdapter } from './adapters/wecom-broadcast.adapter';
export type { CallbackFields } from './callback/callback-xml';
export * from './callback/wecom-callback-crypto';
export * from './callback/wecom-event.registry';
export {
  MAX_EVENT_ATTEMPTS,
  ROUTINE_EVENT_PRIORITY,
  WecomEventsService,
} from './callback/wecom-events.service';
export type { WecomEventRecord } from './callback/wecom-events.service';
export type { WecomEventStatus } from './callback/entities/wecom-event.entity';
export * from './channel-errors';
export * from './channels-http.module';
export * from './channels-worker.module';
export * from './channels.module';
export * from './jobs/channels.queue';
export * from './oa/oa-client';
export * from './rate-limit/channel-rate-limiter';
export * from './wecom/wecom-client';
export * from './wecom/wecom-message';
