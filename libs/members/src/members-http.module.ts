import { Module } from '@nestjs/common';
import { MemberImportsController } from './member-imports.controller';
import { MembersController } from './members.controller';
import { MembersModule } from './members.module';
import { TagsController } from './tags.controller';

/** The members routes (/v1/members, /v1/members/imports, /v1/tags). */
@Module({
  imports: [MembersModule],
  controllers: [MemberImportsController, MembersController, TagsController],
})
export class MembersHttpModule {}
