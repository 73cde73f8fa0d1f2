import { cpus, totalmem } from 'node:os';

export interface MachineInfo {
  cpus: number;
  model: string;
  totalMemGiB: number;
  node: string;
}

/** What the figures were measured on, so results from different machines are not compared blindly. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? 'unknown',
    totalMemGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
  };
}
