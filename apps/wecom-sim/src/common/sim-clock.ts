import { Injectable } from '@nestjs/common';

/**
 * The simulator's notion of "now": wall-clock time plus an offset that `/_sim/clock` can move
 * forward, so tests can expire tokens and welcome codes or cross a natural day without waiting.
 * Timers (confirmation delays, latency) still run on real time.
 */
@Injectable()
export class SimClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  get offset(): number {
    return this.offsetMs;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
