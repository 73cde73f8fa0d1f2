import { Module } from '@nestjs/common';
import { PlatformModule } from '@siyu/platform';
import { BrandCreateCommand } from './commands/brand-create.command';
import { DemoCommand } from './commands/demo.command';

@Module({
  imports: [PlatformModule],
  providers: [BrandCreateCommand, DemoCommand],
})
export class CliModule {}
