// The run report page (`run.js --html`): one self-contained HTML file drawn from the run's JSON
// (scripts/report.ts builds it, the text report prints the same figures): the compartments and their
// gates, throughput and latency measured and modelled with their spread, where the time goes.

import { compartmentDiagram, escapeXml } from './compartment-diagram.js';
import { compartmentTimeSpec, latencySpec, modelSpec, renderSvg, throughputSpec } from './charts.js';
import { asRunReportJson, perUnit, type RunReportJson } from './run-json.js';

export interface PageOptions {
  /** A relative link to the preset's profiles (profile.js's index page, opening speedscope), when there are any. */
  readonly profiles?: string;
}

const STYLE = `
body { font-family: sans-serif; margin: 24px auto; max-width: 1200px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.subtitle { color: #555; margin-top: 0; }
table.summary { border-collapse: collapse; margin: 8px 0; }
table.summary th, table.summary td { border: 1px solid #ddd; padding: 4px 10px; text-align: right; }
table.summary th:first-child, table.summary td:first-child { text-align: left; }
.figure { overflow-x: auto; margin: 12px 0; }
.note { color: #555; font-size: 13px; max-width: 900px; }
code { background: #f4f4f4; padding: 1px 4px; }
`;

const num = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** The page for a run: `json` is `run.js --json`'s object (a saved one will do). */
export async function runReportHtml(json: unknown, options: PageOptions = {}): Promise<string> {
  const report = asRunReportJson(json);
  const [throughput, latency, compartmentTime, model] = await Promise.all([
    renderSvg(throughputSpec(report)),
    report.latency_distribution ? renderSvg(latencySpec(report.latency_distribution)) : Promise.resolve(null),
    renderSvg(compartmentTimeSpec(report)),
    renderSvg(modelSpec(report)),
  ]);
  const figure = (name: string, svg: string): string => `<div class="figure chart" data-chart="${name}">${svg}</div>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>flexos-sim run: ${escapeXml(report.preset)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>flexos-sim run: ${escapeXml(report.preset)}</h1>`,
    `<p class="subtitle">${escapeXml(report.configuration)}<br>client: <code>${escapeXml(report.client)}</code></p>`,
    summaryTable(report),
    '<h2>Compartments and gates</h2>',
    `<p class="note">Each box is a compartment with the libraries it holds; each arrow a gate edge from the calling library to the called one, as wide as the crossings it carried per ${perUnit(report).long} (headline test).</p>`,
    `<div class="figure">${compartmentDiagram(report, perUnit(report))}</div>`,
    '<h2>Throughput</h2>',
    figure('throughput', throughput),
    '<h2>Latency</h2>',
    latency === null ? '<p class="note">This client reports no latency (iPerf counts bytes).</p>' : figure('latency', latency) + latencyNote(report),
    '<h2>Where the time goes</h2>',
    figure('compartment-time', compartmentTime),
    figure('model', model),
    `<p class="note">Measured: the simulator's JavaScript on this machine. Modelled: the same work and crossings priced for FlexOS on ${escapeXml(report.model.cpu)} at ${report.model.clock_ghz} GHz (libraries' work from this machine's C price list, gates at FlexOS's cycles). <code>node scripts/run.js ${escapeXml(report.preset)} --json</code> has every figure.</p>`,
    '<h2>Profiles</h2>',
    options.profiles === undefined
      ? `<p class="note">None yet: <code>node scripts/profile.js ${escapeXml(report.preset)}</code> writes a CPU profile per compartment, opened in speedscope (then run with <code>--html</code> again to link them).</p>`
      : `<p><a class="profiles" href="${escapeXml(options.profiles)}">CPU profiles of ${escapeXml(report.preset)}</a> in speedscope (one per compartment and one for the host)</p>`,
    '</body></html>',
    '',
  ].join('\n');
}

function summaryTable(report: RunReportJson): string {
  const bytes = report.throughput_gbps !== undefined;
  const show = (perSecond: number): string => (bytes ? `${num((perSecond * 8) / 1e9, 3)} Gb/s` : `${num(perSecond)} rps`);
  const rows = Object.entries(report.throughput_rps_by_test).map(([test, t]) => {
    const spread = report.throughput_spread_by_test[test];
    const count = report.runs.filter((r) => r.test === test).length;
    const range = (source: 'measured' | 'modelled'): string =>
      count < 2 || !spread ? 'one run: no spread' : `${count} runs: ${show(spread[source].min)} to ${show(spread[source].max)}, CV ${pct(spread[source].cv)}`;
    return `<tr><td>${escapeXml(test.toUpperCase())} throughput (mean)</td><td>${show(t.measured)}<br><small>${range('measured')}</small></td><td>${show(t.modelled)}<br><small>${range('modelled')}</small></td></tr>`;
  });
  if (!bytes) rows.push(`<tr><td>latency p50 / p99 (headline test)</td><td>${num(report.latency_ms.p50, 3)} / ${num(report.latency_ms.p99, 3)} ms</td><td>not modelled</td></tr>`);
  rows.push(`<tr><td>time in gates</td><td>${pct(report.gate_share.measured)}</td><td>${pct(report.gate_share.modelled)}</td></tr>`);
  const per = perUnit(report);
  const ns = (x: number): string => num(x * per.scale, 1);
  rows.push(`<tr><td>gate crossings per ${per.long}</td><td colspan="2">${num(report.crossings_per_request * per.scale, 3)}</td></tr>`);
  rows.push(`<tr><td>modelled time per ${per.long}</td><td colspan="2">${ns(report.model.ns_per_request)} ns = libraries ${ns(report.model.compute_ns_per_request)} + gates ${ns(report.model.gate_ns_per_request)} + host TCP/IP ${ns(report.model.host_tcp_ns_per_request)}</td></tr>`);
  return `<table class="summary"><tr><th></th><th>measured</th><th>modelled (${escapeXml(report.model.cpu)} @ ${report.model.clock_ghz} GHz)</th></tr>${rows.join('')}</table>`;
}

function latencyNote(report: RunReportJson): string {
  const d = report.latency_distribution!;
  return d.source === 'hdr-histogram'
    ? `<p class="note">Every request of the headline test's runs, recorded by the built-in load generator's threads in HdrHistograms and added together; measured by the client, not modelled.</p>`
    : `<p class="note">The real client (<code>${escapeXml(report.client.split(' ')[0] ?? '')}</code>) prints percentiles, not its distribution: its p50 and p99 per run. <code>--builtin</code> records every request in an HdrHistogram and draws the whole curve.</p>`;
}
