import { Module } from '@nestjs/common';
import { MembersHttpModule } from '@siyu/members';
import { PlatformHttpModule, PlatformModule } from '@siyu/platform';
import { TiersHttpModule } from '@siyu/tiers';

/** The API process: the platform and every domain lib's HTTP module. */
@Module({
  imports: [PlatformModule, PlatformHttpModule, MembersHttpModule, TiersHttpModule],
})
export class AppModule {}
