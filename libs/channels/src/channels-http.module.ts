import { Module } from '@nestjs/common';
import { ChannelAccountsController } from './accounts/channel-accounts.controller';
import { WecomCallbackController } from './callback/wecom-callback.controller';
import { WecomEventsController } from './callback/wecom-events.controller';
import { ChannelsModule } from './channels.module';

/** The channels routes: /v1/channels/wecom, /v1/channels/oa-apps, the WeCom callback and its event log. */
@Module({
  imports: [ChannelsModule],
  controllers: [ChannelAccountsController, WecomCallbackController, WecomEventsController],
})
export class ChannelsHttpModule {}
