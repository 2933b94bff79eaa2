// The named configurations of the paper's evaluation, every application's (workloads/<app>/app.ts),
// as the YAML a user would write: what the commands boot by name. Names are `<app>-<layout>`;
// libraries not listed go to the default compartment ("rest").

import { ConfigError } from '../kernel/abi/errors.js';
import type { LibraryRegistry } from '../kernel/abi/library.js';
import type { Configuration } from '../kernel/abi/schema.js';
import { parseConfiguration } from '../compartments/config/parse.js';
import type { Preset } from '../compartments/config/presets.js';
import { APPS } from './registry.js';

export const PRESETS: Readonly<Record<string, Preset>> = Object.freeze(Object.fromEntries(APPS.flatMap((app) => Object.entries(app.presets))));

export function presetNames(): string[] {
  return Object.keys(PRESETS).sort();
}

/** True when `name` is a preset's (an own key: "constructor" or "__proto__" is not). */
export function isPreset(name: string): boolean {
  return Object.hasOwn(PRESETS, name);
}

/** The named preset, validated against `registry`; ConfigError listing the valid names if unknown. */
export function loadPreset(name: string, options: { readonly registry: LibraryRegistry }): Configuration {
  const preset = isPreset(name) ? PRESETS[name] : undefined;
  if (!preset) throw new ConfigError('preset', name, 'unknown preset', presetNames().join(', '));
  return parseConfiguration(preset.yaml, { registry: options.registry, name });
}
