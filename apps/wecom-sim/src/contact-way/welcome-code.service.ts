import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SimClock } from '../common/sim-clock';
import { SimConfigService } from '../config/sim-config.service';
import { WecomErrcode, WecomError } from '../wecom-errors';

interface IssuedWelcomeCode {
  issuedAt: number;
  used: boolean;
  externalUserId: string;
  userId: string;
}

export interface WelcomeCodeTarget {
  externalUserId: string;
  userId: string;
}

/**
 * WelcomeCodes come with add_external_contact events; send_welcome_msg may use each once, within
 * the configured window (20 s by default) after the event.
 */
@Injectable()
export class WelcomeCodeService {
  private codes = new Map<string, IssuedWelcomeCode>();

  constructor(
    private readonly clock: SimClock,
    private readonly config: SimConfigService,
  ) {}

  issue(target: WelcomeCodeTarget, code?: string): { welcome_code: string; expires_at: string } {
    const welcomeCode = code ?? randomBytes(24).toString('base64url');
    const issuedAt = this.clock.now();
    this.codes.set(welcomeCode, { issuedAt, used: false, ...target });
    return {
      welcome_code: welcomeCode,
      expires_at: new Date(issuedAt + this.config.current.welcomeCodeTtlMs).toISOString(),
    };
  }

  /** Uses the code: 40058 unknown, 41051 already used, 41050 expired. */
  consume(code: string): WelcomeCodeTarget {
    const issued = this.codes.get(code);
    if (!issued) throw WecomError.invalid('welcome_code not found');
    if (issued.used) throw new WecomError(WecomErrcode.WELCOME_CODE_USED);
    if (this.clock.now() > issued.issuedAt + this.config.current.welcomeCodeTtlMs) {
      throw new WecomError(WecomErrcode.WELCOME_CODE_EXPIRED);
    }
    issued.used = true;
    return { externalUserId: issued.externalUserId, userId: issued.userId };
  }

  reset(): void {
    this.codes = new Map();
  }
}
