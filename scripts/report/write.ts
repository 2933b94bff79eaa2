// Writes a run report page beside whatever else the run left: the page links the preset's flame
// graphs when profile.js made them in its default place (profiles/<preset>/index.html).

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { runReportHtml } from './html.js';

/** Writes `json`'s page to `file`; returns the flame graphs' link when there was one to make. */
export async function writeRunReport(json: Record<string, unknown>, file: string, options: { readonly profiles?: string } = {}): Promise<{ readonly flameGraphs?: string }> {
  const index = resolve(options.profiles ?? 'profiles', String(json['preset']), 'index.html');
  const flameGraphs = existsSync(index) ? relative(dirname(resolve(file)), index).split('\\').join('/') : undefined;
  const html = await runReportHtml(json, flameGraphs === undefined ? {} : { flameGraphs });
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, html);
  return flameGraphs === undefined ? {} : { flameGraphs };
}

