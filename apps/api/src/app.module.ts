import { Module } from '@nestjs/common';
import { CommerceHttpModule } from '@siyu/commerce';
import { MembersHttpModule } from '@siyu/members';
import { PlatformHttpModule, PlatformModule } from '@siyu/platform';

/** The API process: the platform and every domain lib's HTTP module. */
@Module({
  imports: [PlatformModule, PlatformHttpModule, MembersHttpModule, CommerceHttpModule],
})
export class AppModule {}
