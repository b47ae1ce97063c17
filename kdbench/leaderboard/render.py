"""Render leaderboard tables (markdown and plots) from result records.

Per task, one table per (benchmark, dataset, teacher, student): each
method's n, mean ± sample std over seeds of the last-epoch metric, Δ
against its baseline (``baseline``, or the matched-budget baseline the
record names in ``reference``) with a 95 % confidence interval (paired by
seed in suites that pair seeds, Welch otherwise) and a verdict, the
setting chosen by tuning, the budget, and the training cost (process CPU
time, else wall time) relative to the plain student. Below each table: the
suite's minimum detectable effect (80 % power) from its pooled spread.
Only reproduced numbers appear here; published numbers belong in a
separate table.
"""
import math
import os
import os.path as osp
import re
import statistics
from collections import OrderedDict
from typing import Dict, List, Optional

from . import stats

METHOD_ORDER = ['teacher', 'baseline', 'baseline_20e', 'baseline_4e',
                'baseline_9e', 'teacher_r50', 'kd', 'kd_cached', 'kd_bf16',
                'ens_kd', 'kd_ls', 'dkd', 'dkd_ls', 'dist', 'crd', 'reviewkd',
                'fitnets', 'at', 'nst', 'rkd',
                'ft', 'ab', 'fsp', 'sskd', 'dml', 'one', 'ffsd', 'byot',
                'self_guidance', 'ban', 'ban_kd_only',
                'chen', 'chen_cls', 'chen_reg', 'chen_hint', 'ld', 'ld_vlr',
                'ld_vlr_no_cls_kd', 'cls_kd', 'feat_imit', 'cwd', 'pkd',
                'mgd', 'skd_pi', 'skd_pi_pa', 'skd_full', 'netaug', 'netdistiller',
                'netdistiller_no_ud', 'netdistiller_no_gs', 'netaug_kd',
                'netdistiller_kd']
# a run during which the rest of the machine kept more than this many
# cores busy shared the machine: its wall time is not its own
SHARED_CORES = 0.25


def shared_machine(record: dict) -> bool:
    """Whether the rest of the machine kept more cores busy during the run
    than the runner's own other jobs account for (``jobs - 1`` runs of
    ``threads`` threads) plus ``SHARED_CORES``."""
    siblings = (int(record.get('jobs') or 1) - 1) * int(
        record.get('threads') or 1)
    return (record.get('other_cpu_cores') or 0) > siblings + SHARED_CORES


def _order(method: str) -> tuple:
    if method in METHOD_ORDER:
        return (METHOD_ORDER.index(method), method)
    return (len(METHOD_ORDER), method)


def _mean_std(values: List[float]) -> tuple:
    return stats.mean_std(values)


def current_runs(runs: List[dict]) -> Dict[str, List[dict]]:
    """The runs of one table that describe the present state, by method.

    The records file keeps history: a re-trained teacher, an edited config
    or a re-run seed appends new records. Shown are: the latest teacher
    record; distiller runs made with that teacher (records of the protocol
    name the teacher by config and seed, ``teacher_id``, so a retrain of
    the same recipe elsewhere keeps them; older records by its weights);
    for each method the runs of its latest config content and pretrained
    backbone weights; one run (the latest) per seed. Tuning runs are not
    shown.
    """
    runs = sorted((r for r in runs if r.get('phase', 'test') == 'test'),
                  key=lambda r: r.get('finished_at', ''))
    teachers = [r for r in runs if r['method'] == 'teacher']
    latest_teacher = teachers[-1] if teachers else {}
    teacher_id = latest_teacher.get('teacher_id')
    teacher_sha = latest_teacher.get('teacher_sha256')
    by_method: Dict[str, List[dict]] = {}
    for r in runs:
        if r['method'] == 'teacher':
            if r is not teachers[-1]:
                continue
        elif r.get('teacher_id') is not None or teacher_id is not None:
            # a multi-teacher run's id is the main teacher's + its others'
            if r.get('teacher_id') is not None and teacher_id is not None \
                    and r['teacher_id'].split('+')[0] != teacher_id:
                continue
        elif r.get('teacher_sha256') is not None and teacher_sha is not None \
                and r['teacher_sha256'] != teacher_sha:
            continue
        by_method.setdefault(r['method'], []).append(r)
    current = {}
    for method, method_runs in by_method.items():
        latest = method_runs[-1]
        per_seed = {r['seed']: r for r in method_runs
                    if all(r.get(k) == latest.get(k) for k in
                           ('config_sha256', 'pretrained_sha256',
                            'threads', 'tuned'))}
        current[method] = list(per_seed.values())
    return current


def _cost_key(runs: List[dict]) -> str:
    return 'train_cpu_s' if all(r.get('train_cpu_s') is not None
                                for r in runs) else 'train_s'


def _curve(runs: List[dict]) -> Optional[List[tuple]]:
    """Mean over seeds of the validation metric at each iteration the
    runs share."""
    curves = [dict(map(tuple, r.get('val_curve') or [])) for r in runs]
    if not curves or not all(curves):
        return None
    iters = sorted(set.intersection(*(set(c) for c in curves)))
    return [(i, statistics.fmean(c[i] for c in curves)) for i in iters]


def summarize(records: List[dict], failures: Optional[dict] = None
              ) -> Dict[tuple, Dict[str, dict]]:
    """``{(benchmark, dataset, teacher, student, metric): {method: row}}``
    of the runs that gave a result; runs recorded as failed are left out
    of the rows and, when ``failures`` is given, collected there as
    ``{key: {method: {seed: error}}}``."""
    groups: Dict[tuple, List[dict]] = OrderedDict()
    for r in records:
        key = (r['benchmark'], r['dataset'], r['teacher'], r['student'],
               r['metric'])
        groups.setdefault(key, []).append(r)
    table = OrderedDict()
    for key, group in groups.items():
        rows = {}
        for method, all_runs in current_runs(group).items():
            failed = {r['seed']: r.get('error') or 'failed'
                      for r in all_runs if r.get('status') == 'failed'}
            runs = sorted((r for r in all_runs
                           if r.get('status') != 'failed'),
                          key=lambda r: r['seed'])
            if failed and failures is not None:
                failures.setdefault(key, {})[method] = failed
            if not runs:
                continue
            values = [r['value'] for r in runs]
            mean, std = _mean_std(values)
            side = {}
            for name in runs[0].get('side_metrics', {}):
                side[name] = _mean_std([r['side_metrics'][name]
                                        for r in runs])
            cost = _cost_key(runs)
            rows[method] = dict(
                mean=mean, std=std, n=len(runs), side=side,
                values={r['seed']: r['value'] for r in runs},
                seeds=[r['seed'] for r in runs],
                train_s=statistics.fmean(r['train_s'] for r in runs),
                cost=statistics.fmean(r[cost] for r in runs),
                cost_key=cost,
                shared=sum(1 for r in runs if shared_machine(r)),
                resumed=sum(1 for r in runs
                            if (r.get('extra') or {}).get('resumed')),
                s_per_iter=statistics.fmean(r['s_per_iter'] for r in runs),
                peak_mem_mb=max(r['peak_mem_mb'] for r in runs),
                iters=runs[0]['iters'],
                budget=runs[0].get('budget'),
                reference=runs[0].get('reference', 'baseline'),
                paired=bool(runs[0].get('paired')),
                threads=runs[0].get('threads'),
                tuned=runs[0].get('tuned'),
                tuning=runs[0].get('tuning'),
                protocol=runs[0].get('protocol', 1),
                curve=_curve(runs),
                uses_teacher=runs[0].get('teacher_sha256') is not None,
                config=runs[0]['config'],
                commits=sorted({r['commit'] for r in runs}),
                cpus=sorted({((r.get('extra') or {}).get('execution') or {})
                             .get('cpu') for r in runs} - {None}),
                teacher_value=runs[0].get('teacher_value'),
                teacher_cache=_cache_builds(runs),
                failed=len(failed))
        if 'teacher' in rows:
            rows['teacher']['retrains'] = _teacher_retrains(group)
        _add_deltas(rows)
        table[key] = rows
    return table


def _cache_builds(runs: List[dict]) -> List[dict]:
    """The teacher-output caches a row's runs read (build time and
    size, as the runner recorded them), one per cache."""
    caches = OrderedDict()
    for r in runs:
        cache = (r.get('extra') or {}).get('teacher_cache')
        if cache and cache.get('build_s') is not None:
            caches[cache.get('path')] = cache
    return list(caches.values())


def _teacher_retrains(group: List[dict]) -> List[dict]:
    """Every recorded training of the current teacher recipe (same
    ``teacher_id``) that gave other weights, e.g. on another CPU: its
    value, weights and CPU, oldest first."""
    teachers = sorted((r for r in group if r['method'] == 'teacher'
                       and r.get('phase', 'test') == 'test'),
                      key=lambda r: r.get('finished_at', ''))
    if not teachers or teachers[-1].get('teacher_id') is None:
        return []
    same = [r for r in teachers
            if r.get('teacher_id') == teachers[-1]['teacher_id']]
    by_sha = OrderedDict()
    for r in same:
        by_sha[r.get('teacher_sha256')] = dict(
            value=r['value'], sha=(r.get('teacher_sha256') or '')[:12],
            cpu=((r.get('extra') or {}).get('execution') or {}).get('cpu'))
    return list(by_sha.values()) if len(by_sha) > 1 else []


def _add_deltas(rows: Dict[str, dict]) -> None:
    """Δ, CI and verdict of every row against its reference row."""
    for method, row in rows.items():
        row['delta'] = None
        ref = row['reference'] if method != 'teacher' else None
        if ref is None or ref not in rows or ref == method:
            continue
        base = rows[ref]
        paired = row['paired'] and base['paired']
        row['delta'] = stats.compare(row['values'], base['values'], paired)
        row['delta_of_means'] = row['mean'] - base['mean']


#: a row whose own MDE exceeds this many times the typical row's is named
SPREAD_OUT = 1.5


def detectable_effect(rows: Dict[str, dict]) -> Optional[dict]:
    """The table's minimum detectable effect (80 % power, α = 0.05) at its
    usual seed count, from the pooled spread: of the per-seed differences
    when seeds are paired, else of the runs within each method."""
    deltas = [r['delta'] for r in rows.values() if r.get('delta')]
    counts = [r['n'] for m, r in rows.items() if m != 'teacher']
    if not counts:
        return None
    n = statistics.mode(counts)
    paired = bool(deltas) and all(d.paired for d in deltas)
    groups = {}
    if paired:
        for m, row in rows.items():
            d = row.get('delta')
            if d is None:
                continue
            base = rows[row['reference']]['values']
            groups[m] = [row['values'][s] - base[s]
                         for s in sorted(set(row['values']) & set(base))]
    else:
        groups = {m: list(r['values'].values())
                  for m, r in rows.items() if m != 'teacher'}
    sd = stats.pooled_sd(list(groups.values()))
    if sd is None or n < 2:
        return None
    # the pooled spread can be one unstable row's: the typical row's
    # (median sd) and the rows far above it are reported beside it
    row_sds = {m: statistics.stdev(g) for m, g in groups.items()
               if len(g) > 1}
    typical_sd = statistics.median(row_sds.values())
    typical = stats.minimum_detectable_effect(typical_sd, n, paired)
    spread_out = {m: stats.minimum_detectable_effect(v, len(groups[m]),
                                                     paired)
                  for m, v in row_sds.items()}
    spread_out = {m: v for m, v in spread_out.items()
                  if v > SPREAD_OUT * typical}
    return dict(n=n, sd=sd, paired=paired,
                mde=stats.minimum_detectable_effect(sd, n, paired),
                typical_sd=typical_sd, typical_mde=typical,
                spread_out=spread_out)


def _spread_out_text(mde: dict, metric: str) -> str:
    """When a few rows' spread dominates the pooled sd: what a typical
    row detects, and those rows with their own MDE."""
    if not mde.get('spread_out'):
        return ''
    rows = ', '.join(f'{m} ({v:.2f})' for m, v in
                     sorted(mde['spread_out'].items(), key=lambda kv: -kv[1]))
    return (f' The pooled spread is raised by rows far noisier than the '
            f'rest: a typical row (median sd {mde["typical_sd"]:.2f}) '
            f'detects {mde["typical_mde"]:.2f} {metric}; rows whose own MDE '
            f'is above {SPREAD_OUT} times that: {rows}.')


def _fmt_delta(row: dict) -> tuple:
    d = row.get('delta')
    if d is None:
        if 'delta_of_means' in row:
            return f'{row["delta_of_means"]:+.2f}', 'too few seeds'
        return '–', '–'
    return f'{d.delta:+.2f} [{d.low:+.2f}, {d.high:+.2f}]', d.verdict


def at_grid_edge(tuned: Optional[dict], grid: Optional[dict]) -> bool:
    """Whether the chosen setting takes the smallest or largest value of
    one of its grid's settings (of three or more distinct values): the
    optimum may then lie beyond the grid. Keys ``'a|b'`` (tied) and
    ``'a,b'`` (moved together) are read as the runner reads them; in a
    moved-together key each setting is judged over the values it takes
    across the key's tuples."""
    if not tuned or not grid:
        return False
    for key, values in grid.items():
        values = list(values)
        if ',' in key:
            names = key.split(',')
            columns = {n: [v[i] for v in values] for i, n in
                       enumerate(names)}
        else:
            columns = {key.split('|')[0]: values}
        for name, column in columns.items():
            distinct = sorted(set(column))
            if len(distinct) >= 3 and \
                    tuned.get(name) in (distinct[0], distinct[-1]):
                return True
    return False


def _fmt_tuned(row: dict) -> str:
    if not row.get('tuned'):
        return '–'
    # tied keys (one value for several optimizers' lr) show once
    text = ', '.join(sorted({f'{k.split(".")[-1]}={v}'
                             for k, v in row['tuned'].items()}))
    if at_grid_edge(row['tuned'], (row.get('tuning') or {}).get('grid')):
        text += ' (edge)'
    if row.get('shared_from'):
        text += (f' (as {row["shared_from"]}: stale)' if row['share_stale']
                 else f' (as {row["shared_from"]})')
    return text


def _mark_shared_settings(rows: Dict[str, dict],
                          share: Optional[Dict[str, str]],
                          grids: Optional[Dict[str, dict]] = None) -> None:
    """Each row trained at another's tuned setting gets ``shared_from``
    and ``share_stale``: its setting is no longer the one its source
    chose (the source was re-tuned since). A row's tuning grid is the
    suite's current one when given (``grids``): seeds recorded before the
    grid grew, whose setting the larger grid chose again, carry the old
    grid in their records."""
    for method, row in rows.items():
        if row.get('tuning') and grids and grids.get(method):
            row['tuning'] = dict(row['tuning'], grid=grids[method])
        source = (share or {}).get(method) or \
            (row.get('tuning') or {}).get('shared_from')
        row['shared_from'] = source
        row['share_stale'] = bool(source) and source in rows and \
            rows[source].get('tuned') != row.get('tuned')


def _slug(text: str) -> str:
    return re.sub(r'[^a-z0-9]+', '_', text.lower()).strip('_')


def _comparison_lines(rows: Dict[str, dict],
                      comparisons: Optional[List[tuple]]) -> List[str]:
    """The suite's extra comparisons of two rows (e.g. ``kd_cached``
    against ``kd``), each with its Δ, CI and verdict."""
    pairs = [(a, b) for a, b in (comparisons or [])
             if a in rows and b in rows]
    if not pairs:
        return []
    lines = ['', 'Other comparisons (same protocol; paired by seed where '
             'the suite pairs seeds):', '',
             '| method | vs | n | Δ [95 % CI] | verdict |',
             '|---|---|---|---|---|']
    for a, b in pairs:
        paired = rows[a]['paired'] and rows[b]['paired']
        delta = stats.compare(rows[a]['values'], rows[b]['values'], paired)
        text, verdict = _fmt_delta(dict(delta=delta, delta_of_means=rows[a][
            'mean'] - rows[b]['mean']))
        lines.append(f'| {a} | {b} | {delta.n if delta else "–"} | {text} '
                     f'| {verdict} |')
    return lines


def render_markdown(records: List[dict], task: str, title: str,
                    records_name: str = 'leaderboards/records.jsonl',
                    plots: Optional[Dict[tuple, dict]] = None,
                    comparisons: Optional[List[tuple]] = None,
                    share: Optional[Dict[str, str]] = None,
                    grids: Optional[Dict[str, dict]] = None) -> str:
    """``share``: the suite's ``tuning.share`` (method -> source); without
    it, a row's records say which setting they shared. ``grids``: the
    suite's tuning grid per method; without it, the records' own."""
    records = [r for r in records if r['task'] == task]
    lines = [f'# {title}', '',
             f'Written by `tools/benchmark.py` / `tools/leaderboard.py` '
             f'from `{records_name}`; do not edit by hand. Numbers are '
             'reproduced here (no published numbers are mixed in): n runs '
             '(seeds), mean ± sample std of the metric after the last '
             'epoch (on the test split where the suite has a validation '
             'split); Δ is against the row named in "vs" (the plain '
             'student trained with the same budget), with its 95 % '
             'confidence interval, paired by seed where the suite pairs '
             'seeds (same student initialisation and data order), Welch '
             'otherwise; verdict: better / worse when the interval '
             'excludes 0 (a t-test at 5 %, per row, not corrected for the '
             'number of rows). "tuned" is the setting chosen on the '
             'validation split (tuning seed, never the test split); cost '
             'is the mean training CPU time of the process (wall time for '
             'older records) relative to `baseline`.', '']
    if not records:
        return '\n'.join(lines + ['No records yet.', ''])
    failures = {}
    for key, rows in summarize(records, failures).items():
        benchmark, dataset, teacher, student, metric = key
        teacher_row = rows.get('teacher')
        teacher_value = (teacher_row['mean'] if teacher_row else
                         next((r['teacher_value'] for r in rows.values()
                               if r['teacher_value'] is not None), None))
        lines += [f'## {dataset} ({benchmark}): teacher {teacher} → '
                  f'student {student}', '']
        if teacher_value is not None:
            lines += [f'Teacher {metric}: **{teacher_value:.2f}**', '']
        _mark_shared_settings(rows, share, grids)
        lines += _table(rows, metric)
        lines += _comparison_lines(rows, comparisons)
        for note in _notes(rows, metric):  # a paragraph each
            lines += ['', note]
        lines += _failure_notes(failures.get(key, {}), rows)
        if plots and key in plots:
            links = plots[key]
            lines += ['', f'![Δ with 95 % CI per method]({links["forest"]})'
                      if 'forest' in links else '',
                      f'![validation {metric} against iterations, mean '
                      f'over seeds]({links["curves"]})'
                      if 'curves' in links else
                      'No learning curves: the runs share fewer than two '
                      'validation points (the dense suites validate once, '
                      'after training).' if any(
                          r.get('curve') for m, r in rows.items()
                          if m != 'teacher') else '']
        commits = sorted({c for r in rows.values() for c in r['commits']})
        lines += ['', 'Commits: ' + ', '.join(f'`{c[:12]}`'
                                               for c in commits), '']
    return '\n'.join(lines)


def _table(rows: Dict[str, dict], metric: str) -> List[str]:
    side_names = list(OrderedDict.fromkeys(
        name for row in rows.values() for name in row['side']))
    side_head = ''.join(f' {name} |' for name in side_names)
    base = rows.get('baseline')
    budgets = any(row.get('budget') for row in rows.values())
    tuned = any(row.get('tuned') for row in rows.values())
    out = [f'| method | n | {metric} |{side_head} vs | Δ [95 % CI] | '
           f'verdict |{" tuned |" if tuned else ""} iters |'
           f'{" budget |" if budgets else ""} cost × baseline | '
           f'peak mem (MB) | config |',
           '|---|---|---|' + '---|' * len(side_names) + '---|---|---|' +
           '---|' * tuned + '---|' + '---|' * budgets + '---|---|---|']
    for method in sorted(rows, key=_order):
        row = rows[method]
        delta, verdict = _fmt_delta(row)
        ref = '–' if method == 'teacher' or row.get('delta') is None and \
            'delta_of_means' not in row else row['reference']
        if base is None or method == 'teacher':
            cost = '–'
        else:
            cost = f'{row["cost"] / base["cost"]:.2f}'
            if row['shared']:
                cost += ' (shared)'
        side_cells = ''.join(
            ' {:.2f} ± {:.2f} |'.format(*row['side'][name])
            if name in row['side'] else ' – |' for name in side_names)
        budget = row.get('budget') or (
            '–' if method == 'teacher' else 'as baseline')
        out.append(
            f'| {method} | {row["n"]}'
            + (f' (+{row["failed"]} failed)' if row.get('failed') else '') +
            f' | {row["mean"]:.2f} ± '
            f'{row["std"]:.2f} |{side_cells} {ref} | {delta} | {verdict} |'
            + (f' {_fmt_tuned(row)} |' if tuned else '') +
            f' {row["iters"]} |' + (f' {budget} |' if budgets else '') +
            f' {cost} | {row["peak_mem_mb"]:.0f} | `{row["config"]}` |')
    return out


def _failure_notes(failed: Dict[str, Dict[int, str]],
                   rows: Dict[str, dict]) -> List[str]:
    """One line per method with failed runs: which seeds and why; the
    failed runs are not in its statistics (a failure is not a score)."""
    if not failed:
        return []
    lines = ['', '**Failed runs** (no score, left out of n and the '
             'statistics; the next run of the suite tries them again):']
    for method in sorted(failed, key=_order):
        seeds = failed[method]
        where = '' if method in rows else ' (no run of it gave a result)'
        reasons = sorted(set(seeds.values()))
        lines.append(f'- {method}{where}: seed'
                     f'{"s" if len(seeds) > 1 else ""} '
                     f'{", ".join(map(str, sorted(seeds)))}: '
                     + '; '.join(reasons))
    return lines


def _notes(rows: Dict[str, dict], metric: str) -> List[str]:
    notes = []
    retrains = (rows.get('teacher') or {}).get('retrains')
    if retrains:
        notes.append(
            'The teacher recipe was trained on more than one machine, with '
            'different weights (floating-point results differ between CPU '
            'models): ' + '; '.join(
                f'{t["value"]:.2f} (`{t["sha"]}`, '
                f'{t["cpu"] or "CPU not recorded"})' for t in retrains)
            + '. The teacher row is '
            'the latest; each student run was distilled from the weights '
            'its record names (`teacher_sha256`), and Δ pairs runs of the '
            'same seed, made on the same machine.')
    mde = detectable_effect(rows)
    if mde is not None and not math.isnan(mde['mde']):
        design = ('paired t-test, pooled sd of the per-seed differences'
                  if mde['paired'] else
                  'two-sample t-test, pooled sd within methods')
        notes.append(
            f'**Minimum detectable effect: {mde["mde"]:.2f} {metric}** '
            f'(80 % power, α = 0.05, {design} {mde["sd"]:.2f}, n = '
            f'{mde["n"]} seeds): a smaller true Δ is below what this table '
            f'can detect.' + _spread_out_text(mde, metric))
    tuned = {m: r['tuning'] for m, r in rows.items() if r.get('tuning')}
    if tuned:
        grids = {repr(t.get('grid')) for t in tuned.values()}
        seeds = {t.get('seed') for t in tuned.values()}
        shared = {m: r['shared_from'] for m, r in rows.items()
                  if r.get('shared_from')}
        tuned = {m: t for m, t in tuned.items() if m not in shared}
        notes.append(
            f'Tuning: {len(tuned)} methods, one run per setting with seed '
            f'{", ".join(map(str, sorted(seeds)))} on the validation split; '
            f'grid{"s" if len(grids) > 1 else ""} '
            + '; '.join(sorted(grids)) + '. The sweeps are in the records '
            '(`tuning`).')
        if shared:
            notes.append(
                '(as X): not tuned; trained with the setting chosen for X, '
                'of which the row is another implementation or an ablation '
                '(' + ', '.join(f'{m} as {x}'
                                for m, x in sorted(shared.items()))
                + '), so its Δ to X measures the implementation, or the '
                'part the ablation removes, at one setting.')
            stale = sorted(m for m in shared if rows[m]['share_stale'])
            if stale:
                notes.append(
                    '(as X: stale): X has been re-tuned to another setting '
                    'since these runs (' + ', '.join(stale) + '); re-run '
                    'them for a comparison at one setting.')
        edge = [m for m, t in tuned.items()
                if at_grid_edge(rows[m].get('tuned'), t.get('grid'))]
        if edge:
            notes.append(
                f'(edge): the chosen setting is the first or last value of '
                f'its grid ({", ".join(edge)}), so the best setting may lie '
                f'beyond it: such a row may understate its method (and a '
                f'baseline at an edge would overstate the rows compared '
                f'with it).')
    threads = sorted({str(r['threads']) for r in rows.values()})
    cpus = sorted({c for r in rows.values() for c in r['cpus']})
    if any(r['threads'] for r in rows.values()):
        notes.append(f'Threads per run: {", ".join(threads)}'
                     + (f'; CPU: {"; ".join(cpus)}' if cpus else '') + '.')
    cost_keys = {r['cost_key'] for r in rows.values()}
    if cost_keys == {'train_cpu_s'}:
        notes.append('Cost: process CPU time of training (validation '
                     'excluded), mean over seeds, relative to `baseline`.')
    shared = [m for m, r in rows.items() if r['shared']]
    if shared:
        notes.append(f'(shared): runs during which the rest of the machine '
                     f'kept more than {SHARED_CORES} cores busy beyond the '
                     f'runner\'s own side-by-side jobs '
                     f'({", ".join(shared)}); their wall time is not their '
                     f'own, their CPU time is.')
    resumed = [f'{m} ({r["resumed"]})' for m, r in rows.items()
               if r['resumed']]
    if resumed:
        notes.append('Resumed after an interruption: ' + ', '.join(resumed)
                     + ' run(s).')
    for method, row in rows.items():
        if not row.get('teacher_cache'):
            continue
        build = sum(c['build_s'] for c in row['teacher_cache'])
        mib = sum(c.get('mib', 0.0) for c in row['teacher_cache'])
        per_run = build / row['n']
        caches = len(row['teacher_cache'])
        what = ('its teacher-output cache, built once and read by all '
                f'{row["n"]} seeds,' if caches == 1 else
                f'its {caches} teacher-output caches, read by its '
                f'{row["n"]} seeds,')
        text = (f'{method}: {what} took {build:.0f} s (wall clock) to '
                f'build ({mib:.1f} MiB), {per_run:.1f} s per run, not in '
                f'the cost column')
        if 'baseline' in rows and row['cost_key'] == 'train_cpu_s' \
                and rows['baseline']['cost']:
            with_build = (row['cost'] + per_run) / rows['baseline']['cost']
            text += (f' (with it, counting its wall clock as CPU time: '
                     f'{with_build:.2f})')
        notes.append(text + '.')
    cheap = [m for m, r in rows.items()
             if r['uses_teacher'] and m != 'teacher' and 'baseline' in rows
             and r['cost'] < rows['baseline']['cost']]
    if cheap:
        notes.append('**Cost suspect**: ' + ', '.join(cheap) + ' show a '
                     'lower cost than the student they train.')
    return notes


def write_plots(rows: Dict[str, dict], metric: str, stem: str) -> dict:
    """``<stem>_forest.png`` (Δ with its 95 % CI per method, against its
    baseline) and ``<stem>_curves.png`` (validation metric against
    iterations, mean over seeds, per method); the paths written."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    written = {}
    deltas = [(m, r['delta'], r['reference'])
              for m, r in sorted(rows.items(), key=lambda kv: _order(kv[0]))
              if r.get('delta') is not None]
    if deltas:
        fig, ax = plt.subplots(figsize=(7, 0.35 * len(deltas) + 1.2))
        for y, (method, d, ref) in enumerate(reversed(deltas)):
            color = {'better': 'tab:green', 'worse': 'tab:red'}.get(
                d.verdict, 'tab:gray')
            ax.errorbar(d.delta, y, xerr=[[d.delta - d.low],
                                          [d.high - d.delta]],
                        fmt='o', color=color, capsize=3)
        ax.set_yticks(range(len(deltas)))
        ax.set_yticklabels([f'{m} vs {ref}' for m, _, ref in
                            reversed(deltas)], fontsize=8)
        ax.axvline(0, color='black', linewidth=0.8)
        mde = detectable_effect(rows)
        if mde is not None and not math.isnan(mde['mde']):
            ax.axvspan(-mde['mde'], mde['mde'], color='tab:gray', alpha=0.12,
                       label=f'± MDE ({mde["mde"]:.2f})')
            ax.legend(fontsize=8, loc='lower right')
        ax.set_xlabel(f'Δ {metric} (95 % CI)')
        fig.tight_layout()
        path = f'{stem}_forest.png'
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written['forest'] = path
    curves = [(m, r['curve']) for m, r in
              sorted(rows.items(), key=lambda kv: _order(kv[0]))
              if r.get('curve') and m != 'teacher']
    # fewer than two validation points shared by the seeds (the dense
    # suites validate after training only) make no curve: no plot then,
    # the table says why
    if any(len(curve) > 1 for _, curve in curves):
        fig, ax = plt.subplots(figsize=(8, 5))
        cmap = plt.get_cmap('tab20')
        for k, (method, curve) in enumerate(curves):
            xs, ys = zip(*curve)
            style = '--' if method.startswith('baseline') else '-'
            ax.plot(xs, ys, style, marker='.', color=cmap(k % 20),
                    label=method)
        ax.set_xlabel('iteration')
        ax.set_ylabel(f'validation {metric} (mean over seeds)')
        ax.legend(fontsize=7, ncol=2)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        path = f'{stem}_curves.png'
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written['curves'] = path
    return written


def _plot_name(key: tuple, tables) -> str:
    """``<dataset>_<benchmark>`` of a table, with its teacher and student
    when another table of the file has the same dataset and benchmark
    (two detector families on mini COCO), and its metric when another
    has those too, so that no table's plots overwrite another's."""
    benchmark, dataset, teacher, student, metric = key
    name = f'{_slug(dataset)}_{_slug(benchmark)}'
    if sum(1 for k in tables if k[:2] == key[:2]) > 1:
        name += f'_{_slug(teacher)}_to_{_slug(student)}'
    if sum(1 for k in tables if k[:4] == key[:4]) > 1:
        name += f'_{_slug(metric)}'
    return name


def write_leaderboard(records: List[dict], task: str, title: str,
                      path: str, records_path: Optional[str] = None,
                      comparisons: Optional[List[tuple]] = None,
                      share: Optional[Dict[str, str]] = None,
                      grids: Optional[Dict[str, dict]] = None) -> str:
    """Write the markdown table of ``task`` to ``path`` and, beside it,
    the plots of each of its tables; return the markdown."""
    out_dir = osp.dirname(osp.abspath(path))
    os.makedirs(out_dir, exist_ok=True)
    base = osp.splitext(osp.abspath(path))[0]
    plots = {}
    tables = summarize([r for r in records if r['task'] == task])
    for key, rows in tables.items():
        stem = f'{base}_{_plot_name(key, tables)}'
        written = write_plots(rows, key[4], stem)
        for kind in ('forest', 'curves'):  # a plot no longer drawn goes
            if kind not in written and osp.isfile(f'{stem}_{kind}.png'):
                os.remove(f'{stem}_{kind}.png')
        plots[key] = {k: osp.basename(v) for k, v in written.items()}
    name = _records_name(records_path)
    text = render_markdown(records, task, title, name, plots, comparisons,
                           share, grids)
    with open(path, 'w') as f:
        f.write(text)
    return text


def _records_name(records_path: Optional[str]) -> str:
    if not records_path:
        return 'leaderboards/records.jsonl'
    from kdbench.distillers.model_refs import REPO_ROOT
    rel = osp.relpath(osp.abspath(records_path), REPO_ROOT)
    return rel if not rel.startswith('..') else osp.abspath(records_path)
