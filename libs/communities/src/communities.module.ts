import { Module } from '@nestjs/common';
import { ChannelsModule } from '@siyu/channels';
import { MembersModule } from '@siyu/members';
import { PlatformQueueModule } from '@siyu/platform';
import { SegmentsModule } from '@siyu/segments';
import { CommunityCallbacks } from './callbacks/community-callbacks';
import { CommunitySegmentFields } from './community-segment-fields';
import { ContactEventsHandler } from './callbacks/contact-events.handler';
import { GroupEventsHandler } from './callbacks/group-events.handler';
import { GroupStore } from './group-store';
import { GroupTagsService } from './group-tags.service';
import { GroupsService } from './groups.service';
import { CommunitySyncQueue } from './jobs/communities.queue';
import { CommunityMemberLinker } from './member-linker';
import { CommunitySyncService } from './sync/community-sync.service';
import { WecomGroupsReader } from './wecom-groups.reader';

const exported = [GroupsService, GroupTagsService, CommunitySyncService];

/**
 * Group chats, memberships, staff and 1:1 contacts, kept current by the sync job and the WeCom
 * callbacks (handlers registered here, run by the channels event processor). For the API, the
 * worker and other libs (campaigns, segments) through index.ts.
 */
@Module({
  imports: [MembersModule, ChannelsModule, SegmentsModule, PlatformQueueModule.register(CommunitySyncQueue)],
  providers: [
    ...exported,
    CommunityMemberLinker,
    GroupStore,
    WecomGroupsReader,
    GroupEventsHandler,
    ContactEventsHandler,
    CommunityCallbacks,
    CommunitySegmentFields,
  ],
  exports: exported,
})
export class CommunitiesModule {}
