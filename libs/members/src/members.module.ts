import { Module } from '@nestjs/common';
import { PlatformQueueModule } from '@siyu/platform';
import { AudienceRegistry } from './audience';
import { MemberEventsService } from './member-events.service';
import { MemberIdentityHooks } from './member-identity-hooks';
import { MemberImportsService } from './member-imports.service';
import { MemberMergeRegistry } from './member-merge.registry';
import { MemberPiiService } from './member-pii.service';
import { MemberTimelineRegistry } from './member-timeline.registry';
import { MembersRepository } from './members.repository';
import { MembersService } from './members.service';
import { TagsService } from './tags.service';
import { MemberImportQueue } from './jobs/members.queue';

const exported = [
  MembersService,
  MemberEventsService,
  MemberImportsService,
  TagsService,
  MemberMergeRegistry,
  MemberIdentityHooks,
  AudienceRegistry,
  MemberPiiService,
  MemberTimelineRegistry,
];

/** Members, identities, tags, timeline, imports: services for the API, the worker and other libs. */
@Module({
  imports: [PlatformQueueModule.register(MemberImportQueue)],
  providers: [MembersRepository, ...exported],
  exports: exported,
})
export class MembersModule {}
