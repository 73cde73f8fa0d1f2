import { Module } from '@nestjs/common';
import { PlatformQueueModule } from '@siyu/platform';
import { ChannelAccountsService } from './accounts/channel-accounts.service';
import { ChannelAdapters } from './adapters/channel-adapters';
import { OaMessageAdapter } from './adapters/oa-message.adapter';
import { WecomGroupAdapter, WecomSingleAdapter } from './adapters/wecom-broadcast.adapter';
import { WecomEventRegistry } from './callback/wecom-event.registry';
import { WecomEventsService } from './callback/wecom-events.service';
import { AccessTokenCache } from './http/access-token-cache';
import { WecomEventsQueue } from './jobs/channels.queue';
import { OaClient } from './oa/oa-client';
import { ChannelRateLimiter } from './rate-limit/channel-rate-limiter';
import { ChannelSecrets } from './secrets/secret-box';
import { WecomClient } from './wecom/wecom-client';

const exported = [
  ChannelAccountsService,
  ChannelAdapters,
  WecomGroupAdapter,
  WecomSingleAdapter,
  OaMessageAdapter,
  WecomClient,
  OaClient,
  ChannelRateLimiter,
  WecomEventRegistry,
  WecomEventsService,
];

/**
 * Channel accounts, the WeCom and Official Account clients, the three adapters, per-account rate
 * limits and the WeCom callback events: for the API, the worker and other libs (campaigns,
 * communities) through index.ts.
 */
@Module({
  imports: [PlatformQueueModule.register(WecomEventsQueue)],
  providers: [ChannelSecrets, AccessTokenCache, ...exported],
  exports: exported,
})
export class ChannelsModule {}
