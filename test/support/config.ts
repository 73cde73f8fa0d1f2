import { ConfigService } from '@nestjs/config';
import { TestingModuleBuilder } from '@nestjs/testing';
import { AppConfig, EnvironmentVariables } from '@siyu/platform';

/**
 * Configuration is validated once, when the platform module is imported; a test that learns a
 * value later (a child process's port) overrides AppConfig for the module it builds.
 */
export function withConfig(
  builder: TestingModuleBuilder,
  values: Partial<EnvironmentVariables>,
): TestingModuleBuilder {
  return builder.overrideProvider(AppConfig).useFactory({
    inject: [ConfigService],
    factory: (service: ConfigService<EnvironmentVariables, true>) => {
      const config = new AppConfig(service);
      const base = config.get.bind(config);
      config.get = (<K extends keyof EnvironmentVariables>(key: K) =>
        key in values ? (values[key] as EnvironmentVariables[K]) : base(key)) as AppConfig['get'];
      return config;
    },
  });
}
