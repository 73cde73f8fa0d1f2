import { Controller, Get, Module } from '@nestjs/common';

@Controller()
class SimHealthController {
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

/** Stand-in for the WeCom / WeChat servers on loopback. The campaigns issue fills it in. */
@Module({ controllers: [SimHealthController] })
export class SimModule {}
