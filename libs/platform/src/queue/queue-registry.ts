import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { QueueDef } from './queue-def';

const declared = new Map<string, QueueDef<unknown>>();

export function registerQueueDefs(defs: QueueDef<unknown>[]): void {
  for (const d of defs) declared.set(d.name, d);
}

/** Every queue any module registered: for metrics, bull-board and the reconciler. */
@Injectable()
export class QueueRegistry {
  constructor(private readonly moduleRef: ModuleRef) {}

  names(): string[] {
    return [...declared.keys()].sort();
  }

  get<T>(def: QueueDef<T>): Queue<T> {
    return this.byName(def.name) as Queue<T>;
  }

  byName(name: string): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }

  all(): Queue[] {
    const out: Queue[] = [];
    for (const name of this.names()) {
      try {
        out.push(this.byName(name));
      } catch {
        // declared in a module this process did not load
      }
    }
    return out;
  }
}
