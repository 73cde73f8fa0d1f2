import { Module } from '@nestjs/common';
import { CommunitiesModule } from './communities.module';
import { GroupTagsController } from './group-tags.controller';
import { GroupsController } from './groups.controller';
import { MemberGroupsController } from './member-groups.controller';
import { StaffController } from './staff.controller';

/** The communities routes: /v1/groups, /v1/group-tags, /v1/staff, /v1/members/:id/groups. */
@Module({
  imports: [CommunitiesModule],
  controllers: [GroupsController, GroupTagsController, StaffController, MemberGroupsController],
})
export class CommunitiesHttpModule {}
