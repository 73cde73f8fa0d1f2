import { DataSource } from 'typeorm';
import { loadEnvironment } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

/** The TypeORM CLI's data source: the same options as the app's. */
export default new DataSource(dataSourceOptions(loadEnvironment()));
