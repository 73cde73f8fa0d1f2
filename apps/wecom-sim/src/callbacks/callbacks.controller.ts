import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { validateAdminBody } from '../common/admin-body';
import { CallbackPushDto, CallbackTargetDto } from './callback-push.dto';
import { CallbackPushResult, CallbackPushService, CallbackVerifyResult } from './callback-push.service';

/** Pushes signed, encrypted callbacks to Siyu and reports Siyu's HTTP status. */
@Controller('_sim/callbacks')
export class CallbacksController {
  constructor(private readonly callbacks: CallbackPushService) {}

  @Post()
  @HttpCode(200)
  push(@Body() body: unknown): Promise<CallbackPushResult> {
    return this.callbacks.push(validateAdminBody(CallbackPushDto, body));
  }

  @Post('verify')
  @HttpCode(200)
  verify(@Body() body: unknown): Promise<CallbackVerifyResult> {
    return this.callbacks.verify(validateAdminBody(CallbackTargetDto, body));
  }
}
