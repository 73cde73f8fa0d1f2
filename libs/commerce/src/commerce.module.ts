import { Module } from '@nestjs/common';
import { MembersModule } from '@siyu/members';
import { CommerceHooks } from './commerce-hooks';

const exported = [CommerceHooks];

/** Orders, refunds and members' order aggregates: services for the API, the worker and other libs. */
@Module({
  imports: [MembersModule],
  providers: [...exported],
  exports: exported,
})
export class CommerceModule {}
