import { Module } from '@nestjs/common';
import { MembersHttpModule } from '@siyu/members';
import { PlatformHttpModule, PlatformModule } from '@siyu/platform';
import { SegmentsHttpModule } from '@siyu/segments';

/** The API process: the platform and every domain lib's HTTP module. */
@Module({
  imports: [PlatformModule, PlatformHttpModule, MembersHttpModule, SegmentsHttpModule],
})
export class AppModule {}
