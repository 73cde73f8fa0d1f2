import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { validateAdminBody } from '../common/admin-body';
import { FaultRuleDto, FaultsAddDto } from './fault-rule.dto';
import { FaultService } from './fault.service';

/** POST adds rules (a rule, an array of rules, or `{ seed, rules }`); DELETE clears them all. */
@Controller('_sim/faults')
export class FaultsController {
  constructor(private readonly faults: FaultService) {}

  @Post()
  @HttpCode(200)
  add(@Body() body: unknown): { ids: number[] } {
    const normalized = Array.isArray(body)
      ? { rules: body }
      : body && typeof body === 'object' && 'rules' in body
        ? body
        : { rules: [body] };
    return { ids: this.faults.add(validateAdminBody(FaultsAddDto, normalized)) };
  }

  @Get()
  list(): Array<FaultRuleDto & { id: number }> {
    return this.faults.list();
  }

  @Delete()
  clear(): { ok: true } {
    this.faults.clear();
    return { ok: true };
  }
}
