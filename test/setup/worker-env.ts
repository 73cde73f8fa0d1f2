import { dbUrl, workerDbName } from './test-databases';

/** Each jest worker: its own database (cloned from the template) and its own BullMQ prefix. */
const run = process.env.SIYU_TEST_RUN ?? 'adhoc';
const worker = process.env.JEST_WORKER_ID ?? '1';
process.env.NODE_ENV = 'test';
process.env.TZ = 'UTC';
process.env.DATABASE_URL = dbUrl(workerDbName(run, worker));
process.env.DATABASE_POOL_SIZE = '5';
process.env.QUEUE_PREFIX = `siyu-t-${run}-w${worker}`;
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
process.env.PORT = '0';
