import { Module } from '@nestjs/common';
import { PlatformHttpModule, PlatformModule } from '@siyu/platform';

/** The API process: the platform and every domain lib's HTTP module. */
@Module({
  imports: [PlatformModule, PlatformHttpModule],
})
export class AppModule {}
