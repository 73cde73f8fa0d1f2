import { Injectable } from '@nestjs/common';
import { defaultSimConfig, SimConfig } from './sim-config';
import type { SimConfigUpdateDto } from './sim-config-update.dto';

/** Holds the live SimConfig and the lookup sets derived from it. */
@Injectable()
export class SimConfigService {
  private initial: Partial<SimConfig> = {};
  private config: SimConfig = defaultSimConfig();
  notFriends = new Set<string>();
  invalidExternalUserIds = new Set<string>();
  blockedOpenids = new Set<string>();

  get current(): Readonly<SimConfig> {
    return this.config;
  }

  update(patch: SimConfigUpdateDto | Partial<SimConfig>): SimConfig {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    this.config = { ...this.config, ...defined };
    this.derive();
    return this.config;
  }

  /** The configuration /_sim/reset returns to (the defaults plus what startSim was given). */
  setInitial(initial: Partial<SimConfig>): void {
    this.initial = { ...initial };
    this.reset();
  }

  reset(): void {
    this.config = { ...defaultSimConfig(), ...this.initial };
    this.derive();
  }

  private derive(): void {
    this.notFriends = new Set(this.config.notFriends);
    this.invalidExternalUserIds = new Set(this.config.invalidExternalUserIds);
    this.blockedOpenids = new Set(this.config.blockedOpenids);
  }
}
