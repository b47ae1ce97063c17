"""Render leaderboard tables (markdown) from result records.

Per task, one table per (benchmark, dataset, teacher, student): each method's
mean ± sample std over seeds, Δ of the mean over the plain student
(``baseline``), the teacher's score, and training cost (mean training wall
time without validation) relative to the plain student. Only reproduced
numbers appear here; published numbers belong in a separate table.
"""
import statistics
from collections import OrderedDict
from typing import Dict, List

METHOD_ORDER = ['teacher', 'baseline', 'kd', 'fitnets', 'at', 'nst', 'rkd',
                'ft', 'ab', 'fsp', 'sskd', 'dml', 'one', 'ffsd', 'byot',
                'self_guidance', 'ban', 'ban_kd_only',
                'chen', 'chen_cls', 'chen_reg', 'chen_hint', 'ld', 'ld_vlr',
                'feat_imit', 'skd_pi', 'skd_pi_pa', 'skd_full', 'netaug',
                'netdistiller', 'netaug_kd', 'netdistiller_kd']


def _order(method: str) -> tuple:
    if method in METHOD_ORDER:
        return (METHOD_ORDER.index(method), method)
    return (len(METHOD_ORDER), method)


def _mean_std(values: List[float]) -> tuple:
    mean = statistics.fmean(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, std


def current_runs(runs: List[dict]) -> Dict[str, List[dict]]:
    """The runs of one table that describe the present state, by method.

    The records file keeps history: a re-trained teacher, an edited config
    or a re-run seed appends new records. Shown are: the latest teacher
    record; distiller runs made with that teacher's weights; for each
    method the runs of its latest config content and pretrained backbone
    weights; one run (the latest) per seed.
    """
    runs = sorted(runs, key=lambda r: r.get('finished_at', ''))
    teachers = [r for r in runs if r['method'] == 'teacher']
    teacher_sha = teachers[-1].get('teacher_sha256') if teachers else None
    by_method: Dict[str, List[dict]] = {}
    for r in runs:
        used = r.get('teacher_sha256')
        if r['method'] == 'teacher':
            if r is not teachers[-1]:
                continue
        elif used is not None and teacher_sha is not None \
                and used != teacher_sha:
            continue
        by_method.setdefault(r['method'], []).append(r)
    current = {}
    for method, method_runs in by_method.items():
        latest = method_runs[-1]
        per_seed = {r['seed']: r for r in method_runs
                    if all(r.get(k) == latest.get(k) for k in
                           ('config_sha256', 'pretrained_sha256'))}
        current[method] = list(per_seed.values())
    return current


def summarize(records: List[dict]) -> Dict[tuple, Dict[str, dict]]:
    """``{(benchmark, dataset, teacher, student, metric): {method: row}}``."""
    groups: Dict[tuple, List[dict]] = OrderedDict()
    for r in records:
        key = (r['benchmark'], r['dataset'], r['teacher'], r['student'],
               r['metric'])
        groups.setdefault(key, []).append(r)
    table = OrderedDict()
    for key, group in groups.items():
        rows = {}
        for method, runs in current_runs(group).items():
            runs = sorted(runs, key=lambda r: r['seed'])
            values = [r['value'] for r in runs]
            mean, std = _mean_std(values)
            side = {}
            for name in runs[0].get('side_metrics', {}):
                side[name] = _mean_std([r['side_metrics'][name]
                                        for r in runs])
            rows[method] = dict(
                mean=mean, std=std, n=len(runs), side=side,
                seeds=[r['seed'] for r in runs],
                train_s=statistics.fmean(r['train_s'] for r in runs),
                s_per_iter=statistics.fmean(r['s_per_iter'] for r in runs),
                peak_mem_mb=max(r['peak_mem_mb'] for r in runs),
                iters=runs[0]['iters'],
                budget=runs[0].get('budget'),
                config=runs[0]['config'],
                commits=sorted({r['commit'] for r in runs}),
                teacher_value=runs[0].get('teacher_value'))
        table[key] = rows
    return table


def render_markdown(records: List[dict], task: str, title: str) -> str:
    records = [r for r in records if r['task'] == task]
    lines = [f'# {title}', '',
             'Written by `tools/benchmark.py` / `tools/leaderboard.py` from '
             '`leaderboards/records.jsonl`; do not edit by hand. Numbers are '
             'reproduced here (no published numbers are mixed in). Mean ± '
             'sample std over seeds of the metric after the last epoch; Δ is '
             'the difference of means to the plain student (`baseline`) '
             'trained with the same schedule; cost is the mean training '
             'wall time (validation excluded) relative to `baseline`; '
             'budget (when shown) states the schedule of methods with '
             'extra stages or generations, all others train with the '
             'plain student\'s.', '']
    if not records:
        return '\n'.join(lines + ['No records yet.', ''])
    for (benchmark, dataset, teacher, student, metric), rows in \
            summarize(records).items():
        base = rows.get('baseline')
        teacher_row = rows.get('teacher')
        teacher_value = (teacher_row['mean'] if teacher_row else
                         next((r['teacher_value'] for r in rows.values()
                               if r['teacher_value'] is not None), None))
        lines += [f'## {dataset} ({benchmark}): teacher {teacher} → '
                  f'student {student}', '']
        if teacher_value is not None:
            lines += [f'Teacher {metric}: **{teacher_value:.2f}**', '']
        side_names = list(OrderedDict.fromkeys(
            name for row in rows.values() for name in row['side']))
        side_head = ''.join(f' {name} |' for name in side_names)
        budgets = any(row.get('budget') for row in rows.values())
        lines += [f'| method | {metric} | Δ vs baseline |{side_head} seeds | '
                  f'iters |{" budget |" if budgets else ""} cost × baseline '
                  f'| s/iter | peak mem (MB) | config |',
                  '|---|---|---|' + '---|' * len(side_names) + '---|---|' +
                  '---|' * budgets + '---|---|---|---|']
        for method in sorted(rows, key=_order):
            row = rows[method]
            delta = ('–' if base is None or method in ('baseline', 'teacher')
                     else f'{row["mean"] - base["mean"]:+.2f}')
            cost = ('–' if base is None or method == 'teacher'
                    else f'{row["train_s"] / base["train_s"]:.2f}')
            side_cells = ''.join(
                ' {:.2f} ± {:.2f} |'.format(*row['side'][name])
                if name in row['side'] else ' – |' for name in side_names)
            budget = row.get('budget') or (
                '–' if method == 'teacher' else 'as baseline')
            budget_cell = f' {budget} |' if budgets else ''
            lines.append(
                f'| {method} | {row["mean"]:.2f} ± {row["std"]:.2f} | '
                f'{delta} |{side_cells} {row["n"]} | {row["iters"]} |'
                f'{budget_cell} {cost} | '
                f'{row["s_per_iter"]:.3f} | {row["peak_mem_mb"]:.0f} | '
                f'`{row["config"]}` |')
        commits = sorted({c for r in rows.values() for c in r['commits']})
        lines += ['', 'Commits: ' + ', '.join(f'`{c[:12]}`' for c in commits),
                  '']
    return '\n'.join(lines)
